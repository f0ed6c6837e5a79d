import { sql, type Kysely, type Transaction } from 'kysely';
import type { CashMovementTable, CashSessionTable, DB, PaymentTable } from '../../db/schema';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * A sum as a safe integer on both engines: PostgreSQL's SUM(bigint) is numeric (a string in
 * node-pg), so it is cast back to bigint, which the driver parses and range-checks.
 */
const sumOf = (column: string) => sql<number>`cast(coalesce(sum(${sql.ref(column)}), 0) as bigint)`;
const countAll = sql<number>`count(*)`;

export function findSession(db: Db, tenantId: string, id: string, options: { lock?: boolean } = {}) {
  return db
    .selectFrom('cash_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .$if(options.lock === true, (q) => q.forUpdate())
    .executeTakeFirst();
}

export function findOpenSession(db: Db, tenantId: string, registerId: string) {
  return db
    .selectFrom('cash_sessions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('register_id', '=', registerId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

export function listSessions(
  db: Db,
  tenantId: string,
  filter: { registerId?: string | undefined; status?: CashSessionTable['status'] | undefined; limit: number },
) {
  let q = db.selectFrom('cash_sessions').selectAll().where('tenant_id', '=', tenantId);
  if (filter.registerId) q = q.where('register_id', '=', filter.registerId);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.orderBy('opened_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function insertSession(db: Db, row: CashSessionTable): Promise<void> {
  await db.insertInto('cash_sessions').values(row).execute();
}

/** Closes an open session; returns false when it was no longer open. */
export async function closeSession(
  db: Db,
  tenantId: string,
  id: string,
  patch: { closed_by: string; closed_at: string; z_report: string },
): Promise<boolean> {
  const r = await db
    .updateTable('cash_sessions')
    .set({ ...patch, status: 'closed' })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertMovement(db: Db, row: CashMovementTable): Promise<void> {
  await db.insertInto('cash_movements').values(row).execute();
}

/** Payment states whose amount counts as money taken. */
const takenStatuses: PaymentTable['status'][] = ['authorized', 'captured', 'partially_refunded', 'refunded'];
/** Order states that are sales (not voided, not still open). */
const saleStatuses = ['paid', 'partially_refunded', 'refunded'] as const;

export interface SessionTotals {
  orders: { status: string; count: number; total: number; cashRounding: number; changeGiven: number }[];
  sales: { kind: string; amount: number; count: number }[];
  refundTenders: { kind: string; amount: number }[];
  refunds: { count: number; total: number };
  movements: { kind: string; amount: number; count: number }[];
}

/**
 * Everything the X and Z reports need, as SQL aggregates (five small grouped queries, no order
 * rows loaded). `orders`, `payments`, `refunds` and `refund_tenders` belong to the orders
 * module; the cash module only READS them here, with plain aggregates, for its reports.
 */
export async function sessionTotals(db: Db, tenantId: string, sessionId: string): Promise<SessionTotals> {
  const orders = await db
    .selectFrom('orders')
    .select([
      'status',
      countAll.as('count'),
      sumOf('total').as('total'),
      sumOf('cash_rounding').as('cash_rounding'),
      sumOf('change_given').as('change_given'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('cash_session_id', '=', sessionId)
    .groupBy('status')
    .execute();

  const sales = await db
    .selectFrom('orders as o')
    .innerJoin('payments as p', (j) =>
      j.onRef('p.tenant_id', '=', 'o.tenant_id').onRef('p.order_id', '=', 'o.id'),
    )
    .select(['p.kind', sumOf('p.amount').as('amount'), countAll.as('count')])
    .where('o.tenant_id', '=', tenantId)
    .where('o.cash_session_id', '=', sessionId)
    .where('o.status', 'in', saleStatuses)
    .where('p.status', 'in', takenStatuses)
    .groupBy('p.kind')
    .execute();

  // joined on (tenant_id, order_id) too, so the refund_tenders_order index serves the join
  const refundTenders = await db
    .selectFrom('refunds as r')
    .innerJoin('refund_tenders as t', (j) =>
      j
        .onRef('t.tenant_id', '=', 'r.tenant_id')
        .onRef('t.order_id', '=', 'r.order_id')
        .onRef('t.refund_id', '=', 'r.id'),
    )
    .select(['t.kind', sumOf('t.amount').as('amount')])
    .where('r.tenant_id', '=', tenantId)
    .where('r.cash_session_id', '=', sessionId)
    .groupBy('t.kind')
    .execute();

  const refunds = await db
    .selectFrom('refunds')
    .select([countAll.as('count'), sumOf('total').as('total')])
    .where('tenant_id', '=', tenantId)
    .where('cash_session_id', '=', sessionId)
    .executeTakeFirst();

  const movements = await db
    .selectFrom('cash_movements')
    .select(['kind', sumOf('amount').as('amount'), countAll.as('count')])
    .where('tenant_id', '=', tenantId)
    .where('cash_session_id', '=', sessionId)
    .groupBy('kind')
    .execute();

  return {
    orders: orders.map((o) => ({
      status: o.status,
      count: Number(o.count),
      total: Number(o.total),
      cashRounding: Number(o.cash_rounding),
      changeGiven: Number(o.change_given),
    })),
    sales: sales.map((s) => ({ kind: s.kind, amount: Number(s.amount), count: Number(s.count) })),
    refundTenders: refundTenders.map((t) => ({ kind: t.kind, amount: Number(t.amount) })),
    refunds: { count: Number(refunds?.count ?? 0), total: Number(refunds?.total ?? 0) },
    movements: movements.map((m) => ({ kind: m.kind, amount: Number(m.amount), count: Number(m.count) })),
  };
}
