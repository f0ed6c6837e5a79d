/** fast-check generators of promotions and promotion carts, shared by the core and parity tests. */
import fc from 'fast-check';
import type { Promotion, PromotionAction, PromotionCondition, PromotionLine } from '../src/promotions/types';

const ids = ['v1', 'v2', 'v3', 'v4'];
const cats = ['c1', 'c2'];
const selectorArb = fc.oneof(
  fc.record({ variantIds: fc.subarray(ids, { minLength: 1 }) }),
  fc.record({ categoryIds: fc.subarray(cats, { minLength: 1 }) }),
  fc.constant({}),
);
const actionArb: fc.Arbitrary<PromotionAction> = fc.oneof(
  fc.record({
    kind: fc.constant('percent_off' as const),
    percentBp: fc.integer({ min: 0, max: 10_000 }),
    target: fc.constantFrom('line' as const, 'lines' as const, 'order' as const),
    selector: selectorArb,
  }),
  fc.record({
    kind: fc.constant('amount_off' as const),
    amount: fc.nat(20_000),
    target: fc.constantFrom('line' as const, 'lines' as const, 'order' as const),
    selector: selectorArb,
  }),
  fc.record({
    kind: fc.constant('bundle_price' as const),
    items: fc.array(fc.record({ selector: selectorArb, quantity: fc.integer({ min: 1, max: 3 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
    price: fc.nat(10_000),
  }),
  fc.record({
    kind: fc.constant('buy_x_get_y' as const),
    buy: fc.record({ selector: selectorArb, quantity: fc.integer({ min: 1, max: 3 }) }),
    get: fc.record({ selector: selectorArb, quantity: fc.integer({ min: 1, max: 2 }) }),
    percentBp: fc.integer({ min: 0, max: 10_000 }),
  }),
  fc.record({
    kind: fc.constant('nth_item' as const),
    selector: selectorArb,
    n: fc.integer({ min: 2, max: 4 }),
    percentBp: fc.integer({ min: 0, max: 10_000 }),
  }),
  fc.record({
    kind: fc.constant('free_item' as const),
    variantId: fc.constantFrom(...ids),
    quantity: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({ kind: fc.constant('bonus_points' as const), points: fc.integer({ min: 1, max: 500 }) }),
);
const conditionArb: fc.Arbitrary<PromotionCondition> = fc.oneof(
  fc.record({ kind: fc.constant('spend' as const), minAmount: fc.nat(20_000) }),
  fc.record({ kind: fc.constant('quantity' as const), minQuantity: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('categories' as const), categoryIds: fc.subarray(cats, { minLength: 1 }) }),
);
const promotionArb: fc.Arbitrary<Promotion> = fc.record({
  id: fc.stringMatching(/^pro_[a-z]{1,4}$/),
  name: fc.constant('P'),
  priority: fc.integer({ min: 0, max: 3 }),
  exclusive: fc.boolean(),
  group: fc.option(fc.constantFrom('g1', 'g2'), { nil: null }),
  conditions: fc.array(conditionArb, { maxLength: 2 }),
  action: actionArb,
  maxApplications: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
});
const promoLineArb = fc.record({
  variantId: fc.constantFrom(...ids),
  categoryId: fc.option(fc.constantFrom(...cats), { nil: null }),
  weighed: fc.boolean(),
  qty: fc.integer({ min: 1, max: 5 }),
  milli: fc.integer({ min: 1, max: 5000 }),
  unitPrice: fc.nat(5000),
});

type RawLine = typeof promoLineArb extends fc.Arbitrary<infer T> ? T : never;

function toLines(raw: RawLine[]): PromotionLine[] {
  return raw.map((r, i) => {
    const quantity = r.weighed ? r.milli / 1000 : r.qty;
    return {
      lineId: `l${i}`,
      variantId: r.variantId,
      productId: r.variantId,
      categoryId: r.categoryId,
      unit: r.weighed ? 'kg' : 'each',
      quantity,
      amount: r.weighed ? Math.round((r.unitPrice * r.milli) / 1000) : r.unitPrice * r.qty,
    };
  });
}

/** Carts of 1–8 lines over four variants in two categories, some weighed. */
export const promoLinesArb: fc.Arbitrary<PromotionLine[]> = fc
  .array(promoLineArb, { minLength: 1, maxLength: 8 })
  .map(toLines);
/** Up to six promotions with distinct ids. */
export const promotionsArb: fc.Arbitrary<Promotion[]> = fc.uniqueArray(promotionArb, {
  maxLength: 6,
  selector: (p) => p.id,
});
export { promotionArb, promoLineArb, ids as promoVariantIds, cats as promoCategoryIds };
