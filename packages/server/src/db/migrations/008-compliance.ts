import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed DB does not know yet */
type AnyDb = Kysely<any>;

/**
 * Compliance (issue 8): outbox consumers, AML facts/alerts/cases, sanctions lists and
 * screenings, PCI self-check reports, privacy requests and retention rules.
 */
export async function up(db: AnyDb): Promise<void> {
  const s = db.schema;

  // ---- outbox consumers: a lease per consumer and the events each one has processed
  await s
    .createTable('event_consumers')
    .addColumn('name', 'text', (c) => c.primaryKey())
    // every event created before this instant minus the safety window has been processed
    .addColumn('cursor_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('event_processed')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_processed_pk', ['consumer', 'event_id'])
    .execute();
  await s.createIndex('outbox_created').on('outbox').columns(['created_at']).execute();

  // ---- compliance settings per tenant (jurisdiction, thresholds, log files to scan)
  await s
    .createTable('compliance_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // ---- AML: rule sets (data), facts (the windows' state), alerts, cases
  await s
    .createTable('aml_rule_sets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('jurisdiction', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('aml_rule_sets_tenant')
    .on('aml_rule_sets')
    .columns(['tenant_id', 'jurisdiction'])
    .unique()
    .execute();
  await s
    .createTable('aml_facts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull())
    .addColumn('register_id', 'text')
    .addColumn('staff_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('cash', 'bigint', (c) => c.notNull())
    // JSON: tender kinds and references (card tokens, wallet ids), receipt link, original tenders
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('aml_facts_time').on('aml_facts').columns(['tenant_id', 'occurred_at']).execute();
  await s.createIndex('aml_facts_event').on('aml_facts').columns(['event_id']).execute();
  await s
    .createTable('aml_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // rule + subject + the event that tripped it: a replay computes the same key
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('aml_alerts_dedupe')
    .on('aml_alerts')
    .columns(['tenant_id', 'dedupe_key'])
    .unique()
    .execute();
  await s.createIndex('aml_alerts_case').on('aml_alerts').columns(['tenant_id', 'case_id']).execute();
  await s
    .createTable('compliance_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('state_reason', 'text')
    .addColumn('store_id', 'text')
    .addColumn('currency', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('compliance_cases_tenant')
    .on('compliance_cases')
    .columns(['tenant_id', 'state', 'id'])
    .execute();
  await s
    .createTable('case_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('case_notes_case').on('case_notes').columns(['tenant_id', 'case_id']).execute();
  await s
    .createTable('case_evidence')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('added_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_evidence_pk', ['tenant_id', 'case_id', 'kind', 'ref_id'])
    .execute();

  // ---- sanctions: list versions (public data, installation-wide) and per-tenant screenings
  await s
    .createTable('sanctions_list_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('published_on', 'text')
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('entry_count', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .execute();
  await s
    .createTable('sanctions_entries')
    .addColumn('version_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON: names, dobs, countries, programs, documents
    .addColumn('party', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sanctions_entries_pk', ['version_id', 'external_id'])
    .execute();
  await s
    .createTable('sanctions_screenings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    // the screened name, through FieldCipher (personal data)
    .addColumn('query_cipher', 'text', (c) => c.notNull())
    .addColumn('list_versions', 'text', (c) => c.notNull())
    .addColumn('threshold', 'real', (c) => c.notNull())
    .addColumn('top_score', 'real', (c) => c.notNull())
    .addColumn('matches', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('sanctions_screenings_tenant')
    .on('sanctions_screenings')
    .columns(['tenant_id', 'status', 'id'])
    .execute();

  // ---- PCI DSS self-check reports
  await s
    .createTable('pci_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('overall', 'text', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('pci_reports_tenant').on('pci_reports').columns(['tenant_id', 'id']).execute();

  // ---- privacy requests and retention rules
  await s
    .createTable('privacy_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('regime', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('state_reason', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s
    .createIndex('privacy_requests_tenant')
    .on('privacy_requests')
    .columns(['tenant_id', 'state', 'due_at'])
    .execute();
  await s
    .createTable('retention_rules')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('data_kind', 'text', (c) => c.notNull())
    .addColumn('keep_days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('retention_rules_pk', ['tenant_id', 'data_kind'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('OpenTill migrations are forward-only');
}
