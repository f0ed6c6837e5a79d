import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeQr, summarizeQr } from '@opentill/payments';
import {
  demoVariants,
  engines,
  newOrderId,
  startTestApp,
  type DemoVariant,
  type TestApp,
} from '../../../test/harness';
import type { OrderView } from '../orders/view';
import { signCallback, type WalletPaymentView } from './wallets';

const SECRET = randomBytes(32).toString('hex');

describe.each(engines)('e-wallets (%s)', (engine) => {
  let t: TestApp;
  let storeId: string;
  let registerId: string;
  let item: DemoVariant;
  let price: number;

  beforeAll(async () => {
    // the sandbox provider signs with this secret; the tests forge and replay with it
    process.env.OPENTILL_WALLET_SANDBOX_SECRET = SECRET;
    t = await startTestApp(engine);
    delete process.env.OPENTILL_WALLET_SANDBOX_SECRET;
    storeId = t.seed.stores.sh.id;
    registerId = t.seed.stores.sh.registers[1]!;
    item = (await demoVariants(t, { unit: 'each', limit: 1 }))[0]!;
    price = item.prices[storeId]!;
  });
  afterAll(() => t.close());

  const start = async (body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/payments/wallet',
      headers: t.auth('cashier'),
      payload: {
        provider: 'sandbox',
        storeId,
        registerId,
        amount: price,
        mode: 'merchant_presented',
        ...body,
      },
    });
  const get = async (id: string, waitMs = 0) =>
    (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/payments/wallet/${id}?waitMs=${waitMs}`,
        headers: t.auth('cashier'),
      })
    ).json() as WalletPaymentView;
  const callback = (body: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/payments/wallet/callback/sandbox',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    });
  const signed = (
    w: { id: string; amount: number },
    opts: { at?: number; nonce?: string; secret?: string } = {},
  ) => {
    const body = JSON.stringify({
      merchantRef: w.id,
      providerRef: 'SBX-TEST',
      status: 'succeeded',
      amount: w.amount,
    });
    const ts = String(Math.floor((opts.at ?? Date.now()) / 1000));
    const nonce = opts.nonce ?? randomBytes(8).toString('hex');
    return {
      body,
      headers: {
        'x-wallet-timestamp': ts,
        'x-wallet-nonce': nonce,
        'x-wallet-signature': signCallback(opts.secret ?? SECRET, ts, nonce, body),
      },
    };
  };
  const checkout = (tenders: object[]) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `w-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId,
        registerId,
        lines: [{ variantId: item.id, quantity: 1 }],
        tenders,
      },
    });

  it('merchant-presented: a dynamic EMV QR, the signed callback marks it paid, the register sees it within a second', async () => {
    const res = await start({});
    expect(res.statusCode).toBe(201);
    const w = res.json() as WalletPaymentView;
    expect(w.status).toBe('pending');
    const qr = decodeQr(w.qr ?? '');
    expect(qr.valid).toBe(true);
    const summary = summarizeQr(qr);
    expect(summary).toMatchObject({ dynamic: true, currency: 'CNY', amount: price });
    expect(w.id.replace(/[^0-9A-Za-z]/g, '').endsWith(summary.reference ?? 'none')).toBe(true);

    // the register long-polls while the shopper pays
    const waiting = get(w.id, 5000);
    await new Promise((r) => setTimeout(r, 50));
    // the sandbox plays the shopper: pays the QR, then sends its signed callback
    const sent = Date.now();
    const ack = await t.app.inject({
      method: 'POST',
      url: `/api/v1/payments/wallet/${w.id}/sandbox-approve`,
      headers: t.auth('cashier'),
    });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toEqual({ outcome: 'accepted' });
    const seen = await waiting;
    expect(seen.status).toBe('succeeded');
    expect(Date.now() - sent).toBeLessThan(1000);

    // a callback delivered twice: the second is a replay, ignored and recorded
    const cb = signed(w);
    expect((await callback(cb.body, cb.headers)).json()).toEqual({ outcome: 'accepted' });
    const replay = await callback(cb.body, cb.headers);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ outcome: 'replayed' });
    const outcomes = await t.deps.database.db
      .selectFrom('wallet_callbacks')
      .select('outcome')
      .where('nonce', '=', cb.headers['x-wallet-nonce'])
      .execute();
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['accepted', 'replayed']);
    // two deliveries of one callback racing: still accepted once
    const raced = signed(w);
    const both = await Promise.all([
      callback(raced.body, raced.headers),
      callback(raced.body, raced.headers),
    ]);
    expect(both.map((r) => (r.json() as { outcome: string }).outcome).sort()).toEqual([
      'accepted',
      'replayed',
    ]);

    // the wallet pays the sale; it cannot pay a second one
    const sale = await checkout([{ kind: 'wallet', amount: price, reference: w.id }]);
    expect(sale.statusCode).toBe(201);
    expect((sale.json() as OrderView).payments[0]).toMatchObject({
      kind: 'wallet',
      reference: w.id,
      status: 'captured',
    });
    expect((await get(w.id)).status).toBe('used');
    const twice = await checkout([{ kind: 'wallet', amount: price, reference: w.id }]);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('wallet_payment_not_completed');

    // refund to the original tender goes back through the provider
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${(sale.json() as OrderView).id}/refunds`,
      headers: t.auth('cashier'),
      payload: { reason: 'not wanted' },
    });
    expect(refund.statusCode).toBe(201);
    expect((await get(w.id)).refunded).toBe(price);
  });

  it('rejects and logs a forged or stale callback, changing nothing', async () => {
    const w = (await start({})).json() as WalletPaymentView;
    const forged = signed(w, { secret: 'not-the-secret' });
    const res = await callback(forged.body, forged.headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_callback_signature');
    const tampered = signed(w);
    const r2 = await callback(
      tampered.body.replace(`"amount":${price}`, `"amount":${price - 1}`),
      tampered.headers,
    );
    expect(r2.statusCode).toBe(401);
    const stale = signed(w, { at: Date.now() - 10 * 60_000 });
    const r3 = await callback(stale.body, stale.headers);
    expect(r3.statusCode).toBe(401);
    expect((await get(w.id)).status).toBe('pending');
    const logged = await t.deps.database.db
      .selectFrom('wallet_callbacks')
      .select('outcome')
      .where('nonce', 'in', [
        forged.headers['x-wallet-nonce'],
        tampered.headers['x-wallet-nonce'],
        stale.headers['x-wallet-nonce'],
      ])
      .execute();
    expect(logged.map((l) => l.outcome).sort()).toEqual(['bad_signature', 'bad_signature', 'stale']);
    // not paid: checkout refuses it; cancelled: still refused
    expect((await checkout([{ kind: 'wallet', amount: price, reference: w.id }])).json().error.code).toBe(
      'wallet_payment_not_completed',
    );
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/v1/payments/wallet/${w.id}/cancel`,
      headers: t.auth('cashier'),
    });
    expect(cancel.json()).toMatchObject({ status: 'cancelled' });
  });

  it('customer-presented: charges the scanned code, polls while the shopper confirms, declines go back to the register', async () => {
    const instant = await start({ mode: 'customer_presented', paymentCode: '281234567890123456' });
    expect(instant.json()).toMatchObject({ status: 'succeeded', qr: null });

    const slow = await start({ mode: 'customer_presented', paymentCode: '291234567890123456' });
    const w = slow.json() as WalletPaymentView;
    expect(w.status).toBe('pending');
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/payments/wallet/${w.id}/sandbox-approve`,
      headers: t.auth('cashier'),
    });
    expect(approve.statusCode).toBe(200);
    // the server's own polling of the provider (every second) finds the confirmation
    expect((await get(w.id, 5000)).status).toBe('succeeded');

    const refused = await start({ mode: 'customer_presented', paymentCode: '131234567890123456' });
    expect(refused.statusCode).toBe(402);
    expect(refused.json().error.code).toBe('payment_declined');
  });

  it('splits a sale across wallet, gift card and cash', async () => {
    const issue = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stored-value',
      headers: t.auth('manager'),
      payload: { kind: 'gift_card', storeId, amount: 100 },
    });
    const card = issue.json() as { code: string };
    const w = (
      await start({ mode: 'customer_presented', paymentCode: '281234567890123456', amount: price - 300 })
    ).json() as WalletPaymentView;
    const res = await checkout([
      { kind: 'wallet', amount: price - 300, reference: w.id },
      { kind: 'gift_card', amount: 100, reference: card.code },
      { kind: 'cash', amount: 500 },
    ]);
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    expect(order.payments.map((p) => [p.kind, p.amount])).toEqual([
      ['wallet', price - 300],
      ['gift_card', 100],
      ['cash', 200],
    ]);
    expect(order.change).toBe(300);
  });
});
