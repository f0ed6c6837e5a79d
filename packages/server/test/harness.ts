import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { createPgSchema, dropPgSchema, migrate, openDatabase, type Database } from '../src/db/database';
import { systemClock, systemIds, type Clock } from '../src/lib/ids';
import type { Deps } from '../src/deps';
import { buildApp } from '../src/app';
import { seedDemo, type SeedResult } from '../src/seed/seed';
import { base32Decode, totp } from '../src/modules/auth/totp';
import { createStaticKeyProvider } from '../src/modules/keys/key-provider';
import { createKeyring } from '../src/modules/keys/keyring';

export type Engine = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when OPENTILL_TEST_PG_URL is set. */
export const engines: Engine[] = process.env.OPENTILL_TEST_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDb {
  database: Database;
  /** where the data lives: a SQLite file or a PostgreSQL schema; reopen with `reopen()` */
  reopen(): Promise<Database>;
  options: { url?: string; sqlitePath?: string; schema?: string };
  cleanup(): Promise<void>;
}

/** A fresh, migrated database: a temp SQLite file, or a new PostgreSQL schema. */
export async function openTestDb(engine: Engine): Promise<TestDb> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'opentill-test-'));
    const options = { sqlitePath: join(dir, 'test.db') };
    const database = await openDatabase(options);
    await migrate(database);
    return {
      database,
      options,
      reopen: () => openDatabase(options),
      cleanup: async () => {
        await database.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.OPENTILL_TEST_PG_URL ?? '';
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await createPgSchema(url, schema);
  const options = { url, schema, poolSize: 8 };
  const database = await openDatabase(options);
  await migrate(database);
  return {
    database,
    options,
    reopen: () => openDatabase(options),
    cleanup: async () => {
      await database.close().catch(() => undefined);
      await dropPgSchema(url, schema);
    },
  };
}

export const silentLog = pino({ level: 'silent' });

/** The real keyring over the test database, under a random master key held in memory. */
export function testDeps(database: Database, clock: Clock = systemClock): Deps {
  const cipher = createKeyring(database, createStaticKeyProvider([{ key: randomBytes(32) }]), clock);
  return { database, clock, ids: systemIds(clock), log: silentLog, cipher };
}

export interface TestApp {
  engine: Engine;
  app: FastifyInstance;
  deps: Deps;
  db: TestDb;
  seed: SeedResult;
  /** bearer tokens of the demo staff, by role */
  tokens: Record<'owner' | 'manager' | 'cashier' | 'auditor', string>;
  auth(role: 'owner' | 'manager' | 'cashier' | 'auditor'): { authorization: string };
  /** TOTP seeds the harness enrolled for the roles that need a second factor */
  totpSecrets: Partial<Record<'owner' | 'manager' | 'cashier' | 'auditor', Buffer>>;
  /** the demo devices, paired with their seeded codes: credential and a device token each */
  devices: PairedDevice[];
  /** a device token of a paired demo device (the first register of the Shanghai store by default) */
  deviceAuth(kind: PairedDevice['kind'], registerId?: string): { authorization: string };
  close(): Promise<void>;
}

export interface PairedDevice {
  id: string;
  kind: 'register' | 'customer_display' | 'payment_terminal' | 'kiosk';
  registerId: string;
  credential: string;
  token: string;
}

/** Pairs a device with its code and trades the credential for a device token, as a device would. */
export async function pairDevice(
  app: FastifyInstance,
  code: string,
): Promise<{ id: string; credential: string; token: string }> {
  const pair = await app.inject({ method: 'POST', url: '/api/v1/devices/pair', payload: { code } });
  if (pair.statusCode !== 200) throw new Error(`pairing failed: ${pair.body}`);
  const { credential, device } = pair.json() as { credential: string; device: { id: string } };
  const tok = await app.inject({
    method: 'POST',
    url: '/api/v1/devices/token',
    headers: { authorization: `Bearer ${credential}` },
  });
  if (tok.statusCode !== 200) throw new Error(`device token failed: ${tok.body}`);
  return { id: device.id, credential, token: (tok.json() as { token: string }).token };
}

export const TEST_PASSWORD = 'opentill-test-pw';

/** A migrated database with the demo tenant seeded, the app built, and every demo role signed in. */
export async function startTestApp(engine: Engine, clock: Clock = systemClock): Promise<TestApp> {
  const db = await openTestDb(engine);
  const deps = testDeps(db.database, clock);
  const prefix = `${randomBytes(3).toString('hex')}_`;
  const seed = await seedDemo(deps, { password: TEST_PASSWORD, usernamePrefix: prefix });
  const app = await buildApp(deps);
  const tokens = {} as TestApp['tokens'];
  const totpSecrets: TestApp['totpSecrets'] = {};
  for (const role of ['owner', 'manager', 'cashier', 'auditor'] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: `${prefix}${role}`, password: TEST_PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${role} failed: ${res.body}`);
    const body = res.json() as { token: string; level: string };
    tokens[role] = body.token;
    // owners, managers and auditors must enrol a second factor: enrol an authenticator app
    if (body.level === 'enrol') totpSecrets[role] = await enrolTotp(app, body.token, clock);
  }
  const devices: PairedDevice[] = [];
  for (const d of seed.devices) {
    const paired = await pairDevice(app, d.code);
    devices.push({ ...paired, kind: d.kind, registerId: d.registerId });
  }
  return {
    engine,
    app,
    deps,
    db,
    seed,
    tokens,
    totpSecrets,
    devices,
    deviceAuth: (kind, registerId = seed.stores.sh.registers[0]) => {
      const d = devices.find((x) => x.kind === kind && x.registerId === registerId);
      if (!d) throw new Error(`no paired ${kind} on register ${registerId ?? ''}`);
      return { authorization: `Bearer ${d.token}` };
    },
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: async () => {
      await app.close();
      await db.cleanup();
    },
  };
}

/**
 * Enrols an authenticator app on a session that must enrol one, the way a person would (start,
 * read the secret, answer a code), which raises the session to full. Returns the TOTP seed.
 */
export async function enrolTotp(
  app: FastifyInstance,
  token: string,
  clock: Clock = systemClock,
): Promise<Buffer> {
  const headers = { authorization: `Bearer ${token}` };
  const begin = await app.inject({ method: 'POST', url: '/api/v1/auth/mfa/totp', headers, payload: {} });
  if (begin.statusCode !== 201) throw new Error(`TOTP enrolment failed: ${begin.body}`);
  const { factorId, secret } = begin.json() as { factorId: string; secret: string };
  const seed = base32Decode(secret);
  const code = totp(seed, Math.floor(clock.now().getTime() / 1000));
  const done = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/totp/confirm',
    headers,
    payload: { factorId, code },
  });
  if (done.statusCode !== 200) throw new Error(`TOTP confirmation failed: ${done.body}`);
  return seed;
}

/**
 * Signs a staff member in with a password and, when their role must enrol a second factor first,
 * enrols an authenticator app: the answer is a token that reaches everything the role may do.
 */
export async function signInFull(
  app: FastifyInstance,
  username: string,
  password: string,
  clock: Clock = systemClock,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.body}`);
  const body = res.json() as { token: string; level: string };
  if (body.level === 'enrol') await enrolTotp(app, body.token, clock);
  else if (body.level !== 'full') throw new Error(`${username} already has a second factor; sign in with it`);
  return body.token;
}

/**
 * Signs a demo role in again (after the test clock moved past the token's life or the idle
 * timeout), answering the second factor with the TOTP seed the harness enrolled. The code is
 * the current one, so the clock must have moved to a new 30 s step since that role's last code.
 */
export async function signInRole(
  t: TestApp,
  role: 'owner' | 'manager' | 'cashier' | 'auditor',
  clock: Clock = systemClock,
): Promise<string> {
  const staff = t.seed.staff.find((s) => s.role === role);
  if (!staff) throw new Error(`the demo tenant has no ${role}`);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: staff.username, password: staff.password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${role} failed: ${res.body}`);
  const body = res.json() as { token: string; level: string };
  if (body.level === 'full') return body.token;
  const seed = t.totpSecrets[role];
  if (body.level !== 'mfa' || !seed) throw new Error(`${role} signed in at level ${body.level}`);
  const verify = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/verify',
    headers: { authorization: `Bearer ${body.token}` },
    payload: { method: 'totp', code: totp(seed, Math.floor(clock.now().getTime() / 1000)) },
  });
  if (verify.statusCode !== 200) throw new Error(`second factor for ${role} failed: ${verify.body}`);
  return body.token;
}

export interface DemoVariant {
  id: string;
  sku: string;
  name: string;
  unit: string;
  barcode: string;
  pluCode: string | null;
  prices: Record<string, number>;
}

/** Demo variants of the seeded tenant (ordered by SKU), for building baskets in tests. */
export async function demoVariants(
  t: TestApp,
  opts: { unit?: 'each' | 'kg'; limit?: number } = {},
): Promise<DemoVariant[]> {
  const db = t.deps.database.db;
  let q = db
    .selectFrom('variants')
    .select(['id', 'sku', 'name', 'unit', 'plu_code'])
    .where('tenant_id', '=', t.seed.tenantId)
    .orderBy('sku');
  if (opts.unit) q = q.where('unit', '=', opts.unit);
  const rows = await q.limit(opts.limit ?? 10).execute();
  const ids = rows.map((r) => r.id);
  const prices = await db
    .selectFrom('prices')
    .selectAll()
    .where('tenant_id', '=', t.seed.tenantId)
    .where('variant_id', 'in', ids)
    .execute();
  const codes = await db
    .selectFrom('barcodes')
    .selectAll()
    .where('tenant_id', '=', t.seed.tenantId)
    .where('variant_id', 'in', ids)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    sku: r.sku,
    name: r.name,
    unit: r.unit,
    pluCode: r.plu_code,
    barcode: codes.find((c) => c.variant_id === r.id)?.code.replace(/^0+(?=\d{12,13}$)/, '') ?? '',
    prices: Object.fromEntries(prices.filter((p) => p.variant_id === r.id).map((p) => [p.store_id, p.price])),
  }));
}

let orderSeq = 0;
/** A fresh client-made order id in the shape the register makes. */
export function newOrderId(): string {
  orderSeq += 1;
  return `ord_${Date.now().toString(16)}-${orderSeq.toString(16).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
}
