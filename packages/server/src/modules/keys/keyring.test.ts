import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engines, openTestDb, type TestDb } from '../../../test/harness';
import { fixedClock } from '../../lib/ids';
import { createStaticKeyProvider, masterKeyFromEnv, masterKeyId } from './key-provider';
import { createKeyring } from './keyring';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'opentill-keys-'));
  dirs.push(d);
  return d;
}

describe('master key from the environment', () => {
  it('makes data/master.key with mode 0600 once, then reads it back; a base64 variable wins', () => {
    const dir = tempDir();
    const path = join(dir, 'data', 'master.key');
    const first = masterKeyFromEnv({}, { generateAt: path });
    expect(first.generated).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = masterKeyFromEnv({}, { generateAt: path });
    expect(again.generated).toBe(false);
    expect(again.provider.currentKeyId()).toBe(first.provider.currentKeyId());
    expect(readFileSync(path, 'utf8')).not.toContain(first.provider.currentKeyId());

    const key = randomBytes(32);
    const env = masterKeyFromEnv({ OPENTILL_MASTER_KEY: key.toString('base64') }, { generateAt: path });
    expect(env.provider.currentKeyId()).toBe(masterKeyId(key));
    expect(() => masterKeyFromEnv({ OPENTILL_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => masterKeyFromEnv({})).toThrow(/No master key/);
    expect(() => masterKeyFromEnv({ OPENTILL_MASTER_KEY_FILE: join(dir, 'none') })).toThrow(/does not exist/);
  });

  it('rotating a file key appends a new current key; the old one still unwraps', async () => {
    const path = join(tempDir(), 'master.key');
    const { provider } = masterKeyFromEnv({}, { generateAt: path });
    const old = provider.currentKeyId();
    const wrapped = await provider.wrap(Buffer.from('secret key bytes'), 'ctx');
    const next = await provider.rotate?.();
    expect(next).not.toBe(old);
    expect((await provider.unwrap(wrapped.masterKeyId, wrapped.wrapped, 'ctx')).toString()).toBe(
      'secret key bytes',
    );
    await expect(provider.unwrap(wrapped.masterKeyId, wrapped.wrapped, 'other')).rejects.toThrow();
    const reread = masterKeyFromEnv({ OPENTILL_MASTER_KEY_FILE: path });
    expect(reread.provider.currentKeyId()).toBe(next);
    expect(reread.provider.keys().map((k) => k.keyId)).toEqual([old, next]);
  });
});

describe.each(engines)('keyring on %s', (engine) => {
  let t: TestDb;
  afterEach(async () => {
    await t.cleanup();
  });

  it('encrypts per subject, finds by blind index, survives tenant and master rotation, shreds', async () => {
    t = await openTestDb(engine);
    const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
    const path = join(tempDir(), 'master.key');
    const { provider } = masterKeyFromEnv({}, { generateAt: path });
    const ring = createKeyring(t.database, provider, clock);

    const phone = '+86 138 0013 8000';
    const a1 = await ring.encrypt('ten_a', 'cus_1', phone);
    const a2 = await ring.encrypt('ten_a', 'cus_2', 'Wang Fang 王芳');
    const b1 = await ring.encrypt('ten_b', 'cus_1', phone);
    expect(a1).toMatch(/^v1\.sk_/);
    expect(await ring.decrypt('ten_a', 'cus_1', a1)).toBe(phone);
    expect(await ring.decrypt('ten_a', 'cus_2', a2)).toBe('Wang Fang 王芳');
    // bound to tenant and subject
    expect(await ring.decrypt('ten_a', 'cus_2', a1)).toBeNull();
    expect(await ring.decrypt('ten_b', 'cus_1', a1)).toBeNull();
    const idx = await ring.blindIndex('ten_a', 'phone', '8613800138000');
    expect(idx).not.toBe(await ring.blindIndex('ten_b', 'phone', '8613800138000'));

    // nothing readable in the key tables
    const subjects = await t.database.db.selectFrom('key_subject_keys').selectAll().execute();
    expect(subjects).toHaveLength(3);
    const tenantKeys = await t.database.db.selectFrom('key_tenant_keys').selectAll().execute();
    expect(tenantKeys.map((k) => k.purpose).sort()).toEqual(['data', 'data', 'index', 'index']);

    // a second process (fresh caches) reads everything with the same master key
    const other = createKeyring(
      t.database,
      masterKeyFromEnv({ OPENTILL_MASTER_KEY_FILE: path }).provider,
      clock,
    );
    expect(await other.decrypt('ten_a', 'cus_1', a1)).toBe(phone);

    clock.advance(400 * 86_400_000);
    const due = await ring.listKeys('ten_a');
    expect(due.find((k) => k.kind === 'tenant_data')).toMatchObject({ ageDays: 400, rotationDue: true });
    expect(due.find((k) => k.kind === 'tenant_index')).toMatchObject({
      rotationPeriodDays: 730,
      rotationDue: false,
    });

    const report = await ring.rotate({ master: true, tenantKeys: true });
    expect(report).toMatchObject({ masterRotated: true, tenantKeysCreated: 2, subjectKeysRewrapped: 3 });
    const after = await t.database.db.selectFrom('key_tenant_keys').selectAll().execute();
    expect(new Set(after.map((k) => k.master_key_id))).toEqual(new Set([report.masterKeyId]));
    expect(after.filter((k) => k.purpose === 'data' && k.status === 'active')).toHaveLength(2);
    expect(after.filter((k) => k.status === 'retired')).toHaveLength(2);
    const moved = await t.database.db.selectFrom('key_subject_keys').selectAll().execute();
    for (const s of moved) expect(after.find((k) => k.key_id === s.tenant_key_id)?.status).toBe('active');
    const keys = await ring.listKeys('ten_a');
    expect(keys.filter((k) => k.kind === 'master').map((k) => k.status)).toEqual(['retired', 'active']);
    expect(keys.find((k) => k.kind === 'tenant_data' && k.status === 'active')).toMatchObject({
      ageDays: 0,
      rotationDue: false,
    });

    // old ciphertext reads after rotation, in this process and in a fresh one holding only the new master key
    ring.clearCache();
    expect(await ring.decrypt('ten_a', 'cus_1', a1)).toBe(phone);
    expect(await ring.blindIndex('ten_a', 'phone', '8613800138000')).toBe(idx);
    const newestOnly = readFileSync(path, 'utf8').trim().split('\n').pop() ?? '';
    const fresh = createKeyring(
      t.database,
      createStaticKeyProvider([{ key: Buffer.from(newestOnly.split(' ')[0] ?? '', 'base64') }]),
      clock,
    );
    expect(await fresh.decrypt('ten_b', 'cus_1', b1)).toBe(phone);
    expect(await fresh.decrypt('ten_a', 'cus_2', a2)).toBe('Wang Fang 王芳');
    expect(await fresh.blindIndex('ten_a', 'phone', '8613800138000')).toBe(idx);
    // new values go under the new tenant key
    const a3 = await fresh.encrypt('ten_a', 'cus_3', 'x@example.com');
    expect(await ring.decrypt('ten_a', 'cus_3', a3)).toBe('x@example.com');

    // crypto-shredding: the wrapped key is gone, other subjects are untouched
    await ring.shred('ten_a', 'cus_1');
    expect(await ring.decrypt('ten_a', 'cus_1', a1)).toBeNull();
    fresh.clearCache();
    expect(await fresh.decrypt('ten_a', 'cus_1', a1)).toBeNull();
    await expect(ring.encrypt('ten_a', 'cus_1', 'again')).rejects.toThrow(/erased/);
    expect(await ring.decrypt('ten_a', 'cus_2', a2)).toBe('Wang Fang 王芳');
    const row = await t.database.db
      .selectFrom('key_subject_keys')
      .selectAll()
      .where('tenant_id', '=', 'ten_a')
      .where('subject_id', '=', 'cus_1')
      .executeTakeFirstOrThrow();
    expect(row.wrapped).toBeNull();
    expect(row.shredded_at).not.toBeNull();

    // tampering is an error, not a wrong answer
    const parts = a2.split('.');
    const body = parts[3] ?? '';
    const tampered = [...parts.slice(0, 3), `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`].join('.');
    await expect(ring.decrypt('ten_a', 'cus_2', tampered)).rejects.toThrow();
  });

  it('`opentill keys rotate` re-wraps under a new master and tenant key; a running keyring keeps reading', async () => {
    t = await openTestDb(engine);
    const path = join(tempDir(), 'master.key');
    const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
    const ring = createKeyring(t.database, masterKeyFromEnv({}, { generateAt: path }).provider, clock);
    const ct = await ring.encrypt('ten_cli', 'cus_1', 'li.na@example.com');
    const o = t.options;
    const env: NodeJS.ProcessEnv = { ...process.env, OPENTILL_MASTER_KEY_FILE: path };
    if (o.url)
      env.DATABASE_URL = `${o.url}${o.url.includes('?') ? '&' : '?'}options=-c%20search_path%3D${o.schema}`;
    else env.OPENTILL_DB = o.sqlitePath;
    const cli = fileURLToPath(new URL('../../../bin/opentill.js', import.meta.url));
    const r = spawnSync(process.execPath, [cli, 'keys', 'rotate'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /master key mk_[0-9a-f]+ \(new\); 1 new tenant data keys, 1 subject keys re-wrapped/,
    );
    const list = spawnSync(process.execPath, [cli, 'keys', 'list', '--tenant', 'ten_cli'], {
      env,
      encoding: 'utf8',
    });
    expect(list.stdout).toContain('tenant_data');
    expect(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#')),
    ).toHaveLength(2);
    // this process still holds the old master key: it reads the rotated file when it meets the new id
    ring.clearCache();
    expect(await ring.decrypt('ten_cli', 'cus_1', ct)).toBe('li.na@example.com');
    const rows = await t.database.db
      .selectFrom('key_tenant_keys')
      .selectAll()
      .where('tenant_id', '=', 'ten_cli')
      .execute();
    expect(rows.map((k) => k.status).sort()).toEqual(['retired', 'active'].sort());
  }, 120_000);

  it('two keyrings racing on a new tenant and subject agree on one key', async () => {
    t = await openTestDb(engine);
    const provider = createStaticKeyProvider([{ key: randomBytes(32) }]);
    const clock = fixedClock(new Date('2026-01-01T00:00:00Z'));
    const r1 = createKeyring(t.database, provider, clock);
    const r2 = createKeyring(t.database, provider, clock);
    const [c1, c2] = await Promise.all([
      r1.encrypt('ten_x', 'stf_1', 'one'),
      r2.encrypt('ten_x', 'stf_1', 'two'),
    ]);
    expect(await r2.decrypt('ten_x', 'stf_1', c1)).toBe('one');
    expect(await r1.decrypt('ten_x', 'stf_1', c2)).toBe('two');
    const n = await t.database.db.selectFrom('key_tenant_keys').select('key_id').execute();
    expect(n).toHaveLength(1);
  });
});
