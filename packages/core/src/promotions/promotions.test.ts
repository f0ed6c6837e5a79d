import fc from 'fast-check';
import { promoLinesArb, promotionsArb } from '../../test/promotion-arbitraries';
import { describe, expect, it } from 'vitest';
import { ROUNDING_MODES } from '../rounding';
import type {
  Promotion,
  PromotionAction,
  PromotionCondition,
  PromotionContext,
  PromotionLine,
} from './index';
import { evaluatePromotions, promotionProblem, storeLocalTime } from './index';

const ctx: PromotionContext = {
  storeId: 'sto_1',
  local: { date: '2026-12-01', weekday: 2, minute: 10 * 60 },
};

let n = 0;
function line(
  variantId: string,
  quantity: number,
  unitPrice: number,
  extra: Partial<PromotionLine> = {},
): PromotionLine {
  n += 1;
  return {
    lineId: `l${n}`,
    variantId,
    productId: `p_${variantId}`,
    categoryId: null,
    unit: 'each',
    quantity,
    amount: unitPrice * quantity,
    ...extra,
  };
}

function promo(id: string, action: PromotionAction, extra: Partial<Promotion> = {}): Promotion {
  return {
    id,
    name: `Promo ${id}`,
    nameZh: `促销 ${id}`,
    priority: 0,
    exclusive: false,
    conditions: [],
    action,
    ...extra,
  };
}

describe('actions', () => {
  it('percent off a line, a set of lines and the order, split by largest remainder', () => {
    const a = line('coffee', 1, 333);
    const b = line('tea', 1, 333);
    const c = line('cake', 1, 334);
    const each = evaluatePromotions(
      [a, b, c],
      [
        promo('p', {
          kind: 'percent_off',
          percentBp: 1000,
          target: 'line',
          selector: { variantIds: ['coffee', 'tea'] },
        }),
      ],
      ctx,
    );
    // 33.3 rounds to 33 on each line
    expect(each.lineDiscounts).toEqual({ [a.lineId]: 33, [b.lineId]: 33, [c.lineId]: 0 });
    const set = evaluatePromotions(
      [a, b, c],
      [
        promo('p', {
          kind: 'percent_off',
          percentBp: 1000,
          target: 'lines',
          selector: { variantIds: ['coffee', 'tea'] },
        }),
      ],
      ctx,
    );
    // 10% of 666 = 66.6 → 67, once, then split 34/33
    expect(set.discountTotal).toBe(67);
    expect(set.lineDiscounts[a.lineId]! + set.lineDiscounts[b.lineId]!).toBe(67);
    const order = evaluatePromotions(
      [a, b, c],
      [promo('p', { kind: 'amount_off', amount: 100, target: 'order' })],
      ctx,
    );
    expect(order.applied[0]?.lines.map((l) => l.amount)).toEqual([33, 33, 34]);
  });

  it('amount off never exceeds the line', () => {
    const a = line('coffee', 1, 300);
    const r = evaluatePromotions([a], [promo('p', { kind: 'amount_off', amount: 500, target: 'line' })], ctx);
    expect(r.lineDiscounts[a.lineId]).toBe(300);
  });

  it('bundle price: sandwich + drink for 25.00, as many times as the cart allows', () => {
    const sandwich = line('sandwich', 2, 1800);
    const drink = line('drink', 3, 1000);
    const r = evaluatePromotions(
      [sandwich, drink],
      [
        promo('meal', {
          kind: 'bundle_price',
          items: [
            { selector: { variantIds: ['sandwich'] }, quantity: 1 },
            { selector: { variantIds: ['drink'] }, quantity: 1 },
          ],
          price: 2500,
        }),
      ],
      ctx,
    );
    expect(r.discountTotal).toBe(2 * (2800 - 2500));
    expect(r.lineDiscounts[sandwich.lineId]! + r.lineDiscounts[drink.lineId]!).toBe(600);
  });

  it('buy two get one free gives away the cheapest unit', () => {
    const big = line('shirt-l', 2, 5000);
    const small = line('shirt-s', 1, 3000);
    const r = evaluatePromotions(
      [big, small],
      [
        promo('b2g1', {
          kind: 'buy_x_get_y',
          buy: { selector: { productIds: ['p_shirt-l', 'p_shirt-s'] }, quantity: 2 },
          get: { selector: { productIds: ['p_shirt-l', 'p_shirt-s'] }, quantity: 1 },
          percentBp: 10_000,
        }),
      ],
      ctx,
    );
    expect(r.lineDiscounts).toEqual({ [big.lineId]: 0, [small.lineId]: 3000 });
  });

  it('second coffee half price; free item; bonus points', () => {
    const coffee = line('coffee', 5, 2000);
    const cookie = line('cookie', 1, 800);
    const r = evaluatePromotions(
      [coffee, cookie],
      [
        promo('nth', { kind: 'nth_item', selector: { variantIds: ['coffee'] }, n: 2, percentBp: 5000 }),
        promo('free', { kind: 'free_item', variantId: 'cookie', quantity: 2 }),
        promo('pts', { kind: 'bonus_points', points: 100 }),
      ],
      ctx,
    );
    expect(r.lineDiscounts[coffee.lineId]).toBe(2000); // two of five at half price
    expect(r.lineDiscounts[cookie.lineId]).toBe(800);
    expect(r.bonusPoints).toBe(100);
    expect(r.freeItemsMissing).toEqual([{ promotionId: 'free', variantId: 'cookie', quantity: 1 }]);
    expect(r.applied.map((a) => a.id).sort()).toEqual(['free', 'nth', 'pts']);
  });

  it('a unit takes part in one unit deal only', () => {
    const coffee = line('coffee', 2, 2000);
    const r = evaluatePromotions(
      [coffee],
      [
        promo(
          'nth',
          { kind: 'nth_item', selector: { variantIds: ['coffee'] }, n: 2, percentBp: 5000 },
          { priority: 2 },
        ),
        promo('b1g1', {
          kind: 'buy_x_get_y',
          buy: { selector: { variantIds: ['coffee'] }, quantity: 1 },
          get: { selector: { variantIds: ['coffee'] }, quantity: 1 },
          percentBp: 10_000,
        }),
      ],
      ctx,
    );
    expect(r.applied.map((a) => a.id)).toEqual(['nth']);
    expect(r.discountTotal).toBe(1000);
  });
});

describe('conditions', () => {
  const tenOff = (conditions: PromotionCondition[]) =>
    promo('p', { kind: 'percent_off', percentBp: 1000, target: 'order' }, { conditions });
  const cart = [line('coffee', 2, 1000, { categoryId: 'cat_drinks' }), line('cake', 1, 3000)];
  const applies = (conditions: PromotionCondition[], c: PromotionContext = ctx) =>
    evaluatePromotions(cart, [tenOff(conditions)], c).discountTotal > 0;

  it('items, categories, quantity and spend', () => {
    expect(applies([{ kind: 'items', selector: { variantIds: ['coffee'] }, minQuantity: 2 }])).toBe(true);
    expect(applies([{ kind: 'items', selector: { variantIds: ['coffee'] }, minQuantity: 3 }])).toBe(false);
    expect(applies([{ kind: 'categories', categoryIds: ['cat_drinks'] }])).toBe(true);
    expect(applies([{ kind: 'categories', categoryIds: ['cat_food'] }])).toBe(false);
    expect(applies([{ kind: 'quantity', minQuantity: 3 }])).toBe(true);
    expect(applies([{ kind: 'quantity', minQuantity: 4 }])).toBe(false);
    expect(applies([{ kind: 'spend', minAmount: 5000 }])).toBe(true);
    expect(applies([{ kind: 'spend', minAmount: 5001 }])).toBe(false);
  });

  it('member tier, segment, store, coupon', () => {
    const member = { ...ctx, customer: { tierId: 'gold', segmentIds: ['vip'] } };
    expect(applies([{ kind: 'member_tier', tierIds: ['gold'] }], member)).toBe(true);
    expect(applies([{ kind: 'member_tier', tierIds: ['gold'] }])).toBe(false);
    expect(applies([{ kind: 'segment', segmentIds: ['vip'] }], member)).toBe(true);
    expect(applies([{ kind: 'store', storeIds: ['sto_2'] }])).toBe(false);
    expect(applies([{ kind: 'coupon' }])).toBe(false);
    expect(applies([{ kind: 'coupon' }], { ...ctx, couponPromotionIds: ['p'] })).toBe(true);
    expect(applies([{ kind: 'coupon', codes: ['SAVE10'] }], { ...ctx, couponCodes: ['SAVE10'] })).toBe(true);
  });

  it('time windows in store-local time, wrapping past midnight', () => {
    const at = (date: string, weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7, minute: number) => ({
      ...ctx,
      local: { date, weekday, minute },
    });
    const happyHour: PromotionCondition = {
      kind: 'time',
      days: [1, 2, 3, 4, 5],
      fromMinute: 17 * 60,
      toMinute: 19 * 60,
    };
    expect(applies([happyHour], at('2026-12-01', 2, 17 * 60))).toBe(true);
    expect(applies([happyHour], at('2026-12-01', 2, 19 * 60))).toBe(false);
    expect(applies([happyHour], at('2026-12-05', 6, 18 * 60))).toBe(false);
    const lateNight: PromotionCondition = { kind: 'time', fromMinute: 22 * 60, toMinute: 2 * 60 };
    expect(applies([lateNight], at('2026-12-01', 2, 60))).toBe(true);
    expect(applies([lateNight], at('2026-12-01', 2, 12 * 60))).toBe(false);
    const december: PromotionCondition = { kind: 'time', fromDate: '2026-12-01', toDate: '2026-12-31' };
    expect(applies([december], at('2026-12-31', 4, 0))).toBe(true);
    expect(applies([december], at('2027-01-01', 5, 0))).toBe(false);
  });

  it('store-local time from an instant and a time zone', () => {
    // 2026-12-01T16:30Z is 00:30 on Wednesday 2 December in Shanghai, 11:30 Tuesday in New York
    expect(storeLocalTime('2026-12-01T16:30:00.000Z', 'Asia/Shanghai')).toEqual({
      date: '2026-12-02',
      weekday: 3,
      minute: 30,
    });
    expect(storeLocalTime('2026-12-01T16:30:00.000Z', 'America/New_York')).toEqual({
      date: '2026-12-01',
      weekday: 2,
      minute: 11 * 60 + 30,
    });
  });
});

describe('stacking', () => {
  const cart = [line('coffee', 2, 1000), line('cake', 1, 3000)];
  const pct = (id: string, bp: number, extra: Partial<Promotion> = {}) =>
    promo(id, { kind: 'percent_off', percentBp: bp, target: 'order' }, extra);

  it('applies in priority order, each on what is left', () => {
    const r = evaluatePromotions(cart, [pct('a', 1000), pct('b', 5000, { priority: 5 })], ctx);
    expect(r.applied.map((a) => [a.id, a.amount])).toEqual([
      ['b', 2500],
      ['a', 250],
    ]);
  });

  it('exclusive promotions stand alone; the best for the customer wins', () => {
    const worse = evaluatePromotions(
      cart,
      [pct('a', 1000), pct('b', 1000), pct('x', 1500, { exclusive: true })],
      ctx,
    );
    expect(worse.applied.map((a) => a.id)).toEqual(['a', 'b']); // 500 + 450 > 750
    const better = evaluatePromotions(
      cart,
      [pct('a', 1000), pct('b', 1000), pct('x', 3000, { exclusive: true })],
      ctx,
    );
    expect(better.applied.map((a) => a.id)).toEqual(['x']);
  });

  it('one per conflict group, the best one', () => {
    const r = evaluatePromotions(
      cart,
      [pct('a', 1000, { group: 'g', priority: 9 }), pct('b', 2000, { group: 'g' }), pct('c', 500)],
      ctx,
    );
    expect(r.applied.map((a) => a.id).sort()).toEqual(['b', 'c']);
  });

  it('a limit per order keeps the most valuable promotions', () => {
    const r = evaluatePromotions(cart, [pct('a', 1000, { priority: 9 }), pct('b', 2000), pct('c', 500)], {
      ...ctx,
      maxPromotionsPerOrder: 1,
    });
    expect(r.applied.map((a) => a.id)).toEqual(['b']);
  });

  it('skips malformed promotions', () => {
    const bad = pct('bad', 20_000);
    expect(promotionProblem(bad)).toMatch(/percentBp/);
    expect(evaluatePromotions(cart, [bad], ctx).applied).toEqual([]);
  });
});

// ------------------------------------------------------------------ properties

describe('properties', () => {
  const cartArb = promoLinesArb;
  const promosArb = promotionsArb;
  const modeArb = fc.constantFrom(...ROUNDING_MODES);

  it('a discount never makes a line negative nor exceeds its price; allocations sum to each discount', () => {
    fc.assert(
      fc.property(
        cartArb,
        promosArb,
        modeArb,
        fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
        (raw, promos, mode, limit) => {
          const lines = raw;
          const r = evaluatePromotions(lines, promos, { ...ctx, maxPromotionsPerOrder: limit }, mode);
          for (const l of lines) {
            const d = r.lineDiscounts[l.lineId] ?? 0;
            expect(Number.isSafeInteger(d)).toBe(true);
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(l.amount);
          }
          let total = 0;
          for (const a of r.applied) {
            expect(a.lines.reduce((s, x) => s + x.amount, 0)).toBe(a.amount);
            total += a.amount;
            if (a.bonusPoints === 0) expect(a.amount).toBeGreaterThan(0);
          }
          expect(total).toBe(r.discountTotal);
          expect(Object.values(r.lineDiscounts).reduce((s, x) => s + x, 0)).toBe(r.discountTotal);
          if (limit !== undefined) expect(r.applied.length).toBeLessThanOrEqual(limit);
          // exclusive promotions never share the order
          if (r.applied.some((a) => promos.find((p) => p.id === a.id)?.exclusive))
            expect(r.applied.length).toBe(1);
        },
      ),
    );
  });

  it('applying the engine twice, or with the promotions in another order, gives the same result', () => {
    fc.assert(
      fc.property(cartArb, promosArb, modeArb, fc.nat(), (raw, promos, mode, seed) => {
        const lines = raw;
        const frozen = JSON.stringify({ lines, promos });
        const first = evaluatePromotions(lines, promos, ctx, mode);
        const second = evaluatePromotions(lines, promos, ctx, mode);
        expect(second).toEqual(first);
        expect(JSON.stringify({ lines, promos })).toBe(frozen); // inputs untouched
        const shuffled = [...promos].sort(
          (a, b) => ((a.id.charCodeAt(4) * (seed + 7)) % 13) - ((b.id.charCodeAt(4) * (seed + 7)) % 13),
        );
        expect(evaluatePromotions(lines, shuffled, ctx, mode)).toEqual(first);
      }),
    );
  });

  it('the chosen set is at least as good as each eligible exclusive promotion alone', () => {
    fc.assert(
      fc.property(cartArb, promosArb, (raw, promos) => {
        const lines = raw;
        const r = evaluatePromotions(lines, promos, ctx);
        for (const p of promos.filter((x) => x.exclusive)) {
          expect(r.discountTotal).toBeGreaterThanOrEqual(evaluatePromotions(lines, [p], ctx).discountTotal);
        }
      }),
    );
  });
});
