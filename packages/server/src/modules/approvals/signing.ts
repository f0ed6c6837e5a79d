import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database';
import type { FieldCipher } from '../../lib/field-cipher';
import type { Clock } from '../../lib/ids';

/**
 * The HMAC-SHA256 keys that sign approvals. Each is stored as a keyring ciphertext (AES-256-GCM
 * under a subject key that the tenant's data key wraps, itself wrapped by the master key), so the
 * database never holds a signing key in clear. Rotation makes a new active version and retires
 * the old one, which keeps verifying what it signed: an approval given just before a rotation is
 * still usable until it expires.
 */
export const SIGNING_SUBJECT = 'sys_approval_signing';

const b64 = (b: Buffer) => b.toString('base64url');
const ACTIVE_CACHE_MS = 60_000;

export function createApprovalSigner(database: Database, cipher: FieldCipher, clock: Clock) {
  const db = () => database.db;
  /** tenant/key_id → key; the active key id per tenant */
  const keys = new Map<string, Buffer>();
  const active = new Map<string, { keyId: string; until: number }>();

  async function open(tenantId: string, keyId: string, secret: string): Promise<Buffer> {
    const hit = keys.get(`${tenantId}/${keyId}`);
    if (hit) return hit;
    const clear = await cipher.decrypt(tenantId, SIGNING_SUBJECT, secret);
    if (clear === null) throw new Error(`approval signing key ${keyId} cannot be unwrapped`);
    const key = Buffer.from(clear, 'base64url');
    keys.set(`${tenantId}/${keyId}`, key);
    return key;
  }

  async function insertKey(
    tenantId: string,
    version: number,
    key: Buffer,
    keyId = `ak_${b64(randomBytes(9))}`,
  ) {
    await db()
      .insertInto('approval_keys')
      .values({
        tenant_id: tenantId,
        key_id: keyId,
        version,
        secret: await cipher.encrypt(tenantId, SIGNING_SUBJECT, b64(key)),
        status: 'active',
        created_at: clock.now().toISOString(),
        retired_at: null,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'version']).doNothing())
      .execute();
    return keyId;
  }

  async function activeKey(tenantId: string): Promise<{ keyId: string; key: Buffer }> {
    // a rotation on another node (or by the CLI) is picked up within ACTIVE_CACHE_MS
    const cached = active.get(tenantId);
    if (cached && cached.until > Date.now()) {
      const key = keys.get(`${tenantId}/${cached.keyId}`);
      if (key) return { keyId: cached.keyId, key };
    }
    const find = () =>
      db()
        .selectFrom('approval_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'active')
        .orderBy('version', 'desc')
        .executeTakeFirst();
    let row = await find();
    if (!row) {
      // first use: two nodes may race; the unique version lets one win and both read it back
      await insertKey(tenantId, 1, randomBytes(32));
      row = await find();
      if (!row) throw new Error(`approval signing key for ${tenantId} could not be created`);
    }
    const key = await open(tenantId, row.key_id, row.secret);
    active.set(tenantId, { keyId: row.key_id, until: Date.now() + ACTIVE_CACHE_MS });
    return { keyId: row.key_id, key };
  }

  async function keyById(tenantId: string, keyId: string): Promise<Buffer | null> {
    const hit = keys.get(`${tenantId}/${keyId}`);
    if (hit) return hit;
    const row = await db()
      .selectFrom('approval_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    return row ? open(tenantId, row.key_id, row.secret) : null;
  }

  return {
    async sign(tenantId: string, message: string): Promise<{ keyId: string; signature: string }> {
      const { keyId, key } = await activeKey(tenantId);
      return { keyId, signature: b64(createHmac('sha256', key).update(message).digest()) };
    },

    /** True when `signature` was made over `message` by the tenant's key `keyId` (active or retired). */
    async verify(tenantId: string, keyId: string, message: string, signature: string): Promise<boolean> {
      const key = await keyById(tenantId, keyId);
      if (!key) return false;
      const expected = createHmac('sha256', key).update(message).digest();
      const given = Buffer.from(signature, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    /** A new active signing key for each tenant given (or every tenant that has one); returns how many. */
    async rotate(tenantId?: string): Promise<number> {
      let q = db().selectFrom('approval_keys').select('tenant_id').distinct();
      if (tenantId) q = q.where('tenant_id', '=', tenantId);
      const tenants = (await q.execute()).map((r) => r.tenant_id);
      if (tenantId && !tenants.includes(tenantId)) tenants.push(tenantId);
      for (const t of tenants) {
        const top = await db()
          .selectFrom('approval_keys')
          .select(sql<number>`max(version)`.as('v'))
          .where('tenant_id', '=', t)
          .executeTakeFirst();
        const now = clock.now().toISOString();
        await db()
          .updateTable('approval_keys')
          .set({ status: 'retired', retired_at: now })
          .where('tenant_id', '=', t)
          .where('status', '=', 'active')
          .execute();
        await insertKey(t, Number(top?.v ?? 0) + 1, randomBytes(32));
        active.delete(t);
      }
      return tenants.length;
    },

    /**
     * Moves signing keys written in clear by earlier versions (`auth_keys`, purpose `approval`)
     * into `approval_keys`, sealed and retired, so approvals they signed still verify; then deletes
     * the clear rows. Idempotent; returns how many it moved.
     */
    async sealLegacyKeys(): Promise<number> {
      const rows = await db().selectFrom('auth_keys').selectAll().where('purpose', '=', 'approval').execute();
      for (const row of rows) {
        const existing = await db()
          .selectFrom('approval_keys')
          .select(sql<number>`max(version)`.as('v'))
          .where('tenant_id', '=', row.tenant_id)
          .executeTakeFirst();
        const version = Number(existing?.v ?? 0) + 1;
        await db()
          .insertInto('approval_keys')
          .values({
            tenant_id: row.tenant_id,
            key_id: row.key_id,
            version,
            secret: await cipher.encrypt(row.tenant_id, SIGNING_SUBJECT, row.secret),
            // a fresh active key is made on next use; this one only verifies
            status: 'retired',
            created_at: row.created_at,
            retired_at: clock.now().toISOString(),
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'key_id']).doNothing())
          .execute();
        await db()
          .deleteFrom('auth_keys')
          .where('tenant_id', '=', row.tenant_id)
          .where('purpose', '=', 'approval')
          .execute();
      }
      return rows.length;
    },

    clearCache() {
      keys.clear();
      active.clear();
    },
  };
}

export type ApprovalSigner = ReturnType<typeof createApprovalSigner>;
