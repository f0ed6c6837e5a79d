/**
 * The till's catalog search, in memory: fast at 100,000 variants (a linear substring scan over
 * pre-lowered keys is a few milliseconds; exact codes are hash lookups). Pure: no IndexedDB here.
 *
 * Matching: every whitespace-separated term of the query must occur in the item's name (either
 * language) or SKU. Ranking: exact SKU or barcode first, then matches at the start of a name,
 * then at the start of a word, then anywhere; ties by name.
 */
import { isValidGtin, normalizeGtin } from '@opentill/core';
import type { ItemRow } from './db';

/** Case- and width-folded text for matching (NFKC folds full-width Latin, e.g. ＡＢＣ → abc). */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The terms of a query, folded; empty terms dropped. */
export function queryTerms(query: string): string[] {
  return fold(query)
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

/** The key a code is filed under: GTINs by their 14-digit form (UPC-A and EAN-13 agree), others as typed. */
export function codeKey(code: string): string {
  const c = code.trim();
  return /^\d{8,14}$/.test(c) && isValidGtin(c) ? normalizeGtin(c) : fold(c);
}

interface Entry {
  id: string;
  /** `name \n nameZh \n sku`, folded */
  hay: string;
  sortName: string;
}

const WORD_START = new Set([' ', '(', '-', '/', '·', '（', '_', '.', ',']);

/** How well a folded haystack matches the terms: 1 best … 3, or 0 when it does not match. */
export function matchRank(hay: string, terms: readonly string[]): number {
  const first = terms[0];
  if (first === undefined) return 0;
  const at = hay.indexOf(first);
  if (at < 0) return 0;
  for (let i = 1; i < terms.length; i++) if (!hay.includes(terms[i] as string)) return 0;
  if (at === 0 || hay.charCodeAt(at - 1) === 10) return 1;
  return WORD_START.has(hay[at - 1] as string) ? 2 : 3;
}

export class SearchIndex {
  private entries = new Map<string, Entry>();
  private sorted: Entry[] | null = null;
  /** the sorted entries' keys and ids as flat arrays: the scan touches nothing else */
  private hays: string[] = [];
  private ids: string[] = [];
  private codes = new Map<string, string>();
  private skus = new Map<string, string>();
  private plus = new Map<string, string>();
  private codesOf = new Map<string, string[]>();
  private pluOf = new Map<string, string>();

  get size(): number {
    return this.entries.size;
  }

  upsert(
    items: Iterable<Pick<ItemRow, 'variantId' | 'name' | 'nameZh' | 'sku' | 'barcodes' | 'pluCode'>>,
  ): void {
    for (const item of items) {
      this.remove([item.variantId]);
      const hay = `${fold(item.name)}\n${fold(item.nameZh ?? '')}\n${fold(item.sku)}`;
      this.entries.set(item.variantId, { id: item.variantId, hay, sortName: fold(item.name) });
      const keys = item.barcodes.map(codeKey);
      for (const k of keys) this.codes.set(k, item.variantId);
      this.codesOf.set(item.variantId, keys);
      this.skus.set(fold(item.sku), item.variantId);
      if (item.pluCode) {
        this.plus.set(item.pluCode, item.variantId);
        this.pluOf.set(item.variantId, item.pluCode);
      }
    }
    this.sorted = null;
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const old = this.entries.get(id);
      if (!old) continue;
      this.entries.delete(id);
      for (const k of this.codesOf.get(id) ?? []) if (this.codes.get(k) === id) this.codes.delete(k);
      this.codesOf.delete(id);
      const sku = old.hay.slice(old.hay.lastIndexOf('\n') + 1);
      if (this.skus.get(sku) === id) this.skus.delete(sku);
      const plu = this.pluOf.get(id);
      if (plu !== undefined && this.plus.get(plu) === id) this.plus.delete(plu);
      this.pluOf.delete(id);
      this.sorted = null;
    }
  }

  clear(): void {
    this.entries.clear();
    this.codes.clear();
    this.skus.clear();
    this.plus.clear();
    this.codesOf.clear();
    this.pluOf.clear();
    this.sorted = null;
  }

  byCode(code: string): string | undefined {
    return this.codes.get(codeKey(code));
  }

  bySku(sku: string): string | undefined {
    return this.skus.get(fold(sku.trim()));
  }

  byPlu(plu: string): string | undefined {
    return this.plus.get(plu);
  }

  /** All ids in name order (for category listings), built once after a change. */
  ordered(): readonly { id: string }[] {
    if (!this.sorted) {
      this.sorted = [...this.entries.values()].sort((a, b) =>
        a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0,
      );
      this.hays = this.sorted.map((e) => e.hay);
      this.ids = this.sorted.map((e) => e.id);
    }
    return this.sorted;
  }

  /** Ids of the best `limit` matches, best first. */
  search(query: string, limit: number, accept: (id: string) => boolean = () => true): string[] {
    const terms = queryTerms(query);
    if (terms.length === 0 || limit <= 0) return [];
    const out: string[] = [];
    const seen = new Set<string>();
    const exact = [this.byCode(query), this.bySku(query)];
    for (const id of exact) {
      if (id && !seen.has(id) && accept(id)) {
        seen.add(id);
        out.push(id);
      }
    }
    const buckets: string[][] = [[], [], []];
    this.ordered();
    const { hays, ids } = this;
    const first = terms[0] as string;
    for (let i = 0; i < hays.length; i++) {
      const hay = hays[i] as string;
      if (!hay.includes(first)) continue;
      const rank = matchRank(hay, terms);
      const id = ids[i] as string;
      if (rank === 0 || !accept(id)) continue;
      const bucket = buckets[rank - 1] as string[];
      if (bucket.length < limit) bucket.push(id);
      // the best bucket is full: nothing later can beat it
      if (rank === 1 && bucket.length >= limit) break;
    }
    for (const bucket of buckets) {
      for (const id of bucket) {
        if (out.length >= limit) return out;
        if (!seen.has(id)) {
          seen.add(id);
          out.push(id);
        }
      }
    }
    return out;
  }
}
