import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { associationRules, basketsFromPairs, frequentItemsets, mineRules } from './apriori';
import { parseCsvRecords } from './csv';
import { datasetUrl } from './datasets';

function loadGroceries() {
  const { records } = parseCsvRecords(readFileSync(datasetUrl('groceries.csv'), 'utf8'));
  return basketsFromPairs(records.map((r) => [r.transaction_id!, r.item!] as const));
}

describe('Apriori on the Groceries baskets', () => {
  const baskets = loadGroceries();

  it('reads 9,835 baskets and 169 items, names byte for byte', () => {
    expect(baskets).toHaveLength(9835);
    const items = new Set(baskets.flat());
    expect(items.size).toBe(169);
    expect(items.has('cream cheese ')).toBe(true);
    expect(items.has('roll products ')).toBe(true);
  });

  it('finds exactly the frequent itemsets arules finds at support 0.01, counts included', () => {
    const { records } = parseCsvRecords(readFileSync(datasetUrl('groceries-itemsets-s0.01.csv'), 'utf8'));
    const expected = new Map(
      records.map((r) => [
        r.items!.split('|').sort().join('|'),
        { count: Number(r.count), support: Number(r.support), size: Number(r.size) },
      ]),
    );
    expect(expected.size).toBe(333);
    const found = frequentItemsets(baskets, { minSupport: 0.01 });
    const actual = new Map(found.map((s) => [s.items.join('|'), s]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const got = actual.get(key)!;
      expect(got.count, key).toBe(want.count);
      expect(got.items.length).toBe(want.size);
      expect(Math.abs(got.support - want.support)).toBeLessThan(1e-12);
    }
  });

  it('derives rules whose measures agree with the itemset counts', () => {
    const { itemsets, rules } = mineRules(baskets, { minSupport: 0.01, minConfidence: 0.5 });
    const count = new Map(itemsets.map((s) => [s.items.join('|'), s.count]));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.confidence).toBeGreaterThanOrEqual(0.5);
      const all = [...rule.lhs, rule.rhs].sort().join('|');
      expect(rule.count).toBe(count.get(all));
      expect(rule.confidence).toBeCloseTo(rule.count / count.get(rule.lhs.join('|'))!, 12);
      expect(rule.lift).toBeCloseTo(rule.confidence / (count.get(rule.rhs)! / baskets.length), 10);
    }
    // One rule checked by hand against R's counts: {curd, yogurt} => {whole milk}.
    const r = parseCsvRecords(readFileSync(datasetUrl('groceries-itemsets-s0.01.csv'), 'utf8')).records;
    const rCount = (items: string) => Number(r.find((x) => x.items === items)!.count);
    const curd = rules.find((x) => x.lhs.join('|') === 'curd|yogurt' && x.rhs === 'whole milk')!;
    expect(curd.count).toBe(rCount('curd|whole milk|yogurt'));
    expect(curd.confidence).toBe(rCount('curd|whole milk|yogurt') / rCount('curd|yogurt'));
    expect(curd.lift).toBeCloseTo(curd.confidence / (rCount('whole milk') / 9835), 12);
  });
});

describe('Apriori against brute force', () => {
  it('matches enumerating every subset on small random baskets', () => {
    const basket = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(
        fc.array(basket, { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        (baskets, s) => {
          const found = frequentItemsets(baskets, { minSupport: s });
          const universe = ['a', 'b', 'c', 'd', 'e', 'f'];
          const expected = new Map<string, number>();
          for (let mask = 1; mask < 1 << universe.length; mask++) {
            const set = universe.filter((_, i) => mask & (1 << i));
            const count = baskets.filter((b) => set.every((x) => (b as string[]).includes(x))).length;
            if (count > 0 && count / baskets.length >= s - 1e-12) expected.set(set.join('|'), count);
          }
          expect(new Map(found.map((f) => [f.items.join('|'), f.count]))).toEqual(expected);
          const rules = associationRules(found, baskets.length, { minConfidence: 0 });
          const pairs = found.filter((f) => f.items.length >= 2).reduce((t, f) => t + f.items.length, 0);
          expect(rules.length).toBe(pairs);
        },
      ),
      { numRuns: 200 },
    );
  });
});
