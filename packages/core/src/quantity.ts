/** Quantities are JS numbers with at most 3 decimals; internally integer thousandths. */
export const QTY_SCALE = 1000;

/**
 * 0.345 -> 345. Undefined when `qty` is not finite, has more than 3 decimals, or its
 * thousandths are not a safe integer. (A double counts as 3-decimal when it is the double
 * nearest to some k/1000, which is what parsing "0.345" produces.)
 */
export function toMilli(qty: number): number | undefined {
  if (typeof qty !== 'number' || !Number.isFinite(qty)) return undefined;
  const milli = Math.round(qty * QTY_SCALE);
  if (!Number.isSafeInteger(milli) || milli / QTY_SCALE !== qty) return undefined;
  return milli === 0 ? 0 : milli;
}

/** 345 -> 0.345 (the double nearest to milli / 1000). */
export function fromMilli(milli: number): number {
  return milli / QTY_SCALE;
}
