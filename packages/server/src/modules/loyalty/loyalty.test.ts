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
import type { AccountView } from './service';

const DAY = 86_400_000;

describe.each(engines)('loyalty (%s)', (engine) => {
  let t: TestApp;
  let items: DemoVariant[];
  let categoryOf: Map<string, string | null>;
  const clock = fixedClock(new Date('2026-03-02T10:00:00Z'));
  let sf: { id: string; registers: string[] };

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    sf = t.seed.stores.sf;
    items = await demoVariants(t, { unit: 'each', limit: 4 });
    const rows = await t.deps.database.db
      .selectFrom('variants as v')
      .innerJoin('products as p', 'p.id', 'v.product_id')
      .select(['v.id', 'p.category_id'])
      .where(
        'v.id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    categoryOf = new Map(rows.map((r) => [r.id, r.category_id]));
    // 1 point per USD before tax, double points on the first item's category, 1 point = 1 cent,
    // gold (500 lifetime points) earns ×1.5, points expire after a year, 500 points offline
    const res = await call('PUT', '/loyalty/program', {
      programs: [
        {
          currency: 'USD',
          earnPoints: 1,
          earnPerMinor: 100,
          categoryMultipliersBp: { [categoryOf.get(items[0]!.id) ?? 'none']: 20000 },
          tiers: [{ id: 'gold', name: 'Gold', nameZh: '金卡', minPoints: 500, multiplierBp: 15000 }],
          pointsPerUnit: 1,
          minorPerUnit: 1,
          expiryDays: 365,
          offlineAllowancePoints: 500,
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => t.close());

  const fresh: Partial<Record<'cashier' | 'manager', string>> = {};
  function call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: object,
    role: 'cashier' | 'manager' = 'manager',
  ) {
    const headers = fresh[role] ? { authorization: `Bearer ${fresh[role]}` } : t.auth(role);
    return t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
  }
  /** sessions expire while the clock jumps a year: sign in again */
  async function signInAgain() {
    for (const role of ['cashier', 'manager'] as const) fresh[role] = await signInRole(t, role, clock);
  }

  const newCustomer = async (name: string) => {
    const res = await call('POST', '/customers', { name }, 'cashier');
    expect(res.statusCode).toBe(201);
    return (res.json() as { id: string }).id;
  };
  const account = async (id: string) =>
    ((await call('GET', `/customers/${id}/loyalty`)).json() as { account: AccountView }).account;
  const ledgerSum = async (id: string) =>
    (
      await t.deps.database.db
        .selectFrom('loyalty_ledger')
        .select('points')
        .where('customer_id', '=', id)
        .execute()
    ).reduce((s, r) => s + r.points, 0);
  const sell = (
    customerId: string | null,
    lines: { variantId: string; quantity: number }[],
    tenders: object[],
    extra: object = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `k-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId: sf.id,
        registerId: sf.registers[0],
        customerId,
        lines,
        tenders,
        ...extra,
      },
    });
  const quote = async (lines: { variantId: string; quantity: number }[]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders/quote',
      headers: t.auth('cashier'),
      payload: { id: newOrderId(), storeId: sf.id, registerId: sf.registers[0], lines, tenders: [] },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as OrderView;
  };
  /** points by hand: net before tax per line × category multiplier, one point per 100 cents, rounded down once */
  const expectedEarn = (
    o: OrderView,
    multiplier: (variantId: string) => number,
    paidWithPoints = 0,
    tierBp = 10000,
  ) => {
    const unpaid = (o.total - paidWithPoints) / o.total;
    const exact = o.lines.reduce(
      (s, l) => s + Math.floor((l.total - l.tax) * unpaid) * multiplier(l.variantId),
      0,
    );
    return Math.floor((exact * tierBp) / 10000 / 100);
  };
  const double = (variantId: string) => (categoryOf.get(variantId) === categoryOf.get(items[0]!.id) ? 2 : 1);

  it('earns per dollar before tax with the category multiplier; the balance is the sum of the ledger', async () => {
    const id = await newCustomer('Earner');
    const lines = [
      { variantId: items[0]!.id, quantity: 3 },
      { variantId: items[1]!.id, quantity: 2 },
    ];
    const res = await sell(id, lines, [{ kind: 'cash', amount: 100000 }]);
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as OrderView;
    const acc = await account(id);
    expect(acc.balance).toBe(expectedEarn(order, double));
    expect(acc.balance).toBeGreaterThan(0);
    expect(acc.balance).toBe(await ledgerSum(id));
    expect(acc.lifetimeEarned).toBe(acc.balance);
  });

  it('pays part of a sale with points, any amount up to the balance; the point-paid part earns nothing', async () => {
    const id = await newCustomer('Redeemer');
    expect(
      (await call('POST', `/customers/${id}/loyalty/adjustments`, { points: 400, note: 'welcome' }))
        .statusCode,
    ).toBe(200);
    const lines = [{ variantId: items[2]!.id, quantity: 2 }];
    const q = await quote(lines);
    const points = 237; // an odd, partial amount
    const res = await sell(id, lines, [
      { kind: 'loyalty_points', amount: points },
      { kind: 'card', amount: q.total - points },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as OrderView;
    expect(order.payments.map((p) => [p.kind, p.amount])).toEqual([
      ['loyalty_points', points],
      ['card', q.total - points],
    ]);
    const earned = expectedEarn(order, double, points);
    const acc = await account(id);
    expect(acc.balance).toBe(400 - points + earned);
    expect(acc.balance).toBe(await ledgerSum(id));

    // more than the balance: refused, nothing written
    const before = await t.deps.database.db.selectFrom('orders').select('id').execute();
    const tooMuch = await sell(id, lines, [
      { kind: 'loyalty_points', amount: acc.balance + 1 },
      { kind: 'card', amount: q.total - acc.balance - 1 },
    ]);
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.code).toBe('insufficient_points');
    expect((await t.deps.database.db.selectFrom('orders').select('id').execute()).length).toBe(before.length);
    // points need a customer
    const anonymous = await sell(null, lines, [
      { kind: 'loyalty_points', amount: 1 },
      { kind: 'card', amount: q.total - 1 },
    ]);
    expect(anonymous.json().error.code).toBe('customer_required');
  });

  it('lets exactly one of two registers spend the same points at the same moment', async () => {
    const id = await newCustomer('Racer');
    await call('POST', `/customers/${id}/loyalty/adjustments`, { points: 300, note: 'race' });
    const lines = [{ variantId: items[3]!.id, quantity: 1 }];
    const q = await quote(lines);
    const spend = Math.min(200, q.total);
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        sell(id, lines, [
          { kind: 'loyalty_points', amount: spend },
          { kind: 'card', amount: q.total - spend },
        ]),
      ),
    );
    const codes = [a!.statusCode, b!.statusCode].sort();
    expect(codes).toEqual([201, 409]);
    expect([a!, b!].find((r) => r.statusCode === 409)!.json().error.code).toBe('insufficient_points');
    const acc = await account(id);
    expect(acc.balance).toBe(await ledgerSum(id));
    expect(acc.balance).toBeGreaterThanOrEqual(300 - spend);
  });

  it('books an offline sale when it syncs: earning, and redemption within the register allowance', async () => {
    const id = await newCustomer('Offline');
    const lines = [{ variantId: items[1]!.id, quantity: 1 }];
    const q = await quote(lines);
    const spend = Math.min(300, q.total);
    // balance 0, but the register honoured 300 points offline (its allowance is 500)
    const ok = await sell(
      id,
      lines,
      [
        { kind: 'loyalty_points', amount: spend },
        ...(q.total > spend ? [{ kind: 'card', amount: q.total - spend }] : []),
      ],
      {
        offline: true,
      },
    );
    expect(ok.statusCode, ok.body).toBe(201);
    const acc = await account(id);
    expect(acc.balance).toBe(await ledgerSum(id));
    expect(acc.balance).toBeLessThan(0);
    const rows = await t.deps.database.db
      .selectFrom('loyalty_ledger')
      .selectAll()
      .where('customer_id', '=', id)
      .execute();
    expect(rows.every((r) => r.offline === 1)).toBe(true);
    // beyond what any register may allow offline: refused
    const big = await quote([{ variantId: items[1]!.id, quantity: 10 }]);
    const tooMuch = await sell(
      id,
      [{ variantId: items[1]!.id, quantity: 10 }],
      [
        { kind: 'loyalty_points', amount: Math.min(big.total, 600) },
        ...(big.total > 600 ? [{ kind: 'card', amount: big.total - 600 }] : []),
      ],
      { offline: true },
    );
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.code).toBe('offline_allowance_exceeded');
  });

  it('gives points back and takes earned points back on a refund', async () => {
    const id = await newCustomer('Refunder');
    await call('POST', `/customers/${id}/loyalty/adjustments`, { points: 100, note: 'start' });
    const lines = [{ variantId: items[0]!.id, quantity: 4 }];
    const q = await quote(lines);
    const res = await sell(id, lines, [
      { kind: 'loyalty_points', amount: 100 },
      { kind: 'cash', amount: q.total },
    ]);
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as OrderView;
    const afterSale = await account(id);
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: t.auth('manager'),
      payload: { reason: 'changed mind' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    const acc = await account(id);
    // the 100 points come back; what the sale earned goes away
    expect(acc.balance).toBe(100);
    expect(afterSale.balance).toBeGreaterThan(0);
    expect(acc.balance).toBe(await ledgerSum(id));
    const kinds = (await call('GET', `/customers/${id}/loyalty`))
      .json()
      .ledger.map((e: { kind: string }) => e.kind);
    expect([...kinds].sort()).toEqual(['adjust', 'earn', 'redeem', 'refund', 'reverse']);
  });

  it('reaches a tier by lifetime points and earns at its multiplier', async () => {
    const id = await newCustomer('Gold');
    await call('POST', `/customers/${id}/loyalty/adjustments`, { points: 10, note: 'x' });
    // lifetime earned counts sales only: make it with a big sale
    const lines = [{ variantId: items[1]!.id, quantity: 100 }];
    const first = (await sell(id, lines, [{ kind: 'cash', amount: 10_000_000 }])).json() as OrderView;
    const acc1 = await account(id);
    expect(acc1.lifetimeEarned).toBe(expectedEarn(first, double));
    expect(acc1.lifetimeEarned).toBeGreaterThanOrEqual(500);
    expect(acc1.tier).toMatchObject({ id: 'gold', nameZh: '金卡' });
    const second = (await sell(id, lines, [{ kind: 'cash', amount: 10_000_000 }])).json() as OrderView;
    const acc2 = await account(id);
    expect(acc2.lifetimeEarned - acc1.lifetimeEarned).toBe(expectedEarn(second, double, 0, 15000));
  });

  it('adds the bonus points a promotion grants to what the sale earns', async () => {
    const id = await newCustomer('Bonus');
    const promo = await call('POST', '/promotions', {
      name: 'Bonus 50',
      conditions: [{ kind: 'items', selector: { variantIds: [items[3]!.id] } }],
      action: { kind: 'bonus_points', points: 50 },
    });
    expect(promo.statusCode, promo.body).toBe(201);
    const res = await sell(
      id,
      [{ variantId: items[3]!.id, quantity: 1 }],
      [{ kind: 'cash', amount: 100000 }],
    );
    expect(res.statusCode, res.body).toBe(201);
    expect((await account(id)).balance).toBe(expectedEarn(res.json() as OrderView, double) + 50);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/promotions/${(promo.json() as { id: string }).id}`,
      headers: t.auth('manager'),
      payload: { active: false },
    });
  });

  it('expires points a year after they were earned, and the projection rebuilds to the same balances', async () => {
    const id = await newCustomer('Expirer');
    const res = await sell(
      id,
      [{ variantId: items[2]!.id, quantity: 5 }],
      [{ kind: 'cash', amount: 1_000_000 }],
    );
    const earned = (await account(id)).balance;
    expect(res.statusCode).toBe(201);
    expect(earned).toBeGreaterThan(0);
    clock.advance(200 * DAY);
    await signInAgain();
    expect((await call('POST', '/loyalty/expire')).json()).toMatchObject({ points: 0 });
    clock.advance(166 * DAY);
    await signInAgain();
    const exp = (await call('POST', '/loyalty/expire')).json() as { points: number };
    expect(exp.points).toBeGreaterThanOrEqual(earned);
    expect((await account(id)).balance).toBe(0);
    expect((await call('POST', '/loyalty/expire')).json()).toMatchObject({ points: 0 });

    // the projection equals the ledger for every account; a damaged one is repaired
    const check = await call('GET', '/loyalty/ledger-check');
    expect(check.json().items[0]).toEqual({ fixed: 0 });
    await t.deps.database.db
      .updateTable('loyalty_accounts')
      .set({ balance: 999_999 })
      .where('customer_id', '=', id)
      .execute();
    expect((await call('GET', '/loyalty/ledger-check')).json().items[0]).toEqual({ fixed: 1 });
    const accounts = await t.deps.database.db.selectFrom('loyalty_accounts').selectAll().execute();
    for (const a of accounts) expect(a.balance).toBe(await ledgerSum(a.customer_id));
  });
});
