import type { AppliedDiscount } from '@opentill/core';
import type { CompiledQuery } from 'kysely';
import type { Deps } from '../../deps';
import type { CouponTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import { insertRows } from '../../db/insert-rows';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';
import { randomCode } from '../customers/codes';
import { isCheckViolation, type LoyaltyService } from '../loyalty/service';

export interface CouponTerms {
  name: string;
  /**
   * `amount` / `percent`: the coupon itself takes money off the order. `promotion`: it only
   * unlocks the promotions whose coupon condition names its code; the engine gives the discount.
   */
  kind: 'amount' | 'percent' | 'promotion';
  /** minor units for `amount`, basis points for `percent`, 0 for `promotion` */
  value: number;
  currency?: string | null;
  minSpend?: number;
  /** null = unlimited; 1 = single use */
  maxUses?: number | null;
  perCustomerLimit?: number | null;
  validFrom?: string | null;
  validTo?: string | null;
}

export interface CouponView {
  id: string;
  code: string;
  batchId: string | null;
  name: string;
  kind: CouponTerms['kind'];
  value: number;
  currency: string | null;
  minSpend: number;
  maxUses: number | null;
  perCustomerLimit: number | null;
  customerId: string | null;
  segment: string | null;
  validFrom: string | null;
  validTo: string | null;
  active: boolean;
  uses: number;
  createdAt: string;
}

/** Codes are compared without case, spaces or dashes (what a person types from a printout). */
export const normalizeCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

const view = (c: CouponTable, uses: number): CouponView => ({
  id: c.id,
  code: c.code,
  batchId: c.batch_id,
  name: c.name,
  kind: c.kind,
  value: c.value,
  currency: c.currency,
  minSpend: c.min_spend,
  maxUses: c.max_uses,
  perCustomerLimit: c.per_customer_limit,
  customerId: c.customer_id,
  segment: c.segment,
  validFrom: c.valid_from,
  validTo: c.valid_to,
  active: c.active === 1,
  uses,
  createdAt: c.created_at,
});

export interface CouponUse {
  coupon: CouponView;
  /** null for a `promotion` coupon: its discount comes from the promotions it unlocks */
  discount: AppliedDiscount | null;
  /** the redemption row for the checkout's batch; its unique use number makes it atomic */
  queries(orderId: string, amount: number, now: string): CompiledQuery[];
}

/** Coupons: codes, batches, validity, per-customer limits, atomic redemption at checkout. */
/** Where segment membership comes from (the insights service's RFM segments). */
export interface SegmentMembers {
  segmentMembers(tenantId: string, segment: string): Promise<Result<string[]>>;
}

export function createCouponsService(
  deps: Deps,
  opts: { loyalty: LoyaltyService; segments?: SegmentMembers },
) {
  const { database, clock, ids } = deps;
  const db = database.db;

  function termsProblem(t: CouponTerms): string | undefined {
    if (t.kind === 'promotion') {
      if (t.value !== 0) return 'a promotion coupon has value 0: the promotion gives the discount';
    } else if (!Number.isSafeInteger(t.value) || t.value <= 0) return 'value must be a positive integer';
    if (t.kind === 'percent' && t.value > 10000) return 'a percent coupon is at most 10000 basis points';
    if (t.kind === 'amount' && !t.currency) return 'an amount coupon needs a currency';
    if (t.validFrom && t.validTo && t.validFrom >= t.validTo) return 'validFrom must be before validTo';
    return undefined;
  }

  function row(
    tenantId: string,
    code: string,
    t: CouponTerms,
    extra: { batchId?: string | null; customerId?: string | null; segment?: string | null },
    now: string,
  ): CouponTable {
    return {
      id: ids.newId('cpn'),
      tenant_id: tenantId,
      code,
      batch_id: extra.batchId ?? null,
      name: t.name,
      kind: t.kind,
      value: t.value,
      currency: t.currency ?? null,
      min_spend: t.minSpend ?? 0,
      max_uses: t.maxUses === undefined ? 1 : t.maxUses,
      per_customer_limit: t.perCustomerLimit ?? null,
      customer_id: extra.customerId ?? null,
      segment: extra.segment ?? null,
      valid_from: t.validFrom ?? null,
      valid_to: t.validTo ?? null,
      active: 1,
      created_at: now,
    };
  }

  async function usesOf(tenantId: string, couponIds: string[]) {
    if (couponIds.length === 0) return new Map<string, number>();
    const rows = await db
      .selectFrom('coupon_redemptions')
      .select((eb) => ['coupon_id', eb.fn.countAll<number>().as('n')])
      .where('tenant_id', '=', tenantId)
      .where('coupon_id', 'in', couponIds)
      .groupBy('coupon_id')
      .execute();
    return new Map(rows.map((r) => [r.coupon_id, Number(r.n)]));
  }

  async function byCode(tenantId: string, code: string) {
    return db
      .selectFrom('coupons')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('code', '=', normalizeCode(code))
      .executeTakeFirst();
  }

  /** Whether `coupon` can be used now by `customerId`, with its redemption counts. */
  async function usable(
    tenantId: string,
    code: string,
    customerId: string | null,
    currency: string,
    now: string,
  ): Promise<Result<{ coupon: CouponTable; uses: number; customerUses: number }>> {
    const coupon = await byCode(tenantId, code);
    if (!coupon || coupon.active !== 1) return fail('unknown_coupon', `No active coupon ${code}.`);
    if (coupon.valid_from && now < coupon.valid_from) {
      return fail('coupon_not_valid', `Coupon ${coupon.code} is valid from ${coupon.valid_from}.`);
    }
    if (coupon.valid_to && now >= coupon.valid_to) {
      return fail('coupon_not_valid', `Coupon ${coupon.code} expired at ${coupon.valid_to}.`);
    }
    if (coupon.kind === 'amount' && coupon.currency !== currency) {
      return fail(
        'coupon_not_valid',
        `Coupon ${coupon.code} is in ${coupon.currency ?? '?'}, the sale in ${currency}.`,
      );
    }
    if (coupon.customer_id && coupon.customer_id !== customerId) {
      return fail('coupon_not_valid', `Coupon ${coupon.code} was issued to another customer.`);
    }
    if (coupon.per_customer_limit !== null && !customerId) {
      return fail('customer_required', `Coupon ${coupon.code} needs the customer to be identified.`);
    }
    const [total, mine] = await database.readBatch([
      db
        .selectFrom('coupon_redemptions')
        .select((eb) => eb.fn.max('use_no').as('n'))
        .where('tenant_id', '=', tenantId)
        .where('coupon_id', '=', coupon.id)
        .compile(),
      db
        .selectFrom('coupon_redemptions')
        .select((eb) => eb.fn.max('customer_use_no').as('n'))
        .where('tenant_id', '=', tenantId)
        .where('coupon_id', '=', coupon.id)
        .where('customer_id', '=', customerId ?? '')
        .compile(),
    ]);
    const uses = Number(total?.[0]?.n ?? 0);
    const customerUses = Number(mine?.[0]?.n ?? 0);
    if (coupon.max_uses !== null && uses >= coupon.max_uses) {
      return fail(
        'coupon_used_up',
        `Coupon ${coupon.code} was already used${coupon.max_uses === 1 ? '' : ` ${uses} times`}.`,
      );
    }
    if (coupon.per_customer_limit !== null && customerUses >= coupon.per_customer_limit) {
      return fail(
        'coupon_used_up',
        `This customer already used coupon ${coupon.code} ${customerUses} times.`,
      );
    }
    return { ok: true, value: { coupon, uses, customerUses } };
  }

  /** Customer ids among `ids` that are not the tenant's own (a coupon is issued to members only). */
  async function strangers(tenantId: string, wanted: (string | null | undefined)[]): Promise<string[]> {
    const named = [...new Set(wanted.filter((c): c is string => typeof c === 'string'))];
    if (named.length === 0) return [];
    const found = new Set<string>();
    for (let i = 0; i < named.length; i += 500) {
      const rows = await db
        .selectFrom('customers')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', named.slice(i, i + 500))
        .execute();
      for (const r of rows) found.add(r.id);
    }
    return named.filter((c) => !found.has(c));
  }

  return {
    termsProblem,

    async create(
      ctx: AuthContext,
      input: CouponTerms & { code?: string; customerId?: string | null; segment?: string | null },
    ): Promise<Result<CouponView>> {
      const problem = termsProblem(input);
      if (problem) return fail('validation_failed', problem);
      const [stranger] = await strangers(ctx.tenantId, [input.customerId]);
      if (stranger !== undefined) return fail('unknown_customer', `No customer ${stranger}.`);
      const code = normalizeCode(input.code ?? randomCode(10));
      if (!/^[A-Z0-9]{4,40}$/.test(code))
        return fail('validation_failed', 'A code is 4–40 letters and digits.');
      const now = clock.now().toISOString();
      const c = row(ctx.tenantId, code, input, input, now);
      try {
        await database.batch([
          insertRows(db, 'coupons', [c]),
          auditQuery(
            db,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'coupon.create',
              entity: 'coupon',
              entityId: c.id,
              data: { code },
            },
            now,
          ),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) return fail('duplicate_coupon', `Coupon code ${code} exists.`);
        throw e;
      }
      return { ok: true, value: view(c, 0) };
    },

    /**
     * A batch of unguessable codes (crypto random over an alphabet without look-alike characters):
     * `count` anonymous codes, or one code issued to each of `customerIds`, tagged with `segment`.
     * A `segment` without `customerIds` or `count` is an RFM segment: its current members (from
     * the insights service) get one code each.
     */
    async generate(
      ctx: AuthContext,
      input: CouponTerms & {
        count?: number;
        length?: number;
        prefix?: string;
        customerIds?: string[];
        segment?: string | null;
      },
    ): Promise<Result<{ batchId: string; coupons: CouponView[] }>> {
      const problem = termsProblem(input);
      if (problem) return fail('validation_failed', problem);
      let customerIds = input.customerIds;
      if (customerIds === undefined && input.count === undefined && input.segment) {
        if (!opts.segments) return fail('unknown_segment', 'Segments are not available.');
        const members = await opts.segments.segmentMembers(ctx.tenantId, input.segment);
        if (!members.ok) return members;
        customerIds = members.value;
      }
      const targets = customerIds ?? Array.from({ length: input.count ?? 0 }, () => null);
      if (targets.length < 1 || targets.length > 10000) {
        return fail('validation_failed', 'A batch has 1 to 10000 codes (count or customerIds).');
      }
      const [stranger] = await strangers(ctx.tenantId, customerIds ?? []);
      if (stranger !== undefined) return fail('unknown_customer', `No customer ${stranger}.`);
      const length = input.length ?? 10;
      const prefix = normalizeCode(input.prefix ?? '');
      const now = clock.now().toISOString();
      const batchId = ids.newId('cpb');
      for (let attempt = 0; attempt < 3; attempt++) {
        const codes = new Set<string>();
        while (codes.size < targets.length) codes.add(prefix + randomCode(length));
        const rows = [...codes].map((code, i) =>
          row(
            ctx.tenantId,
            code,
            input,
            { batchId, customerId: targets[i] ?? null, segment: input.segment ?? null },
            now,
          ),
        );
        try {
          const chunks: CompiledQuery[] = [];
          for (let i = 0; i < rows.length; i += 500)
            chunks.push(insertRows(db, 'coupons', rows.slice(i, i + 500)));
          await database.batch([
            ...chunks,
            auditQuery(
              db,
              ids,
              {
                tenantId: ctx.tenantId,
                staffId: ctx.staffId,
                action: 'coupon.generate',
                entity: 'coupon_batch',
                entityId: batchId,
                data: { count: rows.length, segment: input.segment ?? null },
              },
              now,
            ),
          ]);
          return { ok: true, value: { batchId, coupons: rows.map((r) => view(r, 0)) } };
        } catch (e) {
          // a collision with an existing code (about 1 in 10^13 per code at length 10): draw again
          if (!isUniqueViolation(e)) throw e;
        }
      }
      return fail('conflict', 'Could not draw unique codes; try a longer length.');
    },

    async list(
      tenantId: string,
      q: { batchId?: string; customerId?: string; limit?: number },
    ): Promise<CouponView[]> {
      let query = db
        .selectFrom('coupons')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id', 'desc')
        .limit(q.limit ?? 200);
      if (q.batchId) query = query.where('batch_id', '=', q.batchId);
      if (q.customerId) query = query.where('customer_id', '=', q.customerId);
      const rows = await query.execute();
      const uses = await usesOf(
        tenantId,
        rows.map((r) => r.id),
      );
      return rows.map((r) => view(r, uses.get(r.id) ?? 0));
    },

    async setActive(ctx: AuthContext, id: string, active: boolean): Promise<Result<CouponView>> {
      const c = await db
        .selectFrom('coupons')
        .selectAll()
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!c) return fail('not_found', `Coupon ${id} does not exist.`);
      await db
        .updateTable('coupons')
        .set({ active: active ? 1 : 0 })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .execute();
      const uses = await usesOf(ctx.tenantId, [id]);
      return { ok: true, value: view({ ...c, active: active ? 1 : 0 }, uses.get(id) ?? 0) };
    },

    /** What the register shows when a code is typed or scanned (nothing is reserved). */
    async check(
      tenantId: string,
      code: string,
      customerId: string | null,
      currency: string,
    ): Promise<Result<CouponView>> {
      const u = await usable(tenantId, code, customerId, currency, clock.now().toISOString());
      return u.ok ? { ok: true, value: view(u.value.coupon, u.value.uses) } : u;
    },

    /** For the checkout: the discount to price with and the redemption for its batch. */
    async forCheckout(
      tenantId: string,
      code: string,
      customerId: string | null,
      currency: string,
      staffId: string,
      now: string,
    ): Promise<Result<CouponUse>> {
      const u = await usable(tenantId, code, customerId, currency, now);
      if (!u.ok) return u;
      const { coupon, uses, customerUses } = u.value;
      const discount: AppliedDiscount | null =
        coupon.kind === 'promotion'
          ? null
          : {
              discount:
                coupon.kind === 'amount'
                  ? { kind: 'amount', amount: coupon.value }
                  : { kind: 'percent', percentBp: coupon.value },
              reason: `coupon ${coupon.code}`,
              by: staffId,
            };
      return {
        ok: true,
        value: {
          coupon: view(coupon, uses),
          discount,
          queries: (orderId, amount, at) => [
            insertRows(db, 'coupon_redemptions', [
              {
                id: ids.newId('cpr'),
                tenant_id: tenantId,
                coupon_id: coupon.id,
                use_no: uses + 1,
                customer_id: customerId,
                customer_use_no: customerId ? customerUses + 1 : null,
                order_id: orderId,
                amount,
                created_at: at,
              },
            ]),
          ],
        },
      };
    },

    /**
     * A reward: the customer spends points on a single-use coupon issued to them. The points
     * leave the ledger in the same transaction the coupon is created in.
     */
    async rewardCoupon(
      ctx: AuthContext,
      customerId: string,
      input: { points: number; terms: CouponTerms },
    ): Promise<Result<CouponView>> {
      const problem = termsProblem(input.terms);
      if (problem) return fail('validation_failed', problem);
      const account = await opts.loyalty.account(ctx.tenantId, customerId);
      if (input.points <= 0 || input.points > account.available) {
        return fail(
          'insufficient_points',
          `The customer has ${account.available} points; ${input.points} are needed.`,
        );
      }
      const now = clock.now().toISOString();
      const c = row(ctx.tenantId, randomCode(10), { ...input.terms, maxUses: 1 }, { customerId }, now);
      try {
        await database.batch([
          ...opts.loyalty.rewardQueries(
            ctx.tenantId,
            customerId,
            input.points,
            `reward coupon ${c.code}`,
            now,
          ),
          insertRows(db, 'coupons', [c]),
        ]);
      } catch (e) {
        if (isCheckViolation(e))
          return fail('insufficient_points', 'The customer no longer has enough points.');
        throw e;
      }
      return { ok: true, value: view(c, 0) };
    },
  };
}

export type CouponsService = ReturnType<typeof createCouponsService>;
