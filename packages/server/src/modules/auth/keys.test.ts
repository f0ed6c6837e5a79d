import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { engines, openTestDb, testDeps, type TestDb } from '../../../test/harness';
import { AUTH_KEYS_SUBJECT, createAuthKeys, wrapAuthKeys } from './keys';

describe.each(engines)('identity keys under the keyring (%s)', (engine) => {
  let t: TestDb;
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores the seal key as a keyring ciphertext; a key an earlier version kept in clear is wrapped and still opens', async () => {
    t = await openTestDb(engine);
    const deps = testDeps(t.database);
    const db = () => t.database.db;
    const now = () => new Date().toISOString();
    const keys = createAuthKeys(db, now, deps.cipher);
    const sealed = await keys.seal('ten_a', 'totp:stf_1', Buffer.from('seed-a'));
    const row = await db()
      .selectFrom('auth_keys')
      .selectAll()
      .where('tenant_id', '=', 'ten_a')
      .executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^v1\.sk_/);
    const clear = await deps.cipher.decrypt('ten_a', AUTH_KEYS_SUBJECT, row.secret);
    expect(Buffer.from(clear!, 'base64url')).toHaveLength(32);
    // a fresh instance (another node, a restart) opens it through the keyring
    const again = createAuthKeys(db, now, deps.cipher);
    expect((await again.open('ten_a', 'totp:stf_1', sealed)).toString()).toBe('seed-a');
    // the associated data binds a value to its place
    await expect(again.open('ten_a', 'totp:stf_2', sealed)).rejects.toThrow();

    // a tenant whose key an earlier version wrote in clear
    const legacy = randomBytes(32).toString('base64url');
    await db()
      .insertInto('auth_keys')
      .values({ tenant_id: 'ten_b', purpose: 'seal', key_id: 'old1', secret: legacy, created_at: now() })
      .execute();
    const before = await createAuthKeys(db, now, deps.cipher).seal(
      'ten_b',
      'sms:stf_9',
      Buffer.from('+86138'),
    );
    expect(await wrapAuthKeys(db(), deps.cipher)).toBe(1);
    expect(await wrapAuthKeys(db(), deps.cipher)).toBe(0);
    const wrapped = await db()
      .selectFrom('auth_keys')
      .selectAll()
      .where('tenant_id', '=', 'ten_b')
      .executeTakeFirstOrThrow();
    expect(wrapped.secret).toMatch(/^v1\.sk_/);
    expect(wrapped.secret).not.toContain(legacy);
    const after = createAuthKeys(db, now, deps.cipher);
    expect((await after.open('ten_b', 'sms:stf_9', before)).toString()).toBe('+86138');
  });
});
