import { describe, expect, it } from 'vitest';
import { codeKey, fold, matchRank, queryTerms, SearchIndex } from './search';

const item = (
  variantId: string,
  name: string,
  nameZh: string | null,
  sku: string,
  barcodes: string[] = [],
) => ({
  variantId,
  name,
  nameZh,
  sku,
  barcodes,
  pluCode: null,
});

describe('search tokenising', () => {
  it('folds case and full-width forms, splits terms', () => {
    expect(fold('ＬＡＴＴＥ Latte')).toBe('latte latte');
    expect(queryTerms('  Oat   MILK ')).toEqual(['oat', 'milk']);
    expect(codeKey('036000291452')).toBe(codeKey('0036000291452'));
    expect(codeKey('ABC-1')).toBe('abc-1');
  });

  it('ranks name starts before word starts before anywhere', () => {
    expect(matchRank('latte (large)\n拿铁\ncaf-1', ['latte'])).toBe(1);
    expect(matchRank('vanilla latte\n香草拿铁\ncaf-2', ['latte'])).toBe(2);
    expect(matchRank('chocolatte\n\nx', ['latte'])).toBe(3);
    expect(matchRank('vanilla latte\n香草拿铁\ncaf-2', ['拿铁'])).toBe(3);
    expect(matchRank('vanilla latte\n香草拿铁\ncaf-2', ['van', 'lat'])).toBe(1);
    expect(matchRank('vanilla latte\n香草拿铁\ncaf-2', ['van', 'tea'])).toBe(0);
  });
});

describe('SearchIndex', () => {
  const index = new SearchIndex();
  index.upsert([
    item('v1', 'Vanilla Latte', '香草拿铁', 'CAF-VLA', ['400000000169']),
    item('v2', 'Latte', '拿铁', 'CAF-LAT'),
    item('v3', 'Oat Milk', '燕麦奶', 'MLK-OAT', ['0036000291452']),
  ]);

  it('finds names in either language, SKUs and barcodes', () => {
    expect(index.search('latte', 10)).toEqual(['v2', 'v1']);
    expect(index.search('拿铁', 10)).toEqual(['v2', 'v1']);
    expect(index.search('caf-vla', 10)).toEqual(['v1']);
    expect(index.search('036000291452', 10)).toEqual(['v3']);
    expect(index.byCode('36000291452'.padStart(13, '0'))).toBe('v3');
    expect(index.search('latte', 1)).toEqual(['v2']);
    expect(index.search('latte', 10, (id) => id !== 'v2')).toEqual(['v1']);
  });

  it('forgets removed and replaced items', () => {
    const copy = new SearchIndex();
    copy.upsert([item('v1', 'Vanilla Latte', null, 'A', ['400000000169'])]);
    copy.upsert([item('v1', 'Mocha', null, 'B', [])]);
    expect(copy.search('latte', 5)).toEqual([]);
    expect(copy.byCode('400000000169')).toBeUndefined();
    expect(copy.bySku('b')).toBe('v1');
    copy.remove(['v1']);
    expect(copy.search('mocha', 5)).toEqual([]);
    expect(copy.size).toBe(0);
  });

  it('stays fast at 100,000 items', () => {
    const big = new SearchIndex();
    big.upsert(
      Array.from({ length: 100_000 }, (_, i) =>
        item(`v${i}`, `Product ${i} Blend ${i % 97}`, `商品${i}`, `SKU-${i}`, [
          String(2_000_000_000_000 + i),
        ]),
      ),
    );
    big.search('x', 1); // sort once
    const t0 = performance.now();
    for (const q of ['blend 42', '商品999', 'sku-77777', 'product 1']) big.search(q, 50);
    expect((performance.now() - t0) / 4).toBeLessThan(200);
  });
});
