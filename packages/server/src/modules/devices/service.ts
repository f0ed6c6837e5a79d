import { randomBytes, randomInt } from 'node:crypto';
import type { Deps } from '../../deps';
import type { DeviceTable } from '../../db/schema';
import { fail, type Result } from '../../http/errors';
import { sha256Hex } from '../../lib/secrets';
import { auditQuery } from '../audit/audit';
import type { AuthContext, AuthService, RequestMeta } from '../auth/service';
import type { Permission } from '../auth/permissions';
import type { StoresService } from '../stores/service';
import * as store from './store';

export const DEVICE_KINDS = ['register', 'customer_display', 'payment_terminal', 'kiosk'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * What a device may do, by kind. A device never sells by itself: a cashier signs in on a
 * register with a PIN and sells with their own token. These are the only permissions a device
 * token carries; `terminal.present` and `display.interact` belong to no staff role.
 */
export const kindPermissions: Record<DeviceKind, readonly Permission[]> = {
  // loads the store and catalog before anyone signs in; the PIN sign-in route takes it
  register: ['stores.read', 'catalog.read'],
  // the shopper's tip and feedback for its own register
  customer_display: ['display.interact'],
  // card reads for its own register
  payment_terminal: ['terminal.present'],
  kiosk: ['stores.read', 'catalog.read'],
};

/** Kinds bound to one register (a kiosk is bound to a store only). */
const needsRegister: ReadonlySet<DeviceKind> = new Set(['register', 'customer_display', 'payment_terminal']);

/** Pairing codes: 8 characters without look-alikes (0/O, 1/I/L), shown as XXXX-XXXX. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export interface DevicesOptions {
  /** a pairing code works this long, once */
  pairingMinutes: number;
  /** a device token lives this long; the device trades its credential for a new one */
  tokenSeconds: number;
}

export function devicesOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DevicesOptions {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
  return {
    pairingMinutes: num(env.OPENTILL_PAIRING_MINUTES, 15),
    tokenSeconds: num(env.OPENTILL_DEVICE_TOKEN_TTL, 900),
  };
}

export interface DeviceView {
  id: string;
  kind: DeviceKind;
  name: string;
  storeId: string;
  registerId: string | null;
  state: 'pending' | 'paired' | 'revoked';
  pairedAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export function deviceView(d: DeviceTable): DeviceView {
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    storeId: d.store_id,
    registerId: d.register_id,
    state: d.revoked_at ? 'revoked' : d.secret_hash ? 'paired' : 'pending',
    pairedAt: d.paired_at,
    lastSeenAt: d.last_seen_at,
    createdAt: d.created_at,
    revokedAt: d.revoked_at,
  };
}

/** Upper case, no spaces or dashes: `abcd-efgh` is `ABCDEFGH`. */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

export function newPairingCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(0, CODE_ALPHABET.length)];
  return code;
}

/** The rows a new device and its first pairing code are (also used by the demo seed). */
export function newDeviceRows(
  input: {
    id: string;
    tenantId: string;
    kind: DeviceKind;
    name: string;
    storeId: string;
    registerId: string | null;
    createdBy: string;
  },
  now: Date,
  pairingMinutes: number,
) {
  const code = newPairingCode();
  const device: DeviceTable = {
    id: input.id,
    tenant_id: input.tenantId,
    kind: input.kind,
    name: input.name,
    store_id: input.storeId,
    register_id: input.registerId,
    secret_hash: null,
    paired_at: null,
    last_seen_at: null,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    revoked_at: null,
  };
  const expiresAt = new Date(now.getTime() + pairingMinutes * 60_000).toISOString();
  return {
    device,
    pairing: {
      code_hash: sha256Hex(code),
      tenant_id: input.tenantId,
      device_id: input.id,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      used_at: null,
    },
    code: formatCode(code),
    expiresAt,
  };
}

export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** wrong pairing codes allowed per address per window before `too_many_attempts` */
export const PAIR_ATTEMPTS = 10;
const PAIR_WINDOW_MS = 60_000;

/** last_seen_at is written at most this often per device. */
const TOUCH_MS = 60_000;

export function createDevicesService(
  deps: Deps,
  services: { auth: AuthService; stores: StoresService },
  options: DevicesOptions = devicesOptionsFromEnv(),
) {
  const { database, clock, ids } = deps;
  const db = () => database.db;
  const { auth, stores } = services;
  /** wrong pairing codes per address in the current window */
  const failures = new Map<string, { count: number; since: number }>();
  /** told of each revocation in this process (open display streams end at once) */
  const revokeListeners = new Set<(deviceId: string) => void>();
  const nowIso = () => clock.now().toISOString();
  const audit = (tenantId: string, staffId: string | null, action: string, deviceId: string, data: unknown) =>
    auditQuery(
      db(),
      ids,
      { tenantId, staffId, action, entity: 'device', entityId: deviceId, data },
      nowIso(),
    );

  async function placement(
    tenantId: string,
    kind: DeviceKind,
    storeId: string,
    registerId: string | null,
  ): Promise<Result<null>> {
    const s = await stores.get(tenantId, storeId);
    if (!s.ok) return s;
    if (needsRegister.has(kind) && !registerId)
      return fail('validation_failed', `A ${kind} device is bound to a register: send registerId.`);
    if (registerId) {
      const r = await stores.getRegister(tenantId, registerId);
      if (!r.ok) return r;
      if (r.value.storeId !== storeId)
        return fail('register_store_mismatch', `Register ${registerId} is not in store ${storeId}.`);
    }
    return { ok: true, value: null };
  }

  return {
    options,

    /** Registers a device and answers its first pairing code (shown once; valid for minutes; single use). */
    async create(
      ctx: AuthContext,
      input: { kind: DeviceKind; name: string; storeId: string; registerId?: string | undefined },
    ): Promise<Result<{ device: DeviceView; pairing: { code: string; expiresAt: string } }>> {
      const registerId = input.registerId ?? null;
      const placed = await placement(ctx.tenantId, input.kind, input.storeId, registerId);
      if (!placed.ok) return placed;
      const rows = newDeviceRows(
        {
          id: ids.newId('dev'),
          tenantId: ctx.tenantId,
          kind: input.kind,
          name: input.name,
          storeId: input.storeId,
          registerId,
          createdBy: ctx.staffId,
        },
        clock.now(),
        options.pairingMinutes,
      );
      await database.batch([
        store.insertDevice(db(), rows.device),
        store.insertPairing(db(), rows.pairing),
        audit(ctx.tenantId, ctx.staffId, 'device.created', rows.device.id, {
          kind: input.kind,
          storeId: input.storeId,
          registerId,
        }),
      ]);
      return {
        ok: true,
        value: { device: deviceView(rows.device), pairing: { code: rows.code, expiresAt: rows.expiresAt } },
      };
    },

    /** A new pairing code for a device (earlier unused codes stop working). */
    async newCode(ctx: AuthContext, id: string): Promise<Result<{ code: string; expiresAt: string }>> {
      const d = await store.findDevice(db(), ctx.tenantId, id);
      if (!d || d.revoked_at) return fail('unknown_device', `Device ${id} does not exist.`);
      const code = newPairingCode();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + options.pairingMinutes * 60_000).toISOString();
      await database.batch([
        store.dropPendingPairings(db(), ctx.tenantId, id),
        store.insertPairing(db(), {
          code_hash: sha256Hex(code),
          tenant_id: ctx.tenantId,
          device_id: id,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          used_at: null,
        }),
        audit(ctx.tenantId, ctx.staffId, 'device.pairing_code', id, { expiresAt }),
      ]);
      return { ok: true, value: { code: formatCode(code), expiresAt } };
    },

    async list(tenantId: string): Promise<DeviceView[]> {
      return (await store.listDevices(db(), tenantId)).map(deviceView);
    },

    /**
     * The device trades its pairing code for its credential (`odk_<id>.<secret>`, shown this once,
     * kept hashed). No sign-in: the code is the secret, so attempts are limited per address.
     */
    async pair(
      code: string,
      meta: RequestMeta,
    ): Promise<
      Result<{
        credential: string;
        device: DeviceView;
        tenantId: string;
        storeName: string;
        registerName: string | null;
      }>
    > {
      const nowMs = clock.now().getTime();
      for (const [ip, f] of failures) if (f.since + PAIR_WINDOW_MS <= nowMs) failures.delete(ip);
      const f = failures.get(meta.ip);
      if (f && f.count >= PAIR_ATTEMPTS)
        return fail('too_many_attempts', 'Too many wrong pairing codes; wait a minute and try again.');
      const hash = sha256Hex(normalizeCode(code));
      const p = await store.findPairing(db(), hash);
      if (!p) {
        // only wrong codes count: 31^8 codes cannot be tried from one address
        failures.set(meta.ip, { count: (f?.count ?? 0) + 1, since: f?.since ?? nowMs });
        return fail('unknown_pairing_code', 'No device is waiting for this pairing code.');
      }
      if (p.used_at) return fail('pairing_expired', 'This pairing code was already used; ask for a new one.');
      if (Date.parse(p.expires_at) <= clock.now().getTime())
        return fail('pairing_expired', 'This pairing code has expired; ask for a new one.');
      const d = await store.findDevice(db(), p.tenant_id, p.device_id);
      if (!d || d.revoked_at)
        return fail('unknown_pairing_code', 'No device is waiting for this pairing code.');
      // two devices racing with one code: the first one wins
      if (!(await store.usePairing(db(), hash, nowIso())))
        return fail('pairing_expired', 'This pairing code was already used; ask for a new one.');
      const secret = randomBytes(32).toString('base64url');
      const at = nowIso();
      await database.batch([
        store.setSecret(db(), d.tenant_id, d.id, sha256Hex(secret), at),
        // a device paired again: the old credential's tokens end with it
        store.dropTokens(db(), d.tenant_id, d.id),
        audit(d.tenant_id, null, 'device.paired', d.id, { kind: d.kind, ip: meta.ip }),
      ]);
      const s = await stores.get(d.tenant_id, d.store_id);
      const r = d.register_id ? await stores.getRegister(d.tenant_id, d.register_id) : null;
      return {
        ok: true,
        value: {
          credential: `odk_${d.id}.${secret}`,
          device: deviceView({ ...d, secret_hash: 'set', paired_at: at, last_seen_at: at }),
          tenantId: d.tenant_id,
          storeName: s.ok ? s.value.name : '',
          registerName: r?.ok ? r.value.name : null,
        },
      };
    },

    /** Trades a device credential for a short device token. */
    async token(
      credential: string,
    ): Promise<Result<{ token: string; expiresInSeconds: number; device: DeviceView }>> {
      const m = /^odk_(dev_[A-Za-z0-9-]+)\.([A-Za-z0-9_-]+)$/.exec(credential);
      const refused = fail(
        'unauthenticated',
        'This device credential is unknown or was revoked; pair again.',
      );
      if (!m) return refused;
      const d = await store.findDeviceById(db(), m[1]!);
      if (!d || d.revoked_at || !d.secret_hash || d.secret_hash !== sha256Hex(m[2]!)) return refused;
      const token = `odt_${randomBytes(32).toString('base64url')}`;
      const now = clock.now();
      const expires = new Date(now.getTime() + options.tokenSeconds * 1000).toISOString();
      await database.batch([
        store.insertToken(db(), {
          id: sha256Hex(token),
          tenant_id: d.tenant_id,
          device_id: d.id,
          created_at: now.toISOString(),
          expires_at: expires,
        }),
      ]);
      await store.touchDevice(db(), d.tenant_id, d.id, now.toISOString());
      return {
        ok: true,
        value: {
          token,
          expiresInSeconds: options.tokenSeconds,
          device: deviceView({ ...d, last_seen_at: now.toISOString() }),
        },
      };
    },

    /**
     * The caller behind a device token. Read from the database on every request (no cache), so
     * a revocation takes effect at once on every API node.
     */
    async check(
      token: string,
    ): Promise<{ ctx: AuthContext; expiresAt: string } | { reason: 'unknown' | 'expired' }> {
      const id = sha256Hex(token);
      const d = await store.findToken(db(), id);
      if (!d || d.revoked_at || !d.secret_hash) return { reason: 'unknown' };
      const nowMs = clock.now().getTime();
      if (Date.parse(d.token_expires_at) <= nowMs) return { reason: 'expired' };
      if (!d.last_seen_at || nowMs - Date.parse(d.last_seen_at) > TOUCH_MS)
        await store.touchDevice(db(), d.tenant_id, d.id, new Date(nowMs).toISOString());
      return {
        ctx: {
          tenantId: d.tenant_id,
          // audit entries of a device name the staff member who registered it
          staffId: d.created_by,
          username: `device:${d.name}`,
          displayName: d.name,
          role: 'auditor',
          registerId: d.register_id,
          sessionId: id,
          authSessionId: d.id,
          level: 'full',
          method: 'device',
          scopes: new Set(kindPermissions[d.kind]),
          device: { id: d.id, kind: d.kind, storeId: d.store_id },
        },
        expiresAt: d.token_expires_at,
      };
    },

    /** Revokes a device: its credential and tokens stop working at once; a register's PIN sign-ins end. */
    async revoke(ctx: AuthContext, id: string): Promise<Result<null>> {
      const d = await store.findDevice(db(), ctx.tenantId, id);
      if (!d || d.revoked_at) return fail('unknown_device', `Device ${id} does not exist.`);
      await database.batch([
        store.revokeDevice(db(), ctx.tenantId, id, nowIso()),
        store.dropTokens(db(), ctx.tenantId, id),
        store.dropPendingPairings(db(), ctx.tenantId, id),
        audit(ctx.tenantId, ctx.staffId, 'device.revoked', id, { kind: d.kind }),
      ]);
      for (const listener of revokeListeners) listener(id);
      if (
        d.kind === 'register' &&
        d.register_id &&
        !(await store.hasPairedDevice(db(), ctx.tenantId, d.register_id, 'register'))
      )
        await auth.endRegisterSessions(ctx.tenantId, d.register_id);
      return { ok: true, value: null };
    },

    /** Calls `listener` with the id of every device revoked in this process. */
    onRevoke(listener: (deviceId: string) => void): () => void {
      revokeListeners.add(listener);
      return () => revokeListeners.delete(listener);
    },

    /** Is a register paired (a live register device holds a credential)? A PIN works only then. */
    registerPaired(tenantId: string, registerId: string): Promise<boolean> {
      return store.hasPairedDevice(db(), tenantId, registerId, 'register');
    },
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
