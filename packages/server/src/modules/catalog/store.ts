import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  AuditTable,
  BarcodeTable,
  CategoryTable,
  DB,
  PriceTable,
  ProductTable,
  TaxClassTable,
  TaxRateTable,
  VariantTable,
} from '../../db/schema';

/** A handle or an open transaction: every write below runs inside the caller's transaction. */
type Q = Kysely<DB> | Transaction<DB>;
type Engine = 'sqlite' | 'postgres';

// ---------------------------------------------------------------------------------------------
// Search. The only dialect-specific query of the module lives here.
// SQLite: `variants_fts` (FTS5 trigram, kept in step by triggers, see migration 001) answers
// needles of 3+ characters; shorter needles scan with instr(). PostgreSQL: LIKE, which the
// pg_trgm GIN index serves when the extension is installed.
// ---------------------------------------------------------------------------------------------

export interface SearchFilter {
  categoryId?: string | undefined;
  storeId?: string | undefined;
  includeInactive: boolean;
}

function likePattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Product IDs of variants whose search text contains `needle` (lower-cased), one row per
 * matching variant, in catalogue order, read straight off the index so that LIMIT stops early:
 * SQLite walks the FTS5 trigram index (3+ characters) or the table (shorter needles) in rowid
 * order; PostgreSQL uses the pg_trgm index (when present) and orders by variant ID.
 */
export async function matchingProductIds(
  db: Kysely<DB>,
  engine: Engine,
  tenantId: string,
  needle: string,
  f: SearchFilter,
  limit: number,
): Promise<string[]> {
  const fts = engine === 'sqlite' && [...needle].length >= 3;
  const q = fts
    ? db
        .selectFrom(sql<{ rowid: number }>`variants_fts`.as('f'))
        .innerJoin('variants as v', (j) => j.on(sql<boolean>`v.rowid = f.rowid`))
        .where(sql<boolean>`variants_fts match ${`"${needle.replace(/"/g, '""')}"`}`)
        .where(sql<boolean>`instr(v.search_text, ${needle}) > 0`)
    : db
        .selectFrom('variants as v')
        .where(
          engine === 'sqlite'
            ? sql<boolean>`instr(v.search_text, ${needle}) > 0`
            : sql<boolean>`v.search_text like ${likePattern(needle)} escape '\\'`,
        );
  // SQLite: CROSS JOIN keeps the variants (in index order) as the outer loop so LIMIT stops early
  let j = (
    engine === 'sqlite'
      ? q.crossJoin('products as p').whereRef('p.id', '=', 'v.product_id')
      : q.innerJoin('products as p', (jn) => jn.onRef('p.id', '=', 'v.product_id'))
  )
    .whereRef('p.tenant_id', '=', 'v.tenant_id')
    .where('v.tenant_id', '=', tenantId);
  if (!f.includeInactive) j = j.where('p.active', '=', 1);
  if (f.categoryId !== undefined) j = j.where('p.category_id', '=', f.categoryId);
  const storeId = f.storeId;
  if (storeId !== undefined) {
    j = j.where((eb) =>
      eb.exists(
        eb
          .selectFrom('prices as pr')
          .select('pr.variant_id')
          .where('pr.tenant_id', '=', tenantId)
          .whereRef('pr.variant_id', '=', 'v.id')
          .where('pr.store_id', '=', storeId),
      ),
    );
  }
  const order = fts ? sql`f.rowid` : engine === 'sqlite' ? sql`v.rowid` : sql`v.id`;
  const rows = await j.select('v.product_id').orderBy(order).limit(limit).execute();
  return rows.map((r) => r.product_id);
}

/** Product IDs matching the filter (no search text), ordered by name then ID. */
export async function listProductIds(
  db: Kysely<DB>,
  tenantId: string,
  f: SearchFilter,
  limit: number,
  offset: number,
): Promise<string[]> {
  let q = db.selectFrom('products as p').select('p.id').where('p.tenant_id', '=', tenantId);
  if (!f.includeInactive) q = q.where('p.active', '=', 1);
  if (f.categoryId !== undefined) q = q.where('p.category_id', '=', f.categoryId);
  const storeId = f.storeId;
  if (storeId !== undefined) {
    q = q.where('p.id', 'in', (eb) =>
      eb
        .selectFrom('variants as v')
        .select('v.product_id')
        .where('v.tenant_id', '=', tenantId)
        .where('v.id', 'in', (eb2) =>
          eb2
            .selectFrom('prices')
            .select('variant_id')
            .where('tenant_id', '=', tenantId)
            .where('store_id', '=', storeId),
        ),
    );
  }
  const rows = await q.orderBy('p.name').orderBy('p.id').limit(limit).offset(offset).execute();
  return rows.map((r) => r.id);
}

/** Product IDs with a variant whose barcode (normalized GTIN) is `gtin` or whose SKU is `sku`. */
export async function exactProductIds(
  db: Kysely<DB>,
  tenantId: string,
  gtin: string | null,
  sku: string,
  f: SearchFilter,
): Promise<string[]> {
  const variantIds = (
    await db
      .selectFrom('variants')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('sku', '=', sku)
      .execute()
  ).map((r) => r.id);
  if (gtin !== null) {
    const hit = await db
      .selectFrom('barcodes')
      .select('variant_id')
      .where('tenant_id', '=', tenantId)
      .where('code', '=', gtin)
      .executeTakeFirst();
    if (hit) variantIds.push(hit.variant_id);
  }
  if (variantIds.length === 0) return [];
  let q = db
    .selectFrom('variants as v')
    .innerJoin('products as p', (j) =>
      j.onRef('p.id', '=', 'v.product_id').onRef('p.tenant_id', '=', 'v.tenant_id'),
    )
    .select('p.id')
    .distinct()
    .where('v.tenant_id', '=', tenantId)
    .where('v.id', 'in', variantIds);
  if (!f.includeInactive) q = q.where('p.active', '=', 1);
  if (f.categoryId !== undefined) q = q.where('p.category_id', '=', f.categoryId);
  const storeId = f.storeId;
  if (storeId !== undefined) {
    q = q.where('v.id', 'in', (eb) =>
      eb
        .selectFrom('prices')
        .select('variant_id')
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', storeId)
        .where('variant_id', 'in', variantIds),
    );
  }
  return (await q.orderBy('p.id').execute()).map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

export function productsByIds(db: Q, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([] as ProductTable[]);
  return db
    .selectFrom('products')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

export function findProduct(db: Q, tenantId: string, id: string) {
  return db
    .selectFrom('products')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function variantsOfProducts(db: Q, tenantId: string, productIds: readonly string[]) {
  if (productIds.length === 0) return Promise.resolve([] as VariantTable[]);
  return db
    .selectFrom('variants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('product_id', 'in', productIds)
    .orderBy('product_id')
    .orderBy('id')
    .execute();
}

export function findVariant(db: Q, tenantId: string, id: string) {
  return db
    .selectFrom('variants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function variantsByPlu(db: Q, tenantId: string, plu: string) {
  return db
    .selectFrom('variants')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('plu_code', '=', plu)
    .orderBy('active', 'desc')
    .orderBy('id')
    .execute();
}

export function barcodesOf(db: Q, tenantId: string, variantIds: readonly string[]) {
  if (variantIds.length === 0) return Promise.resolve([] as BarcodeTable[]);
  return db
    .selectFrom('barcodes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('variant_id', 'in', variantIds)
    .orderBy('code')
    .execute();
}

export function pricesOf(db: Q, tenantId: string, variantIds: readonly string[]) {
  if (variantIds.length === 0) return Promise.resolve([] as PriceTable[]);
  return db
    .selectFrom('prices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('variant_id', 'in', variantIds)
    .orderBy('store_id')
    .execute();
}

export function findBarcode(db: Q, tenantId: string, code: string) {
  return db
    .selectFrom('barcodes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Existing rows among `codes` (normalized GTINs) in the tenant. */
export function barcodesTaken(db: Q, tenantId: string, codes: readonly string[]) {
  if (codes.length === 0) return Promise.resolve([] as BarcodeTable[]);
  return db
    .selectFrom('barcodes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', 'in', codes)
    .execute();
}

export function skusTaken(db: Q, tenantId: string, skus: readonly string[]) {
  if (skus.length === 0) return Promise.resolve([] as { id: string; sku: string }[]);
  return db
    .selectFrom('variants')
    .select(['id', 'sku'])
    .where('tenant_id', '=', tenantId)
    .where('sku', 'in', skus)
    .execute();
}

export async function existingIds(
  db: Q,
  table: 'tax_classes' | 'categories',
  tenantId: string,
  ids: readonly string[],
) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom(table)
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Variants changed after the cursor (updated_at, id), oldest first. */
export function variantsChangedSince(db: Q, tenantId: string, since: string, afterId: string, limit: number) {
  return db
    .selectFrom('variants as v')
    .innerJoin('products as p', (j) =>
      j.onRef('p.id', '=', 'v.product_id').onRef('p.tenant_id', '=', 'v.tenant_id'),
    )
    .selectAll('v')
    .select([
      'p.name as product_name',
      'p.name_zh as product_name_zh',
      'p.active as product_active',
      'p.category_id',
    ])
    .where('v.tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        eb('v.updated_at', '>', since),
        eb.and([eb('v.updated_at', '=', since), eb('v.id', '>', afterId)]),
      ]),
    )
    .orderBy('v.updated_at')
    .orderBy('v.id')
    .limit(limit)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

export async function insertProduct(db: Q, row: ProductTable) {
  await db.insertInto('products').values(row).execute();
}

export async function updateProduct(db: Q, tenantId: string, id: string, patch: Partial<ProductTable>) {
  await db
    .updateTable('products')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function insertVariants(db: Q, rows: VariantTable[]) {
  if (rows.length > 0) await db.insertInto('variants').values(rows).execute();
}

export async function updateVariant(db: Q, tenantId: string, id: string, patch: Partial<VariantTable>) {
  await db
    .updateTable('variants')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function touchVariantsOfProduct(db: Q, tenantId: string, productId: string, updatedAt: string) {
  await db
    .updateTable('variants')
    .set({ updated_at: updatedAt })
    .where('tenant_id', '=', tenantId)
    .where('product_id', '=', productId)
    .execute();
}

export async function insertBarcodes(db: Q, rows: BarcodeTable[]) {
  if (rows.length > 0) await db.insertInto('barcodes').values(rows).execute();
}

export async function deleteBarcodesOf(db: Q, tenantId: string, variantId: string) {
  await db
    .deleteFrom('barcodes')
    .where('tenant_id', '=', tenantId)
    .where('variant_id', '=', variantId)
    .execute();
}

export async function upsertPrice(db: Q, row: PriceTable) {
  await db
    .insertInto('prices')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'variant_id', 'store_id']).doUpdateSet({ price: row.price }))
    .execute();
}

export async function deletePrice(db: Q, tenantId: string, variantId: string, storeId: string) {
  await db
    .deleteFrom('prices')
    .where('tenant_id', '=', tenantId)
    .where('variant_id', '=', variantId)
    .where('store_id', '=', storeId)
    .execute();
}

export async function insertAudit(db: Q, row: AuditTable) {
  await db.insertInto('audit_log').values(row).execute();
}

// categories

export function listCategories(db: Q, tenantId: string) {
  return db
    .selectFrom('categories')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('sort')
    .orderBy('id')
    .execute();
}

export function findCategory(db: Q, tenantId: string, id: string) {
  return db
    .selectFrom('categories')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertCategory(db: Q, row: CategoryTable) {
  await db.insertInto('categories').values(row).execute();
}

export async function updateCategory(db: Q, tenantId: string, id: string, patch: Partial<CategoryTable>) {
  await db
    .updateTable('categories')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

// tax classes

export function listTaxClasses(db: Q, tenantId: string) {
  return db.selectFrom('tax_classes').selectAll().where('tenant_id', '=', tenantId).orderBy('code').execute();
}

export function findTaxClass(db: Q, tenantId: string, id: string) {
  return db
    .selectFrom('tax_classes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findTaxClassByCode(db: Q, tenantId: string, code: string) {
  return db
    .selectFrom('tax_classes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export function taxRatesOf(db: Q, tenantId: string, classIds?: readonly string[]) {
  let q = db.selectFrom('tax_rates').selectAll().where('tenant_id', '=', tenantId);
  if (classIds) {
    if (classIds.length === 0) return Promise.resolve([] as TaxRateTable[]);
    q = q.where('tax_class_id', 'in', classIds);
  }
  return q.orderBy('store_id').execute();
}

export async function insertTaxClass(db: Q, row: TaxClassTable) {
  await db.insertInto('tax_classes').values(row).execute();
}

export async function updateTaxClass(db: Q, tenantId: string, id: string, patch: Partial<TaxClassTable>) {
  await db
    .updateTable('tax_classes')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function upsertTaxRate(db: Q, row: TaxRateTable) {
  await db
    .insertInto('tax_rates')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'tax_class_id', 'store_id']).doUpdateSet({ rate_ppm: row.rate_ppm }),
    )
    .execute();
}
