/**
 * Promotions engine benchmark: priceCart on carts of 3, 10 and 50 lines under 0, 10, 50 and
 * 200 active promotions (a mix of every action kind, some exclusive, some in conflict groups),
 * as the register does on every keystroke and the server on every checkout.
 *
 *   node --import tsx bench/promotions.ts
 *
 * Then promotionHints (what the cart nearly qualifies for, each hint priced exactly) on the same
 * carts, with the 40 variants as the items that may be suggested, as the register does on every
 * cart change.
 *
 * Prints tables (median and p99 microseconds per priced cart, per set of hints); never a timed test.
 */
import { performance } from 'node:perf_hooks';
import {
  priceCart,
  promotionHints,
  type CartLineInput,
  type HintItem,
  type Promotion,
  type PromotionAction,
} from '../packages/core/src/index';

const VARIANTS = 40;
const variant = (i: number) => `v${i % VARIANTS}`;
const category = (i: number) => `c${i % 5}`;

function action(i: number): PromotionAction {
  const selector =
    i % 3 === 0 ? { categoryIds: [category(i)] } : { variantIds: [variant(i), variant(i + 7)] };
  switch (i % 7) {
    case 0:
      return { kind: 'percent_off', percentBp: 500 + (i % 10) * 100, target: 'lines', selector };
    case 1:
      return { kind: 'amount_off', amount: 100 + i, target: 'line', selector };
    case 2:
      return { kind: 'bundle_price', items: [{ selector, quantity: 2 }], price: 1500 };
    case 3:
      return {
        kind: 'buy_x_get_y',
        buy: { selector, quantity: 2 },
        get: { selector, quantity: 1 },
        percentBp: 10_000,
      };
    case 4:
      return { kind: 'nth_item', selector, n: 2, percentBp: 5000 };
    case 5:
      return { kind: 'free_item', variantId: variant(i), quantity: 1 };
    default:
      return { kind: 'bonus_points', points: 50 };
  }
}

function promotions(n: number): Promotion[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `pro_${i}`,
    name: `Promotion ${i}`,
    priority: i % 4,
    exclusive: i % 11 === 0,
    group: i % 5 === 0 ? `g${i % 3}` : null,
    conditions: i % 2 === 0 ? [{ kind: 'spend' as const, minAmount: 1000 }] : [],
    action: action(i),
  }));
}

function cart(lines: number): CartLineInput[] {
  return Array.from({ length: lines }, (_, i) => ({
    lineId: `l${i}`,
    variantId: variant(i * 3),
    categoryId: category(i),
    name: `Item ${i}`,
    unit: 'each' as const,
    unitPrice: 500 + ((i * 137) % 3000),
    quantity: 1 + (i % 3),
    taxClassId: 'vat',
  }));
}

const ctx = {
  currency: 'CNY',
  taxMode: 'inclusive' as const,
  taxRounding: 'per_line' as const,
  roundingMode: 'half_up' as const,
  taxClasses: { vat: { id: 'vat', name: 'VAT', ratePpm: 130_000 } },
};
const context = { storeId: 'sto_1', local: { date: '2026-12-01', weekday: 2 as const, minute: 600 } };

const rows: string[][] = [];
for (const lines of [3, 10, 50]) {
  for (const count of [0, 10, 50, 200]) {
    const input = { lines: cart(lines), promotions: { promotions: promotions(count), context } };
    const runs = count >= 200 && lines >= 50 ? 200 : 1000;
    for (let i = 0; i < 50; i += 1) priceCart(input, ctx); // warm up
    const times: number[] = [];
    let applied = 0;
    for (let i = 0; i < runs; i += 1) {
      const start = performance.now();
      const r = priceCart(input, ctx);
      times.push((performance.now() - start) * 1000);
      if (r.ok) applied = r.value.promotions.length;
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
    rows.push([String(lines), String(count), String(applied), at(0.5), at(0.99)]);
  }
}
function table(head: string[], body: string[][]): void {
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(width[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) console.log(line(r));
}
table(['lines', 'promotions', 'applied', 'p50 µs', 'p99 µs'], rows);

// hints: the 40 variants may be suggested
const candidates: HintItem[] = Array.from({ length: VARIANTS }, (_, i) => ({
  variantId: variant(i),
  categoryId: category(i),
  name: `Item ${i}`,
  unitPrice: 500 + ((i * 137) % 3000),
  taxClassId: 'vat',
}));
const hintRows: string[][] = [];
for (const lines of [3, 10]) {
  for (const count of [10, 50, 200]) {
    const input = { lines: cart(lines), promotions: { promotions: promotions(count), context } };
    const runs = count >= 200 ? 20 : 100;
    for (let i = 0; i < 3; i += 1) promotionHints(input, ctx, candidates); // warm up
    const times: number[] = [];
    let hints = 0;
    for (let i = 0; i < runs; i += 1) {
      const start = performance.now();
      hints = promotionHints(input, ctx, candidates).length;
      times.push((performance.now() - start) * 1000);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(0);
    hintRows.push([String(lines), String(count), String(hints), at(0.5), at(0.99)]);
  }
}
console.log('\npromotionHints');
table(['lines', 'promotions', 'hints', 'p50 µs', 'p99 µs'], hintRows);
