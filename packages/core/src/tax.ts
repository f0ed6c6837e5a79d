import type { RoundingMode } from './rounding';
import { divRound } from './rounding';

/** Tax rates are parts per million: 13% = 130000. */
export const PPM_SCALE = 1_000_000;
const PPM = BigInt(PPM_SCALE);

/** Tax on a pre-tax amount: round(net × rate). */
export function exclusiveTax(net: bigint, ratePpm: number, mode: RoundingMode): bigint {
  return divRound(net * BigInt(ratePpm), PPM, mode);
}

/** Tax contained in a tax-inclusive amount: gross − round(gross / (1 + rate)). */
export function inclusiveTax(gross: bigint, ratePpm: number, mode: RoundingMode): bigint {
  return gross - divRound(gross * PPM, PPM + BigInt(ratePpm), mode);
}

export function isValidRatePpm(ratePpm: number): boolean {
  return Number.isSafeInteger(ratePpm) && ratePpm >= 0 && ratePpm <= 10 * PPM_SCALE;
}
