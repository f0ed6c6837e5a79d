import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Device credentials (issues 4 and 5): registers, customer displays, payment terminals and
 * kiosks each hold their own secret. A device is registered in the back office, gets a
 * single-use pairing code, trades it for a long-lived credential (kept hashed), and trades the
 * credential for short device tokens.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    // sha256 of the credential's secret; null until the device has paired
    .addColumn('secret_hash', 'text')
    .addColumn('paired_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await s.createIndex('devices_tenant').on('devices').columns(['tenant_id', 'created_at']).execute();
  await s.createIndex('devices_register').on('devices').columns(['tenant_id', 'register_id']).execute();

  await s
    .createTable('device_pairings')
    // sha256 of the code: codes are unique across tenants while they live
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await s
    .createIndex('device_pairings_device')
    .on('device_pairings')
    .columns(['tenant_id', 'device_id'])
    .execute();

  await s
    .createTable('device_tokens')
    // sha256 of the token
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('device_tokens_device')
    .on('device_tokens')
    .columns(['tenant_id', 'device_id'])
    .execute();
}
