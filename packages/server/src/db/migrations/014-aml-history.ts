import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * The AML consumer reads only the history a rule can look at (by customer, by card or wallet, the
 * cash sales in a structuring band, a store's facts when a refund is rated) instead of every fact
 * of the look-back window: indexes for each, and the instruments of a fact as rows of their own.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;
  await s
    .createTable('aml_fact_instruments')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('instrument', 'text', (c) => c.notNull())
    .addColumn('fact_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('aml_fact_instruments_pk', ['tenant_id', 'instrument', 'fact_id'])
    .execute();
  await s
    .createIndex('aml_fact_instruments_time')
    .on('aml_fact_instruments')
    .columns(['tenant_id', 'instrument', 'occurred_at'])
    .execute();
  await s
    .createIndex('aml_facts_customer')
    .on('aml_facts')
    .columns(['tenant_id', 'customer_id', 'occurred_at'])
    .execute();
  await s.createIndex('aml_facts_cash').on('aml_facts').columns(['tenant_id', 'currency', 'cash']).execute();
  await s
    .createIndex('aml_facts_store')
    .on('aml_facts')
    .columns(['tenant_id', 'store_id', 'occurred_at'])
    .execute();
  // facts recorded before this migration keep their instruments in `details`
  const rows = (await db
    .selectFrom('aml_facts')
    .select(['id', 'tenant_id', 'details', 'occurred_at'])
    .execute()) as {
    id: string;
    tenant_id: string;
    details: string;
    occurred_at: string;
  }[];
  const values = rows.flatMap((r) =>
    ((JSON.parse(r.details) as { instruments?: string[] }).instruments ?? []).map((instrument) => ({
      tenant_id: r.tenant_id,
      instrument,
      fact_id: r.id,
      occurred_at: r.occurred_at,
    })),
  );
  for (let i = 0; i < values.length; i += 500)
    await db
      .insertInto('aml_fact_instruments')
      .values(values.slice(i, i + 500))
      .execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
