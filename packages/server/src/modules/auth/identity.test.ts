import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, TEST_PASSWORD, type TestApp } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import { base32Decode, totp } from './totp';
import { FLAGS, newSoftPasskey, softAssert, softRegister } from '../../../test/soft-authenticator';
import { passwordProblem } from './service';
import { devSmsOutbox } from './sms';

const ORIGIN = 'http://localhost:8080';

describe('password policy', () => {
  it('needs 12 characters, letters and a digit or symbol, and not the username', () => {
    expect(passwordProblem('short-pw-1', 'ann', 12)).toMatch(/12 characters/);
    expect(passwordProblem('onlylettersherex', 'ann', 12)).toMatch(/digit or symbol/);
    expect(passwordProblem('123456789012', 'ann', 12)).toMatch(/letters/);
    expect(passwordProblem('annabelle-2026', 'annabelle', 12)).toMatch(/username/);
    expect(passwordProblem('opentill-demo', 'owner', 12)).toBeNull();
  });
});

describe.each(engines)('identity (%s)', (engine) => {
  let t: TestApp;
  const clock = fixedClock(new Date('2026-11-30T09:00:00Z'));
  const user = (role: string) => t.seed.staff.find((s) => s.role === role)!.username;
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1${url}`,
      payload: payload as object,
      headers: { origin: ORIGIN, ...headers },
    });
  const get = (url: string, token: string) =>
    t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const code = (secret: Buffer) => totp(secret, Math.floor(clock.now().getTime() / 1000));
  /** A fresh full session of a demo role (the clock here runs far past the harness's tokens). */
  const fresh = async (role: 'owner' | 'manager') => {
    const login = await post('/auth/login', { username: user(role), password: TEST_PASSWORD });
    clock.advance(30_000);
    const ok = await post(
      '/auth/mfa/verify',
      { method: 'totp', code: code(t.totpSecrets[role]!) },
      bearer(login.json().token),
    );
    expect(ok.statusCode).toBe(200);
    return bearer(login.json().token as string);
  };

  beforeAll(async () => {
    t = await startTestApp(engine, clock);
  });
  afterAll(() => t.close());

  it('refuses weak passwords when staff are created', async () => {
    const res = await post(
      '/staff',
      { username: 'weakling', displayName: 'Weak', role: 'cashier', password: 'short' },
      t.auth('owner'),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('weak_password');
    const ok = await post(
      '/staff',
      { username: 'strongling', displayName: 'Strong', role: 'cashier', password: 'correct-horse-9' },
      t.auth('owner'),
    );
    expect(ok.statusCode).toBe(201);
  });

  it('makes back-office roles enrol a second factor, then ask for it at every sign-in', async () => {
    clock.advance(60_000);
    const first = await post('/auth/login', { username: user('auditor'), password: TEST_PASSWORD });
    expect(first.statusCode).toBe(200);
    // the harness already enrolled TOTP for the auditor: this sign-in owes a code
    expect(first.json()).toMatchObject({ level: 'mfa', methods: ['recovery', 'totp'] });
    const token = first.json().token as string;
    const blocked = await get('/orders', token);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('mfa_required');
    expect((await get('/auth/me', token)).json()).toMatchObject({ level: 'mfa' });

    const wrong = await post('/auth/mfa/verify', { method: 'totp', code: '000000' }, bearer(token));
    expect(wrong.json().error.code).toBe('invalid_code');
    const good = code(t.totpSecrets.auditor!);
    const ok = await post('/auth/mfa/verify', { method: 'totp', code: good }, bearer(token));
    expect(ok.statusCode).toBe(200);
    expect((await get('/orders', token)).statusCode).toBe(200);

    // the same code never works twice, even on a new sign-in within the same 30 s
    const again = await post('/auth/login', { username: user('auditor'), password: TEST_PASSWORD });
    const replay = await post('/auth/mfa/verify', { method: 'totp', code: good }, bearer(again.json().token));
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('invalid_code');
    clock.advance(30_000);
    const next = await post(
      '/auth/mfa/verify',
      { method: 'totp', code: code(t.totpSecrets.auditor!) },
      bearer(again.json().token),
    );
    expect(next.statusCode).toBe(200);

    // a cashier needs no second factor
    const cashier = await post('/auth/login', { username: user('cashier'), password: TEST_PASSWORD });
    expect(cashier.json().level).toBe('full');
  });

  it('enrols a new manager at first sign-in, with recovery codes that each work once', async () => {
    await post(
      '/staff',
      { username: 'newboss', displayName: 'New Boss', role: 'manager', password: 'new-boss-pass-1' },
      t.auth('owner'),
    );
    const login = await post('/auth/login', { username: 'newboss', password: 'new-boss-pass-1' });
    expect(login.json()).toMatchObject({ level: 'enrol', methods: [] });
    const token = login.json().token as string;
    const blocked = await get('/staff', token);
    expect(blocked.json().error.code).toBe('mfa_enrolment_required');
    const begin = await post('/auth/mfa/totp', {}, bearer(token));
    expect(begin.statusCode).toBe(201);
    expect(begin.json().uri).toMatch(/^otpauth:\/\/totp\/OpenTill%3Anewboss\?secret=/);
    const secret = base32Decode(begin.json().secret);
    const badConfirm = await post(
      '/auth/mfa/totp/confirm',
      { factorId: begin.json().factorId, code: '123456' },
      bearer(token),
    );
    expect(badConfirm.json().error.code).toBe('invalid_code');
    const confirm = await post(
      '/auth/mfa/totp/confirm',
      { factorId: begin.json().factorId, code: code(secret) },
      bearer(token),
    );
    expect(confirm.statusCode).toBe(200);
    const recovery = confirm.json().recoveryCodes as string[];
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect((await get('/staff', token)).statusCode).toBe(200);
    // the secret is sealed in the database, never stored readable
    const row = await t.deps.database.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('id', '=', begin.json().factorId)
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^s1\./);
    expect(row.secret).not.toContain(begin.json().secret);

    const second = await post('/auth/login', { username: 'newboss', password: 'new-boss-pass-1' });
    const used = await post(
      '/auth/mfa/verify',
      { method: 'recovery', code: recovery[0] },
      bearer(second.json().token),
    );
    expect(used.statusCode).toBe(200);
    const third = await post('/auth/login', { username: 'newboss', password: 'new-boss-pass-1' });
    const reused = await post(
      '/auth/mfa/verify',
      { method: 'recovery', code: recovery[0] },
      bearer(third.json().token),
    );
    expect(reused.json().error.code).toBe('invalid_code');
    const factors = await get('/auth/mfa', second.json().token);
    expect(factors.json()).toMatchObject({ required: true, recoveryCodesLeft: 9 });
    // the only factor of a role that needs one cannot be removed
    const remove = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/mfa/${begin.json().factorId}`,
      headers: bearer(second.json().token),
    });
    expect(remove.json().error.code).toBe('last_factor');
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('tenant_id', '=', t.seed.tenantId)
      .where('entity_id', '=', row.staff_id)
      .execute();
    const actions = audit.map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.login', 'auth.mfa_enrolled', 'auth.mfa_passed']));
  });

  // 30 scrypt checks: slow on a loaded machine
  it(
    'locks an account after 10 failures for 30 minutes, limits bursts, and lets a manager unlock',
    { timeout: 120_000 },
    async () => {
      clock.advance(120_000);
      await post(
        '/staff',
        { username: 'lockme', displayName: 'Lock Me', role: 'cashier', password: 'lock-me-pass-1' },
        t.auth('owner'),
      );
      for (let i = 0; i < 10; i += 1) {
        const r = await post('/auth/login', { username: 'lockme', password: `wrong-${i}` });
        expect(r.json().error.code).toBe('invalid_credentials');
      }
      // the 11th try within the minute is over the per-account rate limit
      const limited = await post('/auth/login', { username: 'lockme', password: 'lock-me-pass-1' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      clock.advance(61_000);
      const locked = await post('/auth/login', { username: 'lockme', password: 'lock-me-pass-1' });
      expect(locked.statusCode).toBe(423);
      expect(locked.json().error.code).toBe('account_locked');
      clock.advance(30 * 60_000);
      const after = await post('/auth/login', { username: 'lockme', password: 'lock-me-pass-1' });
      expect(after.statusCode).toBe(200);

      // lock again, and a manager lifts it
      clock.advance(61_000);
      for (let i = 0; i < 10; i += 1)
        await post('/auth/login', { username: 'lockme', password: `wrong-${i}` });
      clock.advance(61_000);
      expect((await post('/auth/login', { username: 'lockme', password: 'lock-me-pass-1' })).statusCode).toBe(
        423,
      );
      const staffId = (
        await t.deps.database.db
          .selectFrom('staff')
          .select('id')
          .where('username', '=', 'lockme')
          .executeTakeFirstOrThrow()
      ).id;
      const unlock = await post(`/staff/${staffId}/unlock`, {}, await fresh('manager'));
      expect(unlock.statusCode).toBe(204);
      expect((await post('/auth/login', { username: 'lockme', password: 'lock-me-pass-1' })).statusCode).toBe(
        200,
      );
      const trail = await t.deps.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', staffId)
        .execute();
      expect(trail.map((a) => a.action)).toEqual(
        expect.arrayContaining(['auth.failed', 'auth.locked', 'auth.unlocked', 'auth.login']),
      );
    },
  );

  it('limits PIN guesses per address too', async () => {
    const registerId = t.seed.stores.sh.registers[0]!;
    const cashier = await post('/auth/login', { username: user('cashier'), password: TEST_PASSWORD });
    let last = 0;
    for (let i = 0; i < 12; i += 1) {
      const r = await post(
        '/auth/pin',
        { registerId, username: `nobody${i}`, pin: '0000' },
        bearer(cashier.json().token),
      );
      last = r.statusCode;
    }
    // per-account limits do not stop guessing across accounts; the per-address one does (60/min)
    expect(last).toBe(401);
    clock.advance(61_000);
  });

  it('expires access tokens, refreshes them once, times out idle sessions, lists and revokes sessions', async () => {
    clock.advance(61_000);
    const login = await post('/auth/login', { username: user('cashier'), password: TEST_PASSWORD });
    const { token, refreshToken, sessionId } = login.json() as {
      token: string;
      refreshToken: string;
      sessionId: string;
    };
    expect(login.json().expiresInSeconds).toBe(900);
    clock.advance(10 * 60_000);
    expect((await get('/auth/me', token)).statusCode).toBe(200);
    clock.advance(6 * 60_000);
    // 16 minutes old: the access token expired, but the session was used 6 minutes ago
    const expired = await get('/auth/me', token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('token_expired');
    const refreshed = await post('/auth/refresh', { refreshToken });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().sessionId).toBe(sessionId);
    expect((await get('/auth/me', refreshed.json().token)).statusCode).toBe(200);
    // each refresh token works once
    const reuse = await post('/auth/refresh', { refreshToken });
    expect(reuse.statusCode).toBe(401);

    const sessions = await get('/auth/sessions', refreshed.json().token);
    expect(sessions.json().items.map((s: { id: string }) => s.id)).toContain(sessionId);
    expect(sessions.json().current).toBe(sessionId);

    // 15 minutes idle: signed out
    clock.advance(16 * 60_000);
    const idle = await get('/auth/me', refreshed.json().token);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe('session_idle');
    expect((await post('/auth/refresh', { refreshToken: refreshed.json().refreshToken })).statusCode).toBe(
      401,
    );

    // a manager ends someone's session
    const again = await post('/auth/login', { username: user('cashier'), password: TEST_PASSWORD });
    const cashierId = again.json().staff.id as string;
    const manager = await fresh('manager');
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/staff/${cashierId}/sessions`,
      headers: manager,
    });
    expect(listed.json().items.map((s: { id: string }) => s.id)).toContain(again.json().sessionId);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${again.json().sessionId}`,
      headers: manager,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await get('/auth/me', again.json().token)).statusCode).toBe(401);
    // a cashier cannot end another person's session
    const managerSession = (
      await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: manager })
    ).json().sessionId as string;
    const other = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${managerSession}`,
      headers: bearer(
        (await post('/auth/login', { username: user('cashier'), password: TEST_PASSWORD })).json().token,
      ),
    });
    expect(other.statusCode).toBe(404);
  });

  it('sends SMS codes through the sender and accepts each once', async () => {
    clock.advance(61_000);
    const login = await post('/auth/login', { username: user('manager'), password: TEST_PASSWORD });
    clock.advance(30_000);
    await post(
      '/auth/mfa/verify',
      { method: 'totp', code: code(t.totpSecrets.manager!) },
      bearer(login.json().token),
    );
    const token = login.json().token as string;
    const begin = await post('/auth/mfa/sms', { phone: '+8613800138000' }, bearer(token));
    expect(begin.statusCode).toBe(201);
    expect(begin.json().sentTo).toBe('**********8000');
    const sent = smsOutbox().at(-1)!;
    expect(sent.to).toBe('+8613800138000');
    const smsCode = /(\d{6})/.exec(sent.text)![1]!;
    const confirm = await post(
      '/auth/mfa/sms/confirm',
      { factorId: begin.json().factorId, challengeId: begin.json().challengeId, code: smsCode },
      bearer(token),
    );
    expect(confirm.statusCode).toBe(200);
    // the phone number is stored through the field cipher, not readable
    const row = await t.deps.database.db
      .selectFrom('mfa_factors')
      .select('secret')
      .where('id', '=', begin.json().factorId)
      .executeTakeFirstOrThrow();
    expect(row.secret).not.toContain('13800138000');

    const next = await post('/auth/login', { username: user('manager'), password: TEST_PASSWORD });
    expect(next.json().methods).toEqual(['recovery', 'sms', 'totp']);
    const send = await post('/auth/mfa/sms/send', {}, bearer(next.json().token));
    expect(send.statusCode).toBe(201);
    const loginCode = /(\d{6})/.exec(smsOutbox().at(-1)!.text)![1]!;
    const wrong = await post(
      '/auth/mfa/verify',
      {
        method: 'sms',
        challengeId: send.json().challengeId,
        code: loginCode === '000000' ? '000001' : '000000',
      },
      bearer(next.json().token),
    );
    expect(wrong.json().error.code).toBe('invalid_code');
    const ok = await post(
      '/auth/mfa/verify',
      { method: 'sms', challengeId: send.json().challengeId, code: loginCode },
      bearer(next.json().token),
    );
    expect(ok.statusCode).toBe(200);
    const replay = await post('/auth/login', { username: user('manager'), password: TEST_PASSWORD });
    const again = await post(
      '/auth/mfa/verify',
      { method: 'sms', challengeId: send.json().challengeId, code: loginCode },
      bearer(replay.json().token),
    );
    expect(again.json().error.code).toBe('challenge_expired');
  });

  it('registers a passkey and signs in with it alone; refuses no user verification and counter regressions', async () => {
    clock.advance(61_000);
    const login = await post('/auth/login', { username: user('owner'), password: TEST_PASSWORD });
    clock.advance(30_000);
    await post(
      '/auth/mfa/verify',
      { method: 'totp', code: code(t.totpSecrets.owner!) },
      bearer(login.json().token),
    );
    const token = login.json().token as string;
    const pk = newSoftPasskey();
    const opts = await post('/auth/mfa/passkey/options', {}, bearer(token));
    expect(opts.statusCode).toBe(200);
    expect(opts.json().options.authenticatorSelection.userVerification).toBe('required');
    // without user verification (no fingerprint/face), registration is refused
    const noUv = await post(
      '/auth/mfa/passkey',
      {
        challengeId: opts.json().challengeId,
        response: softRegister(pk, opts.json().options, ORIGIN, FLAGS.UP | FLAGS.AT),
      },
      bearer(token),
    );
    expect(noUv.json().error.code).toBe('invalid_passkey');
    expect(noUv.json().error.message).toMatch(/user could not be verified/);
    const opts2 = await post('/auth/mfa/passkey/options', {}, bearer(token));
    const reg = await post(
      '/auth/mfa/passkey',
      {
        challengeId: opts2.json().challengeId,
        response: softRegister(pk, opts2.json().options, ORIGIN),
        label: 'Till phone',
      },
      bearer(token),
    );
    expect(reg.statusCode).toBe(201);

    const start = await post('/auth/passkey/options', {});
    const signIn = await post('/auth/passkey/login', {
      challengeId: start.json().challengeId,
      response: softAssert(pk, start.json().options, ORIGIN),
    });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json()).toMatchObject({ level: 'full', staff: { role: 'owner' } });
    expect((await get('/staff', signIn.json().token)).statusCode).toBe(200);

    // the same challenge cannot be answered twice
    const replay = await post('/auth/passkey/login', {
      challengeId: start.json().challengeId,
      response: softAssert(pk, start.json().options, ORIGIN),
    });
    expect(replay.json().error.code).toBe('challenge_expired');
    // a cloned authenticator shows an old counter
    const s2 = await post('/auth/passkey/options', {});
    const cloned = await post('/auth/passkey/login', {
      challengeId: s2.json().challengeId,
      response: softAssert(pk, s2.json().options, ORIGIN, { counter: 1 }),
    });
    expect(cloned.json().error.message).toMatch(/counter value/);
    // another origin is refused
    const s3 = await post('/auth/passkey/options', {});
    const phish = await post('/auth/passkey/login', {
      challengeId: s3.json().challengeId,
      response: softAssert(pk, s3.json().options, 'http://localhost:9999'),
    });
    expect(phish.statusCode).toBe(401);
    // no user verification at sign-in: refused
    const s4 = await post('/auth/passkey/options', {});
    const noUvLogin = await post('/auth/passkey/login', {
      challengeId: s4.json().challengeId,
      response: softAssert(pk, s4.json().options, ORIGIN, { flags: FLAGS.UP, counter: 50 }),
    });
    expect(noUvLogin.json().error.message).toMatch(/user could not be verified/);
  });

  it('gives integrations API keys limited to their scopes', async () => {
    const manager = await fresh('manager');
    const created = await post(
      '/api-keys',
      { name: 'stock sync', scopes: ['stock.read', 'catalog.read'] },
      manager,
    );
    expect(created.statusCode).toBe(201);
    const key = created.json().key as string;
    expect(key).toMatch(/^oak_key_/);
    expect((await get('/products?limit=1', key)).statusCode).not.toBe(401);
    const denied = await get('/orders', key);
    expect(denied.statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: manager });
    expect(JSON.stringify(list.json())).not.toContain(key.split('.')[1]);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${created.json().id}`,
      headers: manager,
    });
    expect(revoke.statusCode).toBe(204);
    expect((await get('/products?limit=1', key)).statusCode).toBe(401);
  });
});

/** Messages the development SMS adapter kept (it sends nothing). */
function smsOutbox(): { to: string; text: string }[] {
  return devSmsOutbox;
}
