import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps';
import { openStaffName } from '../keys/staff-names';
import type { CampaignTable, FeedbackTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';
import type { OrdersService } from '../orders/service';
import type { OrderView } from '../orders/view';
import type { StoresService } from '../stores/service';

export interface CampaignInput {
  name: string;
  storeId?: string | null;
  mediaKind: CampaignTable['media_kind'];
  mediaUrl?: string | null;
  text?: string | null;
  textZh?: string | null;
  hint?: string | null;
  hintZh?: string | null;
  variantIds?: string[];
  startsAt: string;
  endsAt: string;
  /** minutes after local midnight in the store's time zone; both or neither */
  dailyFrom?: number | null;
  dailyTo?: number | null;
  active?: boolean;
}

export interface CampaignView {
  id: string;
  name: string;
  storeId: string | null;
  mediaKind: CampaignTable['media_kind'];
  mediaUrl: string | null;
  text: string | null;
  textZh: string | null;
  hint: string | null;
  hintZh: string | null;
  variantIds: string[];
  startsAt: string;
  endsAt: string;
  dailyFrom: number | null;
  dailyTo: number | null;
  active: boolean;
}

export interface FeedbackInput {
  rating: number;
  nps?: number | null;
  comment?: string | null;
  source: FeedbackTable['source'];
}

export interface WindowFigures {
  from: string;
  to: string;
  days: number;
  units: number;
  revenue: number;
  unitsPerDay: number;
  revenuePerDay: number;
}

const campaignView = (c: CampaignTable): CampaignView => ({
  id: c.id,
  name: c.name,
  storeId: c.store_id,
  mediaKind: c.media_kind,
  mediaUrl: c.media_url,
  text: c.text,
  textZh: c.text_zh,
  hint: c.hint,
  hintZh: c.hint_zh,
  variantIds: JSON.parse(c.variant_ids) as string[],
  startsAt: c.starts_at,
  endsAt: c.ends_at,
  dailyFrom: c.daily_from,
  dailyTo: c.daily_to,
  active: c.active === 1,
});

/** Minutes after local midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((m, p) => ({ ...m, [p.type]: p.value }), {});
  return Number(parts.hour) * 60 + Number(parts.minute);
}

/** Whether a campaign shows at `at` in a store with `timeZone`. */
export function campaignShowing(c: CampaignView, storeId: string, at: Date, timeZone: string): boolean {
  if (!c.active) return false;
  if (c.storeId !== null && c.storeId !== storeId) return false;
  const iso = at.toISOString();
  if (iso < c.startsAt || iso >= c.endsAt) return false;
  if (c.dailyFrom === null || c.dailyTo === null) return true;
  const m = localMinutes(at, timeZone);
  // a window like 22:00–02:00 wraps past midnight
  return c.dailyFrom <= c.dailyTo ? m >= c.dailyFrom && m < c.dailyTo : m >= c.dailyFrom || m < c.dailyTo;
}

const DAY_MS = 86_400_000;

/**
 * Customer-display marketing (campaigns and cart hints), feedback after payment, the e-receipt
 * link, and the campaign uplift report.
 */
export function createMarketingService(deps: Deps, s: { stores: StoresService; orders: OrdersService }) {
  const { database, clock, ids } = deps;
  const db = database.db;

  function problem(c: CampaignInput): string | undefined {
    if (c.startsAt >= c.endsAt) return 'startsAt must be before endsAt';
    if ((c.dailyFrom == null) !== (c.dailyTo == null)) return 'give both dailyFrom and dailyTo, or neither';
    if (c.mediaKind !== 'text' && !c.mediaUrl) return `a ${c.mediaKind} campaign needs a mediaUrl`;
    if (c.mediaKind === 'text' && !c.text && !c.textZh) return 'a text campaign needs a text';
    return undefined;
  }

  async function load(tenantId: string, id: string) {
    return db
      .selectFrom('campaigns')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function orderOfToken(token: string) {
    const link = await db
      .selectFrom('receipt_links')
      .selectAll()
      .where('token', '=', token)
      .executeTakeFirst();
    if (!link) return null;
    const order = await s.orders.get(link.tenant_id, link.order_id);
    return order.ok ? { link, order: order.value } : null;
  }

  async function figures(
    tenantId: string,
    variantIds: string[],
    storeId: string | null,
    from: string,
    to: string,
  ): Promise<WindowFigures> {
    let q = db
      .selectFrom('order_lines as l')
      .innerJoin('orders as o', (j) =>
        j.onRef('o.id', '=', 'l.order_id').onRef('o.tenant_id', '=', 'l.tenant_id'),
      )
      .select((eb) => [
        eb.fn.sum<number>('l.quantity_milli').as('qty'),
        eb.fn.sum<number>('l.total').as('revenue'),
      ])
      .where('l.tenant_id', '=', tenantId)
      .where('l.variant_id', 'in', variantIds.length ? variantIds : [''])
      .where('o.status', '!=', 'voided')
      .where('o.created_at', '>=', from)
      .where('o.created_at', '<', to);
    if (storeId) q = q.where('o.store_id', '=', storeId);
    const r = await q.executeTakeFirst();
    const days = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS));
    const units = Number(r?.qty ?? 0) / 1000;
    const revenue = Number(r?.revenue ?? 0);
    return {
      from,
      to,
      days,
      units,
      revenue,
      unitsPerDay: Math.round((units / days) * 100) / 100,
      revenuePerDay: Math.round(revenue / days),
    };
  }

  return {
    async createCampaign(ctx: AuthContext, input: CampaignInput): Promise<Result<CampaignView>> {
      const p = problem(input);
      if (p) return fail('validation_failed', p);
      // a campaign runs in one of the tenant's own stores, or in all of them
      if (input.storeId) {
        const store = await s.stores.get(ctx.tenantId, input.storeId);
        if (!store.ok) return store;
      }
      const now = clock.now().toISOString();
      const row: CampaignTable = {
        id: ids.newId('cmp'),
        tenant_id: ctx.tenantId,
        store_id: input.storeId ?? null,
        name: input.name,
        media_kind: input.mediaKind,
        media_url: input.mediaUrl ?? null,
        text: input.text ?? null,
        text_zh: input.textZh ?? null,
        hint: input.hint ?? null,
        hint_zh: input.hintZh ?? null,
        variant_ids: JSON.stringify(input.variantIds ?? []),
        starts_at: new Date(input.startsAt).toISOString(),
        ends_at: new Date(input.endsAt).toISOString(),
        daily_from: input.dailyFrom ?? null,
        daily_to: input.dailyTo ?? null,
        active: input.active === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      };
      await database.batch([
        db.insertInto('campaigns').values(row).compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'campaign.create',
            entity: 'campaign',
            entityId: row.id,
            data: { name: row.name },
          },
          now,
        ),
      ]);
      return { ok: true, value: campaignView(row) };
    },

    async updateCampaign(
      ctx: AuthContext,
      id: string,
      patch: Partial<CampaignInput>,
    ): Promise<Result<CampaignView>> {
      const current = await load(ctx.tenantId, id);
      if (!current) return fail('unknown_campaign', `Campaign ${id} does not exist.`);
      const merged: CampaignInput = { ...campaignView(current), ...patch };
      const p = problem(merged);
      if (p) return fail('validation_failed', p);
      if (patch.storeId) {
        const store = await s.stores.get(ctx.tenantId, patch.storeId);
        if (!store.ok) return store;
      }
      const now = clock.now().toISOString();
      const set = {
        store_id: merged.storeId ?? null,
        name: merged.name,
        media_kind: merged.mediaKind,
        media_url: merged.mediaUrl ?? null,
        text: merged.text ?? null,
        text_zh: merged.textZh ?? null,
        hint: merged.hint ?? null,
        hint_zh: merged.hintZh ?? null,
        variant_ids: JSON.stringify(merged.variantIds ?? []),
        starts_at: new Date(merged.startsAt).toISOString(),
        ends_at: new Date(merged.endsAt).toISOString(),
        daily_from: merged.dailyFrom ?? null,
        daily_to: merged.dailyTo ?? null,
        active: merged.active === false ? 0 : 1,
        updated_at: now,
      };
      await db
        .updateTable('campaigns')
        .set(set)
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .execute();
      return { ok: true, value: campaignView({ ...current, ...set }) };
    },

    async listCampaigns(tenantId: string): Promise<CampaignView[]> {
      const rows = await db
        .selectFrom('campaigns')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('starts_at', 'desc')
        .execute();
      return rows.map(campaignView);
    },

    /** What the customer display of a store shows while idle, now. */
    async showing(tenantId: string, storeId: string): Promise<Result<CampaignView[]>> {
      const store = await s.stores.get(tenantId, storeId);
      if (!store.ok) return store;
      const now = clock.now();
      const rows = await db
        .selectFrom('campaigns')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('active', '=', 1)
        .where('starts_at', '<=', now.toISOString())
        .where('ends_at', '>', now.toISOString())
        .execute();
      return {
        ok: true,
        value: rows.map(campaignView).filter((c) => campaignShowing(c, storeId, now, store.value.timeZone)),
      };
    },

    /** The e-receipt token of an order (made on first ask): 128 random bits, base64url. */
    async receiptLink(tenantId: string, orderId: string): Promise<Result<{ token: string }>> {
      const existing = await db
        .selectFrom('receipt_links')
        .select('token')
        .where('tenant_id', '=', tenantId)
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      if (existing) return { ok: true, value: existing };
      const order = await s.orders.get(tenantId, orderId);
      if (!order.ok) return order;
      const token = randomBytes(16).toString('base64url');
      try {
        await db
          .insertInto('receipt_links')
          .values({ token, tenant_id: tenantId, order_id: orderId, created_at: clock.now().toISOString() })
          .execute();
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        return this.receiptLink(tenantId, orderId); // a concurrent ask made it first
      }
      return { ok: true, value: { token } };
    },

    /** The public e-receipt behind a token: the order, its store, and any feedback given. */
    async receipt(token: string): Promise<
      Result<{
        order: OrderView;
        store: { name: string; nameZh: string | null; address: string | null };
        feedback: { rating: number; nps: number | null; comment: string | null } | null;
      }>
    > {
      const found = await orderOfToken(token);
      if (!found) return fail('unknown_receipt', 'This receipt link is not valid.');
      const store = await s.stores.get(found.link.tenant_id, found.order.storeId);
      const fb = await db
        .selectFrom('feedback')
        .select(['rating', 'nps', 'comment'])
        .where('tenant_id', '=', found.link.tenant_id)
        .where('order_id', '=', found.order.id)
        .executeTakeFirst();
      const { customerId: _hidden, ...order } = found.order;
      return {
        ok: true,
        value: {
          order: { ...order, customerId: null },
          store: store.ok
            ? { name: store.value.name, nameZh: store.value.nameZh, address: store.value.address }
            : { name: '', nameZh: null, address: null },
          feedback: fb ?? null,
        },
      };
    },

    /** Feedback on the order behind a receipt token (from the customer display or the e-receipt page). */
    async giveFeedback(
      token: string,
      input: FeedbackInput,
      /** a paired customer display: only sales of its own tenant and register */
      from?: { tenantId: string; registerId: string | null },
    ): Promise<Result<{ id: string }>> {
      const found = await orderOfToken(token);
      if (
        !found ||
        (from && (found.link.tenant_id !== from.tenantId || found.order.registerId !== from.registerId))
      )
        return fail('unknown_receipt', 'This receipt link is not valid.');
      const o = found.order;
      const id = ids.newId('fbk');
      try {
        await db
          .insertInto('feedback')
          .values({
            id,
            tenant_id: found.link.tenant_id,
            order_id: o.id,
            store_id: o.storeId,
            register_id: o.registerId,
            staff_id: o.staffId,
            rating: input.rating,
            nps: input.nps ?? null,
            comment: input.comment?.trim() || null,
            source: input.source,
            created_at: clock.now().toISOString(),
          })
          .execute();
      } catch (e) {
        if (isUniqueViolation(e))
          return fail('feedback_exists', 'Feedback for this purchase was already given. Thank you!');
        throw e;
      }
      return { ok: true, value: { id } };
    },

    async listFeedback(
      tenantId: string,
      q: { storeId?: string; staffId?: string; from?: string; to?: string; limit?: number },
    ) {
      let query = db
        .selectFrom('feedback as f')
        .leftJoin('staff as s', (j) =>
          j.onRef('s.id', '=', 'f.staff_id').onRef('s.tenant_id', '=', 'f.tenant_id'),
        )
        .select([
          'f.id',
          'f.order_id',
          'f.store_id',
          'f.register_id',
          'f.staff_id',
          's.display_name',
          'f.rating',
          'f.nps',
          'f.comment',
          'f.source',
          'f.created_at',
        ])
        .where('f.tenant_id', '=', tenantId)
        .orderBy('f.created_at', 'desc')
        .limit(q.limit ?? 200);
      if (q.storeId) query = query.where('f.store_id', '=', q.storeId);
      if (q.staffId) query = query.where('f.staff_id', '=', q.staffId);
      if (q.from) query = query.where('f.created_at', '>=', q.from);
      if (q.to) query = query.where('f.created_at', '<', q.to);
      const rows = await query.execute();
      // staff names are stored encrypted (modules/keys/staff-names)
      const names = new Map<string, string>();
      for (const r of rows)
        if (r.staff_id && r.display_name !== null && !names.has(r.staff_id))
          names.set(r.staff_id, await openStaffName(deps.cipher, tenantId, r.staff_id, r.display_name));
      const items = rows.map((r) => ({
        id: r.id,
        orderId: r.order_id,
        storeId: r.store_id,
        registerId: r.register_id,
        staffId: r.staff_id,
        staffName: r.staff_id ? (names.get(r.staff_id) ?? null) : null,
        rating: r.rating,
        nps: r.nps,
        comment: r.comment,
        source: r.source,
        createdAt: r.created_at,
      }));
      const summarize = (key: (i: (typeof items)[number]) => string) => {
        const groups = new Map<string, typeof items>();
        for (const i of items) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
        return [...groups].map(([k, g]) => {
          const nps = g.filter((i) => i.nps !== null).map((i) => i.nps as number);
          const promoters = nps.filter((n) => n >= 9).length;
          const detractors = nps.filter((n) => n <= 6).length;
          return {
            key: k,
            count: g.length,
            averageRating: Math.round((g.reduce((a, i) => a + i.rating, 0) / g.length) * 100) / 100,
            nps: nps.length ? Math.round(((promoters - detractors) / nps.length) * 100) : null,
          };
        });
      };
      return {
        items,
        byStore: summarize((i) => i.storeId),
        byStaff: summarize((i) => i.staffId),
        byDay: summarize((i) => i.createdAt.slice(0, 10)),
      };
    },

    /**
     * Uplift of a campaign: units and revenue per day of its promoted items during the campaign
     * window against a baseline window (default: the same length just before it).
     */
    async uplift(
      tenantId: string,
      id: string,
      q: { baselineFrom?: string; baselineTo?: string } = {},
    ): Promise<
      Result<{
        campaign: CampaignView;
        during: WindowFigures;
        baseline: WindowFigures;
        unitsUpliftPct: number | null;
        revenueUpliftPct: number | null;
      }>
    > {
      const row = await load(tenantId, id);
      if (!row) return fail('unknown_campaign', `Campaign ${id} does not exist.`);
      const c = campaignView(row);
      const length = Date.parse(c.endsAt) - Date.parse(c.startsAt);
      const baselineTo = q.baselineTo ?? c.startsAt;
      const baselineFrom = q.baselineFrom ?? new Date(Date.parse(baselineTo) - length).toISOString();
      const [during, baseline] = await Promise.all([
        figures(tenantId, c.variantIds, c.storeId, c.startsAt, c.endsAt),
        figures(tenantId, c.variantIds, c.storeId, baselineFrom, baselineTo),
      ]);
      const pct = (a: number, b: number) => (b === 0 ? null : Math.round(((a - b) / b) * 1000) / 10);
      return {
        ok: true,
        value: {
          campaign: c,
          during,
          baseline,
          unitsUpliftPct: pct(during.unitsPerDay, baseline.unitsPerDay),
          revenueUpliftPct: pct(during.revenuePerDay, baseline.revenuePerDay),
        },
      };
    },
  };
}

export type MarketingService = ReturnType<typeof createMarketingService>;
