import { randomBytes } from 'node:crypto';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { hashSecret, newToken, PIN_COST, sha256Hex, verifySecret } from '../../lib/secrets';
import type { StaffTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import { auditQuery } from '../audit/audit';
import type { Permission, Role } from './permissions';
import * as store from './store';
import { createRateLimiter, type RateLimit } from './rate-limit';
import { createDevSmsSender, createHttpSmsSender, maskPhone, type SmsSender } from './sms';
import { createAuthKeys } from './keys';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp';
import * as webauthn from './webauthn';
import { ERASED_NAME, openStaffName, sealStaffName } from '../keys/staff-names';

/** Who is calling: staff through a token, or an integration through an API key (`scopes`). */
export interface AuthContext {
  tenantId: string;
  staffId: string;
  username: string;
  displayName: string;
  role: Role;
  registerId: string | null;
  /** the access token's id (sha256 of the token) */
  sessionId: string;
  /** the sign-in session the token belongs to (absent for contexts made in-process, e.g. the generator) */
  authSessionId?: string;
  /** 'full', or 'mfa' / 'enrol' while a second factor is still owed; absent = full */
  level?: 'full' | 'mfa' | 'enrol';
  /** how the session was opened: password, password+totp, passkey, pin, … */
  method?: string;
  /** API keys and devices only: the permissions the key or the device's kind was given */
  scopes?: ReadonlySet<Permission>;
  /** devices only: which device is calling (its register is `registerId`) */
  device?: { id: string; kind: string; storeId: string };
}

export interface StaffView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  hasPin: boolean;
  active: boolean;
}

/** Where a request came from, for rate limits, the session list and passkey origins. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  /** the browser's Origin header (passkeys check it against the configured origins) */
  origin: string | null;
}

export interface AuthOptions {
  /** access tokens live this long; refresh tokens renew them */
  accessTtlSeconds: number;
  /** a sign-in lasts at most this long, however active */
  sessionHours: number;
  /** PCI DSS 8.2.8: sign in again after this much idle time */
  idleSeconds: number;
  /** PCI DSS 8.3.4: lock after this many consecutive failures … */
  lockoutThreshold: number;
  /** … for this long */
  lockoutMinutes: number;
  perAddress: RateLimit;
  perAccount: RateLimit;
  /** roles that must pass a second factor before reaching anything but enrolment */
  mfaRoles: readonly Role[];
  rpId: string;
  rpName: string;
  /** allowed WebAuthn origins; empty = any origin whose host is `rpId` (development) */
  origins: string[];
  sms: SmsSender;
  minPasswordLength: number;
}

export function authOptionsFromEnv(
  deps: Pick<Deps, 'log'>,
  env: NodeJS.ProcessEnv = process.env,
): AuthOptions {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
  return {
    accessTtlSeconds: num(env.OPENTILL_ACCESS_TTL, 900),
    sessionHours: num(env.OPENTILL_SESSION_HOURS, 12),
    idleSeconds: num(env.OPENTILL_IDLE_TIMEOUT, 900),
    lockoutThreshold: 10,
    lockoutMinutes: 30,
    perAddress: { limit: num(env.OPENTILL_RATE_PER_ADDRESS, 60), windowMs: 60_000 },
    perAccount: { limit: num(env.OPENTILL_RATE_PER_ACCOUNT, 10), windowMs: 60_000 },
    mfaRoles: ['owner', 'manager', 'auditor'],
    rpId: env.OPENTILL_RP_ID ?? 'localhost',
    rpName: 'OpenTill',
    origins: (env.OPENTILL_ORIGINS ?? '').split(',').filter(Boolean),
    sms: env.OPENTILL_SMS_URL
      ? createHttpSmsSender(env.OPENTILL_SMS_URL, env.OPENTILL_SMS_TOKEN)
      : createDevSmsSender(deps.log),
    minPasswordLength: 12,
  };
}

/** What a sign-in answers: tokens, and which second factor is still owed. */
export interface Tokens {
  token: string;
  refreshToken: string;
  expiresInSeconds: number;
  sessionId: string;
  level: 'full' | 'mfa' | 'enrol';
  /** second factors this person can use now (for level 'mfa') */
  methods: string[];
  staff: StaffView;
}

export type SecondFactorProof =
  | { method: 'totp'; code: string }
  | { method: 'recovery'; code: string }
  | { method: 'sms'; challengeId: string; code: string }
  | { method: 'passkey'; challengeId: string; response: webauthn.AuthenticationResponseJSON };

/** How long a verified token is trusted from memory before the database is asked again. */
const CACHE_MS = 30_000;
/** last_seen_at is written at most this often per session (not on every request). */
const TOUCH_MS = 60_000;
const CHALLENGE_MS = 5 * 60_000;
const RECOVERY_CODES = 10;

export function staffView(
  s: Pick<StaffTable, 'id' | 'username' | 'display_name' | 'role' | 'pin_hash' | 'active'>,
): StaffView {
  return {
    id: s.id,
    username: s.username,
    displayName: s.display_name,
    role: s.role,
    hasPin: s.pin_hash !== null,
    active: s.active === 1,
  };
}

/** PCI DSS 8.3.6: at least 12 characters; letters and something else; not the username. */
export function passwordProblem(password: string, username: string, minLength: number): string | null {
  if (password.length < minLength) return `A password needs at least ${minLength} characters.`;
  if (!/\p{L}/u.test(password) || !/[^\p{L}]/u.test(password))
    return 'A password needs letters and at least one digit or symbol.';
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    return 'A password must not contain the username.';
  if (/^(.)\1+$/u.test(password)) return 'A password must not repeat one character.';
  return null;
}

export function createAuthService(deps: Deps, options: AuthOptions = authOptionsFromEnv(deps)) {
  const { database, clock, ids } = deps;
  const db = () => database.db;
  const cache = new Map<
    string,
    { ctx: AuthContext; until: number; expires: number; lastSeen: number; sessionExpires: number }
  >();
  const limiter = createRateLimiter(() => clock.now().getTime());
  const keys = createAuthKeys(db, () => clock.now().toISOString(), deps.cipher);
  const nowIso = () => clock.now().toISOString();

  /** Staff display names are stored encrypted (the staff member is the data subject). */
  const nameOf = (tenantId: string, staffId: string, stored: string) =>
    openStaffName(deps.cipher, tenantId, staffId, stored);
  async function viewOf(s: StaffTable): Promise<StaffView> {
    return staffView({ ...s, display_name: await nameOf(s.tenant_id, s.id, s.display_name) });
  }

  async function audit(
    tenantId: string,
    staffId: string | null,
    action: string,
    entityId: string | null,
    data: unknown,
  ) {
    await database.batch([
      auditQuery(db(), ids, { tenantId, staffId, action, entity: 'staff', entityId, data }, nowIso()),
    ]);
  }

  function limited(meta: RequestMeta, account: string, route: string): Result<never> | null {
    const a = limiter.hit(`${route}|ip|${meta.ip}`, options.perAddress);
    const b = limiter.hit(`${route}|acct|${account.toLowerCase()}`, options.perAccount);
    const wait = Math.max(a, b);
    if (wait > 0)
      return fail('rate_limited', `Too many attempts; try again in ${wait} seconds.`, {
        retryAfterSeconds: wait,
      });
    return null;
  }

  function lockedResult(staff: StaffTable): Result<never> | null {
    if (staff.locked_until && Date.parse(staff.locked_until) > clock.now().getTime()) {
      return fail('account_locked', 'Too many failed attempts: this account is locked for now.', {
        lockedUntil: staff.locked_until,
      });
    }
    return null;
  }

  /** Counts a failure; the threshold-th consecutive failure locks the account (PCI 8.3.4). */
  async function recordFailure(staff: StaffTable, what: string, meta: RequestMeta) {
    const failures = (staff.failed_logins ?? 0) + 1;
    const lock = failures >= options.lockoutThreshold;
    const lockedUntil = lock
      ? new Date(clock.now().getTime() + options.lockoutMinutes * 60_000).toISOString()
      : null;
    await store.setFailures(db(), staff.tenant_id, staff.id, lock ? 0 : failures, lockedUntil);
    await audit(staff.tenant_id, staff.id, lock ? 'auth.locked' : 'auth.failed', staff.id, {
      what,
      ip: meta.ip,
      failures,
      ...(lockedUntil ? { lockedUntil } : {}),
    });
  }

  async function recordSuccess(staff: StaffTable) {
    if ((staff.failed_logins ?? 0) !== 0 || staff.locked_until)
      await store.setFailures(db(), staff.tenant_id, staff.id, 0, null);
  }

  async function confirmedFactors(tenantId: string, staffId: string) {
    return (await store.listFactors(db(), tenantId, staffId)).filter((f) => f.confirmed_at !== null);
  }

  async function methodsOf(tenantId: string, staffId: string): Promise<string[]> {
    const factors = await confirmedFactors(tenantId, staffId);
    const kinds = new Set<string>(factors.map((f) => f.kind));
    if (await store.hasUnusedRecoveryCode(db(), tenantId, staffId)) kinds.add('recovery');
    return [...kinds].sort();
  }

  async function issue(
    staff: StaffTable,
    registerId: string | null,
    level: 'full' | 'mfa' | 'enrol',
    method: string,
    meta: RequestMeta,
  ): Promise<Tokens> {
    const now = clock.now();
    const authSessionId = ids.newId('ses');
    const refreshToken = `otr_${randomBytes(32).toString('base64url')}`;
    const sessionExpires = new Date(now.getTime() + options.sessionHours * 3600_000).toISOString();
    await store.insertAuthSession(db(), {
      id: authSessionId,
      tenant_id: staff.tenant_id,
      staff_id: staff.id,
      register_id: registerId,
      level,
      method,
      refresh_hash: sha256Hex(refreshToken),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: sessionExpires,
      revoked_at: null,
    });
    const access = await newAccessToken(staff.tenant_id, staff.id, registerId, authSessionId, sessionExpires);
    return {
      ...access,
      refreshToken,
      sessionId: authSessionId,
      level,
      methods: level === 'full' ? [] : await methodsOf(staff.tenant_id, staff.id),
      staff: await viewOf(staff),
    };
  }

  async function newAccessToken(
    tenantId: string,
    staffId: string,
    registerId: string | null,
    authSessionId: string,
    sessionExpires: string,
  ) {
    const token = newToken();
    const now = clock.now();
    const expires = Math.min(now.getTime() + options.accessTtlSeconds * 1000, Date.parse(sessionExpires));
    await store.insertSession(db(), {
      id: sha256Hex(token),
      tenant_id: tenantId,
      staff_id: staffId,
      register_id: registerId,
      created_at: now.toISOString(),
      expires_at: new Date(expires).toISOString(),
      revoked_at: null,
      auth_session_id: authSessionId,
    });
    return { token, expiresInSeconds: Math.max(0, Math.floor((expires - now.getTime()) / 1000)) };
  }

  function forget(authSessionId: string) {
    for (const [k, v] of cache) if (v.ctx.authSessionId === authSessionId) cache.delete(k);
  }

  async function raise(ctx: AuthContext, method: string) {
    await store.setSessionLevel(
      db(),
      ctx.tenantId,
      ctx.authSessionId ?? '',
      'full',
      `${ctx.method}+${method}`,
    );
    forget(ctx.authSessionId ?? '');
  }

  function rp(meta: RequestMeta): webauthn.RelyingParty {
    if (options.origins.length > 0)
      return { rpId: options.rpId, rpName: options.rpName, origins: options.origins };
    // development: any origin on the RP host (localhost on any port)
    let origins: string[] = [];
    try {
      if (meta.origin && new URL(meta.origin).hostname === options.rpId) origins = [meta.origin];
    } catch {
      origins = [];
    }
    return {
      rpId: options.rpId,
      rpName: options.rpName,
      origins: origins.length ? origins : ['https://invalid.'],
    };
  }

  async function newChallenge(
    tenantId: string | null,
    staffId: string | null,
    purpose: string,
    challenge: string,
  ): Promise<string> {
    const id = ids.newId('chl');
    const now = clock.now();
    await store.insertChallenge(db(), {
      id,
      tenant_id: tenantId,
      staff_id: staffId,
      purpose,
      challenge,
      attempts: 0,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CHALLENGE_MS).toISOString(),
      used_at: null,
    });
    return id;
  }

  /** A live challenge of this purpose (and person), consumed once. */
  async function takeChallenge(
    id: string,
    purpose: string,
    tenantId: string | null,
    staffId: string | null,
  ): Promise<Result<{ challenge: string; attempts: number }>> {
    const c = await store.findChallenge(db(), id);
    if (
      !c ||
      c.purpose !== purpose ||
      (tenantId && c.tenant_id !== tenantId) ||
      (staffId && c.staff_id !== staffId)
    )
      return fail('unknown_challenge', 'That challenge is unknown; start again.');
    if (c.used_at || Date.parse(c.expires_at) <= clock.now().getTime() || c.attempts >= 5)
      return fail('challenge_expired', 'That challenge has expired or was used; start again.');
    return { ok: true, value: { challenge: c.challenge, attempts: c.attempts } };
  }

  async function storedPasskeys(tenantId: string, staffId: string): Promise<webauthn.StoredPasskey[]> {
    return (await confirmedFactors(tenantId, staffId))
      .filter((f) => f.kind === 'passkey' && f.credential_id && f.public_key)
      .map((f) => ({
        credentialId: f.credential_id!,
        publicKey: f.public_key!,
        counter: Number(f.counter ?? 0),
        transports: f.transports ? (JSON.parse(f.transports) as string[]) : [],
      }));
  }

  /**
   * Checks one second factor of one staff member; a used TOTP step, recovery code, SMS code or
   * passkey challenge never works twice. Used by sign-in and by step-up approvals.
   */
  async function proveFactor(
    tenantId: string,
    staffId: string,
    proof: SecondFactorProof,
    meta: RequestMeta,
    purpose = 'login',
  ): Promise<Result<{ method: string }>> {
    const now = clock.now();
    switch (proof.method) {
      case 'totp': {
        for (const f of await confirmedFactors(tenantId, staffId)) {
          if (f.kind !== 'totp' || !f.secret) continue;
          const secret = await keys.open(tenantId, `totp/${f.id}`, f.secret);
          const step = matchTotp(
            secret,
            proof.code,
            Math.floor(now.getTime() / 1000),
            f.last_step === null ? null : Number(f.last_step),
          );
          // the conditional update makes two requests racing with one code accept it once
          if (step !== null && (await store.advanceTotpStep(db(), tenantId, f.id, step, now.toISOString())))
            return { ok: true, value: { method: 'totp' } };
        }
        return fail('invalid_code', 'That code is wrong or was already used.');
      }
      case 'recovery': {
        const hash = sha256Hex(proof.code.replace(/[\s-]/g, '').toUpperCase());
        if (await store.useRecoveryCode(db(), tenantId, staffId, hash, now.toISOString()))
          return { ok: true, value: { method: 'recovery' } };
        return fail('invalid_code', 'That recovery code is wrong or was already used.');
      }
      case 'sms': {
        const c = await takeChallenge(proof.challengeId, `sms:${purpose}`, tenantId, staffId);
        if (!c.ok) return c;
        if (c.value.challenge !== sha256Hex(`${proof.challengeId}:${proof.code}`)) {
          await store.bumpChallenge(db(), proof.challengeId);
          return fail('invalid_code', 'That code is wrong.');
        }
        if (!(await store.useChallenge(db(), proof.challengeId, now.toISOString())))
          return fail('challenge_expired', 'That code was already used.');
        return { ok: true, value: { method: 'sms' } };
      }
      case 'passkey': {
        const c = await takeChallenge(proof.challengeId, `webauthn:${purpose}`, tenantId, staffId);
        if (!c.ok) return c;
        const passkey = (await storedPasskeys(tenantId, staffId)).find(
          (p) => p.credentialId === proof.response.id,
        );
        if (!passkey) return fail('invalid_passkey', 'That passkey is not registered to this person.');
        const v = await webauthn.verifyAuthentication(rp(meta), proof.response, c.value.challenge, passkey);
        if (!v.ok) return fail('invalid_passkey', `The passkey was refused: ${v.reason}`);
        if (!(await store.useChallenge(db(), proof.challengeId, now.toISOString())))
          return fail('challenge_expired', 'That challenge was already used.');
        await store.setPasskeyCounter(db(), tenantId, passkey.credentialId, v.newCounter, now.toISOString());
        return { ok: true, value: { method: 'passkey' } };
      }
    }
  }

  async function afterEnrol(ctx: AuthContext, kind: string): Promise<{ recoveryCodes: string[] | null }> {
    let recoveryCodes: string[] | null = null;
    if (!(await store.hasAnyRecoveryCode(db(), ctx.tenantId, ctx.staffId)))
      recoveryCodes = await newRecoveryCodes(ctx.tenantId, ctx.staffId);
    if (ctx.level === 'enrol') await raise(ctx, kind);
    await audit(ctx.tenantId, ctx.staffId, 'auth.mfa_enrolled', ctx.staffId, { kind });
    return { recoveryCodes };
  }

  async function newRecoveryCodes(tenantId: string, staffId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const c = base32Encode(randomBytes(7)).slice(0, 10);
      return `${c.slice(0, 5)}-${c.slice(5)}`;
    });
    const now = nowIso();
    await store.replaceRecoveryCodes(
      db(),
      tenantId,
      staffId,
      codes.map((c) => ({
        id: ids.newId('rcv'),
        tenant_id: tenantId,
        staff_id: staffId,
        code_hash: sha256Hex(c.replace('-', '')),
        created_at: now,
        used_at: null,
      })),
    );
    return codes;
  }

  async function sendSmsCode(
    tenantId: string,
    staffId: string,
    factor: { id: string; secret: string | null },
    purpose: string,
  ): Promise<Result<{ challengeId: string; sentTo: string }>> {
    if (!factor.secret) return fail('unknown_factor', 'That factor has no phone number.');
    const phone = await deps.cipher.decrypt(tenantId, staffId, factor.secret);
    if (!phone) return fail('unknown_factor', 'That phone number can no longer be read.');
    const code = String(randomBytes(4).readUInt32BE(0) % 1_000_000).padStart(6, '0');
    const id = ids.newId('chl');
    const now = clock.now();
    await store.insertChallenge(db(), {
      id,
      tenant_id: tenantId,
      staff_id: staffId,
      purpose: `sms:${purpose}`,
      challenge: sha256Hex(`${id}:${code}`),
      attempts: 0,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CHALLENGE_MS).toISOString(),
      used_at: null,
    });
    const sent = await options.sms.send(phone, `OpenTill code: ${code}. It expires in 5 minutes.`);
    if (!sent.ok) return fail('sms_failed', `The SMS could not be sent: ${sent.reason}`);
    return { ok: true, value: { challengeId: id, sentTo: maskPhone(phone) } };
  }

  /** The staff row with the display name decrypted. */
  async function findTenantStaff(tenantId: string, staffId: string) {
    const s = await store.findStaff(db(), tenantId, staffId);
    return s ? { ...s, display_name: await nameOf(tenantId, s.id, s.display_name) } : s;
  }

  return {
    options,
    sms: options.sms,
    keys,
    proveFactor,
    findTenantStaff,

    async login(username: string, password: string, meta: RequestMeta): Promise<Result<Tokens>> {
      const limit = limited(meta, username, 'login');
      if (limit) return limit;
      const staff = await store.findStaffByUsername(db(), username);
      // verify against a dummy hash when the user is unknown, so timing does not reveal usernames
      const ok = staff
        ? await verifySecret(password, staff.password_hash)
        : (await verifySecret(password, DUMMY_HASH), false);
      if (staff && staff.active === 1) {
        const locked = lockedResult(staff);
        if (locked) return locked;
      }
      if (!staff || !ok || staff.active !== 1) {
        if (staff && staff.active === 1) await recordFailure(staff, 'password', meta);
        return fail('invalid_credentials', 'The username or password is wrong.');
      }
      await recordSuccess(staff);
      let level: Tokens['level'] = 'full';
      if (options.mfaRoles.includes(staff.role))
        level = (await confirmedFactors(staff.tenant_id, staff.id)).length > 0 ? 'mfa' : 'enrol';
      const tokens = await issue(staff, null, level, 'password', meta);
      await audit(staff.tenant_id, staff.id, 'auth.login', staff.id, {
        method: 'password',
        level,
        ip: meta.ip,
      });
      return { ok: true, value: tokens };
    },

    /**
     * Signs a staff member in on a register with username and PIN: the caller is the register
     * itself (its device credential) or someone already signed in on it (a PIN switch). Whether
     * the register is paired is the caller's check (the devices module).
     */
    async pinSwitch(
      ctx: Pick<AuthContext, 'tenantId'>,
      registerId: string,
      username: string,
      pin: string,
      meta: RequestMeta,
      /** the register may take PINs (it is paired); checked once the register is known */
      registerReady: () => Promise<Result<null>> = async () => ({ ok: true, value: null }),
    ) {
      const limit = limited(meta, username, 'pin');
      if (limit) return limit;
      const register = await db()
        .selectFrom('registers')
        .select(['id'])
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', registerId)
        .executeTakeFirst();
      if (!register) return fail('unknown_register', `Register ${registerId} does not exist.`);
      const ready = await registerReady();
      if (!ready.ok) return ready;
      const staff = await store.findStaffByUsername(db(), username);
      const known = staff !== undefined && staff.tenant_id === ctx.tenantId && staff.active === 1;
      if (known && staff) {
        const locked = lockedResult(staff);
        if (locked) return locked;
      }
      const valid = known && staff.pin_hash !== null && (await verifySecret(pin, staff.pin_hash));
      if (!valid || !staff) {
        if (known && staff) await recordFailure(staff, 'pin', meta);
        return fail('invalid_pin', 'The staff member or PIN is wrong.');
      }
      await recordSuccess(staff);
      await audit(staff.tenant_id, staff.id, 'auth.login', staff.id, {
        method: 'pin',
        registerId,
        ip: meta.ip,
      });
      return { ok: true as const, value: await issue(staff, registerId, 'full', 'pin', meta) };
    },

    /** Checks a PIN of a staff member of this tenant (the approval prompt on a register). */
    async checkPin(
      tenantId: string,
      username: string,
      pin: string,
      meta: RequestMeta,
    ): Promise<Result<StaffTable>> {
      const limit = limited(meta, username, 'pin');
      if (limit) return limit;
      const staff = await store.findStaffByUsername(db(), username);
      const known = staff !== undefined && staff.tenant_id === tenantId && staff.active === 1;
      if (known && staff) {
        const locked = lockedResult(staff);
        if (locked) return locked;
      }
      const valid = known && staff.pin_hash !== null && (await verifySecret(pin, staff.pin_hash));
      if (!valid || !staff) {
        if (known && staff) await recordFailure(staff, 'pin', meta);
        return fail('invalid_pin', 'The staff member or PIN is wrong.');
      }
      await recordSuccess(staff);
      return { ok: true, value: staff };
    },

    /** Counts a failed code on the lockout counter (approvals share the sign-in lockout). */
    async codeFailed(tenantId: string, staffId: string, meta: RequestMeta) {
      const staff = await store.findStaff(db(), tenantId, staffId);
      if (staff) await recordFailure(staff, 'code', meta);
    },

    limited,

    async authenticate(token: string): Promise<AuthContext | null> {
      const r = await this.check(token);
      return 'ctx' in r ? r.ctx : null;
    },

    /** The context of a token, or why it is refused. */
    async check(token: string): Promise<{ ctx: AuthContext } | { reason: 'unknown' | 'expired' | 'idle' }> {
      if (token.startsWith('oak_')) return checkApiKey(token);
      const id = sha256Hex(token);
      const nowMs = clock.now().getTime();
      const hit = cache.get(id);
      if (hit && hit.until > nowMs && hit.expires > nowMs && hit.sessionExpires > nowMs) {
        if (nowMs - hit.lastSeen > options.idleSeconds * 1000) return idle(hit.ctx, id);
        if (nowMs - hit.lastSeen > TOUCH_MS) {
          hit.lastSeen = nowMs;
          await store.touchAuthSession(
            db(),
            hit.ctx.tenantId,
            hit.ctx.authSessionId ?? '',
            new Date(nowMs).toISOString(),
          );
        }
        return { ctx: hit.ctx };
      }
      const s = await store.findSession(db(), id);
      if (!s || s.revoked_at !== null || s.session_revoked_at !== null || s.active !== 1) {
        cache.delete(id);
        return { reason: 'unknown' };
      }
      if (Date.parse(s.session_expires_at) <= nowMs) {
        cache.delete(id);
        return { reason: 'expired' };
      }
      const ctx: AuthContext = {
        tenantId: s.tenant_id,
        staffId: s.staff_id,
        username: s.username,
        displayName: await nameOf(s.tenant_id, s.staff_id, s.display_name),
        role: s.role,
        registerId: s.register_id,
        sessionId: id,
        authSessionId: s.auth_session_id,
        level: s.level,
        method: s.method,
      };
      let lastSeen = Date.parse(s.last_seen_at);
      // idle first: a refresh cannot revive an idle session, so say so
      if (nowMs - lastSeen > options.idleSeconds * 1000) return idle(ctx, id);
      if (Date.parse(s.expires_at) <= nowMs) {
        cache.delete(id);
        return { reason: 'expired' };
      }
      if (nowMs - lastSeen > TOUCH_MS) {
        lastSeen = nowMs;
        await store.touchAuthSession(
          db(),
          ctx.tenantId,
          ctx.authSessionId ?? '',
          new Date(nowMs).toISOString(),
        );
      }
      if (cache.size > 10_000) cache.clear();
      cache.set(id, {
        ctx,
        until: nowMs + CACHE_MS,
        expires: Date.parse(s.expires_at),
        sessionExpires: Date.parse(s.session_expires_at),
        lastSeen,
      });
      return { ctx };
    },

    /** A new access token (and a new refresh token: each one works once) for a live session. */
    async refresh(refreshToken: string, meta: RequestMeta): Promise<Result<Tokens>> {
      const s = await store.findAuthSessionByRefresh(db(), sha256Hex(refreshToken));
      const nowMs = clock.now().getTime();
      if (!s || s.revoked_at !== null)
        return fail('unauthenticated', 'The refresh token is unknown or was revoked; sign in again.');
      if (Date.parse(s.expires_at) <= nowMs)
        return fail('token_expired', 'The session has ended; sign in again.');
      if (nowMs - Date.parse(s.last_seen_at) > options.idleSeconds * 1000) {
        await store.revokeAuthSession(db(), s.tenant_id, s.id, new Date(nowMs).toISOString());
        return fail('session_idle', 'The session was idle too long; sign in again.');
      }
      const staff = await store.findStaff(db(), s.tenant_id, s.staff_id);
      if (!staff || staff.active !== 1) return fail('unauthenticated', 'This account is no longer active.');
      const next = `otr_${randomBytes(32).toString('base64url')}`;
      if (
        !(await store.rotateRefresh(
          db(),
          s.id,
          sha256Hex(refreshToken),
          sha256Hex(next),
          new Date(nowMs).toISOString(),
        ))
      )
        return fail('unauthenticated', 'The refresh token was already used; sign in again.');
      const access = await newAccessToken(s.tenant_id, s.staff_id, s.register_id, s.id, s.expires_at);
      void meta;
      return {
        ok: true,
        value: {
          ...access,
          refreshToken: next,
          sessionId: s.id,
          level: s.level,
          methods: s.level === 'full' ? [] : await methodsOf(s.tenant_id, s.staff_id),
          staff: await viewOf(staff),
        },
      };
    },

    async logout(ctx: AuthContext): Promise<void> {
      forget(ctx.authSessionId ?? '');
      cache.delete(ctx.sessionId);
      await store.revokeAuthSession(db(), ctx.tenantId, ctx.authSessionId ?? '', nowIso());
      await store.revokeSession(db(), ctx.tenantId, ctx.sessionId, nowIso());
    },

    async listSessions(tenantId: string, staffId: string) {
      const rows = await store.listAuthSessions(db(), tenantId, staffId, nowIso());
      const idleBefore = clock.now().getTime() - options.idleSeconds * 1000;
      return rows
        .filter((r) => Date.parse(r.last_seen_at) > idleBefore)
        .map((r) => ({
          id: r.id,
          registerId: r.register_id,
          level: r.level,
          method: r.method,
          ip: r.ip,
          userAgent: r.user_agent,
          createdAt: r.created_at,
          lastSeenAt: r.last_seen_at,
          expiresAt: r.expires_at,
        }));
    },

    /** Ends a sign-in session: its own staff member, or someone who manages staff. */
    async revokeSession(ctx: AuthContext, sessionId: string, canManage: boolean): Promise<Result<null>> {
      const s = await store.findAuthSession(db(), ctx.tenantId, sessionId);
      if (!s || (s.staff_id !== ctx.staffId && !canManage))
        return fail('unknown_session', `Session ${sessionId} does not exist.`);
      await store.revokeAuthSession(db(), ctx.tenantId, sessionId, nowIso());
      forget(sessionId);
      await audit(ctx.tenantId, ctx.staffId, 'auth.session_revoked', s.staff_id, { sessionId });
      return { ok: true, value: null };
    },

    /** Ends every PIN sign-in on a register (its register device was revoked). */
    async endRegisterSessions(tenantId: string, registerId: string): Promise<number> {
      const rows = await db()
        .selectFrom('auth_sessions')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('register_id', '=', registerId)
        .where('method', '=', 'pin')
        .where('revoked_at', 'is', null)
        .execute();
      for (const r of rows) {
        await store.revokeAuthSession(db(), tenantId, r.id, nowIso());
        forget(r.id);
      }
      return rows.length;
    },

    async unlock(ctx: AuthContext, staffId: string): Promise<Result<null>> {
      const staff = await store.findStaff(db(), ctx.tenantId, staffId);
      if (!staff) return fail('unknown_staff', `Staff ${staffId} does not exist.`);
      await store.setFailures(db(), ctx.tenantId, staffId, 0, null);
      await audit(ctx.tenantId, ctx.staffId, 'auth.unlocked', staffId, {});
      return { ok: true, value: null };
    },

    // ---- second factors ----

    async factors(ctx: AuthContext) {
      const rows = await store.listFactors(db(), ctx.tenantId, ctx.staffId);
      return {
        required: options.mfaRoles.includes(ctx.role),
        recoveryCodesLeft: await store.countUnusedRecoveryCodes(db(), ctx.tenantId, ctx.staffId),
        items: rows
          .filter((f) => f.confirmed_at !== null)
          .map((f) => ({
            id: f.id,
            kind: f.kind,
            label: f.label,
            createdAt: f.created_at,
            lastUsedAt: f.last_used_at,
          })),
      };
    },

    async totpBegin(ctx: AuthContext, label: string) {
      const secret = newTotpSecret();
      const id = ids.newId('mfa');
      await store.insertFactor(db(), {
        ...emptyFactor,
        id,
        tenant_id: ctx.tenantId,
        staff_id: ctx.staffId,
        kind: 'totp',
        label,
        secret: await keys.seal(ctx.tenantId, `totp/${id}`, secret),
        created_at: nowIso(),
      });
      return {
        factorId: id,
        secret: base32Encode(secret),
        uri: otpauthUri(secret, ctx.username, 'OpenTill'),
      };
    },

    async totpConfirm(ctx: AuthContext, factorId: string, code: string, meta: RequestMeta) {
      const limit = limited(meta, ctx.username, 'code');
      if (limit) return limit;
      const f = await store.findFactor(db(), ctx.tenantId, ctx.staffId, factorId);
      if (!f || f.kind !== 'totp' || f.confirmed_at || !f.secret)
        return fail('unknown_factor', 'Start TOTP enrolment again.');
      const secret = await keys.open(ctx.tenantId, `totp/${f.id}`, f.secret);
      const now = clock.now();
      const step = matchTotp(secret, code, Math.floor(now.getTime() / 1000), null);
      if (step === null) return fail('invalid_code', 'That code is wrong; check the time on the phone.');
      await store.confirmFactor(db(), ctx.tenantId, f.id, now.toISOString(), step);
      return { ok: true as const, value: { factorId: f.id, ...(await afterEnrol(ctx, 'totp')) } };
    },

    async smsBegin(ctx: AuthContext, phone: string) {
      const id = ids.newId('mfa');
      await store.insertFactor(db(), {
        ...emptyFactor,
        id,
        tenant_id: ctx.tenantId,
        staff_id: ctx.staffId,
        kind: 'sms',
        label: `SMS ${maskPhone(phone)}`,
        secret: await deps.cipher.encrypt(ctx.tenantId, ctx.staffId, phone),
        created_at: nowIso(),
      });
      const f = await store.findFactor(db(), ctx.tenantId, ctx.staffId, id);
      const sent = await sendSmsCode(ctx.tenantId, ctx.staffId, f!, `enrol:${id}`);
      if (!sent.ok) return sent;
      return { ok: true as const, value: { factorId: id, ...sent.value } };
    },

    async smsConfirm(
      ctx: AuthContext,
      factorId: string,
      challengeId: string,
      code: string,
      meta: RequestMeta,
    ) {
      const limit = limited(meta, ctx.username, 'code');
      if (limit) return limit;
      const f = await store.findFactor(db(), ctx.tenantId, ctx.staffId, factorId);
      if (!f || f.kind !== 'sms' || f.confirmed_at)
        return fail('unknown_factor', 'Start SMS enrolment again.');
      const proof = await proveFactor(
        ctx.tenantId,
        ctx.staffId,
        { method: 'sms', challengeId, code },
        meta,
        `enrol:${factorId}`,
      );
      if (!proof.ok) return proof;
      await store.confirmFactor(db(), ctx.tenantId, f.id, nowIso(), null);
      return { ok: true as const, value: { factorId: f.id, ...(await afterEnrol(ctx, 'sms')) } };
    },

    /** Sends a code to this person's enrolled phone (sign-in or approval). */
    async smsSend(tenantId: string, staffId: string, purpose = 'login') {
      const f = (await confirmedFactors(tenantId, staffId)).find((x) => x.kind === 'sms');
      if (!f) return fail('unknown_factor', 'No phone is enrolled for codes.');
      return sendSmsCode(tenantId, staffId, f, purpose);
    },

    async passkeyRegisterOptions(ctx: AuthContext, meta: RequestMeta) {
      const options = await webauthn.registrationOptions(
        rp(meta),
        { id: ctx.staffId, username: ctx.username, displayName: ctx.displayName },
        await storedPasskeys(ctx.tenantId, ctx.staffId),
      );
      const challengeId = await newChallenge(
        ctx.tenantId,
        ctx.staffId,
        'webauthn:register',
        options.challenge,
      );
      return { challengeId, options };
    },

    async passkeyRegister(
      ctx: AuthContext,
      challengeId: string,
      response: webauthn.RegistrationResponseJSON,
      label: string,
      meta: RequestMeta,
    ) {
      const c = await takeChallenge(challengeId, 'webauthn:register', ctx.tenantId, ctx.staffId);
      if (!c.ok) return c;
      const v = await webauthn.verifyRegistration(rp(meta), response, c.value.challenge);
      if (!v.ok) return fail('invalid_passkey', `The passkey was refused: ${v.reason}`);
      if (!(await store.useChallenge(db(), challengeId, nowIso())))
        return fail('challenge_expired', 'That challenge was already used.');
      const id = ids.newId('mfa');
      try {
        await store.insertFactor(db(), {
          ...emptyFactor,
          id,
          tenant_id: ctx.tenantId,
          staff_id: ctx.staffId,
          kind: 'passkey',
          label,
          credential_id: v.passkey.credentialId,
          public_key: v.passkey.publicKey,
          counter: v.passkey.counter,
          transports: JSON.stringify(v.passkey.transports),
          backed_up: v.passkey.backedUp ? 1 : 0,
          device_type: v.passkey.deviceType,
          confirmed_at: nowIso(),
          created_at: nowIso(),
        });
      } catch (e) {
        if (isUniqueViolation(e)) return fail('conflict', 'That passkey is already registered.');
        throw e;
      }
      return { ok: true as const, value: { factorId: id, ...(await afterEnrol(ctx, 'passkey')) } };
    },

    /** Options for a passkey check: sign-in without a password, a pending second factor, or an approval. */
    async passkeyOptions(
      who: { tenantId: string; staffId: string } | null,
      purpose: string,
      meta: RequestMeta,
      challenge?: string,
    ) {
      const allow = who ? await storedPasskeys(who.tenantId, who.staffId) : [];
      if (who && allow.length === 0) return fail('unknown_factor', 'No passkey is registered.');
      const options = await webauthn.authenticationOptions(rp(meta), allow, challenge);
      const challengeId = await newChallenge(
        who?.tenantId ?? null,
        who?.staffId ?? null,
        `webauthn:${purpose}`,
        options.challenge,
      );
      return { ok: true as const, value: { challengeId, options } };
    },

    /** Signs in with a passkey alone: possession plus the device's fingerprint/face/PIN (UV). */
    async passkeyLogin(
      challengeId: string,
      response: webauthn.AuthenticationResponseJSON,
      meta: RequestMeta,
    ): Promise<Result<Tokens>> {
      const limit = limited(meta, response.id, 'login');
      if (limit) return limit;
      const factor = await store.findFactorByCredential(db(), response.id);
      if (!factor || !factor.confirmed_at) return fail('invalid_passkey', 'That passkey is not registered.');
      const staff = await store.findStaff(db(), factor.tenant_id, factor.staff_id);
      if (!staff || staff.active !== 1) return fail('invalid_passkey', 'That passkey is not registered.');
      const locked = lockedResult(staff);
      if (locked) return locked;
      const c = await takeChallenge(challengeId, 'webauthn:passwordless', null, null);
      if (!c.ok) return c;
      const passkey = (await storedPasskeys(staff.tenant_id, staff.id)).find(
        (p) => p.credentialId === response.id,
      )!;
      const v = await webauthn.verifyAuthentication(rp(meta), response, c.value.challenge, passkey);
      if (!v.ok) {
        await recordFailure(staff, 'passkey', meta);
        return fail('invalid_passkey', `The passkey was refused: ${v.reason}`);
      }
      if (!(await store.useChallenge(db(), challengeId, nowIso())))
        return fail('challenge_expired', 'That challenge was already used.');
      await store.setPasskeyCounter(db(), staff.tenant_id, passkey.credentialId, v.newCounter, nowIso());
      await recordSuccess(staff);
      await audit(staff.tenant_id, staff.id, 'auth.login', staff.id, { method: 'passkey', ip: meta.ip });
      return { ok: true, value: await issue(staff, null, 'full', 'passkey', meta) };
    },

    /** The second step of a sign-in: raises an 'mfa' session to 'full'. */
    async verifySecondFactor(
      ctx: AuthContext,
      proof: SecondFactorProof,
      meta: RequestMeta,
    ): Promise<Result<{ level: 'full' }>> {
      const limit = limited(meta, ctx.username, 'code');
      if (limit) return limit;
      const staff = await store.findStaff(db(), ctx.tenantId, ctx.staffId);
      if (!staff) return fail('unauthenticated', 'Sign in again.');
      const locked = lockedResult(staff);
      if (locked) return locked;
      const r = await proveFactor(ctx.tenantId, ctx.staffId, proof, meta);
      if (!r.ok) {
        await recordFailure(staff, proof.method, meta);
        return r;
      }
      await recordSuccess(staff);
      await raise(ctx, r.value.method);
      await audit(ctx.tenantId, ctx.staffId, 'auth.mfa_passed', ctx.staffId, {
        method: r.value.method,
        ip: meta.ip,
      });
      return { ok: true, value: { level: 'full' } };
    },

    async regenerateRecoveryCodes(ctx: AuthContext) {
      const codes = await newRecoveryCodes(ctx.tenantId, ctx.staffId);
      await audit(ctx.tenantId, ctx.staffId, 'auth.recovery_codes', ctx.staffId, {});
      return { recoveryCodes: codes };
    },

    async removeFactor(ctx: AuthContext, factorId: string): Promise<Result<null>> {
      const factors = await confirmedFactors(ctx.tenantId, ctx.staffId);
      const f = factors.find((x) => x.id === factorId);
      if (!f) return fail('unknown_factor', `Factor ${factorId} does not exist.`);
      if (options.mfaRoles.includes(ctx.role) && factors.length === 1)
        return fail('last_factor', 'Enrol another second factor before removing the last one.');
      await store.deleteFactor(db(), ctx.tenantId, factorId);
      await audit(ctx.tenantId, ctx.staffId, 'auth.mfa_removed', ctx.staffId, { kind: f.kind });
      return { ok: true, value: null };
    },

    // ---- staff ----

    async createStaff(
      tenantId: string,
      input: {
        username: string;
        displayName: string;
        role: Role;
        password: string;
        pin?: string | undefined;
      },
      by: string | null = null,
    ): Promise<Result<StaffView>> {
      const weak = passwordProblem(input.password, input.username, options.minPasswordLength);
      if (weak) return fail('weak_password', weak);
      if (await store.findStaffByUsername(db(), input.username)) {
        return fail('duplicate_username', `The username ${input.username} is taken.`);
      }
      const now = nowIso();
      const staffId = ids.newId('stf');
      const row: StaffTable = {
        id: staffId,
        tenant_id: tenantId,
        username: input.username,
        display_name: await sealStaffName(deps.cipher, tenantId, staffId, input.displayName),
        role: input.role,
        password_hash: await hashSecret(input.password),
        pin_hash: input.pin ? await hashSecret(input.pin, PIN_COST) : null,
        active: 1,
        created_at: now,
        updated_at: now,
      };
      try {
        await database.batch([
          db().insertInto('staff').values(row).compile(),
          auditQuery(
            db(),
            ids,
            {
              tenantId,
              staffId: by,
              action: 'staff.create',
              entity: 'staff',
              entityId: row.id,
              data: { role: row.role },
            },
            now,
          ),
        ]);
      } catch (e) {
        if (isUniqueViolation(e))
          return fail('duplicate_username', `The username ${input.username} is taken.`);
        throw e;
      }
      return { ok: true, value: staffView({ ...row, display_name: input.displayName }) };
    },

    async changePassword(ctx: AuthContext, current: string, next: string): Promise<Result<null>> {
      const staff = await store.findStaff(db(), ctx.tenantId, ctx.staffId);
      if (!staff || !(await verifySecret(current, staff.password_hash)))
        return fail('invalid_credentials', 'The current password is wrong.');
      const weak = passwordProblem(next, staff.username, options.minPasswordLength);
      if (weak) return fail('weak_password', weak);
      await store.setPassword(db(), ctx.tenantId, ctx.staffId, await hashSecret(next), nowIso());
      await audit(ctx.tenantId, ctx.staffId, 'auth.password_changed', ctx.staffId, {});
      return { ok: true, value: null };
    },

    async listStaff(tenantId: string): Promise<StaffView[]> {
      return Promise.all((await store.listStaff(db(), tenantId)).map(viewOf));
    },

    /**
     * Erases a staff member (privacy request or offboarding): their name's key is destroyed
     * (crypto-shredding: the ciphertext stays in the row and reads as a dash), the username is
     * replaced, second factors (which hold phone numbers) are deleted and every session ends. Sales,
     * audit entries and approvals keep the staff id, now anonymous.
     */
    async eraseStaff(ctx: AuthContext, staffId: string): Promise<Result<StaffView>> {
      const staff = await store.findStaff(db(), ctx.tenantId, staffId);
      if (!staff) return fail('unknown_staff', `Staff ${staffId} does not exist.`);
      if (staffId === ctx.staffId) return fail('forbidden', 'You cannot erase yourself.');
      if (staff.role === 'owner' && ctx.role !== 'owner')
        return fail('forbidden', 'Only an owner can erase an owner.');
      const now = nowIso();
      await deps.cipher.shred(ctx.tenantId, staffId);
      const erasedUsername = `erased.${staffId}`;
      await db()
        .updateTable('staff')
        .set({ username: erasedUsername, active: 0, pin_hash: null, updated_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', staffId)
        .execute();
      await db()
        .deleteFrom('mfa_factors')
        .where('tenant_id', '=', ctx.tenantId)
        .where('staff_id', '=', staffId)
        .execute();
      await db()
        .updateTable('auth_sessions')
        .set({ revoked_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('staff_id', '=', staffId)
        .where('revoked_at', 'is', null)
        .execute();
      await db()
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('tenant_id', '=', ctx.tenantId)
        .where('staff_id', '=', staffId)
        .where('revoked_at', 'is', null)
        .execute();
      for (const [k, v] of cache)
        if (v.ctx.staffId === staffId && v.ctx.tenantId === ctx.tenantId) cache.delete(k);
      await audit(ctx.tenantId, ctx.staffId, 'staff.erase', staffId, { role: staff.role });
      return {
        ok: true,
        value: staffView({
          ...staff,
          username: erasedUsername,
          display_name: ERASED_NAME,
          pin_hash: null,
          active: 0,
        }),
      };
    },

    // ---- API keys for integrations ----

    async createApiKey(ctx: AuthContext, name: string, scopes: Permission[]) {
      const id = ids.newId('key');
      const secret = randomBytes(32).toString('base64url');
      await store.insertApiKey(db(), {
        id,
        tenant_id: ctx.tenantId,
        name,
        secret_hash: sha256Hex(secret),
        scopes: JSON.stringify(scopes),
        created_by: ctx.staffId,
        created_at: nowIso(),
        last_used_at: null,
        revoked_at: null,
      });
      await audit(ctx.tenantId, ctx.staffId, 'auth.api_key_created', null, { keyId: id, scopes });
      return { id, name, scopes, key: `oak_${id}.${secret}` };
    },

    async listApiKeys(tenantId: string) {
      return (await store.listApiKeys(db(), tenantId)).map((k) => ({
        id: k.id,
        name: k.name,
        scopes: JSON.parse(k.scopes) as string[],
        createdAt: k.created_at,
        lastUsedAt: k.last_used_at,
        revokedAt: k.revoked_at,
      }));
    },

    async revokeApiKey(ctx: AuthContext, id: string): Promise<Result<null>> {
      if (!(await store.revokeApiKey(db(), ctx.tenantId, id, nowIso())))
        return fail('unknown_api_key', `API key ${id} does not exist.`);
      for (const [k, v] of cache) if (v.ctx.authSessionId === id) cache.delete(k);
      await audit(ctx.tenantId, ctx.staffId, 'auth.api_key_revoked', null, { keyId: id });
      return { ok: true, value: null };
    },
  };

  async function checkApiKey(token: string): Promise<{ ctx: AuthContext } | { reason: 'unknown' }> {
    const m = /^oak_(key_[A-Za-z0-9-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
    if (!m) return { reason: 'unknown' };
    const id = sha256Hex(token);
    const nowMs = clock.now().getTime();
    const hit = cache.get(id);
    if (hit && hit.until > nowMs) return { ctx: hit.ctx };
    const k = await store.findApiKey(db(), m[1]!);
    if (!k || k.revoked_at || k.secret_hash !== sha256Hex(m[2]!)) return { reason: 'unknown' };
    const ctx: AuthContext = {
      tenantId: k.tenant_id,
      // audit entries of an integration name the staff member who created its key
      staffId: k.created_by,
      username: `api:${k.name}`,
      displayName: k.name,
      role: 'auditor',
      registerId: null,
      sessionId: id,
      authSessionId: k.id,
      level: 'full',
      method: 'api_key',
      scopes: new Set(JSON.parse(k.scopes) as Permission[]),
    };
    cache.set(id, {
      ctx,
      until: nowMs + CACHE_MS,
      expires: Infinity,
      sessionExpires: Infinity,
      lastSeen: nowMs,
    });
    return { ctx };
  }

  async function idle(ctx: AuthContext, id: string): Promise<{ reason: 'idle' }> {
    cache.delete(id);
    forget(ctx.authSessionId ?? '');
    await store.revokeAuthSession(db(), ctx.tenantId, ctx.authSessionId ?? '', nowIso());
    return { reason: 'idle' };
  }
}

const emptyFactor = {
  secret: null,
  last_step: null,
  credential_id: null,
  public_key: null,
  counter: null,
  transports: null,
  backed_up: null,
  device_type: null,
  confirmed_at: null,
  last_used_at: null,
};

export type AuthService = ReturnType<typeof createAuthService>;

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
