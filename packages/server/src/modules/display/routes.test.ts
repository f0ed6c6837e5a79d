import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, TEST_PASSWORD, type TestApp } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import { seedDemo, type SeedResult } from '../../seed/seed';
import { createStoresService } from '../stores/service';
import { CLAIM_ATTEMPTS, createDisplayService, type DisplayMessage } from './service';

const cartState = {
  kind: 'cart',
  currency: 'CNY',
  lines: [{ name: 'Jasmine tea', nameZh: '茉莉花茶', quantity: 2, unit: 'each', total: 2400 }],
  subtotal: 2400,
  discountTotal: 0,
  taxTotal: 276,
  total: 2400,
};

describe.each(engines)('customer display pairing and push (%s)', (engine) => {
  let t: TestApp;
  let other: SeedResult;
  const clock = fixedClock(new Date());
  let registerId: string;

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
    other = await seedDemo(t.deps, { password: TEST_PASSWORD, usernamePrefix: `other${engine}_` });
    registerId = t.seed.stores.sh.registers[0] ?? '';
  });
  afterAll(async () => t?.close());

  async function pair(role: 'cashier' | 'manager' = 'cashier', reg = registerId) {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/display/pairings',
      headers: t.auth(role),
      payload: { registerId: reg },
    });
  }
  const claim = (code: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/display/pairings/${code}/claim` });
  const publish = (reg: string, state: unknown, headers = t.auth('cashier')) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/display/${reg}/state`,
      headers,
      payload: { at: Date.now(), state },
    });

  it('pairs a display with a 6-digit code, once, and gives a read-only token', async () => {
    const res = await pair();
    expect(res.statusCode).toBe(201);
    const body = res.json() as { code: string; expiresAt: string; registerId: string };
    expect(body.code).toMatch(/^\d{6}$/);
    expect(body.registerId).toBe(registerId);
    expect(Date.parse(body.expiresAt) - clock.now().getTime()).toBe(10 * 60_000);

    const claimed = await claim(body.code);
    expect(claimed.statusCode).toBe(200);
    const session = claimed.json() as { token: string; registerId: string; storeName: string };
    expect(session.token).toMatch(/^otd_[\w-]{40,}$/);
    expect(session.registerId).toBe(registerId);
    expect(session.storeName).not.toBe('');

    // single use
    const again = await claim(body.code);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('unknown_pairing_code');

    // the display token opens the stream only: every other API refuses it
    const bearer = { authorization: `Bearer ${session.token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stores', headers: bearer })).statusCode).toBe(
      401,
    );
    const relay = await publish(registerId, cartState, bearer);
    expect(relay.statusCode).toBe(401);
    const check = await t.app.inject({
      method: 'GET',
      url: `/api/v1/display/session?token=${encodeURIComponent(session.token)}`,
    });
    expect(check.statusCode).toBe(200);
    expect(check.json().registerId).toBe(registerId);
  });

  it('keeps tenants apart and checks permissions', async () => {
    const foreign = other.stores.sh.registers[0] ?? '';
    const res = await pair('cashier', foreign);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('unknown_register');
    const relay = await publish(foreign, cartState);
    expect(relay.statusCode).toBe(404);
    expect(relay.json().error.code).toBe('unknown_register');

    const auditor = await t.app.inject({
      method: 'POST',
      url: '/api/v1/display/pairings',
      headers: t.auth('auditor'),
      payload: { registerId },
    });
    expect(auditor.statusCode).toBe(403);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/display/pairings',
      payload: { registerId },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('validates the state and reports the number of open streams', async () => {
    const ok = await publish(registerId, cartState);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ streams: 0 });
    const bad = await publish(registerId, { ...cartState, kind: 'dancing' });
    expect(bad.statusCode).toBe(400);
    const extra = await publish(registerId, { kind: 'idle', storeName: 'x', secret: 1 });
    expect(extra.statusCode).toBe(400);
    const badCode = await claim('12ab56');
    expect(badCode.statusCode).toBe(400);
  });

  it('streams the latest state, then every new one, as Server-Sent Events', async () => {
    const code = (await pair()).json().code as string;
    const token = (await claim(code)).json().token as string;
    await publish(registerId, { kind: 'idle', storeName: 'Shanghai' });

    const streaming = t.app.inject({
      method: 'GET',
      url: `/api/v1/display/stream?token=${encodeURIComponent(token)}`,
    });
    // wait for the stream to subscribe, then publish through the route and unpair to end it
    for (let i = 0; i < 100; i++) {
      const res = await publish(registerId, cartState);
      if ((res.json() as { streams: number }).streams === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const unpaired = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/display/${registerId}/pairings`,
      headers: t.auth('cashier'),
    });
    expect(unpaired.json().revoked).toBeGreaterThanOrEqual(1);
    const res = await streaming;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toContain('no-cache');
    const events = res.body.split('\n\n').filter((e) => e.startsWith('event:'));
    expect(events[0]).toContain('"kind":"idle"');
    expect(events.some((e) => e.includes('茉莉花茶'))).toBe(true);
    expect(events.at(-1)).toBe('event: end\ndata: {}');

    // the unpaired token no longer opens a stream
    const refused = await t.app.inject({
      method: 'GET',
      url: `/api/v1/display/stream?token=${encodeURIComponent(token)}`,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('invalid_display_token');
  });

  it('expires codes after 10 minutes and display tokens after 12 hours', async () => {
    const code = (await pair()).json().code as string;
    const fresh = (await pair()).json().code as string;
    const token = (await claim(fresh)).json().token as string;
    clock.advance(10 * 60_000 + 1);
    const late = await claim(code);
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('pairing_expired');
    clock.advance(12 * 3600_000);
    const expired = await t.app.inject({
      method: 'GET',
      url: `/api/v1/display/session?token=${encodeURIComponent(token)}`,
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('invalid_display_token');
  });

  it('refuses guessing codes after a few wrong tries', async () => {
    clock.advance(61_000);
    const codes: number[] = [];
    for (let i = 0; i <= CLAIM_ATTEMPTS; i++) codes.push((await claim('000000')).statusCode);
    expect(codes.slice(0, CLAIM_ATTEMPTS).every((s) => s === 404 || s === 410)).toBe(true);
    expect(codes.at(-1)).toBe(429);
    clock.advance(61_000);
    expect((await claim('000000')).statusCode).not.toBe(429);
  });
});

describe.each(engines)('display service subscribe and publish (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(async () => t?.close());

  it('pushes each state to the streams of its register only, and ends them on unpair', async () => {
    const display = createDisplayService(t.deps, { stores: createStoresService(t.deps) });
    const [a, b] = t.seed.stores.sh.registers;
    if (!a || !b) throw new Error('the demo store has two registers');
    const got: DisplayMessage[] = [];
    const gotB: DisplayMessage[] = [];
    let ended = 0;
    const off = display.subscribe(t.seed.tenantId, a, { message: (m) => got.push(m), end: () => ended++ });
    display.subscribe(t.seed.tenantId, b, { message: (m) => gotB.push(m), end: () => undefined });
    expect(display.streamCount(t.seed.tenantId, a)).toBe(1);

    const m1 = { at: 1, state: { kind: 'idle', storeName: 'S' } };
    const sent = await display.publish(t.seed.tenantId, a, m1);
    expect(sent).toEqual({ ok: true, value: 1 });
    expect(got).toEqual([m1]);
    expect(gotB).toEqual([]);
    expect(display.latest(t.seed.tenantId, a)).toEqual(m1);
    expect(display.latest('ten_other', a)).toBeNull();

    const unknown = await display.publish(t.seed.tenantId, 'reg_nope', m1);
    expect(unknown.ok).toBe(false);

    off();
    await display.publish(t.seed.tenantId, a, { at: 2, state: { kind: 'idle', storeName: 'S' } });
    expect(got).toHaveLength(1);
    expect(display.latest(t.seed.tenantId, a)?.at).toBe(2);

    display.subscribe(t.seed.tenantId, a, { message: () => undefined, end: () => ended++ });
    display.revoke(t.seed.tenantId, a);
    expect(ended).toBe(1);
    expect(display.streamCount(t.seed.tenantId, a)).toBe(0);
    expect(display.streamCount(t.seed.tenantId, b)).toBe(1);
  });
});
