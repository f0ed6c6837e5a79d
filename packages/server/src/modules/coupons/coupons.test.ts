import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoVariants,
  engines,
  newOrderId,
  startTestApp,
  type DemoVariant,
  type TestApp,
} from '../../../test/harness';
import type { OrderView } from '../orders/view';
import { CODE_ALPHABET } from '../customers/codes';
import type { CouponView } from './service';

describe.each(engines)('coupons (%s)', (engine) => {
  let t: TestApp;
  let items: DemoVariant[];
  let sh: { id: string; registers: string[] };

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh;
    items = await demoVariants(t, { unit: 'each', limit: 2 });
  });
  afterAll(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT',
    url: string,
    payload?: object,
    role: 'cashier' | 'manager' = 'manager',
  ) => t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(role), ...(payload ? { payload } : {}) });
  const lines = () => [{ variantId: items[0]!.id, quantity: 3 }];
  const gross = () => 3 * items[0]!.prices[sh.id]!;
  const sell = (couponCode: string, extra: object = {}, registerId = sh.registers[0]) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `c-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId: sh.id,
        registerId,
        couponCode,
        lines: lines(),
        tenders: [{ kind: 'cash', amount: gross() }],
        ...extra,
      },
    });
  const coupon = async (body: object) => {
    const res = await call('POST', '/coupons', {
      name: 'Test',
      kind: 'amount',
      value: 500,
      currency: 'CNY',
      ...body,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CouponView;
  };

  it('takes an amount-off coupon at checkout and records the use', async () => {
    const c = await coupon({ code: 'spring-5' });
    expect(c.code).toBe('SPRING5');
    const res = await sell('Spring 5');
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as OrderView;
    expect(order.total).toBe(gross() - 500);
    expect(order.discountTotal).toBe(500);
    const listed = (await call('GET', '/coupons')).json().items as CouponView[];
    expect(listed.find((x) => x.id === c.id)?.uses).toBe(1);
    const again = await sell('SPRING5');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('coupon_used_up');
  });

  it('spends a single-use code once when two registers check out with it at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await coupon({ code: `RACE${round}X` });
      const before = await t.deps.database.db.selectFrom('orders').select('id').execute();
      const results = await Promise.all([
        sell(c.code, {}, sh.registers[0]),
        sell(c.code, {}, sh.registers[1]),
      ]);
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses, results.map((r) => r.body).join('\n')).toEqual([201, 409]);
      expect(results.find((r) => r.statusCode === 409)!.json().error.code).toBe('coupon_used_up');
      const uses = await t.deps.database.db
        .selectFrom('coupon_redemptions')
        .selectAll()
        .where('coupon_id', '=', c.id)
        .execute();
      expect(uses).toHaveLength(1);
      // the losing checkout wrote nothing at all
      expect((await t.deps.database.db.selectFrom('orders').select('id').execute()).length).toBe(
        before.length + 1,
      );
    }
  });

  it('lets a multi-use code be used up to its limit, and a customer up to theirs', async () => {
    const cust = (await call('POST', '/customers', { name: 'Limit' }, 'cashier')).json() as { id: string };
    const c = await coupon({
      code: 'MULTI3',
      maxUses: 3,
      perCustomerLimit: 1,
      kind: 'percent',
      value: 1000,
      currency: null,
    });
    const first = await sell('MULTI3', { customerId: cust.id });
    expect(first.statusCode, first.body).toBe(201);
    expect((first.json() as OrderView).discountTotal).toBe(Math.round(gross() / 10));
    const twice = await sell('MULTI3', { customerId: cust.id });
    expect(twice.json().error.code).toBe('coupon_used_up');
    expect((await sell('MULTI3')).json().error.code).toBe('customer_required');
    const others = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const o = (await call('POST', '/customers', { name: `Other ${i}` }, 'cashier')).json() as {
          id: string;
        };
        return sell('MULTI3', { customerId: o.id });
      }),
    );
    // three customers, two uses left: whatever the interleaving, exactly two succeed
    expect(others.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(others.filter((r) => r.statusCode === 409)).toHaveLength(1);
    expect(
      (await call('GET', `/coupons?limit=1000`)).json().items.find((x: CouponView) => x.id === c.id).uses,
    ).toBe(3);
  });

  it('respects validity windows, currency, issue to a customer and switching off', async () => {
    const future = await coupon({
      code: 'LATER1',
      validFrom: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect((await sell(future.code)).json().error.code).toBe('coupon_not_valid');
    const past = await coupon({ code: 'GONE1', validTo: new Date(Date.now() - 1000).toISOString() });
    expect((await sell(past.code)).json().error.code).toBe('coupon_not_valid');
    const usd = await coupon({ code: 'DOLLAR1', currency: 'USD' });
    expect((await sell(usd.code)).json().error.code).toBe('coupon_not_valid');
    const someone = (await call('POST', '/customers', { name: 'Owner of coupon' }, 'cashier')).json() as {
      id: string;
    };
    const issued = await coupon({ code: 'MINE1', customerId: someone.id });
    expect((await sell(issued.code)).json().error.code).toBe('coupon_not_valid');
    expect((await sell(issued.code, { customerId: someone.id })).statusCode).toBe(201);
    const off = await coupon({ code: 'OFF1' });
    expect((await call('PATCH', `/coupons/${off.id}`, { active: false })).statusCode).toBe(200);
    expect((await sell(off.code)).json().error.code).toBe('unknown_coupon');
    expect((await sell('NOSUCHCODE')).statusCode).toBe(422);
    const min = await coupon({ code: 'BIGSPEND', minSpend: gross() + 1 });
    expect((await sell(min.code)).json().error.code).toBe('coupon_not_valid');
    const check = await call('GET', `/coupons/check?code=${min.code}&currency=CNY`, undefined, 'cashier');
    expect(check.json()).toMatchObject({ code: 'BIGSPEND', minSpend: gross() + 1, uses: 0 });
  });

  it('generates batches of unguessable codes without look-alike characters, one per customer of a segment', async () => {
    const res = await call('POST', '/coupons/batches', {
      name: 'Autumn',
      kind: 'percent',
      value: 1500,
      count: 400,
      length: 10,
      prefix: 'AU',
    });
    expect(res.statusCode, res.body).toBe(201);
    const batch = res.json() as { batchId: string; coupons: CouponView[] };
    const codes = batch.coupons.map((c) => c.code);
    expect(new Set(codes).size).toBe(400);
    const alphabet = new Set(CODE_ALPHABET);
    for (const code of codes) {
      expect(code.startsWith('AU')).toBe(true);
      expect(code).toHaveLength(12);
      for (const ch of code.slice(2)) expect(alphabet.has(ch), code).toBe(true);
    }
    // every symbol of the alphabet shows up and none dominates (400 × 10 draws over 25 symbols ≈ 160 each)
    const counts = new Map<string, number>();
    for (const code of codes) for (const ch of code.slice(2)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(CODE_ALPHABET.length);
    for (const n of counts.values()) expect(n).toBeGreaterThan(90);

    const members = await Promise.all(
      ['A', 'B', 'C'].map(
        async (n) => ((await call('POST', '/customers', { name: n }, 'cashier')).json() as { id: string }).id,
      ),
    );
    const seg = await call('POST', '/coupons/batches', {
      name: 'Lapsed',
      kind: 'amount',
      value: 1000,
      currency: 'CNY',
      customerIds: members,
      segment: 'lapsed-90d',
    });
    expect(seg.statusCode, seg.body).toBe(201);
    const issued = (seg.json() as { coupons: CouponView[] }).coupons;
    expect(issued.map((c) => c.customerId).sort()).toEqual([...members].sort());
    expect(issued.every((c) => c.segment === 'lapsed-90d' && c.maxUses === 1)).toBe(true);
    const listed = (
      await call('GET', `/coupons?batchId=${(seg.json() as { batchId: string }).batchId}`)
    ).json().items;
    expect(listed).toHaveLength(3);
  });

  it('unlocks a promotion with a promotion coupon: the engine gives the discount, the code is spent once', async () => {
    const promo = await call('POST', '/promotions', {
      name: 'Coupon 20% off',
      conditions: [{ kind: 'coupon', codes: ['VIP20'] }],
      action: { kind: 'percent_off', percentBp: 2000, target: 'order' },
    });
    expect(promo.statusCode, promo.body).toBe(201);
    // typed without a coupon of the coupons module, the code unlocks nothing
    expect((await sell('VIP20')).json().error.code).toBe('unknown_coupon');
    const c = await coupon({ code: 'VIP20', kind: 'promotion', value: 0, currency: null });
    expect(c.kind).toBe('promotion');
    const res = await sell('VIP20');
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as OrderView & { promotions?: { name: string; amount: number }[] };
    expect(order.discountTotal).toBe(Math.round(gross() / 5));
    expect(order.promotions?.map((p) => p.name)).toEqual(['Coupon 20% off']);
    expect((await sell('VIP20')).json().error.code).toBe('coupon_used_up');
    // a promotion coupon carries no money of its own
    const bad = await call('POST', '/coupons', { name: 'x', code: 'VIPX', kind: 'promotion', value: 5 });
    expect(bad.statusCode).toBe(400);
    await call('PATCH', `/promotions/${(promo.json() as { id: string }).id}`, { active: false });
  });

  it('buys a reward coupon with points; the points leave the ledger and the coupon never earns', async () => {
    await call('PUT', '/loyalty/program', {
      programs: [
        { currency: 'CNY', earnPoints: 1, earnPerMinor: 100, pointsPerUnit: 100, minorPerUnit: 100 },
      ],
    });
    const cust = (await call('POST', '/customers', { name: 'Rewarded' }, 'cashier')).json() as { id: string };
    await call('POST', `/customers/${cust.id}/loyalty/adjustments`, { points: 800, note: 'gift' });
    const short = await call('POST', `/customers/${cust.id}/loyalty/rewards`, {
      points: 900,
      coupon: { name: 'Free coffee', kind: 'amount', value: 900, currency: 'CNY' },
    });
    expect(short.json().error.code).toBe('insufficient_points');
    const res = await call(
      'POST',
      `/customers/${cust.id}/loyalty/rewards`,
      { points: 500, coupon: { name: 'Free coffee', kind: 'amount', value: 500, currency: 'CNY' } },
      'cashier',
    );
    expect(res.statusCode, res.body).toBe(201);
    const reward = res.json() as CouponView;
    expect(reward).toMatchObject({ customerId: cust.id, maxUses: 1 });
    const acc = (await call('GET', `/customers/${cust.id}/loyalty`)).json() as {
      account: { balance: number };
    };
    expect(acc.account.balance).toBe(300);
    const sale = await sell(reward.code, { customerId: cust.id });
    expect(sale.statusCode, sale.body).toBe(201);
    const order = sale.json() as OrderView;
    const after = (await call('GET', `/customers/${cust.id}/loyalty`)).json() as {
      account: { balance: number };
    };
    // earned on what was paid after the reward (VAT included in CNY: the pre-tax amount), 1 point per yuan
    const preTax = order.lines.reduce((s, l) => s + l.total - l.tax, 0);
    expect(after.account.balance - 300).toBe(Math.floor(preTax / 100));
    expect(preTax).toBeLessThan(gross() - 500 + 1);
  });
});
