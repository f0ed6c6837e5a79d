import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoVariants,
  engines,
  newOrderId,
  signInRole,
  startTestApp,
  type DemoVariant,
  type TestApp,
} from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import type { OrderView } from '../orders/view';
import type { CampaignView } from './service';

const DAY = 86_400_000;

/** A small deterministic generator (mulberry32) so the generated history is the same every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(engines)('marketing (%s)', (engine) => {
  let t: TestApp;
  let items: DemoVariant[];
  let sh: { id: string; registers: string[] };
  // 2026-03-01 02:00 UTC = 10:00 in Shanghai
  const clock = fixedClock(new Date('2026-03-01T02:00:00Z'));

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    sh = t.seed.stores.sh;
    items = await demoVariants(t, { unit: 'each', limit: 4 });
  });
  afterAll(() => t.close());

  const fresh: Partial<Record<'cashier' | 'manager', string>> = {};
  const headers = (role: 'cashier' | 'manager') =>
    fresh[role] ? { authorization: `Bearer ${fresh[role]}` } : t.auth(role);
  /** sessions expire while the generated history moves the clock over weeks: sign in again */
  async function signInAgain() {
    for (const role of ['cashier', 'manager'] as const) fresh[role] = await signInRole(t, role, clock);
  }

  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: object,
    role: 'cashier' | 'manager' = 'manager',
  ) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: headers(role), ...(payload ? { payload } : {}) });
  const sell = async (lines: { variantId: string; quantity: number }[], registerId = sh.registers[0]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...headers('cashier'), 'idempotency-key': `m-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId: sh.id,
        registerId,
        lines,
        tenders: [{ kind: 'cash', amount: 10_000_000 }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as OrderView;
  };

  it('shows a campaign on the displays of its store, within its dates and its daily hours (store time)', async () => {
    const make = async (body: object) => {
      const res = await call('POST', '/campaigns', body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as CampaignView;
    };
    const morning = await make({
      name: 'Morning coffee',
      storeId: sh.id,
      mediaKind: 'image',
      mediaUrl: 'https://cdn.example.com/coffee.png',
      text: 'Coffee + pastry',
      textZh: '咖啡配点心',
      hint: 'Add a pastry: 20% off',
      hintZh: '加一份点心享八折',
      variantIds: [items[0]!.id],
      startsAt: '2026-02-20T00:00:00Z',
      endsAt: '2026-03-20T00:00:00Z',
      dailyFrom: 7 * 60,
      dailyTo: 11 * 60,
    });
    await make({
      name: 'Elsewhere',
      storeId: t.seed.stores.sf.id,
      mediaKind: 'text',
      text: 'SF only',
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2027-01-01T00:00:00Z',
    });
    await make({
      name: 'Ended',
      mediaKind: 'video',
      mediaUrl: '/media/old.mp4',
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2026-02-01T00:00:00Z',
    });
    const showing = async () =>
      (
        (await call('GET', `/campaigns/showing?storeId=${sh.id}`, undefined, 'cashier')).json() as {
          items: CampaignView[];
        }
      ).items.map((c) => c.name);
    expect(await showing()).toEqual(['Morning coffee']); // 10:00 local
    clock.set(new Date('2026-03-01T05:00:00Z')); // 13:00 local: outside the daily hours
    fresh.cashier = await signInRole(t, 'cashier', clock); // the 02:00 token lives 15 minutes
    expect(await showing()).toEqual([]);
    clock.set(new Date('2026-03-01T02:00:00Z'));
    delete fresh.cashier; // back at 02:00 the first sign-in is live again
    expect((await call('PATCH', `/campaigns/${morning.id}`, { active: false })).statusCode).toBe(200);
    expect(await showing()).toEqual([]);
    expect((await call('PATCH', `/campaigns/${morning.id}`, { active: true })).statusCode).toBe(200);
    const bad = await call('POST', '/campaigns', {
      name: 'x',
      mediaKind: 'image',
      startsAt: '2026-03-01T00:00:00Z',
      endsAt: '2026-03-02T00:00:00Z',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
  });

  it('opens the e-receipt by its unguessable link and takes one feedback per purchase, reported by store and staff', async () => {
    const order = await sell([{ variantId: items[1]!.id, quantity: 1 }]);
    const link = await call('POST', `/orders/${order.id}/receipt-link`, {}, 'cashier');
    expect(link.statusCode).toBe(200);
    const { token } = link.json() as { token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await call('POST', `/orders/${order.id}/receipt-link`, {}, 'cashier')).json()).toEqual({ token });

    const page = await t.app.inject({ method: 'GET', url: `/api/v1/e-receipts/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ order: { id: order.id, total: order.total }, feedback: null });
    const wrong = await t.app.inject({ method: 'GET', url: `/api/v1/e-receipts/${'A'.repeat(22)}` });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().error.code).toBe('unknown_receipt');

    const give = (body: object) =>
      t.app.inject({ method: 'POST', url: `/api/v1/e-receipts/${token}/feedback`, payload: body });
    expect((await give({ rating: 6, source: 'display' })).statusCode).toBe(400);
    const fb = await give({ rating: 5, nps: 10, comment: '很好 Great', source: 'display' });
    expect(fb.statusCode, fb.body).toBe(201);
    const twice = await give({ rating: 1, source: 'receipt' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('feedback_exists');

    const second = await sell([{ variantId: items[1]!.id, quantity: 2 }], sh.registers[1]);
    const token2 = (
      (await call('POST', `/orders/${second.id}/receipt-link`, {}, 'cashier')).json() as { token: string }
    ).token;
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/e-receipts/${token2}/feedback`,
          payload: { rating: 3, nps: 5, source: 'receipt' },
        })
      ).statusCode,
    ).toBe(201);

    const report = (await call('GET', `/feedback?storeId=${sh.id}`)).json() as {
      items: { orderId: string; registerId: string; staffId: string; staffName: string; rating: number }[];
      byStore: { key: string; count: number; averageRating: number; nps: number }[];
      byStaff: { key: string; count: number }[];
    };
    expect(report.items.map((i) => i.orderId).sort()).toEqual([order.id, second.id].sort());
    expect(report.items.find((i) => i.orderId === second.id)).toMatchObject({
      registerId: sh.registers[1],
      staffId: order.staffId,
    });
    expect(report.items[0]?.staffName).toBeTruthy();
    // one promoter (10), one detractor (5): NPS 0; ratings 5 and 3
    expect(report.byStore).toEqual([{ key: sh.id, count: 2, averageRating: 4, nps: 0 }]);
    expect(report.byStaff).toEqual([expect.objectContaining({ key: order.staffId, count: 2 })]);
    expect((await call('GET', `/feedback?storeId=${t.seed.stores.sf.id}`)).json().items).toEqual([]);

    // the register makes the token itself (offline receipts carry it) and sends it with the sale
    const deviceToken = 'dEvIcE-mAdE_tOkEn-0123456789';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...headers('cashier'), 'idempotency-key': `m-token-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId: sh.id,
        registerId: sh.registers[0],
        receiptToken: deviceToken,
        lines: [{ variantId: items[1]!.id, quantity: 1 }],
        tenders: [{ kind: 'cash', amount: 10_000_000 }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const viaToken = await t.app.inject({ method: 'GET', url: `/api/v1/e-receipts/${deviceToken}` });
    expect(viaToken.json()).toMatchObject({ order: { id: (res.json() as OrderView).id, customerId: null } });
    expect(
      (await call('POST', `/orders/${(res.json() as OrderView).id}/receipt-link`, {}, 'cashier')).json(),
    ).toEqual({
      token: deviceToken,
    });
  });

  it('measures a campaign: promoted items per day during the campaign against the weeks before', async () => {
    // generated history: 28 days before and 14 days during a campaign on two promoted items;
    // shoppers pick a promoted item with probability 0.2 before and 0.35 during
    const promoted = [items[2]!.id, items[3]!.id];
    const other = [items[0]!.id, items[1]!.id];
    const start = Date.parse('2026-04-01T00:00:00Z');
    const rand = prng(42);
    const truth = { before: { units: 0, revenue: 0 }, during: { units: 0, revenue: 0 } };
    // the history is written as the orders module stores sales (orders + lines); checkout
    // itself is tested elsewhere, and 250 sales over six weeks through it would need a sign-in
    // every 12 simulated hours
    const db = t.deps.database.db;
    for (let day = -28; day < 14; day++) {
      const window = day < 0 ? 'before' : 'during';
      const p = day < 0 ? 0.2 : 0.35;
      for (let sale = 0; sale < 6; sale++) {
        const at = new Date(start + day * DAY + (2 + sale) * 3_600_000).toISOString();
        const merged = new Map<string, number>();
        for (let pick = 0; pick < 3; pick++) {
          const pool = rand() < p ? promoted : other;
          const v = pool[Math.floor(rand() * pool.length)]!;
          merged.set(v, (merged.get(v) ?? 0) + 1 + Math.floor(rand() * 2));
        }
        const id = newOrderId();
        const lines = [...merged].map(([variantId, qty], i) => {
          const price = items.find((x) => x.id === variantId)!.prices[sh.id]!;
          const total = price * qty;
          if (promoted.includes(variantId)) {
            truth[window].units += qty;
            truth[window].revenue += total;
          }
          return {
            tenant_id: t.seed.tenantId,
            order_id: id,
            line_no: i + 1,
            line_id: String(i + 1),
            variant_id: variantId,
            name: variantId,
            name_zh: null,
            unit: 'each',
            quantity_milli: qty * 1000,
            unit_price: price,
            gross: total,
            line_discount: 0,
            order_discount: 0,
            net: total,
            tax: 0,
            total,
            tax_class_id: 'tax_none',
            rate_ppm: 0,
            discount: null,
          };
        });
        const total = lines.reduce((a, l) => a + l.total, 0);
        await db
          .insertInto('orders')
          .values({
            id,
            tenant_id: t.seed.tenantId,
            store_id: sh.id,
            register_id: sh.registers[0]!,
            cash_session_id: null,
            staff_id: 'stf_history',
            customer_id: null,
            status: 'paid',
            currency: 'CNY',
            subtotal: total,
            discount_total: 0,
            tax_total: 0,
            total,
            cash_rounding: 0,
            change_given: 0,
            refunded_total: 0,
            details: '{}',
            stock_flagged: 0,
            client_created_at: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
        await db.insertInto('order_lines').values(lines).execute();
      }
    }
    clock.set(new Date(start + 20 * DAY));
    await signInAgain();
    const c = (
      await call('POST', '/campaigns', {
        name: 'Spring snacks',
        storeId: sh.id,
        mediaKind: 'text',
        text: 'Snacks on offer',
        variantIds: promoted,
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 14 * DAY).toISOString(),
      })
    ).json() as CampaignView;
    const res = await call(
      'GET',
      `/campaigns/${c.id}/uplift?baselineFrom=${new Date(start - 28 * DAY).toISOString()}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as {
      during: { days: number; units: number; revenue: number; unitsPerDay: number };
      baseline: { days: number; units: number; revenue: number; unitsPerDay: number };
      unitsUpliftPct: number;
      revenueUpliftPct: number;
    };
    expect(r.during).toMatchObject({ days: 14, units: truth.during.units, revenue: truth.during.revenue });
    expect(r.baseline).toMatchObject({ days: 28, units: truth.before.units, revenue: truth.before.revenue });
    const expectedPct =
      Math.round(((truth.during.units / 14 - truth.before.units / 28) / (truth.before.units / 28)) * 1000) /
      10;
    expect(r.unitsUpliftPct).toBeCloseTo(expectedPct, 0);
    // the campaign raised the share of promoted items: the report must see an uplift
    expect(r.unitsUpliftPct).toBeGreaterThan(20);
    expect(r.revenueUpliftPct).toBeGreaterThan(20);
  });
});
