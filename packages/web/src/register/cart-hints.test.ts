/**
 * The register's side of promotion hints: the till's `hintsInStore` and the register's own
 * `addItem` (what a tap on a hint does) agree. For random carts (some lines with a manual
 * discount, so the tapped item sometimes joins a line and sometimes starts one) under random
 * promotions, adding each hint's item with `addItem` and pricing with `priceInStore` gives the
 * promotion with exactly the saving and the rise in the total the hint stated.
 */
import fc from 'fast-check';
import type { HintItem } from '@opentill/core';
import { describe, expect, it } from 'vitest';
import { promotionsArb } from '../../../core/test/promotion-arbitraries';
import type { Cart, CatalogItem } from '../offline/contract';
import type { StoreRow } from '../offline/db';
import { hintsInStore, priceInStore, taxClassesFor } from '../offline/sale';
import { addItem } from './cart-ops';

const store: StoreRow = {
  id: 'sto_sh',
  name: 'Jing’an',
  nameZh: '静安店',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  taxMode: 'inclusive',
  taxRounding: 'per_line',
  roundingMode: 'half_up',
  cashIncrement: 0,
  negativeStock: 'allow',
  embeddedBarcodes: [],
};
const taxes = taxClassesFor(store, [{ id: 'tax_std', name: 'VAT 13%', rates: { sto_sh: 130_000 } }]);
const at = '2026-12-01T10:00:00.000Z';

const item = (variantId: string, categoryId: string | null, price: number): CatalogItem => ({
  variantId,
  productId: variantId,
  name: variantId,
  nameZh: null,
  sku: variantId,
  barcodes: [],
  unit: 'each',
  taxClassId: 'tax_std',
  categoryId,
  pluCode: null,
  price,
});

const catalogArb = fc
  .tuple(...[0, 1, 2, 3].map(() => fc.integer({ min: 1, max: 5000 })))
  .map((prices) =>
    (['v1', 'v2', 'v3', 'v4'] as const).map((id, i) =>
      item(id, i < 2 ? 'c1' : i === 2 ? 'c2' : null, prices[i] ?? 1),
    ),
  );

const caseArb = catalogArb.chain((items) =>
  fc.record({
    items: fc.constant(items),
    lines: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: items.length - 1 }),
        quantity: fc.integer({ min: 1, max: 3 }),
        discounted: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    promotions: promotionsArb,
  }),
);

describe('register promotion hints', () => {
  it('a tap on a hint (addItem) gives the promotion with exactly the saving shown', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, ({ items, lines, promotions }) => {
        const cart: Cart = {
          lines: lines.map((l, i) => ({
            lineId: `l${i}`,
            item: items[l.at]!,
            quantity: l.quantity,
            ...(l.discounted
              ? { discount: { discount: { kind: 'amount' as const, amount: 1 }, reason: 'test', by: 'stf' } }
              : {}),
          })),
          orderDiscounts: [],
        };
        const price = (id: string) => items.find((i) => i.variantId === id)?.price;
        const candidates: HintItem[] = items.map((i) => ({
          variantId: i.variantId,
          productId: i.productId,
          categoryId: i.categoryId,
          name: i.name,
          unitPrice: i.price!,
          taxClassId: i.taxClassId,
        }));
        const now = priceInStore(cart, store, taxes, price, { promotions, at });
        if (!now.ok) return;
        const hints = hintsInStore(cart, store, taxes, price, { promotions, at }, candidates);
        for (const h of hints) {
          const tapped = addItem(
            cart,
            items.find((i) => i.variantId === h.add.variantId)!,
            h.add.quantity,
          );
          const after = priceInStore(tapped, store, taxes, price, { promotions, at });
          if (!after.ok) throw new Error(after.error.message);
          const got = after.value.promotions.find((p) => p.id === h.promotionId);
          expect(got?.amount).toBe(h.saving);
          expect(got?.bonusPoints).toBe(h.bonusPoints);
          expect(after.value.total - now.value.total).toBe(h.extraToPay);
          checked += 1;
        }
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(20);
  });
});
