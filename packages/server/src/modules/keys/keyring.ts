import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database';
import type { KeySubjectKeyTable, KeyTenantKeyTable } from '../../db/schema';
import type { FieldCipher } from '../../lib/field-cipher';
import type { Clock } from '../../lib/ids';
import { aesUnwrap, aesWrap, type KeyProvider } from './key-provider';

/**
 * The database-backed FieldCipher: master key (KeyProvider) → tenant keys → one key per subject.
 *
 * - A value is AES-256-GCM under its subject's key, with `tenant/subject` as associated data, so
 *   a ciphertext copied onto another subject or tenant does not decrypt.
 * - Subject keys are wrapped by the tenant's active `data` key. Rotating the tenant key re-wraps
 *   the subject keys; the values themselves are never re-encrypted, so old ciphertext stays
 *   readable.
 * - Tenant keys are wrapped by the master key; rotating the master re-wraps them.
 * - `shred` destroys the wrapped subject key: the ciphertext in the rows remains, unreadable.
 * - Blind indexes use the tenant's `index` key, which is re-wrapped on rotation but never
 *   replaced: a replaced index key would orphan every stored index.
 *
 * Unwrapped keys are cached in memory (bounded). A shred on another API node reaches this one's
 * cache after at most SUBJECT_CACHE_MS.
 */
export interface Keyring extends FieldCipher {
  /** Re-wraps under a fresh master key (when the provider can make one) and/or new tenant data keys. */
  rotate(options: { master?: boolean; tenantKeys?: boolean; tenantId?: string }): Promise<RotationReport>;
  /** Every key with its age and rotation period, for a compliance check (PCI DSS 3.6/3.7). */
  listKeys(tenantId?: string): Promise<KeyAge[]>;
  /** Forgets cached unwrapped keys (after a rotation elsewhere; tests). */
  clearCache(): void;
}

export interface RotationReport {
  masterKeyId: string;
  masterRotated: boolean;
  tenantKeysCreated: number;
  tenantKeysRewrapped: number;
  subjectKeysRewrapped: number;
}

export interface KeyAge {
  keyId: string;
  kind: 'master' | 'tenant_data' | 'tenant_index';
  tenantId: string | null;
  status: 'active' | 'retired';
  createdAt: string | null;
  /** when the key was last re-wrapped (tenant keys) */
  rewrappedAt: string | null;
  rotationPeriodDays: number;
  ageDays: number | null;
  /** the cryptoperiod has passed and the key is still in use */
  rotationDue: boolean;
}

/** Cryptoperiods (PCI DSS 3.6.4 / NIST SP 800-57): a year for data keys and the master key. */
export const ROTATION_DAYS = { master: 365, tenant_data: 365, tenant_index: 365 * 2 } as const;
const SUBJECT_CACHE_MS = 60_000;
const CACHE_LIMIT = 20_000;

const b64 = (b: Buffer) => b.toString('base64url');
const newKeyId = (prefix: string) => `${prefix}_${b64(randomBytes(9))}`;

export function createKeyring(database: Database, provider: KeyProvider, clock: Clock): Keyring {
  const db = database.db;
  const tenantKeys = new Map<string, Buffer>(); // key_id → key
  const activeData = new Map<string, { keyId: string; key: Buffer }>(); // tenant → active data key
  const indexKeys = new Map<string, Buffer>(); // tenant → index key
  const subjects = new Map<string, { keyId: string; key: Buffer | null; until: number }>();

  const ctxTenantKey = (row: Pick<KeyTenantKeyTable, 'tenant_id' | 'key_id' | 'purpose'>) =>
    `tenant-key/${row.tenant_id}/${row.purpose}/${row.key_id}`;
  const ctxSubjectKey = (tenantId: string, subjectId: string, keyId: string) =>
    `subject-key/${tenantId}/${subjectId}/${keyId}`;

  async function unwrapTenantKey(row: KeyTenantKeyTable): Promise<Buffer> {
    const hit = tenantKeys.get(row.key_id);
    if (hit) return hit;
    const key = await provider.unwrap(row.master_key_id, row.wrapped, ctxTenantKey(row));
    tenantKeys.set(row.key_id, key);
    return key;
  }

  /** The tenant's active key of a purpose, made on first use (two nodes racing agree on one). */
  async function activeTenantKey(tenantId: string, purpose: 'data' | 'index') {
    const find = () =>
      db
        .selectFrom('key_tenant_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('purpose', '=', purpose)
        .where('status', '=', 'active')
        .orderBy('version', 'desc')
        .executeTakeFirst();
    let row = await find();
    if (!row) {
      const keyId = newKeyId(purpose === 'data' ? 'tdk' : 'tik');
      const key = randomBytes(32);
      const wrapped = await provider.wrap(key, ctxTenantKey({ tenant_id: tenantId, key_id: keyId, purpose }));
      await db
        .insertInto('key_tenant_keys')
        .values({
          key_id: keyId,
          tenant_id: tenantId,
          purpose,
          version: 1,
          master_key_id: wrapped.masterKeyId,
          wrapped: wrapped.wrapped,
          status: 'active',
          created_at: clock.now().toISOString(),
          rewrapped_at: null,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'purpose', 'version']).doNothing())
        .execute();
      row = await find();
      if (!row) throw new Error(`tenant ${purpose} key for ${tenantId} could not be created`);
    }
    return { keyId: row.key_id, key: await unwrapTenantKey(row) };
  }

  async function dataKey(tenantId: string) {
    let k = activeData.get(tenantId);
    if (!k) {
      k = await activeTenantKey(tenantId, 'data');
      activeData.set(tenantId, k);
    }
    return k;
  }

  async function tenantKeyById(tenantId: string, keyId: string): Promise<Buffer> {
    const hit = tenantKeys.get(keyId);
    if (hit) return hit;
    const row = await db
      .selectFrom('key_tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    if (!row) throw new Error(`tenant key ${keyId} is missing`);
    return unwrapTenantKey(row);
  }

  async function unwrapSubject(row: KeySubjectKeyTable): Promise<Buffer | null> {
    if (row.wrapped === null || row.tenant_key_id === null) return null;
    const tk = await tenantKeyById(row.tenant_id, row.tenant_key_id);
    return aesUnwrap(tk, row.wrapped, ctxSubjectKey(row.tenant_id, row.subject_id, row.key_id));
  }

  function remember(k: string, value: { keyId: string; key: Buffer | null }) {
    if (subjects.size >= CACHE_LIMIT) subjects.clear();
    subjects.set(k, { ...value, until: Date.now() + SUBJECT_CACHE_MS });
  }

  /** The subject's key: cached, stored, or (when `create`) made now. Null once shredded. */
  async function subjectKey(tenantId: string, subjectId: string, create: boolean) {
    const k = `${tenantId}\u0000${subjectId}`;
    const hit = subjects.get(k);
    if (hit && hit.until > Date.now()) return hit;
    const find = () =>
      db
        .selectFrom('key_subject_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('subject_id', '=', subjectId)
        .executeTakeFirst();
    let row = await find();
    if (!row && create) {
      const tk = await dataKey(tenantId);
      const keyId = newKeyId('sk');
      const key = randomBytes(32);
      await db
        .insertInto('key_subject_keys')
        .values({
          tenant_id: tenantId,
          subject_id: subjectId,
          key_id: keyId,
          tenant_key_id: tk.keyId,
          wrapped: aesWrap(tk.key, key, ctxSubjectKey(tenantId, subjectId, keyId)),
          created_at: clock.now().toISOString(),
          shredded_at: null,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'subject_id']).doNothing())
        .execute();
      row = await find();
    }
    if (!row) return null;
    const value = { keyId: row.key_id, key: await unwrapSubject(row) };
    remember(k, value);
    return value;
  }

  async function rewrapTenantKeys(tenantIds: string[] | null): Promise<number> {
    let q = db.selectFrom('key_tenant_keys').selectAll();
    if (tenantIds) q = q.where('tenant_id', 'in', tenantIds);
    const current = provider.currentKeyId();
    let n = 0;
    for (const row of await q.execute()) {
      if (row.master_key_id === current) continue;
      const key = await unwrapTenantKey(row);
      const wrapped = await provider.wrap(key, ctxTenantKey(row));
      await db
        .updateTable('key_tenant_keys')
        .set({
          master_key_id: wrapped.masterKeyId,
          wrapped: wrapped.wrapped,
          rewrapped_at: clock.now().toISOString(),
        })
        .where('key_id', '=', row.key_id)
        .where('master_key_id', '=', row.master_key_id)
        .execute();
      n += 1;
    }
    return n;
  }

  /** A new data key version for the tenant; its subject keys move under it in one transaction. */
  async function rotateTenantDataKey(tenantId: string): Promise<number> {
    // unwrap every key of the tenant first: on SQLite nothing else may query inside the transaction
    for (const row of await db
      .selectFrom('key_tenant_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .execute())
      await unwrapTenantKey(row);
    const newId = newKeyId('tdk');
    const key = randomBytes(32);
    const wrapped = await provider.wrap(
      key,
      ctxTenantKey({ tenant_id: tenantId, key_id: newId, purpose: 'data' }),
    );
    const now = clock.now().toISOString();
    let moved = 0;
    await db.transaction().execute(async (tx) => {
      const top = await tx
        .selectFrom('key_tenant_keys')
        .select(sql<number>`max(version)`.as('v'))
        .where('tenant_id', '=', tenantId)
        .where('purpose', '=', 'data')
        .executeTakeFirst();
      await tx
        .updateTable('key_tenant_keys')
        .set({ status: 'retired' })
        .where('tenant_id', '=', tenantId)
        .where('purpose', '=', 'data')
        .where('status', '=', 'active')
        .execute();
      await tx
        .insertInto('key_tenant_keys')
        .values({
          key_id: newId,
          tenant_id: tenantId,
          purpose: 'data',
          version: Number(top?.v ?? 0) + 1,
          master_key_id: wrapped.masterKeyId,
          wrapped: wrapped.wrapped,
          status: 'active',
          created_at: now,
          rewrapped_at: null,
        })
        .execute();
      const rows = await tx
        .selectFrom('key_subject_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('wrapped', 'is not', null)
        .execute();
      for (const row of rows) {
        const subject = await unwrapSubject(row);
        if (!subject) continue;
        await tx
          .updateTable('key_subject_keys')
          .set({
            tenant_key_id: newId,
            wrapped: aesWrap(key, subject, ctxSubjectKey(tenantId, row.subject_id, row.key_id)),
          })
          .where('tenant_id', '=', tenantId)
          .where('subject_id', '=', row.subject_id)
          .execute();
        moved += 1;
      }
    });
    tenantKeys.set(newId, key);
    activeData.set(tenantId, { keyId: newId, key });
    return moved;
  }

  return {
    async encrypt(tenantId, subjectId, plaintext) {
      const entry = await subjectKey(tenantId, subjectId, true);
      if (!entry?.key) throw new Error('the subject was erased: its key is destroyed');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', entry.key, iv);
      cipher.setAAD(Buffer.from(`${tenantId}/${subjectId}`));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1.${entry.keyId}.${b64(iv)}.${b64(body)}`;
    },

    async decrypt(tenantId, subjectId, ciphertext) {
      const [version, keyId, iv, body] = ciphertext.split('.');
      if (version !== 'v1' || !keyId || !iv || !body) throw new Error('not a v1 field ciphertext');
      const entry = await subjectKey(tenantId, subjectId, false);
      // another subject's value, or a shredded subject: nothing to read
      if (!entry?.key || entry.keyId !== keyId) return null;
      const raw = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${tenantId}/${subjectId}`));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString(
        'utf8',
      );
    },

    async blindIndex(tenantId, kind, value) {
      let key = indexKeys.get(tenantId);
      if (!key) {
        key = (await activeTenantKey(tenantId, 'index')).key;
        indexKeys.set(tenantId, key);
      }
      return b64(createHmac('sha256', key).update(`${kind}\u0000${value}`).digest());
    },

    async shred(tenantId, subjectId) {
      const now = clock.now().toISOString();
      // a tombstone even for a subject that never had a key, so nothing can be encrypted for it later
      await db
        .insertInto('key_subject_keys')
        .values({
          tenant_id: tenantId,
          subject_id: subjectId,
          key_id: newKeyId('sk'),
          tenant_key_id: null,
          wrapped: null,
          created_at: now,
          shredded_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'subject_id'])
            .doUpdateSet({ wrapped: null, tenant_key_id: null, shredded_at: now }),
        )
        .execute();
      subjects.delete(`${tenantId}\u0000${subjectId}`);
    },

    async rotate(options) {
      const tenantFilter = options.tenantId ? [options.tenantId] : null;
      let masterRotated = false;
      if (options.master) {
        if (!provider.rotate) {
          throw new Error(
            'this master key source cannot make a new key: add the new key to OPENTILL_MASTER_KEY (newest last) and run keys rotate again',
          );
        }
        await provider.rotate();
        masterRotated = true;
      }
      let tenantKeysCreated = 0;
      let subjectKeysRewrapped = 0;
      if (options.tenantKeys) {
        // tenants that hold keys; a tenant without any gets its first key on first use
        const tenants =
          tenantFilter ??
          (await db.selectFrom('key_tenant_keys').select('tenant_id').distinct().execute()).map(
            (t) => t.tenant_id,
          );
        for (const t of tenants) {
          subjectKeysRewrapped += await rotateTenantDataKey(t);
          tenantKeysCreated += 1;
        }
      }
      // every tenant key (old versions too) ends up under the current master key
      const tenantKeysRewrapped = await rewrapTenantKeys(tenantFilter);
      return {
        masterKeyId: provider.currentKeyId(),
        masterRotated,
        tenantKeysCreated,
        tenantKeysRewrapped,
        subjectKeysRewrapped,
      };
    },

    async listKeys(tenantId) {
      const nowMs = clock.now().getTime();
      const age = (at: string | null) => (at ? Math.floor((nowMs - Date.parse(at)) / 86_400_000) : null);
      const current = provider.currentKeyId();
      const out: KeyAge[] = provider.keys().map((k) => ({
        keyId: k.keyId,
        kind: 'master',
        tenantId: null,
        status: k.keyId === current ? 'active' : 'retired',
        createdAt: k.createdAt,
        rewrappedAt: null,
        rotationPeriodDays: ROTATION_DAYS.master,
        ageDays: age(k.createdAt),
        rotationDue: k.keyId === current && (age(k.createdAt) ?? 0) > ROTATION_DAYS.master,
      }));
      let q = db
        .selectFrom('key_tenant_keys')
        .selectAll()
        .orderBy('tenant_id')
        .orderBy('purpose')
        .orderBy('version');
      if (tenantId) q = q.where('tenant_id', '=', tenantId);
      for (const row of await q.execute()) {
        const kind = row.purpose === 'data' ? 'tenant_data' : 'tenant_index';
        const days = age(row.created_at);
        out.push({
          keyId: row.key_id,
          kind,
          tenantId: row.tenant_id,
          status: row.status,
          createdAt: row.created_at,
          rewrappedAt: row.rewrapped_at,
          rotationPeriodDays: ROTATION_DAYS[kind],
          ageDays: days,
          rotationDue: row.status === 'active' && (days ?? 0) > ROTATION_DAYS[kind],
        });
      }
      return out;
    },

    clearCache() {
      tenantKeys.clear();
      activeData.clear();
      indexKeys.clear();
      subjects.clear();
    },
  };
}
