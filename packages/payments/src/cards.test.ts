import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readVectors } from '../test/vectors';
import {
  BRAND_RULES,
  cardBrand,
  luhnCheckDigit,
  luhnValid,
  maskPan,
  parseTrack2,
  type CardBrand,
} from './cards';

interface CardsFile {
  luhn: { vectors: { input: string; expected_valid: boolean }[] };
  iin_ranges: Record<
    string,
    { patterns: (string | [string, string])[]; lengths: number[]; cvc?: number } | string
  >;
  test_cards: { pan: string; brand_published: string; expected_luhn_valid: boolean }[];
  masking: { examples: { pan: string; masked_6_4: string }[] };
}

const cards = readVectors<CardsFile>('cards.json');

// Published brand names → brand IDs. BCcard/DinaCard share Discover's 65 prefix (see the vector note).
const PUBLISHED: [RegExp, CardBrand][] = [
  [/^Visa/, 'visa'],
  [/^Mastercard/, 'mastercard'],
  [/^American Express/, 'american-express'],
  [/^Discover/, 'discover'],
  [/^Diners Club/, 'diners-club'],
  [/^JCB/, 'jcb'],
  [/^UnionPay/, 'unionpay'],
  [/^BCcard and DinaCard/, 'discover'],
];

describe('Luhn', () => {
  it.each(cards.luhn.vectors)('$input → $expected_valid', ({ input, expected_valid }) => {
    expect(luhnValid(input)).toBe(expected_valid);
  });

  it('every published test PAN passes', () => {
    for (const card of cards.test_cards) expect(luhnValid(card.pan), card.pan).toBe(card.expected_luhn_valid);
  });

  it('the check digit completes any digit string, and changing one digit breaks it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,18}$/), fc.nat(9), (partial, delta) => {
        const full = partial + luhnCheckDigit(partial);
        expect(luhnValid(full)).toBe(true);
        const i = full.length - 1 - (delta % full.length);
        const changed = ((Number(full[i]) + 1 + (delta % 9)) % 10).toString();
        if (changed !== full[i])
          expect(luhnValid(full.slice(0, i) + changed + full.slice(i + 1))).toBe(false);
      }),
    );
  });

  it('rejects non-digits and single digits', () => {
    expect(luhnValid('4242 4242 4242 4242')).toBe(false);
    expect(luhnValid('0')).toBe(false);
  });
});

describe('brands', () => {
  it('the IIN table is the published one', () => {
    for (const rule of BRAND_RULES) {
      const published = cards.iin_ranges[rule.brand];
      expect(typeof published, rule.brand).toBe('object');
      if (typeof published !== 'object') continue;
      expect(rule.patterns).toEqual(published.patterns);
      expect(rule.lengths).toEqual(published.lengths);
      expect(rule.cvcLength).toEqual(published.cvc);
    }
  });

  it.each(cards.test_cards)('$pan is $brand_published', ({ pan, brand_published }) => {
    const expected = PUBLISHED.find(([re]) => re.test(brand_published))?.[1];
    expect(expected).toBeDefined();
    const match = cardBrand(pan);
    expect(match?.brand).toBe(expected);
  });

  it('longest prefix wins and lengths are checked', () => {
    expect(cardBrand('2200123412341234')?.brand).toBe('mir');
    expect(cardBrand('2221000000000009')?.brand).toBe('mastercard');
    expect(cardBrand('378282246310005')).toEqual({
      brand: 'american-express',
      lengthValid: true,
      cvcLength: 4,
    });
    expect(cardBrand('37828224631000')?.lengthValid).toBe(false);
    expect(cardBrand('9999999999999999')).toBeUndefined();
    expect(cardBrand('abc')).toBeUndefined();
  });
});

describe('masking', () => {
  it.each(cards.masking.examples)('$pan → $masked_6_4', ({ pan, masked_6_4 }) => {
    expect(maskPan(pan)).toBe(masked_6_4);
  });

  it('never shows more than the BIN and the last 4', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8,19}$/), (pan) => {
        const masked = maskPan(pan);
        const shown = masked.replace(/\*/g, '').length;
        expect(masked.length).toBe(pan.length);
        expect(shown).toBeLessThanOrEqual(10);
        expect(shown).toBeLessThanOrEqual(pan.length / 2 + 4);
        expect(masked.endsWith(pan.slice(-4))).toBe(true);
      }),
    );
    expect(maskPan('6205500000000000004', { bin: 8 })).toBe('62055000*******0004');
    expect(maskPan('378282246310005')).toBe('378282*****0005');
  });
});

describe('track 2', () => {
  it('splits PAN, expiry, service code and discretionary data', () => {
    expect(parseTrack2('4276555555555555=12345678901234567890')).toEqual({
      pan: '4276555555555555',
      expiry: '1234',
      serviceCode: '567',
      discretionary: '8901234567890',
    });
    expect(parseTrack2('4242424242424242D3012201')).toEqual({
      pan: '4242424242424242',
      expiry: '3012',
      serviceCode: '201',
      discretionary: '',
    });
    expect(parseTrack2('not a track')).toBeUndefined();
  });
});
