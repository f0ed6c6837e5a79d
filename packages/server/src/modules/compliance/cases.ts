import type { Kysely } from 'kysely';
import { transition, type Transitions } from '@opentill/core';
import type { ComplianceCaseTable, DB } from '../../db/schema';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';

export type CaseState = ComplianceCaseTable['state'];

/** The life of a compliance case. Reported and dismissed are final; both need a reason. */
export const caseTransitions: Transitions<CaseState> = {
  open: ['investigating', 'dismissed'],
  investigating: ['escalated', 'reported', 'dismissed'],
  escalated: ['investigating', 'reported', 'dismissed'],
  reported: [],
  dismissed: [],
};

const needsReason: ReadonlySet<CaseState> = new Set(['escalated', 'reported', 'dismissed']);

export interface CaseView {
  id: string;
  kind: ComplianceCaseTable['kind'];
  subject: string;
  title: string;
  severity: ComplianceCaseTable['severity'];
  state: CaseState;
  stateReason: string | null;
  assigneeId: string | null;
  storeId: string | null;
  currency: string | null;
  alertCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CaseDetail extends CaseView {
  alerts: {
    id: string;
    ruleId: string;
    ruleKind: string;
    severity: string;
    subject: string;
    amount: number;
    currency: string;
    summary: string;
    factIds: string[];
    occurredAt: string;
  }[];
  notes: { id: string; staffId: string | null; body: string; createdAt: string }[];
  evidence: { kind: string; refId: string; note: string | null; addedBy: string | null; createdAt: string }[];
  history: { action: string; staffId: string | null; data: unknown; at: string }[];
  allowed: CaseState[];
}

const rank = { low: 0, medium: 1, high: 2 } as const;
export const higherSeverity = (a: CaseView['severity'], b: CaseView['severity']) =>
  rank[a] >= rank[b] ? a : b;

function view(row: ComplianceCaseTable, alertCount: number): CaseView {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    title: row.title,
    severity: row.severity,
    state: row.state,
    stateReason: row.state_reason,
    assigneeId: row.assignee_id,
    storeId: row.store_id,
    currency: row.currency,
    alertCount,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createCasesService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function load(trx: Kysely<DB>, tenantId: string, caseId: string) {
    return trx
      .selectFrom('compliance_cases')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', caseId)
      .executeTakeFirst();
  }

  async function detail(tenantId: string, caseId: string): Promise<Result<CaseDetail>> {
    const row = await load(db, tenantId, caseId);
    if (!row) return fail('unknown_case', `No case ${caseId}.`);
    const [alerts, notes, evidence, history] = await Promise.all([
      db
        .selectFrom('aml_alerts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('case_id', '=', caseId)
        .orderBy('occurred_at')
        .orderBy('id')
        .execute(),
      db
        .selectFrom('case_notes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('case_id', '=', caseId)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('case_evidence')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .orderBy('ref_id')
        .execute(),
      db
        .selectFrom('audit_log')
        .select(['action', 'staff_id', 'data', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('entity', '=', 'compliance_case')
        .where('entity_id', '=', caseId)
        .orderBy('id')
        .execute(),
    ]);
    return {
      ok: true,
      value: {
        ...view(row, alerts.length),
        alerts: alerts.map((a) => {
          const d = JSON.parse(a.details) as { summary: string; factIds: string[] };
          return {
            id: a.id,
            ruleId: a.rule_id,
            ruleKind: a.rule_kind,
            severity: a.severity,
            subject: a.subject,
            amount: a.amount,
            currency: a.currency,
            summary: d.summary,
            factIds: d.factIds,
            occurredAt: a.occurred_at,
          };
        }),
        notes: notes.map((n) => ({ id: n.id, staffId: n.staff_id, body: n.body, createdAt: n.created_at })),
        evidence: evidence.map((e) => ({
          kind: e.kind,
          refId: e.ref_id,
          note: e.note,
          addedBy: e.added_by,
          createdAt: e.created_at,
        })),
        history: history.map((h) => ({
          action: h.action,
          staffId: h.staff_id,
          data: JSON.parse(h.data) as unknown,
          at: h.created_at,
        })),
        allowed: [...caseTransitions[row.state]],
      },
    };
  }

  /** Runs a change to a case and its audit entry in one transaction. */
  async function change(
    ctx: AuthContext,
    caseId: string,
    action: string,
    fn: (trx: Kysely<DB>, row: ComplianceCaseTable, now: string) => Promise<Result<unknown>>,
  ): Promise<Result<CaseDetail>> {
    const now = clock.now().toISOString();
    const r = await db.transaction().execute(async (trx) => {
      const row = await load(trx, ctx.tenantId, caseId);
      if (!row) return fail('unknown_case', `No case ${caseId}.`);
      const done = await fn(trx, row, now);
      if (!done.ok) return done;
      await trx.executeQuery(
        auditQuery(
          trx,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action,
            entity: 'compliance_case',
            entityId: caseId,
            data: done.value,
          },
          now,
        ),
      );
      return done;
    });
    return r.ok ? detail(ctx.tenantId, caseId) : r;
  }

  return {
    async list(tenantId: string, filter: { state?: CaseState; limit?: number }): Promise<CaseView[]> {
      let q = db.selectFrom('compliance_cases').selectAll().where('tenant_id', '=', tenantId);
      if (filter.state) q = q.where('state', '=', filter.state);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 100)
        .execute();
      if (rows.length === 0) return [];
      const counts = await db
        .selectFrom('aml_alerts')
        .select(['case_id', db.fn.countAll<number>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where(
          'case_id',
          'in',
          rows.map((r) => r.id),
        )
        .groupBy('case_id')
        .execute();
      const byCase = new Map(counts.map((c) => [c.case_id, Number(c.n)]));
      return rows.map((r) => view(r, byCase.get(r.id) ?? 0));
    },
    detail,
    transition(ctx: AuthContext, caseId: string, to: CaseState, reason: string | null) {
      return change(ctx, caseId, 'compliance_case.transition', async (trx, row, now) => {
        const moved = transition(caseTransitions, row.state, to);
        if (!moved.ok)
          return fail('illegal_transition', `A ${row.state} case cannot become ${to}.`, moved.error.details);
        if (needsReason.has(to) && !reason?.trim())
          return fail('reason_required', `Moving a case to ${to} needs a reason.`);
        await trx
          .updateTable('compliance_cases')
          .set({ state: to, state_reason: reason, updated_at: now })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', caseId)
          .execute();
        return { ok: true, value: { from: row.state, to, reason } };
      });
    },
    assign(ctx: AuthContext, caseId: string, assigneeId: string | null) {
      return change(ctx, caseId, 'compliance_case.assign', async (trx, row, now) => {
        if (assigneeId) {
          const staff = await trx
            .selectFrom('staff')
            .select('id')
            .where('tenant_id', '=', ctx.tenantId)
            .where('id', '=', assigneeId)
            .executeTakeFirst();
          if (!staff) return fail('unknown_staff', `No staff member ${assigneeId}.`);
        }
        await trx
          .updateTable('compliance_cases')
          .set({ assignee_id: assigneeId, updated_at: now })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', caseId)
          .execute();
        return { ok: true, value: { from: row.assignee_id, to: assigneeId } };
      });
    },
    addNote(ctx: AuthContext, caseId: string, body: string) {
      return change(ctx, caseId, 'compliance_case.note', async (trx, _row, now) => {
        const id = ids.newId('nte');
        await trx
          .insertInto('case_notes')
          .values({
            id,
            tenant_id: ctx.tenantId,
            case_id: caseId,
            staff_id: ctx.staffId,
            body,
            created_at: now,
          })
          .execute();
        await trx
          .updateTable('compliance_cases')
          .set({ updated_at: now })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', caseId)
          .execute();
        return { ok: true, value: { noteId: id, body } };
      });
    },
    addEvidence(ctx: AuthContext, caseId: string, kind: string, refId: string, note: string | null) {
      return change(ctx, caseId, 'compliance_case.evidence', async (trx, _row, now) => {
        await trx
          .insertInto('case_evidence')
          .values({
            tenant_id: ctx.tenantId,
            case_id: caseId,
            kind,
            ref_id: refId,
            note,
            added_by: ctx.staffId,
            created_at: now,
          })
          .onConflict((oc) => oc.columns(['tenant_id', 'case_id', 'kind', 'ref_id']).doNothing())
          .execute();
        return { ok: true, value: { kind, refId, note } };
      });
    },
  };
}

export type CasesService = ReturnType<typeof createCasesService>;
