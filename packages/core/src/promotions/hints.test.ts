import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promotionsArb } from '../../test/promotion-arbitraries';
import type { CartInput, CartLineInput, PricedCart, PricingContext } from '../cart';
import { priceCart } from '../cart';
import type { HintItem, PromotionHint } from './hints';
import { promotionHints } from './hints';
import type { Promotion, PromotionContext } from './types';

const pricing: PricingContext = {
  currency: 'CNY',
  taxMode: 'inclusive',
  taxRounding: 'per_line',
  roundingMode: 'half_up',
  taxClasses: { vat13: { id: 'vat13', name: 'VAT 13%', ratePpm: 130_000 } },
};
const context: PromotionContext = {
  storeId: 'sto_1',
  local: { date: '2026-12-01', weekday: 2, minute: 600 },
};

const item = (variantId: string, unitPrice: number, categoryId: string | null = null): HintItem => ({
  variantId,
  productId: variantId,
  categoryId,
  name: variantId,
  unitPrice,
  taxClassId: 'vat13',
});
const line = (it: HintItem, quantity: number, lineId = `l_${it.variantId}`): CartLineInput => ({
  lineId,
  variantId: it.variantId,
  productId: it.productId ?? null,
  categoryId: it.categoryId ?? null,
  name: it.name,
  unit: 'each',
  unitPrice: it.unitPrice,
  quantity,
  taxClassId: it.taxClassId,
});
const promo = (p: Partial<Promotion> & Pick<Promotion, 'id' | 'action'>): Promotion => ({
  name: p.id,
  priority: 0,
  exclusive: false,
  conditions: [],
  ...p,
});

function price(input: CartInput): PricedCart {
  const r = priceCart(input, pricing);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The register's rule, written out again here: one more of an item joins its plain line, else a new line. */
function addToCart(lines: readonly CartLineInput[], it: HintItem, quantity: number): CartLineInput[] {
  const i = lines.findIndex(
    (l) => l.variantId === it.variantId && l.unit === 'each' && !l.discount && l.priceOverride === undefined,
  );
  if (i < 0) return [...lines, line(it, quantity, 'added')];
  return lines.map((l, k) => (k === i ? { ...l, quantity: l.quantity + quantity } : l));
}

const latte = item('latte', 3200, 'coffee');
const mocha = item('mocha', 3500, 'coffee');
const bagel = item('bagel', 1500, 'bakery');
const muffin = item('muffin', 1800, 'bakery');
const catalog = [latte, mocha, bagel, muffin];

const hintsFor = (lines: CartLineInput[], promotions: Promotion[], ctx = context) =>
  promotionHints({ lines, promotions: { promotions, context: ctx } }, pricing, catalog);

describe('promotionHints', () => {
  it('"add one more for 20% off": three coffees or more, 20% off the coffees', () => {
    const p = promo({
      id: 'pro_3cof',
      name: '20% off three coffees',
      nameZh: '咖啡三杯八折',
      conditions: [{ kind: 'categories', categoryIds: ['coffee'], minQuantity: 3 }],
      action: {
        kind: 'percent_off',
        percentBp: 2000,
        target: 'lines',
        selector: { categoryIds: ['coffee'] },
      },
    });
    const hints = hintsFor([line(latte, 2)], [p]);
    // one more latte (3 × 32.00, 20% off = 19.20), the item already in the cart, before a mocha
    // (32.00 × 2 + 35.00, 20% off = 19.80)
    expect(hints).toEqual([
      {
        promotionId: 'pro_3cof',
        name: '20% off three coffees',
        nameZh: '咖啡三杯八折',
        reason: 'quantity',
        add: { variantId: 'latte', quantity: 1 },
        saving: 1920,
        bonusPoints: 0,
        extraToPay: 3200 - 1920,
      } satisfies PromotionHint,
    ]);
    // two short: two more units of one item; without a coffee in the cart, the one saving most
    expect(hintsFor([line(latte, 1)], [p])[0]?.add).toEqual({ variantId: 'latte', quantity: 2 });
    expect(hintsFor([line(bagel, 1)], [p])[0]?.add).toEqual({ variantId: 'mocha', quantity: 3 });
    expect(
      hintsFor(
        [line(bagel, 1)],
        [{ ...p, conditions: [{ kind: 'categories', categoryIds: ['coffee'] }] }],
      )[0],
    ).toMatchObject({ add: { variantId: 'mocha', quantity: 1 }, saving: 700 });
    // four short with the default of three units at most: no hint
    expect(
      hintsFor([line(bagel, 1)], [{ ...p, conditions: [{ kind: 'quantity', minQuantity: 5 }] }]),
    ).toEqual([]);
  });

  it('a spend threshold a little short: the item that closes the gap, nothing when far off', () => {
    const p = promo({
      id: 'pro_spend',
      conditions: [{ kind: 'spend', minAmount: 10_000 }],
      action: { kind: 'amount_off', amount: 1000, target: 'order' },
    });
    // 32.00 × 2 + 15.00 × 1 = 79.00: 21.00 short of 100.00 (within 25%)
    const hints = hintsFor([line(latte, 2), line(bagel, 1)], [p]);
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({
      reason: 'spend',
      saving: 1000,
      add: { variantId: 'latte', quantity: 1 },
    });
    expect(hints[0]?.extraToPay).toBe(3200 - 1000);
    // 32.00 is 68% short: no hint
    expect(hintsFor([line(latte, 1)], [p])).toEqual([]);
  });

  it('buy X get Y missing the Y, and a bundle one item short', () => {
    const bogo = promo({
      id: 'pro_bxgy',
      action: {
        kind: 'buy_x_get_y',
        buy: { selector: { categoryIds: ['coffee'] }, quantity: 2 },
        get: { selector: { categoryIds: ['bakery'] }, quantity: 1 },
        percentBp: 10_000,
      },
    });
    const bundle = promo({
      id: 'pro_bundle',
      action: {
        kind: 'bundle_price',
        items: [
          { selector: { variantIds: ['latte'] }, quantity: 1 },
          { selector: { categoryIds: ['bakery'] }, quantity: 1 },
        ],
        price: 4000,
      },
      group: 'breakfast',
    });
    expect(hintsFor([line(latte, 2)], [bogo]).map((h) => [h.reason, h.add, h.saving])).toEqual([
      // the dearest pastry free: 18.00
      ['get_item', { variantId: 'muffin', quantity: 1 }, 1800],
    ]);
    expect(hintsFor([line(latte, 1)], [bundle]).map((h) => [h.reason, h.add, h.saving])).toEqual([
      // 32.00 + 18.00 for 40.00
      ['bundle_item', { variantId: 'muffin', quantity: 1 }, 1000],
    ]);
    // together, the bundle (same priority, first by id) takes a latte and the muffin, so the deal
    // would not apply with one muffin: only what the engine would really give is hinted
    const both = hintsFor([line(latte, 2)], [bogo, bundle]);
    expect(both.map((h) => h.promotionId)).toEqual(['pro_bundle']);
  });

  it('a free item the cart lacks, and nothing for a promotion the cart already gets', () => {
    const free = promo({
      id: 'pro_free',
      conditions: [{ kind: 'spend', minAmount: 5000 }],
      action: { kind: 'free_item', variantId: 'bagel', quantity: 1 },
    });
    expect(hintsFor([line(latte, 2)], [free])[0]).toMatchObject({
      reason: 'free_item',
      add: { variantId: 'bagel', quantity: 1 },
      saving: 1500,
      extraToPay: 0,
    });
    expect(hintsFor([line(latte, 2), line(bagel, 1)], [free])).toEqual([]);
  });

  it('member, coupon and time conditions are never "nearly" met by adding items', () => {
    const p = promo({
      id: 'pro_gold',
      conditions: [
        { kind: 'member_tier', tierIds: ['gold'] },
        { kind: 'quantity', minQuantity: 2 },
      ],
      action: { kind: 'percent_off', percentBp: 1000, target: 'order' },
    });
    expect(hintsFor([line(latte, 1)], [p])).toEqual([]);
    expect(hintsFor([line(latte, 1)], [p], { ...context, customer: { tierId: 'gold' } })).toHaveLength(1);
    const coupon = promo({
      id: 'pro_cpn',
      conditions: [{ kind: 'coupon' }, { kind: 'quantity', minQuantity: 2 }],
      action: { kind: 'amount_off', amount: 500, target: 'order' },
    });
    expect(hintsFor([line(latte, 1)], [coupon])).toEqual([]);
  });

  it('bonus points count as a reason to add, and at most `limit` hints come, biggest saving first', () => {
    const points = promo({
      id: 'pro_pts',
      conditions: [{ kind: 'quantity', minQuantity: 2 }],
      action: { kind: 'bonus_points', points: 200 },
    });
    const small = promo({
      id: 'pro_small',
      conditions: [{ kind: 'quantity', minQuantity: 2 }],
      action: { kind: 'amount_off', amount: 100, target: 'order' },
    });
    const big = promo({
      id: 'pro_big',
      conditions: [{ kind: 'quantity', minQuantity: 3 }],
      action: { kind: 'amount_off', amount: 900, target: 'order' },
    });
    const hints = promotionHints(
      { lines: [line(latte, 1)], promotions: { promotions: [points, small, big], context } },
      pricing,
      catalog,
      { limit: 2 },
    );
    expect(hints.map((h) => h.promotionId)).toEqual(['pro_big', 'pro_small']);
    expect(hintsFor([line(latte, 1)], [points])[0]).toMatchObject({ saving: 0, bonusPoints: 200 });
  });
});

// ------------------------------------------------------------------ properties

const catalogArb = fc
  .tuple(
    fc.integer({ min: 0, max: 5000 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 1, max: 5000 }),
    fc.integer({ min: 1, max: 5000 }),
  )
  .map(([a, b, c, d]) => [
    item('v1', a, 'c1'),
    item('v2', b, 'c1'),
    item('v3', c, 'c2'),
    item('v4', d, null),
  ]);

const cartArb = (items: HintItem[]) =>
  fc
    .array(
      fc.record({
        at: fc.integer({ min: 0, max: items.length - 1 }),
        quantity: fc.integer({ min: 1, max: 4 }),
        discount: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((raw) =>
      raw.map(({ at, quantity, discount }, i): CartLineInput => {
        const it = items[at] as HintItem;
        const l = line(it, quantity, `l${i}`);
        return discount === null || discount > it.unitPrice * quantity
          ? l
          : { ...l, discount: { discount: { kind: 'amount', amount: discount }, reason: 'test', by: 'stf' } };
      }),
    );

const caseArb = catalogArb.chain((items) =>
  fc.record({ items: fc.constant(items), lines: cartArb(items), promotions: promotionsArb }),
);

describe('promotionHints properties', () => {
  it('adding the suggested item really brings the promotion, with exactly the stated saving', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ({ items, lines, promotions }) => {
        const input: CartInput = { lines, promotions: { promotions, context } };
        const now = price(input);
        const hints = promotionHints(input, pricing, items, { limit: 10 });
        for (const h of hints) {
          const it = items.find((i) => i.variantId === h.add.variantId) as HintItem;
          const after = price({ ...input, lines: addToCart(lines, it, h.add.quantity) });
          const got = after.promotions.find((p) => p.id === h.promotionId);
          expect(got).toBeDefined();
          expect(got?.amount).toBe(h.saving);
          expect(got?.bonusPoints).toBe(h.bonusPoints);
          expect(after.total - now.total).toBe(h.extraToPay);
          expect(h.add.quantity).toBeGreaterThanOrEqual(1);
          expect(h.add.quantity).toBeLessThanOrEqual(3);
          checked += 1;
        }
      }),
      { numRuns: 150 },
    );
    // the generated carts and promotions do produce hints to check
    expect(checked).toBeGreaterThan(30);
  });

  it('a promotion the cart already gets is never hinted; hints are ordered by saving, at most the limit', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: 4 }), ({ items, lines, promotions }, limit) => {
        const input: CartInput = { lines, promotions: { promotions, context } };
        const already = new Set(price(input).promotions.map((p) => p.id));
        const hints = promotionHints(input, pricing, items, { limit });
        expect(hints.length).toBeLessThanOrEqual(limit);
        for (const h of hints) expect(already.has(h.promotionId)).toBe(false);
        for (let i = 1; i < hints.length; i += 1) {
          expect((hints[i - 1] as PromotionHint).saving).toBeGreaterThanOrEqual(
            (hints[i] as PromotionHint).saving,
          );
        }
        expect(new Set(hints.map((h) => h.promotionId)).size).toBe(hints.length);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the order of the promotions and of the candidate items does not matter', () => {
    fc.assert(
      fc.property(caseArb, ({ items, lines, promotions }) => {
        const a = promotionHints({ lines, promotions: { promotions, context } }, pricing, items);
        const b = promotionHints(
          { lines, promotions: { promotions: [...promotions].reverse(), context } },
          pricing,
          [...items].reverse(),
        );
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });
});
