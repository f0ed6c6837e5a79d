// RFM segmentation, pure: recency (days since the last purchase), frequency (purchases) and
// monetary value (total spent) per customer, each scored 1–5 by quintile (5 is best: most
// recent, most frequent, highest spend), then a named segment from the R and F scores.

export interface PurchaseRow {
  customerId: string;
  /** Calendar date of the purchase, YYYY-MM-DD (in the store's time zone). */
  date: string;
  /** Amount in minor units. */
  amount: number;
}

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose',
  'hibernating',
  'lost',
] as const;

export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export interface CustomerRfm {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  firstDate: string;
  lastDate: string;
  r: number;
  f: number;
  m: number;
  segment: RfmSegment;
}

function dayNumber(date: string): number {
  const ms = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

/**
 * Scores 1..5 by rank: the sorted customers are cut into five groups whose sizes differ by at
 * most one (larger groups first, as dplyr's ntile), so every quintile is filled even when many
 * customers tie. Ties are broken by the given secondary keys and then the customer id, so the
 * result does not depend on the input order.
 */
function ntile<T>(items: T[], compare: (a: T, b: T) => number): Map<T, number> {
  const sorted = [...items].sort(compare);
  const n = sorted.length;
  const out = new Map<T, number>();
  const base = Math.floor(n / 5);
  const extra = n % 5;
  let i = 0;
  for (let q = 1; q <= 5; q++) {
    const size = base + (q <= extra ? 1 : 0);
    for (let k = 0; k < size; k++) out.set(sorted[i++]!, q);
  }
  return out;
}

/** The R × F grid most RFM guides use; first match wins. */
export function segmentFor(r: number, f: number): RfmSegment {
  if (r >= 4) return f >= 4 ? 'champions' : f === 1 ? 'new' : 'potential_loyalist';
  if (r === 3) return f >= 4 ? 'loyal' : f === 1 ? 'promising' : 'need_attention';
  if (r === 2) return f >= 3 ? 'at_risk' : 'about_to_sleep';
  if (f >= 4) return 'cannot_lose';
  if (f === 3) return 'at_risk';
  return f === 2 ? 'hibernating' : 'lost';
}

export function rfm(rows: readonly PurchaseRow[], asOf: string): CustomerRfm[] {
  const today = dayNumber(asOf);
  const acc = new Map<string, { first: string; last: string; frequency: number; monetary: number }>();
  for (const row of rows) {
    const date = row.date.slice(0, 10);
    const a = acc.get(row.customerId);
    if (!a) {
      acc.set(row.customerId, { first: date, last: date, frequency: 1, monetary: row.amount });
    } else {
      a.frequency++;
      a.monetary += row.amount;
      if (date > a.last) a.last = date;
      if (date < a.first) a.first = date;
    }
  }
  const customers = [...acc.entries()].map(([customerId, a]) => ({
    customerId,
    recencyDays: today - dayNumber(a.last),
    frequency: a.frequency,
    monetary: a.monetary,
    firstDate: a.first,
    lastDate: a.last,
  }));
  type C = (typeof customers)[number];
  const byId = (a: C, b: C) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
  // Worst first, so quintile 1 is the worst and 5 the best.
  const rq = ntile(
    customers,
    (a, b) =>
      b.recencyDays - a.recencyDays || a.frequency - b.frequency || a.monetary - b.monetary || byId(a, b),
  );
  const fq = ntile(
    customers,
    (a, b) =>
      a.frequency - b.frequency || b.recencyDays - a.recencyDays || a.monetary - b.monetary || byId(a, b),
  );
  const mq = ntile(customers, (a, b) => a.monetary - b.monetary || a.frequency - b.frequency || byId(a, b));
  return customers
    .map((c) => {
      const r = rq.get(c)!;
      const f = fq.get(c)!;
      return { ...c, r, f, m: mq.get(c)!, segment: segmentFor(r, f) };
    })
    .sort(byId);
}
