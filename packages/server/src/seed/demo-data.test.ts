import { describe, it, expect } from 'vitest';
import { buildDemoData, gtinCheckDigit } from './demo-data';
import type { DemoVariant } from './demo-data';

/** Independent mod-10 GTIN check (weights 3,1,3,… from the right of the body). */
function isValidGtin(code: string): boolean {
  if (!/^\d{12,13}$/.test(code)) return false;
  const body = code.slice(0, -1);
  let sum = 0;
  [...body].reverse().forEach((ch, i) => {
    sum += Number(ch) * (i % 2 === 0 ? 3 : 1);
  });
  return (10 - (sum % 10)) % 10 === Number(code.slice(-1));
}

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff]/u;

const hasAtMost3Decimals = (n: number): boolean => Number(n.toFixed(3)) === n;

describe('buildDemoData', () => {
  const data = buildDemoData();
  const variants: DemoVariant[] = data.products.flatMap((p) => p.variants);

  it('has enough products, categories, stores and registers', () => {
    expect(data.products.length).toBeGreaterThanOrEqual(300);
    expect(data.categories.length).toBeGreaterThanOrEqual(10);
    expect(data.stores.map((s) => s.key).sort()).toEqual(['sf', 'sh']);
    for (const store of data.stores) expect(store.registers).toHaveLength(2);
    expect(data.products.some((p) => p.variants.length > 1)).toBe(true);
    for (const p of data.products) expect(p.variants.length).toBeGreaterThan(0);
  });

  it('configures the stores as specified', () => {
    const sh = data.stores.find((s) => s.key === 'sh');
    const sf = data.stores.find((s) => s.key === 'sf');
    expect(sh).toMatchObject({
      currency: 'CNY',
      taxMode: 'inclusive',
      timeZone: 'Asia/Shanghai',
      countryCode: 'CN',
    });
    expect(sf).toMatchObject({
      currency: 'USD',
      taxMode: 'exclusive',
      timeZone: 'America/Los_Angeles',
      countryCode: 'US',
    });
  });

  it('gives every barcode a valid check digit and no duplicates', () => {
    for (const v of variants) {
      expect(isValidGtin(v.barcode), `${v.sku} ${v.barcode}`).toBe(true);
      expect(gtinCheckDigit(v.barcode.slice(0, -1))).toBe(Number(v.barcode.slice(-1)));
    }
    expect(new Set(variants.map((v) => v.barcode)).size).toBe(variants.length);
  });

  it('uses GS1 China prefixes for EAN-13 of Chinese goods and UPC-A elsewhere', () => {
    const ean13 = variants.filter((v) => v.barcode.length === 13);
    const upcA = variants.filter((v) => v.barcode.length === 12);
    expect(ean13.length + upcA.length).toBe(variants.length);
    expect(ean13.some((v) => /^69\d/.test(v.barcode))).toBe(true);
    expect(upcA.length).toBeGreaterThan(0);
    // nothing may look like a 2x price/weight-embedded scale label
    for (const v of variants) expect(v.barcode.padStart(13, '0')).not.toMatch(/^2/);
  });

  it('gives every SKU and key a unique value', () => {
    expect(new Set(variants.map((v) => v.sku)).size).toBe(variants.length);
    expect(new Set(variants.map((v) => v.key)).size).toBe(variants.length);
    expect(new Set(data.products.map((p) => p.key)).size).toBe(data.products.length);
    for (const v of variants) expect(v.sku).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)+$/);
  });

  it('names everything in English and Chinese', () => {
    const named = [...data.categories, ...data.products, ...variants, ...data.stores];
    for (const item of named) {
      expect(item.name.trim(), JSON.stringify(item.name)).not.toBe('');
      expect(item.nameZh.trim()).not.toBe('');
      expect(item.nameZh, item.name).toMatch(CJK);
    }
    for (const p of data.products) expect(p.name).not.toMatch(/^Product \d+$/);
  });

  it('has at least 20 weighed items with unique 5-digit PLUs', () => {
    const weighed = variants.filter((v) => v.unit === 'kg');
    expect(weighed.length).toBeGreaterThanOrEqual(20);
    for (const v of weighed) expect(v.pluCode).toMatch(/^\d{5}$/);
    const plus = variants.flatMap((v) => (v.pluCode === undefined ? [] : [v.pluCode]));
    expect(plus.length).toBe(weighed.length);
    expect(new Set(plus).size).toBe(plus.length);
  });

  it('prices every variant with a positive safe integer in both stores', () => {
    for (const v of variants) {
      for (const price of [v.prices.sh, v.prices.sf]) {
        expect(Number.isSafeInteger(price), v.sku).toBe(true);
        expect(price).toBeGreaterThan(0);
      }
    }
    const latte = variants.find((v) => v.sku === 'CAF-LAT-M');
    expect(latte?.prices).toEqual({ sh: 2800, sf: 525 });
  });

  it('has opening stock with at most 3 decimals (whole units for each-items)', () => {
    for (const v of variants) {
      for (const qty of [v.openingStock.sh, v.openingStock.sf]) {
        expect(qty).toBeGreaterThan(0);
        expect(hasAtMost3Decimals(qty), `${v.sku} ${qty}`).toBe(true);
        if (v.unit === 'each') expect(Number.isInteger(qty)).toBe(true);
      }
    }
  });

  it('references existing categories and tax classes of the right store', () => {
    const categories = new Set(data.categories.map((c) => c.key));
    const taxClass = new Map(data.taxClasses.map((t) => [t.key, t]));
    for (const p of data.products) expect(categories.has(p.categoryKey)).toBe(true);
    for (const v of variants) {
      expect(taxClass.get(v.taxClassKeys.sh)?.storeKey).toBe('sh');
      expect(taxClass.get(v.taxClassKeys.sf)?.storeKey).toBe('sf');
    }
    const rates = (store: 'sh' | 'sf') =>
      [...new Set(data.taxClasses.filter((t) => t.storeKey === store).map((t) => t.ratePpm))].sort(
        (a, b) => a - b,
      );
    expect(rates('sh')).toEqual([0, 60_000, 90_000, 130_000]);
    expect(rates('sf')).toEqual([0, 86_250]);
  });

  it('is deterministic', () => {
    expect(buildDemoData()).toEqual(buildDemoData());
    expect(buildDemoData()).toEqual(data);
  });
});

describe('gtinCheckDigit', () => {
  it('matches known GTINs', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gtinCheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gtinCheckDigit('690123456789')).toBe(2); // EAN-13 6901234567892
  });
});
