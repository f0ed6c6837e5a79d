import {
  applyRefund,
  paymentTransitions,
  orderTransitions,
  planRefund,
  transition,
  type OrderState,
  type PaymentState,
  type PaidTender,
  type RefundableLine,
  type TenderKind,
  type Unit,
  unitAllowsFraction,
} from '@opentill/core';
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../../deps';
import type { DB, OrderTable, RefundLineTable, RefundTenderTable } from '../../db/schema';
import { fail, type ErrorCode, type Result } from '../../http/errors';
import { can } from '../auth/permissions';
import type { AuthContext } from '../auth/service';
import { auditQuery, outboxQuery } from '../audit/audit';
import { movementQueries, type MovementInput } from '../stock/movements';
import { createCheckout, type CheckoutApprovals, type CustomerSaleHold } from './checkout';
import { orderView, type OrderView } from './view';
import type { PaymentsService } from '../payments/service';
import type { MemberCheckout } from '../customers/checkout-hook';
import type { LoyaltyService } from '../loyalty/service';

export interface RefundBody {
  lines?: { lineId: string; quantity: number; restock?: boolean }[];
  amount?: number;
  toTender?: TenderKind;
  reason: string;
  /** restock every refunded line (default true); a line's own `restock` wins */
  restock?: boolean;
}

export interface RefundView {
  id: string;
  orderId: string;
  total: number;
  reason: string | null;
  lines: { lineId: string; quantity: number; amount: number; restock: boolean }[];
  tenders: { paymentId: string | null; kind: string; amount: number }[];
  createdAt: string;
  order: OrderView;
  /** a refund to store credit: the account credited, and its code when a new credit note was made (shown once) */
  storeCredit?: { accountId: string; code: string | null };
}

export interface OrderSummary {
  id: string;
  status: string;
  storeId: string;
  registerId: string;
  staffId: string;
  currency: string;
  total: number;
  refundedTotal: number;
  createdAt: string;
}

async function loadOrder(db: Kysely<DB>, tenantId: string, id: string, lock: boolean) {
  let q = db.selectFrom('orders').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const order = await q.executeTakeFirst();
  if (!order) return undefined;
  const [lines, payments, refunds, refundLines, refundTenders] = await Promise.all([
    db
      .selectFrom('order_lines')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .execute(),
    db
      .selectFrom('payments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .execute(),
    db
      .selectFrom('refunds')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .execute(),
    db
      .selectFrom('refund_lines')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .execute(),
    db
      .selectFrom('refund_tenders')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('order_id', '=', id)
      .execute(),
  ]);
  return { order, lines, payments, refunds, refundLines, refundTenders };
}

type LoadedOrder = NonNullable<Awaited<ReturnType<typeof loadOrder>>>;

/** What a refund request would do to an order as loaded: the core's plan over its lines and tenders. */
function planFor(loaded: LoadedOrder, body: RefundBody) {
  const { lines, payments, refundLines, refundTenders } = loaded;
  const refundable: RefundableLine[] = lines.map((l) => {
    const rl = refundLines.filter((r) => r.line_id === l.line_id);
    return {
      lineId: l.line_id,
      quantity: l.quantity_milli / 1000,
      total: l.total,
      refundedQuantity: rl.reduce((s, r) => s + r.quantity_milli, 0) / 1000,
      refundedAmount: rl.reduce((s, r) => s + r.amount, 0),
    };
  });
  const paid: PaidTender[] = [...payments]
    .sort((a, b) => a.seq - b.seq)
    .map((p) => ({
      paymentId: p.id,
      kind: p.kind,
      amount: p.amount,
      refunded: refundTenders.filter((t) => t.payment_id === p.id).reduce((s, t) => s + t.amount, 0),
    }));
  const plan = planRefund({
    lines: refundable,
    tenders: paid,
    request: {
      ...(body.lines ? { lines: body.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity })) } : {}),
      ...(body.amount !== undefined ? { amount: body.amount } : {}),
      ...(body.toTender !== undefined ? { toTender: body.toTender } : {}),
    },
  });
  return { refundable, paid, plan };
}

/** Refunds may go back to these kinds when they are not the original tenders. */
const REFUND_TO: ReadonlySet<TenderKind> = new Set(['cash', 'card', 'other', 'store_credit']);

export function createOrdersService(
  deps: Deps,
  pay?: PaymentsService,
  hooks: {
    members?: MemberCheckout;
    loyalty?: LoyaltyService;
    /** the customer's current segments (insights RFM), for promotions' `segment` condition */
    segmentsOf?: (tenantId: string, customerId: string) => Promise<string[]>;
    /** sanctions: the compliance gate a sale with a customer passes (wired in app.ts) */
    customerSaleHold?: CustomerSaleHold;
    /** step-up approvals for price overrides and manual discounts (wired in app.ts) */
    approvals?: CheckoutApprovals;
  } = {},
) {
  const { database, clock, ids } = deps;
  const db = database.db;
  const loyalty = hooks.loyalty;
  const { checkout, quote } = createCheckout(deps, pay, {
    members: hooks.members,
    ...(hooks.customerSaleHold ? { customerSaleHold: hooks.customerSaleHold } : {}),
    ...(hooks.approvals ? { approvals: hooks.approvals } : {}),
    // promotions for member tiers and segments: the tier the loyalty ledger gives the customer,
    // the segments the last insights refresh put them in
    ...(loyalty || hooks.segmentsOf
      ? {
          customerFacts: async (tenantId: string, customerId: string) => ({
            tierId: loyalty ? ((await loyalty.account(tenantId, customerId)).tier?.id ?? null) : null,
            segmentIds: hooks.segmentsOf ? await hooks.segmentsOf(tenantId, customerId) : [],
          }),
        }
      : {}),
  });

  /** Runs `fn` in a transaction; on SQLite `begin immediate` already serialises writers. */
  function inTransaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  }
  const lockRows = database.kind === 'postgres';

  return {
    checkout,
    quote,

    async get(tenantId: string, id: string): Promise<Result<OrderView>> {
      const loaded = await loadOrder(db, tenantId, id, false);
      if (!loaded) return fail('unknown_order', `Order ${id} does not exist.`);
      const { order, lines, payments, refunds, refundLines, refundTenders } = loaded;
      return { ok: true, value: orderView(order, lines, payments, refunds, refundLines, refundTenders) };
    },

    async list(
      tenantId: string,
      q: {
        storeId?: string;
        registerId?: string;
        status?: OrderState;
        from?: string;
        to?: string;
        limit?: number;
        before?: string;
      },
    ): Promise<{ items: OrderSummary[]; nextBefore: string | null }> {
      const limit = q.limit ?? 50;
      let query = db
        .selectFrom('orders')
        .select([
          'id',
          'status',
          'store_id',
          'register_id',
          'staff_id',
          'currency',
          'total',
          'refunded_total',
          'created_at',
        ])
        .where('tenant_id', '=', tenantId);
      if (q.storeId) query = query.where('store_id', '=', q.storeId);
      if (q.registerId) query = query.where('register_id', '=', q.registerId);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.from) query = query.where('created_at', '>=', new Date(q.from).toISOString());
      if (q.to) query = query.where('created_at', '<', new Date(q.to).toISOString());
      if (q.before) {
        // the cursor is the last row's (created_at, id): the same order as the sort, so paging
        // never skips or repeats an order even when client-made ids disagree with arrival order
        const cut = q.before.indexOf('|');
        const at = cut < 0 ? q.before : q.before.slice(0, cut);
        const id = cut < 0 ? '' : q.before.slice(cut + 1);
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return {
        items: page.map((o) => ({
          id: o.id,
          status: o.status,
          storeId: o.store_id,
          registerId: o.register_id,
          staffId: o.staff_id,
          currency: o.currency,
          total: o.total,
          refundedTotal: o.refunded_total,
          createdAt: o.created_at,
        })),
        nextBefore:
          rows.length > limit && page.length > 0
            ? `${page[page.length - 1]?.created_at}|${page[page.length - 1]?.id}`
            : null,
      };
    },

    async refund(ctx: AuthContext, orderId: string, body: RefundBody): Promise<Result<RefundView>> {
      const refundId = ids.newId('ref');
      // card and wallet money goes back through the acquirer or provider first, outside any
      // transaction (a network call must not hold the database); declined → nothing recorded
      if (pay && body.toTender === undefined) {
        const pre = await loadOrder(db, ctx.tenantId, orderId, false);
        if (pre && (pre.order.status === 'paid' || pre.order.status === 'partially_refunded')) {
          const { plan } = planFor(pre, body);
          if (plan.ok) {
            const parts = plan.value.tenders.flatMap((t) => {
              const payment = pre.payments.find((p) => p.id === t.paymentId);
              return payment && (payment.kind === 'card' || payment.kind === 'wallet')
                ? [{ payment, amount: t.amount, refundId }]
                : [];
            });
            if (parts.length) {
              const external = await pay.refundExternal(ctx.tenantId, parts);
              if (!external.ok) return external;
            }
          }
        }
      }
      let storeCredit: { accountId: string; code: string | null } | null = null;
      const result = await inTransaction(async (trx): Promise<Result<RefundView>> => {
        const loaded = await loadOrder(trx, ctx.tenantId, orderId, lockRows);
        if (!loaded) return fail('unknown_order', `Order ${orderId} does not exist.`);
        const { order, lines, payments } = loaded;
        if (order.status !== 'paid' && order.status !== 'partially_refunded') {
          return fail('illegal_transition', `An order that is ${order.status} cannot be refunded.`, {
            from: order.status,
          });
        }
        if (body.toTender !== undefined) {
          const allSameKind = payments.every((p) => p.kind === body.toTender);
          if (!allSameKind && !can(ctx.role, 'orders.refund_any_tender')) {
            return fail(
              'forbidden',
              `Refunding to ${body.toTender} instead of the original tenders needs a manager.`,
            );
          }
          if (!REFUND_TO.has(body.toTender) || (body.toTender === 'store_credit' && !pay)) {
            return fail('unsupported_tender', `Refunds to ${body.toTender} are not available.`);
          }
        }
        // a piece-counted line (each, g) is refunded in whole units, like it was sold
        for (const r of body.lines ?? []) {
          const line = lines.find((l) => l.line_id === r.lineId);
          if (line && !unitAllowsFraction(line.unit as Unit) && !Number.isInteger(r.quantity)) {
            return fail(
              'fractional_quantity',
              `Line ${r.lineId} is sold in ${line.unit}; refund a whole number.`,
              {
                lineId: r.lineId,
                quantity: r.quantity,
              },
            );
          }
        }
        const { refundable, paid, plan } = planFor(loaded, body);
        if (!plan.ok) return fail(plan.error.code as ErrorCode, plan.error.message, plan.error.details);
        const after = applyRefund({ lines: refundable, tenders: paid }, plan.value);
        // a tip stays with the staff unless refunded explicitly: the order is refunded once its goods are
        const tip = (JSON.parse(order.details) as { tip?: number }).tip ?? 0;
        const fullyRefunded =
          after.tenders.reduce((s, t) => s + t.refunded, 0) + tip >=
            after.tenders.reduce((s, t) => s + t.amount, 0) &&
          after.lines.every((l) => l.refundedQuantity >= l.quantity);
        const next = transition(
          orderTransitions,
          order.status,
          fullyRefunded ? 'refunded' : 'partially_refunded',
        );
        if (!next.ok) return fail('illegal_transition', next.error.message);

        // each payment follows its own lifecycle: captured → partially_refunded → refunded
        // (decided before anything is written: a failure here must leave the database untouched)
        const paymentUpdates: { id: string; status: PaymentState }[] = [];
        for (const t of after.tenders) {
          const p = payments.find((x) => x.id === t.paymentId);
          const before = paid.find((x) => x.paymentId === t.paymentId)?.refunded ?? 0;
          if (!p || t.refunded === before) continue;
          const moved = transition(
            paymentTransitions,
            p.status,
            t.refunded >= t.amount ? 'refunded' : 'partially_refunded',
          );
          if (!moved.ok)
            return fail('illegal_transition', `Payment ${p.id} is ${p.status} and cannot be refunded.`);
          paymentUpdates.push({ id: p.id, status: moved.value });
        }
        const now = clock.now().toISOString();
        const sessionRow = await trx
          .selectFrom('cash_sessions')
          .select('id')
          .where('tenant_id', '=', ctx.tenantId)
          .where('register_id', '=', ctx.registerId ?? order.register_id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        const restockOf = new Map(
          (body.lines ?? []).map((l) => [l.lineId, l.restock ?? body.restock ?? true]),
        );
        const refundLineRows: RefundLineTable[] = plan.value.lines.map((l) => ({
          tenant_id: ctx.tenantId,
          refund_id: refundId,
          order_id: order.id,
          line_id: l.lineId,
          quantity_milli: Math.round(l.quantity * 1000),
          amount: l.amount,
          restock: (restockOf.get(l.lineId) ?? body.restock ?? true) && l.quantity > 0 ? 1 : 0,
        }));
        // where each refunded amount is booked: the original payment, paid out as `kind`
        const tenderRows: RefundTenderTable[] = [];
        if (body.toTender !== undefined) {
          for (const t of after.tenders) {
            const before = paid.find((p) => p.paymentId === t.paymentId)?.refunded ?? 0;
            if (t.refunded > before) {
              tenderRows.push({
                tenant_id: ctx.tenantId,
                refund_id: refundId,
                order_id: order.id,
                payment_id: t.paymentId,
                kind: body.toTender,
                amount: t.refunded - before,
              });
            }
          }
        } else {
          for (const t of plan.value.tenders) {
            tenderRows.push({
              tenant_id: ctx.tenantId,
              refund_id: refundId,
              order_id: order.id,
              payment_id: t.paymentId,
              kind: t.kind,
              amount: t.amount,
            });
          }
        }
        const moves: MovementInput[] = refundLineRows
          .filter((r) => r.restock === 1)
          .map((r) => ({
            storeId: order.store_id,
            variantId: lines.find((l) => l.line_id === r.line_id)?.variant_id ?? '',
            kind: 'return' as const,
            qtyMilli: r.quantity_milli,
            refId: refundId,
            staffId: ctx.staffId,
          }));

        await trx
          .insertInto('refunds')
          .values({
            id: refundId,
            tenant_id: ctx.tenantId,
            order_id: order.id,
            store_id: order.store_id,
            register_id: ctx.registerId ?? order.register_id,
            cash_session_id: sessionRow?.id ?? null,
            staff_id: ctx.staffId,
            reason: body.reason,
            total: plan.value.total,
            created_at: now,
          })
          .execute();
        if (refundLineRows.length) await trx.insertInto('refund_lines').values(refundLineRows).execute();
        if (tenderRows.length) await trx.insertInto('refund_tenders').values(tenderRows).execute();
        if (pay) {
          // stored value goes back onto the account it came from; a refund to store credit becomes credit
          for (const t of tenderRows) {
            const payment = loaded.payments.find((p) => p.id === t.payment_id);
            if (
              body.toTender === undefined &&
              payment &&
              (payment.kind === 'gift_card' || payment.kind === 'store_credit')
            ) {
              await pay.refundStoredValue(trx, {
                tenantId: ctx.tenantId,
                payment,
                amount: t.amount,
                orderId: order.id,
                refundId,
                staffId: ctx.staffId,
                now,
              });
            }
          }
          if (body.toTender === 'store_credit' && plan.value.total > 0) {
            storeCredit = await pay.storedValue.creditNote(trx, {
              tenantId: ctx.tenantId,
              customerId: order.customer_id,
              currency: order.currency,
              amount: plan.value.total,
              orderId: order.id,
              refundId,
              staffId: ctx.staffId,
              now,
            });
          }
        }
        for (const q of movementQueries(trx, ctx.tenantId, moves, now, ids)) await trx.executeQuery(q);
        // --- members: points paid with come back, points the sale earned are taken back ---
        if (hooks.loyalty && order.customer_id) {
          const pointsRefunded = tenderRows
            .filter((t) => t.kind === 'loyalty_points')
            .reduce((s, t) => s + t.amount, 0);
          const queries = await hooks.loyalty.refundQueries(trx, {
            tenantId: ctx.tenantId,
            customerId: order.customer_id,
            orderId: order.id,
            refundId,
            orderTotal: order.total,
            refundedBefore: order.refunded_total,
            refundTotal: plan.value.total,
            pointsRefunded,
            currency: order.currency,
            now,
          });
          for (const q of queries) await trx.executeQuery(q);
        }
        // --- end members ---
        for (const u of paymentUpdates) {
          await trx
            .updateTable('payments')
            .set({ status: u.status })
            .where('tenant_id', '=', ctx.tenantId)
            .where('id', '=', u.id)
            .execute();
        }
        await trx
          .updateTable('orders')
          .set({
            status: next.value,
            refunded_total: sql`refunded_total + ${plan.value.total}`,
            updated_at: now,
          })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', order.id)
          .execute();
        await trx.executeQuery(
          outboxQuery(
            trx,
            ids,
            {
              tenantId: ctx.tenantId,
              topic: 'order.refunded',
              payload: {
                orderId: order.id,
                refundId,
                total: plan.value.total,
                currency: order.currency,
              },
            },
            now,
          ),
        );
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'order.refund',
              entity: 'order',
              entityId: order.id,
              data: {
                refundId,
                total: plan.value.total,
                reason: body.reason,
                toTender: body.toTender ?? null,
              },
            },
            now,
          ),
        );
        const reloaded = await loadOrder(trx, ctx.tenantId, order.id, false);
        if (!reloaded) throw new Error('order vanished inside its own transaction');
        return {
          ok: true,
          value: {
            id: refundId,
            orderId: order.id,
            total: plan.value.total,
            reason: body.reason,
            lines: refundLineRows.map((r) => ({
              lineId: r.line_id,
              quantity: r.quantity_milli / 1000,
              amount: r.amount,
              restock: r.restock === 1,
            })),
            tenders: tenderRows.map((t) => ({ paymentId: t.payment_id, kind: t.kind, amount: t.amount })),
            createdAt: now,
            order: orderView(
              reloaded.order,
              reloaded.lines,
              reloaded.payments,
              reloaded.refunds,
              reloaded.refundLines,
              reloaded.refundTenders,
            ),
          },
        };
      });
      if (result.ok && storeCredit !== null) {
        const credit: { accountId: string; code: string | null } = storeCredit;
        return { ok: true, value: { ...result.value, storeCredit: credit } };
      }
      return result;
    },

    /** Voids a paid order while nothing is settled: no refund yet and its cash session still open. */
    async void(ctx: AuthContext, orderId: string, reason: string): Promise<Result<OrderView>> {
      return inTransaction(async (trx) => {
        const loaded = await loadOrder(trx, ctx.tenantId, orderId, lockRows);
        if (!loaded) return fail('unknown_order', `Order ${orderId} does not exist.`);
        const { order, lines, payments } = loaded;
        const next = transition(orderTransitions, order.status, 'voided');
        if (!next.ok || order.status !== 'paid') {
          return fail('illegal_transition', `An order that is ${order.status} cannot be voided.`, {
            from: order.status,
          });
        }
        if (order.cash_session_id) {
          const session = await trx
            .selectFrom('cash_sessions')
            .select('status')
            .where('tenant_id', '=', ctx.tenantId)
            .where('id', '=', order.cash_session_id)
            .executeTakeFirst();
          if (session?.status === 'closed') {
            return fail(
              'void_not_allowed',
              'The cash session of this order is closed (settled); refund it instead.',
            );
          }
        }
        for (const p of payments) {
          const moved = transition(paymentTransitions, p.status, 'voided');
          if (!moved.ok) {
            return fail(
              'void_not_allowed',
              `Payment ${p.id} is ${p.status} and cannot be voided; refund instead.`,
            );
          }
        }
        const now = clock.now().toISOString();
        const moves: MovementInput[] = lines.map((l) => ({
          storeId: order.store_id,
          variantId: l.variant_id,
          kind: 'return' as const,
          qtyMilli: l.quantity_milli,
          reason: 'void',
          refId: order.id,
          staffId: ctx.staffId,
        }));
        for (const q of movementQueries(trx, ctx.tenantId, moves, now, ids)) await trx.executeQuery(q);
        await trx
          .updateTable('orders')
          .set({ status: 'voided', updated_at: now })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', order.id)
          .execute();
        await trx
          .updateTable('payments')
          .set({ status: 'voided' })
          .where('tenant_id', '=', ctx.tenantId)
          .where('order_id', '=', order.id)
          .execute();
        await trx.executeQuery(
          outboxQuery(
            trx,
            ids,
            { tenantId: ctx.tenantId, topic: 'order.voided', payload: { orderId: order.id } },
            now,
          ),
        );
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'order.void',
              entity: 'order',
              entityId: order.id,
              data: { reason },
            },
            now,
          ),
        );
        const voided: OrderTable = { ...order, status: 'voided', updated_at: now };
        return {
          ok: true,
          value: orderView(
            voided,
            lines,
            payments.map((p) => ({ ...p, status: 'voided' as const })),
          ),
        };
      });
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
