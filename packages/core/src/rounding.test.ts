import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoundingMode } from './rounding';
import { allocate, divRound, ROUNDING_MODES, roundToIncrement } from './rounding';

/** Reference: floor division then a decision on the non-negative fraction. */
function referenceDivRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d < 0n) return referenceDivRound(-n, -d, mode);
  let floor = n / d;
  if (n % d !== 0n && n < 0n) floor -= 1n;
  const frac = n - floor * d; // 0 <= frac < d
  if (frac === 0n) return floor;
  const ceil = floor + 1n;
  const positive = n > 0n;
  const towardZero = positive ? floor : ceil;
  const awayFromZero = positive ? ceil : floor;
  const cmp = 2n * frac - d; // < 0: closer to floor
  const nearest = cmp < 0n ? floor : cmp > 0n ? ceil : undefined;
  switch (mode) {
    case 'down':
      return towardZero;
    case 'up':
      return awayFromZero;
    case 'half_up':
      return nearest ?? awayFromZero;
    case 'half_down':
      return nearest ?? towardZero;
    case 'half_even':
      return nearest ?? (floor % 2n === 0n ? floor : ceil);
  }
}

describe('divRound', () => {
  it('rounds worked examples in every mode', () => {
    const cases: [bigint, bigint, Record<RoundingMode, bigint>][] = [
      [5n, 2n, { half_up: 3n, half_even: 2n, half_down: 2n, up: 3n, down: 2n }],
      [7n, 2n, { half_up: 4n, half_even: 4n, half_down: 3n, up: 4n, down: 3n }],
      [-5n, 2n, { half_up: -3n, half_even: -2n, half_down: -2n, up: -3n, down: -2n }],
      [5n, -2n, { half_up: -3n, half_even: -2n, half_down: -2n, up: -3n, down: -2n }],
      [10n, 3n, { half_up: 3n, half_even: 3n, half_down: 3n, up: 4n, down: 3n }],
      [-11n, 3n, { half_up: -4n, half_even: -4n, half_down: -4n, up: -4n, down: -3n }],
      [6n, 3n, { half_up: 2n, half_even: 2n, half_down: 2n, up: 2n, down: 2n }],
    ];
    for (const [n, d, expected] of cases) {
      for (const mode of ROUNDING_MODES)
        expect(divRound(n, d, mode), `${n}/${d} ${mode}`).toBe(expected[mode]);
    }
  });

  it('throws on division by zero', () => {
    expect(() => divRound(1n, 0n, 'half_up')).toThrow(RangeError);
  });

  it('matches a floor-based reference for all modes', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).filter((d) => d !== 0n),
        fc.constantFrom(...ROUNDING_MODES),
        (n, d, mode) => {
          expect(divRound(n, d, mode)).toBe(referenceDivRound(n, d, mode));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches the reference on small values including exact ties', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -50n, max: 50n }),
        fc.bigInt({ min: -6n, max: 6n }).filter((d) => d !== 0n),
        fc.constantFrom(...ROUNDING_MODES),
        (n, d, mode) => {
          const q = divRound(n, d, mode);
          expect(q).toBe(referenceDivRound(n, d, mode));
          // never further than one from the exact quotient
          const diff = q * d - n;
          expect((diff < 0n ? -diff : diff) < (d < 0n ? -d : d)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('roundToIncrement', () => {
  it('rounds cash to the smallest coin', () => {
    expect(roundToIncrement(1233, 5, 'half_up')).toBe(1235);
    expect(roundToIncrement(1232, 5, 'half_up')).toBe(1230);
    expect(roundToIncrement(1232, 5, 'up')).toBe(1235);
    expect(roundToIncrement(1237, 5, 'down')).toBe(1235);
    expect(roundToIncrement(1250, 100, 'half_even')).toBe(1200);
    expect(roundToIncrement(1350, 100, 'half_even')).toBe(1400);
    expect(roundToIncrement(-1233, 5, 'half_up')).toBe(-1235);
    expect(roundToIncrement(2, 5, 'half_up')).toBe(0);
    expect(Object.is(roundToIncrement(-2, 5, 'half_up'), 0)).toBe(true);
    expect(roundToIncrement(1233, 1, 'up')).toBe(1233);
  });

  it('rejects bad arguments', () => {
    expect(() => roundToIncrement(1, 0, 'half_up')).toThrow(RangeError);
    expect(() => roundToIncrement(1.5, 5, 'half_up')).toThrow(RangeError);
    expect(() => roundToIncrement(Number.MAX_SAFE_INTEGER, 10, 'up')).toThrow(RangeError);
  });
});

describe('allocate', () => {
  it('splits by largest remainder with ties to the lowest index', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [1, 1, 1, 1])).toEqual([2, 1, 1, 1]);
    expect(allocate(10, [1, 2, 3])).toEqual([2, 3, 5]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    expect(allocate(7, [0, 0, 0])).toEqual([3, 2, 2]);
    expect(allocate(7, [0, 5, 0])).toEqual([0, 7, 0]);
    expect(allocate(0, [1, 2])).toEqual([0, 0]);
    expect(allocate(0, [])).toEqual([]);
  });

  it('rejects bad weights', () => {
    expect(() => allocate(1, [])).toThrow(RangeError);
    expect(() => allocate(1, [-1, 2])).toThrow(RangeError);
    expect(() => allocate(1, [0.5])).toThrow(RangeError);
    expect(() => allocate(0.5, [1])).toThrow(RangeError);
  });

  it('parts sum to the total and each is within 1 of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          const sumW = weights.reduce((a, b) => a + b, 0);
          const ws = sumW === 0 ? weights.map(() => 1) : weights;
          const denominator = BigInt(sumW === 0 ? weights.length : sumW);
          parts.forEach((part, i) => {
            // |part - total*w/sum| < 1  <=>  |part*sum - total*w| < sum
            const diff = BigInt(part) * denominator - BigInt(total) * BigInt(ws[i] ?? 0);
            expect((diff < 0n ? -diff : diff) < denominator).toBe(true);
            if (sumW > 0 && weights[i] === 0) expect(part).toBe(0);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('handles totals near the safe-integer limit exactly', () => {
    const parts = allocate(Number.MAX_SAFE_INTEGER, [1, 1, 1]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
