import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMilli, toMilli } from './quantity';

describe('toMilli', () => {
  it('converts quantities with up to 3 decimals', () => {
    expect(toMilli(0.345)).toBe(345);
    expect(toMilli(1)).toBe(1000);
    expect(toMilli(2.5)).toBe(2500);
    expect(toMilli(0.001)).toBe(1);
    expect(toMilli(1.005)).toBe(1005);
    expect(toMilli(-0.5)).toBe(-500);
    expect(toMilli(0)).toBe(0);
  });

  it('rejects more decimals, non-finite and unsafe values', () => {
    expect(toMilli(0.0005)).toBeUndefined();
    expect(toMilli(1.2345)).toBeUndefined();
    expect(toMilli(Number.NaN)).toBeUndefined();
    expect(toMilli(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(toMilli(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('round-trips every 3-decimal quantity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (milli) => {
        expect(toMilli(fromMilli(milli))).toBe(milli === 0 ? 0 : milli);
        expect(toMilli(Number(`${milli / 1000}`))).toBe(milli === 0 ? 0 : milli);
      }),
    );
  });
});
