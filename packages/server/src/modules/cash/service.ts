import type { Deps } from '../../deps';
import { auditQuery, outboxQuery } from '../audit/audit';
import type { CashSessionTable, PaymentTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import { fail, type Result } from '../../http/errors';
import type { StoresService } from '../stores/service';
import * as store from './store';

export type TenderKind = PaymentTable['kind'];
export type MovementKind = 'paid_in' | 'paid_out';

export interface CashSessionView {
  id: string;
  storeId: string;
  registerId: string;
  status: 'open' | 'closed';
  openingFloat: number;
  openedBy: string;
  openedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  zReport: ZReport | null;
}

export interface MovementView {
  id: string;
  cashSessionId: string;
  kind: MovementKind;
  amount: number;
  reason: string;
  staffId: string;
  createdAt: string;
}

export interface TenderLine {
  kind: string;
  sales: number;
  refunds: number;
  net: number;
}

/** The X report: a session's figures at any moment, without closing it. */
export interface XReport {
  sessionId: string;
  storeId: string;
  registerId: string;
  currency: string;
  status: 'open' | 'closed';
  openedAt: string;
  openedBy: string;
  generatedAt: string;
  orders: { count: number; voided: number; total: number; changeGiven: number };
  refunds: { count: number; total: number };
  tenders: TenderLine[];
  cash: {
    openingFloat: number;
    sales: number;
    refunds: number;
    paidIn: number;
    paidInCount: number;
    paidOut: number;
    paidOutCount: number;
    /** opening float + cash sales − cash refunds + paid in − paid out */
    expected: number;
  };
  totals: { sales: number; refunds: number; net: number };
  /** sum of the orders' cash rounding (positive: rounded up in the store's favour) */
  cashRounding: number;
}

export interface ReconciliationLine {
  kind: string;
  expected: number;
  /** null when that tender was not counted */
  counted: number | null;
  /** counted − expected (negative is short); null when not counted */
  overShort: number | null;
}

/** The Z report: the X report at close plus the count and its differences. */
export interface ZReport extends XReport {
  closedAt: string;
  closedBy: string;
  reconciliation: ReconciliationLine[];
  /** sum of the counted tenders' over/short */
  overShortTotal: number;
}

export interface CountedTender {
  kind: TenderKind;
  amount: number;
}

export function sessionView(s: CashSessionTable): CashSessionView {
  return {
    id: s.id,
    storeId: s.store_id,
    registerId: s.register_id,
    status: s.status,
    openingFloat: Number(s.opening_float),
    openedBy: s.opened_by,
    openedAt: s.opened_at,
    closedBy: s.closed_by,
    closedAt: s.closed_at,
    zReport: s.z_report ? (JSON.parse(s.z_report) as ZReport) : null,
  };
}

function sumSafe(values: number[]): number {
  const total = values.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(total)) throw new Error('cash report total outside the safe integer range');
  return total;
}

/** Builds the X report from the aggregates (pure). */
export function buildXReport(
  session: CashSessionTable,
  currency: string,
  totals: store.SessionTotals,
  generatedAt: string,
): XReport {
  const sales = totals.orders.filter((o) => o.status !== 'voided' && o.status !== 'open');
  const voided = totals.orders.find((o) => o.status === 'voided');
  const kinds = new Set<string>([
    'cash',
    ...totals.sales.map((s) => s.kind),
    ...totals.refundTenders.map((r) => r.kind),
  ]);
  const tenders: TenderLine[] = [...kinds].sort().map((kind) => {
    const s = sumSafe(totals.sales.filter((x) => x.kind === kind).map((x) => x.amount));
    const r = sumSafe(totals.refundTenders.filter((x) => x.kind === kind).map((x) => x.amount));
    return { kind, sales: s, refunds: r, net: s - r };
  });
  const cashLine = tenders.find((t) => t.kind === 'cash') ?? { kind: 'cash', sales: 0, refunds: 0, net: 0 };
  const paidIn = totals.movements.find((m) => m.kind === 'paid_in');
  const paidOut = totals.movements.find((m) => m.kind === 'paid_out');
  const openingFloat = Number(session.opening_float);
  const salesTotal = sumSafe(tenders.map((t) => t.sales));
  const refundsTotal = sumSafe(tenders.map((t) => t.refunds));
  return {
    sessionId: session.id,
    storeId: session.store_id,
    registerId: session.register_id,
    currency,
    status: session.status,
    openedAt: session.opened_at,
    openedBy: session.opened_by,
    generatedAt,
    orders: {
      count: sumSafe(sales.map((o) => o.count)),
      voided: voided?.count ?? 0,
      total: sumSafe(sales.map((o) => o.total)),
      changeGiven: sumSafe(sales.map((o) => o.changeGiven)),
    },
    refunds: totals.refunds,
    tenders,
    cash: {
      openingFloat,
      sales: cashLine.sales,
      refunds: cashLine.refunds,
      paidIn: paidIn?.amount ?? 0,
      paidInCount: paidIn?.count ?? 0,
      paidOut: paidOut?.amount ?? 0,
      paidOutCount: paidOut?.count ?? 0,
      expected: sumSafe([
        openingFloat,
        cashLine.sales,
        -cashLine.refunds,
        paidIn?.amount ?? 0,
        -(paidOut?.amount ?? 0),
      ]),
    },
    totals: { sales: salesTotal, refunds: refundsTotal, net: salesTotal - refundsTotal },
    cashRounding: sumSafe(sales.map((o) => o.cashRounding)),
  };
}

/** Compares the count with what was expected per tender; a difference is recorded, never refused. */
export function reconcile(
  x: XReport,
  counted: CountedTender[],
): { lines: ReconciliationLine[]; overShortTotal: number } {
  const expectedOf = (kind: string) =>
    kind === 'cash' ? x.cash.expected : (x.tenders.find((t) => t.kind === kind)?.net ?? 0);
  const kinds = new Set<string>([...x.tenders.map((t) => t.kind), ...counted.map((c) => c.kind)]);
  const lines = [...kinds].sort().map((kind) => {
    const expected = expectedOf(kind);
    const c = counted.find((k) => k.kind === kind);
    return { kind, expected, counted: c ? c.amount : null, overShort: c ? c.amount - expected : null };
  });
  return { lines, overShortTotal: sumSafe(lines.map((l) => l.overShort ?? 0)) };
}

export function createCashService(deps: Deps, services: { stores: StoresService }) {
  const { database, clock, ids } = deps;
  const db = database.db;
  const lock = database.kind === 'postgres';

  const unknownSession = (id: string) => fail('unknown_session', `Cash session ${id} does not exist.`);
  const closedSession = (id: string) => fail('session_closed', `Cash session ${id} is closed.`);

  async function currencyOf(tenantId: string, storeId: string): Promise<string> {
    const s = await services.stores.get(tenantId, storeId);
    return s.ok ? s.value.currency : '';
  }

  return {
    /** The open session of a register, or null: checkout stamps its orders with it. */
    async openSessionFor(tenantId: string, registerId: string): Promise<string | null> {
      return (await store.findOpenSession(db, tenantId, registerId))?.id ?? null;
    },

    async open(
      tenantId: string,
      staffId: string,
      input: { registerId: string; openingFloat: number },
    ): Promise<Result<CashSessionView>> {
      const register = await services.stores.getRegister(tenantId, input.registerId);
      if (!register.ok) return register;
      const now = clock.now().toISOString();
      const row: CashSessionTable = {
        id: ids.newId('cs'),
        tenant_id: tenantId,
        store_id: register.value.storeId,
        register_id: input.registerId,
        status: 'open',
        opening_float: input.openingFloat,
        opened_by: staffId,
        opened_at: now,
        closed_by: null,
        closed_at: null,
        z_report: null,
      };
      const alreadyOpen = (existing?: string) =>
        fail(
          'session_already_open',
          `Register ${input.registerId} already has an open cash session; close it first.`,
          {
            ...(existing ? { sessionId: existing } : {}),
          },
        );
      try {
        // check and insert in one transaction; the partial unique index backs it on PostgreSQL
        const existing = await db.transaction().execute(async (trx) => {
          const open = await store.findOpenSession(trx, tenantId, input.registerId);
          if (open) return open.id;
          await store.insertSession(trx, row);
          await trx.executeQuery(
            auditQuery(
              trx,
              ids,
              {
                tenantId: tenantId,
                staffId: staffId,
                action: 'cash_session.open',
                entity: 'cash_session',
                entityId: row.id,
                data: {
                  registerId: row.register_id,
                  storeId: row.store_id,
                  openingFloat: row.opening_float,
                },
              },
              now,
            ),
          );
          return null;
        });
        if (existing) return alreadyOpen(existing);
      } catch (e) {
        if (isUniqueViolation(e)) return alreadyOpen();
        throw e;
      }
      return { ok: true, value: sessionView(row) };
    },

    async get(tenantId: string, id: string): Promise<Result<CashSessionView>> {
      const s = await store.findSession(db, tenantId, id);
      return s ? { ok: true, value: sessionView(s) } : unknownSession(id);
    },

    async list(
      tenantId: string,
      filter: { registerId?: string; status?: 'open' | 'closed'; limit?: number },
    ): Promise<CashSessionView[]> {
      const rows = await store.listSessions(db, tenantId, {
        registerId: filter.registerId,
        status: filter.status,
        limit: filter.limit ?? 100,
      });
      return rows.map(sessionView);
    },

    async currentForRegister(tenantId: string, registerId: string): Promise<Result<CashSessionView>> {
      const register = await services.stores.getRegister(tenantId, registerId);
      if (!register.ok) return register;
      const s = await store.findOpenSession(db, tenantId, registerId);
      return s
        ? { ok: true, value: sessionView(s) }
        : fail('no_open_session', `Register ${registerId} has no open cash session.`);
    },

    async addMovement(
      tenantId: string,
      staffId: string,
      sessionId: string,
      input: { kind: MovementKind; amount: number; reason: string },
    ): Promise<Result<MovementView>> {
      const now = clock.now().toISOString();
      const row = {
        id: ids.newId('cm'),
        tenant_id: tenantId,
        cash_session_id: sessionId,
        kind: input.kind,
        amount: input.amount,
        reason: input.reason,
        staff_id: staffId,
        created_at: now,
      };
      return db.transaction().execute(async (trx): Promise<Result<MovementView>> => {
        // the row lock (PostgreSQL) orders this against a concurrent close
        const s = await store.findSession(trx, tenantId, sessionId, { lock });
        if (!s) return unknownSession(sessionId);
        if (s.status !== 'open') return closedSession(sessionId);
        await store.insertMovement(trx, row);
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId: tenantId,
              staffId: staffId,
              action: `cash_session.${input.kind}`,
              entity: 'cash_session',
              entityId: sessionId,
              data: {
                movementId: row.id,
                kind: row.kind,
                amount: row.amount,
                reason: row.reason,
              },
            },
            now,
          ),
        );
        return {
          ok: true,
          value: {
            id: row.id,
            cashSessionId: sessionId,
            kind: row.kind,
            amount: row.amount,
            reason: row.reason,
            staffId,
            createdAt: now,
          },
        };
      });
    },

    /**
     * Opening the drawer without a sale ("no sale"): the register kicks the drawer after this
     * answers. Recorded in the audit trail and announced on the outbox (`cash.drawer_open`) for
     * the register's printer; when the tenant's policy asks for it, a manager's approval comes
     * first (approvals gate, `x-approval-id`).
     */
    async drawerOpen(
      tenantId: string,
      staffId: string,
      sessionId: string,
      input: { reason: string },
    ): Promise<Result<{ cashSessionId: string; registerId: string; reason: string; openedAt: string }>> {
      const s = await store.findSession(db, tenantId, sessionId);
      if (!s) return unknownSession(sessionId);
      if (s.status !== 'open') return closedSession(sessionId);
      const now = clock.now().toISOString();
      const value = {
        cashSessionId: sessionId,
        registerId: s.register_id,
        reason: input.reason,
        openedAt: now,
      };
      await database.batch([
        auditQuery(
          db,
          ids,
          {
            tenantId,
            staffId,
            action: 'cash_session.drawer_open',
            entity: 'cash_session',
            entityId: sessionId,
            data: { reason: input.reason, registerId: s.register_id },
          },
          now,
        ),
        outboxQuery(db, ids, { tenantId, topic: 'cash.drawer_open', payload: value }, now),
      ]);
      return { ok: true, value };
    },

    async xReport(tenantId: string, sessionId: string): Promise<Result<XReport>> {
      const s = await store.findSession(db, tenantId, sessionId);
      if (!s) return unknownSession(sessionId);
      const totals = await store.sessionTotals(db, tenantId, sessionId);
      return {
        ok: true,
        value: buildXReport(s, await currencyOf(tenantId, s.store_id), totals, clock.now().toISOString()),
      };
    },

    async close(
      tenantId: string,
      staffId: string,
      sessionId: string,
      input: { counted: CountedTender[] },
    ): Promise<Result<ZReport>> {
      const seen = new Set<string>();
      for (const c of input.counted) {
        if (seen.has(c.kind))
          return fail('validation_failed', `Tender ${c.kind} is counted twice; send one amount per tender.`);
        seen.add(c.kind);
      }
      const first = await store.findSession(db, tenantId, sessionId);
      if (!first) return unknownSession(sessionId);
      if (first.status !== 'open') return closedSession(sessionId);
      const currency = await currencyOf(tenantId, first.store_id);
      const now = clock.now().toISOString();
      return db.transaction().execute(async (trx): Promise<Result<ZReport>> => {
        const s = await store.findSession(trx, tenantId, sessionId, { lock });
        if (!s) return unknownSession(sessionId);
        if (s.status !== 'open') return closedSession(sessionId);
        const x = buildXReport(s, currency, await store.sessionTotals(trx, tenantId, sessionId), now);
        const { lines, overShortTotal } = reconcile(x, input.counted);
        const z: ZReport = {
          ...x,
          status: 'closed',
          closedAt: now,
          closedBy: staffId,
          reconciliation: lines,
          overShortTotal,
        };
        if (
          !(await store.closeSession(trx, tenantId, sessionId, {
            closed_by: staffId,
            closed_at: now,
            z_report: JSON.stringify(z),
          }))
        ) {
          return closedSession(sessionId);
        }
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId: tenantId,
              staffId: staffId,
              action: 'cash_session.close',
              entity: 'cash_session',
              entityId: sessionId,
              data: {
                counted: input.counted,
                expectedCash: x.cash.expected,
                overShort: lines.filter((l) => l.overShort !== null && l.overShort !== 0),
                overShortTotal,
              },
            },
            now,
          ),
        );
        return { ok: true, value: z };
      });
    },
  };
}

export type CashService = ReturnType<typeof createCashService>;
