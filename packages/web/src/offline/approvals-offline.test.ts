import { describe, expect, it } from 'vitest';
import type { Cart, CatalogItem } from './contract';
import type { StoreRow } from './db';
import { offlineNeedsManager, orderBody, priceInStore, taxClassesFor } from './sale';

const store: StoreRow = {
  id: 'sto_sh',
  name: 'Jing’an',
  nameZh: '静安店',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  taxMode: 'inclusive',
  taxRounding: 'per_line',
  roundingMode: 'half_up',
  cashIncrement: 1,
  negativeStock: 'allow',
  embeddedBarcodes: [],
};
const tea: CatalogItem = {
  variantId: 'var_tea',
  productId: 'prd_tea',
  name: 'Tea',
  nameZh: '茶',
  sku: 'TEA',
  barcodes: [],
  unit: 'each',
  taxClassId: 'tax_cafe',
  categoryId: null,
  pluCode: null,
  price: 2000,
};
const taxes = taxClassesFor(store, [{ id: 'tax_cafe', name: 'VAT 6%', rates: { sto_sh: 60000 } }]);
const typed: Cart = {
  lines: [{ lineId: 'l1', item: tea, quantity: 2, unitPrice: 1500 }],
  orderDiscounts: [],
};
const discounted = (percentBp: number): Cart => ({
  lines: [
    {
      lineId: 'l1',
      item: tea,
      quantity: 1,
      discount: { discount: { kind: 'percent', percentBp }, reason: 'dent', by: 'stf_1' },
    },
  ],
  orderDiscounts: [],
});

describe('a typed price and the offline approval rule', () => {
  it('prices a typed unit price and sends it as the line’s priceOverride', () => {
    const priced = priceInStore(typed, store, taxes, () => 2000);
    expect(priced.ok && priced.value.total).toBe(3000);
    const body = orderBody({
      orderId: 'ord_1',
      store,
      registerId: 'reg_1',
      cart: typed,
      tenders: [{ kind: 'cash', amount: 3000 }],
      total: 3000,
      createdAt: '2026-12-01T00:00:00.000Z',
    });
    expect(body.ok && body.value.lines).toEqual([
      { lineId: 'l1', variantId: 'var_tea', quantity: 2, priceOverride: 1500 },
    ]);
  });

  it('refuses offline what a manager would have to approve', () => {
    // a typed price: refused unless the last-known policy lets prices change freely
    expect(offlineNeedsManager(typed, undefined)).toBe(true);
    expect(offlineNeedsManager(typed, { priceOverride: true, discountAboveBp: null })).toBe(true);
    expect(offlineNeedsManager(typed, { priceOverride: false, discountAboveBp: null })).toBe(false);
    // a discount: only above the last-known threshold
    expect(offlineNeedsManager(discounted(2_000), undefined)).toBe(false);
    expect(offlineNeedsManager(discounted(2_000), { priceOverride: false, discountAboveBp: 1_000 })).toBe(
      true,
    );
    expect(offlineNeedsManager(discounted(500), { priceOverride: false, discountAboveBp: 1_000 })).toBe(
      false,
    );
    const amountOff: Cart = {
      lines: [{ lineId: 'l1', item: tea, quantity: 1 }],
      orderDiscounts: [{ discount: { kind: 'amount', amount: 300 }, reason: 'x', by: 'stf_1' }],
    };
    // 3.00 off 20.00 is 15 %
    expect(offlineNeedsManager(amountOff, { priceOverride: false, discountAboveBp: 1_500 })).toBe(false);
    expect(offlineNeedsManager(amountOff, { priceOverride: false, discountAboveBp: 1_400 })).toBe(true);
  });
});
