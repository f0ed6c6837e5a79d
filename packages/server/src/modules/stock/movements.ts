import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { DB, StockMovementKind } from '../../db/schema';
import type { Ids } from '../../lib/ids';
import { insertRows } from '../../db/insert-rows';

export interface MovementInput {
  storeId: string;
  variantId: string;
  kind: StockMovementKind;
  /** signed: + into the store, − out of it */
  qtyMilli: number;
  reason?: string | null;
  refId?: string | null;
  staffId?: string | null;
  /** set when the caller knows this movement takes on-hand below zero */
  wentNegative?: boolean;
}

/**
 * The compiled statements that record stock movements and keep the on-hand projection in step:
 * one multi-row insert into `stock_movements` and one upsert per variant into `stock_levels`.
 * Callers put them into their own atomic batch (checkout, refunds) or run them in a transaction.
 */
export function movementQueries(
  db: Kysely<DB>,
  tenantId: string,
  moves: readonly MovementInput[],
  now: string,
  ids: Ids,
): CompiledQuery[] {
  if (moves.length === 0) return [];
  const movementRows = moves.map((m) => ({
    id: ids.newId('mov'),
    tenant_id: tenantId,
    store_id: m.storeId,
    variant_id: m.variantId,
    kind: m.kind,
    qty_milli: m.qtyMilli,
    reason: m.reason ?? null,
    ref_id: m.refId ?? null,
    staff_id: m.staffId ?? null,
    went_negative: m.wentNegative ? 1 : 0,
    created_at: now,
  }));
  // chunked so a large count or receipt stays under both engines' bound-parameter limits
  const queries: CompiledQuery[] = chunks(movementRows, CHUNK_ROWS).map((rows) =>
    insertRows(db, 'stock_movements', rows),
  );
  // one upsert per (store, variant), summing several moves of the same variant
  const deltas = new Map<string, { storeId: string; variantId: string; qty: number }>();
  for (const m of moves) {
    const key = `${m.storeId}\u0000${m.variantId}`;
    const d = deltas.get(key);
    if (d) d.qty += m.qtyMilli;
    else deltas.set(key, { storeId: m.storeId, variantId: m.variantId, qty: m.qtyMilli });
  }
  // always in the same (store, variant) order: two sales locking the same levels in opposite
  // orders would deadlock on PostgreSQL
  const sorted = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
  const rows = sorted.map((d) => ({
    tenant_id: tenantId,
    store_id: d.storeId,
    variant_id: d.variantId,
    on_hand_milli: d.qty,
    updated_at: now,
  }));
  for (const chunk of chunks(rows, CHUNK_ROWS)) {
    queries.push(
      insertRows(db, 'stock_levels', chunk, {
        variant: 'add-to-on-hand',
        finish: (q) =>
          q.onConflict((oc) =>
            oc.columns(['tenant_id', 'store_id', 'variant_id']).doUpdateSet({
              on_hand_milli: sql`stock_levels.on_hand_milli + excluded.on_hand_milli`,
              updated_at: sql`excluded.updated_at`,
            }),
          ),
      }),
    );
  }
  return queries;
}

/** Rows per multi-row insert: 11 columns × 1000 stays under SQLite's and PostgreSQL's limits. */
const CHUNK_ROWS = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** On-hand per variant for one store (variants without a row have 0). */
export function levelsQuery(
  db: Kysely<DB>,
  tenantId: string,
  storeId: string,
  variantIds: readonly string[],
) {
  return db
    .selectFrom('stock_levels')
    .select(['variant_id', 'on_hand_milli'])
    .where('tenant_id', '=', tenantId)
    .where('store_id', '=', storeId)
    .where('variant_id', 'in', variantIds.length > 0 ? [...variantIds] : [''])
    .compile();
}
