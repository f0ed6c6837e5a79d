import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, TEST_PASSWORD, type TestApp } from '../../../test/harness';

describe.each(engines)('auth and staff (%s)', (engine) => {
  let t: TestApp;
  const user = (role: string) => t.seed.staff.find((s) => s.role === role)!.username;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  it('signs in with username and password and says who the token is', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user('cashier'), password: TEST_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^otk_/);
    expect(body.staff).toMatchObject({ role: 'cashier', hasPin: true });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.json()).toMatchObject({ role: 'cashier', tenantId: t.seed.tenantId });
  });

  it('refuses a wrong password or unknown user with the same answer', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user('cashier'), password: 'nope' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'a', password: 'b', tenantId: 'x' },
    });
    expect(extra.json().error.code).toBe('unknown_field');
    const badJson = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('invalid_json');
  });

  it('switches staff on a known register with a PIN', async () => {
    const registerId = t.seed.stores.sh.registers[0]!;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/pin',
      headers: t.auth('manager'),
      payload: { registerId, username: user('cashier'), pin: '1234' },
    });
    expect(ok.statusCode).toBe(200);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${ok.json().token}` },
    });
    expect(me.json()).toMatchObject({ role: 'cashier', registerId });
    const badPin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/pin',
      headers: t.auth('manager'),
      payload: { registerId, username: user('cashier'), pin: '9999' },
    });
    expect(badPin.json().error.code).toBe('invalid_pin');
    const noPin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/pin',
      headers: t.auth('manager'),
      payload: { registerId, username: user('owner'), pin: '1234' },
    });
    expect(noPin.json().error.code).toBe('invalid_pin');
    const badRegister = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/pin',
      headers: t.auth('manager'),
      payload: { registerId: 'reg_nope', username: user('cashier'), pin: '1234' },
    });
    expect(badRegister.json().error.code).toBe('unknown_register');
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/pin',
      payload: { registerId, username: user('cashier'), pin: '1234' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('revokes a token on logout', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: user('auditor'), password: TEST_PASSWORD },
    });
    const headers = { authorization: `Bearer ${login.json().token}` };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(
      204,
    );
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    expect(after.statusCode).toBe(401);
    const garbage = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Bearer otk_garbage' },
    });
    expect(garbage.json().error.code).toBe('unauthenticated');
  });

  it('lets managers create staff, not cashiers; usernames are unique', async () => {
    const payload = {
      username: `new_${engine}_${Date.now()}`,
      displayName: 'New Hire 新员工',
      role: 'cashier',
      password: 'long-enough-pw',
      pin: '2468',
    };
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: t.auth('manager'),
      payload,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ username: payload.username, role: 'cashier', hasPin: true });
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: t.auth('manager'),
      payload,
    });
    expect(again.json().error.code).toBe('duplicate_username');
    const byCashier = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: t.auth('cashier'),
      payload: { ...payload, username: 'x_other' },
    });
    expect(byCashier.statusCode).toBe(403);
    const ownerByManager = await t.app.inject({
      method: 'POST',
      url: '/api/v1/staff',
      headers: t.auth('manager'),
      payload: { ...payload, username: 'x_owner', role: 'owner' },
    });
    expect(ownerByManager.statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/staff', headers: t.auth('owner') });
    expect(list.json().items.map((s: { username: string }) => s.username)).toContain(payload.username);
    expect(JSON.stringify(list.json())).not.toContain('scrypt');
  });

  it('serves health, OpenAPI and docs, and a clear 404 for unknown routes', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/orders',
      '/api/v1/orders/{id}/refunds',
      '/api/v1/stores',
      '/api/v1/registers',
    ]) {
      expect(Object.keys(spec.paths)).toContain(path);
    }
    expect((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('route_not_found');
  });
});
