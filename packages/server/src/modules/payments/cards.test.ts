import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxAcquirer, type SandboxAcquirer } from '@opentill/payments/node';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../app';
import type { Deps } from '../../deps';
import { seedDemo, type SeedResult } from '../../seed/seed';
import {
  demoVariants,
  engines,
  newOrderId,
  openTestDb,
  pairDevice,
  signInFull,
  testDeps,
  TEST_PASSWORD,
  type DemoVariant,
  type TestApp,
  type TestDb,
} from '../../../test/harness';
import type { OrderView } from '../orders/view';
import { createPaymentsService } from './service';
import { createLazyAcquirer, createSimulatedTerminals, type SimulatedTerminals } from './terminals';

const VISA = { pan: '4242424242424242', expiry: '3012' };
const DECLINES = { pan: '4000000000000002', expiry: '3012' };

describe.each(engines)('card payments end to end (%s)', (engine) => {
  let db: TestDb;
  let deps: Deps;
  let seed: SeedResult;
  let sandbox: SandboxAcquirer;
  let terminals: SimulatedTerminals;
  let app: FastifyInstance;
  let token: string;
  let managerToken: string | undefined;
  const managerName = () => seed.staff.find((s) => s.role === 'manager')?.username ?? 'manager';
  let storeId: string;
  let registerId: string;
  let item: DemoVariant;
  let price: number;
  const env = () => ({ OPENTILL_ACQUIRER_HOST: '127.0.0.1', OPENTILL_ACQUIRER_PORT: String(sandbox.port) });
  /** a card service set up like the server's, on the same database and terminals (a restarted server's poller) */
  const paymentsOptions = () => ({
    cards: {
      terminals,
      acquirer: createLazyAcquirer(env(), { timeoutMs: 400 }),
      pollMs: 0,
      reversalBackoffMs: 10,
    },
  });

  async function start() {
    app = await buildApp(deps, {
      payments: { options: paymentsOptions(), sandboxWallet: null, terminals },
    });
    const login = async (role: string) =>
      (
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/auth/login',
            payload: { username: seed.staff.find((s) => s.role === role)?.username, password: TEST_PASSWORD },
          })
        ).json() as { token: string }
      ).token;
    token = await login('cashier');
    // managers owe a second factor: enrol one on the first start; the session lives in the
    // database, so it outlives a restart (signing in again would ask for a fresh TOTP code)
    managerToken ??= await signInFull(app, managerName(), TEST_PASSWORD);
  }

  beforeAll(async () => {
    db = await openTestDb(engine);
    deps = testDeps(db.database);
    seed = await seedDemo(deps, {
      password: TEST_PASSWORD,
      usernamePrefix: `c${Math.random().toString(36).slice(2, 6)}_`,
    });
    sandbox = await startSandboxAcquirer();
    terminals = createSimulatedTerminals();
    await start();
    storeId = seed.stores.sh.id;
    registerId = seed.stores.sh.registers[0]!;
    item = (await demoVariants({ deps, seed } as unknown as TestApp, { unit: 'each', limit: 1 }))[0]!;
    price = item.prices[storeId]!;
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.cleanup();
  });

  /** a basket whose amount due is exactly `due` (the tip makes up the difference) */
  const body = (due: number, tenders: object[], id = newOrderId()) => ({
    id,
    storeId,
    registerId,
    lines: [{ variantId: item.id, quantity: 1 }],
    tip: due - price,
    tenders,
  });
  const post = (payload: object, key: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
      payload,
    });
  const netCharges = (terminalAmount: number) =>
    sandbox
      .ledger()
      .filter((e) => e.kind === 'sale' && e.amount === terminalAmount && e.approvedAmount > 0 && !e.reversed);
  const orderCount = async () =>
    Number(
      (
        await deps.database.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('authorizes through terminal and acquirer, and keeps only token, masked number, brand, entry mode, code and RRN', async () => {
    const due = price + 1234;
    terminals.present('T-OK', {
      card: { pan: '4000056655665556', expiry: '3012' },
      entryMode: 'chip',
      pin: '1234',
    });
    const res = await post(
      body(due, [{ kind: 'card', amount: due, terminalId: 'T-OK' }]),
      `card-ok-${Math.random()}`,
    );
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    expect(order.tip).toBe(1234);
    expect(order.payments[0]).toMatchObject({ kind: 'card', status: 'captured', amount: due });
    expect(order.payments[0]!.reference).toMatch(/^VISA 400005\*{6}5556 AUTH \d{6} RRN \d{12}$/);
    const auth = await deps.database.db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(auth).toMatchObject({
      status: 'committed',
      masked_pan: '400005******5556',
      brand: 'visa',
      entry_mode: 'chip',
      approved_amount: due,
    });
    expect(auth.token).toMatch(/^tok_/);
    expect(auth.rrn).toMatch(/^\d{12}$/);
    // no full card number, track data or PIN block anywhere in what was written
    for (const table of [
      'card_authorizations',
      'payments',
      'orders',
      'idempotency_keys',
      'audit_log',
      'outbox',
    ] as const) {
      const dump = JSON.stringify(await deps.database.db.selectFrom(table).selectAll().execute());
      expect(dump).not.toContain('4000056655665556');
      expect(dump).not.toMatch(/4000056655665556|=3012201/);
    }
    expect(netCharges(due)).toHaveLength(1);
  });

  it('a decline lets the register take another tender under the same key', async () => {
    const due = price + 300;
    const key = `card-decline-${Math.random()}`;
    const id = newOrderId();
    terminals.present('T-DEC', { card: DECLINES, entryMode: 'contactless' });
    const declined = await post(body(due, [{ kind: 'card', amount: due, terminalId: 'T-DEC' }], id), key);
    expect(declined.statusCode).toBe(402);
    expect(declined.json().error).toMatchObject({
      code: 'payment_declined',
      details: { responseCode: '05' },
    });
    expect(
      await deps.database.db.selectFrom('orders').select('id').where('id', '=', id).execute(),
    ).toHaveLength(0);
    const cash = await post(body(due, [{ kind: 'cash', amount: due }], id), key);
    expect(cash.statusCode).toBe(201);
  });

  it('the demo route presents named test cards: a wrong online PIN is declined 55', async () => {
    // the register's payment terminal pairs with its seeded code and reports the read itself
    const seeded = seed.devices.find((d) => d.kind === 'payment_terminal' && d.registerId === registerId)!;
    const terminal = await pairDevice(app, seeded.code);
    const present = (payload: object, bearer = terminal.token, onRegister = registerId) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/payments/terminals/${onRegister}/present`,
        headers: { authorization: `Bearer ${bearer}` },
        payload,
      });
    // staff cannot pretend to be the terminal; the terminal reads cards only for its own register
    const asCashier = await present({ card: 'visa_debit_pin', entryMode: 'chip' }, token);
    expect(asCashier.statusCode).toBe(403);
    const elsewhere = await present(
      { card: 'visa_debit_pin', entryMode: 'chip' },
      terminal.token,
      seed.stores.sh.registers[1]!,
    );
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().error.code).toBe('unknown_device');
    expect((await present({ card: 'visa_debit_pin', entryMode: 'chip', wrongPin: true })).statusCode).toBe(
      204,
    );
    expect((await present({ card: 'not-a-card', entryMode: 'chip' })).statusCode).toBe(400);
    expect((await present({ pan: '4242424242424242', entryMode: 'chip' })).statusCode).toBe(400);
    const due = price + 400;
    const res = await post(
      body(due, [{ kind: 'card', amount: due, terminalId: registerId }]),
      `card-route-${Math.random()}`,
    );
    expect(res.statusCode).toBe(402);
    expect(res.json().error.details).toMatchObject({ responseCode: '55' });
  });

  it('a partial approval is kept: the retry takes the rest in cash without charging the card again', async () => {
    const due = price + 5000;
    const cardAmount = 2010; // the sandbox approves half of amounts ending in 10
    const key = `card-partial-${Math.random()}`;
    const id = newOrderId();
    terminals.present('T-PART', { card: VISA, entryMode: 'contactless' });
    const first = await post(
      body(
        due,
        [
          { kind: 'card', amount: cardAmount, terminalId: 'T-PART' },
          { kind: 'cash', amount: due - cardAmount },
        ],
        id,
      ),
      key,
    );
    expect(first.statusCode).toBe(402);
    expect(first.json().error).toMatchObject({
      code: 'payment_partially_approved',
      details: { approved: 1005, remaining: 1005 },
    });
    const retry = await post(
      body(
        due,
        [
          { kind: 'card', amount: 1005, terminalId: 'T-PART' },
          { kind: 'cash', amount: due - 1005 },
        ],
        id,
      ),
      key,
    );
    expect(retry.statusCode).toBe(201);
    expect((retry.json() as OrderView).payments[0]).toMatchObject({
      kind: 'card',
      amount: 1005,
      status: 'captured',
    });
    expect(sandbox.ledger().filter((e) => e.kind === 'sale' && e.amount === cardAmount)).toHaveLength(1);
  });

  it('a partial approval the cashier walks away from is reversed by the poller', async () => {
    const due = price + 5000;
    terminals.present('T-ABANDON', { card: VISA, entryMode: 'contactless' });
    const first = await post(
      body(due, [
        { kind: 'card', amount: 3010, terminalId: 'T-ABANDON' },
        { kind: 'cash', amount: due - 3010 },
      ]),
      `card-abandon-${Math.random()}`,
    );
    expect(first.json().error.code).toBe('payment_partially_approved');
    const authId = (first.json().error.details as { authorizationId: string }).authorizationId;
    const poller = createPaymentsService(deps, { cards: { ...paymentsOptions().cards, abandonMs: 0 } });
    await poller.cards.pollOnce();
    await poller.stop();
    const auth = await deps.database.db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(auth.status).toBe('reversed');
    expect(
      sandbox
        .ledger()
        .find((e) => e.kind === 'sale' && e.stan === auth.stan && e.transmittedAt === auth.transmitted_at)
        ?.reversed,
    ).toBe(true);
  });

  it('the acquirer drops the connection after the 0200: reversal sent, order unpaid, the retry charges once', async () => {
    const due = price + 777;
    const key = `card-drop-${Math.random()}`;
    const id = newOrderId();
    const before = await orderCount();
    // the host takes the 0200 and then the link dies before any answer
    sandbox.control.drop = true;
    const seen = sandbox.ledger().length;
    const watcher = setInterval(() => {
      if (sandbox.ledger().length > seen && sandbox.control.drop) {
        sandbox.dropConnections();
        sandbox.control.drop = false;
      }
    }, 2);
    terminals.present('T-DROP', { card: VISA, entryMode: 'chip' });
    const res = await post(body(due, [{ kind: 'card', amount: due, terminalId: 'T-DROP' }], id), key);
    clearInterval(watcher);
    sandbox.control.drop = false;
    expect(res.statusCode).toBe(504);
    expect(res.json().error.code).toBe('payment_timeout');
    expect(await orderCount()).toBe(before);
    const authId = (res.json().error.details as { authorizationId: string }).authorizationId;
    const auth = await deps.database.db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(auth.status).toBe('reversed');
    const rev = await deps.database.db
      .selectFrom('card_reversals')
      .selectAll()
      .where('authorization_id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(rev.status).toBe('done');
    const sale = sandbox
      .ledger()
      .find((e) => e.kind === 'sale' && e.stan === auth.stan && e.transmittedAt === auth.transmitted_at);
    expect(sale?.reversed).toBe(true);

    terminals.present('T-DROP', { card: VISA, entryMode: 'chip' });
    const retry = await post(body(due, [{ kind: 'card', amount: due, terminalId: 'T-DROP' }], id), key);
    expect(retry.statusCode).toBe(201);
    const again = await post(body(due, [{ kind: 'card', amount: due, terminalId: 'T-DROP' }], id), key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(netCharges(due)).toHaveLength(1);
    expect(await orderCount()).toBe(before + 1);
  });

  it('a reversal nobody acknowledges is retried by the poller of a restarted server', async () => {
    const due = price + 888;
    const key = `card-norev-${Math.random()}`;
    sandbox.control.drop = true; // no answers at all: neither the sale nor its reversal
    terminals.present('T-NOREV', { card: VISA, entryMode: 'chip' });
    const res = await post(body(due, [{ kind: 'card', amount: due, terminalId: 'T-NOREV' }]), key);
    expect(res.json().error.code).toBe('payment_timeout');
    const authId = (res.json().error.details as { authorizationId: string }).authorizationId;
    const pending = await deps.database.db
      .selectFrom('card_reversals')
      .selectAll()
      .where('authorization_id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    expect(pending.attempts).toBe(1);

    // restart: the old server goes away; the new one finds the reversal in its table
    await app.close();
    sandbox.control.drop = false;
    const restarted = createPaymentsService(deps, paymentsOptions());
    await new Promise((r) => setTimeout(r, 30));
    await restarted.cards.pollOnce();
    await restarted.stop();
    const done = await deps.database.db
      .selectFrom('card_reversals')
      .selectAll()
      .where('authorization_id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(done.status).toBe('done');
    expect(done.attempts).toBe(2);
    const auth = await deps.database.db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('id', '=', authId)
      .executeTakeFirstOrThrow();
    expect(auth.status).toBe('reversed');
    expect(
      sandbox
        .ledger()
        .find((e) => e.kind === 'sale' && e.stan === auth.stan && e.transmittedAt === auth.transmitted_at)
        ?.reversed,
    ).toBe(true);
    await start();
  });

  it('refunds to the card it was paid with', async () => {
    const due = price + 4321;
    terminals.present('T-REF', { card: VISA, entryMode: 'contactless' });
    const res = await post(
      body(due, [{ kind: 'card', amount: due, terminalId: 'T-REF' }]),
      `card-ref-${Math.random()}`,
    );
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    terminals.present('T-REF', {
      card: { pan: '5555555555554444', expiry: '3012' },
      entryMode: 'contactless',
    });
    const wrongCard = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: { authorization: `Bearer ${token}` },
      payload: { reason: 'faulty', amount: 1000 },
    });
    expect(wrongCard.statusCode).toBe(402);
    terminals.present('T-REF', { card: VISA, entryMode: 'contactless' });
    const refund = await app.inject({
      method: 'POST',
      url: `/api/v1/orders/${order.id}/refunds`,
      headers: { authorization: `Bearer ${token}` },
      payload: { reason: 'faulty', amount: 1000 },
    });
    expect(refund.statusCode).toBe(201);
    expect(
      sandbox.ledger().filter((e) => e.kind === 'refund' && e.amount === 1000 && e.responseCode === '00'),
    ).toHaveLength(1);
  });

  it('offline card sales under the floor limit are forwarded later; declines land on the exception list', async () => {
    await deps.database.db
      .updateTable('registers')
      .set({ offline_card_limit: price + 2000 })
      .where('id', '=', registerId)
      .execute();
    const over = await post(
      body(price + 2001, [
        { kind: 'card', amount: price + 2001, terminalId: 'T-OFF', offline: true, reference: 'OFF-0' },
      ]),
      `off-${Math.random()}`,
    );
    expect(over.json().error.code).toBe('offline_limit_exceeded');
    terminals.storeOffline('T-OFF', 'OFF-1', { card: VISA, entryMode: 'contactless' });
    terminals.storeOffline('T-OFF', 'OFF-2', { card: DECLINES, entryMode: 'contactless' });
    const good = await post(
      body(price + 100, [
        { kind: 'card', amount: price + 100, terminalId: 'T-OFF', offline: true, reference: 'OFF-1' },
      ]),
      `off-${Math.random()}`,
    );
    const bad = await post(
      body(price + 200, [
        { kind: 'card', amount: price + 200, terminalId: 'T-OFF', offline: true, reference: 'OFF-2' },
      ]),
      `off-${Math.random()}`,
    );
    expect(good.statusCode).toBe(201);
    expect(bad.statusCode).toBe(201);
    expect((good.json() as OrderView).payments[0]!.status).toBe('pending');

    const poller = createPaymentsService(deps, paymentsOptions());
    await poller.cards.pollOnce();
    await poller.stop();
    const pay = async (o: OrderView) =>
      deps.database.db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', o.id)
        .executeTakeFirstOrThrow();
    expect(await pay(good.json() as OrderView)).toMatchObject({ status: 'captured' });
    expect((await pay(good.json() as OrderView)).reference).toMatch(/^VISA 424242\*{6}4242 AUTH/);
    expect(await pay(bad.json() as OrderView)).toMatchObject({ status: 'declined' });
    const exceptions = await app.inject({
      method: 'GET',
      url: '/api/v1/payments/card/exceptions',
      headers: { authorization: `Bearer ${managerToken ?? ''}` },
    });
    expect(exceptions.statusCode).toBe(200);
    const items = (
      exceptions.json() as { items: { orderId: string; responseCode: string; maskedPan: string }[] }
    ).items;
    expect(items).toEqual([
      expect.objectContaining({
        orderId: (bad.json() as OrderView).id,
        responseCode: '05',
        maskedPan: '400000******0002',
      }),
    ]);
    const cashierView = await app.inject({
      method: 'GET',
      url: '/api/v1/payments/card/exceptions',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(cashierView.statusCode).toBe(403);
  });

  it('an offline forward the host does not answer is reversed and sent again later, once', async () => {
    await deps.database.db
      .updateTable('registers')
      .set({ offline_card_limit: price + 2000 })
      .where('id', '=', registerId)
      .execute();
    terminals.storeOffline('T-OFF', 'OFF-3', { card: VISA, entryMode: 'chip' });
    const sale = await post(
      body(price + 300, [
        { kind: 'card', amount: price + 300, terminalId: 'T-OFF', offline: true, reference: 'OFF-3' },
      ]),
      `off-${Math.random()}`,
    );
    expect(sale.statusCode).toBe(201);
    const orderId = (sale.json() as OrderView).id;
    const rows = () =>
      deps.database.db
        .selectFrom('card_authorizations')
        .selectAll()
        .where('order_id', '=', orderId)
        .execute();
    const payment = () =>
      deps.database.db
        .selectFrom('payments')
        .selectAll()
        .where('order_id', '=', orderId)
        .executeTakeFirstOrThrow();

    const options = paymentsOptions();
    await options.cards.acquirer.warmUp(); // signed on: the 0200 is sent
    const poller = createPaymentsService(deps, options);
    sandbox.control.drop = true; // the host takes the 0200 and never answers
    await poller.cards.pollOnce();
    sandbox.control.drop = false;
    // undecided: still to forward, under the terminal's reference; the unanswered attempt is owed a reversal
    expect((await payment()).status).toBe('pending');
    const [first] = (await rows()).filter((r) => r.status === 'forward_pending');
    expect(first?.token).toBe('offline:OFF-3');
    const owed = await deps.database.db
      .selectFrom('card_reversals')
      .innerJoin('card_authorizations', 'card_authorizations.id', 'card_reversals.authorization_id')
      .select(['card_reversals.status', 'card_authorizations.masked_pan'])
      .where('card_authorizations.order_id', '=', orderId)
      .execute();
    expect(owed).toEqual([{ status: 'pending', masked_pan: '424242******4242' }]);

    await new Promise((r) => setTimeout(r, 30));
    await poller.cards.pollOnce();
    await poller.stop();
    expect(await payment()).toMatchObject({ status: 'captured' });
    expect((await payment()).reference).toMatch(/^VISA 424242\*{6}4242 AUTH/);
    const after = await rows();
    expect(after.filter((r) => r.status === 'committed')).toHaveLength(1);
    expect(after.filter((r) => r.status === 'reversed')).toHaveLength(1);
  });
});
