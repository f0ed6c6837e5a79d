import { describe, expect, it } from 'vitest';
import { currencyCodes, currencyInfo, isCurrency, requireCurrency } from './currency';

describe('currency table', () => {
  it('knows the minor-unit exponents', () => {
    expect(currencyInfo('JPY')?.exponent).toBe(0);
    expect(currencyInfo('KRW')?.exponent).toBe(0);
    expect(currencyInfo('CNY')?.exponent).toBe(2);
    expect(currencyInfo('USD')?.exponent).toBe(2);
    expect(currencyInfo('KWD')?.exponent).toBe(3);
    expect(currencyInfo('BHD')?.exponent).toBe(3);
    expect(currencyInfo('CLF')?.exponent).toBe(4);
  });

  it('knows cash increments and defaults to 1', () => {
    expect(currencyInfo('CHF')?.cashIncrement).toBe(5);
    expect(currencyInfo('CAD')?.cashIncrement).toBe(5);
    expect(currencyInfo('AUD')?.cashIncrement).toBe(5);
    expect(currencyInfo('NZD')?.cashIncrement).toBe(10);
    expect(currencyInfo('SEK')?.cashIncrement).toBe(100);
    expect(currencyInfo('USD')?.cashIncrement).toBe(1);
    expect(currencyInfo('JPY')?.cashIncrement).toBe(1);
  });

  it('rejects unknown and non-money codes', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('XAU')).toBe(false);
    expect(isCurrency('')).toBe(false);
    expect(currencyInfo('toString')).toBeUndefined();
    expect(() => requireCurrency('ZZZ')).toThrow(RangeError);
  });

  it('holds well-formed entries', () => {
    const codes = currencyCodes();
    expect(codes.length).toBeGreaterThan(150);
    for (const code of codes) {
      const info = requireCurrency(code);
      expect(info.code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(info.exponent);
      expect(Number.isSafeInteger(info.cashIncrement) && info.cashIncrement >= 1).toBe(true);
    }
  });
});
