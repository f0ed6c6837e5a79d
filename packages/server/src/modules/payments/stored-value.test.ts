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
import { MAX_PIN_FAILURES } from './stored-value';

describe.each(engines)('gift cards and store credit (%s)', (engine) => {
  let t: TestApp;
  let storeId: string;
  let registers: string[];
  let item: DemoVariant;
  let price: number;

  beforeAll(async () => {
    t = await startTestApp(engine);
    storeId = t.seed.stores.sh.id;
    registers = t.seed.stores.sh.registers;
    item = (await demoVariants(t, { unit: 'each', limit: 1 }))[0]!;
    price = item.prices[storeId]!;
  });
  afterAll(() => t.close());

  const issue = async (body: Record<string, unknown>, role: 'manager' | 'cashier' = 'manager') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/stored-value',
      headers: t.auth(role),
      payload: { kind: 'gift_card', storeId, ...body },
    });
  const checkout = (tenders: object[], opts: { quantity?: number; register?: string; key?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': opts.key ?? `sv-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId,
        registerId: opts.register ?? registers[0],
        lines: [{ variantId: item.id, quantity: opts.quantity ?? 1 }],
        tenders,
      },
    });
  const account = async (id: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/stored-value/${id}`,
      headers: t.auth('cashier'),
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { balance: number; entries: { kind: string; amount: number }[] };
  };
  const ledgerMatches = async (id: string) => {
    const a = await account(id);
    expect(a.entries.reduce((s, e) => s + e.amount, 0)).toBe(a.balance);
    return a;
  };

  it('issues a gift card (managers only), shows the code once and its balance by code', async () => {
    expect((await issue({ amount: 5000 }, 'cashier')).statusCode).toBe(403);
    const res = await issue({ amount: 5000, pin: '2468' });
    expect(res.statusCode).toBe(201);
    const card = res.json() as { id: string; code: string; balance: number; last4: string; currency: string };
    expect(card.balance).toBe(5000);
    expect(card.currency).toBe('CNY');
    expect(card.code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(card.code.replace(/-/g, '').endsWith(card.last4)).toBe(true);
    const bal = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stored-value/balance',
      headers: t.auth('cashier'),
      payload: { code: card.code.toLowerCase(), pin: '2468' },
    });
    expect(bal.statusCode).toBe(200);
    expect(bal.json()).toMatchObject({ id: card.id, balance: 5000, hasPin: true });
    // the code itself is stored nowhere, only its hash
    const rows = await t.deps.database.db
      .selectFrom('stored_value_accounts')
      .selectAll()
      .where('id', '=', card.id)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(card.code.replace(/-/g, ''));
    const loaded = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stored-value/load',
      headers: t.auth('manager'),
      payload: { code: card.code, amount: 1500 },
    });
    expect(loaded.statusCode).toBe(200);
    expect(loaded.json()).toMatchObject({ balance: 6500 });
    const a = await ledgerMatches(card.id);
    expect(a.entries.map((e) => e.kind)).toEqual(['issue', 'load']);
  });

  it('redeems part of a gift card in a split tender and refunds to it', async () => {
    const card = (await issue({ amount: price + 500 })).json() as { id: string; code: string };
    const res = await checkout(
      [
        { kind: 'gift_card', amount: price - 100, reference: card.code },
        { kind: 'cash', amount: price + 1000 },
      ],
      { quantity: 2 },
    );
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    expect(order.payments[0]).toMatchObject({
      kind: 'gift_card',
      amount: price - 100,
      reference: card.id,
      status: 'captured',
    });
    expect((await ledgerMatches(card.id)).balance).toBe(600);

    // refund everything: the cash part back to cash, the gift card part back onto the card
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { reason: 'changed mind' },
    });
    expect(refund.statusCode).toBe(201);
    const r = refund.json() as { tenders: { kind: string; amount: number }[]; order: OrderView };
    expect(r.tenders.find((x) => x.kind === 'gift_card')?.amount).toBe(price - 100);
    expect(r.order.status).toBe('refunded');
    const after = await ledgerMatches(card.id);
    expect(after.balance).toBe(price + 500);
    expect(after.entries.map((e) => e.kind)).toEqual(['issue', 'redeem', 'refund']);
  });

  it('refuses a wrong PIN, a missing PIN, an expired card and too little balance, writing nothing', async () => {
    const card = (await issue({ amount: price * 2, pin: '1357' })).json() as { id: string; code: string };
    const orders = async () =>
      Number(
        (
          await t.deps.database.db
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await orders();
    const wrong = await checkout([{ kind: 'gift_card', amount: price, reference: card.code, pin: '0000' }]);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.code).toBe('invalid_gift_card_pin');
    const missing = await checkout([{ kind: 'gift_card', amount: price, reference: card.code }]);
    expect(missing.json().error.code).toBe('gift_card_pin_required');
    const ok = await checkout([{ kind: 'gift_card', amount: price, reference: card.code, pin: '1357' }]);
    expect(ok.statusCode).toBe(201);
    const short = await checkout(
      [{ kind: 'gift_card', amount: price * 2, reference: card.code, pin: '1357' }],
      { quantity: 2 },
    );
    expect(short.statusCode).toBe(409);
    expect(short.json().error).toMatchObject({ code: 'insufficient_balance', details: { balance: price } });
    await t.deps.database.db
      .updateTable('stored_value_accounts')
      .set({ expires_at: '2020-01-01T00:00:00.000Z' })
      .where('id', '=', card.id)
      .execute();
    const expired = await checkout([{ kind: 'gift_card', amount: price, reference: card.code, pin: '1357' }]);
    expect(expired.json().error.code).toBe('stored_value_expired');
    expect(await orders()).toBe(before + 1);
    expect((await ledgerMatches(card.id)).balance).toBe(price);
  });

  it(`blocks a card after ${MAX_PIN_FAILURES} wrong PINs`, async () => {
    const card = (await issue({ amount: 1000, pin: '1111' })).json() as { id: string; code: string };
    for (let i = 0; i < MAX_PIN_FAILURES; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/stored-value/balance',
        headers: t.auth('cashier'),
        payload: { code: card.code, pin: '9999' },
      });
      expect(r.json().error.code).toBe('invalid_gift_card_pin');
    }
    const blocked = await checkout([
      { kind: 'gift_card', amount: 1000, reference: card.code, pin: '1111' },
      { kind: 'cash', amount: price },
    ]);
    expect(blocked.json().error.code).toBe('stored_value_blocked');
  });

  it('refunds to store credit (a credit note) and spends it later, refunding back to it', async () => {
    const sale = await checkout([{ kind: 'cash', amount: price * 3 }], { quantity: 3 });
    expect(sale.statusCode).toBe(201);
    const order = sale.json() as OrderView;
    const line = order.lines[0]!;
    // a cashier may not move money to another tender; a manager may
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { reason: 'return', toTender: 'store_credit', lines: [{ lineId: line.lineId, quantity: 2 }] },
    });
    expect(denied.statusCode).toBe(403);
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: t.auth('manager'),
      payload: { reason: 'return', toTender: 'store_credit', lines: [{ lineId: line.lineId, quantity: 2 }] },
    });
    expect(refund.statusCode).toBe(201);
    const r = refund.json() as { total: number; storeCredit: { accountId: string; code: string } };
    expect(r.total).toBe(price * 2);
    expect(r.storeCredit.code).toMatch(/^[0-9A-Z-]{19}$/);
    expect((await ledgerMatches(r.storeCredit.accountId)).balance).toBe(price * 2);

    // spend it on a later sale, part store credit and part cash
    const spend = await checkout(
      [
        { kind: 'store_credit', amount: price * 2, reference: r.storeCredit.code },
        { kind: 'cash', amount: price },
      ],
      { quantity: 3 },
    );
    expect(spend.statusCode).toBe(201);
    const spent = spend.json() as OrderView;
    expect(spent.payments[0]).toMatchObject({ kind: 'store_credit', reference: r.storeCredit.accountId });
    expect((await ledgerMatches(r.storeCredit.accountId)).balance).toBe(0);
    // a gift card code is not store credit and the other way round
    const wrongKind = await checkout([
      { kind: 'gift_card', amount: 1, reference: r.storeCredit.code },
      { kind: 'cash', amount: price },
    ]);
    expect(wrongKind.json().error.code).toBe('unknown_stored_value');
    // refunding one unit goes back to the credit note (last tender first is cash: refund 2 units)
    const back = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${spent.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { reason: 'return', amount: price * 2 },
    });
    expect(back.statusCode).toBe(201);
    const tenders = (back.json() as { tenders: { kind: string; amount: number }[] }).tenders;
    expect(tenders).toEqual([
      { paymentId: spent.payments[1]!.id, kind: 'cash', amount: price },
      { paymentId: spent.payments[0]!.id, kind: 'store_credit', amount: price },
    ]);
    expect((await ledgerMatches(r.storeCredit.accountId)).balance).toBe(price);
  });

  it('cannot be overspent by several registers at once', async () => {
    const card = (await issue({ amount: price * 2 })).json() as { id: string; code: string };
    // five registers each try to take 1.5 × price from a card holding 2 × price
    const each = Math.floor(price * 1.5);
    const tries = await Promise.all(
      [0, 1, 0, 1, 0].map((r) =>
        checkout(
          [
            { kind: 'gift_card', amount: each, reference: card.code },
            { kind: 'cash', amount: price * 2 },
          ],
          { quantity: 2, register: registers[r] },
        ),
      ),
    );
    const statuses = tries.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    for (const r of tries.filter((x) => x.statusCode === 409))
      expect(r.json().error.code).toBe('insufficient_balance');
    const a = await ledgerMatches(card.id);
    expect(a.balance).toBe(price * 2 - each);
    expect(a.entries.filter((e) => e.kind === 'redeem')).toHaveLength(1);
    const paid = await t.deps.database.db
      .selectFrom('payments')
      .select('order_id')
      .where('reference', '=', card.id)
      .execute();
    expect(paid).toHaveLength(1);
  });
});
