import type { Deps } from '../../deps';
import { createMemoryFieldCipher, type FieldCipher } from '../../lib/field-cipher';
import { createConsumer, startConsumers } from '../events/consumer';
import { AML_CONSUMER, createAmlService } from './aml';
import { createCasesService } from './cases';
import { createPciCheck, transportFromEnv, type SecurityFacts, type TransportFacts } from './pci';
import { createPrivacyService, type PrivacySubjects } from './privacy';
import { createReportService } from './report';
import { createSanctionsService } from './sanctions/service';
import { defaultSettings, readSettings, writeSettings, type ComplianceSettings } from './settings';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';

export interface ComplianceOptions {
  /** personal data (screened names) goes through this; the security work provides the DB-backed one */
  cipher?: FieldCipher;
  /** facts for the PCI check from the auth/security modules, as they arrive */
  securityFacts?: SecurityFacts;
  /** the customers module, once it exists */
  privacySubjects?: PrivacySubjects | null;
  transport?: TransportFacts;
}

export function createComplianceService(deps: Deps, options: ComplianceOptions = {}) {
  const cipher = options.cipher ?? createMemoryFieldCipher();
  const aml = createAmlService(deps);
  const cases = createCasesService(deps);
  const reports = createReportService(deps, cases);
  const sanctions = createSanctionsService(deps, { cipher });
  const pci = createPciCheck(deps, options.securityFacts ?? {}, options.transport ?? transportFromEnv());
  const privacy = createPrivacyService(deps, { subjects: options.privacySubjects ?? null });
  const db = deps.database.db;

  return {
    aml,
    cases,
    reports,
    sanctions,
    pci,
    privacy,
    /** the AML outbox consumer (the server polls it; tests drain it) */
    amlConsumer: (opts: { owner?: string; batchSize?: number } = {}) =>
      createConsumer(deps, { name: AML_CONSUMER, handlers: aml.handlers }, opts),
    settings: (tenantId: string) => readSettings(db, tenantId),
    async saveSettings(
      ctx: AuthContext,
      patch: Partial<ComplianceSettings>,
    ): Promise<Result<ComplianceSettings>> {
      const current = await readSettings(db, ctx.tenantId);
      const next = { ...current, ...patch };
      if (!(next.screeningThreshold > 0 && next.screeningThreshold <= 1))
        return fail('validation_failed', 'screeningThreshold is between 0 and 1.');
      if (next.keyRotationDays < 1) return fail('validation_failed', 'keyRotationDays is at least 1.');
      const now = deps.clock.now().toISOString();
      await writeSettings(db, ctx.tenantId, next, now);
      await deps.database.batch([
        auditQuery(
          db,
          deps.ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'compliance.settings',
            entity: 'compliance_settings',
            entityId: ctx.tenantId,
            data: { before: current, after: next },
          },
          now,
        ),
      ]);
      return { ok: true, value: next };
    },
    defaultSettings,
  };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;

/**
 * Background work in the server process: the AML consumer every second; every hour, the
 * sanctions re-import of configured sources (when due), the daily PCI check per tenant and
 * the retention job. Several API nodes may all run this: the consumer is leased, imports skip
 * unchanged files, and retention deletes are idempotent.
 */
export function startComplianceJobs(deps: Deps, compliance: ComplianceService) {
  const consumers = startConsumers(deps, [compliance.amlConsumer()], 1000);
  const last = { reimport: 0, pci: new Map<string, number>(), retention: 0 };
  let busy = false;
  const hourly = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = deps.clock.now().getTime();
      const tenants = await deps.database.db.selectFrom('tenants').select('id').execute();
      let hours = defaultSettings.reimportHours;
      for (const t of tenants) hours = Math.min(hours, (await compliance.settings(t.id)).reimportHours);
      if (now - last.reimport >= hours * 3_600_000) {
        await compliance.sanctions.reimportConfigured();
        last.reimport = now;
      }
      for (const t of tenants) {
        if (now - (last.pci.get(t.id) ?? 0) >= 86_400_000) {
          await compliance.pci.run(t.id, 'scheduled');
          last.pci.set(t.id, now);
        }
      }
      if (now - last.retention >= 86_400_000) {
        await compliance.privacy.enforceRetention();
        last.retention = now;
      }
    } catch (e) {
      deps.log.error({ err: e }, 'compliance jobs failed');
    } finally {
      busy = false;
    }
  };
  const first = setTimeout(() => void hourly(), 30_000);
  const timer = setInterval(() => void hourly(), 3_600_000);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await consumers.stop();
    },
  };
}
