import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * The keyring (modules/keys) and the audit hash chain (modules/audit).
 *
 * Keys: master key (outside the database) → tenant keys (`key_tenant_keys`, wrapped by the
 * master key; `data` keys wrap subject keys and rotate, the `index` key makes blind indexes and
 * only gets re-wrapped) → one key per data subject (`key_subject_keys`, wrapped by a tenant data
 * key; erasing the subject nulls `wrapped`).
 *
 * Audit: rows are inserted unsealed (seq, prev_hash, hash null) inside the callers' own
 * transactions; the sealer later gives them their place in the per-tenant chain, whose last link
 * is kept in `audit_chain_heads` so that cutting entries off the end shows too.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('key_tenant_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rewrapped_at', 'text')
    .addUniqueConstraint('key_tenant_keys_version', ['tenant_id', 'purpose', 'version'])
    .execute();

  await s
    .createTable('key_subject_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('tenant_key_id', 'text')
    .addColumn('wrapped', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('shredded_at', 'text')
    .addPrimaryKeyConstraint('key_subject_keys_pk', ['tenant_id', 'subject_id'])
    .execute();
  await s
    .createIndex('key_subject_keys_wrapping')
    .on('key_subject_keys')
    .columns(['tenant_id', 'tenant_key_id'])
    .execute();

  await s.alterTable('audit_log').addColumn('seq', 'bigint').execute();
  await s.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
  await s.alterTable('audit_log').addColumn('hash', 'text').execute();
  await s.createIndex('audit_log_chain').on('audit_log').columns(['tenant_id', 'seq']).unique().execute();
  // the sealer's work list stays small: only rows still waiting for their place in the chain
  await s
    .createIndex('audit_log_unsealed')
    .on('audit_log')
    .columns(['tenant_id', 'created_at', 'id'])
    .where(sql.ref('hash'), 'is', null)
    .execute();
  await s.createIndex('audit_log_filter').on('audit_log').columns(['tenant_id', 'created_at']).execute();

  await s
    .createTable('audit_chain_heads')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('sealed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('audit_chain_heads').execute();
  await db.schema.dropIndex('audit_log_filter').execute();
  await db.schema.dropIndex('audit_log_unsealed').execute();
  await db.schema.dropIndex('audit_log_chain').execute();
  await db.schema.alterTable('audit_log').dropColumn('hash').execute();
  await db.schema.alterTable('audit_log').dropColumn('prev_hash').execute();
  await db.schema.alterTable('audit_log').dropColumn('seq').execute();
  await db.schema.dropTable('key_subject_keys').execute();
  await db.schema.dropTable('key_tenant_keys').execute();
}
