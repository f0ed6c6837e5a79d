// Inventory formulas, pure: safety stock, reorder point, economic order quantity, and the
// reorder suggestion for one item at one store. Units are whatever the caller uses for demand
// (per day) and lead time (days); costs in any one currency unit.

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Standard normal CDF by Marsaglia's series Φ(x) = ½ + φ(x)(x + x³/3 + x⁵/15 + …), all terms positive. */
export function normalCdf(x: number): number {
  if (x < -9) return 0;
  if (x > 9) return 1;
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
    term *= x2 / k;
    sum += term;
  }
  return 0.5 + sum * Math.exp(-0.5 * x2 - LOG_SQRT_2PI);
}

/** z such that Φ(z) = p (service level), by Newton's method on the CDF above. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  let z = 0;
  for (let i = 0; i < 100; i++) {
    const pdf = Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
    const step = (normalCdf(z) - p) / pdf;
    z -= Math.max(-2, Math.min(2, step));
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/** Safety stock with a fixed lead time: z·σ_d·√L. */
export function safetyStock(z: number, demandSd: number, leadTime: number): number {
  return z * demandSd * Math.sqrt(leadTime);
}

/** Safety stock when the lead time varies too: z·√(L·σ_d² + d̄²·σ_L²). */
export function safetyStockVariableLeadTime(
  z: number,
  demandMean: number,
  demandSd: number,
  leadTimeMean: number,
  leadTimeSd: number,
): number {
  return z * Math.sqrt(leadTimeMean * demandSd ** 2 + demandMean ** 2 * leadTimeSd ** 2);
}

/** Reorder point: demand over the lead time plus safety stock. */
export function reorderPoint(demandMean: number, leadTime: number, safety: number): number {
  return demandMean * leadTime + safety;
}

/** Economic order quantity √(2DS/H): D annual demand, S cost per order, H holding cost per unit per year. */
export function economicOrderQuantity(
  annualDemand: number,
  orderCost: number,
  holdingCostPerUnit: number,
): number {
  if (holdingCostPerUnit <= 0) return NaN;
  return Math.sqrt((2 * annualDemand * orderCost) / holdingCostPerUnit);
}

export interface ReorderInput {
  onHand: number;
  onOrder: number;
  /** Mean and standard deviation of demand per day. */
  demandMean: number;
  demandSd: number;
  leadTimeDays: number;
  leadTimeSdDays?: number;
  serviceLevel: number;
  orderCost: number;
  holdingCostPerUnitYear: number;
  /** Orders come in whole packs of this many units (1 when not given). */
  packSize?: number;
}

export interface ReorderSuggestion {
  safetyStock: number;
  reorderPoint: number;
  eoq: number;
  position: number;
  /** Days the on-hand stock lasts at mean demand (Infinity with no demand). */
  daysOfCover: number;
  reorder: boolean;
  /** Units to order now: 0 unless the position is at or below the reorder point. */
  quantity: number;
}

/**
 * (s, Q) policy: when on hand + on order falls to the reorder point, order the EOQ, or more if
 * that would not lift the position back above the reorder point; rounded up to whole packs.
 */
export function suggestReorder(input: ReorderInput): ReorderSuggestion {
  const z = normalQuantile(input.serviceLevel);
  const ss =
    input.leadTimeSdDays && input.leadTimeSdDays > 0
      ? safetyStockVariableLeadTime(
          z,
          input.demandMean,
          input.demandSd,
          input.leadTimeDays,
          input.leadTimeSdDays,
        )
      : safetyStock(z, input.demandSd, input.leadTimeDays);
  const rop = reorderPoint(input.demandMean, input.leadTimeDays, ss);
  const eoqRaw = economicOrderQuantity(input.demandMean * 365, input.orderCost, input.holdingCostPerUnitYear);
  const eoq = Number.isFinite(eoqRaw) ? eoqRaw : 0;
  const position = input.onHand + input.onOrder;
  const reorder = input.demandMean > 0 && position <= rop;
  const pack = input.packSize && input.packSize > 0 ? input.packSize : 1;
  const raw = reorder ? Math.max(eoq, rop - position + 1, 1) : 0;
  return {
    safetyStock: ss,
    reorderPoint: rop,
    eoq,
    position,
    daysOfCover: input.demandMean > 0 ? input.onHand / input.demandMean : Infinity,
    reorder,
    quantity: reorder ? Math.ceil(raw / pack - 1e-9) * pack : 0,
  };
}

/** Mean and sample standard deviation of a daily demand series. */
export function demandStats(daily: readonly number[]): { mean: number; sd: number } {
  const n = daily.length;
  if (n === 0) return { mean: 0, sd: 0 };
  const mean = daily.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}
