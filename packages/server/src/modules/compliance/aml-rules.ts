/**
 * Transaction monitoring rules (AML/CFT). Rule sets are data (one per jurisdiction, editable in
 * the back office); `evaluate` is pure: one committed fact plus the tenant's earlier facts in
 * the rules' windows in, hits out. The caller keeps the facts (the windows' state) in
 * `aml_facts` and turns hits into alerts; a hit's `dedupeKey` depends only on the rule, the
 * subject and the facts, so evaluating the same history twice gives the same keys.
 */
export type Severity = 'low' | 'medium' | 'high';

export type AmlRule =
  | (RuleBase & {
      kind: 'large_cash';
      /** cash at or above (`inclusive`) / above this, per customer per business day or per sale */
      threshold: number;
      inclusive: boolean;
    })
  | (RuleBase & {
      kind: 'structuring';
      threshold: number;
      /** cash sales from `bandPercent` % of the threshold up to it are "just under" */
      bandPercent: number;
      /** at least this many band sales by one subject within `windowMinutes`… */
      minCount: number;
      /** …or at least this many within `longWindowMinutes` */
      longMinCount: number;
      longWindowMinutes: number;
      by: SubjectKey[];
    })
  | (RuleBase & {
      kind: 'velocity';
      /** a card or wallet used this many times within `windowMinutes` (any store) */
      maxUses: number;
    })
  | (RuleBase & { kind: 'refund_tender_mismatch' })
  | (RuleBase & { kind: 'refund_without_receipt' })
  | (RuleBase & {
      kind: 'refund_rate';
      /** a cashier's (refunds + voids) / sales over `windowMinutes`, against the peers' median */
      factor: number;
      minRate: number;
      minSales: number;
    })
  | (RuleBase & { kind: 'round_amount'; minAmount: number; multiple: number })
  | (RuleBase & { kind: 'after_hours'; startHour: number; endHour: number; minAmount: number });

export type RuleKind = AmlRule['kind'];
export type SubjectKey = 'customer' | 'card' | 'phone' | 'register';

interface RuleBase {
  id: string;
  enabled: boolean;
  severity: Severity;
  /** thresholds are in minor units of this currency; facts in another currency are skipped */
  currency: string;
  windowMinutes: number;
  description: string;
}

/** A committed sale, refund or void as the rules see it. */
export interface AmlFact {
  id: string;
  eventId: string;
  kind: 'sale' | 'refund' | 'void';
  refId: string;
  orderId: string;
  storeId: string;
  registerId: string | null;
  staffId: string | null;
  customerId: string | null;
  currency: string;
  /** the sale's or refund's total, minor units */
  total: number;
  /** the part paid (or refunded) in cash */
  cash: number;
  /** card/wallet references (tokens, masked numbers, wallet ids) used */
  instruments: string[];
  phone: string | null;
  /** refunds: tender kinds refunded to, and those the sale was paid with */
  refundTenders?: string[];
  originalTenders?: string[];
  /** refunds: no receipt was presented */
  withoutReceipt?: boolean;
  /** ISO instant, and the store-local business day and hour */
  occurredAt: string;
  businessDay: string;
  localHour: number;
}

export interface AmlHit {
  ruleId: string;
  kind: RuleKind;
  severity: Severity;
  /** who or what the alert is about: `customer:cus_…`, `instrument:card:…`, `register:reg_…`, `staff:stf_…`, `order:ord_…` */
  subject: string;
  dedupeKey: string;
  amount: number;
  currency: string;
  /** the facts (ids) that make the pattern */
  factIds: string[];
  summary: string;
}

export interface RuleSet {
  jurisdiction: string;
  rules: AmlRule[];
}

/** The longest look-back any rule in the set needs. */
export function lookBackMinutes(rules: readonly AmlRule[]): number {
  return rules.reduce(
    (m, r) => Math.max(m, r.windowMinutes, r.kind === 'structuring' ? r.longWindowMinutes : 0),
    0,
  );
}

const minutesBefore = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) - minutes * 60_000).toISOString();

/**
 * The part of the history a rule can look at, for one fact. `evaluate` gives the same hits on
 * the facts that meet at least one need as on the whole look-back window, so the store reads
 * just these (by customer, by instrument, the rare cash sales in a structuring band, or a
 * store's facts when a refund or void is rated) instead of every fact of the last days.
 */
export type HistoryNeed =
  | { by: 'customer'; customerId: string; from: string }
  | { by: 'cash_band'; low: number; high: number; from: string }
  | { by: 'instrument'; instrument: string; from: string }
  | { by: 'store'; storeId: string; from: string };

export function historyNeeds(rules: readonly AmlRule[], fact: AmlFact): HistoryNeed[] {
  const needs: HistoryNeed[] = [];
  const lookBack = minutesBefore(fact.occurredAt, lookBackMinutes(rules));
  for (const rule of rules) {
    if (!rule.enabled || rule.currency !== fact.currency) continue;
    switch (rule.kind) {
      case 'large_cash':
        // the customer's cash earlier on the same business day
        if (fact.kind === 'sale' && fact.cash > 0 && fact.customerId)
          needs.push({ by: 'customer', customerId: fact.customerId, from: lookBack });
        break;
      case 'structuring': {
        const low = Math.ceil((rule.threshold * rule.bandPercent) / 100);
        if (fact.kind === 'sale' && fact.cash >= low && fact.cash < rule.threshold)
          needs.push({
            by: 'cash_band',
            low,
            high: rule.threshold,
            from: minutesBefore(fact.occurredAt, Math.max(rule.windowMinutes, rule.longWindowMinutes)),
          });
        break;
      }
      case 'velocity':
        if (fact.kind === 'sale')
          for (const instrument of fact.instruments)
            needs.push({
              by: 'instrument',
              instrument,
              from: minutesBefore(fact.occurredAt, rule.windowMinutes),
            });
        break;
      case 'refund_rate':
        if ((fact.kind === 'refund' || fact.kind === 'void') && fact.staffId)
          needs.push({
            by: 'store',
            storeId: fact.storeId,
            from: minutesBefore(fact.occurredAt, rule.windowMinutes),
          });
        break;
      default:
        break; // the other rules look at the fact alone
    }
  }
  return needs;
}

/** Does an earlier fact meet a need? (The store's queries select exactly these.) */
export function meetsNeed(need: HistoryNeed, h: AmlFact): boolean {
  if (h.occurredAt < need.from) return false;
  switch (need.by) {
    case 'customer':
      return h.customerId === need.customerId;
    case 'cash_band':
      return h.kind === 'sale' && h.cash >= need.low && h.cash < need.high;
    case 'instrument':
      return h.instruments.includes(need.instrument);
    case 'store':
      return h.storeId === need.storeId;
  }
}

function subjectsOf(fact: AmlFact, by: readonly SubjectKey[]): string[] {
  const out: string[] = [];
  for (const key of by) {
    if (key === 'customer' && fact.customerId) out.push(`customer:${fact.customerId}`);
    if (key === 'register' && fact.registerId) out.push(`register:${fact.registerId}`);
    if (key === 'phone' && fact.phone) out.push(`phone:${fact.phone}`);
    if (key === 'card') for (const i of fact.instruments) out.push(`instrument:${i}`);
  }
  return out;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Hits of `rules` for `fact`, given `history`: the tenant's facts that happened before it
 * (ordered by occurrence; at most the longest window back). Pure and deterministic.
 */
export function evaluate(rules: readonly AmlRule[], fact: AmlFact, history: readonly AmlFact[]): AmlHit[] {
  const hits: AmlHit[] = [];
  const within = (minutes: number) => {
    const from = minutesBefore(fact.occurredAt, minutes);
    return history.filter((h) => h.occurredAt >= from);
  };
  for (const rule of rules) {
    if (!rule.enabled || rule.currency !== fact.currency) continue;
    const base = { ruleId: rule.id, kind: rule.kind, severity: rule.severity, currency: fact.currency };
    switch (rule.kind) {
      case 'large_cash': {
        if (fact.kind !== 'sale' || fact.cash <= 0) break;
        const over = (amount: number) =>
          rule.inclusive ? amount >= rule.threshold : amount > rule.threshold;
        if (fact.customerId) {
          // per customer per business day: alert once, when the day's cash crosses the threshold
          const sameDay = history.filter(
            (h) =>
              h.kind === 'sale' && h.customerId === fact.customerId && h.businessDay === fact.businessDay,
          );
          const before = sameDay.reduce((s, h) => s + h.cash, 0);
          if (!over(before) && over(before + fact.cash)) {
            hits.push({
              ...base,
              subject: `customer:${fact.customerId}`,
              dedupeKey: `${rule.id}|customer:${fact.customerId}|${fact.businessDay}`,
              amount: before + fact.cash,
              factIds: [...sameDay.filter((h) => h.cash > 0).map((h) => h.id), fact.id],
              summary: `cash ${before + fact.cash} in ${sameDay.length + 1} sale(s) on ${fact.businessDay}`,
            });
          }
        } else if (over(fact.cash)) {
          hits.push({
            ...base,
            subject: `order:${fact.orderId}`,
            dedupeKey: `${rule.id}|order:${fact.orderId}`,
            amount: fact.cash,
            factIds: [fact.id],
            summary: `cash ${fact.cash} in one sale`,
          });
        }
        break;
      }
      case 'structuring': {
        const low = Math.ceil((rule.threshold * rule.bandPercent) / 100);
        const inBand = (h: AmlFact) => h.kind === 'sale' && h.cash >= low && h.cash < rule.threshold;
        if (!inBand(fact)) break;
        const short = within(rule.windowMinutes);
        const long = within(rule.longWindowMinutes);
        for (const subject of subjectsOf(fact, rule.by)) {
          const mine = (h: AmlFact) => inBand(h) && subjectsOf(h, rule.by).includes(subject);
          const shortHits = short.filter(mine);
          const longHits = long.filter(mine);
          if (shortHits.length + 1 >= rule.minCount || longHits.length + 1 >= rule.longMinCount) {
            const facts = [...longHits, fact];
            hits.push({
              ...base,
              subject,
              dedupeKey: `${rule.id}|${subject}|${fact.id}`,
              amount: facts.reduce((s, h) => s + h.cash, 0),
              factIds: facts.map((h) => h.id),
              summary: `${shortHits.length + 1} cash sale(s) just under ${rule.threshold} within ${rule.windowMinutes} min, ${longHits.length + 1} within ${rule.longWindowMinutes} min`,
            });
          }
        }
        break;
      }
      case 'velocity': {
        if (fact.kind !== 'sale') break;
        const recent = within(rule.windowMinutes);
        for (const instrument of fact.instruments) {
          const uses = recent.filter((h) => h.kind === 'sale' && h.instruments.includes(instrument));
          // once per burst: when the count reaches the limit
          if (uses.length + 1 === rule.maxUses) {
            const facts = [...uses, fact];
            hits.push({
              ...base,
              subject: `instrument:${instrument}`,
              dedupeKey: `${rule.id}|instrument:${instrument}|${fact.id}`,
              amount: facts.reduce((s, h) => s + h.total, 0),
              factIds: facts.map((h) => h.id),
              summary: `${facts.length} uses in ${rule.windowMinutes} min across ${new Set(facts.map((h) => h.storeId)).size} store(s)`,
            });
          }
        }
        break;
      }
      case 'refund_tender_mismatch': {
        if (fact.kind !== 'refund' || !fact.refundTenders || !fact.originalTenders) break;
        const paid = new Set(fact.originalTenders);
        const other = fact.refundTenders.filter((k) => !paid.has(k));
        if (other.length) {
          hits.push({
            ...base,
            subject: fact.staffId ? `staff:${fact.staffId}` : `order:${fact.orderId}`,
            dedupeKey: `${rule.id}|${fact.refId}`,
            amount: fact.total,
            factIds: [fact.id],
            summary: `refunded to ${other.join(', ')}; paid with ${[...paid].join(', ')}`,
          });
        }
        break;
      }
      case 'refund_without_receipt': {
        if (fact.kind !== 'refund' || !fact.withoutReceipt) break;
        hits.push({
          ...base,
          subject: fact.staffId ? `staff:${fact.staffId}` : `order:${fact.orderId}`,
          dedupeKey: `${rule.id}|${fact.refId}`,
          amount: fact.total,
          factIds: [fact.id],
          summary: 'refund without a receipt',
        });
        break;
      }
      case 'refund_rate': {
        if ((fact.kind !== 'refund' && fact.kind !== 'void') || !fact.staffId) break;
        const window = [...within(rule.windowMinutes), fact];
        const byStaff = new Map<string, { sales: number; reversals: number }>();
        for (const h of window) {
          if (!h.staffId || h.storeId !== fact.storeId) continue;
          const s = byStaff.get(h.staffId) ?? { sales: 0, reversals: 0 };
          if (h.kind === 'sale') s.sales++;
          else s.reversals++;
          byStaff.set(h.staffId, s);
        }
        const me = byStaff.get(fact.staffId);
        const peers = [...byStaff.entries()].filter(
          ([id, s]) => id !== fact.staffId && s.sales >= rule.minSales,
        );
        if (!me || me.sales < rule.minSales || peers.length === 0) break;
        const rate = me.reversals / me.sales;
        const peerMedian = median(peers.map(([, s]) => s.reversals / s.sales));
        if (rate >= rule.minRate && rate >= rule.factor * peerMedian) {
          hits.push({
            ...base,
            subject: `staff:${fact.staffId}`,
            // at most one alert per cashier per business day
            dedupeKey: `${rule.id}|staff:${fact.staffId}|${fact.businessDay}`,
            amount: fact.total,
            factIds: [fact.id],
            summary: `refund/void rate ${(rate * 100).toFixed(1)} % vs peers' median ${(peerMedian * 100).toFixed(1)} % (${me.reversals}/${me.sales})`,
          });
        }
        break;
      }
      case 'round_amount': {
        if (fact.kind !== 'sale' || fact.cash < rule.minAmount || fact.cash % rule.multiple !== 0) break;
        hits.push({
          ...base,
          subject: fact.customerId ? `customer:${fact.customerId}` : `order:${fact.orderId}`,
          dedupeKey: `${rule.id}|${fact.refId}`,
          amount: fact.cash,
          factIds: [fact.id],
          summary: `round cash amount ${fact.cash}`,
        });
        break;
      }
      case 'after_hours': {
        if (fact.kind !== 'sale' || fact.total < rule.minAmount) break;
        const h = fact.localHour;
        const after =
          rule.startHour <= rule.endHour
            ? h >= rule.startHour && h < rule.endHour
            : h >= rule.startHour || h < rule.endHour;
        if (!after) break;
        hits.push({
          ...base,
          subject: fact.registerId ? `register:${fact.registerId}` : `order:${fact.orderId}`,
          dedupeKey: `${rule.id}|${fact.refId}`,
          amount: fact.total,
          factIds: [fact.id],
          summary: `sale of ${fact.total} at ${String(h).padStart(2, '0')}:00 local time`,
        });
        break;
      }
    }
  }
  return hits;
}

const common = { enabled: true };

/**
 * Shipped rule sets. Thresholds from the reference (PBOC Order [2016] No. 3 Art. 5: cash
 * ≥ RMB 50,000 per customer per day; 31 CFR 1010.330 / Form 8300: cash > USD 10,000 in one or
 * related transactions); the typology parameters (bands, counts, windows) are starting points to
 * tune per merchant. Copied into a tenant's `aml_rule_sets` on first use, then edited there.
 */
export const defaultRuleSets: Record<'CN' | 'US', RuleSet> = {
  CN: {
    jurisdiction: 'CN',
    rules: [
      {
        ...common,
        id: 'cn-large-cash',
        kind: 'large_cash',
        severity: 'high',
        currency: 'CNY',
        windowMinutes: 1440,
        threshold: 5_000_000,
        inclusive: true,
        description: 'Cash ≥ CNY 50,000 per customer per day (大额现金交易)',
      },
      {
        ...common,
        id: 'cn-structuring',
        kind: 'structuring',
        severity: 'high',
        currency: 'CNY',
        windowMinutes: 1440,
        threshold: 5_000_000,
        bandPercent: 80,
        minCount: 2,
        longMinCount: 3,
        longWindowMinutes: 10080,
        by: ['customer', 'card', 'phone', 'register'],
        description: 'Cash sales of CNY 40,000–49,999.99: ≥ 2 in 24 h or ≥ 3 in 7 days',
      },
      {
        ...common,
        id: 'cn-velocity',
        kind: 'velocity',
        severity: 'medium',
        currency: 'CNY',
        windowMinutes: 10,
        maxUses: 5,
        description: 'One card or wallet used 5 times within 10 minutes',
      },
      {
        ...common,
        id: 'cn-refund-tender',
        kind: 'refund_tender_mismatch',
        severity: 'medium',
        currency: 'CNY',
        windowMinutes: 0,
        description: 'Refund to a tender the sale was not paid with',
      },
      {
        ...common,
        id: 'cn-refund-no-receipt',
        kind: 'refund_without_receipt',
        severity: 'low',
        currency: 'CNY',
        windowMinutes: 0,
        description: 'Refund without a receipt',
      },
      {
        ...common,
        id: 'cn-refund-rate',
        kind: 'refund_rate',
        severity: 'medium',
        currency: 'CNY',
        windowMinutes: 10080,
        factor: 3,
        minRate: 0.1,
        minSales: 10,
        description: "A cashier's refund/void rate over 7 days ≥ 3× the peers' median (and ≥ 10 %)",
      },
      {
        ...common,
        id: 'cn-round-amount',
        kind: 'round_amount',
        severity: 'low',
        currency: 'CNY',
        windowMinutes: 0,
        minAmount: 1_000_000,
        multiple: 100_000,
        description: 'Cash sale of CNY 10,000 or more in whole thousands',
      },
      {
        ...common,
        id: 'cn-after-hours',
        kind: 'after_hours',
        severity: 'low',
        currency: 'CNY',
        windowMinutes: 0,
        startHour: 23,
        endHour: 6,
        minAmount: 200_000,
        description: 'Sale of CNY 2,000 or more between 23:00 and 06:00',
      },
    ],
  },
  US: {
    jurisdiction: 'US',
    rules: [
      {
        ...common,
        id: 'us-large-cash',
        kind: 'large_cash',
        severity: 'high',
        currency: 'USD',
        windowMinutes: 1440,
        threshold: 1_000_000,
        inclusive: false,
        description: 'Cash over USD 10,000 in one or related transactions (Form 8300)',
      },
      {
        ...common,
        id: 'us-structuring',
        kind: 'structuring',
        severity: 'high',
        currency: 'USD',
        windowMinutes: 1440,
        threshold: 1_000_000,
        bandPercent: 80,
        minCount: 2,
        longMinCount: 3,
        longWindowMinutes: 10080,
        by: ['customer', 'card', 'phone', 'register'],
        description: 'Cash sales of USD 8,000–9,999.99: ≥ 2 in 24 h or ≥ 3 in 7 days (31 USC 5324)',
      },
      {
        ...common,
        id: 'us-velocity',
        kind: 'velocity',
        severity: 'medium',
        currency: 'USD',
        windowMinutes: 10,
        maxUses: 5,
        description: 'One card or wallet used 5 times within 10 minutes',
      },
      {
        ...common,
        id: 'us-refund-tender',
        kind: 'refund_tender_mismatch',
        severity: 'medium',
        currency: 'USD',
        windowMinutes: 0,
        description: 'Refund to a tender the sale was not paid with',
      },
      {
        ...common,
        id: 'us-refund-no-receipt',
        kind: 'refund_without_receipt',
        severity: 'low',
        currency: 'USD',
        windowMinutes: 0,
        description: 'Refund without a receipt',
      },
      {
        ...common,
        id: 'us-refund-rate',
        kind: 'refund_rate',
        severity: 'medium',
        currency: 'USD',
        windowMinutes: 10080,
        factor: 3,
        minRate: 0.1,
        minSales: 10,
        description: "A cashier's refund/void rate over 7 days ≥ 3× the peers' median (and ≥ 10 %)",
      },
      {
        ...common,
        id: 'us-round-amount',
        kind: 'round_amount',
        severity: 'low',
        currency: 'USD',
        windowMinutes: 0,
        minAmount: 300_000,
        multiple: 10_000,
        description: 'Cash sale of USD 3,000 or more in whole hundreds',
      },
      {
        ...common,
        id: 'us-after-hours',
        kind: 'after_hours',
        severity: 'low',
        currency: 'USD',
        windowMinutes: 0,
        startHour: 23,
        endHour: 6,
        minAmount: 30_000,
        description: 'Sale of USD 300 or more between 23:00 and 06:00',
      },
    ],
  },
};

/** Checks an edited rule set; returns what is wrong, or null. */
export function validateRules(rules: unknown): string | null {
  if (!Array.isArray(rules)) return 'rules must be an array';
  const ids = new Set<string>();
  const kinds = new Set<RuleKind>([
    'large_cash',
    'structuring',
    'velocity',
    'refund_tender_mismatch',
    'refund_without_receipt',
    'refund_rate',
    'round_amount',
    'after_hours',
  ]);
  for (const r of rules as Record<string, unknown>[]) {
    if (typeof r !== 'object' || r === null) return 'each rule is an object';
    if (typeof r.id !== 'string' || !r.id) return 'each rule needs an id';
    if (ids.has(r.id)) return `duplicate rule id ${r.id}`;
    ids.add(r.id);
    if (!kinds.has(r.kind as RuleKind)) return `rule ${r.id}: unknown kind ${String(r.kind)}`;
    if (!['low', 'medium', 'high'].includes(r.severity as string))
      return `rule ${r.id}: severity is low, medium or high`;
    if (typeof r.currency !== 'string' || !/^[A-Z]{3}$/.test(r.currency))
      return `rule ${r.id}: currency is an ISO 4217 code`;
    for (const k of [
      'windowMinutes',
      'threshold',
      'minCount',
      'longMinCount',
      'longWindowMinutes',
      'maxUses',
      'minAmount',
      'multiple',
      'minSales',
      'startHour',
      'endHour',
    ]) {
      if (k in r && (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0))
        return `rule ${r.id}: ${k} must be a whole number ≥ 0`;
    }
    if (r.kind === 'round_amount' && !((r.multiple as number) > 0))
      return `rule ${r.id}: multiple must be > 0`;
    if (r.kind === 'structuring' && !((r.bandPercent as number) > 0 && (r.bandPercent as number) < 100))
      return `rule ${r.id}: bandPercent between 0 and 100`;
  }
  return null;
}
