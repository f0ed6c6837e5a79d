import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Insights corrections: product rollups carry refunded quantity and amount beside what was sold
 * (booked on the refund's local day, as the sales rollups do), and RFM is scored per currency
 * (a customer who buys in two currencies has a row in each). Both tables are derived: RFM is
 * recreated empty (the daily job refills it) and the rollup watermark is dropped, so the next
 * rollup run rebuilds every day with the new columns.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  for (const table of ['insights_product_daily', 'insights_product_monthly']) {
    await s
      .alterTable(table)
      .addColumn('refund_qty_milli', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await s
      .alterTable(table)
      .addColumn('refund_amount', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  }

  await s.dropTable('insights_rfm').execute();
  await s
    .createTable('insights_rfm')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('recency_days', 'integer', (c) => c.notNull())
    .addColumn('frequency', 'integer', (c) => c.notNull())
    .addColumn('monetary', 'bigint', (c) => c.notNull())
    .addColumn('r', 'integer', (c) => c.notNull())
    .addColumn('f', 'integer', (c) => c.notNull())
    .addColumn('m', 'integer', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('insights_rfm_pk', ['tenant_id', 'customer_id', 'currency'])
    .execute();
  await s.createIndex('insights_rfm_segment').on('insights_rfm').columns(['tenant_id', 'segment']).execute();

  await db.deleteFrom('insights_watermarks').where('name', '=', 'rollups').execute();
}
