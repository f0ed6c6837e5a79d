import type { Kysely } from 'kysely';
import { transition, type Transitions } from '@opentill/core';
import type { DB, PrivacyRequestTable } from '../../db/schema';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';

/**
 * Data-subject requests (GDPR Arts. 15–17, 21; PIPL Arts. 44–47) and retention rules.
 *
 * The module that holds a subject's data implements `PrivacySubjects` (the customers module
 * will); this module tracks the request, its due date and states, runs the action through that
 * interface and audits every step. Due dates: GDPR one month from receipt (Art. 12(3)); PIPL
 * says "without undue delay" (Art. 50) and we choose 15 days.
 */
export interface PrivacySubjects {
  /** everything held about the subject (profile, consents, loyalty, receipts), or null if unknown */
  export(tenantId: string, subjectId: string): Promise<unknown | null>;
  /** erases what may be erased; what law keeps (tax, AML) is pseudonymised instead */
  erase(tenantId: string, subjectId: string): Promise<{ erased: string[]; pseudonymised: string[] } | null>;
  correct(
    tenantId: string,
    subjectId: string,
    changes: Record<string, string>,
  ): Promise<{ changed: string[] } | null>;
  /** stops all marketing to the subject (an objection to direct marketing is absolute) */
  withdrawConsent(
    tenantId: string,
    subjectId: string,
    purposes: string[],
  ): Promise<{ withdrawn: string[] } | null>;
}

export type RequestKind = PrivacyRequestTable['kind'];
export type RequestState = PrivacyRequestTable['state'];
export type Regime = PrivacyRequestTable['regime'];

export const requestTransitions: Transitions<RequestState> = {
  received: ['in_progress', 'rejected'],
  in_progress: ['completed', 'rejected'],
  completed: [],
  rejected: [],
};

export const PIPL_DUE_DAYS = 15;

/** GDPR: the same day next month (clamped to the month's end); PIPL: 15 days. */
export function dueDate(receivedAt: string, regime: Regime): string {
  const d = new Date(receivedAt);
  if (regime === 'pipl') return new Date(d.getTime() + PIPL_DUE_DAYS * 86_400_000).toISOString();
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const due = new Date(d);
  due.setUTCDate(1);
  due.setUTCMonth(m);
  due.setUTCDate(Math.min(d.getUTCDate(), last));
  return due.toISOString();
}

/** Data kinds the retention job knows, with the shortest period it accepts (legal floors). */
export const retentionKinds = {
  sessions: { minDays: 1, what: 'expired sign-in sessions' },
  idempotency_keys: { minDays: 1, what: 'stored answers to retried requests' },
  outbox: { minDays: 7, what: 'published outbox events' },
  event_processed: { minDays: 7, what: "outbox consumers' processed-event records" },
  sanctions_screenings: { minDays: 1825, what: 'sanctions screenings (AML record keeping: 5 years)' },
  pci_reports: { minDays: 365, what: 'PCI self-check reports' },
  privacy_requests: { minDays: 1095, what: 'closed privacy requests' },
} as const;
export type RetentionKind = keyof typeof retentionKinds;

export interface PrivacyRequestView {
  id: string;
  kind: RequestKind;
  subjectId: string;
  regime: Regime;
  state: RequestState;
  details: Record<string, unknown>;
  result: unknown;
  stateReason: string | null;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  completedAt: string | null;
  createdBy: string | null;
}

export function createPrivacyService(deps: Deps, options: { subjects: PrivacySubjects | null }) {
  const { database, clock, ids } = deps;
  const db = database.db;

  const view = (r: PrivacyRequestTable): PrivacyRequestView => ({
    id: r.id,
    kind: r.kind,
    subjectId: r.subject_id,
    regime: r.regime,
    state: r.state,
    details: JSON.parse(r.details) as Record<string, unknown>,
    result: r.result ? (JSON.parse(r.result) as unknown) : null,
    stateReason: r.state_reason,
    receivedAt: r.received_at,
    dueAt: r.due_at,
    overdue: r.state !== 'completed' && r.state !== 'rejected' && r.due_at < clock.now().toISOString(),
    completedAt: r.completed_at,
    createdBy: r.created_by,
  });

  const load = (trx: Kysely<DB>, tenantId: string, id: string) =>
    trx
      .selectFrom('privacy_requests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();

  async function move(
    ctx: AuthContext,
    id: string,
    to: RequestState,
    patch: { result?: unknown; reason?: string | null },
  ): Promise<Result<PrivacyRequestView>> {
    const now = clock.now().toISOString();
    const row = await load(db, ctx.tenantId, id);
    if (!row) return fail('unknown_privacy_request', `No privacy request ${id}.`);
    const moved = transition(requestTransitions, row.state, to);
    if (!moved.ok)
      return fail('illegal_transition', `A ${row.state} request cannot become ${to}.`, moved.error.details);
    await database.batch([
      db
        .updateTable('privacy_requests')
        .set({
          state: to,
          updated_at: now,
          ...(patch.result !== undefined ? { result: JSON.stringify(patch.result) } : {}),
          ...(patch.reason !== undefined ? { state_reason: patch.reason } : {}),
          ...(to === 'completed' || to === 'rejected' ? { completed_at: now } : {}),
        })
        .where('tenant_id', '=', ctx.tenantId)
        .where('id', '=', id)
        .where('state', '=', row.state)
        .compile(),
      auditQuery(
        db,
        ids,
        {
          tenantId: ctx.tenantId,
          staffId: ctx.staffId,
          action: `privacy_request.${to}`,
          entity: 'privacy_request',
          entityId: id,
          data: {
            from: row.state,
            to,
            kind: row.kind,
            subjectId: row.subject_id,
            reason: patch.reason ?? null,
            result: patch.result ?? null,
          },
        },
        now,
      ),
    ]);
    const after = await load(db, ctx.tenantId, id);
    return { ok: true, value: view(after!) };
  }

  return {
    async create(
      ctx: AuthContext,
      body: {
        kind: RequestKind;
        subjectId: string;
        regime?: Regime;
        details?: Record<string, unknown>;
        receivedAt?: string;
      },
      defaultRegime: Regime,
    ): Promise<Result<PrivacyRequestView>> {
      const now = clock.now().toISOString();
      const receivedAt = body.receivedAt ?? now;
      if (receivedAt > now) return fail('validation_failed', 'A request cannot be received in the future.');
      const regime = body.regime ?? defaultRegime;
      if (
        body.kind === 'correction' &&
        (typeof body.details?.changes !== 'object' || body.details.changes === null)
      ) {
        return fail(
          'validation_failed',
          'A correction request needs details.changes (field → corrected value).',
        );
      }
      const id = ids.newId('dsr');
      await database.batch([
        db
          .insertInto('privacy_requests')
          .values({
            id,
            tenant_id: ctx.tenantId,
            kind: body.kind,
            subject_id: body.subjectId,
            regime,
            state: 'received',
            details: JSON.stringify(body.details ?? {}),
            result: null,
            state_reason: null,
            received_at: receivedAt,
            due_at: dueDate(receivedAt, regime),
            completed_at: null,
            created_by: ctx.staffId,
            updated_at: now,
          })
          .compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'privacy_request.received',
            entity: 'privacy_request',
            entityId: id,
            data: { kind: body.kind, subjectId: body.subjectId, regime },
          },
          now,
        ),
      ]);
      return { ok: true, value: view((await load(db, ctx.tenantId, id))!) };
    },

    async list(tenantId: string, state?: RequestState): Promise<PrivacyRequestView[]> {
      let q = db.selectFrom('privacy_requests').selectAll().where('tenant_id', '=', tenantId);
      if (state) q = q.where('state', '=', state);
      return (await q.orderBy('due_at').limit(200).execute()).map(view);
    },

    async get(tenantId: string, id: string): Promise<Result<PrivacyRequestView>> {
      const row = await load(db, tenantId, id);
      return row
        ? { ok: true, value: view(row) }
        : fail('unknown_privacy_request', `No privacy request ${id}.`);
    },

    start: (ctx: AuthContext, id: string) => move(ctx, id, 'in_progress', {}),
    reject: (ctx: AuthContext, id: string, reason: string) =>
      reason.trim()
        ? move(ctx, id, 'rejected', { reason })
        : Promise.resolve(fail('reason_required', 'Say why the request is rejected.')),

    /** Carries the request out through PrivacySubjects and completes it (access returns the export). */
    async fulfil(
      ctx: AuthContext,
      id: string,
    ): Promise<Result<{ request: PrivacyRequestView; export?: unknown }>> {
      const row = await load(db, ctx.tenantId, id);
      if (!row) return fail('unknown_privacy_request', `No privacy request ${id}.`);
      if (row.state !== 'in_progress')
        return fail('illegal_transition', `Start the request first (it is ${row.state}).`);
      const subjects = options.subjects;
      if (!subjects)
        return fail(
          'unknown_subject',
          'No module holding personal data is installed to carry out the request.',
        );
      const details = JSON.parse(row.details) as { changes?: Record<string, string>; purposes?: string[] };
      let result: unknown;
      let exported: unknown;
      switch (row.kind) {
        case 'access': {
          exported = await subjects.export(ctx.tenantId, row.subject_id);
          result = exported === null ? null : { exported: true };
          break;
        }
        case 'erasure':
          result = await subjects.erase(ctx.tenantId, row.subject_id);
          break;
        case 'correction':
          result = await subjects.correct(ctx.tenantId, row.subject_id, details.changes ?? {});
          break;
        case 'withdraw_consent':
          result = await subjects.withdrawConsent(
            ctx.tenantId,
            row.subject_id,
            details.purposes ?? ['marketing'],
          );
          break;
      }
      if (result === null) return fail('unknown_subject', `No data subject ${row.subject_id}.`);
      const done = await move(ctx, id, 'completed', { result });
      if (!done.ok) return done;
      return {
        ok: true,
        value: { request: done.value, ...(row.kind === 'access' ? { export: exported } : {}) },
      };
    },

    async retentionRules(tenantId: string) {
      const rows = await db
        .selectFrom('retention_rules')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      const set = new Map(rows.map((r) => [r.data_kind, r.keep_days]));
      return (Object.keys(retentionKinds) as RetentionKind[]).map((kind) => ({
        kind,
        keepDays: set.get(kind) ?? null,
        minDays: retentionKinds[kind].minDays,
        what: retentionKinds[kind].what,
      }));
    },

    async setRetention(
      ctx: AuthContext,
      kind: string,
      keepDays: number,
    ): Promise<Result<{ kind: string; keepDays: number }>> {
      const spec = retentionKinds[kind as RetentionKind];
      if (!spec) return fail('validation_failed', `Unknown data kind ${kind}.`);
      if (!Number.isSafeInteger(keepDays) || keepDays < spec.minDays)
        return fail('validation_failed', `${spec.what} must be kept at least ${spec.minDays} days.`);
      const now = clock.now().toISOString();
      await database.batch([
        db
          .insertInto('retention_rules')
          .values({ tenant_id: ctx.tenantId, data_kind: kind, keep_days: keepDays, updated_at: now })
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'data_kind']).doUpdateSet({ keep_days: keepDays, updated_at: now }),
          )
          .compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'retention.set',
            entity: 'retention_rule',
            entityId: kind,
            data: { keepDays },
          },
          now,
        ),
      ]);
      return { ok: true, value: { kind, keepDays } };
    },

    /** The scheduled job: deletes what every tenant's rules say is past its time. */
    async enforceRetention(): Promise<Record<string, number>> {
      const rules = await db.selectFrom('retention_rules').selectAll().execute();
      const now = clock.now();
      const removed: Record<string, number> = {};
      for (const r of rules) {
        const before = new Date(now.getTime() - r.keep_days * 86_400_000).toISOString();
        const t = r.tenant_id;
        let n = 0;
        switch (r.data_kind as RetentionKind) {
          case 'sessions':
            n = Number(
              (
                await db
                  .deleteFrom('sessions')
                  .where('tenant_id', '=', t)
                  .where('expires_at', '<', before)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
          case 'idempotency_keys':
            n = Number(
              (
                await db
                  .deleteFrom('idempotency_keys')
                  .where('tenant_id', '=', t)
                  .where('created_at', '<', before)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
          case 'outbox': {
            // only events every consumer has processed
            const consumers = await db.selectFrom('event_consumers').select('name').execute();
            let q = db.deleteFrom('outbox').where('tenant_id', '=', t).where('created_at', '<', before);
            for (const c of consumers)
              q = q.where(({ exists, selectFrom }) =>
                exists(
                  selectFrom('event_processed')
                    .select('event_id')
                    .where('consumer', '=', c.name)
                    .whereRef('event_processed.event_id', '=', 'outbox.id'),
                ),
              );
            n = Number((await q.executeTakeFirst()).numDeletedRows);
            break;
          }
          case 'event_processed':
            n = Number(
              (
                await db
                  .deleteFrom('event_processed')
                  .where('tenant_id', '=', t)
                  .where('processed_at', '<', before)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
          case 'sanctions_screenings':
            n = Number(
              (
                await db
                  .deleteFrom('sanctions_screenings')
                  .where('tenant_id', '=', t)
                  .where('created_at', '<', before)
                  .where('status', '!=', 'potential_match')
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
          case 'pci_reports':
            n = Number(
              (
                await db
                  .deleteFrom('pci_reports')
                  .where('tenant_id', '=', t)
                  .where('created_at', '<', before)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
          case 'privacy_requests':
            n = Number(
              (
                await db
                  .deleteFrom('privacy_requests')
                  .where('tenant_id', '=', t)
                  .where('completed_at', '<', before)
                  .executeTakeFirst()
              ).numDeletedRows,
            );
            break;
        }
        removed[`${t}:${r.data_kind}`] = n;
      }
      return removed;
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
