import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Step-up approvals (issue 5, second part).
 *
 * - `approval_keys`: the HMAC keys that sign approvals, one active version per tenant and the
 *   retired ones kept for verifying what they signed. `secret` is a keyring ciphertext (the key is
 *   encrypted under a subject key wrapped by the tenant's data key), never the key in clear. The
 *   clear `auth_keys` row of purpose `approval` is moved here (sealed) and deleted when the server
 *   starts, by the same step that encrypts the staff names still in clear (the keyring is needed
 *   for both, so neither can run inside this schema migration).
 * - `approval_pushes`: who was told about which pending approval, and through what.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('approval_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addPrimaryKeyConstraint('approval_keys_pk', ['tenant_id', 'key_id'])
    .addUniqueConstraint('approval_keys_version', ['tenant_id', 'version'])
    .execute();
  await s
    .createTable('approval_pushes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('approval_pushes_approval')
    .on('approval_pushes')
    .columns(['tenant_id', 'approval_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
