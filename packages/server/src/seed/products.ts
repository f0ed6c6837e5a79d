/**
 * Bulk demo-like products for speed checks (`opentill gen --products N`): one variant each, an
 * EAN-13 barcode (prefix 69), a price in every store, spread over the existing categories and
 * the first tax class. Names are plausible in English and Chinese so search has real work to do.
 */
import { gtinCheckDigit } from '@opentill/core';
import type { Insertable } from 'kysely';
import type { BarcodeTable, PriceTable, ProductTable, VariantTable } from '../db/schema';
import type { Deps } from '../deps';
import { searchText } from '../modules/catalog/service';

const EN_ADJ = [
  'Organic',
  'Classic',
  'Spicy',
  'Sweet',
  'Golden',
  'Fresh',
  'Smoked',
  'Crispy',
  'Roasted',
  'Mild',
];
const ZH_ADJ = ['有机', '经典', '香辣', '甜味', '金装', '新鲜', '烟熏', '香脆', '烘焙', '清淡'];
const EN_NOUN = [
  'Rice Crackers',
  'Green Tea',
  'Soy Sauce',
  'Noodles',
  'Dumplings',
  'Peanuts',
  'Biscuits',
  'Juice',
  'Tofu',
  'Sesame Oil',
  'Coffee Beans',
  'Seaweed',
  'Honey',
  'Vinegar',
  'Chili Paste',
  'Oolong',
];
const ZH_NOUN = [
  '米饼',
  '绿茶',
  '酱油',
  '面条',
  '饺子',
  '花生',
  '饼干',
  '果汁',
  '豆腐',
  '芝麻油',
  '咖啡豆',
  '海苔',
  '蜂蜜',
  '醋',
  '辣椒酱',
  '乌龙茶',
];
const SIZES = ['100 g', '250 g', '500 g', '1 kg', '330 ml', '1 L'];

export async function generateProducts(deps: Deps, tenantId: string, count: number): Promise<number> {
  const db = deps.database.db;
  const stores = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).execute();
  const cats = await db.selectFrom('categories').select('id').where('tenant_id', '=', tenantId).execute();
  const tax = await db
    .selectFrom('tax_classes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (!tax || stores.length === 0) throw new Error('the tenant needs stores and a tax class first');
  const existing = await db
    .selectFrom('variants')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('sku', 'like', 'GEN-%')
    .executeTakeFirst();
  const offset = Number(existing?.n ?? 0);
  const now = new Date().toISOString();
  const CHUNK = 500;
  for (let start = 0; start < count; start += CHUNK) {
    const products: Insertable<ProductTable>[] = [];
    const variants: Insertable<VariantTable>[] = [];
    const barcodes: Insertable<BarcodeTable>[] = [];
    const prices: Insertable<PriceTable>[] = [];
    for (let i = start; i < Math.min(start + CHUNK, count); i++) {
      const n = offset + i;
      const a = n % EN_ADJ.length;
      const b = Math.floor(n / EN_ADJ.length) % EN_NOUN.length;
      const size = SIZES[n % SIZES.length] ?? '';
      const name = `${EN_ADJ[a]} ${EN_NOUN[b]} ${size} #${n}`;
      const nameZh = `${ZH_ADJ[a]}${ZH_NOUN[b]} ${size} #${n}`;
      const sku = `GEN-${String(n).padStart(7, '0')}`;
      const body = `69${String(n).padStart(10, '0')}`;
      const code = `${body}${gtinCheckDigit(body)}`;
      const productId = deps.ids.newId('prd');
      const variantId = deps.ids.newId('var');
      const categoryId = cats.length ? (cats[n % cats.length]?.id ?? null) : null;
      products.push({
        id: productId,
        tenant_id: tenantId,
        name,
        name_zh: nameZh,
        category_id: categoryId,
        active: 1,
        created_at: now,
        updated_at: now,
      });
      variants.push({
        id: variantId,
        tenant_id: tenantId,
        product_id: productId,
        sku,
        name,
        name_zh: nameZh,
        unit: 'each' as const,
        tax_class_id: tax.id,
        plu_code: null,
        active: 1,
        search_text: searchText([name, nameZh, sku, code]),
        created_at: now,
        updated_at: now,
      });
      barcodes.push({ tenant_id: tenantId, code: code.padStart(14, '0'), variant_id: variantId });
      for (const [k, s] of stores.entries()) {
        prices.push({
          tenant_id: tenantId,
          variant_id: variantId,
          store_id: s.id,
          price: 100 + ((n * 37 + k * 11) % 5000),
        });
      }
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < products.length; i += 100) {
        await trx
          .insertInto('products')
          .values(products.slice(i, i + 100))
          .execute();
        await trx
          .insertInto('variants')
          .values(variants.slice(i, i + 100))
          .execute();
        await trx
          .insertInto('barcodes')
          .values(barcodes.slice(i, i + 100))
          .execute();
      }
      for (let i = 0; i < prices.length; i += 200)
        await trx
          .insertInto('prices')
          .values(prices.slice(i, i + 200))
          .execute();
    });
  }
  return count;
}
