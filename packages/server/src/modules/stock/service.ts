import { fromMilli, toMilli, unitAllowsFraction, type Unit } from '@opentill/core';
import { auditQuery } from '../audit/audit';
import type { CompiledQuery } from 'kysely';
import type { Deps } from '../../deps';
import type { Ids } from '../../lib/ids';
import type { StockMovementTable } from '../../db/schema';
import { fail, type ApiError, type Result } from '../../http/errors';
import type { StoresService } from '../stores/service';
import { movementQueries, type MovementInput } from './movements';
import * as store from './store';

export const ADJUST_REASONS = ['damaged', 'expired', 'theft', 'correction', 'other'] as const;
export type AdjustReason = (typeof ADJUST_REASONS)[number];

/** Who is acting: the tenant and staff always come from the credential. */
export interface StockActor {
  tenantId: string;
  staffId: string;
}

export interface LevelView {
  storeId: string;
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: string;
  onHand: number;
  /** on-hand is below zero (sold or adjusted past what was there, in an 'allow' store) */
  flaggedNegative: boolean;
}

export interface MovementView {
  id: string;
  storeId: string;
  variantId: string;
  kind: StockMovementTable['kind'];
  quantity: number;
  reason: string | null;
  refId: string | null;
  staffId: string | null;
  wentNegative: boolean;
  createdAt: string;
}

export interface OnHandView {
  storeId: string;
  variantId: string;
  onHand: number;
}

export interface StockWriteView {
  movements: MovementView[];
  levels: OnHandView[];
}

export interface CountLineView {
  variantId: string;
  previous: number;
  counted: number;
  difference: number;
}

export interface ProjectionMismatch {
  storeId: string;
  variantId: string;
  /** what `stock_levels` says */
  projectedMilli: number;
  /** what the movements add up to */
  movementsMilli: number;
}

export interface ReceiveInput {
  storeId: string;
  lines: { variantId: string; quantity: number }[];
  reference?: string | null | undefined;
}
export interface AdjustInput {
  storeId: string;
  lines: { variantId: string; quantity: number }[];
  reason?: string | undefined;
  note?: string | null | undefined;
}
export interface CountInput {
  storeId: string;
  lines: { variantId: string; counted: number }[];
}
export interface TransferInput {
  fromStoreId: string;
  toStoreId: string;
  lines: { variantId: string; quantity: number }[];
}

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Thrown inside a write transaction to roll it back with an expected failure. */
class Refusal extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

function movementView(m: StockMovementTable): MovementView {
  return {
    id: m.id,
    storeId: m.store_id,
    variantId: m.variant_id,
    kind: m.kind,
    quantity: fromMilli(Number(m.qty_milli)),
    reason: m.reason,
    refId: m.ref_id,
    staffId: m.staff_id,
    wentNegative: m.went_negative === 1,
    createdAt: m.created_at,
  };
}

type Sign = 'positive' | 'non_zero' | 'non_negative';

export function createStockService(deps: Deps, modules: { stores: StoresService }) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function storeOf(tenantId: string, storeId: string) {
    return modules.stores.get(tenantId, storeId);
  }

  /**
   * Quantities → signed thousandths, checked against each variant's unit. `field` names the
   * quantity in messages; `sign` says which values are allowed.
   */
  async function toMilliLines(
    tenantId: string,
    lines: readonly { variantId: string; qty: number }[],
    field: string,
    sign: Sign,
  ): Promise<Result<{ variantId: string; milli: number }[]>> {
    const units = new Map(
      (
        await store.findVariantUnits(
          db,
          tenantId,
          lines.map((l) => l.variantId),
        )
      ).map((v) => [v.id, v.unit as Unit]),
    );
    const out: { variantId: string; milli: number }[] = [];
    for (const [i, line] of lines.entries()) {
      const unit = units.get(line.variantId);
      if (!unit) return fail('unknown_variant', `Line ${i + 1}: variant ${line.variantId} does not exist.`);
      const milli = toMilli(line.qty);
      if (milli === undefined) {
        return fail(
          'invalid_quantity',
          `Line ${i + 1}: ${field} ${line.qty} must be a number with at most 3 decimals.`,
        );
      }
      if (sign === 'positive' && milli <= 0) {
        return fail('invalid_quantity', `Line ${i + 1}: ${field} must be greater than zero.`);
      }
      if (sign === 'non_zero' && milli === 0) {
        return fail('invalid_quantity', `Line ${i + 1}: ${field} must not be zero.`);
      }
      if (sign === 'non_negative' && milli < 0) {
        return fail('invalid_quantity', `Line ${i + 1}: ${field} must not be negative.`);
      }
      if (!unitAllowsFraction(unit) && milli % 1000 !== 0) {
        return fail(
          'fractional_quantity',
          `Line ${i + 1}: ${line.variantId} is sold by '${unit}', so ${field} must be whole.`,
        );
      }
      out.push({ variantId: line.variantId, milli });
    }
    return ok(out);
  }

  /**
   * Runs one stock write in a transaction: locks the touched levels, lets `plan` decide the
   * movements from the current on-hand (refusing by throwing `Refusal`), and writes the
   * movements, the projection and the audit entry together. Returns the movements as written
   * and the on-hand of every touched (store, variant) afterwards.
   */
  async function write(
    actor: StockActor,
    pairs: { storeId: string; variantId: string }[],
    plan: (onHand: (storeId: string, variantId: string) => number) => {
      moves: MovementInput[];
      audit: { action: string; entity: string; entityId: string | null; data: unknown };
    },
  ): Promise<Result<StockWriteView>> {
    const now = clock.now().toISOString();
    try {
      return await db.transaction().execute(async (trx) => {
        const levels = await store.lockLevels(trx, database.kind, actor.tenantId, pairs, now);
        const current = (s: string, v: string) => levels.get(store.levelKey(s, v)) ?? 0;
        const { moves, audit } = plan(current);
        // movementQueries names each movement with ids.newId('mov') in input order: record them
        const movementIds: string[] = [];
        const recordingIds: Ids = {
          newId: (prefix) => {
            const id = ids.newId(prefix);
            if (prefix === 'mov') movementIds.push(id);
            return id;
          },
        };
        const queries: CompiledQuery[] = [
          ...movementQueries(trx, actor.tenantId, moves, now, recordingIds),
          auditQuery(
            trx,
            ids,
            {
              tenantId: actor.tenantId,
              staffId: actor.staffId,
              action: audit.action,
              entity: audit.entity,
              entityId: audit.entityId,
              data: audit.data,
            },
            now,
          ),
        ];
        for (const q of queries) await trx.executeQuery(q);
        const after = new Map<string, { storeId: string; variantId: string; milli: number }>();
        for (const pair of pairs) {
          const key = store.levelKey(pair.storeId, pair.variantId);
          after.set(key, { ...pair, milli: current(pair.storeId, pair.variantId) });
        }
        for (const m of moves) {
          const level = after.get(store.levelKey(m.storeId, m.variantId));
          if (level) level.milli += m.qtyMilli;
        }
        return ok({
          movements: moves.map((m, i) =>
            movementView({
              id: movementIds[i] ?? '',
              tenant_id: actor.tenantId,
              store_id: m.storeId,
              variant_id: m.variantId,
              kind: m.kind,
              qty_milli: m.qtyMilli,
              reason: m.reason ?? null,
              ref_id: m.refId ?? null,
              staff_id: m.staffId ?? null,
              went_negative: m.wentNegative ? 1 : 0,
              created_at: now,
            }),
          ),
          levels: [...after.values()].map((l) => ({
            storeId: l.storeId,
            variantId: l.variantId,
            onHand: fromMilli(l.milli),
          })),
        });
      });
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, error: e.error };
      throw e;
    }
  }

  /**
   * An outgoing or incoming movement checked against the store's negative-stock policy:
   * 'block' refuses one that takes on-hand below zero, 'allow' records it flagged.
   */
  function guarded(
    negativeStock: 'block' | 'allow',
    running: Map<string, number>,
    onHand: (storeId: string, variantId: string) => number,
    move: MovementInput,
  ): MovementInput {
    const key = store.levelKey(move.storeId, move.variantId);
    const before = running.get(key) ?? onHand(move.storeId, move.variantId);
    const after = before + move.qtyMilli;
    running.set(key, after);
    const wentNegative = move.qtyMilli < 0 && after < 0;
    if (wentNegative && negativeStock === 'block') {
      throw new Refusal({
        code: 'insufficient_stock',
        message: `Only ${fromMilli(before)} of ${move.variantId} is on hand in this store; it does not allow negative stock.`,
        details: {
          storeId: move.storeId,
          variantId: move.variantId,
          onHand: fromMilli(before),
          requested: fromMilli(-move.qtyMilli),
        },
      });
    }
    return { ...move, wentNegative };
  }

  return {
    async listLevels(
      tenantId: string,
      query: {
        storeId?: string | undefined;
        variantId?: string | undefined;
        limit?: number;
        offset?: number;
      },
    ): Promise<Result<{ items: LevelView[]; total: number; limit: number; offset: number }>> {
      if (!query.storeId && !query.variantId) {
        return fail('validation_failed', 'Give a storeId, a variantId, or both.');
      }
      if (query.storeId) {
        const s = await storeOf(tenantId, query.storeId);
        if (!s.ok) return s;
      }
      const filter = {
        storeId: query.storeId,
        variantId: query.variantId,
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      };
      const [rows, total] = await Promise.all([
        store.listLevels(db, tenantId, filter),
        store.countLevels(db, tenantId, filter),
      ]);
      return ok({
        items: rows.map((r) => ({
          storeId: r.store_id,
          variantId: r.variant_id,
          sku: r.sku,
          name: r.name,
          nameZh: r.name_zh,
          unit: r.unit,
          onHand: fromMilli(Number(r.on_hand_milli)),
          flaggedNegative: Number(r.on_hand_milli) < 0,
        })),
        total,
        limit: filter.limit,
        offset: filter.offset,
      });
    },

    async listMovements(
      tenantId: string,
      query: {
        storeId?: string | undefined;
        variantId?: string | undefined;
        limit?: number;
        offset?: number;
      },
    ): Promise<Result<{ items: MovementView[] }>> {
      if (query.storeId) {
        const s = await storeOf(tenantId, query.storeId);
        if (!s.ok) return s;
      }
      const rows = await store.listMovements(db, tenantId, {
        storeId: query.storeId,
        variantId: query.variantId,
        limit: query.limit ?? 50,
        offset: query.offset ?? 0,
      });
      return ok({ items: rows.map(movementView) });
    },

    /** Goods in: positive 'receive' movements. */
    async receive(actor: StockActor, input: ReceiveInput): Promise<Result<StockWriteView>> {
      const s = await storeOf(actor.tenantId, input.storeId);
      if (!s.ok) return s;
      const lines = await toMilliLines(
        actor.tenantId,
        input.lines.map((l) => ({ variantId: l.variantId, qty: l.quantity })),
        'quantity',
        'positive',
      );
      if (!lines.ok) return lines;
      const reference = input.reference ?? null;
      return write(
        actor,
        lines.value.map((l) => ({ storeId: input.storeId, variantId: l.variantId })),
        () => ({
          moves: lines.value.map((l) => ({
            storeId: input.storeId,
            variantId: l.variantId,
            kind: 'receive',
            qtyMilli: l.milli,
            refId: reference,
            staffId: actor.staffId,
          })),
          audit: {
            action: 'stock.receive',
            entity: 'store',
            entityId: input.storeId,
            data: {
              reference,
              lines: lines.value.map((l) => ({ variantId: l.variantId, quantity: fromMilli(l.milli) })),
            },
          },
        }),
      );
    },

    /** A signed correction with a required reason; negative lines obey the store's policy. */
    async adjust(actor: StockActor, input: AdjustInput): Promise<Result<StockWriteView>> {
      const reason = input.reason as AdjustReason | undefined;
      if (!reason || !ADJUST_REASONS.includes(reason)) {
        return fail(
          'invalid_reason',
          `Give a reason for the adjustment: one of ${ADJUST_REASONS.join(', ')}.`,
          {
            allowed: ADJUST_REASONS,
          },
        );
      }
      const note = input.note?.trim() || null;
      if (reason === 'other' && !note) {
        return fail('invalid_reason', "An adjustment with reason 'other' needs a note saying why.");
      }
      const s = await storeOf(actor.tenantId, input.storeId);
      if (!s.ok) return s;
      const lines = await toMilliLines(
        actor.tenantId,
        input.lines.map((l) => ({ variantId: l.variantId, qty: l.quantity })),
        'quantity',
        'non_zero',
      );
      if (!lines.ok) return lines;
      const reasonText = note ? `${reason}: ${note}` : reason;
      return write(
        actor,
        lines.value.map((l) => ({ storeId: input.storeId, variantId: l.variantId })),
        (onHand) => {
          const running = new Map<string, number>();
          return {
            moves: lines.value.map((l) =>
              guarded(s.value.negativeStock, running, onHand, {
                storeId: input.storeId,
                variantId: l.variantId,
                kind: 'adjust',
                qtyMilli: l.milli,
                reason: reasonText,
                staffId: actor.staffId,
              }),
            ),
            audit: {
              action: 'stock.adjust',
              entity: 'store',
              entityId: input.storeId,
              data: {
                reason,
                note,
                lines: lines.value.map((l) => ({ variantId: l.variantId, quantity: fromMilli(l.milli) })),
              },
            },
          };
        },
      );
    },

    /**
     * A cycle count: each line's difference (counted − on-hand, read under lock in the same
     * transaction) becomes a 'count' movement, so a sale committed before or after is kept.
     */
    async count(
      actor: StockActor,
      input: CountInput,
    ): Promise<Result<StockWriteView & { storeId: string; lines: CountLineView[] }>> {
      const s = await storeOf(actor.tenantId, input.storeId);
      if (!s.ok) return s;
      const seen = new Set<string>();
      for (const l of input.lines) {
        if (seen.has(l.variantId)) {
          return fail(
            'validation_failed',
            `Variant ${l.variantId} is counted twice; give one line per variant.`,
          );
        }
        seen.add(l.variantId);
      }
      const lines = await toMilliLines(
        actor.tenantId,
        input.lines.map((l) => ({ variantId: l.variantId, qty: l.counted })),
        'counted',
        'non_negative',
      );
      if (!lines.ok) return lines;
      const countLines: CountLineView[] = [];
      const result = await write(
        actor,
        lines.value.map((l) => ({ storeId: input.storeId, variantId: l.variantId })),
        (onHand) => {
          const moves: MovementInput[] = [];
          countLines.length = 0;
          for (const l of lines.value) {
            const previous = onHand(input.storeId, l.variantId);
            const difference = l.milli - previous;
            countLines.push({
              variantId: l.variantId,
              previous: fromMilli(previous),
              counted: fromMilli(l.milli),
              difference: fromMilli(difference),
            });
            if (difference !== 0) {
              moves.push({
                storeId: input.storeId,
                variantId: l.variantId,
                kind: 'count',
                qtyMilli: difference,
                reason: 'cycle count',
                staffId: actor.staffId,
              });
            }
          }
          return {
            moves,
            audit: {
              action: 'stock.count',
              entity: 'store',
              entityId: input.storeId,
              data: { lines: countLines },
            },
          };
        },
      );
      if (!result.ok) return result;
      return ok({ storeId: input.storeId, lines: countLines, ...result.value });
    },

    /** Moves stock between two stores of the tenant: paired transfer_out / transfer_in. */
    async transfer(
      actor: StockActor,
      input: TransferInput,
    ): Promise<Result<StockWriteView & { transferId: string; fromStoreId: string; toStoreId: string }>> {
      if (input.fromStoreId === input.toStoreId) {
        return fail('same_store_transfer', 'A transfer needs two different stores.');
      }
      const from = await storeOf(actor.tenantId, input.fromStoreId);
      if (!from.ok) return from;
      const to = await storeOf(actor.tenantId, input.toStoreId);
      if (!to.ok) return to;
      const lines = await toMilliLines(
        actor.tenantId,
        input.lines.map((l) => ({ variantId: l.variantId, qty: l.quantity })),
        'quantity',
        'positive',
      );
      if (!lines.ok) return lines;
      const transferId = ids.newId('trf');
      const pairs = lines.value.flatMap((l) => [
        { storeId: input.fromStoreId, variantId: l.variantId },
        { storeId: input.toStoreId, variantId: l.variantId },
      ]);
      const result = await write(actor, pairs, (onHand) => {
        const running = new Map<string, number>();
        const moves: MovementInput[] = [];
        for (const l of lines.value) {
          moves.push(
            guarded(from.value.negativeStock, running, onHand, {
              storeId: input.fromStoreId,
              variantId: l.variantId,
              kind: 'transfer_out',
              qtyMilli: -l.milli,
              refId: transferId,
              staffId: actor.staffId,
            }),
          );
        }
        for (const l of lines.value) {
          moves.push(
            guarded(to.value.negativeStock, running, onHand, {
              storeId: input.toStoreId,
              variantId: l.variantId,
              kind: 'transfer_in',
              qtyMilli: l.milli,
              refId: transferId,
              staffId: actor.staffId,
            }),
          );
        }
        return {
          moves,
          audit: {
            action: 'stock.transfer',
            entity: 'transfer',
            entityId: transferId,
            data: {
              fromStoreId: input.fromStoreId,
              toStoreId: input.toStoreId,
              lines: lines.value.map((l) => ({ variantId: l.variantId, quantity: fromMilli(l.milli) })),
            },
          },
        };
      });
      if (!result.ok) return result;
      return ok({ transferId, fromStoreId: input.fromStoreId, toStoreId: input.toStoreId, ...result.value });
    },

    /**
     * Recomputes on-hand from the movements (SUM per store and variant) and returns every
     * (store, variant) where the `stock_levels` projection disagrees. Empty means consistent.
     */
    async verifyProjection(tenantId: string): Promise<ProjectionMismatch[]> {
      const [sums, levels] = await Promise.all([
        store.sumMovements(db, tenantId),
        store.allLevels(db, tenantId),
      ]);
      const fromFacts = new Map<string, number>();
      for (const r of sums) fromFacts.set(store.levelKey(r.store_id, r.variant_id), Number(r.total));
      const out: ProjectionMismatch[] = [];
      const seen = new Set<string>();
      for (const l of levels) {
        const key = store.levelKey(l.store_id, l.variant_id);
        seen.add(key);
        const facts = fromFacts.get(key) ?? 0;
        if (Number(l.on_hand_milli) !== facts) {
          out.push({
            storeId: l.store_id,
            variantId: l.variant_id,
            projectedMilli: Number(l.on_hand_milli),
            movementsMilli: facts,
          });
        }
      }
      for (const r of sums) {
        const key = store.levelKey(r.store_id, r.variant_id);
        if (!seen.has(key) && Number(r.total) !== 0) {
          out.push({
            storeId: r.store_id,
            variantId: r.variant_id,
            projectedMilli: 0,
            movementsMilli: Number(r.total),
          });
        }
      }
      return out;
    },
  };
}

export type StockService = ReturnType<typeof createStockService>;
