import {
  computeEarn,
  dueExpiries,
  earnLotDates,
  loyaltyProgramProblem,
  maxRedeemable,
  pointsBalance,
  pointsForMinor,
  tierFor,
  type EarnLine,
  type LoyaltyProgram,
  type PointsEntry,
} from '@opentill/core';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Deps } from '../../deps';
import type { DB, LoyaltyLedgerTable } from '../../db/schema';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';

export interface LoyaltyConfig {
  /** one programme per currency (a tenant's stores may sell in several) */
  programs: LoyaltyProgram[];
}

export interface NewEntry {
  customerId: string;
  kind: LoyaltyLedgerTable['kind'];
  points: number;
  orderId?: string | null;
  refundId?: string | null;
  storeId?: string | null;
  registerId?: string | null;
  offline?: boolean;
  /** a fact that happened anyway (offline redemption, expiry, reversal): may leave the balance below zero */
  allowNegative?: boolean;
  expiresAt?: string | null;
  availableAt?: string | null;
  lotId?: string | null;
  note?: string | null;
}

export interface AccountView {
  customerId: string;
  balance: number;
  available: number;
  pending: number;
  expiring: number;
  lifetimeEarned: number;
  tier: { id: string; name: string; nameZh: string | null } | null;
  /** money the available points pay for, per programme currency */
  value: { currency: string; amount: number }[];
}

const LEDGER_KIND_TO_CORE: Record<LoyaltyLedgerTable['kind'], PointsEntry['kind']> = {
  earn: 'earn',
  redeem: 'redeem',
  reward: 'redeem',
  refund: 'adjust',
  reverse: 'reverse',
  expire: 'expire',
  adjust: 'adjust',
};

export function toPointsEntry(r: LoyaltyLedgerTable): PointsEntry {
  return {
    id: r.id,
    kind: LEDGER_KIND_TO_CORE[r.kind],
    points: r.points,
    at: r.created_at,
    expiresAt: r.expires_at,
    availableAt: r.available_at,
    lotId: r.lot_id,
  };
}

/**
 * The points ledger's overdraw CHECK tripped (a redemption lost a race for points). Only that
 * constraint: a checkout batch also carries other modules' CHECKs (stored value balances), and
 * each module answers only for its own. Both engines name the constraint in the message.
 */
export function isCheckViolation(e: unknown): boolean {
  const { code, message } = e as { code?: unknown; message?: unknown };
  return (
    (code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK') &&
    typeof message === 'string' &&
    message.includes('loyalty_ledger_no_overdraw')
  );
}

/**
 * The points ledger: append-only entries, with `loyalty_accounts` as the maintained projection
 * (balance = sum of points). Each entry is two statements run inside the caller's transaction:
 * the projection is updated first (which locks the account row on PostgreSQL), then the entry is
 * inserted with `balance_after` read back from it, so an overdraw trips the ledger's CHECK.
 */
export function ledgerQueries(db: Kysely<DB>, tenantId: string, id: string, e: NewEntry, now: string) {
  const earned = e.kind === 'earn' ? e.points : e.kind === 'reverse' ? e.points : 0;
  const upsert = db
    .insertInto('loyalty_accounts')
    .values({
      tenant_id: tenantId,
      customer_id: e.customerId,
      balance: e.points,
      lifetime_earned: earned,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'customer_id']).doUpdateSet({
        balance: sql`loyalty_accounts.balance + excluded.balance`,
        lifetime_earned: sql`loyalty_accounts.lifetime_earned + excluded.lifetime_earned`,
        updated_at: sql`excluded.updated_at`,
      }),
    )
    .compile();
  // explicit casts: PostgreSQL cannot infer the type of a parameter in a select list
  const txt = (v: string | null | undefined) => sql<string>`cast(${v ?? null} as text)`;
  const int = (v: number) => sql<number>`cast(${v} as integer)`;
  const insert = db
    .insertInto('loyalty_ledger')
    .columns([
      'id',
      'tenant_id',
      'customer_id',
      'kind',
      'points',
      'balance_after',
      'order_id',
      'refund_id',
      'store_id',
      'register_id',
      'offline',
      'allow_negative',
      'expires_at',
      'available_at',
      'lot_id',
      'note',
      'created_at',
    ])
    .expression(
      db
        .selectFrom('loyalty_accounts as a')
        .select([
          txt(id).as('id'),
          txt(tenantId).as('tenant_id'),
          txt(e.customerId).as('customer_id'),
          txt(e.kind).as('kind'),
          int(e.points).as('points'),
          'a.balance',
          txt(e.orderId).as('order_id'),
          txt(e.refundId).as('refund_id'),
          txt(e.storeId).as('store_id'),
          txt(e.registerId).as('register_id'),
          int(e.offline ? 1 : 0).as('offline'),
          int(e.offline || e.allowNegative ? 1 : 0).as('allow_negative'),
          txt(e.expiresAt).as('expires_at'),
          txt(e.availableAt).as('available_at'),
          txt(e.lotId).as('lot_id'),
          txt(e.note).as('note'),
          txt(now).as('created_at'),
        ])
        .where('a.tenant_id', '=', tenantId)
        .where('a.customer_id', '=', e.customerId),
    )
    .compile();
  return [upsert, insert];
}

export interface CheckoutLoyaltyInput {
  tenantId: string;
  customerId: string;
  orderId: string;
  storeId: string;
  registerId: string;
  currency: string;
  offline: boolean;
  lines: EarnLine[];
  /** money paid with the loyalty_points tender */
  pointsTender: number;
  /** points promotions grant on this sale (bonus_points actions) */
  bonusPoints?: number;
  amountDue: number;
  now: string;
}

/** Loyalty: programmes, balances from the ledger, earning and redeeming at checkout, expiry. */
export function createLoyaltyService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function config(tenantId: string, q: Kysely<DB> = db): Promise<LoyaltyConfig> {
    const row = await q
      .selectFrom('loyalty_programs')
      .select('config')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.config) as LoyaltyConfig) : { programs: [] };
  }

  async function entries(tenantId: string, customerId: string, q: Kysely<DB> = db) {
    return q
      .selectFrom('loyalty_ledger')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('customer_id', '=', customerId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  function accountView(
    cfg: LoyaltyConfig,
    customerId: string,
    rows: LoyaltyLedgerTable[],
    lifetime: number,
    now: string,
  ): AccountView {
    const b = pointsBalance(rows.map(toPointsEntry), now);
    const program = cfg.programs[0];
    const tier = program ? tierFor(program, lifetime) : undefined;
    return {
      customerId,
      ...b,
      lifetimeEarned: lifetime,
      tier: tier ? { id: tier.id, name: tier.name, nameZh: tier.nameZh ?? null } : null,
      value: cfg.programs.map((p) => ({
        currency: p.currency,
        amount: maxRedeemable(p, b.available, Number.MAX_SAFE_INTEGER).amount,
      })),
    };
  }

  const lifetimeOf = (rows: LoyaltyLedgerTable[]) =>
    rows.filter((r) => r.kind === 'earn' || r.kind === 'reverse').reduce((s, r) => s + r.points, 0);

  return {
    config: (tenantId: string) => config(tenantId),

    async setConfig(ctx: AuthContext, cfg: LoyaltyConfig): Promise<Result<LoyaltyConfig>> {
      const seen = new Set<string>();
      for (const p of cfg.programs) {
        const problem = loyaltyProgramProblem(p);
        if (problem) return fail('invalid_program', `${p.currency}: ${problem}`);
        if (seen.has(p.currency)) return fail('invalid_program', `Two programmes for ${p.currency}.`);
        seen.add(p.currency);
      }
      const now = clock.now().toISOString();
      await database.batch([
        db
          .insertInto('loyalty_programs')
          .values({ tenant_id: ctx.tenantId, config: JSON.stringify(cfg), updated_at: now })
          .onConflict((oc) =>
            oc.column('tenant_id').doUpdateSet({ config: JSON.stringify(cfg), updated_at: now }),
          )
          .compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'loyalty.program',
            entity: 'loyalty_program',
            entityId: ctx.tenantId,
            data: cfg,
          },
          now,
        ),
      ]);
      return { ok: true, value: cfg };
    },

    /** Whether the customer is one of the tenant's: points are kept only for the tenant's own members. */
    async knows(tenantId: string, customerId: string): Promise<boolean> {
      const row = await db
        .selectFrom('customers')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', customerId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async account(tenantId: string, customerId: string): Promise<AccountView> {
      const [cfg, rows] = await Promise.all([config(tenantId), entries(tenantId, customerId)]);
      return accountView(cfg, customerId, rows, lifetimeOf(rows), clock.now().toISOString());
    },

    async ledger(tenantId: string, customerId: string) {
      const rows = await entries(tenantId, customerId);
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        points: r.points,
        balanceAfter: r.balance_after,
        orderId: r.order_id,
        refundId: r.refund_id,
        storeId: r.store_id,
        offline: r.offline === 1,
        expiresAt: r.expires_at,
        availableAt: r.available_at,
        note: r.note,
        createdAt: r.created_at,
      }));
    },

    /**
     * Checkout: validates a points tender against the customer's spendable points (online) or
     * the register's offline allowance (a sale made offline and synced now), and computes the
     * points the sale earns. Returns the ledger statements for the checkout's own batch.
     */
    async planCheckout(
      input: CheckoutLoyaltyInput,
    ): Promise<Result<{ queries: CompiledQuery[]; earned: number; redeemed: number }>> {
      const [cfg, rows] = await Promise.all([
        config(input.tenantId),
        entries(input.tenantId, input.customerId),
      ]);
      const program = cfg.programs.find((p) => p.currency === input.currency);
      if (!program) {
        if (input.pointsTender > 0) {
          return fail('loyalty_not_configured', `No points programme for ${input.currency}.`);
        }
        return { ok: true, value: { queries: [], earned: 0, redeemed: 0 } };
      }
      const queries: CompiledQuery[] = [];
      let redeemed = 0;
      if (input.pointsTender > 0) {
        const points = pointsForMinor(program, input.pointsTender);
        if (points === undefined) {
          return fail('invalid_points_amount', `Points cannot pay exactly ${input.pointsTender}.`);
        }
        const available = pointsBalance(rows.map(toPointsEntry), input.now).available;
        if (input.offline) {
          // already honoured by the register: refuse only what no register could have allowed
          const allowance = program.offlineAllowancePoints ?? 0;
          if (points > available + allowance) {
            return fail(
              'offline_allowance_exceeded',
              'More points were redeemed offline than the register allows.',
              {
                points,
                available,
                allowance,
              },
            );
          }
        } else if (points > available) {
          return fail('insufficient_points', `The customer has ${available} points; ${points} are needed.`, {
            points,
            available,
          });
        }
        redeemed = points;
        queries.push(
          ...ledgerQueries(
            db,
            input.tenantId,
            ids.newId('lpt'),
            {
              customerId: input.customerId,
              kind: 'redeem',
              points: -points,
              orderId: input.orderId,
              storeId: input.storeId,
              registerId: input.registerId,
              offline: input.offline,
            },
            input.now,
          ),
        );
      }
      const tier = tierFor(program, lifetimeOf(rows));
      const earn = computeEarn(program, {
        lines: input.lines,
        paidWithPoints: input.pointsTender,
        tierId: tier?.id ?? null,
        bonusPoints: input.bonusPoints ?? 0,
      });
      if (!earn.ok) return fail('invalid_program', earn.error.message);
      if (earn.value.points > 0) {
        const dates = earnLotDates(program, input.now);
        queries.push(
          ...ledgerQueries(
            db,
            input.tenantId,
            ids.newId('lpt'),
            {
              customerId: input.customerId,
              kind: 'earn',
              points: earn.value.points,
              orderId: input.orderId,
              storeId: input.storeId,
              registerId: input.registerId,
              offline: input.offline,
              expiresAt: dates.expiresAt,
              availableAt: dates.availableAt,
            },
            input.now,
          ),
        );
      }
      return { ok: true, value: { queries, earned: earn.value.points, redeemed } };
    },

    /**
     * A refund: points paid with are given back, and points the sale earned are taken back in
     * proportion to the money refunded (cumulative, so several partial refunds add up exactly).
     * Runs inside the refund's transaction.
     */
    async refundQueries(
      trx: Kysely<DB>,
      a: {
        tenantId: string;
        customerId: string;
        orderId: string;
        refundId: string;
        orderTotal: number;
        refundedBefore: number;
        refundTotal: number;
        pointsRefunded: number;
        currency: string;
        now: string;
      },
    ): Promise<CompiledQuery[]> {
      const cfg = await config(a.tenantId, trx);
      const program = cfg.programs.find((p) => p.currency === a.currency);
      const rows = await trx
        .selectFrom('loyalty_ledger')
        .selectAll()
        .where('tenant_id', '=', a.tenantId)
        .where('order_id', '=', a.orderId)
        .execute();
      const out: CompiledQuery[] = [];
      const earn = rows.find((r) => r.kind === 'earn');
      if (earn && a.orderTotal > 0) {
        const reversed = -rows.filter((r) => r.kind === 'reverse').reduce((s, r) => s + r.points, 0);
        const due = Math.floor(
          (earn.points * Math.min(a.refundedBefore + a.refundTotal, a.orderTotal)) / a.orderTotal,
        );
        if (due > reversed) {
          out.push(
            ...ledgerQueries(
              trx,
              a.tenantId,
              ids.newId('lpt'),
              {
                customerId: a.customerId,
                kind: 'reverse',
                points: -(due - reversed),
                orderId: a.orderId,
                refundId: a.refundId,
                lotId: earn.id,
                // taking back points already spent may leave a deficit; it is a fact, not an error
                allowNegative: true,
              },
              a.now,
            ),
          );
        }
      }
      if (a.pointsRefunded > 0 && program) {
        const points =
          pointsForMinor(program, a.pointsRefunded) ??
          Math.floor((a.pointsRefunded * program.pointsPerUnit) / program.minorPerUnit);
        if (points > 0) {
          const dates = earnLotDates(program, a.now);
          out.push(
            ...ledgerQueries(
              trx,
              a.tenantId,
              ids.newId('lpt'),
              {
                customerId: a.customerId,
                kind: 'refund',
                points,
                orderId: a.orderId,
                refundId: a.refundId,
                expiresAt: dates.expiresAt,
              },
              a.now,
            ),
          );
        }
      }
      return out;
    },

    /** Writes an expiry entry for every lot past its date with points left; returns the points expired. */
    async expire(tenantId: string): Promise<{ customers: number; points: number }> {
      const now = clock.now().toISOString();
      const due = await db
        .selectFrom('loyalty_ledger')
        .select('customer_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'earn')
        .where('expires_at', '<=', now)
        .execute();
      let customers = 0;
      let points = 0;
      for (const { customer_id } of due) {
        const rows = await entries(tenantId, customer_id);
        const expiries = dueExpiries(rows.map(toPointsEntry), now);
        if (expiries.length === 0) continue;
        customers += 1;
        const queries = expiries.flatMap((x) => {
          points += x.points;
          return ledgerQueries(
            db,
            tenantId,
            ids.newId('lpt'),
            {
              customerId: customer_id,
              kind: 'expire',
              points: -x.points,
              lotId: x.lotId,
              allowNegative: true,
            },
            now,
          );
        });
        await database.batch(queries);
      }
      return { customers, points };
    },

    /** Manual adjustment by a manager (goodwill, correction), audited. */
    async adjust(
      ctx: AuthContext,
      customerId: string,
      points: number,
      note: string,
    ): Promise<Result<AccountView>> {
      if (!Number.isSafeInteger(points) || points === 0) {
        return fail('validation_failed', 'points must be a non-zero integer.');
      }
      const now = clock.now().toISOString();
      try {
        await database.batch([
          ...ledgerQueries(
            db,
            ctx.tenantId,
            ids.newId('lpt'),
            { customerId, kind: 'adjust', points, note },
            now,
          ),
          auditQuery(
            db,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'loyalty.adjust',
              entity: 'customer',
              entityId: customerId,
              data: { points, note },
            },
            now,
          ),
        ]);
      } catch (e) {
        if (isCheckViolation(e)) return fail('insufficient_points', 'The balance cannot go below zero.');
        throw e;
      }
      return { ok: true, value: await this.account(ctx.tenantId, customerId) };
    },

    /** Spends points on a reward outside a sale (a coupon, a gift): the caller's batch. */
    rewardQueries(tenantId: string, customerId: string, points: number, note: string, now: string) {
      return ledgerQueries(
        db,
        tenantId,
        ids.newId('lpt'),
        { customerId, kind: 'reward', points: -points, note },
        now,
      );
    },

    /** Recomputes the projection from the ledger; returns the accounts that were wrong. */
    async rebuildAccounts(tenantId: string): Promise<{ fixed: number }> {
      const sums = await db
        .selectFrom('loyalty_ledger')
        .select((eb) => [
          'customer_id',
          eb.fn.sum<number>('points').as('balance'),
          eb.fn
            .sum<number>(
              eb.case().when('kind', 'in', ['earn', 'reverse']).then(eb.ref('points')).else(0).end(),
            )
            .as('lifetime'),
        ])
        .where('tenant_id', '=', tenantId)
        .groupBy('customer_id')
        .execute();
      const accounts = await db
        .selectFrom('loyalty_accounts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      const now = clock.now().toISOString();
      const queries: CompiledQuery[] = [];
      for (const s of sums) {
        const a = accounts.find((x) => x.customer_id === s.customer_id);
        const balance = Number(s.balance);
        const lifetime = Number(s.lifetime);
        if (a && a.balance === balance && a.lifetime_earned === lifetime) continue;
        queries.push(
          db
            .insertInto('loyalty_accounts')
            .values({
              tenant_id: tenantId,
              customer_id: s.customer_id,
              balance,
              lifetime_earned: lifetime,
              updated_at: now,
            })
            .onConflict((oc) =>
              oc
                .columns(['tenant_id', 'customer_id'])
                .doUpdateSet({ balance, lifetime_earned: lifetime, updated_at: now }),
            )
            .compile(),
        );
      }
      if (queries.length) await database.batch(queries);
      return { fixed: queries.length };
    },
  };
}

export type LoyaltyService = ReturnType<typeof createLoyaltyService>;
