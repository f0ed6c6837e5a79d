import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, type TestApp } from '../../../test/harness';
import { seedDemo } from '../../seed/seed';

describe.each(engines)('stores and registers (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  it('lists the two demo stores with currency, time zone and tax mode', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/stores', headers: t.auth('cashier') });
    expect(res.statusCode).toBe(200);
    const byCurrency = Object.fromEntries(res.json().items.map((s: { currency: string }) => [s.currency, s]));
    expect(byCurrency.CNY).toMatchObject({ timeZone: 'Asia/Shanghai', taxMode: 'inclusive' });
    expect(byCurrency.USD).toMatchObject({ timeZone: 'America/Los_Angeles', taxMode: 'exclusive' });
  });

  it('lists registers of a store', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers?storeId=${t.seed.stores.sf.id}`,
      headers: t.auth('cashier'),
    });
    expect(
      res
        .json()
        .items.map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual([...t.seed.stores.sf.registers].sort());
  });

  it('lets managers create and edit stores and registers, with clear errors', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: t.auth('manager'),
      payload: { name: 'Zürich Kiosk', currency: 'CHF', timeZone: 'Europe/Zurich', taxMode: 'inclusive' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ currency: 'CHF', cashIncrement: 5, negativeStock: 'allow' });
    const id = created.json().id;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${id}`,
      headers: t.auth('manager'),
      payload: { negativeStock: 'block' },
    });
    expect(patched.json().negativeStock).toBe('block');
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registers',
      headers: t.auth('manager'),
      payload: { storeId: id, name: 'Till 1' },
    });
    expect(register.statusCode).toBe(201);
    const renamed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registers/${register.json().id}`,
      headers: t.auth('manager'),
      payload: { active: false },
    });
    expect(renamed.json().active).toBe(false);
    expect(register.json().offlineCardLimit).toBe(0);
    const limited = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registers/${register.json().id}`,
      headers: t.auth('manager'),
      payload: { offlineCardLimit: 5000 },
    });
    expect(limited.statusCode).toBe(200);
    expect(limited.json().offlineCardLimit).toBe(5000);
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers?storeId=${id}`,
      headers: t.auth('manager'),
    });
    expect(listed.json().items[0].offlineCardLimit).toBe(5000);
    const negative = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/registers/${register.json().id}`,
      headers: t.auth('manager'),
      payload: { offlineCardLimit: -1 },
    });
    expect(negative.statusCode).toBe(400);

    const badCurrency = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: t.auth('manager'),
      payload: { name: 'x', currency: 'XXY', timeZone: 'UTC', taxMode: 'inclusive' },
    });
    expect(badCurrency.json().error.code).toBe('invalid_currency');
    const badZone = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: t.auth('manager'),
      payload: { name: 'x', currency: 'EUR', timeZone: 'Mars/Base', taxMode: 'inclusive' },
    });
    expect(badZone.json().error.code).toBe('invalid_time_zone');
    const byCashier = await t.app.inject({
      method: 'POST',
      url: '/api/v1/stores',
      headers: t.auth('cashier'),
      payload: { name: 'x', currency: 'EUR', timeZone: 'UTC', taxMode: 'inclusive' },
    });
    expect(byCashier.statusCode).toBe(403);
    const noStore = await t.app.inject({
      method: 'POST',
      url: '/api/v1/registers',
      headers: t.auth('manager'),
      payload: { storeId: 'sto_nope', name: 'x' },
    });
    expect(noStore.json().error.code).toBe('unknown_store');
    const empty = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${id}`,
      headers: t.auth('manager'),
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('never shows or changes another tenant’s stores', async () => {
    const other = await seedDemo(t.deps, { usernamePrefix: `s${Math.random().toString(36).slice(2, 6)}_` });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/stores', headers: t.auth('owner') });
    expect(list.json().items.map((s: { id: string }) => s.id)).not.toContain(other.stores.sh.id);
    const get = await t.app.inject({
      method: 'GET',
      url: `/api/v1/stores/${other.stores.sh.id}`,
      headers: t.auth('owner'),
    });
    expect(get.statusCode).toBe(404);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/stores/${other.stores.sh.id}`,
      headers: t.auth('owner'),
      payload: { name: 'hijacked' },
    });
    expect(patch.statusCode).toBe(404);
    const regs = await t.app.inject({
      method: 'GET',
      url: `/api/v1/registers?storeId=${other.stores.sh.id}`,
      headers: t.auth('owner'),
    });
    expect(regs.json().items).toEqual([]);
  });
});
