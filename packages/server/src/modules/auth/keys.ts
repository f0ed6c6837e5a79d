import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';

/**
 * Per-tenant keys of the identity module: `seal` encrypts factor secrets (TOTP seeds, phone
 * numbers) with AES-256-GCM. They live in `auth_keys`. (Rows of purpose `approval` are from
 * before approvals had their own keyring-wrapped keys: modules/approvals/signing.ts moves them.)
 */
export function createAuthKeys(db: () => Kysely<DB>, now: () => string) {
  const cache = new Map<string, { keyId: string; key: Buffer }>();

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
        secret: randomBytes(32).toString('base64url'),
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
    const entry = { keyId: row.key_id, key: Buffer.from(row.secret, 'base64url') };
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

/** JSON with object keys sorted at every level: the same action always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
