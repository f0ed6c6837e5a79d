import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CartInput, CartLineInput, PricedCart, PricingContext } from './cart';
import { priceCart } from './cart';
import type { TaxClass, Unit } from './catalog';
import { unitAllowsFraction } from './catalog';
import type { AppliedDiscount, Discount } from './discount';
import { toMinor } from './money';
import { ROUNDING_MODES } from './rounding';
import { exclusiveTax, inclusiveTax } from './tax';

const taxClasses: Record<string, TaxClass> = {
  vat13: { id: 'vat13', name: 'VAT 13%', ratePpm: 130_000 },
  vat9: { id: 'vat9', name: 'VAT 9%', ratePpm: 90_000 },
  ny: { id: 'ny', name: 'NYC sales tax 8.625%', ratePpm: 86_250 },
  jp10: { id: 'jp10', name: '消費税 10%', ratePpm: 100_000 },
  jp8: { id: 'jp8', name: '消費税 8% (food)', ratePpm: 80_000 },
  bh10: { id: 'bh10', name: 'VAT 10%', ratePpm: 100_000 },
  zero: { id: 'zero', name: 'Zero rated', ratePpm: 0 },
};

function ctx(overrides: Partial<PricingContext> = {}): PricingContext {
  return {
    currency: 'CNY',
    taxMode: 'inclusive',
    taxRounding: 'per_line',
    roundingMode: 'half_up',
    taxClasses,
    ...overrides,
  };
}

let nextLine = 0;
function line(
  unitPrice: number,
  quantity: number,
  taxClassId: string,
  extra: Partial<CartLineInput> = {},
): CartLineInput {
  nextLine += 1;
  return {
    lineId: `l${nextLine}`,
    variantId: `v${nextLine}`,
    name: `Item ${nextLine}`,
    unit: 'each',
    unitPrice,
    quantity,
    taxClassId,
    ...extra,
  };
}

const discount = (d: Discount): AppliedDiscount => ({ discount: d, reason: 'test', by: 'stf_1' });

function priced(input: CartInput, context: PricingContext): PricedCart {
  const result = priceCart(input, context);
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorCode(input: CartInput, context: PricingContext): string | undefined {
  const result = priceCart(input, context);
  return result.ok ? undefined : result.error.code;
}

describe('priceCart worked examples', () => {
  it('CNY, VAT 13% inclusive: tax is extracted from the shelf price', () => {
    const cart = priced(
      { lines: [line(toMinor('25.80', 'CNY'), 1, 'vat13'), line(toMinor('19.90', 'CNY'), 3, 'vat13')] },
      ctx(),
    );
    expect(cart.lines.map((l) => [l.gross, l.net, l.tax, l.total])).toEqual([
      [2580, 2580, 297, 2580], // 2580 / 1.13 = 2283.19 -> 2283
      [5970, 5970, 687, 5970], // 5970 / 1.13 = 5283.19 -> 5283
    ]);
    expect(cart).toMatchObject({ subtotal: 8550, discountTotal: 0, taxTotal: 984, total: 8550 });
    expect(cart.taxes).toEqual([{ taxClassId: 'vat13', ratePpm: 130_000, taxable: 7566, tax: 984 }]);
  });

  it('USD, 8.625% exclusive: per-line and per-order rounding differ by a cent', () => {
    const lines = [line(299, 1, 'ny'), line(299, 1, 'ny'), line(299, 1, 'ny')];
    const perLine = priced(
      { lines },
      ctx({ currency: 'USD', taxMode: 'exclusive', taxRounding: 'per_line' }),
    );
    // 2.99 × 8.625% = 0.2579 -> 0.26 per line
    expect(perLine.lines.map((l) => l.tax)).toEqual([26, 26, 26]);
    expect(perLine).toMatchObject({ subtotal: 897, taxTotal: 78, total: 975 });

    const perOrder = priced(
      { lines },
      ctx({ currency: 'USD', taxMode: 'exclusive', taxRounding: 'per_order' }),
    );
    // 8.97 × 8.625% = 0.7737 -> 0.77, spread 26/26/25 by largest remainder
    expect(perOrder.lines.map((l) => l.tax)).toEqual([26, 26, 25]);
    expect(perOrder.lines.map((l) => l.total)).toEqual([325, 325, 324]);
    expect(perOrder).toMatchObject({ subtotal: 897, taxTotal: 77, total: 974 });
    expect(perOrder.taxes).toEqual([{ taxClassId: 'ny', ratePpm: 86_250, taxable: 897, tax: 77 }]);
  });

  it('JPY (no minor unit), inclusive 10% and reduced 8%', () => {
    const cart = priced(
      { lines: [line(toMinor('1980', 'JPY'), 1, 'jp10'), line(540, 2, 'jp8')] },
      ctx({ currency: 'JPY' }),
    );
    expect(cart.lines.map((l) => l.tax)).toEqual([180, 80]);
    expect(cart).toMatchObject({ subtotal: 3060, taxTotal: 260, total: 3060 });
    expect(cart.taxes).toEqual([
      { taxClassId: 'jp10', ratePpm: 100_000, taxable: 1800, tax: 180 },
      { taxClassId: 'jp8', ratePpm: 80_000, taxable: 1000, tax: 80 },
    ]);
  });

  it('KWD and BHD (three decimals)', () => {
    const kwd = priced({ lines: [line(toMinor('0.375', 'KWD'), 3, 'zero')] }, ctx({ currency: 'KWD' }));
    expect(kwd).toMatchObject({ subtotal: 1125, taxTotal: 0, total: 1125 });
    const bhd = priced(
      { lines: [line(toMinor('1.234', 'BHD'), 1, 'bh10')] },
      ctx({ currency: 'BHD', taxMode: 'exclusive' }),
    );
    expect(bhd).toMatchObject({ subtotal: 1234, taxTotal: 123, total: 1357 }); // 123.4 -> 123
  });

  it('weighed goods: 0.345 kg × 39.80/kg', () => {
    const cart = priced({ lines: [line(3980, 0.345, 'vat13', { unit: 'kg' })] }, ctx());
    expect(cart.lines[0]).toMatchObject({
      quantity: 0.345,
      unitPrice: 3980,
      gross: 1373,
      tax: 158,
      total: 1373,
    });
  });

  it('embedded-price barcode lines take the label price as the gross', () => {
    const cart = priced({ lines: [line(3980, 1, 'vat13', { priceOverride: 1373 })] }, ctx());
    expect(cart.lines[0]).toMatchObject({ gross: 1373, total: 1373 });
  });

  it('line and order discounts, spread by largest remainder', () => {
    const cart = priced(
      {
        lines: [
          line(1999, 1, 'ny', { discount: discount({ kind: 'percent', percentBp: 1000 }) }),
          line(1000, 1, 'ny'),
        ],
        orderDiscounts: [discount({ kind: 'amount', amount: 500 })],
      },
      ctx({ currency: 'USD', taxMode: 'exclusive' }),
    );
    // 10% of 19.99 = 1.999 -> 2.00; 5.00 over [17.99, 10.00] = 3.2136/1.7864 -> 3.21/1.79
    expect(cart.lines.map((l) => [l.gross, l.lineDiscount, l.orderDiscount, l.net, l.tax, l.total])).toEqual([
      [1999, 200, 321, 1478, 127, 1605],
      [1000, 0, 179, 821, 71, 892],
    ]);
    expect(cart).toMatchObject({ subtotal: 2999, discountTotal: 700, taxTotal: 198, total: 2497 });
  });

  it('percent order discounts apply to what is left after line discounts', () => {
    const cart = priced(
      {
        lines: [
          line(1999, 1, 'zero', { discount: discount({ kind: 'percent', percentBp: 1000 }) }),
          line(1000, 1, 'zero'),
        ],
        orderDiscounts: [discount({ kind: 'percent', percentBp: 1000 })],
      },
      ctx({ currency: 'USD' }),
    );
    // 10% of 27.99 = 2.799 -> 2.80, spread 179.96/100.04 -> 180/100
    expect(cart.lines.map((l) => l.orderDiscount)).toEqual([180, 100]);
    expect(cart.total).toBe(2519);
  });

  it('a 100% discount makes a zero-total cart', () => {
    const cart = priced(
      { lines: [line(1000, 2, 'vat13')], orderDiscounts: [discount({ kind: 'percent', percentBp: 10_000 })] },
      ctx(),
    );
    expect(cart).toMatchObject({ subtotal: 2000, discountTotal: 2000, taxTotal: 0, total: 0 });
  });

  it('honours the rounding mode', () => {
    // 0.5 kg × 0.05 = 0.025 -> half_up 3, half_even 2, down 2
    const lines = [line(5, 0.5, 'zero', { unit: 'kg' })];
    expect(priced({ lines }, ctx({ roundingMode: 'half_up' })).total).toBe(3);
    expect(priced({ lines }, ctx({ roundingMode: 'half_even' })).total).toBe(2);
    expect(priced({ lines }, ctx({ roundingMode: 'down' })).total).toBe(2);
  });
});

describe('priceCart errors', () => {
  it('reports each expected failure with its code', () => {
    const c = ctx();
    expect(errorCode({ lines: [] }, c)).toBe('empty_cart');
    expect(errorCode({ lines: [line(100, 0, 'vat13')] }, c)).toBe('invalid_quantity');
    expect(errorCode({ lines: [line(100, -1, 'vat13')] }, c)).toBe('invalid_quantity');
    expect(errorCode({ lines: [line(100, 0.0005, 'vat13', { unit: 'kg' })] }, c)).toBe('invalid_quantity');
    expect(errorCode({ lines: [line(100, Number.NaN, 'vat13')] }, c)).toBe('invalid_quantity');
    expect(errorCode({ lines: [line(100, 1.5, 'vat13')] }, c)).toBe('fractional_quantity');
    expect(errorCode({ lines: [line(100, 1.5, 'vat13', { unit: 'g' })] }, c)).toBe('fractional_quantity');
    expect(errorCode({ lines: [line(100, 1, 'nope')] }, c)).toBe('unknown_tax_class');
    expect(errorCode({ lines: [line(100, 1, 'toString')] }, c)).toBe('unknown_tax_class');
    expect(errorCode({ lines: [line(1.5, 1, 'vat13')] }, c)).toBe('amount_out_of_range');
    expect(errorCode({ lines: [line(-1, 1, 'vat13')] }, c)).toBe('amount_out_of_range');
    expect(errorCode({ lines: [line(Number.MAX_SAFE_INTEGER, 2, 'vat13')] }, c)).toBe('amount_out_of_range');
    expect(
      errorCode(
        { lines: [line(Number.MAX_SAFE_INTEGER, 1, 'vat13'), line(Number.MAX_SAFE_INTEGER, 1, 'vat13')] },
        c,
      ),
    ).toBe('amount_out_of_range');
    expect(
      errorCode(
        { lines: [line(Number.MAX_SAFE_INTEGER, 1, 'vat13')] },
        ctx({ taxMode: 'exclusive' }), // price fits, price plus tax does not
      ),
    ).toBe('amount_out_of_range');
    expect(
      errorCode(
        { lines: [line(100, 1, 'vat13', { discount: discount({ kind: 'percent', percentBp: 10_001 }) })] },
        c,
      ),
    ).toBe('invalid_discount');
    expect(
      errorCode(
        { lines: [line(100, 1, 'vat13', { discount: discount({ kind: 'amount', amount: -1 }) })] },
        c,
      ),
    ).toBe('invalid_discount');
    expect(
      errorCode(
        { lines: [line(100, 1, 'vat13', { discount: discount({ kind: 'amount', amount: 101 }) })] },
        c,
      ),
    ).toBe('discount_exceeds_amount');
    expect(
      errorCode(
        {
          lines: [line(100, 1, 'vat13', { discount: discount({ kind: 'amount', amount: 50 }) })],
          orderDiscounts: [discount({ kind: 'amount', amount: 51 })],
        },
        c,
      ),
    ).toBe('discount_exceeds_amount');
  });
});

// ---------- properties ----------

const unitArb = fc.constantFrom<Unit>('each', 'kg', 'g', 'lb', 'l', 'm');

const discountArb: fc.Arbitrary<Discount> = fc.oneof(
  fc.record({ kind: fc.constant('amount' as const), amount: fc.nat({ max: 5000 }) }),
  fc.record({ kind: fc.constant('percent' as const), percentBp: fc.integer({ min: 0, max: 10_000 }) }),
);

const lineArb: fc.Arbitrary<CartLineInput> = fc
  .record({
    unit: unitArb,
    unitPrice: fc.oneof(fc.nat({ max: 100_000 }), fc.nat({ max: 100_000_000 })),
    qtyMilli: fc.integer({ min: 1, max: 50_000 }),
    taxClassId: fc.constantFrom(...Object.keys(taxClasses)),
    discount: fc.option(discountArb, { nil: undefined }),
    priceOverride: fc.option(fc.nat({ max: 1_000_000 }), { freq: 8, nil: undefined }),
  })
  .map(({ unit, unitPrice, qtyMilli, taxClassId, discount: d, priceOverride }) => {
    const milli = unitAllowsFraction(unit) ? qtyMilli : Math.max(1, Math.round(qtyMilli / 1000)) * 1000;
    const input = line(unitPrice, milli / 1000, taxClassId, { unit });
    if (d) input.discount = discount(d);
    if (priceOverride !== undefined) input.priceOverride = priceOverride;
    return input;
  });

const cartArb = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 12 }),
  orderDiscounts: fc.array(discountArb.map(discount), { maxLength: 3 }),
});

const ctxArb = fc.record({
  currency: fc.constant('USD'),
  taxMode: fc.constantFrom('inclusive' as const, 'exclusive' as const),
  taxRounding: fc.constantFrom('per_line' as const, 'per_order' as const),
  roundingMode: fc.constantFrom(...ROUNDING_MODES),
  taxClasses: fc.constant(taxClasses),
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('priceCart properties', () => {
  it('totals equal the sums of their parts to the minor unit', () => {
    fc.assert(
      fc.property(cartArb, ctxArb, (input, context) => {
        const result = priceCart(input, context);
        if (!result.ok) {
          // only discounts larger than what they apply to may fail on these inputs
          expect(['discount_exceeds_amount']).toContain(result.error.code);
          return;
        }
        const cart = result.value;
        const exclusive = context.taxMode === 'exclusive';
        expect(sum(cart.lines.map((l) => l.total))).toBe(cart.total);
        expect(sum(cart.lines.map((l) => l.gross))).toBe(cart.subtotal);
        expect(sum(cart.lines.map((l) => l.lineDiscount + l.orderDiscount))).toBe(cart.discountTotal);
        expect(sum(cart.lines.map((l) => l.tax))).toBe(cart.taxTotal);
        expect(sum(cart.taxes.map((t) => t.tax))).toBe(cart.taxTotal);
        expect(cart.subtotal - cart.discountTotal + (exclusive ? cart.taxTotal : 0)).toBe(cart.total);
        expect(sum(cart.taxes.map((t) => t.taxable)) + (exclusive ? 0 : cart.taxTotal)).toBe(
          sum(cart.lines.map((l) => l.net)),
        );
        for (const l of cart.lines) {
          expect(l.net).toBe(l.gross - l.lineDiscount - l.orderDiscount);
          expect(l.net).toBeGreaterThanOrEqual(0);
          expect(l.lineDiscount).toBeGreaterThanOrEqual(0);
          expect(l.orderDiscount).toBeGreaterThanOrEqual(0);
          expect(l.tax).toBeGreaterThanOrEqual(0);
          expect(l.total).toBe(exclusive ? l.net + l.tax : l.net);
          if (context.taxRounding === 'per_line') {
            const tax = exclusive ? exclusiveTax : inclusiveTax;
            expect(l.tax).toBe(Number(tax(BigInt(l.net), l.ratePpm, context.roundingMode)));
          }
        }
        if (context.taxRounding === 'per_order') {
          for (const t of cart.taxes) {
            const net = sum(cart.lines.filter((l) => l.taxClassId === t.taxClassId).map((l) => l.net));
            const tax = exclusive ? exclusiveTax : inclusiveTax;
            expect(t.tax).toBe(Number(tax(BigInt(net), t.ratePpm, context.roundingMode)));
          }
        }
        // same input, same output
        expect(priceCart(structuredClone(input), context)).toEqual(result);
      }),
      { numRuns: 500 },
    );
  });

  it('without discounts, a valid cart always prices', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 12 }), ctxArb, (lines, context) => {
        const plain = lines.map(({ discount: _d, ...rest }) => rest);
        expect(priceCart({ lines: plain }, context).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
