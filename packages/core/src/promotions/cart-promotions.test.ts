import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promoLinesArb, promotionsArb } from '../../test/promotion-arbitraries';
import type { CartLineInput, PricedCart, PricingContext } from '../cart';
import { priceCart } from '../cart';
import type { TaxClass } from '../catalog';
import { ROUNDING_MODES } from '../rounding';
import { exclusiveTax, inclusiveTax } from '../tax';
import type { Promotion, PromotionContext } from './types';

const taxClasses: Record<string, TaxClass> = {
  vat13: { id: 'vat13', name: 'VAT 13%', ratePpm: 130_000 },
  vat6: { id: 'vat6', name: 'VAT 6%', ratePpm: 60_000 },
};
const pricing: PricingContext = {
  currency: 'CNY',
  taxMode: 'inclusive',
  taxRounding: 'per_line',
  roundingMode: 'half_up',
  taxClasses,
};
const context: PromotionContext = {
  storeId: 'sto_1',
  local: { date: '2026-12-01', weekday: 2, minute: 600 },
};

function priced(
  lines: CartLineInput[],
  promotions: Promotion[],
  extra: Partial<PricingContext> = {},
): PricedCart {
  const r = priceCart({ lines, promotions: { promotions, context } }, { ...pricing, ...extra });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const latte: CartLineInput = {
  lineId: 'l1',
  variantId: 'latte',
  productId: 'p_latte',
  categoryId: 'cat_coffee',
  name: 'Latte',
  unit: 'each',
  unitPrice: 3200,
  quantity: 2,
  taxClassId: 'vat6',
};
const bagel: CartLineInput = {
  lineId: 'l2',
  variantId: 'bagel',
  name: 'Bagel',
  unit: 'each',
  unitPrice: 1500,
  quantity: 1,
  taxClassId: 'vat13',
};

describe('priceCart with promotions', () => {
  it('second latte half price: the line carries the discount, tax is on what is left, the cart names it', () => {
    const cart = priced(
      [latte, bagel],
      [
        {
          id: 'pro_2nd',
          name: 'Second latte half price',
          nameZh: '第二杯半价',
          priority: 0,
          exclusive: false,
          conditions: [],
          action: { kind: 'nth_item', selector: { variantIds: ['latte'] }, n: 2, percentBp: 5000 },
        },
      ],
    );
    const l1 = cart.lines[0]!;
    expect(l1.promotionDiscount).toBe(1600);
    expect(l1.promotions).toEqual([{ id: 'pro_2nd', amount: 1600 }]);
    expect(l1.net).toBe(4800);
    expect(l1.tax).toBe(272); // 48.00 − round(48.00 / 1.06)
    expect(cart.promotions).toEqual([
      {
        id: 'pro_2nd',
        name: 'Second latte half price',
        nameZh: '第二杯半价',
        amount: 1600,
        lines: [{ lineId: 'l1', amount: 1600 }],
        bonusPoints: 0,
      },
    ]);
    expect(cart.discountTotal).toBe(1600);
    expect(cart.total).toBe(6400 + 1500 - 1600);
  });

  it('line discounts come first, order discounts after promotions', () => {
    const r = priceCart(
      {
        lines: [
          {
            ...latte,
            quantity: 1,
            discount: { discount: { kind: 'amount', amount: 200 }, reason: 'staff', by: 'stf' },
          },
        ],
        orderDiscounts: [{ discount: { kind: 'percent', percentBp: 5000 }, reason: 'manager', by: 'stf' }],
        promotions: {
          promotions: [
            {
              id: 'p',
              name: 'Ten percent',
              priority: 0,
              exclusive: false,
              conditions: [],
              action: { kind: 'percent_off', percentBp: 1000, target: 'order' },
            },
          ],
          context,
        },
      },
      pricing,
    );
    if (!r.ok) throw new Error(r.error.message);
    const line = r.value.lines[0]!;
    expect([line.lineDiscount, line.promotionDiscount, line.orderDiscount]).toEqual([200, 300, 1350]);
    expect(line.net).toBe(1350);
  });

  it('a coupon promotion applies only with its validated coupon', () => {
    const promo: Promotion = {
      id: 'pro_c',
      name: 'Coupon 5 off',
      priority: 0,
      exclusive: false,
      conditions: [{ kind: 'coupon' }],
      action: { kind: 'amount_off', amount: 500, target: 'order' },
    };
    expect(priced([bagel], [promo]).discountTotal).toBe(0);
    const r = priceCart(
      {
        lines: [bagel],
        promotions: { promotions: [promo], context: { ...context, couponPromotionIds: ['pro_c'] } },
      },
      pricing,
    );
    expect(r.ok && r.value.discountTotal).toBe(500);
  });

  it('property: totals still add up, tax follows the discounted net, promotion shares match the lines', () => {
    fc.assert(
      fc.property(
        promoLinesArb,
        promotionsArb,
        fc.constantFrom('inclusive' as const, 'exclusive' as const),
        fc.constantFrom(...ROUNDING_MODES),
        (plines, promotions, taxMode, roundingMode) => {
          const lines: CartLineInput[] = plines.map((l, i) => ({
            lineId: l.lineId,
            variantId: l.variantId,
            productId: l.productId ?? null,
            categoryId: l.categoryId ?? null,
            name: l.variantId,
            unit: l.unit,
            unitPrice: l.unit === 'each' ? l.amount / l.quantity : l.amount,
            quantity: l.unit === 'each' ? l.quantity : 1,
            taxClassId: i % 2 ? 'vat13' : 'vat6',
          }));
          const cart = priced(lines, promotions, { taxMode, roundingMode });
          const exclusive = taxMode === 'exclusive';
          let promoSum = 0;
          for (const l of cart.lines) {
            expect(l.promotionDiscount).toBeGreaterThanOrEqual(0);
            expect(l.promotionDiscount).toBeLessThanOrEqual(l.gross - l.lineDiscount);
            expect(l.net).toBe(l.gross - l.lineDiscount - l.promotionDiscount - l.orderDiscount);
            expect(l.net).toBeGreaterThanOrEqual(0);
            expect(l.promotions.reduce((s, p) => s + p.amount, 0)).toBe(l.promotionDiscount);
            const tax = (exclusive ? exclusiveTax : inclusiveTax)(BigInt(l.net), l.ratePpm, roundingMode);
            expect(l.tax).toBe(Number(tax));
            promoSum += l.promotionDiscount;
          }
          expect(cart.promotions.reduce((s, p) => s + p.amount, 0)).toBe(promoSum);
          expect(cart.lines.reduce((s, l) => s + l.total, 0)).toBe(cart.total);
          expect(cart.subtotal - cart.discountTotal + (exclusive ? cart.taxTotal : 0)).toBe(cart.total);
          // the same cart priced again gives the same answer
          expect(priced(lines, promotions, { taxMode, roundingMode })).toEqual(cart);
        },
      ),
    );
  });
});
