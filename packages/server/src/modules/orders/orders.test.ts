import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoVariants,
  engines,
  newOrderId,
  startTestApp,
  type DemoVariant,
  type TestApp,
} from '../../../test/harness';
import type { OrderView } from './view';

describe.each(engines)('orders (%s)', (engine) => {
  let t: TestApp;
  let sh: { id: string; registers: string[] };
  let sf: { id: string; registers: string[] };
  let items: DemoVariant[];
  let weighed: DemoVariant[];

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh;
    sf = t.seed.stores.sf;
    items = await demoVariants(t, { unit: 'each', limit: 6 });
    weighed = await demoVariants(t, { unit: 'kg', limit: 2 });
  });
  afterAll(() => t.close());

  const post = (
    body: object,
    key: string | null = `k-${Math.random()}`,
    role: 'cashier' | 'manager' | 'auditor' = 'cashier',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth(role), ...(key ? { 'idempotency-key': key } : {}) },
      payload: body,
    });
  const count = async (table: 'orders' | 'payments' | 'stock_movements' | 'audit_log' | 'outbox') =>
    Number(
      (
        await t.deps.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const onHand = async (storeId: string, variantId: string) =>
    (
      await t.deps.database.db
        .selectFrom('stock_levels')
        .select('on_hand_milli')
        .where('store_id', '=', storeId)
        .where('variant_id', '=', variantId)
        .executeTakeFirstOrThrow()
    ).on_hand_milli;

  const basket = (storeId: string, tenderAmount: number) => ({
    id: newOrderId(),
    storeId,
    registerId: storeId === sh.id ? sh.registers[0] : sf.registers[0],
    lines: [
      { variantId: items[0]!.id, quantity: 2 },
      { variantId: items[1]!.id, quantity: 1 },
    ],
    tenders: [{ kind: 'cash', amount: tenderAmount }],
  });

  it('sells for cash with change, VAT included, and records stock, outbox and audit', async () => {
    const before = await onHand(sh.id, items[0]!.id);
    const [p0, p1] = [items[0]!.prices[sh.id]!, items[1]!.prices[sh.id]!];
    const expected = 2 * p0 + p1;
    const res = await post(basket(sh.id, expected + 1000));
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    expect(order.status).toBe('paid');
    expect(order.total).toBe(expected); // inclusive: total equals the shelf prices
    expect(order.change).toBe(1000);
    expect(order.lines.reduce((s, l) => s + l.total, 0)).toBe(order.total);
    expect(order.taxTotal).toBe(order.lines.reduce((s, l) => s + l.tax, 0));
    expect(order.taxTotal).toBeGreaterThan(0);
    expect(order.payments).toEqual([
      expect.objectContaining({ kind: 'cash', amount: expected, tendered: expected + 1000 }),
    ]);
    expect(await onHand(sh.id, items[0]!.id)).toBe(before - 2000);
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/v1/orders/${order.id}`,
      headers: t.auth('auditor'),
    });
    expect(got.json()).toEqual(order);
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', order.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['order.create']);
    const events = await t.deps.database.db
      .selectFrom('outbox')
      .selectAll()
      .where('payload', 'like', `%${order.id}%`)
      .execute();
    expect(events.map((e) => e.topic)).toEqual(['order.paid']);
  });

  it('adds sales tax on top in San Francisco', async () => {
    const db = t.deps.database.db;
    const taxable = await db
      .selectFrom('variants')
      .innerJoin('tax_rates', 'tax_rates.tax_class_id', 'variants.tax_class_id')
      .innerJoin('prices', (j) =>
        j.onRef('prices.variant_id', '=', 'variants.id').on('prices.store_id', '=', sf.id),
      )
      .select(['variants.id', 'prices.price', 'tax_rates.rate_ppm'])
      .where('tax_rates.store_id', '=', sf.id)
      .where('tax_rates.rate_ppm', '>', 0)
      .where('variants.unit', '=', 'each')
      .where('variants.tenant_id', '=', t.seed.tenantId)
      .orderBy('variants.sku')
      .executeTakeFirstOrThrow();
    const res = await post({ ...basket(sf.id, 100_000), lines: [{ variantId: taxable.id, quantity: 2 }] });
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    const net = 2 * taxable.price;
    const tax = Math.round((net * taxable.rate_ppm) / 1_000_000);
    expect(tax).toBeGreaterThan(0);
    expect(order).toMatchObject({ currency: 'USD', subtotal: net, taxTotal: tax, total: net + tax });
  });

  it('replays the first answer for the same key and body, and writes nothing more', async () => {
    const body = basket(sh.id, 100_000);
    const first = await post(body, 'replay-key-1');
    const ordersBefore = await count('orders');
    const movesBefore = await count('stock_movements');
    const second = await post(body, 'replay-key-1');
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(await count('orders')).toBe(ordersBefore);
    expect(await count('stock_movements')).toBe(movesBefore);
    const conflict = await post(
      { ...body, lines: [{ variantId: items[2]!.id, quantity: 1 }] },
      'replay-key-1',
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('idempotency_conflict');
    const sameId = await post(body, 'another-key-1');
    expect(sameId.statusCode).toBe(409);
    expect(sameId.json().error.code).toBe('order_exists');
  });

  it('answers concurrent duplicates once', async () => {
    const body = basket(sh.id, 100_000);
    const before = await count('orders');
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(body, 'race-key-1')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(await count('orders')).toBe(before + 1);
  });

  it('sells the same items concurrently in opposite orders without deadlocks, stock exact', async () => {
    const [a, b, c] = [items[0]!, items[1]!, items[2]!];
    const before = await Promise.all([a, b, c].map((v) => onHand(sh.id, v.id)));
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        post({
          ...basket(sh.id, 1_000_000),
          lines: (i % 2 ? [a, b, c] : [c, b, a]).map((v) => ({ variantId: v.id, quantity: 1 })),
        }),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(24).fill(201));
    const after = await Promise.all([a, b, c].map((v) => onHand(sh.id, v.id)));
    expect(after).toEqual(before.map((x) => x - 24_000));
  });

  it('rejects a total that disagrees with the server, writing nothing', async () => {
    const before = await count('orders');
    const res = await post({ ...basket(sh.id, 100_000), total: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'price_mismatch', details: { received: 1 } });
    expect(await count('orders')).toBe(before);
  });

  it('gives each kind of bad input its own code', async () => {
    const cases: [object, string | null, number, string][] = [
      [basket(sh.id, 100_000), null, 400, 'idempotency_key_required'],
      [{ ...basket(sh.id, 100_000), surprise: 1 }, 'bad-input-1', 400, 'unknown_field'],
      [
        { ...basket(sh.id, 100_000), lines: [{ variantId: 'var_nope', quantity: 1 }] },
        'bad-input-2',
        422,
        'unknown_variant',
      ],
      [
        { ...basket(sh.id, 100_000), lines: [{ variantId: items[0]!.id, quantity: 1.5 }] },
        'bad-input-3',
        422,
        'fractional_quantity',
      ],
      [
        { ...basket(sh.id, 100_000), lines: [{ variantId: items[0]!.id, quantity: -1 }] },
        'bad-input-4',
        400,
        'validation_failed',
      ],
      [{ ...basket(sh.id, 1) }, 'bad-input-5', 422, 'insufficient_tender'],
      [
        { ...basket(sh.id, 100_000), tenders: [{ kind: 'cash', amount: 2 ** 60 }] },
        'bad-input-6',
        400,
        'validation_failed',
      ],
      [{ ...basket(sh.id, 100_000), storeId: 'sto_nope' }, 'bad-input-7', 404, 'unknown_store'],
      [
        { ...basket(sh.id, 100_000), registerId: sf.registers[0] },
        'bad-input-8',
        422,
        'register_store_mismatch',
      ],
      [
        { ...basket(sh.id, 100_000), lines: [{ barcode: '6901234567891' }] },
        'bad-input-9',
        422,
        'invalid_barcode',
      ],
      [
        { ...basket(sh.id, 100_000), tenders: [{ kind: 'card', amount: 999_999 }] },
        'bad-input-10',
        422,
        'overpayment_not_cash',
      ],
      [
        {
          ...basket(sh.id, 100_000),
          tenders: [{ kind: 'card', amount: 100, reference: '4111 1111 1111 1111' }],
        },
        'bad-input-11',
        422,
        'card_data_not_allowed',
      ],
      [
        {
          ...basket(sh.id, 100_000),
          tenders: [
            { kind: 'gift_card', amount: 100, reference: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ' },
            { kind: 'cash', amount: 100_000 },
          ],
        },
        'bad-input-12',
        422,
        'unknown_stored_value',
      ],
    ];
    const before = await count('orders');
    for (const [body, key, status, code] of cases) {
      const res = await post(body, key);
      expect({ code: res.json().error?.code, status: res.statusCode }).toEqual({ code, status });
      expect(typeof res.json().error.message).toBe('string');
    }
    expect(await count('orders')).toBe(before);
  });

  it('refuses a variant of another tenant as unknown', async () => {
    const { seedDemo } = await import('../../seed/seed');
    const other = await seedDemo(t.deps, { usernamePrefix: `o${Math.random().toString(36).slice(2, 6)}_` });
    const foreign = await t.deps.database.db
      .selectFrom('variants')
      .select('id')
      .where('tenant_id', '=', other.tenantId)
      .executeTakeFirstOrThrow();
    const res = await post({ ...basket(sh.id, 100_000), lines: [{ variantId: foreign.id, quantity: 1 }] });
    expect(res.json().error.code).toBe('unknown_variant');
    const foreignStore = await post({
      ...basket(sh.id, 100_000),
      storeId: other.stores.sh.id,
      registerId: other.stores.sh.registers[0],
    });
    expect(foreignStore.json().error.code).toBe('unknown_store');
  });

  it('sells by scanned barcode and by weight-embedded label', async () => {
    const plu = weighed[0]!;
    const { makeEmbeddedBarcode } = await import('@opentill/core');
    const label = makeEmbeddedBarcode(
      { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5, weightScale: 1000 },
      plu.pluCode!,
      345,
    );
    const res = await post({
      ...basket(sh.id, 100_000),
      lines: [{ barcode: items[3]!.barcode }, { barcode: label }],
    });
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    expect(order.lines[0]!.variantId).toBe(items[3]!.id);
    expect(order.lines[1]).toMatchObject({ variantId: plu.id, quantity: 0.345, unit: 'kg' });
    expect(order.lines[1]!.gross).toBe(Math.round((plu.prices[sh.id]! * 345) / 1000));
  });

  it('applies line and order discounts with reason and who gave them', async () => {
    const res = await post({
      ...basket(sh.id, 100_000),
      lines: [
        {
          variantId: items[0]!.id,
          quantity: 1,
          discount: { kind: 'percent', percentBp: 1000, reason: 'damaged box' },
        },
      ],
      orderDiscounts: [{ kind: 'amount', amount: 100, reason: 'regular' }],
    });
    expect(res.statusCode).toBe(201);
    const order = res.json() as OrderView;
    const gross = items[0]!.prices[sh.id]!;
    expect(order.lines[0]!.lineDiscount).toBe(Math.round(gross / 10));
    expect(order.discountTotal).toBe(Math.round(gross / 10) + 100);
    expect(order.lines[0]!.discount).toMatchObject({
      reason: 'damaged box',
      by: expect.stringMatching(/^stf_/),
    });
  });

  it('refunds one line to the original tender, never more than paid', async () => {
    const sale = (
      await post({
        ...basket(sh.id, 0),
        tenders: [
          {
            kind: 'card',
            amount: 2 * items[0]!.prices[sh.id]! + items[1]!.prices[sh.id]!,
            reference: 'auth-77',
          },
        ],
      })
    ).json() as OrderView;
    const stockBefore = await onHand(sh.id, items[0]!.id);
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { lines: [{ lineId: sale.lines[0]!.lineId, quantity: 1 }], reason: 'changed mind' },
    });
    expect(refund.statusCode).toBe(201);
    const r = refund.json();
    expect(r.total).toBe(items[0]!.prices[sh.id]);
    expect(r.tenders).toEqual([{ paymentId: sale.payments[0]!.id, kind: 'card', amount: r.total }]);
    expect(r.order.status).toBe('partially_refunded');
    expect(r.order.payments[0]).toMatchObject({ status: 'partially_refunded', refunded: r.total });
    expect(await onHand(sh.id, items[0]!.id)).toBe(stockBefore + 1000);

    const tooMuch = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { lines: [{ lineId: sale.lines[0]!.lineId, quantity: 2 }], reason: 'again' },
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().error.code).toBe('refund_exceeds_quantity');
    const overAmount = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('manager'),
      payload: { amount: sale.total, reason: 'goodwill' },
    });
    expect(overAmount.json().error.code).toBe('refund_exceeds_payment');
    const toCash = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('cashier'),
      payload: { toTender: 'cash', reason: 'card broken' },
    });
    expect(toCash.statusCode).toBe(403);
    const rest = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('manager'),
      payload: { toTender: 'cash', reason: 'card broken', restock: false },
    });
    expect(rest.statusCode).toBe(201);
    expect(rest.json().order.status).toBe('refunded');
    expect(rest.json().order.refundedTotal).toBe(sale.total);
    expect(rest.json().order.payments[0]).toMatchObject({ status: 'refunded', refunded: sale.total });
    expect(rest.json().tenders.every((x: { kind: string }) => x.kind === 'cash')).toBe(true);
    const after = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/refunds`,
      headers: t.auth('manager'),
      payload: { reason: 'x' },
    });
    expect(after.statusCode).toBe(409);
  });

  it('voids a paid order and returns its stock; not after a refund', async () => {
    const sale = (await post(basket(sh.id, 100_000))).json() as OrderView;
    const before = await onHand(sh.id, items[0]!.id);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/void`,
      headers: t.auth('cashier'),
      payload: { reason: 'wrong basket' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('voided');
    expect(res.json().payments.map((p: { status: string }) => p.status)).toEqual(['voided']);
    expect(await onHand(sh.id, items[0]!.id)).toBe(before + 2000);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${sale.id}/void`,
      headers: t.auth('cashier'),
      payload: { reason: 'again' },
    });
    expect(again.json().error.code).toBe('illegal_transition');
    const missing = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/ord_nope/void`,
      headers: t.auth('cashier'),
      payload: { reason: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('pages through orders exactly once each, even when ids disagree with arrival order', async () => {
    const registerId = sh.registers[1]!;
    // ids made on devices: later arrivals may carry smaller ids
    const ids = Array.from(
      { length: 7 },
      (_, i) => `ord_00000000-zz${(9 - i).toString()}-${Math.random().toString(36).slice(2, 8)}`,
    );
    for (const id of ids) {
      const res = await post({ ...basket(sh.id, 100_000), id, registerId });
      expect(res.statusCode).toBe(201);
    }
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/orders?registerId=${registerId}&limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        headers: t.auth('auditor'),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextBefore: string | null };
      seen.push(...body.items.map((o) => o.id));
      before = body.nextBefore;
    } while (before);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('lists orders by store and time, and forbids auditors to sell', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/v1/orders?storeId=${sh.id}&limit=2`,
      headers: t.auth('auditor'),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(2);
    expect(list.json().nextBefore).toEqual(expect.any(String));
    const denied = await post(basket(sh.id, 100_000), 'k-auditor', 'auditor');
    expect(denied.statusCode).toBe(403);
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/orders' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().error.code).toBe('unauthenticated');
  });

  it('renders the receipt as JSON, HTML and ESC/POS', async () => {
    const sale = (await post(basket(sh.id, 100_000))).json() as OrderView;
    const url = `/api/v1/orders/${sale.id}/receipt`;
    const json = await t.app.inject({ method: 'GET', url, headers: t.auth('cashier') });
    expect(json.json()).toMatchObject({ orderId: sale.id, total: sale.total, locale: 'zh-CN' });
    const html = await t.app.inject({ method: 'GET', url: `${url}?format=html`, headers: t.auth('cashier') });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('<html');
    const esc = await t.app.inject({
      method: 'GET',
      url: `${url}?format=escpos&printer=zh-58`,
      headers: t.auth('cashier'),
    });
    expect(esc.rawPayload.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
  });
});
