import type { Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { AmlFactTable, DB, OrderTable, PaymentTable, StoreTable } from '../../db/schema';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';
import type { EventHandler, OutboxEvent } from '../events/consumer';
import {
  defaultRuleSets,
  evaluate,
  historyNeeds,
  validateRules,
  type AmlFact,
  type AmlHit,
  type AmlRule,
  type HistoryNeed,
} from './aml-rules';
import { higherSeverity } from './cases';

/**
 * The AML side of the outbox: every committed sale, refund and void becomes an `aml_facts` row
 * (the state the rules' windows read) and is evaluated against its store's jurisdiction rule
 * set; hits become alerts (unique per dedupe key, so replays never double them) grouped into
 * open cases by subject. Runs in the consumer's transaction, never in the checkout's.
 */
export const AML_CONSUMER = 'compliance.aml';

const localParts = new Map<string, Intl.DateTimeFormat>();
// every zone's offset is a whole number of quarter hours, so the local day and hour are the same
// for every instant of one UTC minute: remembered per zone and minute (formatting is the cost)
const localByMinute = new Map<string, { day: string; hour: number }>();
function localDayAndHour(iso: string, timeZone: string): { day: string; hour: number } {
  // only UTC stamps (`…Z`) share a key by their text
  if (!iso.endsWith('Z')) return formatLocal(iso, timeZone);
  const key = `${timeZone}|${iso.slice(0, 16)}`;
  const known = localByMinute.get(key);
  if (known) return known;
  if (localByMinute.size >= 10_000) localByMinute.clear();
  const found = formatLocal(iso, timeZone);
  localByMinute.set(key, found);
  return found;
}

function formatLocal(iso: string, timeZone: string): { day: string; hour: number } {
  let f = localParts.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    localParts.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

/** Refund reasons that say no receipt was shown (the register's "no receipt" reason code). */
const noReceipt = /no[\s_-]?receipt|without receipt|无小票|无收据|无凭证/i;

const CARD_LIKE = new Set(['card', 'wallet', 'gift_card']);

type StoreRow = Pick<Selectable<StoreTable>, 'id' | 'time_zone' | 'country' | 'currency'>;

/**
 * What the facts of one consumer batch are built from, read once for the whole batch: the
 * orders and their payments (sales are immutable once paid), and the stores.
 */
const ORDER_FIELDS = [
  'id',
  'tenant_id',
  'store_id',
  'register_id',
  'staff_id',
  'customer_id',
  'currency',
  'total',
  'client_created_at',
  'created_at',
] as const;
type OrderRow = Pick<Selectable<OrderTable>, (typeof ORDER_FIELDS)[number]>;
type PaymentRow = Pick<Selectable<PaymentTable>, 'order_id' | 'kind' | 'amount' | 'reference'>;

interface BatchRows {
  orders: Map<string, OrderRow>;
  payments: Map<string, PaymentRow[]>;
  stores: Map<string, StoreRow>;
}

async function readBatchRows(trx: Kysely<DB>, events: readonly OutboxEvent[]): Promise<BatchRows> {
  const out: BatchRows = { orders: new Map(), payments: new Map(), stores: new Map() };
  const byTenant = new Map<string, Set<string>>();
  for (const e of events) {
    const orderId = (e.payload as { orderId?: unknown } | null)?.orderId;
    if (typeof orderId !== 'string') continue;
    const set = byTenant.get(e.tenantId) ?? new Set<string>();
    set.add(orderId);
    byTenant.set(e.tenantId, set);
  }
  for (const [tenantId, set] of byTenant) {
    const orderIds = [...set];
    const orders = await trx
      .selectFrom('orders')
      .select(ORDER_FIELDS)
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', orderIds)
      .execute();
    for (const o of orders) out.orders.set(o.id, o);
    const payments = await trx
      .selectFrom('payments')
      .select(['order_id', 'kind', 'amount', 'reference'])
      .where('tenant_id', '=', tenantId)
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('seq')
      .execute();
    for (const p of payments) {
      const list = out.payments.get(p.order_id);
      if (list) list.push(p);
      else out.payments.set(p.order_id, [p]);
    }
    const storeIds = [...new Set(orders.map((o) => o.store_id))];
    if (storeIds.length) {
      const stores = await trx
        .selectFrom('stores')
        .select(['id', 'time_zone', 'country', 'currency'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', storeIds)
        .execute();
      for (const st of stores) out.stores.set(st.id, st);
    }
  }
  return out;
}

/** Builds the fact an outbox event describes, from the rows its transaction committed. */
async function factFromEvent(
  trx: Kysely<DB>,
  event: OutboxEvent,
  batch: BatchRows,
): Promise<{ fact: AmlFact; country: string | null } | null> {
  const payload = event.payload as { orderId?: string; refundId?: string };
  if (!payload.orderId) return null;
  const tenantId = event.tenantId;
  const order = batch.orders.get(payload.orderId);
  if (!order || order.tenant_id !== tenantId) return null;
  const store = batch.stores.get(order.store_id);
  const timeZone = store?.time_zone ?? 'UTC';
  const payments = batch.payments.get(order.id) ?? [];
  const base = {
    id: `fact_${event.id.slice(4)}`,
    eventId: event.id,
    orderId: order.id,
    storeId: order.store_id,
    customerId: order.customer_id,
    currency: order.currency,
    phone: null,
  };
  const at = (iso: string) => {
    const { day, hour } = localDayAndHour(iso, timeZone);
    return { occurredAt: iso, businessDay: day, localHour: hour };
  };
  if (event.topic === 'order.paid') {
    const occurredAt = order.client_created_at ?? order.created_at;
    return {
      country: store?.country ?? null,
      fact: {
        ...base,
        kind: 'sale',
        refId: order.id,
        registerId: order.register_id,
        staffId: order.staff_id,
        total: order.total,
        cash: payments.filter((p) => p.kind === 'cash').reduce((s, p) => s + p.amount, 0),
        instruments: payments
          .filter((p) => CARD_LIKE.has(p.kind) && p.reference)
          .map((p) => `${p.kind}:${p.reference}`),
        ...at(occurredAt),
      },
    };
  }
  if (event.topic === 'order.refunded' && payload.refundId) {
    const refund = await trx
      .selectFrom('refunds')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', payload.refundId)
      .executeTakeFirst();
    if (!refund) return null;
    const tenders = await trx
      .selectFrom('refund_tenders')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('refund_id', '=', refund.id)
      .execute();
    return {
      country: store?.country ?? null,
      fact: {
        ...base,
        kind: 'refund',
        refId: refund.id,
        registerId: refund.register_id,
        staffId: refund.staff_id,
        total: refund.total,
        cash: tenders.filter((t) => t.kind === 'cash').reduce((s, t) => s + t.amount, 0),
        instruments: [],
        refundTenders: [...new Set(tenders.map((t) => t.kind))],
        originalTenders: [...new Set(payments.map((p) => p.kind))],
        withoutReceipt: noReceipt.test(refund.reason ?? ''),
        ...at(refund.created_at),
      },
    };
  }
  if (event.topic === 'order.voided') {
    // who voided is in the void's audit entry (the order row keeps its seller)
    const audit = await trx
      .selectFrom('audit_log')
      .select(['staff_id', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('entity_id', '=', order.id)
      .where('action', '=', 'order.void')
      .executeTakeFirst();
    return {
      country: store?.country ?? null,
      fact: {
        ...base,
        kind: 'void',
        refId: `void_${order.id}`,
        registerId: order.register_id,
        staffId: audit?.staff_id ?? order.staff_id,
        total: order.total,
        cash: 0,
        instruments: [],
        ...at(audit?.created_at ?? event.createdAt),
      },
    };
  }
  return null;
}

function rowToFact(r: AmlFactTable): AmlFact {
  const d = JSON.parse(r.details) as Partial<AmlFact> & { localHour: number; businessDay: string };
  return {
    id: r.id,
    eventId: r.event_id,
    kind: r.kind,
    refId: r.ref_id,
    orderId: r.order_id,
    storeId: r.store_id,
    registerId: r.register_id,
    staffId: r.staff_id,
    customerId: r.customer_id,
    currency: r.currency,
    total: r.total,
    cash: r.cash,
    instruments: d.instruments ?? [],
    phone: d.phone ?? null,
    ...(d.refundTenders ? { refundTenders: d.refundTenders } : {}),
    ...(d.originalTenders ? { originalTenders: d.originalTenders } : {}),
    ...(d.withoutReceipt ? { withoutReceipt: true } : {}),
    occurredAt: r.occurred_at,
    businessDay: d.businessDay,
    localHour: d.localHour,
  };
}

/**
 * The earlier facts (same currency, before `fact` in occurrence order, ties by id) that meet at
 * least one of the rules' needs, in occurrence order: one indexed query per need.
 */
async function historyFor(
  trx: Kysely<DB>,
  tenantId: string,
  fact: AmlFact,
  needs: readonly HistoryNeed[],
): Promise<AmlFact[]> {
  const found = new Map<string, AmlFact>();
  for (const need of needs) {
    let q = trx
      .selectFrom('aml_facts as f')
      .selectAll('f')
      .where('f.tenant_id', '=', tenantId)
      .where('f.currency', '=', fact.currency)
      .where('f.occurred_at', '>=', need.from)
      .where((eb) =>
        eb.or([
          eb('f.occurred_at', '<', fact.occurredAt),
          eb.and([eb('f.occurred_at', '=', fact.occurredAt), eb('f.id', '<', fact.id)]),
        ]),
      );
    switch (need.by) {
      case 'customer':
        q = q.where('f.customer_id', '=', need.customerId);
        break;
      case 'cash_band':
        q = q.where('f.kind', '=', 'sale').where('f.cash', '>=', need.low).where('f.cash', '<', need.high);
        break;
      case 'instrument': {
        const uses = await trx
          .selectFrom('aml_fact_instruments')
          .select('fact_id')
          .where('tenant_id', '=', tenantId)
          .where('instrument', '=', need.instrument)
          .where('occurred_at', '>=', need.from)
          .execute();
        if (uses.length === 0) continue;
        q = q.where(
          'f.id',
          'in',
          uses.map((u) => u.fact_id),
        );
        break;
      }
      case 'store':
        q = q.where('f.store_id', '=', need.storeId);
        break;
    }
    for (const row of await q.execute()) if (!found.has(row.id)) found.set(row.id, rowToFact(row));
  }
  return [...found.values()].sort((a, b) =>
    a.occurredAt < b.occurredAt
      ? -1
      : a.occurredAt > b.occurredAt
        ? 1
        : a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0,
  );
}

/** The tenant's rule set for a jurisdiction: its edited copy, else the shipped one. */
export async function ruleSetFor(
  trx: Kysely<DB>,
  tenantId: string,
  jurisdiction: string,
): Promise<{ rules: AmlRule[]; version: number; edited: boolean } | null> {
  const row = await trx
    .selectFrom('aml_rule_sets')
    .select(['rules', 'version'])
    .where('tenant_id', '=', tenantId)
    .where('jurisdiction', '=', jurisdiction)
    .executeTakeFirst();
  if (row) return { rules: JSON.parse(row.rules) as AmlRule[], version: row.version, edited: true };
  const shipped = defaultRuleSets[jurisdiction as keyof typeof defaultRuleSets];
  return shipped ? { rules: shipped.rules, version: 0, edited: false } : null;
}

/** Jurisdiction of a store: its country, else guessed from its currency. */
function jurisdictionOf(country: string | null, currency: string): string {
  if (country) return country.toUpperCase();
  return currency === 'CNY' ? 'CN' : currency === 'USD' ? 'US' : currency;
}

export function createAmlService(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function recordAlerts(
    trx: Kysely<DB>,
    tenantId: string,
    fact: AmlFact,
    hits: AmlHit[],
  ): Promise<number> {
    const now = clock.now().toISOString();
    let created = 0;
    for (const hit of hits) {
      const existing = await trx
        .selectFrom('aml_alerts')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('dedupe_key', '=', hit.dedupeKey)
        .executeTakeFirst();
      if (existing) continue;
      // one open case per subject: new alerts about it join that case
      let kase = await trx
        .selectFrom('compliance_cases')
        .select(['id', 'severity'])
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', 'aml')
        .where('subject', '=', hit.subject)
        .where('state', 'in', ['open', 'investigating', 'escalated'])
        .orderBy('id')
        .executeTakeFirst();
      if (!kase) {
        kase = { id: ids.newId('cas'), severity: hit.severity };
        await trx
          .insertInto('compliance_cases')
          .values({
            id: kase.id,
            tenant_id: tenantId,
            kind: 'aml',
            subject: hit.subject,
            title: hit.summary,
            severity: hit.severity,
            state: 'open',
            assignee_id: null,
            state_reason: null,
            store_id: fact.storeId,
            currency: hit.currency,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId,
              staffId: null,
              action: 'compliance_case.open',
              entity: 'compliance_case',
              entityId: kase.id,
              data: { subject: hit.subject, ruleId: hit.ruleId },
            },
            now,
          ),
        );
      } else if (higherSeverity(kase.severity, hit.severity) !== kase.severity) {
        await trx
          .updateTable('compliance_cases')
          .set({ severity: hit.severity, updated_at: now })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', kase.id)
          .execute();
      }
      const alertId = ids.newId('alr');
      await trx
        .insertInto('aml_alerts')
        .values({
          id: alertId,
          tenant_id: tenantId,
          dedupe_key: hit.dedupeKey,
          rule_id: hit.ruleId,
          rule_kind: hit.kind,
          severity: hit.severity,
          subject: hit.subject,
          event_id: fact.eventId,
          amount: hit.amount,
          currency: hit.currency,
          details: JSON.stringify({ summary: hit.summary, factIds: hit.factIds }),
          case_id: kase.id,
          occurred_at: fact.occurredAt,
          created_at: now,
        })
        .execute();
      await trx
        .insertInto('case_evidence')
        .values({
          tenant_id: tenantId,
          case_id: kase.id,
          kind: fact.kind === 'sale' ? 'order' : fact.kind,
          ref_id: fact.refId,
          note: hit.summary,
          added_by: null,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'case_id', 'kind', 'ref_id']).doNothing())
        .execute();
      await trx.executeQuery(
        auditQuery(
          trx,
          ids,
          {
            tenantId,
            staffId: null,
            action: 'aml_alert.create',
            entity: 'compliance_case',
            entityId: kase.id,
            data: {
              alertId,
              ruleId: hit.ruleId,
              subject: hit.subject,
              amount: hit.amount,
              currency: hit.currency,
            },
          },
          now,
        ),
      );
      created++;
    }
    return created;
  }

  // what one consumer batch reads once: its orders, payments and stores, and the rule sets
  const perBatch = new WeakMap<
    readonly OutboxEvent[],
    { rows: Promise<BatchRows>; ruleSets: Map<string, ReturnType<typeof ruleSetFor>> }
  >();

  /** Handles one sale/refund/void event: fact, evaluation against earlier facts, alerts. */
  const handle: EventHandler = async (event, trx, batch) => {
    let memo = perBatch.get(batch);
    if (!memo) {
      memo = { rows: readBatchRows(trx, batch), ruleSets: new Map() };
      perBatch.set(batch, memo);
    }
    const built = await factFromEvent(trx, event, await memo.rows);
    if (!built) return;
    const { fact, country } = built;
    const setKey = `${event.tenantId} ${jurisdictionOf(country, fact.currency)}`;
    let pendingSet = memo.ruleSets.get(setKey);
    if (!pendingSet) {
      pendingSet = ruleSetFor(trx, event.tenantId, jurisdictionOf(country, fact.currency));
      memo.ruleSets.set(setKey, pendingSet);
    }
    const set = await pendingSet;
    const {
      id,
      eventId,
      kind,
      refId,
      orderId,
      storeId,
      registerId,
      staffId,
      customerId,
      currency,
      total,
      cash,
      occurredAt,
      ...rest
    } = fact;
    // a replay (rewind) finds the fact already there
    await trx
      .insertInto('aml_facts')
      .values({
        id,
        tenant_id: event.tenantId,
        event_id: eventId,
        kind,
        ref_id: refId,
        order_id: orderId,
        store_id: storeId,
        register_id: registerId,
        staff_id: staffId,
        customer_id: customerId,
        currency,
        total,
        cash,
        details: JSON.stringify(rest),
        occurred_at: occurredAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    if (fact.instruments.length) {
      await trx
        .insertInto('aml_fact_instruments')
        .values(
          [...new Set(fact.instruments)].map((instrument) => ({
            tenant_id: event.tenantId,
            instrument,
            fact_id: id,
            occurred_at: occurredAt,
          })),
        )
        .onConflict((oc) => oc.columns(['tenant_id', 'instrument', 'fact_id']).doNothing())
        .execute();
    }
    if (!set) return;
    const rows = await historyFor(trx, event.tenantId, fact, historyNeeds(set.rules, fact));
    const hits = evaluate(set.rules, fact, rows);
    await recordAlerts(trx, event.tenantId, fact, hits);
  };

  return {
    handlers: { 'order.paid': handle, 'order.refunded': handle, 'order.voided': handle } as Record<
      string,
      EventHandler
    >,

    async ruleSets(tenantId: string) {
      const out = [];
      const edited = await db
        .selectFrom('aml_rule_sets')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      const seen = new Set(edited.map((r) => r.jurisdiction));
      for (const r of edited)
        out.push({
          jurisdiction: r.jurisdiction,
          version: r.version,
          edited: true,
          updatedAt: r.updated_at,
          updatedBy: r.updated_by,
          rules: JSON.parse(r.rules) as AmlRule[],
        });
      for (const [j, set] of Object.entries(defaultRuleSets))
        if (!seen.has(j))
          out.push({
            jurisdiction: j,
            version: 0,
            edited: false,
            updatedAt: null,
            updatedBy: null,
            rules: set.rules,
          });
      return out.sort((a, b) => a.jurisdiction.localeCompare(b.jurisdiction));
    },

    async saveRuleSet(
      ctx: AuthContext,
      jurisdiction: string,
      rules: unknown,
    ): Promise<Result<{ jurisdiction: string; version: number; rules: AmlRule[] }>> {
      const problem = validateRules(rules);
      if (problem) return fail('invalid_rules', problem);
      const now = clock.now().toISOString();
      return db.transaction().execute(async (trx) => {
        const current = await trx
          .selectFrom('aml_rule_sets')
          .select(['id', 'version', 'rules'])
          .where('tenant_id', '=', ctx.tenantId)
          .where('jurisdiction', '=', jurisdiction)
          .executeTakeFirst();
        const version = (current?.version ?? 0) + 1;
        if (current) {
          await trx
            .updateTable('aml_rule_sets')
            .set({ rules: JSON.stringify(rules), version, updated_by: ctx.staffId, updated_at: now })
            .where('id', '=', current.id)
            .execute();
        } else {
          await trx
            .insertInto('aml_rule_sets')
            .values({
              id: ids.newId('rs'),
              tenant_id: ctx.tenantId,
              jurisdiction,
              rules: JSON.stringify(rules),
              version,
              updated_by: ctx.staffId,
              updated_at: now,
            })
            .execute();
        }
        await trx.executeQuery(
          auditQuery(
            trx,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'aml_rules.update',
              entity: 'aml_rule_set',
              entityId: jurisdiction,
              data: {
                version,
                before: current ? (JSON.parse(current.rules) as unknown) : null,
                after: rules,
              },
            },
            now,
          ),
        );
        return { ok: true as const, value: { jurisdiction, version, rules: rules as AmlRule[] } };
      });
    },

    async alerts(tenantId: string, filter: { caseId?: string; limit?: number }) {
      let q = db.selectFrom('aml_alerts').selectAll().where('tenant_id', '=', tenantId);
      if (filter.caseId) q = q.where('case_id', '=', filter.caseId);
      const rows = await q
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 200)
        .execute();
      return rows.map((a) => ({
        id: a.id,
        ruleId: a.rule_id,
        ruleKind: a.rule_kind,
        severity: a.severity,
        subject: a.subject,
        amount: a.amount,
        currency: a.currency,
        caseId: a.case_id,
        occurredAt: a.occurred_at,
        ...(JSON.parse(a.details) as { summary: string; factIds: string[] }),
      }));
    },
  };
}

export type AmlService = ReturnType<typeof createAmlService>;
