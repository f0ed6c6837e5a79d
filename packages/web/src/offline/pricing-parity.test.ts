/**
 * The register (offline) and the server price the same cart the same way: random promotions are
 * created through the API, random carts are priced by the till's own pricing (`priceInStore` with
 * the promotions it caches from /promotions/active and the catalog it pulls from /catalog/changes)
 * and by the server's checkout (`POST /orders/quote`), and every figure must agree.
 */
import fc from 'fast-check';
import type { Promotion, Unit } from '@opentill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promotionsArb, promoCategoryIds, promoVariantIds } from '../../../core/test/promotion-arbitraries';
import { engines, startTestApp, type TestApp } from '../../../server/test/harness';
import type { OrderView } from '../../../server/src/modules/orders/view';
import type { Cart, CatalogItem } from './contract';
import type { StoreRow, TaxClassRow } from './db';
import { priceInStore, taxClassesFor } from './sale';

interface ChangeItem {
  id: string;
  productId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: Unit;
  taxClassId: string;
  pluCode: string | null;
  active: boolean;
  barcodes: string[];
  prices: Record<string, number>;
  categoryId: string | null;
}

describe.each(engines)('register and server price alike (%s)', (engine) => {
  let t: TestApp;
  let store: StoreRow;
  let registerId: string;
  let taxRows: TaxClassRow[];
  let each: CatalogItem[];
  let weighed: CatalogItem[];
  let variantMap: Record<string, string>;
  let categoryMap: Record<string, string>;

  const api = async <T>(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    role: 'manager' | 'cashier',
    payload?: object,
  ) => {
    const res = await t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: t.auth(role),
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    const storeId = t.seed.stores.sh.id;
    registerId = t.seed.stores.sh.registers[0]!;
    // the data the till pulls, through the same endpoints
    store = (await api<{ items: StoreRow[] }>('GET', '/stores', 'cashier')).items.find(
      (s) => s.id === storeId,
    )!;
    const taxes = await api<{
      items: { id: string; name: string; rates: { storeId: string; ratePpm: number }[] }[];
    }>('GET', '/tax-classes', 'cashier');
    taxRows = taxes.items.map((x) => ({
      id: x.id,
      name: x.name,
      rates: Object.fromEntries(x.rates.map((r) => [r.storeId, r.ratePpm])),
    }));
    const changes = await api<{ items: ChangeItem[] }>('GET', '/catalog/changes?limit=500', 'cashier');
    const items: CatalogItem[] = changes.items
      .filter((c) => c.active && c.prices[storeId] !== undefined)
      .map((c) => ({
        variantId: c.id,
        productId: c.productId,
        name: c.name,
        nameZh: c.nameZh,
        sku: c.sku,
        barcodes: c.barcodes,
        unit: c.unit,
        taxClassId: c.taxClassId,
        categoryId: c.categoryId,
        pluCode: c.pluCode,
        price: c.prices[storeId] ?? null,
      }));
    // four counted items over at least two categories, and two weighed ones
    const counted = items.filter((i) => i.unit === 'each' && i.categoryId);
    const cats = [...new Set(counted.map((i) => i.categoryId as string))].slice(0, 2);
    each = [
      ...counted.filter((i) => i.categoryId === cats[0]).slice(0, 2),
      ...counted.filter((i) => i.categoryId === cats[1]).slice(0, 2),
    ];
    weighed = items.filter((i) => i.unit === 'kg').slice(0, 2);
    expect(each).toHaveLength(4);
    expect(cats).toHaveLength(2);
    variantMap = Object.fromEntries(promoVariantIds.map((v, i) => [v, each[i]!.variantId]));
    categoryMap = Object.fromEntries(promoCategoryIds.map((c, i) => [c, cats[i]!]));
  });
  afterAll(() => t.close());

  /** The generated promotion with the generator's stand-in ids replaced by the demo catalog's. */
  function real(p: Promotion) {
    const text = JSON.stringify(p).replace(/"(v[1-4]|c[12])"/g, (_, k: string) =>
      JSON.stringify(variantMap[k] ?? categoryMap[k]),
    );
    const { id: _id, ...rest } = JSON.parse(text) as Promotion;
    return rest;
  }

  const lineArb = fc.record({
    pick: fc.nat(5),
    qty: fc.integer({ min: 1, max: 4 }),
    milli: fc.integer({ min: 50, max: 2500 }),
    discount: fc.option(fc.integer({ min: 0, max: 3000 }), { freq: 4, nil: undefined }),
  });
  const hourArb = fc.integer({ min: 0, max: 47 });

  it('prices random carts under random promotions identically', async () => {
    let withPromotions = 0;
    await fc.assert(
      fc.asyncProperty(
        promotionsArb,
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        hourArb,
        fc.boolean(),
        async (promotions, rawLines, hour, happyHour) => {
          for (const p of await api<{ items: { id: string }[] }>('GET', '/promotions', 'manager').then(
            (r) => r.items,
          )) {
            await api('DELETE', `/promotions/${p.id}`, 'manager');
          }
          for (const p of promotions) await api('POST', '/promotions', 'manager', real(p));
          if (happyHour) {
            // a store-local time window, read at the sale's own instant on both sides
            await api('POST', '/promotions', 'manager', {
              name: 'Happy hour',
              conditions: [{ kind: 'time', fromMinute: 6 * 60, toMinute: 18 * 60 }],
              action: { kind: 'percent_off', percentBp: 1500, target: 'order' },
            });
          }
          const active = (await api<{ items: Promotion[] }>('GET', '/promotions/active', 'cashier')).items;
          const at = new Date(Date.now() - hour * 1800_000).toISOString();

          const cart: Cart = {
            lines: rawLines.map((l, i) => {
              const item = l.pick < 4 ? each[l.pick]! : weighed[l.pick - 4]!;
              return {
                lineId: `l${i}`,
                item,
                quantity: item.unit === 'each' ? l.qty : l.milli / 1000,
                ...(l.discount !== undefined
                  ? {
                      discount: {
                        discount: { kind: 'amount' as const, amount: Math.min(l.discount, item.price ?? 0) },
                        reason: 'test',
                        by: 'x',
                      },
                    }
                  : {}),
              };
            }),
            orderDiscounts: [],
          };
          const register = priceInStore(
            cart,
            store,
            taxClassesFor(store, taxRows),
            (id) => [...each, ...weighed].find((i) => i.variantId === id)?.price,
            { promotions: active, at },
          );
          const res = await t.app.inject({
            method: 'POST',
            url: '/api/v1/orders/quote',
            headers: t.auth('cashier'),
            payload: {
              storeId: store.id,
              registerId,
              createdAt: at,
              lines: cart.lines.map((l) => ({
                lineId: l.lineId,
                variantId: l.item.variantId,
                quantity: l.quantity,
                ...(l.discount
                  ? {
                      discount: {
                        kind: 'amount',
                        amount: (l.discount.discount as { amount: number }).amount,
                        reason: 'test',
                      },
                    }
                  : {}),
              })),
            },
          });
          if (!register.ok) {
            // the same refusal on both sides (e.g. a line discount larger than a small weighed line)
            expect(res.statusCode).toBeGreaterThanOrEqual(400);
            expect((res.json() as { error: { code: string } }).error.code).toBe(register.error.code);
            return;
          }
          expect(res.statusCode, res.body).toBe(200);
          const server = res.json() as OrderView;
          const mine = register.value;
          expect(server.total).toBe(mine.total);
          expect(server.discountTotal).toBe(mine.discountTotal);
          expect(server.taxTotal).toBe(mine.taxTotal);
          expect(server.lines.map((l) => [l.total, l.tax, l.promotionDiscount])).toEqual(
            mine.lines.map((l) => [l.total, l.tax, l.promotionDiscount]),
          );
          expect(server.promotions).toEqual(mine.promotions);
          if (mine.promotions.length > 0) withPromotions += 1;
        },
      ),
      { numRuns: 25 },
    );
    // the comparison is only worth something if promotions really applied in many of the carts
    expect(withPromotions).toBeGreaterThanOrEqual(5);
  });
  it('reads time windows in store-local time at the sale instant, the same on both sides', async () => {
    for (const p of (await api<{ items: { id: string }[] }>('GET', '/promotions', 'manager')).items) {
      await api('DELETE', `/promotions/${p.id}`, 'manager');
    }
    await api('POST', '/promotions', 'manager', {
      name: 'Lunch',
      nameZh: '午餐优惠',
      conditions: [{ kind: 'time', fromMinute: 11 * 60, toMinute: 14 * 60 }],
      action: { kind: 'percent_off', percentBp: 2000, target: 'order' },
    });
    const active = (await api<{ items: Promotion[] }>('GET', '/promotions/active', 'cashier')).items;
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const cart: Cart = { lines: [{ lineId: 'a', item: each[0]!, quantity: 1 }], orderDiscounts: [] };
    // Shanghai is UTC+8: 04:30Z is 12:30 there (lunch), 08:30Z is 16:30 (not)
    for (const [time, applies] of [
      ['04:30', true],
      ['08:30', false],
    ] as const) {
      const at = `${day}T${time}:00.000Z`;
      const mine = priceInStore(cart, store, taxClassesFor(store, taxRows), () => each[0]!.price, {
        promotions: active,
        at,
      });
      const server = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orders/quote',
        headers: t.auth('cashier'),
        payload: {
          storeId: store.id,
          registerId,
          createdAt: at,
          lines: [{ lineId: 'a', variantId: each[0]!.variantId, quantity: 1 }],
        },
      });
      const quote = server.json() as OrderView;
      expect(mine.ok && mine.value.promotions.map((p) => p.name)).toEqual(applies ? ['Lunch'] : []);
      expect(quote.promotions.map((p) => p.name)).toEqual(applies ? ['Lunch'] : []);
      expect(mine.ok && mine.value.total).toBe(quote.total);
    }
  });
});
