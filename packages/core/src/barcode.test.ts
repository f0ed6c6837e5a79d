import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EmbeddedBarcodeRule } from './barcode';
import {
  embeddedRuleProblem,
  gtinCheckDigit,
  isValidGtin,
  makeEmbeddedBarcode,
  normalizeGtin,
  parseBarcode,
  valueCheckDigit,
} from './barcode';

const priceRule: EmbeddedBarcodeRule = { prefix: '21', kind: 'price', itemDigits: 5, valueDigits: 5 };
const weightRule: EmbeddedBarcodeRule = { prefix: '22', kind: 'weight', itemDigits: 5, valueDigits: 5 };
const checkedPriceRule: EmbeddedBarcodeRule = { prefix: '23', kind: 'price', itemDigits: 5, valueDigits: 4 };
const upcPriceRule: EmbeddedBarcodeRule = { prefix: '02', kind: 'price', itemDigits: 5, valueDigits: 4 };

describe('GTIN check digits', () => {
  it('computes the GS1 mod-10 check digit', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gtinCheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gtinCheckDigit('9638507')).toBe(4); // EAN-8 96385074
    expect(gtinCheckDigit('1001234567890')).toBe(2); // GTIN-14
    expect(() => gtinCheckDigit('12345')).toThrow(RangeError);
    expect(() => gtinCheckDigit('40063813339a')).toThrow(RangeError);
  });

  it('validates GTIN-8/12/13/14', () => {
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('036000291452')).toBe(true);
    expect(isValidGtin('96385074')).toBe(true);
    expect(isValidGtin('10012345678902')).toBe(true);
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('400638133393')).toBe(false);
    expect(isValidGtin('4006381333931 ')).toBe(false);
    expect(isValidGtin('')).toBe(false);
  });

  it('normalizes to 14 digits for lookups', () => {
    expect(normalizeGtin('036000291452')).toBe('00036000291452');
    expect(normalizeGtin('4006381333931')).toBe('04006381333931');
    expect(normalizeGtin('96385074')).toBe('00000096385074');
    expect(normalizeGtin('10012345678902')).toBe('10012345678902');
  });

  it('any body with its check digit is valid, and any other last digit is not', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(7, 11, 12, 13)
          .chain((n) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n })),
        fc.integer({ min: 1, max: 9 }),
        (body, shift) => {
          const check = gtinCheckDigit(body);
          expect(isValidGtin(body + String(check))).toBe(true);
          expect(isValidGtin(body + String((check + shift) % 10))).toBe(false);
        },
      ),
    );
  });
});

describe('price check digits', () => {
  it('matches the GS1 4-digit example (2875 -> 9)', () => {
    expect(valueCheckDigit('2875')).toBe(9);
  });

  it('5-digit check digit is in range and detects a single changed digit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99999 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (v, pos, shift) => {
          const text = String(v).padStart(5, '0');
          const digit = valueCheckDigit(text);
          expect(digit).toBeGreaterThanOrEqual(0);
          expect(digit).toBeLessThanOrEqual(9);
          const changed = text.slice(0, pos) + String((Number(text[pos]) + shift) % 10) + text.slice(pos + 1);
          expect(valueCheckDigit(changed)).not.toBe(digit);
        },
      ),
    );
  });
});

describe('parseBarcode', () => {
  it('reads ordinary GTINs, keeping the scanned digits', () => {
    expect(parseBarcode('4006381333931', [priceRule])).toEqual({
      ok: true,
      value: { kind: 'gtin', gtin: '4006381333931' },
    });
    expect(parseBarcode(' 036000291452\n', [])).toEqual({
      ok: true,
      value: { kind: 'gtin', gtin: '036000291452' },
    });
    expect(parseBarcode('96385074', [])).toEqual({ ok: true, value: { kind: 'gtin', gtin: '96385074' } });
  });

  it('rejects malformed codes', () => {
    for (const code of ['', 'abc', '4006381333932', '12345', '40063813339311']) {
      const result = parseBarcode(code, []);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('invalid_barcode');
    }
  });

  it('reads a price-embedded label', () => {
    const code = makeEmbeddedBarcode(priceRule, '12345', 1373);
    expect(code).toBe(`211234501373${gtinCheckDigit('211234501373')}`);
    expect(parseBarcode(code, [priceRule])).toEqual({
      ok: true,
      value: { kind: 'embedded', prefix: '21', itemCode: '12345', priceMinor: 1373 },
    });
  });

  it('reads a weight-embedded label in grams and in other scales', () => {
    const code = makeEmbeddedBarcode(weightRule, '00042', 345);
    expect(parseBarcode(code, [priceRule, weightRule])).toEqual({
      ok: true,
      value: { kind: 'embedded', prefix: '22', itemCode: '00042', weightMilli: 345 },
    });
    const tens: EmbeddedBarcodeRule = { ...weightRule, weightScale: 100 }; // 10 g units
    expect(parseBarcode(makeEmbeddedBarcode(tens, '42', 35), [tens])).toMatchObject({
      ok: true,
      value: { itemCode: '00042', weightMilli: 350 },
    });
  });

  it('checks the price check digit of 4-digit value labels', () => {
    const code = makeEmbeddedBarcode(checkedPriceRule, '12345', 2875);
    expect(code.slice(0, 12)).toBe('231234592875');
    expect(parseBarcode(code, [checkedPriceRule])).toMatchObject({ ok: true, value: { priceMinor: 2875 } });
    const tampered = '231234582875';
    const forged = tampered + String(gtinCheckDigit(tampered));
    expect(parseBarcode(forged, [checkedPriceRule])).toMatchObject({
      ok: false,
      error: { code: 'invalid_barcode' },
    });
  });

  it('matches UPC-A number-system-2 labels through prefix 02', () => {
    const full = makeEmbeddedBarcode(upcPriceRule, '01234', 499); // 13 digits starting with 0
    const upc = full.slice(1);
    expect(upc).toHaveLength(12);
    expect(parseBarcode(upc, [upcPriceRule])).toMatchObject({
      ok: true,
      value: { itemCode: '01234', priceMinor: 499 },
    });
  });

  it('treats restricted prefixes without a rule as GTINs and ignores broken rules', () => {
    const code = makeEmbeddedBarcode(priceRule, '12345', 100);
    expect(parseBarcode(code, [])).toEqual({ ok: true, value: { kind: 'gtin', gtin: code } });
    const broken: EmbeddedBarcodeRule = { prefix: '21', kind: 'price', itemDigits: 7, valueDigits: 5 };
    expect(embeddedRuleProblem(broken)).toBeDefined();
    expect(parseBarcode(code, [broken])).toMatchObject({ ok: true, value: { kind: 'gtin' } });
  });

  it('round-trips any label it makes', () => {
    const rules = [
      priceRule,
      weightRule,
      checkedPriceRule,
      { ...priceRule, prefix: '29', itemDigits: 4, valueDigits: 5 },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...rules), fc.nat(), fc.nat(), (rule, item, value) => {
        const itemCode = String(item % 10 ** rule.itemDigits).padStart(rule.itemDigits, '0');
        const raw = value % 10 ** rule.valueDigits;
        const code = makeEmbeddedBarcode(rule, itemCode, raw);
        expect(isValidGtin(code)).toBe(true);
        const parsed = parseBarcode(code, [rule]);
        expect(parsed).toEqual({
          ok: true,
          value:
            rule.kind === 'price'
              ? { kind: 'embedded', prefix: rule.prefix, itemCode, priceMinor: raw }
              : { kind: 'embedded', prefix: rule.prefix, itemCode, weightMilli: raw },
        });
      }),
    );
  });

  it('makeEmbeddedBarcode rejects values that do not fit', () => {
    expect(() => makeEmbeddedBarcode(priceRule, '123456', 1)).toThrow(RangeError);
    expect(() => makeEmbeddedBarcode(priceRule, '12345', 100000)).toThrow(RangeError);
    expect(() => makeEmbeddedBarcode(priceRule, '12345', -1)).toThrow(RangeError);
  });
});
