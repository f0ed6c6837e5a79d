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
import type { CustomerView } from './service';

describe.each(engines)('customers (%s)', (engine) => {
  let t: TestApp;
  let items: DemoVariant[];
  beforeAll(async () => {
    t = await startTestApp(engine);
    items = await demoVariants(t, { unit: 'each', limit: 2 });
  });
  afterAll(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: object,
    role: 'cashier' | 'manager' | 'auditor' = 'manager',
  ) => t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(role), ...(payload ? { payload } : {}) });

  const create = async (body: object) => {
    const res = await call('POST', '/customers', body, 'cashier');
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CustomerView;
  };

  it('keeps personal data only as ciphertext, with consent time and source', async () => {
    const c = await create({
      name: '王小明',
      phone: '+86 138-0013-8000',
      email: 'Xiaoming@Example.com',
      birthday: '1990-05-04',
      consents: { marketing: true, processing: true },
      consentSource: 'register',
    });
    expect(c).toMatchObject({
      name: '王小明',
      phone: '8613800138000',
      email: 'xiaoming@example.com',
      birthday: '1990-05-04',
    });
    expect(c.consents.marketing).toMatchObject({ granted: true, source: 'register' });
    expect(c.consents.processing.at).not.toBeNull();
    expect(c.memberCode).toMatch(/^[34679ACDEFGHJKMNPQRTUVWXY]{12}$/);

    const row = await t.deps.database.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    const stored = JSON.stringify(row);
    for (const plain of ['王小明', '13800138000', 'xiaoming', '1990-05-04'])
      expect(stored).not.toContain(plain);
    expect(row.name_enc).toMatch(/^v1\./);
    expect(row.phone_idx).toBeTruthy();

    // withdrawing marketing consent records when and where
    const res = await call('PATCH', `/customers/${c.id}`, {
      consents: { marketing: false },
      consentSource: 'back_office',
    });
    expect(res.statusCode).toBe(200);
    const after = res.json() as CustomerView;
    expect(after.consents.marketing).toMatchObject({ granted: false, source: 'back_office' });
    expect(after.consents.processing).toEqual(c.consents.processing);
  });

  it('finds a member at the till by phone (any spelling), member QR, card number or e-mail', async () => {
    const c = await create({
      name: 'Ada Lee',
      phone: '415 555 0134',
      cardNo: 'M-000123',
      email: 'ada@example.org',
    });
    for (const q of [
      '415-555-0134',
      '(415) 5550134',
      `OTM:${c.memberCode ?? ''}`,
      'M-000123',
      'ADA@example.org',
    ]) {
      const res = await call('GET', `/customers/lookup?q=${encodeURIComponent(q)}`, undefined, 'cashier');
      expect(res.statusCode, q).toBe(200);
      expect(res.json()).toMatchObject({
        id: c.id,
        name: 'Ada Lee',
        phoneMasked: '******0134',
        loyalty: { balance: 0 },
      });
    }
    const miss = await call('GET', '/customers/lookup?q=4155550199', undefined, 'cashier');
    expect(miss.statusCode).toBe(404);
    expect(miss.json().error.code).toBe('unknown_customer');
    const list = await call('GET', '/customers?q=4155550134');
    expect((list.json() as { items: CustomerView[] }).items.map((i) => i.id)).toEqual([c.id]);
  });

  it('refuses a second customer with the same phone, and bad phone or e-mail', async () => {
    await create({ name: 'First', phone: '13900001111' });
    const dup = await call(
      'POST',
      '/customers',
      { name: 'Second', phone: '+86 139 0000 1111'.replace('+86 ', '') },
      'cashier',
    );
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('duplicate_customer');
    expect((await call('POST', '/customers', { phone: 'call me' })).json().error.code).toBe('invalid_phone');
    expect((await call('POST', '/customers', { email: 'nobody' })).json().error.code).toBe('invalid_email');
  });

  it('exports one customer as JSON and erases them while their sales stay as anonymous facts', async () => {
    const c = await create({ name: 'Erin Erase', phone: '13700007777', email: 'erin@example.com' });
    const sf = t.seed.stores.sf;
    const price = items[0]!.prices[sf.id]!;
    const sale = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `erase-${c.id}` },
      payload: {
        id: newOrderId(),
        storeId: sf.id,
        registerId: sf.registers[0],
        customerId: c.id,
        lines: [{ variantId: items[0]!.id, quantity: 1 }],
        tenders: [{ kind: 'cash', amount: price * 2 }],
      },
    });
    expect(sale.statusCode, sale.body).toBe(201);
    const order = sale.json() as OrderView;

    expect((await call('GET', `/customers/${c.id}/export`, undefined, 'cashier')).statusCode).toBe(403);
    const exp = await call('GET', `/customers/${c.id}/export`);
    expect(exp.statusCode).toBe(200);
    const data = exp.json() as {
      customer: CustomerView;
      orders: { id: string }[];
      loyalty: { ledger: unknown[] };
    };
    expect(data.customer).toMatchObject({ name: 'Erin Erase', email: 'erin@example.com' });
    expect(data.orders.map((o) => o.id)).toEqual([order.id]);

    expect((await call('POST', `/customers/${c.id}/erase`, {}, 'cashier')).statusCode).toBe(403);
    const erased = await call('POST', `/customers/${c.id}/erase`, {});
    expect(erased.statusCode).toBe(200);

    const after = (await call('GET', `/customers/${c.id}`)).json() as CustomerView;
    expect(after).toMatchObject({
      erased: true,
      name: null,
      phone: null,
      email: null,
      cardNo: null,
      memberCode: null,
    });
    expect((await call('GET', '/customers/lookup?q=13700007777', undefined, 'cashier')).statusCode).toBe(404);
    // the sale is still there, linked to the anonymous id
    const kept = (await call('GET', `/orders/${order.id}`)).json() as OrderView;
    expect(kept).toMatchObject({ customerId: c.id, total: order.total });
    // an erased customer cannot buy again
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': `erase2-${c.id}` },
      payload: {
        id: newOrderId(),
        storeId: sf.id,
        registerId: sf.registers[0],
        customerId: c.id,
        lines: [{ variantId: items[0]!.id, quantity: 1 }],
        tenders: [{ kind: 'cash', amount: price * 2 }],
      },
    });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('customer_erased');
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', c.id)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'customer.create',
      'customer.erase',
      'customer.export',
    ]);
  });

  it('shows purchase history and refuses an unknown customer at checkout', async () => {
    const sh = t.seed.stores.sh;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...t.auth('cashier'), 'idempotency-key': 'unknown-customer-1' },
      payload: {
        id: newOrderId(),
        storeId: sh.id,
        registerId: sh.registers[0],
        customerId: 'cus_nobody',
        lines: [{ variantId: items[0]!.id }],
        tenders: [{ kind: 'cash', amount: 100000 }],
      },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('unknown_customer');
  });
});
