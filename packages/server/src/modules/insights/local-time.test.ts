import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, newOrderId, signInRole, startTestApp, type TestApp } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';

// Dashboards in the store's own time: a store in Asia/Shanghai (UTC+8, no DST) and one in
// America/New_York across the spring-forward night of 2026-03-08 (02:00 EST → 03:00 EDT), then
// the same store moved to Asia/Kolkata (UTC+05:30) and rebuilt. Refunds are booked on their own
// local day beside the sales, per product as per store; RFM is scored per currency.

type Row = Record<string, unknown>;
const NOW = new Date('2026-03-12T12:00:00Z');

describe.each(engines)('insights in local time, refunds and currencies on %s', (engine) => {
  let t: TestApp;
  const clock = fixedClock(NOW);
  /** When the reads happen (moved on, with fresh sign-ins, for the autumn night). */
  let now = NOW;
  let sh: { store: string; register: string; variant: string; price: number };
  let ny: { store: string; register: string; variant: string; price: number };
  const customers: Record<'both' | 'shOnly' | 'nyOnly', string> = { both: '', shOnly: '', nyOnly: '' };
  const sales: Record<string, { id: string; total: number; lineId: string }> = {};

  const get = async (url: string) => {
    clock.set(now);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth('manager') });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json() as Row & { items: Row[] };
  };
  const post = async (url: string, payload?: object, role: 'owner' | 'manager' | 'cashier' = 'manager') => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: t.auth(role),
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
    return res.json() as Row;
  };

  /** A real checkout at a given instant. */
  async function sell(
    name: string,
    at: string,
    where: typeof sh,
    quantity: number,
    customerId: string | null = null,
  ) {
    clock.set(new Date(at));
    const id = newOrderId();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `lt-${id}` },
      payload: {
        id,
        storeId: where.store,
        registerId: where.register,
        customerId,
        lines: [{ variantId: where.variant, quantity }],
        tenders: [{ kind: 'cash', amount: where.price * quantity * 2 }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { id: string; total: number; lines: { lineId: string }[] };
    sales[name] = { id: body.id, total: body.total, lineId: body.lines[0]!.lineId };
  }

  const hours = async (storeId: string, from: string, to: string) =>
    Object.fromEntries(
      (await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=hour`)).items.map((i) => [
        i.key,
        i.orders,
      ]),
    );
  const days = async (storeId: string, from: string, to: string) =>
    Object.fromEntries(
      (await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=day`)).items.map((i) => [
        i.key,
        i.orders,
      ]),
    );
  const refresh = async () => {
    clock.set(now);
    await post('/insights/refresh?full=true');
  };

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    const db = t.deps.database.db;
    const pick = async (storeId: string) => {
      const p = await db
        .selectFrom('prices')
        .innerJoin('variants', 'variants.id', 'prices.variant_id')
        .select(['prices.variant_id', 'prices.price'])
        .where('prices.tenant_id', '=', t.seed.tenantId)
        .where('prices.store_id', '=', storeId)
        .where('variants.unit', '=', 'each')
        .orderBy('prices.variant_id')
        .executeTakeFirstOrThrow();
      return { variant: p.variant_id, price: Number(p.price) };
    };
    sh = {
      store: t.seed.stores.sh.id,
      register: t.seed.stores.sh.registers[0]!,
      ...(await pick(t.seed.stores.sh.id)),
    };
    ny = {
      store: t.seed.stores.sf.id,
      register: t.seed.stores.sf.registers[0]!,
      ...(await pick(t.seed.stores.sf.id)),
    };
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${ny.store}`,
      headers: t.auth('owner'),
      payload: { timeZone: 'America/New_York' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    for (const key of Object.keys(customers) as (keyof typeof customers)[]) {
      customers[key] = String((await post('/customers', { name: `RFM ${key}` })).id);
    }

    // New York, around the spring-forward night (no 02:00–02:59 that day)
    await sell('ny_a', '2026-03-08T04:30:00Z', ny, 1, customers.nyOnly); // Sat 03-07 23:30 EST
    await sell('ny_b', '2026-03-08T06:45:00Z', ny, 2, customers.both); // Sun 03-08 01:45 EST
    await sell('ny_c', '2026-03-08T07:15:00Z', ny, 1, customers.both); // Sun 03-08 03:15 EDT
    await sell('ny_d', '2026-03-09T03:30:00Z', ny, 1); // Sun 03-08 23:30 EDT
    await sell('ny_e', '2026-03-09T04:30:00Z', ny, 1, customers.nyOnly); // Mon 03-09 00:30 EDT
    // Shanghai, on either side of local midnight
    await sell('sh_f', '2026-03-07T23:30:00Z', sh, 1, customers.both); // Sun 03-08 07:30
    await sell('sh_g', '2026-03-08T15:59:00Z', sh, 3, customers.shOnly); // Sun 03-08 23:59
    await sell('sh_h', '2026-03-08T16:00:00Z', sh, 1); // Mon 03-09 00:00

    // One of the two units of ny_b comes back on Mon 03-09 22:00 EDT (03-10 02:00 UTC)
    clock.set(new Date('2026-03-10T02:00:00Z'));
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sales.ny_b!.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { lines: [{ lineId: sales.ny_b!.lineId, quantity: 1 }], reason: 'changed mind' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    (sales as Record<string, { total: number }>).refund = {
      total: (refund.json() as { total: number }).total,
    };
    await refresh();
  }, 240_000);
  afterAll(async () => t?.close());

  it('buckets hours and days in the store’s zone, across the DST change', async () => {
    // New York: 03-08 has 01:xx EST, 03:xx EDT and 23:xx EDT; 02 never happened
    expect(await hours(ny.store, '2026-03-08', '2026-03-08')).toEqual({ '01': 1, '03': 1, '23': 1 });
    expect(await hours(ny.store, '2026-03-07', '2026-03-07')).toEqual({ '23': 1 });
    expect(await hours(ny.store, '2026-03-09', '2026-03-09')).toMatchObject({ '00': 1 });
    expect(await days(ny.store, '2026-03-01', '2026-03-31')).toEqual({
      '2026-03-07': 1,
      '2026-03-08': 3,
      '2026-03-09': 1,
    });
    // Shanghai: 07:30 and 23:59 on 03-08, 00:00 on 03-09
    expect(await hours(sh.store, '2026-03-08', '2026-03-08')).toEqual({ '07': 1, '23': 1 });
    expect(await hours(sh.store, '2026-03-09', '2026-03-09')).toEqual({ '00': 1 });
    expect(await days(sh.store, '2026-03-01', '2026-03-31')).toEqual({ '2026-03-08': 2, '2026-03-09': 1 });
    // The whole month (read from the monthly rollups) agrees with the days
    const month = await get(`/insights/summary?storeId=${ny.store}&from=2026-03-01&to=2026-03-31`);
    expect(month.orders).toBe(5);
    const byRegister = await get(
      `/insights/sales?storeId=${ny.store}&from=2026-03-01&to=2026-03-31&by=register`,
    );
    expect(byRegister.items.reduce((s, i) => s + Number(i.orders), 0)).toBe(5);
  });

  it('books a refund on its own local day, beside the sales, per store and per product', async () => {
    const refundTotal = (sales as Record<string, { total: number }>).refund!.total;
    expect(refundTotal).toBeGreaterThan(0);
    const d8 = await get(`/insights/summary?storeId=${ny.store}&from=2026-03-08&to=2026-03-08`);
    const d9 = await get(`/insights/summary?storeId=${ny.store}&from=2026-03-09&to=2026-03-09`);
    expect(d8).toMatchObject({ refunds: 0, refundTotal: 0 });
    expect(d9).toMatchObject({ refunds: 1, refundTotal });
    // the refund's hour is 22:00 local on 03-09
    const h9 = await get(`/insights/sales?storeId=${ny.store}&from=2026-03-09&to=2026-03-09&by=hour`);
    expect(h9.items.find((i) => i.key === '22')).toMatchObject({ orders: 0, refunds: 1, refundTotal });

    const product = async (from: string, to: string, by = 'product') =>
      (await get(`/insights/products?storeId=${ny.store}&from=${from}&to=${to}&by=${by}`)).items[0]!;
    const sold = [sales.ny_a!, sales.ny_b!, sales.ny_c!, sales.ny_d!, sales.ny_e!];
    const soldTotal = sold.reduce((s, o) => s + o.total, 0);
    // 03-08 alone: sold 2 + 1 + 1, nothing handed back yet
    expect(await product('2026-03-08', '2026-03-08')).toMatchObject({
      id: ny.variant,
      quantity: 4,
      refundedQuantity: 0,
      netQuantity: 4,
      revenue: sales.ny_b!.total + sales.ny_c!.total + sales.ny_d!.total,
      refundedRevenue: 0,
    });
    // 03-09 alone: one sold, one handed back
    expect(await product('2026-03-09', '2026-03-09')).toMatchObject({
      quantity: 1,
      refundedQuantity: 1,
      netQuantity: 0,
      revenue: sales.ny_e!.total,
      refundedRevenue: refundTotal,
      netRevenue: sales.ny_e!.total - refundTotal,
    });
    // the month, from the monthly rollups, and a range that cuts it (daily rollups) agree
    for (const [from, to] of [
      ['2026-03-01', '2026-03-31'],
      ['2026-03-07', '2026-03-10'],
    ] as const) {
      expect(await product(from, to), `${from}..${to}`).toMatchObject({
        quantity: 6,
        refundedQuantity: 1,
        netQuantity: 5,
        revenue: soldTotal,
        refundedRevenue: refundTotal,
        netRevenue: soldTotal - refundTotal,
      });
      expect(await product(from, to, 'category'), `category ${from}..${to}`).toMatchObject({
        refundedQuantity: 1,
        netRevenue: soldTotal - refundTotal,
      });
    }
    // stock cover counts what was sold net of returns
    const cover = await get(`/insights/stock?storeId=${ny.store}&from=2026-03-01&to=2026-03-31&limit=1000`);
    expect(cover.items.find((i) => i.variantId === ny.variant)).toMatchObject({ sold: 5 });
    // and the CSV export carries the refund columns
    clock.set(now);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/v1/insights/products?storeId=${ny.store}&from=2026-03-01&to=2026-03-31&format=csv`,
      headers: t.auth('manager'),
    });
    expect(csv.body.split('\n')[0]).toContain('refundedQuantity');
  });

  it('scores RFM per currency: monetary never adds yuan to dollars', async () => {
    clock.set(now);
    const run = await post('/insights/segments/refresh');
    expect(run).toMatchObject({ customers: 4, currencies: { CNY: 2, USD: 2 } });
    const rows = await t.deps.database.db
      .selectFrom('insights_rfm')
      .select(['customer_id', 'currency', 'monetary', 'frequency', 'recency_days', 'm'])
      .where('tenant_id', '=', t.seed.tenantId)
      .execute();
    const of = (c: string, cur: string) => rows.find((r) => r.customer_id === c && r.currency === cur);
    expect(rows).toHaveLength(4);
    // the customer who bought in both stores has one score in each currency
    expect(of(customers.both, 'USD')).toMatchObject({
      monetary: sales.ny_b!.total + sales.ny_c!.total,
      frequency: 2,
      // last NY purchase on local 03-08; today is 03-12 in New York
      recency_days: 4,
    });
    expect(of(customers.both, 'CNY')).toMatchObject({ monetary: sales.sh_f!.total, frequency: 1 });
    expect(of(customers.shOnly, 'USD')).toBeUndefined();
    expect(of(customers.nyOnly, 'CNY')).toBeUndefined();
    // ranked within each currency: in CNY the 3-unit buyer outspends the other; in USD the
    // 3-unit buyer (two visits) outspends the 2-unit one
    expect(Number(of(customers.shOnly, 'CNY')!.m)).toBeGreaterThan(Number(of(customers.both, 'CNY')!.m));
    expect(Number(of(customers.both, 'USD')!.m)).toBeGreaterThan(Number(of(customers.nyOnly, 'USD')!.m));

    const segments = await get('/insights/segments');
    for (const cur of ['CNY', 'USD']) {
      const mine = segments.items.filter((i) => i.currency === cur);
      expect(mine.reduce((s, i) => s + Number(i.customers), 0)).toBe(2);
      expect(mine.reduce((s, i) => s + Number(i.monetary), 0)).toBe(
        rows.filter((r) => r.currency === cur).reduce((s, r) => s + Number(r.monetary), 0),
      );
    }
  });

  it('the fall-back night has 25 hours: both 01:00 hours share one bucket, the day one date', async () => {
    now = new Date('2026-11-05T12:00:00Z');
    clock.set(now);
    for (const role of ['owner', 'manager', 'cashier'] as const)
      t.tokens[role] = await signInRole(t, role, clock);
    await sell('ny_fb1', '2026-11-01T05:30:00Z', ny, 1); // Sun 11-01 01:30 EDT
    await sell('ny_fb2', '2026-11-01T06:30:00Z', ny, 1); // Sun 11-01 01:30 EST, an hour later
    await sell('ny_fb3', '2026-11-02T04:30:00Z', ny, 1); // Sun 11-01 23:30 EST
    await sell('ny_fb4', '2026-11-02T05:30:00Z', ny, 1); // Mon 11-02 00:30 EST
    await refresh();
    expect(await hours(ny.store, '2026-11-01', '2026-11-01')).toEqual({ '01': 2, '23': 1 });
    expect(await days(ny.store, '2026-10-25', '2026-11-07')).toEqual({ '2026-11-01': 3, '2026-11-02': 1 });
  });

  it('a store moved to a half-hour zone is rebuilt in it, with no stale days left', async () => {
    clock.set(now);
    const moved = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${ny.store}`,
      headers: t.auth('owner'),
      payload: { timeZone: 'Asia/Kolkata' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await refresh();
    // 04:30Z → 10:00, 06:45Z → 12:15, 07:15Z → 12:45 on 03-08; 03:30Z → 09:00, 04:30Z → 10:00 on 03-09
    expect(await hours(ny.store, '2026-03-08', '2026-03-08')).toEqual({ '10': 1, '12': 2 });
    expect(await hours(ny.store, '2026-03-09', '2026-03-09')).toEqual({ '09': 1, '10': 1 });
    // 03-10 holds only the refund
    expect(await days(ny.store, '2026-03-01', '2026-03-31')).toEqual({
      '2026-03-08': 3,
      '2026-03-09': 2,
      '2026-03-10': 0,
    });
    // the refund (02:00Z on 03-10) is 07:30 on 03-10 in Kolkata
    const d10 = await get(`/insights/sales?storeId=${ny.store}&from=2026-03-10&to=2026-03-10&by=hour`);
    expect(d10.items.map((i) => [i.key, i.refunds])).toEqual([['07', 1]]);
    expect((await get(`/insights/summary?storeId=${ny.store}&from=2026-03-07&to=2026-03-07`)).orders).toBe(0);
  });
});
