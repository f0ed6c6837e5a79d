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
// Search. The dialect-specific parts of the module live here (see `contains` and `trigramHits`).
// Results come in variant-ID order on both engines (one row per matching variant).
// - 2-character needles: one range of `variant_grams` (tenant_id, gram, variant_id), already in
//   variant-ID order, so LIMIT stops early and a miss is one empty index probe.
// - 1-character needles: the grams starting with that character; when they are many (a common
//   character) the matches are dense and a scan in variant-ID order stops early instead.
// - 3+ characters: SQLite's FTS5 trigram index / PostgreSQL's pg_trgm GIN index; when the
//   needle is common (many index hits), a scan in variant-ID order stops early instead.
// Indexes and triggers: migration 001, `createVariantSearchIndex`.
// ---------------------------------------------------------------------------------------------

export interface SearchFilter {
  categoryId?: string | undefined;
  storeId?: string | undefined;
  includeInactive: boolean;
}

/** Gram-range or index hits above which a needle counts as common (dense): scan in order. */
const DENSE = 2000;

/** `v.search_text` contains `needle` (both lower-cased): the one dialect difference of the matching. */
function contains(engine: Engine, needle: string) {
  return engine === 'sqlite'
    ? sql<boolean>`instr(v.search_text, ${needle}) > 0`
    : sql<boolean>`strpos(v.search_text, ${needle}) > 0`;
}

/** Conditions on `v` (variants) and `p` (its product) from the tenant and the filter. */
function variantFilter(tenantId: string, f: SearchFilter) {
  const parts = [sql`v.tenant_id = ${tenantId}`, sql`p.id = v.product_id`, sql`p.tenant_id = ${tenantId}`];
  if (!f.includeInactive) parts.push(sql`p.active = 1`);
  if (f.categoryId !== undefined) parts.push(sql`p.category_id = ${f.categoryId}`);
  if (f.storeId !== undefined) {
    parts.push(sql`exists (select 1 from prices pr where pr.tenant_id = ${tenantId}
      and pr.variant_id = v.id and pr.store_id = ${f.storeId})`);
  }
  return sql.join(parts, sql` and `);
}

/** The smallest string above every string that starts with code point `c` (none for U+10FFFF). */
function nextCodePoint(c: string): string | null {
  let n = (c.codePointAt(0) ?? 0) + 1;
  if (n >= 0xd800 && n <= 0xdfff) n = 0xe000;
  return n > 0x10ffff ? null : String.fromCodePoint(n);
}

async function ids(q: { execute(db: Kysely<DB>): Promise<{ rows: { product_id: string }[] }> }, db: Kysely<DB>) {
  return (await q.execute(db)).rows.map((r) => r.product_id);
}

/** Matches in variant-ID order by scanning variants (fast when matches are dense). */
function scanInOrder(db: Kysely<DB>, engine: Engine, tenantId: string, needle: string, f: SearchFilter, limit: number) {
  // SQLite: CROSS JOIN keeps variants (walked in ID order) the outer loop so LIMIT stops early
  return ids(
    sql<{ product_id: string }>`select v.product_id from variants v cross join products p
      where ${variantFilter(tenantId, f)} and ${contains(engine, needle)}
      order by v.id limit ${limit}`,
    db,
  );
}

/** How many rows `from` (an index range) holds, counting no further than `cap`. */
async function cappedCount(db: Kysely<DB>, from: ReturnType<typeof sql>, cap: number): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from (${from} limit ${cap}) c`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Variant rowids (SQLite) / IDs (PostgreSQL) hit by the trigram index, or null without one. */
function trigramHits(engine: Engine, tenantId: string, needle: string) {
  return engine === 'sqlite'
    ? sql`select v.id from variants_fts f cross join variants v
        where variants_fts match ${`"${needle.replace(/"/g, '""')}"`} and v.rowid = f.rowid
        and v.tenant_id = ${tenantId}`
    : sql`select v.id from variants v where v.tenant_id = ${tenantId}
        and v.search_text like ${likePattern(needle)} escape '\\'`;
}

function likePattern(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Product IDs of variants whose search text contains `needle` (lower-cased, trimmed), one row per
 * matching variant, in variant-ID order, at most `limit`.
 */
export async function matchingProductIds(
  db: Kysely<DB>,
  engine: Engine,
  tenantId: string,
  needle: string,
  f: SearchFilter,
  limit: number,
): Promise<string[]> {
  const chars = [...needle];
  if (chars.length === 2) {
    return ids(
      sql<{ product_id: string }>`select v.product_id from variant_grams g
        cross join variants v cross join products p
        where g.tenant_id = ${tenantId} and g.gram = ${needle} and v.id = g.variant_id
        and ${variantFilter(tenantId, f)}
        order by g.variant_id limit ${limit}`,
      db,
    );
  }
  if (chars.length === 1) {
    const upper = nextCodePoint(needle);
    const range = sql`g.tenant_id = ${tenantId} and g.gram >= ${needle}${upper === null ? sql`` : sql` and g.gram < ${upper}`}`;
    const n = await cappedCount(db, sql`select 1 from variant_grams g where ${range}`, DENSE);
    if (n >= DENSE) return scanInOrder(db, engine, tenantId, needle, f, limit);
    return ids(
      sql<{ product_id: string }>`select v.product_id from variants v cross join products p
        where v.id in (select g.variant_id from variant_grams g where ${range})
        and ${variantFilter(tenantId, f)}
        order by v.id limit ${limit}`,
      db,
    );
  }
  const hits = trigramHits(engine, tenantId, needle);
  const n = await cappedCount(db, hits, DENSE);
  if (n >= DENSE) return scanInOrder(db, engine, tenantId, needle, f, limit);
  return ids(
    sql<{ product_id: string }>`select v.product_id from variants v cross join products p
      where v.id in (${hits}) and ${variantFilter(tenantId, f)} and ${contains(engine, needle)}
      order by v.id limit ${limit}`,
    db,
  );
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
