import { sealStaffName } from '../modules/keys/staff-names';
import { normalizeGtin } from '@opentill/core';
import type { Insertable, Kysely } from 'kysely';
import type { Deps } from '../deps';
import type { DB } from '../db/schema';
import { hashSecret, PIN_COST } from '../lib/secrets';
import { defaultEmbeddedBarcodes } from '../modules/stores/service';
import { searchText } from '../modules/catalog/service';
import { buildDemoData } from './demo-data';
import { newDeviceRows, type DeviceKind } from '../modules/devices/service';

export const DEMO_PASSWORD = 'opentill-demo';
export const DEMO_PIN = '1234';

export interface SeedResult {
  tenantId: string;
  stores: Record<'sh' | 'sf', { id: string; registers: string[] }>;
  staff: { username: string; role: string; password: string; pin?: string }[];
  /** the demo devices with their pairing codes (a register device on every register; a customer
   *  display and a payment terminal on the first register of each store) */
  devices: {
    id: string;
    kind: DeviceKind;
    storeId: string;
    registerId: string;
    code: string;
    expiresAt: string;
  }[];
}

/** Demo pairing codes live a week: time enough to try the demo; a real code lives minutes. */
export const DEMO_PAIRING_MINUTES = 7 * 24 * 60;

/** Inserts `rows` into `table` in chunks that stay under both engines' parameter limits. */
async function insertChunked<T extends keyof DB>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Insertable<DB[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto(table)
      // the rows are Insertable<DB[T]>; Kysely cannot relate that to its generic insert type
      .values(rows.slice(i, i + 200) as never)
      .execute();
  }
}

export { searchText };

/**
 * Seeds the demo merchant: two stores (Shanghai CNY VAT-inclusive, San Francisco USD sales tax),
 * their registers, tax classes, the bilingual catalog with barcodes and opening stock, and
 * demo staff. Everything in one transaction: either the whole demo exists or none of it.
 */
export async function seedDemo(
  deps: Deps,
  options: { password?: string; pin?: string; usernamePrefix?: string; tenantName?: string } = {},
): Promise<SeedResult> {
  const { database, clock, ids } = deps;
  const data = buildDemoData();
  const now = clock.now().toISOString();
  const password = options.password ?? DEMO_PASSWORD;
  const pin = options.pin ?? DEMO_PIN;
  const prefix = options.usernamePrefix ?? '';
  const tenantId = ids.newId('ten');

  const staffSpecs = [
    { username: `${prefix}owner`, display: 'Olivia Owner', role: 'owner' as const, pin: null },
    { username: `${prefix}manager`, display: 'Max Manager 王经理', role: 'manager' as const, pin: '4321' },
    { username: `${prefix}cashier`, display: 'Chen Cashier 陈收银', role: 'cashier' as const, pin },
    { username: `${prefix}auditor`, display: 'Ada Auditor', role: 'auditor' as const, pin: null },
  ];
  const staffRows = await Promise.all(
    staffSpecs.map(async (s) => {
      const id = ids.newId('stf');
      return {
        id,
        tenant_id: tenantId,
        username: s.username,
        // personal data: encrypted with the staff member as the subject (modules/keys/staff-names)
        display_name: await sealStaffName(deps.cipher, tenantId, id, s.display),
        role: s.role,
        password_hash: await hashSecret(password),
        pin_hash: s.pin ? await hashSecret(s.pin, PIN_COST) : null,
        active: 1,
        created_at: now,
        updated_at: now,
      };
    }),
  );

  const storeIds: Record<string, string> = {};
  const result: SeedResult = {
    tenantId,
    stores: { sh: { id: '', registers: [] }, sf: { id: '', registers: [] } },
    devices: [],
    staff: staffSpecs.map((s) => ({
      username: s.username,
      role: s.role,
      password,
      ...(s.pin ? { pin: s.pin } : {}),
    })),
  };
  const storeRows = data.stores.map((s) => {
    const id = ids.newId('sto');
    storeIds[s.key] = id;
    result.stores[s.key].id = id;
    return {
      id,
      tenant_id: tenantId,
      name: s.name,
      name_zh: s.nameZh,
      currency: s.currency,
      time_zone: s.timeZone,
      country: s.countryCode,
      address: s.address,
      tax_mode: s.taxMode,
      tax_rounding: s.taxRounding,
      rounding_mode: 'half_up' as const,
      cash_increment: 1,
      negative_stock: 'allow' as const,
      embedded_barcodes: JSON.stringify(defaultEmbeddedBarcodes),
      created_at: now,
      updated_at: now,
    };
  });
  const registerRows = data.stores.flatMap((s) =>
    s.registers.map((r) => {
      const id = ids.newId('reg');
      result.stores[s.key].registers.push(id);
      return {
        id,
        tenant_id: tenantId,
        store_id: storeIds[s.key] ?? '',
        name: r.name,
        active: 1,
        offline_card_limit: 0,
        created_at: now,
        updated_at: now,
      };
    }),
  );

  // A variant has one tax class; a class has a rate per store. The demo data names a class per
  // store, so each distinct (Shanghai class, San Francisco class) pair becomes one class.
  const taxByKey = new Map(data.taxClasses.map((t) => [t.key, t]));
  const taxClassRows: DB['tax_classes'][] = [];
  const taxRateRows: DB['tax_rates'][] = [];
  const classIds = new Map<string, string>();
  function taxClassFor(shKey: string, sfKey: string): string {
    const code = `${shKey}+${sfKey}`;
    let id = classIds.get(code);
    if (id) return id;
    id = ids.newId('tax');
    classIds.set(code, id);
    const sh = taxByKey.get(shKey);
    const sf = taxByKey.get(sfKey);
    if (!sh || !sf) throw new Error(`demo data names unknown tax class ${code}`);
    taxClassRows.push({ id, tenant_id: tenantId, code, name: `${sh.name} / ${sf.name}`, created_at: now });
    taxRateRows.push({
      tenant_id: tenantId,
      tax_class_id: id,
      store_id: storeIds.sh ?? '',
      rate_ppm: sh.ratePpm,
    });
    taxRateRows.push({
      tenant_id: tenantId,
      tax_class_id: id,
      store_id: storeIds.sf ?? '',
      rate_ppm: sf.ratePpm,
    });
    return id;
  }

  const categoryIds = new Map<string, string>();
  const categoryRows = data.categories.map((c, i) => {
    const id = ids.newId('cat');
    categoryIds.set(c.key, id);
    return {
      id,
      tenant_id: tenantId,
      name: c.name,
      name_zh: c.nameZh,
      parent_id: null,
      sort: i,
      created_at: now,
      updated_at: now,
    };
  });

  const productRows: DB['products'][] = [];
  const variantRows: DB['variants'][] = [];
  const barcodeRows: DB['barcodes'][] = [];
  const priceRows: DB['prices'][] = [];
  const levelRows: DB['stock_levels'][] = [];
  const movementRows: DB['stock_movements'][] = [];
  for (const p of data.products) {
    const productId = ids.newId('prd');
    productRows.push({
      id: productId,
      tenant_id: tenantId,
      name: p.name,
      name_zh: p.nameZh,
      category_id: categoryIds.get(p.categoryKey) ?? null,
      active: 1,
      created_at: now,
      updated_at: now,
    });
    for (const v of p.variants) {
      const variantId = ids.newId('var');
      const taxClassId = taxClassFor(v.taxClassKeys.sh, v.taxClassKeys.sf);
      variantRows.push({
        id: variantId,
        tenant_id: tenantId,
        product_id: productId,
        sku: v.sku,
        name: v.name,
        name_zh: v.nameZh,
        unit: v.unit,
        tax_class_id: taxClassId,
        plu_code: v.pluCode ?? null,
        active: 1,
        search_text: searchText([v.name, v.nameZh, p.name, p.nameZh, v.sku, v.barcode]),
        created_at: now,
        updated_at: now,
      });
      barcodeRows.push({ tenant_id: tenantId, code: normalizeGtin(v.barcode), variant_id: variantId });
      for (const key of ['sh', 'sf'] as const) {
        const storeId = storeIds[key] ?? '';
        priceRows.push({
          tenant_id: tenantId,
          variant_id: variantId,
          store_id: storeId,
          price: v.prices[key],
        });
        const milli = Math.round(v.openingStock[key] * 1000);
        levelRows.push({
          tenant_id: tenantId,
          store_id: storeId,
          variant_id: variantId,
          on_hand_milli: milli,
          updated_at: now,
        });
        movementRows.push({
          id: ids.newId('mov'),
          tenant_id: tenantId,
          store_id: storeId,
          variant_id: variantId,
          kind: 'receive',
          qty_milli: milli,
          reason: 'opening stock',
          ref_id: null,
          staff_id: null,
          went_negative: 0,
          created_at: now,
        });
      }
    }
  }

  const owner = staffRows.find((r) => r.role === 'owner')!;
  const deviceRows = registerRows.flatMap((r) => {
    const first = data.stores.some((st) => result.stores[st.key].registers[0] === r.id);
    const kinds: [DeviceKind, string][] = [['register', r.name]];
    if (first)
      kinds.push(['customer_display', `${r.name} display`], ['payment_terminal', `${r.name} terminal`]);
    return kinds.map(([kind, name]) => {
      const rows = newDeviceRows(
        {
          id: ids.newId('dev'),
          tenantId,
          kind,
          name,
          storeId: r.store_id,
          registerId: r.id,
          createdBy: owner.id,
        },
        clock.now(),
        DEMO_PAIRING_MINUTES,
      );
      result.devices.push({
        id: rows.device.id,
        kind,
        storeId: r.store_id,
        registerId: r.id,
        code: rows.code,
        expiresAt: rows.expiresAt,
      });
      return rows;
    });
  });

  await database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('tenants')
      .values({ id: tenantId, name: options.tenantName ?? 'OpenTill Demo Café & Mart', created_at: now })
      .execute();
    await insertChunked(trx, 'stores', storeRows);
    await insertChunked(trx, 'registers', registerRows);
    await insertChunked(trx, 'staff', staffRows);
    await insertChunked(trx, 'tax_classes', taxClassRows);
    await insertChunked(trx, 'tax_rates', taxRateRows);
    await insertChunked(trx, 'categories', categoryRows);
    await insertChunked(trx, 'products', productRows);
    await insertChunked(trx, 'variants', variantRows);
    await insertChunked(trx, 'barcodes', barcodeRows);
    await insertChunked(trx, 'prices', priceRows);
    await insertChunked(trx, 'stock_levels', levelRows);
    await insertChunked(trx, 'stock_movements', movementRows);
    await insertChunked(
      trx,
      'devices',
      deviceRows.map((d) => d.device),
    );
    await insertChunked(
      trx,
      'device_pairings',
      deviceRows.map((d) => d.pairing),
    );
  });
  return result;
}
