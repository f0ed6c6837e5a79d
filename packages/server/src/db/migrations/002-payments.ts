import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Payments: stored value (gift cards and store credit) as accounts with an append-only ledger,
 * card authorizations with their pending reversals and offline forwards, and wallet payments.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;

  // The balance is a maintained projection of the entries; the CHECK makes an overspend fail
  // inside the very statement that would cause it, so two registers cannot both spend the last yuan.
  await s
    .createTable('stored_value_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('code_last4', 'text', (c) => c.notNull())
    .addColumn('pin_hash', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance', 'bigint', (c) => c.notNull().check(sql`balance >= 0`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('pin_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('stored_value_accounts_code')
    .on('stored_value_accounts')
    .columns(['tenant_id', 'code_hash'])
    .unique()
    .execute();
  await s
    .createIndex('stored_value_accounts_customer')
    .on('stored_value_accounts')
    .columns(['tenant_id', 'customer_id'])
    .execute();

  await s
    .createTable('stored_value_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('refund_id', 'text')
    .addColumn('staff_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('stored_value_entries_account')
    .on('stored_value_entries')
    .columns(['tenant_id', 'account_id'])
    .execute();

  // One row per authorization attempt. No PAN, track data, CVV or PIN block: a token, the
  // masked number, brand, entry mode, approval code and RRN only.
  await s
    .createTable('card_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('attempt_key', 'text', (c) => c.notNull())
    .addColumn('checkout_key', 'text')
    .addColumn('order_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('register_id', 'text')
    .addColumn('terminal_id', 'text')
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('approved_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stan', 'text')
    .addColumn('rrn', 'text')
    .addColumn('transmitted_at', 'text')
    .addColumn('auth_code', 'text')
    .addColumn('response_code', 'text')
    .addColumn('token', 'text')
    .addColumn('masked_pan', 'text')
    .addColumn('brand', 'text')
    .addColumn('entry_mode', 'text')
    .addColumn('offline', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('card_authorizations_attempt')
    .on('card_authorizations')
    .columns(['tenant_id', 'attempt_key'])
    .unique()
    .execute();
  await s
    .createIndex('card_authorizations_checkout')
    .on('card_authorizations')
    .columns(['tenant_id', 'checkout_key'])
    .execute();

  // Reversals still owed to the acquirer: retried by the poller until acknowledged, across restarts.
  await s
    .createTable('card_reversals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('authorization_id', 'text', (c) => c.notNull().unique())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_at', 'text', (c) => c.notNull())
    .addColumn('last_result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('card_reversals_due').on('card_reversals').columns(['status', 'next_at']).execute();

  await s
    .createTable('wallet_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text')
    .addColumn('qr', 'text')
    .addColumn('order_id', 'text')
    .addColumn('refunded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('wallet_payments_register')
    .on('wallet_payments')
    .columns(['tenant_id', 'register_id', 'status'])
    .execute();

  // Every callback seen (kept for the replay window and the security log).
  await s
    .createTable('wallet_callbacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('wallet_payment_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('wallet_callbacks_nonce')
    .on('wallet_callbacks')
    .columns(['provider', 'nonce'])
    .execute();
  // a nonce is accepted once, even when two deliveries race
  await s
    .createIndex('wallet_callbacks_accepted')
    .on('wallet_callbacks')
    .columns(['provider', 'nonce'])
    .unique()
    .where(sql.ref('outcome'), '=', 'accepted')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
