// Frequent itemsets and association rules (Agrawal & Srikant's Apriori), pure.
// Candidates are generated level by level (join on a shared prefix, prune any candidate with
// an infrequent subset) and counted by intersecting per-itemset transaction bitsets, which is
// much faster than rescanning the baskets at each level.

export interface FrequentItemset {
  /** Item names, sorted by code unit order. */
  items: string[];
  count: number;
  support: number;
}

export interface AssociationRule {
  lhs: string[];
  rhs: string;
  support: number;
  confidence: number;
  lift: number;
  count: number;
}

export interface MiningOptions {
  minSupport: number;
  /** Largest itemset size to mine (default unlimited). */
  maxLength?: number;
}

/** Groups (transaction, item) pairs into baskets, in order of first appearance. */
export function basketsFromPairs(pairs: Iterable<readonly [string, string]>): string[][] {
  const byId = new Map<string, Set<string>>();
  for (const [tid, item] of pairs) {
    let set = byId.get(tid);
    if (!set) byId.set(tid, (set = new Set()));
    set.add(item);
  }
  return [...byId.values()].map((s) => [...s]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function popcount(words: Uint32Array): number {
  let total = 0;
  for (let i = 0; i < words.length; i++) {
    let v = words[i]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    total += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return total;
}

/** Smallest count that reaches `minSupport` of `n` baskets (guarding against 0.01 * n rounding up). */
export function minimumCount(minSupport: number, n: number): number {
  return Math.max(1, Math.ceil(minSupport * n - 1e-9));
}

interface Level {
  codes: number[];
  bits: Uint32Array;
  count: number;
}

export function frequentItemsets(
  baskets: readonly (readonly string[])[],
  options: MiningOptions,
): FrequentItemset[] {
  const n = baskets.length;
  if (n === 0) return [];
  const minCount = minimumCount(options.minSupport, n);
  const maxLength = options.maxLength ?? Infinity;
  const words = Math.ceil(n / 32);

  // One bitset per distinct item.
  const itemBits = new Map<string, Uint32Array>();
  baskets.forEach((basket, t) => {
    for (const item of basket) {
      let bits = itemBits.get(item);
      if (!bits) itemBits.set(item, (bits = new Uint32Array(words)));
      bits[t >>> 5]! |= 1 << (t & 31);
    }
  });
  const names = [...itemBits.keys()].sort(compareText);
  const out: FrequentItemset[] = [];
  const emit = (codes: number[], count: number) =>
    out.push({ items: codes.map((c) => names[c]!), count, support: count / n });

  let level: Level[] = [];
  names.forEach((name, code) => {
    const bits = itemBits.get(name)!;
    const count = popcount(bits);
    if (count >= minCount) level.push({ codes: [code], bits, count });
  });
  for (const l of level) emit(l.codes, l.count);

  let k = 1;
  while (level.length > 1 && k < maxLength) {
    const known = new Set(level.map((l) => l.codes.join(',')));
    const next: Level[] = [];
    for (let i = 0; i < level.length; i++) {
      const a = level[i]!;
      for (let j = i + 1; j < level.length; j++) {
        const b = level[j]!;
        // Levels are sorted lexicographically, so itemsets sharing a prefix are contiguous.
        let samePrefix = true;
        for (let p = 0; p < k - 1; p++) {
          if (a.codes[p] !== b.codes[p]) {
            samePrefix = false;
            break;
          }
        }
        if (!samePrefix) break;
        const codes = [...a.codes, b.codes[k - 1]!];
        if (k >= 2 && !allSubsetsKnown(codes, known)) continue;
        const bits = new Uint32Array(words);
        for (let w = 0; w < words; w++) bits[w] = a.bits[w]! & b.bits[w]!;
        const count = popcount(bits);
        if (count >= minCount) next.push({ codes, bits, count });
      }
    }
    for (const l of next) emit(l.codes, l.count);
    level = next;
    k++;
  }
  return out;
}

function allSubsetsKnown(codes: number[], known: Set<string>): boolean {
  // The two subsets dropping one of the last two items are the join's parents; check the rest.
  for (let drop = 0; drop < codes.length - 2; drop++) {
    const key = codes.filter((_, i) => i !== drop).join(',');
    if (!known.has(key)) return false;
  }
  return true;
}

function itemsetKey(items: readonly string[]): string {
  return items.join('\u0000');
}

/**
 * Rules X → y with a single item on the right (as arules' apriori produces), from every frequent
 * itemset of two or more items, kept when confidence ≥ minConfidence.
 */
export function associationRules(
  itemsets: readonly FrequentItemset[],
  basketCount: number,
  options: { minConfidence: number },
): AssociationRule[] {
  const countOf = new Map<string, number>();
  for (const s of itemsets) countOf.set(itemsetKey(s.items), s.count);
  const rules: AssociationRule[] = [];
  for (const set of itemsets) {
    if (set.items.length < 2) continue;
    for (let r = 0; r < set.items.length; r++) {
      const rhs = set.items[r]!;
      const lhs = set.items.filter((_, i) => i !== r);
      // Subsets of a frequent itemset are frequent, so both counts are known.
      const lhsCount = countOf.get(itemsetKey(lhs));
      const rhsCount = countOf.get(itemsetKey([rhs]));
      if (lhsCount === undefined || rhsCount === undefined) continue;
      const confidence = set.count / lhsCount;
      if (confidence + 1e-12 < options.minConfidence) continue;
      rules.push({
        lhs,
        rhs,
        support: set.support,
        confidence,
        lift: confidence / (rhsCount / basketCount),
        count: set.count,
      });
    }
  }
  rules.sort(
    (a, b) =>
      b.lift - a.lift ||
      b.confidence - a.confidence ||
      compareText(a.lhs.join('|'), b.lhs.join('|')) ||
      compareText(a.rhs, b.rhs),
  );
  return rules;
}

export function mineRules(
  baskets: readonly (readonly string[])[],
  options: MiningOptions & { minConfidence: number },
): { itemsets: FrequentItemset[]; rules: AssociationRule[] } {
  const itemsets = frequentItemsets(baskets, options);
  return { itemsets, rules: associationRules(itemsets, baskets.length, options) };
}
