import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { engines, newOrderId, startTestApp, type TestApp } from '../../../test/harness';
import { generateHistory, companionOf } from '../../seed/generate';
import { createServices } from '../../app';
import { parseCsv } from './csv';
import { createInsightsService } from './service';
import { addDays, localDateHour } from './time';

type Json = Record<string, unknown>;

describe.each(engines)('insights routes on %s', (engine) => {
  let t: TestApp;
  let storeId: string;
  let timeZone: string;
  const from = '2001-01-01';
  const to = '2100-01-01';

  const get = async (url: string, role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'manager') =>
    t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth(role) });
  const post = async (
    url: string,
    payload?: object,
    role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'manager',
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      headers: t.auth(role),
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    t = await startTestApp(engine);
    const made = await generateHistory(t.deps, t.seed.tenantId, { orders: 400, days: 21, seed: 7 });
    expect(made).toBeGreaterThan(350);
    const store = await t.deps.database.db
      .selectFrom('stores')
      .select(['id', 'time_zone'])
      .where('tenant_id', '=', t.seed.tenantId)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    storeId = store.id;
    timeZone = store.time_zone;
  }, 240_000);
  afterAll(async () => t?.close());

  async function truth() {
    const db = t.deps.database.db;
    const o = await db
      .selectFrom('orders')
      .select([
        sql<number>`count(*)`.as('orders'),
        sql<number>`sum(total)`.as('sales'),
        sql<number>`sum(discount_total)`.as('discounts'),
      ])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('store_id', '=', storeId)
      .where('status', '<>', 'voided')
      .executeTakeFirstOrThrow();
    const r = await db
      .selectFrom('refunds')
      .select([sql<number>`count(*)`.as('refunds'), sql<number>`sum(total)`.as('total')])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('store_id', '=', storeId)
      .executeTakeFirstOrThrow();
    return {
      orders: Number(o.orders),
      sales: Number(o.sales),
      discounts: Number(o.discounts),
      refunds: Number(r.refunds),
      refundTotal: Number(r.total ?? 0),
    };
  }

  it('the rollup job makes dashboards that agree with the orders', async () => {
    // Generated history is back-dated, so it needs the full rebuild an import would use.
    const res = await post('/insights/refresh?full=true');
    expect(res.statusCode).toBe(200);
    expect((res.json() as { days: number }).days).toBeGreaterThan(10);
    const summary = (await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`)).json() as Json;
    const want = await truth();
    expect(summary).toMatchObject({
      orders: want.orders,
      sales: want.sales,
      discounts: want.discounts,
      refunds: want.refunds,
      refundTotal: want.refundTotal,
    });
    expect(summary.averageBasketValue).toBe(Math.round(want.sales / want.orders));
    expect(Number(summary.averageBasketItems)).toBeGreaterThan(1);
  });

  it('sales by hour, day, week, weekday, register and staff all add up to the summary', async () => {
    const want = await truth();
    for (const by of ['hour', 'day', 'week', 'weekday', 'register', 'staff']) {
      const res = await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=${by}`);
      expect(res.statusCode, by).toBe(200);
      const items = (res.json() as { items: { orders: number; sales: number; key: string }[] }).items;
      expect(
        items.reduce((s, i) => s + i.orders, 0),
        by,
      ).toBe(want.orders);
      expect(
        items.reduce((s, i) => s + i.sales, 0),
        by,
      ).toBe(want.sales);
    }
    // Hours are the store's local hours: the generator only sells in opening hours (07–22 local).
    const hours = (
      (await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=hour`)).json() as {
        items: { key: string }[];
      }
    ).items;
    for (const h of hours) expect(Number(h.key)).toBeGreaterThanOrEqual(7);
  });

  it('ranges that cut months (whole months from monthly rollups, edge days from daily) agree', async () => {
    const today = localDateHour(new Date().toISOString(), timeZone).date;
    for (const [a, b] of [
      [addDays(today, -17), addDays(today, -3)],
      [addDays(today, -45), today],
      [`${addDays(today, -40).slice(0, 7)}-01`, today],
    ] as const) {
      const range = `storeId=${storeId}&from=${a}&to=${b}`;
      const summary = (await get(`/insights/summary?${range}`)).json() as { orders: number; sales: number };
      const db = t.deps.database.db;
      const orders = await db
        .selectFrom('orders')
        .select(['created_at', 'total', 'status'])
        .where('tenant_id', '=', t.seed.tenantId)
        .where('store_id', '=', storeId)
        .execute();
      const inRange = orders.filter((o) => {
        const d = localDateHour(o.created_at, timeZone).date;
        return o.status !== 'voided' && d >= a && d <= b;
      });
      expect(summary.orders, `${a}..${b}`).toBe(inRange.length);
      for (const by of ['hour', 'register', 'staff']) {
        const items = (
          (await get(`/insights/sales?${range}&by=${by}`)).json() as {
            items: { orders: number; sales: number }[];
          }
        ).items;
        expect(
          items.reduce((x, i) => x + i.orders, 0),
          `${by} ${a}..${b}`,
        ).toBe(summary.orders);
        expect(
          items.reduce((x, i) => x + i.sales, 0),
          `${by} ${a}..${b}`,
        ).toBe(summary.sales);
      }
      const products = (
        (await get(`/insights/products?${range}&limit=1000`)).json() as { items: { lines: number }[] }
      ).items;
      const lineCount = await db
        .selectFrom('order_lines as l')
        .innerJoin('orders as o', (j) =>
          j.onRef('o.tenant_id', '=', 'l.tenant_id').onRef('o.id', '=', 'l.order_id'),
        )
        .select(['o.created_at'])
        .where('o.tenant_id', '=', t.seed.tenantId)
        .where('o.store_id', '=', storeId)
        .where('o.status', '<>', 'voided')
        .execute();
      const lines = lineCount.filter((l) => {
        const d = localDateHour(l.created_at, timeZone).date;
        return d >= a && d <= b;
      }).length;
      expect(
        products.reduce((x, i) => x + i.lines, 0),
        `products ${a}..${b}`,
      ).toBe(lines);
    }
  });

  it('filters by local date: one day holds exactly that local day’s orders', async () => {
    const db = t.deps.database.db;
    const orders = await db
      .selectFrom('orders')
      .select(['created_at', 'total', 'status'])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('store_id', '=', storeId)
      .execute();
    const day = localDateHour(orders[Math.floor(orders.length / 2)]!.created_at, timeZone).date;
    const expected = orders.filter(
      (o) => o.status !== 'voided' && localDateHour(o.created_at, timeZone).date === day,
    );
    const res = (await get(`/insights/summary?storeId=${storeId}&from=${day}&to=${day}`)).json() as Json;
    expect(res.orders).toBe(expected.length);
    expect(res.sales).toBe(expected.reduce((s, o) => s + Number(o.total), 0));
  });

  it('payment mix, top and bottom products and categories, stock cover; every table exports as CSV', async () => {
    const pay = (await get(`/insights/payments?storeId=${storeId}&from=${from}&to=${to}`)).json() as {
      items: { kind: string; amount: number; share: number }[];
    };
    expect(pay.items.map((p) => p.kind).sort()).toEqual(['card', 'cash']);
    expect(pay.items.reduce((s, p) => s + p.share, 0)).toBeCloseTo(1, 9);
    const top = (
      await get(`/insights/products?storeId=${storeId}&from=${from}&to=${to}&order=top&limit=5`)
    ).json() as { items: { revenue: number; name: string }[] };
    expect(top.items).toHaveLength(5);
    for (let i = 1; i < 5; i++)
      expect(top.items[i - 1]!.revenue).toBeGreaterThanOrEqual(top.items[i]!.revenue);
    const bottom = (
      await get(`/insights/products?storeId=${storeId}&from=${from}&to=${to}&order=bottom&limit=5`)
    ).json() as { items: { revenue: number }[] };
    expect(bottom.items[0]!.revenue).toBeLessThanOrEqual(top.items[4]!.revenue);
    const cats = (
      await get(`/insights/products?storeId=${storeId}&from=${from}&to=${to}&by=category`)
    ).json() as { items: { name: string; nameZh: string | null }[] };
    expect(cats.items.length).toBeGreaterThan(1);
    expect(cats.items[0]!.nameZh).toBeTruthy();
    const stock = (await get(`/insights/stock?storeId=${storeId}&from=${from}&to=${to}&limit=10`)).json() as {
      items: { sold: number; daysOfCover: number | null }[];
    };
    expect(stock.items).toHaveLength(10);
    expect(stock.items[0]!.daysOfCover).not.toBeNull();

    for (const url of [
      `/insights/summary?storeId=${storeId}&from=${from}&to=${to}&format=csv`,
      `/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=day&format=csv`,
      `/insights/payments?storeId=${storeId}&from=${from}&to=${to}&format=csv`,
      `/insights/products?storeId=${storeId}&from=${from}&to=${to}&format=csv`,
      `/insights/stock?storeId=${storeId}&from=${from}&to=${to}&format=csv`,
      `/insights/reorder?storeId=${storeId}&format=csv`,
      `/insights/segments?format=csv`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      const rows = parseCsv(res.body);
      if (rows.length > 0)
        expect(
          rows.every((r) => r.length === rows[0]!.length),
          url,
        ).toBe(true);
    }
    const csv = parseCsv(
      (await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=day&format=csv`)).body,
    );
    expect(csv[0]).toEqual(
      expect.arrayContaining(['key', 'orders', 'sales', 'refunds', 'voids', 'discounts']),
    );
  });

  it('refreshes incrementally: a new sale shows up after the next run, and reruns change nothing', async () => {
    const before = (await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`)).json() as Json;
    const register = await t.deps.database.db
      .selectFrom('registers')
      .select('id')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('store_id', '=', storeId)
      .executeTakeFirstOrThrow();
    const variant = await t.deps.database.db
      .selectFrom('prices')
      .select(['variant_id', 'price'])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('store_id', '=', storeId)
      .orderBy('variant_id')
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 2; i++) {
      const id = newOrderId();
      const sold = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...t.auth('cashier'), 'idempotency-key': `ins-${id}` },
        payload: {
          id,
          storeId,
          registerId: register.id,
          lines: [{ variantId: variant.variant_id, quantity: 1 }],
          tenders: [{ kind: 'cash', amount: Number(variant.price) * 3 }],
        },
      });
      expect(sold.statusCode, sold.body).toBe(201);
    }
    const want = await truth();
    expect(want.orders).toBe(Number(before.orders) + 2);
    const run = (await post('/insights/refresh')).json() as { days: number };
    expect(run.days).toBeGreaterThanOrEqual(1);
    expect(run.days).toBeLessThanOrEqual(4);
    const after = (await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`)).json() as Json;
    expect(after.orders).toBe(want.orders);
    expect(Number(after.orders)).toBeGreaterThanOrEqual(Number(before.orders));
    expect((await post('/insights/refresh')).statusCode).toBe(200);
    expect((await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`)).json()).toEqual(after);
    // A full rebuild over existing rollups gives the same figures.
    const rebuilt = await post('/insights/refresh?full=true');
    expect(rebuilt.statusCode, rebuilt.body).toBe(200);
    expect((await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`)).json()).toEqual(after);
  });

  it('mines rules from baskets and recommends companions for a cart', async () => {
    const mined = await post('/insights/rules/mine', { days: 60, minSupport: 0.003, minConfidence: 0.2 });
    expect(mined.statusCode).toBe(200);
    expect((mined.json() as { rules: number }).rules).toBeGreaterThan(0);
    // The generator pairs each item with a fixed companion; the most popular item's companion should be found.
    const db = t.deps.database.db;
    const variants = await db
      .selectFrom('variants')
      .innerJoin('prices', 'prices.variant_id', 'variants.id')
      .select('variants.id')
      .where('variants.tenant_id', '=', t.seed.tenantId)
      .where('prices.store_id', '=', storeId)
      .where('variants.active', '=', 1)
      .orderBy('variants.sku')
      .execute();
    const first = variants[0]!.id;
    const companion = variants[companionOf(0, variants.length)]!.id;
    const res = await get(`/insights/recommendations?variantIds=${first}&limit=5`, 'cashier');
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: { variantId: string; source: string }[] }).items;
    expect(items.length).toBeLessThanOrEqual(5);
    expect(items.map((i) => i.variantId)).toContain(companion);
    expect(items.map((i) => i.variantId)).not.toContain(first);
    expect(items[0]!.source).toBe('rules');
    // An unknown item still gets something: the popular fallback.
    const cold = (
      await get(`/insights/recommendations?variantIds=var_nothing&limit=3`, 'cashier')
    ).json() as { items: { source: string }[] };
    expect(cold.items).toHaveLength(3);
    expect(cold.items.every((i) => i.source !== 'rules')).toBe(true);
  });

  it('scores members by RFM and recommends from their history', async () => {
    const res = await post('/insights/segments/refresh');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { customers: number; segments: Record<string, number> };
    expect(body.customers).toBeGreaterThan(5);
    expect(Object.values(body.segments).reduce((a, b) => a + b, 0)).toBe(body.customers);
    const seg = (await get('/insights/segments', 'auditor')).json() as { items: { customers: number }[] };
    expect(seg.items.reduce((s, i) => s + i.customers, 0)).toBe(body.customers);
    const mine = (
      await get('/insights/recommendations/customers/cus_gen_000001?limit=4', 'cashier')
    ).json() as { items: unknown[] };
    expect(mine.items).toHaveLength(4);
  });

  it('reads the history a few orders a page to exactly the same rules, segments and rollups', async () => {
    const db = t.deps.database.db;
    const tenantId = t.seed.tenantId;
    const snapshot = async () => ({
      rules: await db
        .selectFrom('insights_rules')
        .select(['rule_no', 'lhs_key', 'rhs', 'support', 'confidence', 'lift', 'count'])
        .where('tenant_id', '=', tenantId)
        .orderBy('rule_no')
        .execute(),
      rfm: await db
        .selectFrom('insights_rfm')
        .select([
          'customer_id',
          'currency',
          'recency_days',
          'frequency',
          'monetary',
          'r',
          'f',
          'm',
          'segment',
        ])
        .where('tenant_id', '=', tenantId)
        .orderBy('customer_id')
        .orderBy('currency')
        .execute(),
      hourly: await db
        .selectFrom('insights_sales_hourly')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('store_id')
        .orderBy('local_date')
        .orderBy('hour')
        .orderBy('register_id')
        .orderBy('staff_id')
        .execute(),
    });
    const rules = { days: 60, minSupport: 0.003, minConfidence: 0.2 };
    // the service the app uses, one page for this small history
    expect((await post('/insights/rules/mine', rules)).statusCode).toBe(200);
    expect((await post('/insights/segments/refresh')).statusCode).toBe(200);
    expect((await post('/insights/refresh?full=true')).statusCode).toBe(200);
    const onePage = await snapshot();
    expect(onePage.rules.length).toBeGreaterThan(0);
    expect(onePage.rfm.length).toBeGreaterThan(5);
    expect(onePage.hourly.length).toBeGreaterThan(20);
    // the same jobs reading 3 orders a page: well over a hundred pages, many ties on the sort keys
    const paged = createInsightsService(t.deps, { stock: createServices(t.deps).stock }, { pageRows: 3 });
    const mined = await paged.mineRules(tenantId, rules);
    expect(mined.ok && mined.value.baskets).toBeGreaterThan(300);
    expect((await paged.refreshRfm(tenantId)).ok).toBe(true);
    expect((await paged.refresh(tenantId, { full: true })).ok).toBe(true);
    expect(await snapshot()).toEqual(onePage);
  });

  it('reorder list → draft purchase order → receive adds stock once; low stock is announced once', async () => {
    const db = t.deps.database.db;
    // Sell-down: the best seller with nothing on hand must be on the list.
    const best = (
      await get(`/insights/products?storeId=${storeId}&from=${from}&to=${to}&order=top&limit=1`)
    ).json() as { items: { id: string }[] };
    const variantId = best.items[0]!.id;
    const level = (await get(`/stock?storeId=${storeId}&variantId=${variantId}`)).json() as {
      items: { onHand: number }[];
    };
    const adj = await post('/stock/adjust', {
      storeId,
      reason: 'damaged',
      lines: [{ variantId, quantity: -level.items[0]!.onHand }],
    });
    expect(adj.statusCode, adj.body).toBeLessThan(300);
    const list = (await get(`/insights/reorder?storeId=${storeId}`)).json() as {
      items: { variantId: string; quantity: number; reorderPoint: number }[];
    };
    const item = list.items.find((i) => i.variantId === variantId)!;
    expect(item).toBeDefined();
    expect(item.quantity).toBeGreaterThan(item.reorderPoint);
    await get(`/insights/reorder?storeId=${storeId}`);
    const events = await db
      .selectFrom('outbox')
      .select('payload')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('topic', '=', 'stock.low')
      .execute();
    expect(
      events.filter((e) => (JSON.parse(e.payload) as { variantId: string }).variantId === variantId),
    ).toHaveLength(1);

    const created = await post('/insights/purchase-orders', { storeId });
    expect(created.statusCode).toBe(201);
    const po = created.json() as {
      id: string;
      status: string;
      lines: { variantId: string; quantity: number }[];
    };
    expect(po.status).toBe('draft');
    const line = po.lines.find((l) => l.variantId === variantId)!;
    expect(line.quantity).toBe(item.quantity);
    // On order now: the item is no longer short.
    const again = (await get(`/insights/reorder?storeId=${storeId}`)).json() as {
      items: { variantId: string }[];
    };
    expect(again.items.map((i) => i.variantId)).not.toContain(variantId);

    expect((await post(`/insights/purchase-orders/${po.id}/receive`, undefined, 'auditor')).statusCode).toBe(
      403,
    );
    const received = await post(`/insights/purchase-orders/${po.id}/receive`);
    expect(received.statusCode, received.body).toBe(200);
    expect((received.json() as { status: string }).status).toBe('received');
    const after = (await get(`/stock?storeId=${storeId}&variantId=${variantId}`)).json() as {
      items: { onHand: number }[];
    };
    expect(after.items[0]!.onHand).toBeCloseTo(line.quantity, 6);
    const twice = await post(`/insights/purchase-orders/${po.id}/receive`);
    expect(twice.statusCode).toBe(409);
    expect((twice.json() as { error: { code: string } }).error.code).toBe('purchase_order_not_draft');
    const moves = await db
      .selectFrom('stock_movements')
      .select('id')
      .where('tenant_id', '=', t.seed.tenantId)
      .where('ref_id', '=', po.id)
      .execute();
    expect(moves).toHaveLength(po.lines.length);
  });

  it('refuses bad input with 4xx and checks permissions', async () => {
    const bad = await get(`/insights/summary?storeId=${storeId}&from=2026-02-30&to=2026-03-01`);
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: { code: string } }).error.code).toBe('invalid_date_range');
    expect((await get(`/insights/summary?storeId=${storeId}&from=2026-03-02&to=2026-03-01`)).statusCode).toBe(
      400,
    );
    expect((await get(`/insights/summary?storeId=sto_nope&from=${from}&to=${to}`)).statusCode).toBe(404);
    expect((await get(`/insights/sales?storeId=${storeId}&from=${from}&to=${to}&by=month`)).statusCode).toBe(
      400,
    );
    expect(
      (await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`, 'cashier')).statusCode,
    ).toBe(403);
    expect(
      (await get(`/insights/summary?storeId=${storeId}&from=${from}&to=${to}`, 'auditor')).statusCode,
    ).toBe(200);
    expect((await post('/insights/refresh', undefined, 'auditor')).statusCode).toBe(403);
    expect((await post('/insights/purchase-orders', { storeId, lines: [] })).statusCode).toBe(422);
    expect(
      (await post('/insights/purchase-orders', { storeId, lines: [{ variantId: 'var_nope', quantity: 1 }] }))
        .statusCode,
    ).toBe(422);
    expect((await get('/insights/purchase-orders/po_nope')).statusCode).toBe(404);
    expect((await post('/insights/rules/mine', { minSupport: 0 })).statusCode).toBe(400);
  });
});
