// The rollup job: keeps per-store hourly sales (per register and staff), daily product and
// daily payment tables in step with the orders, a day at a time. Checkout never touches these
// tables; the job finds the (store, local day) pairs touched since its watermark (new or
// changed orders, new refunds) and rebuilds exactly those days, so a rerun is harmless.
//
// Time: days and hours are the store's local ones. Instants are grouped by UTC quarter hour in
// SQL and each quarter is placed in its local hour here, which is exact for every zone in use
// (all offsets are whole quarter hours: +05:30, +05:45, −03:30 …) and across DST changes.
// Refunds are booked on the refund's local day and hour, beside the sales of that day: sales
// rollups count them as refunds/refund_total, product rollups as refund_qty_milli/refund_amount.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import { keysetPages, yieldToEventLoop } from '../../db/pages';
import { localDateHour, localDateStartUtc, addDays } from './time';

const WATERMARK = 'rollups';
/** Orders are stamped before their transaction commits; look back this far to catch late commits. */
const LATE_COMMIT_MS = 60_000;

const n = (v: unknown) => Number(v ?? 0);
/** Columns that place an instant in its UTC quarter hour: `YYYY-MM-DDTHH` and the quarter 0–3. */
function quarterOf(column: string) {
  const ref = sql.ref(column);
  return {
    h: sql<string>`substr(${ref}, 1, 13)`,
    q: sql<number>`cast(substr(${ref}, 15, 2) as integer) / 15`,
  };
}

export const MEASURES = [
  'orders',
  'items_milli',
  'sales',
  'tax',
  'discounts',
  'voids',
  'void_total',
  'refunds',
  'refund_total',
] as const;

/** Rebuilds one store's monthly rows (YYYY-MM) from its daily and hourly rows. */
export async function rebuildMonth(db: Kysely<DB>, tenantId: string, storeId: string, month: string) {
  const first = `${month}-01`;
  const last = `${month}-31`;
  await db.transaction().execute(async (trx) => {
    for (const table of ['insights_sales_monthly', 'insights_product_monthly'] as const) {
      await trx
        .deleteFrom(table)
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', storeId)
        .where('month', '=', month)
        .execute();
    }
    const m = sql.lit(month);
    await trx
      .insertInto('insights_sales_monthly')
      .columns(['tenant_id', 'store_id', 'month', 'hour', 'register_id', 'staff_id', ...MEASURES])
      .expression(
        trx
          .selectFrom('insights_sales_hourly')
          .select([
            'tenant_id',
            'store_id',
            sql<string>`${m}`.as('month'),
            'hour',
            'register_id',
            'staff_id',
            ...MEASURES.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c)),
          ])
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', storeId)
          .where('local_date', '>=', first)
          .where('local_date', '<=', last)
          .groupBy(['tenant_id', 'store_id', 'hour', 'register_id', 'staff_id']),
      )
      .execute();
    await trx
      .insertInto('insights_product_monthly')
      .columns([
        'tenant_id',
        'store_id',
        'month',
        'variant_id',
        'category_id',
        'qty_milli',
        'revenue',
        'lines',
        'refund_qty_milli',
        'refund_amount',
      ])
      .expression(
        trx
          .selectFrom('insights_product_daily')
          .select([
            'tenant_id',
            'store_id',
            sql<string>`${m}`.as('month'),
            'variant_id',
            sql<string | null>`max(category_id)`.as('category_id'),
            sql<number>`sum(qty_milli)`.as('qty_milli'),
            sql<number>`sum(revenue)`.as('revenue'),
            sql<number>`sum(lines)`.as('lines'),
            sql<number>`sum(refund_qty_milli)`.as('refund_qty_milli'),
            sql<number>`sum(refund_amount)`.as('refund_amount'),
          ])
          .where('tenant_id', '=', tenantId)
          .where('store_id', '=', storeId)
          .where('local_date', '>=', first)
          .where('local_date', '<=', last)
          .groupBy(['tenant_id', 'store_id', 'variant_id']),
      )
      .execute();
  });
}

export async function touchedDays(
  db: Kysely<DB>,
  tenantId: string,
  since: string,
  zones: Map<string, string>,
  pageRows?: number,
) {
  const hourOf = sql<string>`substr(created_at, 1, 13)`;
  // Orders by (updated_at, id) pages: the index on updated_at serves both the minute's few changes
  // and a full rebuild's every order, a short step at a time.
  const orders: { store_id: string; h: string }[] = [];
  const pages = keysetPages<{ id: string; updated_at: string; store_id: string; h: string }>(
    (after, limit) =>
      db
        .selectFrom('orders')
        .select(['id', 'updated_at', 'store_id', hourOf.as('h')])
        .where('tenant_id', '=', tenantId)
        .$if(after === undefined, (q) => q.where('updated_at', '>', since))
        .$if(after !== undefined, (q) =>
          q
            .where('updated_at', '>=', after!.updated_at)
            .where((eb) => eb.or([eb('updated_at', '>', after!.updated_at), eb('id', '>', after!.id)])),
        )
        .orderBy('updated_at')
        .orderBy('id')
        .limit(limit)
        .execute(),
    pageRows,
  );
  const seen = new Set<string>();
  for await (const page of pages)
    for (const o of page) {
      const key = `${o.store_id}\u0000${o.h}`;
      if (!seen.has(key)) {
        seen.add(key);
        orders.push(o);
      }
    }
  // refunds are few (a few in a hundred orders): one grouped read
  const refunds = await db
    .selectFrom('refunds')
    .select(['store_id', hourOf.as('h')])
    .where('tenant_id', '=', tenantId)
    .where('created_at', '>', since)
    .groupBy(['store_id', hourOf])
    .execute();
  const days = new Map<string, Set<string>>();
  for (const row of [...orders, ...refunds]) {
    const tz = zones.get(row.store_id);
    if (!tz) continue;
    let set = days.get(row.store_id);
    if (!set) days.set(row.store_id, (set = new Set()));
    // Both ends of the UTC hour, for zones whose offset is not a whole hour.
    set.add(localDateHour(`${row.h}:00:00.000Z`, tz).date);
    set.add(localDateHour(`${row.h}:59:59.999Z`, tz).date);
  }
  return days;
}

/** Rebuilds one store's rollups for one local date, in one transaction. */
export async function rebuildDay(
  db: Kysely<DB>,
  tenantId: string,
  storeId: string,
  timeZone: string,
  date: string,
) {
  const from = localDateStartUtc(date, timeZone);
  const to = localDateStartUtc(addDays(date, 1), timeZone);
  const oq = quarterOf('o.created_at');
  const live = sql<boolean>`o.status <> 'voided'`;

  const orderRows = await db
    .selectFrom('orders as o')
    .select([
      oq.h.as('h'),
      oq.q.as('q'),
      'o.register_id',
      'o.staff_id',
      sql<number>`sum(case when ${live} then 1 else 0 end)`.as('orders'),
      sql<number>`sum(case when ${live} then o.total else 0 end)`.as('sales'),
      sql<number>`sum(case when ${live} then o.tax_total else 0 end)`.as('tax'),
      sql<number>`sum(case when ${live} then o.discount_total else 0 end)`.as('discounts'),
      sql<number>`sum(case when ${live} then 0 else 1 end)`.as('voids'),
      sql<number>`sum(case when ${live} then 0 else o.total end)`.as('void_total'),
    ])
    .where('o.tenant_id', '=', tenantId)
    .where('o.store_id', '=', storeId)
    .where('o.created_at', '>=', from)
    .where('o.created_at', '<', to)
    .groupBy([oq.h, oq.q, 'o.register_id', 'o.staff_id'])
    .execute();
  const itemRows = await db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', (j) =>
      j.onRef('o.tenant_id', '=', 'l.tenant_id').onRef('o.id', '=', 'l.order_id'),
    )
    .select([
      oq.h.as('h'),
      oq.q.as('q'),
      'o.register_id',
      'o.staff_id',
      // Weighed goods count as one item each; counted goods by their quantity.
      sql<number>`sum(case when l.unit = 'each' then l.quantity_milli else 1000 end)`.as('items'),
    ])
    .where('o.tenant_id', '=', tenantId)
    .where('o.store_id', '=', storeId)
    .where('o.created_at', '>=', from)
    .where('o.created_at', '<', to)
    .where('o.status', '<>', 'voided')
    .groupBy([oq.h, oq.q, 'o.register_id', 'o.staff_id'])
    .execute();
  const rq = quarterOf('r.created_at');
  const refundRows = await db
    .selectFrom('refunds as r')
    .select([
      rq.h.as('h'),
      rq.q.as('q'),
      sql<string>`coalesce(r.register_id, '')`.as('register_id'),
      'r.staff_id',
      sql<number>`count(*)`.as('refunds'),
      sql<number>`sum(r.total)`.as('refund_total'),
    ])
    .where('r.tenant_id', '=', tenantId)
    .where('r.store_id', '=', storeId)
    .where('r.created_at', '>=', from)
    .where('r.created_at', '<', to)
    .groupBy([rq.h, rq.q, sql`coalesce(r.register_id, '')`, 'r.staff_id'])
    .execute();
  const productRows = await db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', (j) =>
      j.onRef('o.tenant_id', '=', 'l.tenant_id').onRef('o.id', '=', 'l.order_id'),
    )
    .leftJoin('variants as v', (j) =>
      j.onRef('v.tenant_id', '=', 'l.tenant_id').onRef('v.id', '=', 'l.variant_id'),
    )
    .leftJoin('products as p', (j) =>
      j.onRef('p.tenant_id', '=', 'v.tenant_id').onRef('p.id', '=', 'v.product_id'),
    )
    .select([
      'l.variant_id',
      sql<string | null>`max(p.category_id)`.as('category_id'),
      sql<number>`sum(l.quantity_milli)`.as('qty'),
      sql<number>`sum(l.total)`.as('revenue'),
      sql<number>`count(*)`.as('lines'),
    ])
    .where('o.tenant_id', '=', tenantId)
    .where('o.store_id', '=', storeId)
    .where('o.created_at', '>=', from)
    .where('o.created_at', '<', to)
    .where('o.status', '<>', 'voided')
    .groupBy('l.variant_id')
    .execute();
  // What was handed back this day, per item, whatever day it was sold on.
  const refundedRows = await db
    .selectFrom('refunds as r')
    .innerJoin('refund_lines as rl', (j) =>
      j
        .onRef('rl.tenant_id', '=', 'r.tenant_id')
        .onRef('rl.order_id', '=', 'r.order_id')
        .onRef('rl.refund_id', '=', 'r.id'),
    )
    .innerJoin('order_lines as l', (j) =>
      j
        .onRef('l.tenant_id', '=', 'rl.tenant_id')
        .onRef('l.order_id', '=', 'rl.order_id')
        .onRef('l.line_id', '=', 'rl.line_id'),
    )
    .leftJoin('variants as v', (j) =>
      j.onRef('v.tenant_id', '=', 'l.tenant_id').onRef('v.id', '=', 'l.variant_id'),
    )
    .leftJoin('products as p', (j) =>
      j.onRef('p.tenant_id', '=', 'v.tenant_id').onRef('p.id', '=', 'v.product_id'),
    )
    .select([
      'l.variant_id',
      sql<string | null>`max(p.category_id)`.as('category_id'),
      sql<number>`sum(rl.quantity_milli)`.as('qty'),
      sql<number>`sum(rl.amount)`.as('amount'),
    ])
    .where('r.tenant_id', '=', tenantId)
    .where('r.store_id', '=', storeId)
    .where('r.created_at', '>=', from)
    .where('r.created_at', '<', to)
    .groupBy('l.variant_id')
    .execute();
  const paymentRows = await db
    .selectFrom('payments as p')
    .innerJoin('orders as o', (j) =>
      j.onRef('o.tenant_id', '=', 'p.tenant_id').onRef('o.id', '=', 'p.order_id'),
    )
    .select(['p.kind', sql<number>`count(*)`.as('payments'), sql<number>`sum(p.amount)`.as('amount')])
    .where('o.tenant_id', '=', tenantId)
    .where('o.store_id', '=', storeId)
    .where('o.created_at', '>=', from)
    .where('o.created_at', '<', to)
    .where('o.status', '<>', 'voided')
    .where('p.status', 'not in', ['declined', 'reversed', 'voided', 'pending'])
    .groupBy('p.kind')
    .execute();

  // Merge the three hourly sources by (local hour, register, staff).
  type Acc = Omit<DB['insights_sales_hourly'], 'tenant_id' | 'store_id' | 'local_date'>;
  const hourly = new Map<string, Acc>();
  const hourOfQuarter = new Map<string, number>();
  const cell = (h: string, q: unknown, registerId: string, staffId: string): Acc => {
    const start = `${h}:${String(Number(q) * 15).padStart(2, '0')}:00.000Z`;
    let hour = hourOfQuarter.get(start);
    if (hour === undefined) hourOfQuarter.set(start, (hour = localDateHour(start, timeZone).hour));
    const key = `${hour}\u0000${registerId}\u0000${staffId}`;
    let acc = hourly.get(key);
    if (!acc) {
      acc = {
        hour,
        register_id: registerId,
        staff_id: staffId,
        orders: 0,
        items_milli: 0,
        sales: 0,
        tax: 0,
        discounts: 0,
        voids: 0,
        void_total: 0,
        refunds: 0,
        refund_total: 0,
      };
      hourly.set(key, acc);
    }
    return acc;
  };
  for (const r of orderRows) {
    const a = cell(r.h, r.q, r.register_id, r.staff_id);
    a.orders += n(r.orders);
    a.sales += n(r.sales);
    a.tax += n(r.tax);
    a.discounts += n(r.discounts);
    a.voids += n(r.voids);
    a.void_total += n(r.void_total);
  }
  for (const r of itemRows) cell(r.h, r.q, r.register_id, r.staff_id).items_milli += n(r.items);
  for (const r of refundRows) {
    const a = cell(r.h, r.q, r.register_id, r.staff_id);
    a.refunds += n(r.refunds);
    a.refund_total += n(r.refund_total);
  }

  const key = { tenant_id: tenantId, store_id: storeId, local_date: date };
  await db.transaction().execute(async (trx) => {
    for (const table of [
      'insights_sales_hourly',
      'insights_sales_daily',
      'insights_product_daily',
      'insights_payment_daily',
    ] as const) {
      await trx
        .deleteFrom(table)
        .where('tenant_id', '=', tenantId)
        .where('store_id', '=', storeId)
        .where('local_date', '=', date)
        .execute();
    }
    const rows = [...hourly.values()].map((a) => ({ ...key, ...a }));
    if (rows.length > 0) {
      const day = {
        ...key,
        orders: 0,
        items_milli: 0,
        sales: 0,
        tax: 0,
        discounts: 0,
        voids: 0,
        void_total: 0,
        refunds: 0,
        refund_total: 0,
      };
      for (const r of rows) for (const m of MEASURES) day[m] += r[m];
      await trx.insertInto('insights_sales_daily').values(day).execute();
    }
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('insights_sales_hourly')
        .values(rows.slice(i, i + 200))
        .execute();
    const byVariant = new Map<string, DB['insights_product_daily']>();
    for (const r of productRows)
      byVariant.set(r.variant_id, {
        ...key,
        variant_id: r.variant_id,
        category_id: r.category_id ?? null,
        qty_milli: n(r.qty),
        revenue: n(r.revenue),
        lines: n(r.lines),
        refund_qty_milli: 0,
        refund_amount: 0,
      });
    for (const r of refundedRows) {
      const row = byVariant.get(r.variant_id) ?? {
        ...key,
        variant_id: r.variant_id,
        category_id: r.category_id ?? null,
        qty_milli: 0,
        revenue: 0,
        lines: 0,
        refund_qty_milli: 0,
        refund_amount: 0,
      };
      row.refund_qty_milli += n(r.qty);
      row.refund_amount += n(r.amount);
      byVariant.set(r.variant_id, row);
    }
    const products = [...byVariant.values()];
    for (let i = 0; i < products.length; i += 200)
      await trx
        .insertInto('insights_product_daily')
        .values(products.slice(i, i + 200))
        .execute();
    const payments = paymentRows.map((r) => ({
      ...key,
      kind: r.kind,
      payments: n(r.payments),
      amount: n(r.amount),
    }));
    if (payments.length > 0) await trx.insertInto('insights_payment_daily').values(payments).execute();
  });
}

export async function readWatermark(db: Kysely<DB>, tenantId: string, name = WATERMARK): Promise<string> {
  const row = await db
    .selectFrom('insights_watermarks')
    .select('value')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value ?? '';
}

export async function writeWatermark(db: Kysely<DB>, tenantId: string, value: string, name = WATERMARK) {
  await db
    .insertInto('insights_watermarks')
    .values({ tenant_id: tenantId, name, value })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet({ value }))
    .execute();
}

/** Refreshes every touched day of one tenant; returns how many store-days were rebuilt. */
export async function refreshRollups(
  db: Kysely<DB>,
  tenantId: string,
  now: Date,
  options: { full?: boolean; pageRows?: number } = {},
): Promise<{ days: number }> {
  // A full run rebuilds every day with orders: for history imported with back-dated stamps.
  const since = options.full ? '' : await readWatermark(db, tenantId);
  const next = new Date(now.getTime() - LATE_COMMIT_MS).toISOString();
  const stores = await db
    .selectFrom('stores')
    .select(['id', 'time_zone'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const zones = new Map(stores.map((s) => [s.id, s.time_zone]));
  if (options.full) {
    // Rows of days that no longer exist (a store's time zone changed) must not survive a rebuild.
    for (const table of [
      'insights_sales_hourly',
      'insights_sales_daily',
      'insights_sales_monthly',
      'insights_product_daily',
      'insights_product_monthly',
      'insights_payment_daily',
    ] as const)
      await db.deleteFrom(table).where('tenant_id', '=', tenantId).execute();
  }
  const touched = await touchedDays(db, tenantId, since, zones, options.pageRows);
  let days = 0;
  for (const [storeId, dates] of touched) {
    for (const date of [...dates].sort()) {
      await rebuildDay(db, tenantId, storeId, zones.get(storeId)!, date);
      days++;
      // a full rebuild is hundreds of days: let requests in between them
      await yieldToEventLoop();
    }
    for (const month of new Set([...dates].map((d) => d.slice(0, 7))))
      await rebuildMonth(db, tenantId, storeId, month);
  }
  // Never move the watermark backwards (a clock step back would re-scan, which is harmless).
  if (next > since) await writeWatermark(db, tenantId, next);
  else if (options.full) await writeWatermark(db, tenantId, next);
  return { days };
}
