import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';

/** What a tenant configures for compliance (stored as JSON in `compliance_settings`). */
export interface ComplianceSettings {
  /** sanctions: a name scoring at or above this (0..1) holds the party for review */
  screeningThreshold: number;
  /** sales at or above this amount (minor units, per currency) screen their named party */
  saleScreeningAmount: Record<string, number>;
  /** sanctions list sources for the scheduled re-import: a directory/base URL (OFAC) or a file/URL (UN) */
  listSources: { ofac_sdn?: string; un_consolidated?: string };
  reimportHours: number;
  /** log files the PCI check scans for card numbers */
  pciLogFiles: string[];
  /** PCI 3.7.x: rotation period of data keys, days */
  keyRotationDays: number;
  /** register/terminal software versions still supported (8.x: the check fails on others) */
  supportedRegisterVersions: string[];
  /** privacy: which regime sets request due dates by default */
  privacyRegime: 'gdpr' | 'pipl';
}

export const defaultSettings: ComplianceSettings = {
  screeningThreshold: 0.85,
  saleScreeningAmount: { CNY: 5_000_000, USD: 300_000, EUR: 300_000 },
  listSources: {},
  reimportHours: 24,
  pciLogFiles: [],
  keyRotationDays: 365,
  supportedRegisterVersions: [],
  privacyRegime: 'pipl',
};

export async function readSettings(db: Kysely<DB>, tenantId: string): Promise<ComplianceSettings> {
  const row = await db
    .selectFrom('compliance_settings')
    .select('settings')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row
    ? { ...defaultSettings, ...(JSON.parse(row.settings) as Partial<ComplianceSettings>) }
    : defaultSettings;
}

export async function writeSettings(
  db: Kysely<DB>,
  tenantId: string,
  settings: ComplianceSettings,
  now: string,
): Promise<void> {
  const text = JSON.stringify(settings);
  await db
    .insertInto('compliance_settings')
    .values({ tenant_id: tenantId, settings: text, updated_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: text, updated_at: now }))
    .execute();
}
