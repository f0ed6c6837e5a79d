import { priceCart, storeLocalTime, type Promotion } from '@opentill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoVariants,
  engines,
  newOrderId,
  signInFull,
  startTestApp,
  TEST_PASSWORD,
  type DemoVariant,
  type TestApp,
} from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import type { OrderView } from '../orders/view';
import { promotionInstant } from '../orders/checkout';
import type { PromotionView } from './service';

describe.each(engines)('promotions (%s)', (engine) => {
  let t: TestApp;
  let sh: { id: string; registers: string[] };
  let items: DemoVariant[];

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh;
    items = await demoVariants(t, { unit: 'each', limit: 4 });
  });
  afterAll(() => t.close());

  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'manager',
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: t.auth(role),
      ...(payload ? { payload } : {}),
    });
  const create = async (body: object) => {
    const res = await api('POST', '/promotions', 'manager', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as PromotionView;
  };
  const auditCount = async (action: string) =>
    (
      await t.deps.database.db
        .selectFrom('audit_log')
        .select('id')
        .where('tenant_id', '=', t.seed.tenantId)
        .where('action', '=', action)
        .execute()
    ).length;
  const tableCount = async () =>
    (await t.deps.database.db.selectFrom('promotions').select('id').execute()).length;

  it('creates, reads, changes and deletes promotions, auditing each change', async () => {
    const created = await create({
      name: 'Ten percent off drinks',
      nameZh: '饮品九折',
      priority: 5,
      conditions: [{ kind: 'spend', minAmount: 1000 }],
      action: {
        kind: 'percent_off',
        percentBp: 1000,
        target: 'lines',
        selector: { variantIds: [items[0]!.id] },
      },
    });
    expect(created).toMatchObject({
      name: 'Ten percent off drinks',
      nameZh: '饮品九折',
      active: true,
      exclusive: false,
    });
    expect(created.id).toMatch(/^pro_/);
    expect((await api('GET', `/promotions/${created.id}`, 'cashier')).json()).toMatchObject({
      id: created.id,
    });
    const list = (await api('GET', '/promotions', 'auditor')).json() as { items: PromotionView[] };
    expect(list.items.map((p) => p.id)).toContain(created.id);

    const patched = await api('PATCH', `/promotions/${created.id}`, 'owner', { active: false, priority: 7 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ active: false, priority: 7, name: 'Ten percent off drinks' });
    const active = (await api('GET', '/promotions/active', 'cashier')).json() as { items: Promotion[] };
    expect(active.items.map((p) => p.id)).not.toContain(created.id);

    expect((await api('DELETE', `/promotions/${created.id}`)).statusCode).toBe(200);
    expect((await api('GET', `/promotions/${created.id}`)).json()).toMatchObject({
      error: { code: 'unknown_promotion' },
    });
    expect(await auditCount('promotion.create')).toBeGreaterThanOrEqual(1);
    expect(await auditCount('promotion.update')).toBeGreaterThanOrEqual(1);
    expect(await auditCount('promotion.delete')).toBeGreaterThanOrEqual(1);
  });

  it('refuses bad input with a 4xx and writes nothing', async () => {
    const before = await tableCount();
    const cases: [object, number, string][] = [
      [
        { name: 'x', action: { kind: 'percent_off', percentBp: 20_000, target: 'order' } },
        400,
        'validation_failed',
      ],
      [{ name: 'x', action: { kind: 'teleport' } }, 400, 'validation_failed'],
      [
        { name: 'x', action: { kind: 'amount_off', amount: 1, target: 'order' }, colour: 'red' },
        400,
        'unknown_field',
      ],
      // well-formed JSON, but the kind's own fields are missing: the core says why
      [{ name: 'x', action: { kind: 'nth_item', percentBp: 5000 } }, 422, 'invalid_promotion'],
      [
        { name: 'x', conditions: [{ kind: 'member_tier' }], action: { kind: 'bonus_points', points: 5 } },
        422,
        'invalid_promotion',
      ],
      [
        {
          name: 'x',
          conditions: [{ kind: 'time', fromDate: '2027-01-02', toDate: '2027-01-01' }],
          action: { kind: 'bonus_points', points: 5 },
        },
        422,
        'invalid_promotion',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await api('POST', '/promotions', 'manager', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect((res.json() as { error: { code: string } }).error.code).toBe(code);
    }
    expect(
      (
        await api('POST', '/promotions', 'cashier', {
          name: 'x',
          action: { kind: 'bonus_points', points: 1 },
        })
      ).statusCode,
    ).toBe(403);
    expect((await api('PATCH', '/promotions/pro_missing', 'manager', { active: false })).statusCode).toBe(
      404,
    );
    expect((await api('DELETE', '/promotions/pro_missing')).statusCode).toBe(404);
    expect(await tableCount()).toBe(before);
  });

  it('keeps tenants apart', async () => {
    const other = await seedDemo(t.deps, { password: TEST_PASSWORD, usernamePrefix: `o${Date.now()}_` });
    // managers owe a second factor: the other tenant's manager enrols one while signing in
    const token = await signInFull(
      t.app,
      other.staff.find((s) => s.role === 'manager')!.username,
      TEST_PASSWORD,
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/promotions',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'Theirs', action: { kind: 'amount_off', amount: 100, target: 'order' } },
    });
    expect(res.statusCode).toBe(201);
    const theirs = res.json() as PromotionView;
    expect((await api('GET', `/promotions/${theirs.id}`)).statusCode).toBe(404);
    expect((await api('PATCH', `/promotions/${theirs.id}`, 'manager', { active: false })).statusCode).toBe(
      404,
    );
    const mine = (await api('GET', '/promotions')).json() as { items: PromotionView[] };
    expect(mine.items.map((p) => p.id)).not.toContain(theirs.id);
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/promotions/${theirs.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
  });

  it('checkout recomputes promotions itself: names them, splits them over lines, refuses a register total that disagrees', async () => {
    const a = items[0]!;
    const b = items[1]!;
    const pa = a.prices[sh.id]!;
    const pb = b.prices[sh.id]!;
    const second = await create({
      name: 'Second one half price',
      nameZh: '第二件半价',
      action: { kind: 'nth_item', selector: { variantIds: [a.id] }, n: 2, percentBp: 5000 },
    });
    const future = await create({
      name: 'Next year only',
      conditions: [{ kind: 'time', fromDate: '2099-01-01' }],
      action: { kind: 'percent_off', percentBp: 9000, target: 'order' },
    });
    const otherStore = await create({
      name: 'Other store only',
      conditions: [{ kind: 'store', storeIds: [t.seed.stores.sf.id] }],
      action: { kind: 'percent_off', percentBp: 9000, target: 'order' },
    });
    const lines = [
      { lineId: 'a', variantId: a.id, quantity: 2 },
      { lineId: 'b', variantId: b.id, quantity: 1 },
    ];
    const base = { storeId: sh.id, registerId: sh.registers[0], lines };
    const quote = await api('POST', '/orders/quote', 'cashier', base);
    expect(quote.statusCode, quote.body).toBe(200);
    const q = quote.json() as OrderView;
    const off = Math.round(pa / 2); // half_up on one unit
    expect(q.promotions).toEqual([
      {
        id: second.id,
        name: 'Second one half price',
        nameZh: '第二件半价',
        amount: off,
        lines: [{ lineId: 'a', amount: off }],
        bonusPoints: 0,
      },
    ]);
    expect(q.lines[0]!.promotionDiscount).toBe(off);
    expect(q.lines[1]!.promotionDiscount).toBe(0);
    expect(q.total).toBe(2 * pa + pb - off);
    expect(q.discountTotal).toBe(off);

    // the register prices the same cart with the same core and the active promotions it cached
    const active = ((await api('GET', '/promotions/active', 'cashier')).json() as { items: Promotion[] })
      .items;
    expect(active.map((p) => p.id)).toEqual(expect.arrayContaining([second.id, future.id, otherStore.id]));
    const local = priceCart(
      {
        lines: lines.map((l) => ({
          lineId: l.lineId,
          variantId: l.variantId,
          name: l.variantId,
          unit: 'each',
          unitPrice: l.variantId === a.id ? pa : pb,
          quantity: l.quantity,
          taxClassId: 'any',
        })),
        promotions: {
          promotions: active,
          context: { storeId: sh.id, local: storeLocalTime(new Date().toISOString(), 'Asia/Shanghai') },
        },
      },
      {
        currency: 'CNY',
        taxMode: 'inclusive',
        taxRounding: 'per_line',
        roundingMode: 'half_up',
        taxClasses: { any: { id: 'any', name: 'any', ratePpm: 130_000 } },
      },
    );
    expect(local.ok && local.value.total).toBe(q.total);

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `k-wrong-${Date.now()}` },
      payload: {
        ...base,
        id: newOrderId(),
        total: 2 * pa + pb,
        tenders: [{ kind: 'cash', amount: 2 * pa + pb }],
      },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json()).toMatchObject({ error: { code: 'price_mismatch', details: { expected: q.total } } });

    const id = newOrderId();
    const sold = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `k-${id}` },
      payload: { ...base, id, total: q.total, tenders: [{ kind: 'cash', amount: q.total }] },
    });
    expect(sold.statusCode, sold.body).toBe(201);
    const order = (await api('GET', `/orders/${id}`, 'auditor')).json() as OrderView;
    expect(order.promotions.map((p) => p.id)).toEqual([second.id]);
    expect(order.lines.map((l) => l.promotionDiscount)).toEqual([off, 0]);
    expect(order.lines.reduce((s, l) => s + l.total, 0)).toBe(order.total);

    const receipt = (
      await api('GET', `/orders/${id}/receipt?format=json&locale=zh-CN`, 'cashier')
    ).json() as {
      promotions: { name: string; amount: number }[];
    };
    expect(receipt.promotions).toEqual([
      { name: 'Second one half price', nameZh: '第二件半价', amount: off },
    ]);
    const html = (await api('GET', `/orders/${id}/receipt?format=html&locale=zh-CN`, 'cashier')).body;
    expect(html).toContain('第二件半价');

    for (const p of [second, future, otherStore]) await api('DELETE', `/promotions/${p.id}`);
  });

  it('time windows use the sale time the register reports, when plausible', () => {
    const now = new Date('2026-12-01T12:00:00.000Z');
    expect(promotionInstant('2026-11-30T09:00:00.000Z', now)).toBe('2026-11-30T09:00:00.000Z');
    expect(promotionInstant('2027-01-01T00:00:00.000Z', now)).toBe(now.toISOString()); // from the future
    expect(promotionInstant('2026-10-01T00:00:00.000Z', now)).toBe(now.toISOString()); // too old to trust
    expect(promotionInstant(undefined, now)).toBe(now.toISOString());
  });
});
