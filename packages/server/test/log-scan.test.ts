import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { logRedact, logSerializers } from '../src/http/log-redaction';
import { seedDemo } from '../src/seed/seed';
import { sealAudit } from '../src/modules/audit/chain';
import { engines, newOrderId, openTestDb, signInFull, testDeps, type TestDb } from './harness';

/**
 * Nothing sensitive in the logs or the database. A scripted run through the app with logging at
 * debug level and request logging on: failed and good logins, a PIN switch, a staff member with a
 * name and PIN created, an SMS second factor with a phone number, an API key, a customer display
 * token used in a URL, card sales (one with a card number hidden in the tender reference) and an
 * audit export. Then the logs, every text column of every table, and (on SQLite) the raw database
 * and WAL files are searched for each secret and personal value used, for `otk_` tokens, and for
 * Luhn-valid 13–19 digit runs that are not product barcodes.
 */

const PASSWORD = `Scan-${randomBytes(4).toString('hex')}-Passw0rd`;
const WRONG_PASSWORD = `Wrong-${randomBytes(4).toString('hex')}-Passw0rd`;
const PIN = '739184';
const NEW_PIN = '528417';
const PAN = '4111111111111111';
const PAN_SPACED = '4111 1111 1111 1111';
const PHONE = '+8613912345678';
const STAFF_NAME = 'Zhang Weiming 张伟明';

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Luhn-valid 13–19 digit card numbers, alone or written in groups split by a space or dash (each
 * group at least 3 digits), minus product barcodes. Digits glued to letters or inside an id
 * (`sto_0193…-7508-…`) are not card numbers.
 */
function cardNumbers(text: string, barcodes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?<![0-9A-Za-z_.-])[0-9]+(?:[ -][0-9]+)*(?![0-9A-Za-z_])/g)) {
    const groups = m[0].split(/[ -]/);
    for (let start = 0; start < groups.length; start++) {
      let digits = '';
      for (let end = start; end < groups.length && digits.length < 19; end++) {
        if (end > start && ((groups[end] ?? '').length < 3 || (groups[start] ?? '').length < 3)) break;
        digits += groups[end];
        if (
          digits.length >= 13 &&
          digits.length <= 19 &&
          luhn(digits) &&
          !barcodes.has(digits.replace(/^0+/, ''))
        )
          found.push(groups.slice(start, end + 1).join(' '));
      }
    }
  }
  return found;
}

/** Tables of this database (on PostgreSQL: of the current schema only, not other tests' schemas). */
async function ownTables(kdb: Kysely<DB>) {
  const tables = await kdb.introspection.getTables();
  if (tables.every((tb) => tb.schema === undefined)) return tables;
  const current = (await sql<{ s: string }>`select current_schema() as s`.execute(kdb)).rows[0]?.s;
  return tables.filter((tb) => tb.schema === current);
}

describe.each(engines)('logs and database hold no secrets on %s', (engine) => {
  let db: TestDb;
  let app: FastifyInstance;
  let debugOn = false;
  const logLines: string[] = [];
  const secrets: Record<string, string> = {};
  const saved = { LOG_REQUESTS: process.env.LOG_REQUESTS };

  beforeAll(async () => {
    process.env.LOG_REQUESTS = '1'; // request logs on, as an operator debugging would have them
    db = await openTestDb(engine);
    const log = pino(
      // the server's own settings (cli.ts), at debug level
      {
        level: 'debug',
        timestamp: pino.stdTimeFunctions.isoTime,
        serializers: logSerializers,
        redact: logRedact,
      },
      { write: (line: string) => void logLines.push(line) },
    );
    debugOn = log.isLevelEnabled('debug');
    const deps = { ...testDeps(db.database), log };
    const prefix = `ls${randomBytes(2).toString('hex')}_`;
    const seed = await seedDemo(deps, { password: PASSWORD, pin: PIN, usernamePrefix: prefix });
    app = await buildApp(deps, { loggerInstance: log });
    const call = async (method: string, url: string, token: string | null, payload?: object) => {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(url === '/api/v1/orders' ? { 'idempotency-key': randomBytes(8).toString('hex') } : {}),
        },
        ...(payload ? { payload } : {}),
      });
      return res;
    };

    expect(
      (
        await call('POST', '/api/v1/auth/login', null, {
          username: `${prefix}cashier`,
          password: WRONG_PASSWORD,
        })
      ).statusCode,
    ).toBe(401);
    const login = await call('POST', '/api/v1/auth/login', null, {
      username: `${prefix}cashier`,
      password: PASSWORD,
    });
    expect(login.statusCode, login.body).toBe(200);
    const cashier = login.json() as { token: string; refreshToken: string };
    secrets.cashierToken = cashier.token;
    secrets.refreshToken = cashier.refreshToken;
    const register = seed.stores.sh.registers[0] ?? '';
    // the register pairs with its code, trades its credential for a device token, and signs the cashier in by PIN
    const pairingCode =
      seed.devices.find((d) => d.kind === 'register' && d.registerId === register)?.code ?? '';
    secrets.pairingCode = pairingCode;
    const paired = await call('POST', '/api/v1/devices/pair', null, { code: pairingCode });
    expect(paired.statusCode, paired.body).toBe(200);
    secrets.deviceCredential = (paired.json() as { credential: string }).credential;
    const deviceToken = await call('POST', '/api/v1/devices/token', secrets.deviceCredential);
    expect(deviceToken.statusCode, deviceToken.body).toBe(200);
    secrets.deviceToken = (deviceToken.json() as { token: string }).token;
    const pin = await call('POST', '/api/v1/auth/pin', secrets.deviceToken, {
      username: `${prefix}cashier`,
      pin: PIN,
    });
    expect(pin.statusCode, pin.body).toBe(200);
    const till = (pin.json() as { token: string }).token;
    secrets.pinToken = till;
    const refreshed = await call('POST', '/api/v1/auth/refresh', null, {
      refreshToken: cashier.refreshToken,
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    secrets.refreshedToken = (refreshed.json() as { token: string }).token;

    const owner = await signInFull(app, `${prefix}owner`, PASSWORD);
    secrets.ownerToken = owner;
    const staff = await call('POST', '/api/v1/staff', owner, {
      username: `${prefix}new`,
      displayName: STAFF_NAME,
      role: 'cashier',
      password: `${PASSWORD}-2`,
      pin: NEW_PIN,
    });
    expect(staff.statusCode, staff.body).toBe(201);
    const sms = await call('POST', '/api/v1/auth/mfa/sms', owner, { phone: PHONE });
    expect(sms.statusCode, sms.body).toBeLessThan(300);
    const key = await call('POST', '/api/v1/api-keys', owner, { name: 'scan', scopes: ['orders.read'] });
    expect(key.statusCode, key.body).toBe(201);
    secrets.apiKey = (key.json() as { key: string }).key;

    const pairing = await call('POST', '/api/v1/display/pairings', till, { registerId: register });
    const code = (pairing.json() as { code: string }).code;
    const claim = await call('POST', `/api/v1/display/pairings/${code}/claim`, null);
    expect(claim.statusCode, claim.body).toBe(200);
    secrets.displayToken = (claim.json() as { token: string }).token;
    const session = await call(
      'GET',
      `/api/v1/display/session?token=${encodeURIComponent(secrets.displayToken)}`,
      null,
    );
    expect(session.statusCode, session.body).toBe(200);

    expect(
      (await call('POST', '/api/v1/cash-sessions', till, { registerId: register, openingFloat: 10000 }))
        .statusCode,
    ).toBe(201);
    const variant = await db.database.db
      .selectFrom('variants')
      .select('id')
      .where('tenant_id', '=', seed.tenantId)
      .where('unit', '=', 'each')
      .orderBy('sku')
      .executeTakeFirstOrThrow();
    const price = await db.database.db
      .selectFrom('prices')
      .select('price')
      .where('tenant_id', '=', seed.tenantId)
      .where('variant_id', '=', variant.id)
      .where('store_id', '=', seed.stores.sh.id)
      .executeTakeFirstOrThrow();
    const sale = (reference: string) =>
      call('POST', '/api/v1/orders', till, {
        id: newOrderId(),
        storeId: seed.stores.sh.id,
        registerId: register,
        lines: [{ variantId: variant.id, quantity: 1 }],
        tenders: [{ kind: 'card', amount: price.price, reference }],
      });
    const good = await sale('AUTH 123456 ****1111');
    expect(good.statusCode, good.body).toBe(201);
    for (const reference of [PAN, PAN_SPACED, `TXN ${PAN_SPACED} OK`, `ref:${PAN}`]) {
      const refused = await sale(reference);
      expect(refused.statusCode, `${reference}: ${refused.body}`).toBe(422);
    }
    const exported = await call('GET', '/api/v1/audit/export?format=json', owner);
    expect(exported.statusCode).toBe(200);
    await sealAudit(db.database, deps.clock);
    await new Promise((r) => setTimeout(r, 50));
  }, 180_000);

  afterAll(async () => {
    process.env.LOG_REQUESTS = saved.LOG_REQUESTS;
    await app.close();
    await db.cleanup();
  });

  async function barcodes(): Promise<Set<string>> {
    const rows = await db.database.db.selectFrom('barcodes').select('code').execute();
    return new Set(rows.map((r) => r.code.replace(/^0+/, '')));
  }

  it('the logs carry no card number, PIN, password, token or personal data', async () => {
    const text = logLines.join('');
    expect(debugOn).toBe(true);
    expect(logLines.length).toBeGreaterThan(20);
    expect(text).toContain('/api/v1/orders'); // and so were request logs
    expect(text).toContain('/api/v1/display/session?token=%5Bredacted%5D');
    expect(text).toContain('/api/v1/display/pairings/[redacted]/claim');
    const found: string[] = [];
    for (const [name, value] of Object.entries({
      ...secrets,
      PASSWORD,
      WRONG_PASSWORD,
      PHONE,
      phoneDigits: PHONE.slice(1),
      STAFF_NAME,
    })) {
      if (text.includes(value)) found.push(name);
    }
    for (const p of [PIN, NEW_PIN])
      if (new RegExp(`(?<![0-9])${p}(?![0-9])`).test(text)) found.push(`PIN ${p}`);
    found.push(...(text.match(/otk_[A-Za-z0-9_-]{16,}/g) ?? []).map((t) => `token ${t.slice(0, 8)}…`));
    found.push(...cardNumbers(text, await barcodes()).map((n) => `card number ${n}`));
    expect(found).toEqual([]);
  });

  it('the database stores them neither: every text column, and the raw SQLite files', async () => {
    const kdb = db.database.db;
    const needles: Record<string, string> = { ...secrets, PASSWORD, WRONG_PASSWORD, PHONE, PAN, STAFF_NAME };
    const found: string[] = [];
    const bars = await barcodes();
    for (const table of await ownTables(kdb)) {
      for (const column of table.columns) {
        if (!/char|text|json/i.test(column.dataType)) continue;
        const rows = await sql<{
          v: string | null;
        }>`select ${sql.ref(column.name)} as v from ${sql.table(table.name)}`.execute(kdb);
        for (const { v } of rows.rows) {
          if (typeof v !== 'string') continue;
          for (const [name, value] of Object.entries(needles)) {
            if (v.includes(value)) found.push(`${table.name}.${column.name}: ${name}`);
          }
          for (const p of [PIN, NEW_PIN])
            if (new RegExp(`(?<![0-9])${p}(?![0-9])`).test(v))
              found.push(`${table.name}.${column.name}: PIN`);
          if (/otk_[A-Za-z0-9_-]{16,}/.test(v)) found.push(`${table.name}.${column.name}: otk_ token`);
          for (const n of cardNumbers(v, bars)) found.push(`${table.name}.${column.name}: card number ${n}`);
        }
      }
    }
    // staff display names too: they are stored through the keyring (modules/keys/staff-names.ts)
    expect([...new Set(found)]).toEqual([]);

    if (engine === 'sqlite') {
      const path = db.options.sqlitePath ?? '';
      const files = readdirSync(dirname(path))
        .filter((f) => f.startsWith('test.db'))
        .map((f) => join(dirname(path), f));
      expect(files.length).toBeGreaterThanOrEqual(1);
      const raw = files.map((f) => readFileSync(f).toString('latin1')).join('\n');
      const rawFound: string[] = [];
      for (const [name, value] of Object.entries({ ...secrets, PASSWORD, WRONG_PASSWORD, PAN, STAFF_NAME })) {
        if (raw.includes(Buffer.from(value).toString('latin1'))) rawFound.push(name);
      }
      if (raw.includes(PHONE)) rawFound.push('PHONE');
      if (/otk_[A-Za-z0-9_-]{16,}/.test(raw)) rawFound.push('otk_ token');
      // digit patterns are not searched in the raw pages: adjacent columns run together there
      // (a barcode followed by a date), so the exact card number in every spelling is searched
      for (const spelling of [PAN_SPACED, PAN.replace(/(\d{4})(?=\d)/g, '$1-')])
        if (raw.includes(spelling)) rawFound.push(`card number ${spelling}`);
      expect(rawFound).toEqual([]);
    }
  });
});
