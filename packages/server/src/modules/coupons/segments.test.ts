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
import type { CouponView } from './service';

// RFM segments from the insights module target coupon batches and the promotions `segment`
// condition. Five customers buy 1..5 times on the same day, so recency ties and the R and F
// quintiles both follow frequency: the two most frequent are champions, the rarest is lost.
describe.each(engines)('coupons and promotions for RFM segments (%s)', (engine) => {
  let t: TestApp;
  let items: DemoVariant[];
  let sh: { id: string; registers: string[] };
  const buyers: string[] = [];

  const call = (
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
    role: 'cashier' | 'manager' | 'owner' = 'manager',
  ) => t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(role), ...(payload ? { payload } : {}) });
  const lines = () => [{ variantId: items[0]!.id, quantity: 2 }];
  const gross = () => 2 * items[0]!.prices[sh.id]!;

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh;
    items = await demoVariants(t, { unit: 'each', limit: 1 });
    for (let i = 1; i <= 5; i++) {
      const c = await call('POST', '/customers', { name: `Segment buyer ${i}` }, 'cashier');
      expect(c.statusCode, c.body).toBe(201);
      const id = (c.json() as { id: string }).id;
      buyers.push(id);
      for (let k = 0; k < i; k++) {
        const sale = await t.app.inject({
          method: 'POST',
          url: '/api/v1/orders',
          headers: { ...t.auth('cashier'), 'idempotency-key': `seg-${i}-${k}-${Math.random()}` },
          payload: {
            id: newOrderId(),
            storeId: sh.id,
            registerId: sh.registers[0],
            customerId: id,
            lines: lines(),
            tenders: [{ kind: 'cash', amount: gross() }],
          },
        });
        expect(sale.statusCode, sale.body).toBe(201);
      }
    }
  });
  afterAll(() => t.close());

  const segmentOf = async (customerId: string) =>
    (
      await t.deps.database.db
        .selectFrom('insights_rfm')
        .select('segment')
        .where('tenant_id', '=', t.seed.tenantId)
        .where('customer_id', '=', customerId)
        .executeTakeFirst()
    )?.segment;

  const batch = (body: object) =>
    call('POST', '/coupons/batches', {
      name: 'Thanks',
      kind: 'amount',
      value: 800,
      currency: 'CNY',
      ...body,
    });

  it('refuses a segment batch before segments exist, and unknown segment names', async () => {
    const empty = await batch({ segment: 'champions' });
    expect(empty.statusCode).toBe(422);
    expect(empty.json()).toMatchObject({ error: { code: 'empty_segment' } });
    const unknown = await batch({ segment: 'whales' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown_segment' } });
    const coupons = await t.deps.database.db
      .selectFrom('coupons')
      .select('code')
      .where('tenant_id', '=', t.seed.tenantId)
      .execute();
    expect(coupons).toHaveLength(0);
  });

  it('issues one coupon to each current member of a segment, and to nobody else', async () => {
    const refreshed = await call('POST', '/insights/segments/refresh');
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(await segmentOf(buyers[4]!)).toBe('champions');
    expect(await segmentOf(buyers[3]!)).toBe('champions');
    expect(await segmentOf(buyers[0]!)).toBe('lost');

    const res = await batch({ segment: 'champions' });
    expect(res.statusCode, res.body).toBe(201);
    const issued = (res.json() as { coupons: CouponView[] }).coupons;
    const members = (
      await t.deps.database.db
        .selectFrom('insights_rfm')
        .select('customer_id')
        .where('tenant_id', '=', t.seed.tenantId)
        .where('segment', '=', 'champions')
        .execute()
    ).map((r) => r.customer_id);
    expect(members).toEqual(expect.arrayContaining([buyers[3], buyers[4]]));
    expect(issued.map((c) => c.customerId).sort()).toEqual([...members].sort());
    expect(issued.every((c) => c.segment === 'champions' && c.maxUses === 1)).toBe(true);
    for (const other of buyers.slice(0, 3)) {
      expect(issued.map((c) => c.customerId)).not.toContain(other);
    }

    // a real segment nobody is in is refused rather than issuing an empty batch
    const nobody = await batch({ segment: 'cannot_lose' });
    expect(nobody.statusCode).toBe(422);
    expect(nobody.json()).toMatchObject({ error: { code: 'empty_segment' } });
  });

  it("applies a segment-conditioned promotion to that segment's members only", async () => {
    const promo = await call('POST', '/promotions', {
      name: 'Champions five percent',
      nameZh: '冠军客户九五折',
      conditions: [{ kind: 'segment', segmentIds: ['champions'] }],
      action: { kind: 'percent_off', percentBp: 500, target: 'order' },
    });
    expect(promo.statusCode, promo.body).toBe(201);
    const promoId = (promo.json() as { id: string }).id;
    const quote = async (customerId?: string) => {
      const res = await call(
        'POST',
        '/orders/quote',
        {
          storeId: sh.id,
          registerId: sh.registers[0],
          lines: lines(),
          ...(customerId ? { customerId } : {}),
        },
        'cashier',
      );
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as OrderView).promotions.map((p) => p.id);
    };
    expect(await quote(buyers[4])).toContain(promoId);
    expect(await quote(buyers[0])).not.toContain(promoId);
    expect(await quote(buyers[2])).not.toContain(promoId);
    expect(await quote()).not.toContain(promoId);

    // the sale itself (not only the quote) takes the segment discount
    const sale = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `seg-sale-${Math.random()}` },
      payload: {
        id: newOrderId(),
        storeId: sh.id,
        registerId: sh.registers[0],
        customerId: buyers[3],
        lines: lines(),
        tenders: [{ kind: 'cash', amount: gross() }],
      },
    });
    expect(sale.statusCode, sale.body).toBe(201);
    const order = sale.json() as OrderView;
    expect(order.promotions.map((p) => p.id)).toContain(promoId);
    expect(order.total).toBe(gross() - Math.round(gross() * 0.05));
  });
});
