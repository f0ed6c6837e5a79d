// Insights use cases: dashboards from the rollups, recommendations from mined rules, RFM
// segments, the reorder list with draft purchase orders received through the stock service.

import { sql } from 'kysely';
import type { Deps } from '../../deps';
import { openStaffName } from '../keys/staff-names';
import { fail, type Result } from '../../http/errors';
import type { StockService } from '../stock/service';
import { outboxQuery } from '../audit/audit';
import { insertRows } from '../../db/insert-rows';
import { keysetPages, PAGE_ROWS, yieldToEventLoop } from '../../db/pages';
import { workerJobs } from '../../lib/worker-job';
import { demandStats, suggestReorder, type ReorderSuggestion } from './inventory';
import { RFM_SEGMENTS, type RfmSegment } from './rfm';
import type * as pureJobs from './pure-jobs';
import type { BasketLine, PurchaseLine } from './pure-jobs';
import { refreshRollups } from './rollups';
import { addDays, addMonths, daysBetween, localDateHour, localDateStartUtc, weekStart } from './time';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const n = (v: unknown) => Number(v ?? 0);

export interface RangeQuery {
  storeId: string;
  /** Local dates, inclusive. */
  from: string;
  to: string;
}
export type SalesBy = 'hour' | 'day' | 'week' | 'weekday' | 'register' | 'staff';

export interface SalesRow {
  key: string;
  label: string;
  orders: number;
  sales: number;
  tax: number;
  discounts: number;
  items: number;
  refunds: number;
  refundTotal: number;
  voids: number;
  voidTotal: number;
  averageBasketValue: number;
  averageBasketItems: number;
}

interface Rule {
  rhs: string;
  confidence: number;
  lift: number;
  support: number;
}

export interface Recommendation {
  variantId: string;
  score: number;
  confidence: number | null;
  lift: number | null;
  source: 'rules' | 'popular_in_category' | 'popular';
}

const MAX_DAYS = 36_600;
/** Rule mining and RFM scoring run in a worker thread, off the API's event loop. */
const runJob = workerJobs<typeof pureJobs>(new URL('./pure-jobs.ts', import.meta.url));

export function createInsightsService(
  deps: Deps,
  others: { stock: StockService },
  /** Rows per page when the jobs read history (tests make it small to cross many pages). */
  options: { pageRows?: number } = {},
) {
  const pageRows = options.pageRows ?? PAGE_ROWS;
  const { db } = deps.database;

  async function storeOf(tenantId: string, storeId: string) {
    const s = await db
      .selectFrom('stores')
      .select(['id', 'time_zone', 'currency'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', storeId)
      .executeTakeFirst();
    return s ? ok(s) : fail('unknown_store', `Store ${storeId} does not exist.`);
  }

  async function checkRange(tenantId: string, q: RangeQuery) {
    const s = await storeOf(tenantId, q.storeId);
    if (!s.ok) return s;
    if (q.from > q.to) return fail('invalid_date_range', 'from must not be after to.');
    if (daysBetween(q.from, q.to) > MAX_DAYS)
      return fail('invalid_date_range', `A range spans at most ${MAX_DAYS} days.`);
    return s;
  }

  function hourlyIn(tenantId: string, q: RangeQuery) {
    return db
      .selectFrom('insights_sales_hourly')
      .where('tenant_id', '=', tenantId)
      .where('store_id', '=', q.storeId)
      .where('local_date', '>=', q.from)
      .where('local_date', '<=', q.to);
  }

  function dailyIn(tenantId: string, q: RangeQuery) {
    return db
      .selectFrom('insights_sales_daily')
      .where('tenant_id', '=', tenantId)
      .where('store_id', '=', q.storeId)
      .where('local_date', '>=', q.from)
      .where('local_date', '<=', q.to);
  }

  /**
   * Splits a range of local dates into whole months (read from the monthly rollups) and the
   * days at either end (read from the daily or hourly ones), so a year reads ~12 months of rows.
   */
  function splitRange(
    from: string,
    to: string,
  ): { months: [string, string] | null; edges: [string, string][] } {
    const firstFull = from.endsWith('-01') ? from : `${addMonths(from.slice(0, 7), 1)}-01`;
    const lastFullEnd = addDays(to, 1).endsWith('-01') ? to : addDays(`${to.slice(0, 7)}-01`, -1);
    if (firstFull > lastFullEnd) return { months: null, edges: [[from, to]] };
    const edges: [string, string][] = [];
    if (from < firstFull) edges.push([from, addDays(firstFull, -1)]);
    if (lastFullEnd < to) edges.push([addDays(lastFullEnd, 1), to]);
    return { months: [firstFull.slice(0, 7), lastFullEnd.slice(0, 7)], edges };
  }

  const MEASURE_KEYS = [
    'orders',
    'sales',
    'tax',
    'discounts',
    'items_milli',
    'refunds',
    'refund_total',
    'voids',
    'void_total',
  ] as const;

  /** Hourly-grain sums grouped by one column; whole months come from the monthly table. */
  async function hourlyGrouped(tenantId: string, q: RangeQuery, col: 'hour' | 'register_id' | 'staff_id') {
    const parts = splitRange(q.from, q.to);
    const batches: Record<string, unknown>[][] = [];
    if (parts.months) {
      batches.push(
        await db
          .selectFrom('insights_sales_monthly')
          .select([sql<string>`${sql.ref(col)}`.as('k'), ...sums])
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', q.storeId)
          .where('month', '>=', parts.months[0])
          .where('month', '<=', parts.months[1])
          .groupBy(col)
          .execute(),
      );
    }
    for (const [a, b] of parts.edges) {
      batches.push(
        await hourlyIn(tenantId, { ...q, from: a, to: b })
          .select([sql<string>`${sql.ref(col)}`.as('k'), ...sums])
          .groupBy(col)
          .execute(),
      );
    }
    const out = new Map<string, Record<(typeof MEASURE_KEYS)[number], number>>();
    for (const rows of batches) {
      for (const r of rows) {
        const k = String(r.k);
        const acc = out.get(k) ?? {
          orders: 0,
          sales: 0,
          tax: 0,
          discounts: 0,
          items_milli: 0,
          refunds: 0,
          refund_total: 0,
          voids: 0,
          void_total: 0,
        };
        for (const m of MEASURE_KEYS) acc[m] += n(r[m]);
        out.set(k, acc);
      }
    }
    return [...out.entries()].sort((a, b) =>
      col === 'hour' ? Number(a[0]) - Number(b[0]) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0,
    );
  }

  /**
   * Units and revenue sold, and units and amount refunded (on the refund's day), per variant (or
   * category) over a range; whole months from the monthly table.
   */
  async function productSums(tenantId: string, q: RangeQuery, col: 'variant_id' | 'category_id') {
    const parts = splitRange(q.from, q.to);
    const pick = [
      sql<string | null>`${sql.ref(col)}`.as('id'),
      sql<number>`sum(qty_milli)`.as('qty'),
      sql<number>`sum(revenue)`.as('revenue'),
      sql<number>`sum(lines)`.as('lines'),
      sql<number>`sum(refund_qty_milli)`.as('refund_qty'),
      sql<number>`sum(refund_amount)`.as('refund_amount'),
    ] as const;
    type Sums = {
      id: string | null;
      qty: number;
      revenue: number;
      lines: number;
      refundQty: number;
      refundAmount: number;
    };
    const batches: {
      id: string | null;
      qty: unknown;
      revenue: unknown;
      lines: unknown;
      refund_qty: unknown;
      refund_amount: unknown;
    }[][] = [];
    if (parts.months) {
      batches.push(
        await db
          .selectFrom('insights_product_monthly')
          .select(pick)
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', q.storeId)
          .where('month', '>=', parts.months[0])
          .where('month', '<=', parts.months[1])
          .groupBy(col)
          .execute(),
      );
    }
    for (const [a, b] of parts.edges) {
      batches.push(
        await db
          .selectFrom('insights_product_daily')
          .select(pick)
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', q.storeId)
          .where('local_date', '>=', a)
          .where('local_date', '<=', b)
          .groupBy(col)
          .execute(),
      );
    }
    const out = new Map<string | null, Sums>();
    for (const rows of batches) {
      for (const r of rows) {
        const acc = out.get(r.id) ?? {
          id: r.id,
          qty: 0,
          revenue: 0,
          lines: 0,
          refundQty: 0,
          refundAmount: 0,
        };
        acc.qty += n(r.qty);
        acc.revenue += n(r.revenue);
        acc.lines += n(r.lines);
        acc.refundQty += n(r.refund_qty);
        acc.refundAmount += n(r.refund_amount);
        out.set(r.id, acc);
      }
    }
    return [...out.values()];
  }

  const sums = [
    sql<number>`sum(orders)`.as('orders'),
    sql<number>`sum(sales)`.as('sales'),
    sql<number>`sum(tax)`.as('tax'),
    sql<number>`sum(discounts)`.as('discounts'),
    sql<number>`sum(items_milli)`.as('items_milli'),
    sql<number>`sum(refunds)`.as('refunds'),
    sql<number>`sum(refund_total)`.as('refund_total'),
    sql<number>`sum(voids)`.as('voids'),
    sql<number>`sum(void_total)`.as('void_total'),
  ] as const;

  type SumRow = {
    orders: unknown;
    sales: unknown;
    tax: unknown;
    discounts: unknown;
    items_milli: unknown;
    refunds: unknown;
    refund_total: unknown;
    voids: unknown;
    void_total: unknown;
  };
  function toSalesRow(key: string, label: string, r: SumRow): SalesRow {
    const orders = n(r.orders);
    const items = n(r.items_milli) / 1000;
    return {
      key,
      label,
      orders,
      sales: n(r.sales),
      tax: n(r.tax),
      discounts: n(r.discounts),
      items,
      refunds: n(r.refunds),
      refundTotal: n(r.refund_total),
      voids: n(r.voids),
      voidTotal: n(r.void_total),
      averageBasketValue: orders > 0 ? Math.round(n(r.sales) / orders) : 0,
      averageBasketItems: orders > 0 ? Math.round((items / orders) * 100) / 100 : 0,
    };
  }

  function merge(rows: SalesRow[], keyOf: (r: SalesRow) => string): SalesRow[] {
    const out = new Map<string, SumRow & { key: string }>();
    for (const r of rows) {
      const k = keyOf(r);
      const a = out.get(k) ?? {
        key: k,
        orders: 0,
        sales: 0,
        tax: 0,
        discounts: 0,
        items_milli: 0,
        refunds: 0,
        refund_total: 0,
        voids: 0,
        void_total: 0,
      };
      a.orders = n(a.orders) + r.orders;
      a.sales = n(a.sales) + r.sales;
      a.tax = n(a.tax) + r.tax;
      a.discounts = n(a.discounts) + r.discounts;
      a.items_milli = n(a.items_milli) + Math.round(r.items * 1000);
      a.refunds = n(a.refunds) + r.refunds;
      a.refund_total = n(a.refund_total) + r.refundTotal;
      a.voids = n(a.voids) + r.voids;
      a.void_total = n(a.void_total) + r.voidTotal;
      out.set(k, a);
    }
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((a) => toSalesRow(a.key, a.key, a));
  }

  /**
   * What a recommendation request needs, held in memory per tenant so that a request is a few
   * map lookups: mined rules by left side, and the best sellers of the last 28 days overall and
   * per category. Reloaded after each mining run and at most every ten minutes.
   */
  interface RecIndex {
    loadedAt: number;
    rules: Map<string, Rule[]>;
    categoryOf: Map<string, string>;
    popular: string[];
    popularIn: Map<string, string[]>;
  }
  const recCache = new Map<string, RecIndex>();
  const REC_TTL_MS = 10 * 60_000;

  async function recIndex(tenantId: string): Promise<RecIndex> {
    const cached = recCache.get(tenantId);
    const nowMs = deps.clock.now().getTime();
    if (cached && nowMs - cached.loadedAt < REC_TTL_MS) return cached;
    const since = addDays(deps.clock.now().toISOString().slice(0, 10), -28);
    const [ruleRows, sold, cats] = await Promise.all([
      db
        .selectFrom('insights_rules')
        .select(['lhs_key', 'rhs', 'confidence', 'lift', 'support'])
        .where('tenant_id', '=', tenantId)
        .execute(),
      db
        .selectFrom('insights_product_daily')
        .select(['variant_id', sql<number>`sum(qty_milli)`.as('qty')])
        .where('tenant_id', '=', tenantId)
        .where('local_date', '>=', since)
        .groupBy('variant_id')
        .orderBy(sql`sum(qty_milli)`, 'desc')
        .orderBy('variant_id')
        .limit(5000)
        .execute(),
      db
        .selectFrom('variants as v')
        .innerJoin('products as p', (j) =>
          j.onRef('p.tenant_id', '=', 'v.tenant_id').onRef('p.id', '=', 'v.product_id'),
        )
        .select(['v.id', 'p.category_id'])
        .where('v.tenant_id', '=', tenantId)
        .where('v.active', '=', 1)
        .execute(),
    ]);
    const rules = new Map<string, Rule[]>();
    for (const r of ruleRows) {
      const list = rules.get(r.lhs_key) ?? [];
      list.push({ rhs: r.rhs, confidence: n(r.confidence), lift: n(r.lift), support: n(r.support) });
      rules.set(r.lhs_key, list);
    }
    const categoryOf = new Map<string, string>();
    for (const c of cats) if (c.category_id) categoryOf.set(c.id, c.category_id);
    const popular = sold.map((r) => r.variant_id);
    const popularIn = new Map<string, string[]>();
    for (const v of popular) {
      const c = categoryOf.get(v);
      if (!c) continue;
      const list = popularIn.get(c) ?? [];
      if (list.length < 50) list.push(v);
      popularIn.set(c, list);
    }
    const index = { loadedAt: nowMs, rules, categoryOf, popular: popular.slice(0, 200), popularIn };
    recCache.set(tenantId, index);
    return index;
  }

  function fill(
    out: Recommendation[],
    from: string[],
    taken: Set<string>,
    limit: number,
    source: Recommendation['source'],
  ) {
    for (const v of from) {
      if (out.length >= limit) return;
      if (taken.has(v)) continue;
      taken.add(v);
      out.push({ variantId: v, score: 0, confidence: null, lift: null, source });
    }
  }

  return {
    /** The rollup job for one tenant (also run by `opentill insights refresh`). */
    async refresh(tenantId: string, options: { full?: boolean } = {}) {
      return ok(await refreshRollups(db, tenantId, deps.clock.now(), { ...options, pageRows }));
    },

    async summary(tenantId: string, q: RangeQuery): Promise<Result<SalesRow>> {
      const s = await checkRange(tenantId, q);
      if (!s.ok) return s;
      const r = await dailyIn(tenantId, q).select(sums).executeTakeFirst();
      return ok(toSalesRow('all', `${q.from}..${q.to}`, (r ?? {}) as SumRow));
    },

    async sales(tenantId: string, q: RangeQuery & { by: SalesBy }): Promise<Result<SalesRow[]>> {
      const s = await checkRange(tenantId, q);
      if (!s.ok) return s;
      if (q.by === 'hour') {
        const rows = await hourlyGrouped(tenantId, q, 'hour');
        return ok(rows.map(([k, r]) => toSalesRow(k.padStart(2, '0'), `${k.padStart(2, '0')}:00`, r)));
      }
      if (q.by === 'register' || q.by === 'staff') {
        const rows = await hourlyGrouped(tenantId, q, q.by === 'register' ? 'register_id' : 'staff_id');
        const ids = rows.map(([k]) => k).filter((x) => x !== '');
        const names = new Map<string, string>();
        if (ids.length > 0) {
          const found =
            q.by === 'register'
              ? await db
                  .selectFrom('registers')
                  .select(['id', 'name'])
                  .where('tenant_id', '=', tenantId)
                  .where('id', 'in', ids)
                  .execute()
              : await db
                  .selectFrom('staff')
                  .select(['id', 'display_name as name'])
                  .where('tenant_id', '=', tenantId)
                  .where('id', 'in', ids)
                  .execute();
          for (const f of found)
            names.set(
              f.id,
              q.by === 'register' ? f.name : await openStaffName(deps.cipher, tenantId, f.id, f.name),
            );
        }
        return ok(rows.map(([id, r]) => toSalesRow(id, names.get(id) ?? (id || '—'), r)));
      }
      const rows = await dailyIn(tenantId, q)
        .select(['local_date', ...sums])
        .groupBy('local_date')
        .orderBy('local_date')
        .execute();
      const days = rows.map((r) => toSalesRow(r.local_date, r.local_date, r));
      if (q.by === 'day') return ok(days);
      if (q.by === 'week') return ok(merge(days, (r) => weekStart(r.key)));
      const names = ['1-mon', '2-tue', '3-wed', '4-thu', '5-fri', '6-sat', '7-sun'];
      return ok(merge(days, (r) => names[(new Date(`${r.key}T00:00:00Z`).getUTCDay() + 6) % 7]!));
    },

    async payments(tenantId: string, q: RangeQuery) {
      const s = await checkRange(tenantId, q);
      if (!s.ok) return s;
      const rows = await db
        .selectFrom('insights_payment_daily')
        .select(['kind', sql<number>`sum(payments)`.as('payments'), sql<number>`sum(amount)`.as('amount')])
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', q.storeId)
        .where('local_date', '>=', q.from)
        .where('local_date', '<=', q.to)
        .groupBy('kind')
        .orderBy('kind')
        .execute();
      const total = rows.reduce((t, r) => t + n(r.amount), 0);
      return ok(
        rows.map((r) => ({
          kind: r.kind,
          payments: n(r.payments),
          amount: n(r.amount),
          share: total > 0 ? n(r.amount) / total : 0,
        })),
      );
    },

    async products(
      tenantId: string,
      q: RangeQuery & { by: 'product' | 'category'; order: 'top' | 'bottom'; limit: number },
    ) {
      const s = await checkRange(tenantId, q);
      if (!s.ok) return s;
      const all = await productSums(tenantId, q, q.by === 'product' ? 'variant_id' : 'category_id');
      // Ranked by net revenue: what was sold less what was handed back in the range.
      const sign = q.order === 'top' ? -1 : 1;
      const net = (x: { revenue: number; refundAmount: number }) => x.revenue - x.refundAmount;
      all.sort((x, y) => sign * (net(x) - net(y)) || ((x.id ?? '') < (y.id ?? '') ? -1 : 1));
      const rows = all.slice(0, q.limit);
      const ids = rows.map((r) => r.id).filter((x): x is string => x !== null);
      const names = new Map<string, { name: string; nameZh: string | null }>();
      if (ids.length > 0) {
        const found =
          q.by === 'product'
            ? await db
                .selectFrom('variants')
                .select(['id', 'name', 'name_zh'])
                .where('tenant_id', '=', tenantId)
                .where('id', 'in', ids)
                .execute()
            : await db
                .selectFrom('categories')
                .select(['id', 'name', 'name_zh'])
                .where('tenant_id', '=', tenantId)
                .where('id', 'in', ids)
                .execute();
        for (const f of found) names.set(f.id, { name: f.name, nameZh: f.name_zh });
      }
      return ok(
        rows.map((r) => ({
          id: r.id ?? '',
          name: r.id ? (names.get(r.id)?.name ?? r.id) : '—',
          nameZh: r.id ? (names.get(r.id)?.nameZh ?? null) : null,
          quantity: r.qty / 1000,
          revenue: r.revenue,
          lines: r.lines,
          refundedQuantity: r.refundQty / 1000,
          refundedRevenue: r.refundAmount,
          netQuantity: (r.qty - r.refundQty) / 1000,
          netRevenue: r.revenue - r.refundAmount,
        })),
      );
    },

    /** Stock turnover (units sold ÷ on hand) and days of cover (on hand ÷ daily sales) per item. */
    async stockCover(tenantId: string, q: RangeQuery & { limit: number }) {
      const s = await checkRange(tenantId, q);
      if (!s.ok) return s;
      const days = daysBetween(q.from, q.to) + 1;
      const sold = await productSums(tenantId, q, 'variant_id');
      // Net of returns: an item handed back was not sold.
      const soldBy = new Map(sold.map((r) => [r.id ?? '', (r.qty - r.refundQty) / 1000]));
      const levels = await allLevels(tenantId, q.storeId);
      if (!levels.ok) return levels;
      const rows = levels.value.map((l) => {
        const qty = soldBy.get(l.variantId) ?? 0;
        const perDay = qty / days;
        return {
          variantId: l.variantId,
          sku: l.sku,
          name: l.name,
          nameZh: l.nameZh,
          onHand: l.onHand,
          sold: qty,
          turnover: l.onHand > 0 ? Math.round((qty / l.onHand) * 100) / 100 : null,
          daysOfCover: perDay > 0 ? Math.round((Math.max(l.onHand, 0) / perDay) * 10) / 10 : null,
        };
      });
      rows.sort(
        (a, b) => (a.daysOfCover ?? Infinity) - (b.daysOfCover ?? Infinity) || (a.sku < b.sku ? -1 : 1),
      );
      return ok(rows.slice(0, q.limit));
    },

    /** Mines association rules from the last `days` of baskets (the scheduled job calls this). */
    async mineRules(tenantId: string, options: { days: number; minSupport: number; minConfidence: number }) {
      const since = new Date(deps.clock.now().getTime() - options.days * 86_400_000).toISOString();
      // each store's orders a page at a time, in the order of the (tenant, store, created_at)
      // index (each page seeks to where the last one ended), then the lines of each page; the
      // worker groups and mines them
      const stores = await db.selectFrom('stores').select('id').where('tenant_id', '=', tenantId).execute();
      const orderPages = (storeId: string) =>
        keysetPages<{ id: string; created_at: string }>(
          (after, limit) =>
            db
              .selectFrom('orders')
              .select(['id', 'created_at'])
              .where('tenant_id', '=', tenantId)
              .where('store_id', '=', storeId)
              .where('created_at', '>=', after?.created_at ?? since)
              .$if(after !== undefined, (q) =>
                q.where((eb) => eb.or([eb('created_at', '>', after!.created_at), eb('id', '>', after!.id)])),
              )
              .where('status', '<>', 'voided')
              .orderBy('created_at')
              .orderBy('id')
              .limit(limit)
              .execute(),
          pageRows,
        );
      const lines = async function* () {
        for (const store of stores)
          for await (const page of orderPages(store.id)) {
            const rows = await db
              .selectFrom('order_lines')
              .select(['order_id', 'variant_id'])
              .where('tenant_id', '=', tenantId)
              .where(
                'order_id',
                'in',
                page.map((o) => o.id),
              )
              .orderBy('order_id')
              .orderBy('line_no')
              .execute();
            yield rows.map((r): BasketLine => [r.order_id, r.variant_id]);
          }
      };
      const { baskets, itemsets, rules } = await runJob(
        'mineBaskets',
        { minSupport: options.minSupport, minConfidence: options.minConfidence, maxLength: 4 },
        lines(),
      );
      const minedAt = deps.clock.now().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('insights_rules').where('tenant_id', '=', tenantId).execute();
        const rows = rules.map((r, i) => ({
          tenant_id: tenantId,
          rule_no: i + 1,
          lhs_key: r.lhs.join(','),
          rhs: r.rhs,
          support: r.support,
          confidence: r.confidence,
          lift: r.lift,
          count: r.count,
          mined_at: minedAt,
        }));
        for (let i = 0; i < rows.length; i += 200) {
          await trx.executeQuery(insertRows(trx, 'insights_rules', rows.slice(i, i + 200)));
          await yieldToEventLoop();
        }
      });
      recCache.delete(tenantId);
      return ok({ baskets, itemsets, rules: rules.length, minedAt });
    },

    /**
     * "Frequently bought together" for a cart: rules whose left side is inside the cart, best
     * confidence first; popular items of the cart's categories fill the rest.
     */
    async forCart(tenantId: string, variantIds: string[], limit: number): Promise<Result<Recommendation[]>> {
      const cart = [...new Set(variantIds)].sort().slice(0, 30);
      const inCart = new Set(cart);
      const index = await recIndex(tenantId);
      const rules = index.rules;
      const best = new Map<string, Recommendation>();
      const consider = (key: string) => {
        for (const r of rules.get(key) ?? []) {
          if (inCart.has(r.rhs)) continue;
          const prev = best.get(r.rhs);
          const score = r.confidence * Math.min(r.lift, 10);
          if (!prev || score > prev.score)
            best.set(r.rhs, {
              variantId: r.rhs,
              score,
              confidence: r.confidence,
              lift: r.lift,
              source: 'rules',
            });
        }
      };
      // Every subset of the cart of up to three items is a possible left side.
      for (let i = 0; i < cart.length; i++) {
        consider(cart[i]!);
        for (let j = i + 1; j < cart.length; j++) {
          consider(`${cart[i]},${cart[j]}`);
          for (let k = j + 1; k < cart.length; k++) consider(`${cart[i]},${cart[j]},${cart[k]}`);
        }
      }
      const out = [...best.values()]
        .sort((a, b) => b.score - a.score || (a.variantId < b.variantId ? -1 : 1))
        .slice(0, limit);
      const taken = new Set([...inCart, ...out.map((o) => o.variantId)]);
      for (const v of cart) {
        const c = index.categoryOf.get(v);
        if (c) fill(out, index.popularIn.get(c) ?? [], taken, limit, 'popular_in_category');
      }
      fill(out, index.popular, taken, limit, 'popular');
      return ok(out);
    },

    /** "You may also like" for a member: items related (by single-item rules) to what they bought. */
    async forCustomer(
      tenantId: string,
      customerId: string,
      limit: number,
    ): Promise<Result<Recommendation[]>> {
      const history = await db
        .selectFrom('order_lines as l')
        .innerJoin('orders as o', (j) =>
          j.onRef('o.tenant_id', '=', 'l.tenant_id').onRef('o.id', '=', 'l.order_id'),
        )
        .select(['l.variant_id', sql<number>`count(*)`.as('times')])
        .where('o.tenant_id', '=', tenantId)
        .where('o.customer_id', '=', customerId)
        .where('o.status', '<>', 'voided')
        .groupBy('l.variant_id')
        .execute();
      // another tenant's customer answers like a missing one, not with generic picks (a member
      // known only from imported sales has a history here but no customers row)
      if (history.length === 0) {
        const customer = await db
          .selectFrom('customers')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', customerId)
          .executeTakeFirst();
        if (!customer) return fail('unknown_customer', `No customer ${customerId}.`);
      }
      const index = await recIndex(tenantId);
      const rules = index.rules;
      const bought = new Set(history.map((h) => h.variant_id));
      const score = new Map<string, Recommendation>();
      for (const h of history) {
        for (const r of rules.get(h.variant_id) ?? []) {
          if (bought.has(r.rhs)) continue;
          const s =
            (score.get(r.rhs)?.score ?? 0) + Math.log1p(n(h.times)) * r.confidence * Math.min(r.lift, 10);
          score.set(r.rhs, {
            variantId: r.rhs,
            score: s,
            confidence: r.confidence,
            lift: r.lift,
            source: 'rules',
          });
        }
      }
      const out = [...score.values()]
        .sort((a, b) => b.score - a.score || (a.variantId < b.variantId ? -1 : 1))
        .slice(0, limit);
      fill(out, index.popular, new Set([...bought, ...out.map((o) => o.variantId)]), limit, 'popular');
      return ok(out);
    },

    /**
     * RFM for every customer with orders (keyed by orders.customer_id), stored for targeting.
     * Scored per currency: each currency's buyers are ranked among themselves, so monetary never
     * adds yuan to dollars; a customer who buys in two currencies has a score (and a segment) in
     * each. Purchase days are the store's local days; "today" is the latest local date of that
     * currency's stores.
     */
    async refreshRfm(tenantId: string, asOf?: string) {
      const zones = new Map(
        (
          await db
            .selectFrom('stores')
            .select(['id', 'time_zone'])
            .where('tenant_id', '=', tenantId)
            .execute()
        ).map((st) => [st.id, st.time_zone]),
      );
      // members' orders a page at a time in the order of the (tenant, customer) index
      const purchases = keysetPages<{
        id: string;
        customer_id: string | null;
        created_at: string;
        total: number;
        currency: string;
        store_id: string;
      }>(
        (after, limit) =>
          db
            .selectFrom('orders')
            .select(['id', 'customer_id', 'created_at', 'total', 'currency', 'store_id'])
            .where('tenant_id', '=', tenantId)
            .$if(after === undefined, (q) => q.where('customer_id', 'is not', null))
            .$if(after !== undefined, (q) =>
              q
                .where('customer_id', '>=', after!.customer_id!)
                .where((eb) =>
                  eb.or([eb('customer_id', '>', after!.customer_id!), eb('id', '>', after!.id)]),
                ),
            )
            .where('status', '<>', 'voided')
            .orderBy('customer_id')
            .orderBy('id')
            .limit(limit)
            .execute(),
        pageRows,
      );
      const lines = async function* () {
        for await (const page of purchases)
          yield page.flatMap((o): PurchaseLine[] => {
            const zone = zones.get(o.store_id);
            return zone === undefined ? [] : [[o.customer_id!, o.created_at, n(o.total), o.currency, zone]];
          });
      };
      const scored = await runJob('scoreRfm', { now: deps.clock.now().toISOString(), asOf }, lines());
      const computedAt = deps.clock.now().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('insights_rfm').where('tenant_id', '=', tenantId).execute();
        const values = scored.map((c) => ({
          tenant_id: tenantId,
          customer_id: c.customerId,
          currency: c.currency,
          recency_days: c.recencyDays,
          frequency: c.frequency,
          monetary: c.monetary,
          r: c.r,
          f: c.f,
          m: c.m,
          segment: c.segment,
          computed_at: computedAt,
        }));
        // compiled once per shape; the event loop runs between chunks (other queries wait for the commit)
        for (let i = 0; i < values.length; i += 200) {
          await trx.executeQuery(insertRows(trx, 'insights_rfm', values.slice(i, i + 200)));
          await yieldToEventLoop();
        }
      });
      const segments: Partial<Record<RfmSegment, number>> = {};
      const currencies: Record<string, number> = {};
      for (const c of scored) {
        segments[c.segment] = (segments[c.segment] ?? 0) + 1;
        currencies[c.currency] = (currencies[c.currency] ?? 0) + 1;
      }
      // customers counts scores (one per customer and currency), as segments does
      return ok({ customers: scored.length, segments, currencies });
    },

    /** Customers and their spend per segment and currency (amounts in that currency's minor units). */
    async segments(tenantId: string) {
      const rows = await db
        .selectFrom('insights_rfm')
        .select([
          'segment',
          'currency',
          sql<number>`count(*)`.as('customers'),
          sql<number>`sum(monetary)`.as('monetary'),
        ])
        .where('tenant_id', '=', tenantId)
        .groupBy(['segment', 'currency'])
        .orderBy('segment')
        .orderBy('currency')
        .execute();
      return ok(
        rows.map((r) => ({
          segment: r.segment,
          currency: r.currency,
          customers: n(r.customers),
          monetary: n(r.monetary),
        })),
      );
    },

    /**
     * Current members of a named RFM segment (as of the last refresh), for coupon targeting.
     * An unknown name or a segment nobody is in is refused, so a batch never silently issues zero.
     */
    async segmentMembers(tenantId: string, segment: string) {
      if (!(RFM_SEGMENTS as readonly string[]).includes(segment)) {
        return fail('unknown_segment', `No RFM segment ${segment}; one of ${RFM_SEGMENTS.join(', ')}.`);
      }
      const rows = await db
        .selectFrom('insights_rfm')
        .select('customer_id')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('segment', '=', segment)
        .orderBy('customer_id')
        .execute();
      if (rows.length === 0) {
        return fail('empty_segment', `Segment ${segment} has no customers; refresh segments first.`);
      }
      return ok(rows.map((r) => r.customer_id));
    },

    /** The customer's current RFM segment(s): what the promotions `segment` condition matches. */
    async segmentsOf(tenantId: string, customerId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('insights_rfm')
        .select('segment')
        .distinct()
        .where('tenant_id', '=', tenantId)
        .where('customer_id', '=', customerId)
        .execute();
      return rows.map((r) => r.segment);
    },

    /** Reorder list for a store; also flags newly low items once each through the outbox. */
    async reorderList(
      tenantId: string,
      q: {
        storeId: string;
        days: number;
        leadTimeDays: number;
        leadTimeSdDays: number;
        serviceLevel: number;
        orderCost: number;
        holdingRate: number;
      },
    ) {
      const s = await storeOf(tenantId, q.storeId);
      if (!s.ok) return s;
      const today = localDateHour(deps.clock.now().toISOString(), s.value.time_zone).date;
      const from = addDays(today, -q.days);
      const to = addDays(today, -1);
      const sold = await db
        .selectFrom('insights_product_daily')
        .select(['variant_id', 'local_date', 'qty_milli', 'refund_qty_milli'])
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', q.storeId)
        .where('local_date', '>=', from)
        .where('local_date', '<=', to)
        .execute();
      const series = new Map<string, number[]>();
      for (const r of sold) {
        let arr = series.get(r.variant_id);
        if (!arr) series.set(r.variant_id, (arr = new Array<number>(q.days).fill(0)));
        const i = daysBetween(from, r.local_date);
        // Demand net of returns, never below zero on a day of more returns than sales.
        if (i >= 0 && i < q.days) arr[i] = Math.max(0, n(r.qty_milli) - n(r.refund_qty_milli)) / 1000;
      }
      const levels = await allLevels(tenantId, q.storeId);
      if (!levels.ok) return levels;
      const onOrderRows = await db
        .selectFrom('purchase_order_lines as l')
        .innerJoin('purchase_orders as p', (j) =>
          j.onRef('p.tenant_id', '=', 'l.tenant_id').onRef('p.id', '=', 'l.purchase_order_id'),
        )
        .select(['l.variant_id', sql<number>`sum(l.quantity_milli)`.as('qty')])
        .where('p.tenant_id', '=', tenantId)
        .where('p.store_id', '=', q.storeId)
        .where('p.status', '=', 'draft')
        .groupBy('l.variant_id')
        .execute();
      const onOrder = new Map(onOrderRows.map((r) => [r.variant_id, n(r.qty) / 1000]));
      const prices = await db
        .selectFrom('prices')
        .select(['variant_id', 'price'])
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', q.storeId)
        .execute();
      const priceOf = new Map(prices.map((p) => [p.variant_id, n(p.price)]));
      const items: (ReorderSuggestion & {
        variantId: string;
        sku: string;
        name: string;
        nameZh: string | null;
        onHand: number;
        onOrder: number;
        demandPerDay: number;
      })[] = [];
      for (const l of levels.value) {
        const { mean, sd } = demandStats(series.get(l.variantId) ?? new Array<number>(q.days).fill(0));
        const holding = Math.max(1, (priceOf.get(l.variantId) ?? 100) * q.holdingRate);
        const sug = suggestReorder({
          onHand: l.onHand,
          onOrder: onOrder.get(l.variantId) ?? 0,
          demandMean: mean,
          demandSd: sd,
          leadTimeDays: q.leadTimeDays,
          leadTimeSdDays: q.leadTimeSdDays,
          serviceLevel: q.serviceLevel,
          orderCost: q.orderCost,
          holdingCostPerUnitYear: holding,
          packSize: l.unit === 'each' ? 1 : 0.001,
        });
        items.push({
          ...sug,
          variantId: l.variantId,
          sku: l.sku,
          name: l.name,
          nameZh: l.nameZh,
          onHand: l.onHand,
          onOrder: onOrder.get(l.variantId) ?? 0,
          demandPerDay: mean,
        });
      }
      const low = items
        .filter((i) => i.reorder)
        .sort((a, b) => a.daysOfCover - b.daysOfCover || (a.sku < b.sku ? -1 : 1));
      await flagLowStock(
        tenantId,
        q.storeId,
        low.map((i) => ({ variantId: i.variantId, onHand: i.onHand, reorderPoint: i.reorderPoint })),
      );
      return ok(low);
    },

    async createPurchaseOrder(
      tenantId: string,
      staffId: string,
      input: { storeId: string; lines: { variantId: string; quantity: number }[] },
    ) {
      const s = await storeOf(tenantId, input.storeId);
      if (!s.ok) return s;
      if (input.lines.length === 0)
        return fail('nothing_to_order', 'A purchase order needs at least one line.');
      const ids = [...new Set(input.lines.map((l) => l.variantId))];
      const known = await db
        .selectFrom('variants')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids)
        .execute();
      const missing = ids.filter((id) => !known.some((k) => k.id === id));
      if (missing.length > 0)
        return fail('unknown_variant', `Variant ${missing[0]} does not exist.`, { missing });
      const id = deps.ids.newId('po');
      const now = deps.clock.now().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('purchase_orders')
          .values({
            id,
            tenant_id: tenantId,
            store_id: input.storeId,
            status: 'draft',
            created_by: staffId,
            created_at: now,
            received_by: null,
            received_at: null,
          })
          .execute();
        await trx
          .insertInto('purchase_order_lines')
          .values(
            input.lines.map((l, i) => ({
              tenant_id: tenantId,
              purchase_order_id: id,
              line_no: i + 1,
              variant_id: l.variantId,
              quantity_milli: Math.round(l.quantity * 1000),
            })),
          )
          .execute();
      });
      return this.getPurchaseOrder(tenantId, id);
    },

    async getPurchaseOrder(tenantId: string, id: string) {
      const po = await db
        .selectFrom('purchase_orders')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!po) return fail('unknown_purchase_order', `Purchase order ${id} does not exist.`);
      const lines = await db
        .selectFrom('purchase_order_lines')
        .select(['variant_id', 'quantity_milli'])
        .where('tenant_id', '=', tenantId)
        .where('purchase_order_id', '=', id)
        .orderBy('line_no')
        .execute();
      return ok({
        id: po.id,
        storeId: po.store_id,
        status: po.status,
        createdBy: po.created_by,
        createdAt: po.created_at,
        receivedBy: po.received_by,
        receivedAt: po.received_at,
        lines: lines.map((l) => ({ variantId: l.variant_id, quantity: n(l.quantity_milli) / 1000 })),
      });
    },

    async listPurchaseOrders(tenantId: string, storeId: string | undefined) {
      let q = db.selectFrom('purchase_orders').select('id').where('tenant_id', '=', tenantId);
      if (storeId) q = q.where('store_id', '=', storeId);
      const rows = await q.orderBy('created_at', 'desc').limit(200).execute();
      const out = [];
      for (const r of rows) {
        const po = await this.getPurchaseOrder(tenantId, r.id);
        if (po.ok) out.push(po.value);
      }
      return ok(out);
    },

    /** Receiving a draft order adds its lines to stock through the stock module, once. */
    async receivePurchaseOrder(tenantId: string, staffId: string, id: string) {
      const po = await this.getPurchaseOrder(tenantId, id);
      if (!po.ok) return po;
      // Claim the order first so two receipts cannot both add stock.
      const now = deps.clock.now().toISOString();
      const claimed = await db
        .updateTable('purchase_orders')
        .set({ status: 'received', received_by: staffId, received_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1)
        return fail('purchase_order_not_draft', `Purchase order ${id} is ${po.value.status}, not a draft.`);
      const received = await others.stock.receive(
        { tenantId, staffId },
        { storeId: po.value.storeId, lines: po.value.lines, reference: id },
      );
      if (!received.ok) {
        await db
          .updateTable('purchase_orders')
          .set({ status: 'draft', received_by: null, received_at: null })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
        return received;
      }
      return this.getPurchaseOrder(tenantId, id);
    },
  };

  async function allLevels(tenantId: string, storeId: string) {
    const out = [];
    for (let offset = 0; ; offset += 500) {
      const page = await others.stock.listLevels(tenantId, { storeId, limit: 500, offset });
      if (!page.ok) return page;
      out.push(...page.value.items);
      if (page.value.items.length < 500) break;
    }
    return ok(out);
  }

  async function flagLowStock(
    tenantId: string,
    storeId: string,
    low: { variantId: string; onHand: number; reorderPoint: number }[],
  ) {
    const flagged = await db
      .selectFrom('insights_low_stock')
      .select('variant_id')
      .where('tenant_id', '=', tenantId)
      .where('store_id', '=', storeId)
      .execute();
    const was = new Set(flagged.map((f) => f.variant_id));
    const now = new Set(low.map((l) => l.variantId));
    const fresh = low.filter((l) => !was.has(l.variantId));
    const recovered = [...was].filter((v) => !now.has(v));
    if (fresh.length === 0 && recovered.length === 0) return;
    const at = deps.clock.now().toISOString();
    await db.transaction().execute(async (trx) => {
      if (recovered.length > 0) {
        await trx
          .deleteFrom('insights_low_stock')
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', storeId)
          .where('variant_id', 'in', recovered)
          .execute();
      }
      for (const l of fresh) {
        await trx
          .insertInto('insights_low_stock')
          .values({ tenant_id: tenantId, store_id: storeId, variant_id: l.variantId, flagged_at: at })
          .execute();
        await trx.executeQuery(
          outboxQuery(
            trx,
            deps.ids,
            {
              tenantId,
              topic: 'stock.low',
              payload: {
                storeId,
                variantId: l.variantId,
                onHand: l.onHand,
                reorderPoint: Math.round(l.reorderPoint * 1000) / 1000,
              },
            },
            at,
          ),
        );
      }
    });
  }
}

export type InsightsService = ReturnType<typeof createInsightsService>;

export { localDateStartUtc };
