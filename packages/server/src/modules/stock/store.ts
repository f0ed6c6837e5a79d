import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, StockMovementKind } from '../../db/schema';

/**
 * Stock queries. The stock module owns `stock_levels` (the on-hand projection) and
 * `stock_movements` (the append-only facts). `variants` belongs to the catalog: the two reads
 * of it here (unit for quantity validation, names for the level list) stay until the catalog
 * service offers them.
 */

export interface LevelFilter {
  storeId?: string | undefined;
  variantId?: string | undefined;
  limit: number;
  offset: number;
}

function levelsBase(db: Kysely<DB>, tenantId: string, filter: LevelFilter) {
  let q = db
    .selectFrom('stock_levels as l')
    .innerJoin('variants as v', (j) =>
      j.onRef('v.id', '=', 'l.variant_id').onRef('v.tenant_id', '=', 'l.tenant_id'),
    )
    .where('l.tenant_id', '=', tenantId);
  if (filter.storeId) q = q.where('l.store_id', '=', filter.storeId);
  if (filter.variantId) q = q.where('l.variant_id', '=', filter.variantId);
  return q;
}

export function listLevels(db: Kysely<DB>, tenantId: string, filter: LevelFilter) {
  return levelsBase(db, tenantId, filter)
    .select(['l.store_id', 'l.variant_id', 'l.on_hand_milli', 'v.sku', 'v.name', 'v.name_zh', 'v.unit'])
    .orderBy('v.sku')
    .orderBy('l.store_id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

export async function countLevels(db: Kysely<DB>, tenantId: string, filter: LevelFilter): Promise<number> {
  const row = await levelsBase(db, tenantId, filter)
    .select(sql<number>`cast(count(*) as integer)`.as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface MovementFilter {
  storeId?: string | undefined;
  variantId?: string | undefined;
  limit: number;
  offset: number;
}

export function listMovements(db: Kysely<DB>, tenantId: string, filter: MovementFilter) {
  let q = db.selectFrom('stock_movements').selectAll().where('tenant_id', '=', tenantId);
  if (filter.storeId) q = q.where('store_id', '=', filter.storeId);
  if (filter.variantId) q = q.where('variant_id', '=', filter.variantId);
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

/** Units of the given variants of this tenant (catalog-owned table, read for validation only). */
export function findVariantUnits(db: Kysely<DB>, tenantId: string, variantIds: readonly string[]) {
  return db
    .selectFrom('variants')
    .select(['id', 'unit'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', variantIds.length > 0 ? [...variantIds] : [''])
    .execute();
}

/**
 * Inside a write transaction: the current on-hand of (store, variant) pairs, locked against
 * concurrent writers. On PostgreSQL missing level rows are first created at zero (so that
 * there is a row to lock) and read `FOR UPDATE` in key order (no deadlocks between writers);
 * on SQLite the transaction already holds the single writer lock.
 */
export async function lockLevels(
  trx: Transaction<DB>,
  kind: 'sqlite' | 'postgres',
  tenantId: string,
  pairs: readonly { storeId: string; variantId: string }[],
  now: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (pairs.length === 0) return out;
  const unique = [...new Map(pairs.map((p) => [levelKey(p.storeId, p.variantId), p])).values()].sort(
    (a, b) => (levelKey(a.storeId, a.variantId) < levelKey(b.storeId, b.variantId) ? -1 : 1),
  );
  const storeIds = [...new Set(unique.map((p) => p.storeId))];
  const variantIds = [...new Set(unique.map((p) => p.variantId))];
  if (kind === 'postgres') {
    await trx
      .insertInto('stock_levels')
      .values(
        unique.map((p) => ({
          tenant_id: tenantId,
          store_id: p.storeId,
          variant_id: p.variantId,
          on_hand_milli: 0,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'store_id', 'variant_id']).doNothing())
      .execute();
  }
  const rows = await trx
    .selectFrom('stock_levels')
    .select(['store_id', 'variant_id', 'on_hand_milli'])
    .where('tenant_id', '=', tenantId)
    .where('store_id', 'in', storeIds)
    .where('variant_id', 'in', variantIds)
    .orderBy('store_id')
    .orderBy('variant_id')
    .$if(kind === 'postgres', (q) => q.forUpdate())
    .execute();
  for (const r of rows) out.set(levelKey(r.store_id, r.variant_id), Number(r.on_hand_milli));
  return out;
}

export function levelKey(storeId: string, variantId: string): string {
  return `${storeId}\u0000${variantId}`;
}

/** On-hand recomputed from the facts: SUM(qty) per (store, variant). */
export function sumMovements(db: Kysely<DB>, tenantId: string) {
  return db
    .selectFrom('stock_movements')
    .select(['store_id', 'variant_id', sql<number>`cast(sum(qty_milli) as bigint)`.as('total')])
    .where('tenant_id', '=', tenantId)
    .groupBy(['store_id', 'variant_id'])
    .execute();
}

export function allLevels(db: Kysely<DB>, tenantId: string) {
  return db
    .selectFrom('stock_levels')
    .select(['store_id', 'variant_id', 'on_hand_milli'])
    .where('tenant_id', '=', tenantId)
    .execute();
}

export type { StockMovementKind };
