import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  demoVariants,
  engines,
  newOrderId,
  pairDevice,
  startTestApp,
  type TestApp,
} from '../../../test/harness';
import type { Clock } from '../../lib/ids';

describe.each(engines)('device credentials (%s)', (engine) => {
  let t: TestApp;
  // the test moves this clock forward to expire pairing codes and device tokens
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  let store: string;
  let reg1: string;
  let reg2: string;

  const call = async (
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    url: string,
    headers: Record<string, string> | null,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        ...(headers ?? {}),
        ...(url === '/orders' ? { 'idempotency-key': randomBytes(8).toString('hex') } : {}),
      },
      ...(payload ? { payload } : {}),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const cashier = () => t.seed.staff.find((s) => s.role === 'cashier')!;
  const auditActions = async (deviceId: string) =>
    (
      await t.deps.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('tenant_id', '=', t.seed.tenantId)
        .where('entity_id', '=', deviceId)
        .orderBy('id')
        .execute()
    ).map((r) => r.action);

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    store = t.seed.stores.sh.id;
    reg1 = t.seed.stores.sh.registers[0]!;
    reg2 = t.seed.stores.sh.registers[1]!;
  }, 120_000);
  afterAll(() => t.close());

  it('registers a device, shows its code once, and pairs it once: a used or unknown code is refused', async () => {
    const made = await call('POST', '/devices', t.auth('manager'), {
      kind: 'register',
      name: 'Spare till',
      storeId: store,
      registerId: reg2,
    });
    expect(made.statusCode, made.body).toBe(201);
    const { device, pairing } = made.json() as {
      device: { id: string; state: string };
      pairing: { code: string; expiresAt: string };
    };
    expect(device.state).toBe('pending');
    expect(pairing.code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    // only the hash of the code is kept
    const stored = await t.deps.database.db.selectFrom('device_pairings').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(pairing.code.replace('-', ''));

    // lower case and without the dash works too
    const pair = await call('POST', '/devices/pair', null, {
      code: pairing.code.replace('-', '').toLowerCase(),
    });
    expect(pair.statusCode, pair.body).toBe(200);
    const paired = pair.json() as {
      credential: string;
      device: { id: string; state: string; registerId: string };
    };
    expect(paired.credential).toMatch(new RegExp(`^odk_${device.id}\\.`));
    expect(paired.device).toMatchObject({ id: device.id, state: 'paired', registerId: reg2 });
    const row = await t.deps.database.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain(paired.credential.split('.')[1]);

    const again = await call('POST', '/devices/pair', null, { code: pairing.code });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('pairing_expired');
    const unknown = await call('POST', '/devices/pair', null, { code: 'AAAA-AAAA' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_pairing_code');
    const malformed = await call('POST', '/devices/pair', null, { code: 'x' });
    expect(malformed.statusCode).toBe(400);

    const list = await call('GET', '/devices', t.auth('owner'));
    expect(list.statusCode).toBe(200);
    const listed = (list.json() as { items: { id: string; state: string; lastSeenAt: string | null }[] })
      .items;
    expect(listed.find((d) => d.id === device.id)).toMatchObject({ state: 'paired' });
    expect(listed.find((d) => d.id === device.id)?.lastSeenAt).not.toBeNull();
    expect(await auditActions(device.id)).toEqual(['device.created', 'device.paired']);
  });

  it('checks what a device is bound to, and only managers and owners register devices', async () => {
    const noRegister = await call('POST', '/devices', t.auth('manager'), {
      kind: 'payment_terminal',
      name: 'T',
      storeId: store,
    });
    expect(noRegister.statusCode).toBe(400);
    const otherStore = await call('POST', '/devices', t.auth('manager'), {
      kind: 'customer_display',
      name: 'D',
      storeId: t.seed.stores.sf.id,
      registerId: reg1,
    });
    expect(otherStore.statusCode).toBe(422);
    expect(otherStore.json().error.code).toBe('register_store_mismatch');
    const badKind = await call('POST', '/devices', t.auth('manager'), {
      kind: 'toaster',
      name: 'D',
      storeId: store,
    });
    expect(badKind.statusCode).toBe(400);
    const kiosk = await call('POST', '/devices', t.auth('manager'), {
      kind: 'kiosk',
      name: 'K',
      storeId: store,
    });
    expect(kiosk.statusCode).toBe(201);
    const byCashier = await call('POST', '/devices', t.auth('cashier'), {
      kind: 'kiosk',
      name: 'K',
      storeId: store,
    });
    expect(byCashier.statusCode).toBe(403);
    expect((await call('GET', '/devices', t.auth('cashier'))).statusCode).toBe(403);
    expect(
      (await call('DELETE', '/devices/dev_00000000-0000-7000-8000-000000000000', t.auth('owner'))).statusCode,
    ).toBe(404);
    const nothing = await call(
      'POST',
      '/devices/dev_00000000-0000-7000-8000-000000000000/pairing-code',
      t.auth('owner'),
    );
    expect(nothing.statusCode).toBe(404);
    expect(nothing.json().error.code).toBe('unknown_device');
  });

  it('gives each kind only its own permissions', async () => {
    const register = t.deviceAuth('register');
    const display = t.deviceAuth('customer_display');
    const terminal = t.deviceAuth('payment_terminal');
    // a register reads the catalog before anyone signs in, but sells nothing by itself
    expect((await call('GET', '/products', register)).statusCode).toBe(200);
    const [item] = await demoVariants(t, { unit: 'each', limit: 1 });
    const sell = await call('POST', '/orders', register, {
      id: newOrderId(),
      storeId: store,
      registerId: reg1,
      lines: [{ variantId: item!.id, quantity: 1 }],
      tenders: [{ kind: 'cash', amount: 1_000_000 }],
    });
    expect(sell.statusCode).toBe(403);
    // a display cannot sell, read orders, manage devices or take a PIN
    expect((await call('GET', '/orders', display)).statusCode).toBe(403);
    expect((await call('GET', '/devices', display)).statusCode).toBe(403);
    const displayPin = await call('POST', '/auth/pin', display, {
      username: cashier().username,
      pin: '1234',
    });
    expect(displayPin.statusCode).toBe(403);
    // routes for signed-in people refuse devices altogether
    expect((await call('GET', '/auth/me', terminal)).statusCode).toBe(403);
    expect(
      (await call('POST', '/auth/password', display, { currentPassword: 'x', newPassword: 'y' })).statusCode,
    ).toBe(403);
    // a terminal reports card reads for its own register only; nobody else may
    const present = (headers: Record<string, string>, registerId: string) =>
      call('POST', `/payments/terminals/${registerId}/present`, headers, { card: 'visa', entryMode: 'chip' });
    expect((await present(terminal, reg1)).statusCode).toBe(204);
    const elsewhere = await present(terminal, reg2);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json().error.code).toBe('unknown_device');
    expect((await present(display, reg1)).statusCode).toBe(403);
    expect((await present(t.auth('owner'), reg1)).statusCode).toBe(403);
    // the display cannot send a tip for another register: it has none to name
    expect((await call('POST', '/display/tip', register, { tip: 100 })).statusCode).toBe(403);
  });

  it('signs a cashier in by PIN on a paired register only', async () => {
    const register = t.deviceAuth('register');
    const pin = await call('POST', '/auth/pin', register, {
      username: cashier().username,
      pin: cashier().pin,
    });
    expect(pin.statusCode, pin.body).toBe(200);
    const session = pin.json() as { token: string };
    const me = await call('GET', '/auth/me', bearer(session.token));
    expect(me.json()).toMatchObject({ role: 'cashier', registerId: reg1, method: 'pin' });
    // the register is the device's own: naming another is refused
    const other = await call('POST', '/auth/pin', register, {
      registerId: reg2,
      username: cashier().username,
      pin: cashier().pin,
    });
    expect(other.statusCode).toBe(403);
    const wrong = await call('POST', '/auth/pin', register, { username: cashier().username, pin: '0000' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_pin');

    // a new register nobody has paired takes no PIN, nor does one whose device is still pending
    const fresh = await call('POST', '/registers', t.auth('owner'), { storeId: store, name: 'Unpaired' });
    expect(fresh.statusCode, fresh.body).toBe(201);
    const freshId = (fresh.json() as { id: string }).id;
    const pinOn = (registerId: string) =>
      call('POST', '/auth/pin', t.auth('cashier'), {
        registerId,
        username: cashier().username,
        pin: cashier().pin,
      });
    const unpaired = await pinOn(freshId);
    expect(unpaired.statusCode).toBe(403);
    expect(unpaired.json().error.code).toBe('register_not_paired');
    const pending = await call('POST', '/devices', t.auth('manager'), {
      kind: 'register',
      name: 'Unpaired till',
      storeId: store,
      registerId: freshId,
    });
    expect(pending.statusCode).toBe(201);
    expect((await pinOn(freshId)).json().error.code).toBe('register_not_paired');
    // a PIN switch on a paired register works for someone signed in on it
    expect((await pinOn(reg1)).statusCode).toBe(200);
    // someone signed in must name the register to switch on
    expect(
      (
        await call('POST', '/auth/pin', t.auth('cashier'), {
          username: cashier().username,
          pin: cashier().pin,
        })
      ).statusCode,
    ).toBe(400);
  });

  it('takes tips and feedback from the paired display of the register', async () => {
    const display = t.deviceAuth('customer_display');
    const session = await call(
      'GET',
      `/display/session?token=${t.devices.find((d) => d.kind === 'customer_display' && d.registerId === reg1)!.token}`,
      null,
    );
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ registerId: reg1 });
    const tip = await call('POST', '/display/tip', display, { tip: 250, at: 1234 });
    expect(tip.statusCode, tip.body).toBe(204);
    const read = await call('GET', `/display/${reg1}/tip`, t.auth('cashier'));
    expect(read.json()).toEqual({ tip: 250, at: 1234 });
    expect((await call('GET', `/display/${reg2}/tip`, t.auth('cashier'))).json()).toEqual({
      tip: null,
      at: null,
    });

    const [item] = await demoVariants(t, { unit: 'each', limit: 1 });
    const saleOn = async (registerId: string) => {
      const order = await call('POST', '/orders', t.auth('cashier'), {
        id: newOrderId(),
        storeId: store,
        registerId,
        lines: [{ variantId: item!.id, quantity: 1 }],
        tenders: [{ kind: 'cash', amount: 1_000_000 }],
      });
      expect(order.statusCode, order.body).toBe(201);
      const link = await call(
        'POST',
        `/orders/${(order.json() as { id: string }).id}/receipt-link`,
        t.auth('cashier'),
      );
      return (link.json() as { token: string }).token;
    };
    const mine = await saleOn(reg1);
    const theirs = await saleOn(reg2);
    const fb = (receiptToken: string) =>
      call('POST', '/display/feedback', display, { receiptToken, rating: 5, comment: 'quick' });
    // a sale of another register is not the display's to rate
    const foreign = await fb(theirs);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('unknown_receipt');
    expect((await fb(mine)).statusCode).toBe(201);
    const row = await t.deps.database.db
      .selectFrom('feedback')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .where('register_id', '=', reg1)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ rating: 5, source: 'display', comment: 'quick' });
  });

  it('revokes a device at once: its token, its credential and the PIN sign-ins on its register', async () => {
    const made = await call('POST', '/devices', t.auth('owner'), {
      kind: 'register',
      name: 'Till to lose',
      storeId: store,
      registerId: reg2,
    });
    const { device, pairing } = made.json() as { device: { id: string }; pairing: { code: string } };
    // this register already has a paired device (first test): revoke that one too below
    const paired = await pairDevice(t.app, pairing.code);
    const pin = await call('POST', '/auth/pin', bearer(paired.token), {
      username: cashier().username,
      pin: cashier().pin,
    });
    expect(pin.statusCode).toBe(200);
    const cashierOnTill = bearer((pin.json() as { token: string }).token);
    expect((await call('GET', '/auth/me', cashierOnTill)).statusCode).toBe(200);

    const others = (
      (await call('GET', '/devices', t.auth('owner'))).json() as {
        items: { id: string; kind: string; registerId: string; state: string }[];
      }
    ).items.filter((d) => d.kind === 'register' && d.registerId === reg2 && d.id !== device.id);
    for (const o of others)
      expect((await call('DELETE', `/devices/${o.id}`, t.auth('owner'))).statusCode).toBe(204);
    // another register device of the register is gone, but this one still holds it: sessions live on
    expect((await call('GET', '/auth/me', cashierOnTill)).statusCode).toBe(200);

    const revoke = await call('DELETE', `/devices/${device.id}`, t.auth('owner'));
    expect(revoke.statusCode).toBe(204);
    expect((await call('GET', '/products', bearer(paired.token))).statusCode).toBe(401);
    const token = await call('POST', '/devices/token', bearer(paired.credential));
    expect(token.statusCode).toBe(401);
    expect((await call('GET', '/auth/me', cashierOnTill)).statusCode).toBe(401);
    const switchOn = await call('POST', '/auth/pin', t.auth('cashier'), {
      registerId: reg2,
      username: cashier().username,
      pin: cashier().pin,
    });
    expect(switchOn.json().error.code).toBe('register_not_paired');
    expect((await call('DELETE', `/devices/${device.id}`, t.auth('owner'))).statusCode).toBe(404);
    expect(await auditActions(device.id)).toEqual(['device.created', 'device.paired', 'device.revoked']);
    const listed = (
      (await call('GET', '/devices', t.auth('owner'))).json() as {
        items: { id: string; state: string }[];
      }
    ).items;
    expect(listed.find((d) => d.id === device.id)?.state).toBe('revoked');
  });

  it('a new code replaces the old one; codes and device tokens expire', async () => {
    const made = await call('POST', '/devices', t.auth('owner'), {
      kind: 'customer_display',
      name: 'Second screen',
      storeId: store,
      registerId: reg2,
    });
    const { device, pairing } = made.json() as { device: { id: string }; pairing: { code: string } };
    const next = await call('POST', `/devices/${device.id}/pairing-code`, t.auth('owner'));
    expect(next.statusCode).toBe(201);
    const code2 = (next.json() as { code: string }).code;
    expect((await call('POST', '/devices/pair', null, { code: pairing.code })).statusCode).toBe(404);
    const code3 = (
      (await call('POST', `/devices/${device.id}/pairing-code`, t.auth('owner'))).json() as { code: string }
    ).code;
    expect(code3).not.toBe(code2);
    const paired = await pairDevice(t.app, code3);

    const late = await call('POST', `/devices/${device.id}/pairing-code`, t.auth('owner'));
    const lateCode = (late.json() as { code: string }).code;
    // sixteen minutes on: the code has expired, and so has the 15-minute device token
    offsetMs += 16 * 60_000;
    const expired = await call('POST', '/devices/pair', null, { code: lateCode });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('pairing_expired');
    const old = await call('POST', '/display/tip', bearer(paired.token), { tip: 1 });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe('token_expired');
    // the credential still trades for a new token
    const fresh = await call('POST', '/devices/token', bearer(paired.credential));
    expect(fresh.statusCode).toBe(200);
    expect(
      (await call('POST', '/display/tip', bearer((fresh.json() as { token: string }).token), { tip: 1 }))
        .statusCode,
    ).toBe(204);
  });

  it('limits wrong pairing codes per address', async () => {
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/devices/pair',
        remoteAddress: '10.9.8.7',
        payload: { code: `ZZZZ-ZZ${String(10 + i).replace(/[01]/g, '2')}` },
      });
      last = res.statusCode;
    }
    expect(last).toBe(429);
  });
});
