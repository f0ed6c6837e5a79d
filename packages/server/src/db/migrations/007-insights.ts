import type { CreateTableBuilder, Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Insights: rollups that the dashboards read (refreshed by a job, never at checkout), mined
 * association rules, RFM scores, items flagged low, and draft purchase orders.
 * Dates in rollups are the store's local calendar date (YYYY-MM-DD) and hour.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('insights_sales_hourly')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('register_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('orders', 'integer', (c) => c.notNull())
    .addColumn('items_milli', 'bigint', (c) => c.notNull())
    .addColumn('sales', 'bigint', (c) => c.notNull())
    .addColumn('tax', 'bigint', (c) => c.notNull())
    .addColumn('discounts', 'bigint', (c) => c.notNull())
    .addColumn('voids', 'integer', (c) => c.notNull())
    .addColumn('void_total', 'bigint', (c) => c.notNull())
    .addColumn('refunds', 'integer', (c) => c.notNull())
    .addColumn('refund_total', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_sales_hourly_pk', [
      'tenant_id',
      'store_id',
      'local_date',
      'hour',
      'register_id',
      'staff_id',
    ])
    .execute();

  // Coarser copies so that long ranges read few rows: one row per store-day, and per month
  // the hourly and product tables (the job rebuilds a month after rebuilding any of its days).
  const salesMeasures = (t: CreateTableBuilder<any, any>): CreateTableBuilder<any, any> =>
    t
      .addColumn('orders', 'integer', (c) => c.notNull())
      .addColumn('items_milli', 'bigint', (c) => c.notNull())
      .addColumn('sales', 'bigint', (c) => c.notNull())
      .addColumn('tax', 'bigint', (c) => c.notNull())
      .addColumn('discounts', 'bigint', (c) => c.notNull())
      .addColumn('voids', 'integer', (c) => c.notNull())
      .addColumn('void_total', 'bigint', (c) => c.notNull())
      .addColumn('refunds', 'integer', (c) => c.notNull())
      .addColumn('refund_total', 'bigint', (c) => c.notNull());
  await salesMeasures(
    s
      .createTable('insights_sales_daily')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('local_date', 'text', (c) => c.notNull()),
  )
    .addPrimaryKeyConstraint('insights_sales_daily_pk', ['tenant_id', 'store_id', 'local_date'])
    .execute();
  await salesMeasures(
    s
      .createTable('insights_sales_monthly')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('store_id', 'text', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('hour', 'integer', (c) => c.notNull())
      .addColumn('register_id', 'text', (c) => c.notNull())
      .addColumn('staff_id', 'text', (c) => c.notNull()),
  )
    .addPrimaryKeyConstraint('insights_sales_monthly_pk', [
      'tenant_id',
      'store_id',
      'month',
      'hour',
      'register_id',
      'staff_id',
    ])
    .execute();
  await s
    .createTable('insights_product_monthly')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('category_id', 'text')
    .addColumn('qty_milli', 'bigint', (c) => c.notNull())
    .addColumn('revenue', 'bigint', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_product_monthly_pk', ['tenant_id', 'store_id', 'month', 'variant_id'])
    .execute();

  await s
    .createTable('insights_product_daily')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('category_id', 'text')
    .addColumn('qty_milli', 'bigint', (c) => c.notNull())
    .addColumn('revenue', 'bigint', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_product_daily_pk', [
      'tenant_id',
      'store_id',
      'local_date',
      'variant_id',
    ])
    .execute();

  await s
    .createTable('insights_payment_daily')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('local_date', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payments', 'integer', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_payment_daily_pk', ['tenant_id', 'store_id', 'local_date', 'kind'])
    .execute();

  await s
    .createTable('insights_watermarks')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_watermarks_pk', ['tenant_id', 'name'])
    .execute();

  await s
    .createTable('insights_rules')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('rule_no', 'integer', (c) => c.notNull())
    .addColumn('lhs_key', 'text', (c) => c.notNull())
    .addColumn('rhs', 'text', (c) => c.notNull())
    .addColumn('support', 'double precision', (c) => c.notNull())
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('lift', 'double precision', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('mined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_rules_pk', ['tenant_id', 'rule_no'])
    .execute();
  await s.createIndex('insights_rules_lhs').on('insights_rules').columns(['tenant_id', 'lhs_key']).execute();

  await s
    .createTable('insights_rfm')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('recency_days', 'integer', (c) => c.notNull())
    .addColumn('frequency', 'integer', (c) => c.notNull())
    .addColumn('monetary', 'bigint', (c) => c.notNull())
    .addColumn('r', 'integer', (c) => c.notNull())
    .addColumn('f', 'integer', (c) => c.notNull())
    .addColumn('m', 'integer', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_rfm_pk', ['tenant_id', 'customer_id'])
    .execute();

  await s
    .createTable('insights_low_stock')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('flagged_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_low_stock_pk', ['tenant_id', 'store_id', 'variant_id'])
    .execute();

  await s
    .createTable('purchase_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('received_by', 'text')
    .addColumn('received_at', 'text')
    .execute();
  await s
    .createIndex('purchase_orders_store')
    .on('purchase_orders')
    .columns(['tenant_id', 'store_id', 'created_at'])
    .execute();
  await s
    .createTable('purchase_order_lines')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('purchase_order_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('quantity_milli', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('purchase_order_lines_pk', ['tenant_id', 'purchase_order_id', 'line_no'])
    .execute();

  // The refresh job finds what changed since its watermark.
  await s.createIndex('orders_updated').on('orders').columns(['tenant_id', 'updated_at']).execute();
  await s.createIndex('refunds_created').on('refunds').columns(['tenant_id', 'created_at']).execute();
  await s.createIndex('orders_customer').on('orders').columns(['tenant_id', 'customer_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
