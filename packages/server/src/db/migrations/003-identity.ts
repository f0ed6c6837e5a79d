import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Identity: lockout counters on staff, sign-in sessions with refresh tokens and idle time, second
 * factors (TOTP, SMS, passkeys), recovery codes, one-time challenges, scoped API keys, and
 * step-up approvals with their per-tenant policy.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .alterTable('staff')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s.alterTable('staff').addColumn('locked_until', 'text').execute();
  // access tokens (the `sessions` rows) belong to one sign-in session
  await s.alterTable('sessions').addColumn('auth_session_id', 'text').execute();

  await s
    .createTable('auth_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    // 'full' | 'mfa' (second factor pending) | 'enrol' (must enrol a second factor first)
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('refresh_hash', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await s.createIndex('auth_sessions_staff').on('auth_sessions').columns(['tenant_id', 'staff_id']).execute();
  await s.createIndex('auth_sessions_refresh').on('auth_sessions').columns(['refresh_hash']).execute();

  await s
    .createTable('mfa_factors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    // TOTP seed or phone number, sealed (AES-256-GCM) — never stored readable
    .addColumn('secret', 'text')
    .addColumn('last_step', 'bigint')
    .addColumn('credential_id', 'text')
    .addColumn('public_key', 'text')
    .addColumn('counter', 'bigint')
    .addColumn('transports', 'text')
    .addColumn('backed_up', 'integer')
    .addColumn('device_type', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await s.createIndex('mfa_factors_staff').on('mfa_factors').columns(['tenant_id', 'staff_id']).execute();
  await s
    .createIndex('mfa_factors_credential')
    .on('mfa_factors')
    .columns(['credential_id'])
    .unique()
    .execute();

  await s
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await s
    .createIndex('recovery_codes_staff')
    .on('recovery_codes')
    .columns(['tenant_id', 'staff_id'])
    .execute();

  await s
    .createTable('auth_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text')
    .addColumn('staff_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await s
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await s
    .createTable('approval_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('auth_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // 'seal' (AES-256-GCM for factor secrets) | 'approval' (HMAC-SHA256 over approved actions)
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('auth_keys_pk', ['tenant_id', 'purpose'])
    .execute();

  await s
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('method', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('signature', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .execute();
  await s.createIndex('approvals_tenant_status').on('approvals').columns(['tenant_id', 'status']).execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
