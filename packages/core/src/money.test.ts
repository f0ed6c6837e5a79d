import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMinor, formatMoney, isSafeMinor, MAX_MINOR, toMinor } from './money';

describe('toMinor', () => {
  it('uses the currency exponent, never a literal 100', () => {
    expect(toMinor('12.34', 'CNY')).toBe(1234);
    expect(toMinor('12.3', 'USD')).toBe(1230);
    expect(toMinor('12', 'USD')).toBe(1200);
    expect(toMinor('1980', 'JPY')).toBe(1980);
    expect(toMinor('1.250', 'KWD')).toBe(1250);
    expect(toMinor('0.0001', 'CLF')).toBe(1);
    expect(toMinor('-0.05', 'CHF')).toBe(-5);
    expect(toMinor('-0', 'USD')).toBe(0);
    expect(Object.is(toMinor('-0', 'USD'), 0)).toBe(true);
  });

  it('throws on programmer errors', () => {
    expect(() => toMinor('12.345', 'USD')).toThrow(RangeError);
    expect(() => toMinor('1.5', 'JPY')).toThrow(RangeError);
    expect(() => toMinor('abc', 'USD')).toThrow(RangeError);
    expect(() => toMinor('1e3', 'USD')).toThrow(RangeError);
    expect(() => toMinor('', 'USD')).toThrow(RangeError);
    expect(() => toMinor('1.00', 'XXX')).toThrow(RangeError);
    expect(() => toMinor('90071992547409.92', 'USD')).toThrow(RangeError);
  });

  it('accepts the largest safe amount', () => {
    expect(toMinor('90071992547409.91', 'USD')).toBe(MAX_MINOR);
  });
});

describe('formatMinor', () => {
  it('prints fixed exponent digits without a symbol', () => {
    expect(formatMinor(1234, 'USD')).toBe('12.34');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(0, 'USD')).toBe('0.00');
    expect(formatMinor(1234, 'JPY')).toBe('1234');
    expect(formatMinor(1250, 'KWD')).toBe('1.250');
    expect(formatMinor(1, 'CLF')).toBe('0.0001');
    expect(formatMinor(MAX_MINOR, 'USD')).toBe('90071992547409.91');
  });

  it('rejects unsafe amounts', () => {
    expect(() => formatMinor(1.5, 'USD')).toThrow(RangeError);
    expect(() => formatMinor(MAX_MINOR + 1, 'USD')).toThrow(RangeError);
  });

  it('round-trips with toMinor for every currency exponent', () => {
    fc.assert(
      fc.property(fc.constantFrom('JPY', 'USD', 'KWD', 'CLF'), fc.maxSafeInteger(), (currency, minor) => {
        expect(toMinor(formatMinor(minor, currency), currency)).toBe(minor);
      }),
    );
  });
});

describe('formatMoney', () => {
  it('formats with the locale and exponent', () => {
    expect(formatMoney(1234, 'USD', 'en-US')).toBe('$12.34');
    expect(formatMoney(1980, 'JPY', 'en-US')).toBe('¥1,980');
    expect(formatMoney(1250, 'KWD', 'en-US')).toMatch(/1\.250/);
    expect(formatMoney(MAX_MINOR, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(-505, 'CHF', 'de-CH')).toMatch(/5\.05/);
  });
});

describe('isSafeMinor', () => {
  it('accepts safe integers only', () => {
    expect(isSafeMinor(0)).toBe(true);
    expect(isSafeMinor(-MAX_MINOR)).toBe(true);
    expect(isSafeMinor(MAX_MINOR + 1)).toBe(false);
    expect(isSafeMinor(1.5)).toBe(false);
    expect(isSafeMinor(Number.NaN)).toBe(false);
    expect(isSafeMinor('12')).toBe(false);
  });
});
