import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type {
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
// Search: substring of `variants.search_text` (lower-cased names in both languages, SKU and
// barcodes), through `variant_grams` (tenant_id, gram, variant_id): every distinct 1-, 2- and
// 3-character substring of the text, kept by triggers (migration 001). The same queries run on
// both engines; the only dialect difference is `contains` below.
// Results: one row per matching variant, in variant-ID order (both engines).
// - 1 to 3 characters: the needle is a gram; its postings, walked in key order, are the answer,
//   so LIMIT stops early and a miss is one empty index probe.
// - 4+ characters: every match holds each of the needle's trigrams; walk the postings of the
//   rarest (a capped count of a few trigrams picks it; a trigram with none answers a miss at
//   once), checking the whole needle on each.
// ---------------------------------------------------------------------------------------------

export interface SearchFilter {
  categoryId?: string | undefined;
  storeId?: string | undefined;
  includeInactive: boolean;
}

/** Postings counted per probed gram: at or above it, a gram counts as common. */
const COMMON = 500;
/** Trigrams of a long needle whose postings are counted (spread over the needle). */
const MAX_PROBES = 4;
/** No bound: walk a whole posting list. */
const ALL = 2 ** 31 - 1;

/** `v.search_text` contains `needle` (both lower-cased): the one dialect difference. */
function contains(engine: Engine, needle: string) {
  return engine === 'sqlite'
    ? sql<boolean>`instr(v.search_text, ${needle}) > 0`
    : sql<boolean>`strpos(v.search_text, ${needle}) > 0`;
}

/** Conditions on `v` (variant) and `p` (its product) from the tenant and the filter. */
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

async function productIds(db: Kysely<DB>, q: RawBuilder<{ product_id: string }>): Promise<string[]> {
  return (await q.execute(db)).rows.map((r) => r.product_id);
}

/**
 * Matches among the variants holding `gram`, walked in variant-ID order. A correlated subquery
 * checks each posting, so both engines walk the (tenant_id, gram, variant_id) key in order and
 * stop at `limit`; the inner (unbounded) LIMIT keeps the subquery from being merged into the
 * outer query (PostgreSQL and SQLite alike), which would evaluate the check twice or turn the walk
 * into a join over all variants.
 */
function walkGram(
  db: Kysely<DB>,
  engine: Engine,
  tenantId: string,
  gram: string,
  needle: string,
  f: SearchFilter,
  limit: number,
) {
  const check = gram === needle ? sql`` : sql` and ${contains(engine, needle)}`;
  return productIds(
    db,
    sql<{ product_id: string }>`select t.product_id from (
        select (select v.product_id from variants v cross join products p
            where v.id = g.variant_id and ${variantFilter(tenantId, f)}${check}) as product_id
        from variant_grams g where g.tenant_id = ${tenantId} and g.gram = ${gram}
        order by g.variant_id limit ${ALL}) t
      where t.product_id is not null limit ${limit}`,
  );
}

function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  return Array.from({ length: n }, (_, k) => xs[Math.floor((k * (xs.length - 1)) / (n - 1))] as T);
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
  if (chars.length <= 3) return walkGram(db, engine, tenantId, needle, needle, f, limit);
  const trigrams = [...new Set(chars.slice(0, -2).map((c, k) => c + chars[k + 1] + chars[k + 2]))];
  const probes = spread(trigrams, MAX_PROBES);
  const counts = await sql<{ k: number | string; n: number | string }>`${sql.join(
    probes.map(
      (gram, k) => sql`select ${k} as k, (select count(*) from (select 1 from variant_grams g
        where g.tenant_id = ${tenantId} and g.gram = ${gram} limit ${COMMON}) c) as n`,
    ),
    sql` union all `,
  )}`.execute(db);
  let rarest = { gram: probes[0] ?? needle, n: Infinity };
  for (const r of counts.rows) {
    const n = Number(r.n);
    if (n < rarest.n) rarest = { gram: probes[Number(r.k)] ?? needle, n };
  }
  if (rarest.n === 0) return [];
  return walkGram(db, engine, tenantId, rarest.gram, needle, f, limit);
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

/** The ids of every variant of these products, as a subquery. */
function variantIdsOf(db: Q, tenantId: string, productIds: readonly string[]) {
  return db
    .selectFrom('variants')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('product_id', 'in', productIds);
}

/** Barcodes of every variant of these products (one query, no variant ids needed first). */
export function barcodesOfProducts(db: Q, tenantId: string, productIds: readonly string[]) {
  return db
    .selectFrom('barcodes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('variant_id', 'in', variantIdsOf(db, tenantId, productIds))
    .orderBy('code')
    .execute();
}

/** Prices of every variant of these products. */
export function pricesOfProducts(db: Q, tenantId: string, productIds: readonly string[]) {
  return db
    .selectFrom('prices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('variant_id', 'in', variantIdsOf(db, tenantId, productIds))
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
