// The heavy, pure parts of the scheduled insights jobs, run in a worker thread by the service
// (lib/worker-job.ts) so the API keeps answering while they compute. Plain data in and out:
// the rows come as the service reads them (tuples, cheaper to copy than objects).

import { basketsFromPairs, mineRules, type AssociationRule } from './apriori';
import { rfm, type CustomerRfm, type PurchaseRow } from './rfm';
import { localDateHour } from './time';

/** One order line: [order id, variant id]. */
export type BasketLine = [orderId: string, variantId: string];

export interface RuleMining {
  minSupport: number;
  minConfidence: number;
  maxLength: number;
}

/** Groups the order lines into baskets and mines them. */
export function mineBaskets(
  options: RuleMining,
  lines: BasketLine[],
): { baskets: number; itemsets: number; rules: AssociationRule[] } {
  const baskets = basketsFromPairs(lines);
  const { itemsets, rules } = mineRules(baskets, options);
  return { baskets: baskets.length, itemsets: itemsets.length, rules };
}

/** One purchase: [customer id, created_at (UTC ISO), total (minor units), currency, store time zone]. */
export type PurchaseLine = [
  customerId: string,
  createdAt: string,
  total: number,
  currency: string,
  timeZone: string,
];

/**
 * RFM per currency: each currency's buyers are ranked among themselves, on the stores' local
 * days; "today" is `asOf` or the latest local date of that currency's stores at `now`.
 */
export function scoreRfm(
  at: { now: string; asOf?: string },
  purchases: PurchaseLine[],
): (CustomerRfm & { currency: string })[] {
  const byCurrency = new Map<string, { today: string; purchases: PurchaseRow[] }>();
  const todayIn = new Map<string, string>();
  for (const [customerId, createdAt, total, currency, timeZone] of purchases) {
    let group = byCurrency.get(currency);
    if (!group) byCurrency.set(currency, (group = { today: '', purchases: [] }));
    let localToday = at.asOf ?? todayIn.get(timeZone);
    if (localToday === undefined) todayIn.set(timeZone, (localToday = localDateHour(at.now, timeZone).date));
    if (localToday > group.today) group.today = localToday;
    group.purchases.push({ customerId, date: localDateHour(createdAt, timeZone).date, amount: total });
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([currency, g]) => rfm(g.purchases, g.today).map((c) => ({ ...c, currency })));
}
