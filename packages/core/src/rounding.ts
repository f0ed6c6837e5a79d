/**
 * The one place where rounding happens. `half_up` rounds ties away from zero (commercial
 * rounding), `half_down` ties toward zero, `half_even` ties to the even neighbour (banker's);
 * `up` is away from zero, `down` toward zero (truncation).
 */
export type RoundingMode = 'half_up' | 'half_even' | 'half_down' | 'up' | 'down';

export const ROUNDING_MODES: readonly RoundingMode[] = ['half_up', 'half_even', 'half_down', 'up', 'down'];

/** numerator / denominator rounded to an integer with `mode`, exactly. Throws on a zero denominator. */
export function divRound(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('divRound: division by zero');
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncated toward zero
  const r = n % d; // same sign as n
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  const twice = (r < 0n ? -r : r) * 2n;
  switch (mode) {
    case 'down':
      return q;
    case 'up':
      return away;
    case 'half_up':
      return twice >= d ? away : q;
    case 'half_down':
      return twice > d ? away : q;
    case 'half_even':
      if (twice !== d) return twice > d ? away : q;
      return q % 2n === 0n ? q : away;
  }
}

/** Rounds `minor` to a multiple of `increment` (cash rounding): 1233 step 5 half_up -> 1235. */
export function roundToIncrement(minor: number, increment: number, mode: RoundingMode): number {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not a safe integer: ${minor}`);
  if (!Number.isSafeInteger(increment) || increment <= 0) {
    throw new RangeError(`increment must be a positive safe integer: ${increment}`);
  }
  if (increment === 1) return minor;
  const step = BigInt(increment);
  const result = divRound(BigInt(minor), step, mode) * step;
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`rounded amount out of safe range: ${minor}`);
  }
  return result === 0n ? 0 : Number(result);
}

/**
 * Largest-remainder allocation on bigints: parts are floor shares plus one for the largest
 * remainders (ties to the lowest index), so they sum exactly to `total`. `total` >= 0,
 * weights >= 0; all-zero weights split evenly.
 */
export function allocateBig(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) {
    if (total === 0n) return [];
    throw new RangeError('allocate: no weights to allocate a non-zero total over');
  }
  if (total < 0n) return allocateBig(-total, weights).map((part) => -part);
  let sum = 0n;
  for (const w of weights) {
    if (w < 0n) throw new RangeError('allocate: weights must be non-negative');
    sum += w;
  }
  const ws = sum === 0n ? weights.map(() => 1n) : weights;
  const denominator = sum === 0n ? BigInt(weights.length) : sum;
  const parts: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const w of ws) {
    const product = total * w;
    const part = product / denominator;
    parts.push(part);
    remainders.push(product % denominator);
    given += part;
  }
  let left = Number(total - given); // < weights.length
  const order = remainders
    .map((remainder, index) => ({ remainder, index }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left <= 0) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left -= 1;
  }
  return parts;
}

/**
 * Splits `total` minor units in proportion to `weights` by largest remainder: the parts sum
 * exactly to `total`, each within 1 of its exact share. Weights are non-negative safe integers;
 * all-zero weights split evenly; a negative total is allocated as its absolute value and negated.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) throw new RangeError(`allocate: total must be a safe integer: ${total}`);
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) {
      throw new RangeError(`allocate: weights must be non-negative safe integers: ${w}`);
    }
  }
  return allocateBig(BigInt(total), weights.map(BigInt)).map((part) => (part === 0n ? 0 : Number(part)));
}
