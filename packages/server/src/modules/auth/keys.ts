import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import type { FieldCipher } from '../../lib/field-cipher';

/** The keyring subject under which the identity module's keys are stored. */
export const AUTH_KEYS_SUBJECT = 'sys_auth_keys';

/** A keyring ciphertext (`v1.…`), as opposed to a key written in clear by an earlier version. */
const isWrapped = (secret: string) => secret.startsWith('v1.');

/**
 * Per-tenant keys of the identity module: `seal` encrypts factor secrets (TOTP seeds, phone
 * numbers) with AES-256-GCM. They live in `auth_keys`, each stored as a keyring ciphertext (under a
 * subject key wrapped by the tenant's data key, itself under the master key), never in clear.
 * (Rows of purpose `approval` are from before approvals had their own keyring-wrapped keys:
 * modules/approvals/signing.ts moves them.)
 */
export function createAuthKeys(db: () => Kysely<DB>, now: () => string, cipher: FieldCipher) {
  const cache = new Map<string, { keyId: string; key: Buffer }>();

  async function unwrap(tenantId: string, secret: string): Promise<Buffer> {
    if (!isWrapped(secret)) return Buffer.from(secret, 'base64url');
    const clear = await cipher.decrypt(tenantId, AUTH_KEYS_SUBJECT, secret);
    if (clear === null) throw new Error('the identity key of this tenant cannot be unwrapped');
    return Buffer.from(clear, 'base64url');
  }

  async function key(tenantId: string, purpose: 'seal') {
    const k = `${tenantId}/${purpose}`;
    const hit = cache.get(k);
    if (hit) return hit;
    let row = await db()
      .selectFrom('auth_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    if (!row) {
      const fresh = {
        tenant_id: tenantId,
        purpose,
        key_id: randomBytes(6).toString('base64url'),
        secret: await cipher.encrypt(tenantId, AUTH_KEYS_SUBJECT, randomBytes(32).toString('base64url')),
        created_at: now(),
      };
      // two nodes may race to create it: the first insert wins and everyone reads it back
      await db()
        .insertInto('auth_keys')
        .values(fresh)
        .onConflict((oc) => oc.columns(['tenant_id', 'purpose']).doNothing())
        .execute();
      row = await db()
        .selectFrom('auth_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('purpose', '=', purpose)
        .executeTakeFirstOrThrow();
    }
    const entry = { keyId: row.key_id, key: await unwrap(tenantId, row.secret) };
    cache.set(k, entry);
    return entry;
  }

  return {
    async seal(tenantId: string, aad: string, plaintext: Buffer): Promise<string> {
      const { keyId, key: k } = await key(tenantId, 'seal');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', k, iv);
      c.setAAD(Buffer.from(aad));
      const body = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
      return `s1.${keyId}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    async open(tenantId: string, aad: string, sealed: string): Promise<Buffer> {
      const [v, , iv, body] = sealed.split('.');
      if (v !== 's1' || !iv || !body) throw new Error('not a sealed value');
      const { key: k } = await key(tenantId, 'seal');
      const raw = Buffer.from(body, 'base64url');
      const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(aad));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]);
    },
  };
}
export type AuthKeys = ReturnType<typeof createAuthKeys>;

/**
 * Wraps the identity keys an earlier version stored in clear (same key, now a keyring
 * ciphertext: what it sealed stays readable). Idempotent; returns how many it wrapped.
 */
export async function wrapAuthKeys(db: Kysely<DB>, cipher: FieldCipher): Promise<number> {
  const rows = await db.selectFrom('auth_keys').selectAll().where('purpose', '=', 'seal').execute();
  let n = 0;
  for (const row of rows) {
    if (isWrapped(row.secret)) continue;
    await db
      .updateTable('auth_keys')
      .set({ secret: await cipher.encrypt(row.tenant_id, AUTH_KEYS_SUBJECT, row.secret) })
      .where('tenant_id', '=', row.tenant_id)
      .where('purpose', '=', 'seal')
      .where('secret', '=', row.secret)
      .execute();
    n += 1;
  }
  return n;
}

/** JSON with object keys sorted at every level: the same action always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
