import { parseBarcode } from '@opentill/core';
import { describe, expect, it } from 'vitest';
import type { Cart, CatalogItem, RegisterInfo } from './contract';
import type { StoreRow } from './db';
import { idempotencyKeyFor, newId, uuidv7 } from './ids';
import { checkPin, makePinVerifier } from './pin-verifier';
import {
  forDevice,
  needsAuthorization,
  offlineTenders,
  orderBody,
  priceInStore,
  settle,
  taxClassesFor,
} from './sale';

const store: StoreRow = {
  id: 'sto_sh',
  name: 'Jing’an',
  nameZh: '静安店',
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  taxMode: 'inclusive',
  taxRounding: 'per_line',
  roundingMode: 'half_up',
  cashIncrement: 10,
  negativeStock: 'allow',
  embeddedBarcodes: [{ prefix: '20', kind: 'price', itemDigits: 5, valueDigits: 5 }],
};
const register: RegisterInfo = { id: 'reg_1', storeId: 'sto_sh', name: 'R1', offlineCardLimit: 5000 };
const latte: CatalogItem = {
  variantId: 'var_latte',
  productId: 'prd_latte',
  name: 'Latte',
  nameZh: '拿铁',
  sku: 'CAF-LAT',
  barcodes: [],
  unit: 'each',
  taxClassId: 'tax_cafe',
  categoryId: null,
  pluCode: '12345',
  price: 3005,
};
const taxes = taxClassesFor(store, [
  { id: 'tax_cafe', name: 'VAT 6%', rates: { sto_sh: 60000, sto_sf: 86250 } },
]);
const cart: Cart = { lines: [{ lineId: 'l1', item: latte, quantity: 2 }], orderDiscounts: [] };

describe('sale building', () => {
  it('prices with the core at the current store price', () => {
    const priced = priceInStore(cart, store, taxes, () => 3000);
    expect(priced.ok && priced.value.total).toBe(6000);
    const missing = priceInStore(cart, store, {}, () => 3000);
    expect(!missing.ok && missing.error.code).toBe('unknown_tax_class');
  });

  it('settles cash with the store increment', () => {
    const priced = priceInStore(cart, store, taxes, () => undefined);
    if (!priced.ok) throw new Error('priced');
    expect(priced.value.total).toBe(6010);
    const s = settle(priced.value, [{ kind: 'cash', amount: 10000 }], store);
    expect(s.ok && s.value.change).toBe(3990);
  });

  it('refuses network-only tenders offline and limits offline card', () => {
    const w = offlineTenders([{ kind: 'wallet', amount: 100 }], false, register);
    expect(!w.ok && w.error.code).toBe('needs_network');
    const read = { kind: 'card', terminalId: 'reg_1', offline: true, reference: 'sf_abcdefgh' } as const;
    const big = offlineTenders([{ ...read, amount: 6000 }], false, register);
    expect(!big.ok && big.error.code).toBe('offline_card_limit');
    // the limit is per sale: two offline reads together may not exceed it either
    const split = offlineTenders(
      [
        { ...read, amount: 3000 },
        { ...read, amount: 2001, reference: 'sf_ijklmnop' },
      ],
      false,
      register,
    );
    expect(!split.ok && split.error.code).toBe('offline_card_limit');
    const small = offlineTenders(
      [
        { ...read, amount: 5000 },
        { kind: 'cash', amount: 700 },
      ],
      false,
      register,
    );
    expect(small.ok && small.value).toEqual({
      tenders: [
        { ...read, amount: 5000 },
        { kind: 'cash', amount: 700 },
      ],
      offlineCard: true,
    });
    // a card meant to be charged online cannot silently become an offline one
    const online = offlineTenders([{ kind: 'card', amount: 100, terminalId: 'reg_1' }], false, register);
    expect(!online.ok && online.error.code).toBe('needs_network');
    const wallet = offlineTenders([{ kind: 'wallet', amount: 100 }], true, register);
    expect(wallet.ok && wallet.value.offlineCard).toBe(false);
    const none = offlineTenders([{ ...read, amount: 100 }], false, { ...register, offlineCardLimit: 0 });
    expect(!none.ok && none.error.code).toBe('offline_card_limit');
  });

  it('sends an offline card read as an offline card tender, not as one to authorize now', () => {
    const tender = {
      kind: 'card',
      amount: 5000,
      terminalId: 'reg_1',
      offline: true,
      reference: 'sf_abcdefgh',
      maskedPan: '424242******4242',
      brand: 'visa',
    } as const;
    expect(needsAuthorization([tender])).toBe(false);
    expect(needsAuthorization([{ kind: 'card', amount: 5000, terminalId: 'reg_1' }])).toBe(true);
    const body = orderBody({
      orderId: 'ord_x',
      store,
      registerId: 'reg_1',
      cart: { lines: [], orderDiscounts: [] },
      tenders: [tender],
      total: 5000,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    // the masked number stays on the device; the server gets the terminal's reference only
    expect(body.ok && (body.value.tenders as unknown[])[0]).toEqual({
      kind: 'card',
      amount: 5000,
      reference: 'sf_abcdefgh',
      terminalId: 'reg_1',
      offline: true,
    });
  });

  it('keeps neither a PIN nor a gift card code on the device', () => {
    expect(
      forDevice({ kind: 'gift_card', amount: 500, reference: 'ABCD-EFGH-JKMN-PQRS', pin: '1234' }),
    ).toEqual({ kind: 'gift_card', amount: 500, reference: '…PQRS' });
    expect(forDevice({ kind: 'store_credit', amount: 1, reference: 'WXYZ-0123-4567-89AB' }).reference).toBe(
      '…89AB',
    );
    expect(forDevice({ kind: 'card', amount: 1, reference: 'sf_abcdefgh' })).toEqual({
      kind: 'card',
      amount: 1,
      reference: 'sf_abcdefgh',
    });
  });

  it('builds the exact POST /orders body, price labels as the label', () => {
    const labelled: Cart = {
      lines: [
        {
          lineId: 'l1',
          item: latte,
          quantity: 1,
          discount: { discount: { kind: 'percent', percentBp: 1000 }, reason: 'staff', by: 'stf_1' },
        },
        { lineId: 'l2', item: latte, quantity: 1, priceOverride: 1234 },
      ],
      orderDiscounts: [{ discount: { kind: 'amount', amount: 100 }, reason: 'loyal', by: 'stf_1' }],
    };
    const body = orderBody({
      orderId: 'ord_1',
      store,
      registerId: 'reg_1',
      cart: labelled,
      tenders: [{ kind: 'cash', amount: 5000 }],
      total: 3839,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(body.ok && body.value).toEqual({
      id: 'ord_1',
      storeId: 'sto_sh',
      registerId: 'reg_1',
      lines: [
        {
          lineId: 'l1',
          variantId: 'var_latte',
          quantity: 1,
          discount: { kind: 'percent', percentBp: 1000, reason: 'staff' },
        },
        { lineId: 'l2', barcode: '2012345012349', quantity: 1 },
      ],
      tenders: [{ kind: 'cash', amount: 5000 }],
      total: 3839,
      createdAt: '2026-01-01T00:00:00.000Z',
      orderDiscounts: [{ kind: 'amount', amount: 100, reason: 'loyal' }],
    });
    // the server reads the rebuilt label back as the same PLU and price
    const label = parseBarcode('2012345012349', store.embeddedBarcodes);
    expect(label.ok && label.value).toMatchObject({ kind: 'embedded', itemCode: '12345', priceMinor: 1234 });
  });
});

describe('ids and PIN verifiers', () => {
  it('makes time-ordered UUIDv7 order ids and their idempotency keys', () => {
    const id = uuidv7(0x0123456789ab, new Uint8Array(10).fill(0xff));
    expect(id).toBe('01234567-89ab-7fff-bfff-ffffffffffff');
    const a = newId('ord', 1000);
    const b = newId('ord', 2000);
    expect(a).toMatch(/^ord_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(idempotencyKeyFor(a)).toBe(`sale-${a}`);
  });

  it('checks a PIN against a salted PBKDF2 verifier without keeping the PIN', async () => {
    const v = await makePinVerifier('1234', 1000);
    expect(JSON.stringify(v)).not.toContain('1234');
    expect(await checkPin('1234', v)).toBe(true);
    expect(await checkPin('4321', v)).toBe(false);
    const again = await makePinVerifier('1234', 1000);
    expect(again.salt).not.toBe(v.salt);
  });
});
