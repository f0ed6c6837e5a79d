import type { RoundingMode } from './rounding';
import { divRound } from './rounding';

/** A fixed amount in minor units, or a percentage in basis points (10% = 1000, max 10000). */
export type Discount = { kind: 'amount'; amount: number } | { kind: 'percent'; percentBp: number };

export interface AppliedDiscount {
  discount: Discount;
  reason: string;
  /** Staff id. */
  by: string;
}

export const BP_SCALE = 10_000;

/** Why a discount is malformed, or undefined when well-formed. */
export function discountProblem(discount: Discount): string | undefined {
  if (discount.kind === 'amount') {
    return Number.isSafeInteger(discount.amount) && discount.amount >= 0
      ? undefined
      : 'a discount amount must be a non-negative safe integer of minor units';
  }
  return Number.isSafeInteger(discount.percentBp) && discount.percentBp >= 0 && discount.percentBp <= BP_SCALE
    ? undefined
    : 'a percent discount must be 0..10000 basis points';
}

/** The discount amount on `base` (percent rounded with `mode`); may exceed base for amount discounts. */
export function discountAmount(discount: Discount, base: bigint, mode: RoundingMode): bigint {
  return discount.kind === 'amount'
    ? BigInt(discount.amount)
    : divRound(base * BigInt(discount.percentBp), BigInt(BP_SCALE), mode);
}
