import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/** Customers, the loyalty points ledger, coupons, display campaigns, feedback and e-receipt links. */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;

  // Personal data is only ever stored encrypted (FieldCipher, one key per customer) plus blind
  // indexes for equality lookup; erasure shreds the key and nulls these columns, the row stays
  // as an anonymous id that old orders keep pointing at.
  await s
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('card_no', 'text')
    .addColumn('member_code', 'text')
    .addColumn('name_enc', 'text')
    .addColumn('phone_enc', 'text')
    .addColumn('email_enc', 'text')
    .addColumn('birthday_enc', 'text')
    .addColumn('phone_idx', 'text')
    .addColumn('email_idx', 'text')
    .addColumn('note', 'text')
    .addColumn('consent_marketing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consent_marketing_at', 'text')
    .addColumn('consent_marketing_source', 'text')
    .addColumn('consent_processing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('consent_processing_at', 'text')
    .addColumn('consent_processing_source', 'text')
    .addColumn('erased_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('customers_tenant').on('customers').columns(['tenant_id', 'id']).execute();
  await s.createIndex('customers_card').on('customers').columns(['tenant_id', 'card_no']).unique().execute();
  await s
    .createIndex('customers_member')
    .on('customers')
    .columns(['tenant_id', 'member_code'])
    .unique()
    .execute();
  await s
    .createIndex('customers_phone')
    .on('customers')
    .columns(['tenant_id', 'phone_idx'])
    .unique()
    .execute();
  await s
    .createIndex('customers_email')
    .on('customers')
    .columns(['tenant_id', 'email_idx'])
    .unique()
    .execute();
  await s
    .createIndex('customer_orders')
    .on('orders')
    .columns(['tenant_id', 'customer_id', 'created_at'])
    .execute();

  // One program per tenant (earn rate, category multipliers, tiers, expiry, offline allowance) as JSON.
  await s
    .createTable('loyalty_programs')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // The maintained projection of the ledger: balance = sum(points), lifetime = sum of earnings.
  await s
    .createTable('loyalty_accounts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('balance', 'integer', (c) => c.notNull())
    .addColumn('lifetime_earned', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('loyalty_accounts_pk', ['tenant_id', 'customer_id'])
    .execute();

  // Append-only. balance_after is read from the account inside the same transaction, after the
  // account was updated (row lock on PostgreSQL), so a redemption that would overdraw fails the
  // CHECK and rolls back the whole checkout. `allow_negative` marks facts that happened anyway:
  // a redemption the register honoured offline within its allowance, an expiry, taking back
  // points of a refunded sale that were already spent.
  await sql`create table loyalty_ledger (
    id text primary key,
    tenant_id text not null,
    customer_id text not null,
    kind text not null,
    points integer not null,
    balance_after integer not null,
    order_id text,
    refund_id text,
    store_id text,
    register_id text,
    offline integer not null default 0,
    allow_negative integer not null default 0,
    expires_at text,
    available_at text,
    lot_id text,
    note text,
    created_at text not null,
    constraint loyalty_ledger_no_overdraw check (points >= 0 or balance_after >= 0 or allow_negative = 1)
  )`.execute(db);
  await s
    .createIndex('loyalty_ledger_customer')
    .on('loyalty_ledger')
    .columns(['tenant_id', 'customer_id', 'id'])
    .execute();
  await s
    .createIndex('loyalty_ledger_order')
    .on('loyalty_ledger')
    .columns(['tenant_id', 'order_id'])
    .execute();

  await s
    .createTable('coupons')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('min_spend', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_uses', 'integer')
    .addColumn('per_customer_limit', 'integer')
    .addColumn('customer_id', 'text')
    .addColumn('segment', 'text')
    .addColumn('valid_from', 'text')
    .addColumn('valid_to', 'text')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('coupons_code').on('coupons').columns(['tenant_id', 'code']).unique().execute();
  await s.createIndex('coupons_batch').on('coupons').columns(['tenant_id', 'batch_id']).execute();

  // One row per use. use_no is the coupon's count of uses + 1 as read by the checkout: two
  // checkouts that read the same count collide on the unique index and exactly one commits.
  await s
    .createTable('coupon_redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('coupon_id', 'text', (c) => c.notNull())
    .addColumn('use_no', 'integer', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('customer_use_no', 'integer')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('coupon_redemptions_use')
    .on('coupon_redemptions')
    .columns(['tenant_id', 'coupon_id', 'use_no'])
    .unique()
    .execute();
  await s
    .createIndex('coupon_redemptions_customer')
    .on('coupon_redemptions')
    .columns(['tenant_id', 'coupon_id', 'customer_id', 'customer_use_no'])
    .unique()
    .execute();
  await s
    .createIndex('coupon_redemptions_order')
    .on('coupon_redemptions')
    .columns(['tenant_id', 'order_id'])
    .execute();

  await s
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('media_kind', 'text', (c) => c.notNull())
    .addColumn('media_url', 'text')
    .addColumn('text', 'text')
    .addColumn('text_zh', 'text')
    .addColumn('hint', 'text')
    .addColumn('hint_zh', 'text')
    .addColumn('variant_ids', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('daily_from', 'integer')
    .addColumn('daily_to', 'integer')
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('campaigns_tenant').on('campaigns').columns(['tenant_id', 'starts_at']).execute();

  await s
    .createTable('feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('nps', 'integer')
    .addColumn('comment', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // one answer per order, whichever surface gave it first
  await s.createIndex('feedback_order').on('feedback').columns(['tenant_id', 'order_id']).unique().execute();
  await s.createIndex('feedback_time').on('feedback').columns(['tenant_id', 'created_at']).execute();

  // The unguessable link printed (as a QR) on the receipt; the token alone opens the e-receipt.
  await s
    .createTable('receipt_links')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('receipt_links_order')
    .on('receipt_links')
    .columns(['tenant_id', 'order_id'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
