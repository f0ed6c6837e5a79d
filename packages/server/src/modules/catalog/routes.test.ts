import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { gtinCheckDigit, makeEmbeddedBarcode } from '@opentill/core';
import { engines, signInFull, startTestApp, type TestApp } from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import type { ChangeItem, ProductView, TaxClassView } from './service';

const withCheck = (body: string) => body + String(gtinCheckDigit(body));

describe.each(engines)('catalog routes (%s)', (engine) => {
  let t: TestApp;
  let taxClassId: string;
  let sh: string;
  let sf: string;
  const upc = withCheck('04210000526'); // UPC-A, 12 digits
  const ean = withCheck('690123456789'); // EAN-13
  let created: ProductView;

  const get = (url: string, role: 'owner' | 'manager' | 'cashier' | 'auditor' = 'cashier') =>
    t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth(role) });
  const send = (
    method: 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    role: 'owner' | 'manager' | 'cashier' = 'manager',
  ) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: t.auth(role),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const product = (overrides: Record<string, unknown> = {}, variant: Record<string, unknown> = {}) => ({
    name: 'Oat Milk Flat White',
    nameZh: '燕麦奶馥芮白',
    variants: [
      {
        sku: 'TST-OFW',
        unit: 'each',
        taxClassId,
        barcodes: [upc, ean],
        prices: { [sh]: 3600, [sf]: 650 },
        ...variant,
      },
    ],
    ...overrides,
  });

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh.id;
    sf = t.seed.stores.sf.id;
    const tax = (await get('/tax-classes')).json() as { items: TaxClassView[] };
    taxClassId = tax.items[0]?.id ?? '';
    const res = await send('POST', '/products', product());
    expect(res.statusCode, res.body).toBe(201);
    created = res.json() as ProductView;
  });
  afterAll(() => t.close());

  it('creates and reads a product with variants, barcodes and prices per store', async () => {
    expect(created.id).toMatch(/^prd_/);
    expect(created.variants).toHaveLength(1);
    const v = created.variants[0];
    expect(v?.sku).toBe('TST-OFW');
    expect(v?.barcodes.sort()).toEqual([upc, ean].sort());
    expect(v?.prices).toEqual({ [sh]: 3600, [sf]: 650 });
    const read = await get(`/products/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);
    const variant = await get(`/variants/${v?.id ?? ''}`);
    expect(variant.statusCode).toBe(200);
    expect((variant.json() as { sku: string }).sku).toBe('TST-OFW');
    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', created.id)
      .where('action', '=', 'product.create')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.tenant_id).toBe(t.seed.tenantId);
  });

  it('searches by English and Chinese substrings, SKU, EAN-13 and UPC-A', async () => {
    const ids = async (q: string) => {
      const res = await get(`/products?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { items: ProductView[] }).items.map((p) => p.id);
    };
    expect(await ids('flat whi')).toContain(created.id);
    expect(await ids('FLAT WHITE')).toContain(created.id);
    expect(await ids('馥芮')).toContain(created.id);
    expect(await ids('燕麦奶馥芮白')).toContain(created.id);
    expect(await ids('tst-ofw')).toContain(created.id);
    expect(await ids(ean)).toEqual([created.id]);
    expect(await ids(upc)).toEqual([created.id]);
    expect(await ids(`0${upc}`)).toEqual([created.id]); // the UPC-A as its EAN-13 form
    // the demo catalogue: 拿铁 (latte) in Chinese, two characters
    const latte = (await get(`/products?q=${encodeURIComponent('拿铁')}&limit=200`)).json() as {
      items: ProductView[];
    };
    expect(latte.items.length).toBeGreaterThan(1);
    for (const p of latte.items)
      expect(`${p.nameZh ?? ''}${p.variants.map((v) => v.nameZh).join()}`).toContain('拿铁');
    const none = (await get('/products?q=zzzqqq-nothing')).json() as { items: ProductView[] };
    expect(none.items).toEqual([]);
  });

  it('pages through results with limit and offset, and filters by store and category', async () => {
    const first = (await get('/products?limit=5')).json() as { items: ProductView[]; hasMore: boolean };
    expect(first.items).toHaveLength(5);
    expect(first.hasMore).toBe(true);
    const second = (await get('/products?limit=5&offset=5')).json() as { items: ProductView[] };
    expect(second.items.map((p) => p.id)).not.toContain(first.items[0]?.id);
    const both = (await get('/products?limit=10')).json() as { items: ProductView[] };
    expect(both.items.map((p) => p.id)).toEqual([...first.items, ...second.items].map((p) => p.id));
    const inStore = (await get(`/products?q=${ean}&storeId=${sh}`)).json() as { items: ProductView[] };
    expect(inStore.items[0]?.variants[0]?.prices).toEqual({ [sh]: 3600 });
    expect((await get('/products?storeId=sto_nope')).statusCode).toBe(404);
    expect((await get('/products?limit=201')).statusCode).toBe(400);
    expect((await get('/products?bogus=1')).json()).toMatchObject({ error: { code: 'unknown_field' } });
  });

  it('rejects bad input with clear codes and writes nothing', async () => {
    const count = async () =>
      (
        await t.deps.database.db
          .selectFrom('products')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = Number(await count());
    const cases: [unknown, number, string][] = [
      [product({}, { sku: 'NEW-1', barcodes: ['1234567890123'] }), 422, 'invalid_barcode'],
      [product({}, { sku: 'NEW-2', barcodes: [ean] }), 409, 'duplicate_barcode'],
      [product({}, { sku: 'NEW-3', barcodes: [`0${upc}`] }), 409, 'duplicate_barcode'],
      [product({}, { sku: 'TST-OFW', barcodes: [] }), 409, 'duplicate_sku'],
      [product({}, { sku: 'NEW-4', barcodes: [], taxClassId: 'tax_nope' }), 422, 'unknown_tax_class'],
      [product({}, { sku: 'NEW-5', barcodes: [], prices: { sto_nope: 100 } }), 404, 'unknown_store'],
      [product({ categoryId: 'cat_nope' }, { sku: 'NEW-6', barcodes: [] }), 422, 'unknown_category'],
      [product({ variants: [] }), 400, 'validation_failed'],
      [product({ colour: 'red' }, { sku: 'NEW-7', barcodes: [] }), 400, 'unknown_field'],
      [product({}, { sku: 'NEW-8', barcodes: [], prices: { [sh]: -1 } }), 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await send('POST', '/products', body);
      expect(res.statusCode, `${code}: ${res.body}`).toBe(status);
      expect((res.json() as { error: { code: string; message: string } }).error.code).toBe(code);
    }
    // two variants with the same SKU / barcode in one request
    const twice = await send('POST', '/products', {
      name: 'Twins',
      variants: [
        { sku: 'TW-1', taxClassId, barcodes: [withCheck('690000000001')] },
        { sku: 'TW-1', taxClassId },
      ],
    });
    expect(twice.json()).toMatchObject({ error: { code: 'duplicate_sku' } });
    expect(Number(await count())).toBe(before);
  });

  it('updates names, prices and barcodes, keeps search in step, and soft-deletes', async () => {
    const p = (
      await send('POST', '/products', {
        name: 'Jasmine Tea',
        nameZh: '茉莉花茶',
        variants: [{ sku: 'TST-JAS', name: 'Regular', nameZh: '常规', taxClassId, prices: { [sh]: 1500 } }],
      })
    ).json() as ProductView;
    const vid = p.variants[0]?.id ?? '';
    const newCode = withCheck('690111122223');
    const res = await send('PATCH', `/products/${p.id}`, {
      name: 'Jasmine Green Tea',
      nameZh: '茉莉绿茶',
      variants: [
        { id: vid, prices: { [sh]: 1800, [sf]: 300 }, barcodes: [newCode] },
        { sku: 'TST-JAS-L', name: 'Jasmine Green Tea (Large)', taxClassId, prices: { [sh]: 2200 } },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const updated = res.json() as ProductView;
    expect(updated.name).toBe('Jasmine Green Tea');
    expect(updated.variants).toHaveLength(2);
    expect(updated.variants.find((v) => v.id === vid)?.prices).toEqual({ [sh]: 1800, [sf]: 300 });
    const search = async (q: string) =>
      ((await get(`/products?q=${encodeURIComponent(q)}`)).json() as { items: ProductView[] }).items.map(
        (x) => x.id,
      );
    expect(await search('绿茶')).toContain(p.id);
    expect(await search('花茶')).not.toContain(p.id);
    expect(await search(newCode)).toEqual([p.id]);
    // price removal, unknown variant, foreign-product variant, duplicate barcode
    const removed = await send('PATCH', `/products/${p.id}`, {
      variants: [{ id: vid, prices: { [sf]: null } }],
    });
    expect((removed.json() as ProductView).variants.find((v) => v.id === vid)?.prices).toEqual({
      [sh]: 1800,
    });
    expect(
      (await send('PATCH', `/products/${p.id}`, { variants: [{ id: 'var_nope', name: 'x' }] })).json(),
    ).toMatchObject({
      error: { code: 'unknown_variant' },
    });
    expect(
      (await send('PATCH', `/products/${p.id}`, { variants: [{ id: vid, barcodes: [ean] }] })).json(),
    ).toMatchObject({
      error: { code: 'duplicate_barcode' },
    });
    expect(
      (await send('PATCH', `/products/${p.id}`, { variants: [{ id: vid, sku: 'TST-OFW' }] })).json(),
    ).toMatchObject({
      error: { code: 'duplicate_sku' },
    });
    expect((await send('PATCH', `/products/${p.id}`, {})).statusCode).toBe(400);
    expect((await send('PATCH', '/products/prd_nope', { name: 'x' })).statusCode).toBe(404);
    // soft delete
    const del = await send('DELETE', `/products/${p.id}`);
    expect(del.statusCode).toBe(200);
    expect((del.json() as ProductView).active).toBe(false);
    expect(await search('绿茶')).not.toContain(p.id);
    const withInactive = (
      await get(`/products?q=${encodeURIComponent('绿茶')}&includeInactive=true`)
    ).json() as { items: ProductView[] };
    expect(withInactive.items.map((x) => x.id)).toContain(p.id);
    expect((await get(`/products/${p.id}`)).statusCode).toBe(200);
  });

  it('resolves GTINs and price- and weight-embedded labels with the store rules', async () => {
    const plu = '98765';
    const weighed = (
      await send('POST', '/products', {
        name: 'Test Cherries',
        nameZh: '测试樱桃',
        variants: [{ sku: 'TST-CHERRY', unit: 'kg', taxClassId, pluCode: plu, prices: { [sh]: 8800 } }],
      })
    ).json() as ProductView;
    const byGtin = await get(`/barcodes/${upc}?storeId=${sh}`);
    expect(byGtin.statusCode, byGtin.body).toBe(200);
    expect(byGtin.json()).toMatchObject({ kind: 'gtin', product: { id: created.id }, price: 3600 });
    expect((await get(`/barcodes/0${upc}`)).json()).toMatchObject({
      kind: 'gtin',
      product: { id: created.id },
      price: null,
    });

    const priceLabel = makeEmbeddedBarcode(
      { prefix: '20', kind: 'price', itemDigits: 5, valueDigits: 5 },
      plu,
      1234,
    );
    const price = await get(`/barcodes/${priceLabel}?storeId=${sh}`);
    expect(price.statusCode, price.body).toBe(200);
    expect(price.json()).toMatchObject({
      kind: 'embedded',
      embeddedPrice: 1234,
      variant: { id: weighed.variants[0]?.id },
    });

    const weightLabel = makeEmbeddedBarcode(
      { prefix: '21', kind: 'weight', itemDigits: 5, valueDigits: 5, weightScale: 1000 },
      plu,
      345,
    );
    const weight = await get(`/barcodes/${weightLabel}?storeId=${sf}`);
    expect(weight.statusCode, weight.body).toBe(200);
    expect(weight.json()).toMatchObject({
      kind: 'embedded',
      embeddedWeightMilli: 345,
      variant: { pluCode: plu },
      price: null,
    });

    const unknownPlu = makeEmbeddedBarcode(
      { prefix: '20', kind: 'price', itemDigits: 5, valueDigits: 5 },
      '11111',
      100,
    );
    expect((await get(`/barcodes/${unknownPlu}?storeId=${sh}`)).json()).toMatchObject({
      error: { code: 'unknown_barcode' },
    });
    expect((await get(`/barcodes/${withCheck('690999999999')}`)).json()).toMatchObject({
      error: { code: 'unknown_barcode' },
    });
    const badCheck = await get(`/barcodes/${ean.slice(0, 12)}${(Number(ean.slice(12)) + 1) % 10}`);
    expect(badCheck.statusCode).toBe(422);
    expect(badCheck.json()).toMatchObject({ error: { code: 'invalid_barcode' } });
    expect((await get(`/barcodes/${upc}?storeId=sto_nope`)).statusCode).toBe(404);
  });

  it('manages categories and tax classes', async () => {
    const cat = await send('POST', '/categories', { name: 'Test Teas', nameZh: '测试茶' });
    expect(cat.statusCode, cat.body).toBe(201);
    const catId = (cat.json() as { id: string }).id;
    const child = await send('POST', '/categories', { name: 'Green', parentId: catId });
    expect(child.statusCode).toBe(201);
    const childId = (child.json() as { id: string }).id;
    expect((await send('PATCH', `/categories/${catId}`, { parentId: childId })).statusCode).toBe(400);
    expect((await send('PATCH', `/categories/${catId}`, { sort: 7 })).json()).toMatchObject({
      sort: 7,
      name: 'Test Teas',
    });
    expect((await send('POST', '/categories', { name: 'x', parentId: 'cat_nope' })).json()).toMatchObject({
      error: { code: 'unknown_category' },
    });
    expect((await send('PATCH', '/categories/cat_nope', { name: 'x' })).statusCode).toBe(404);
    expect(
      ((await get('/categories')).json() as { items: { id: string }[] }).items.map((c) => c.id),
    ).toContain(catId);

    const p = (
      await send('POST', '/products', product({ categoryId: catId }, { sku: 'TST-CAT', barcodes: [] }))
    ).json() as ProductView;
    const inCat = (await get(`/products?categoryId=${catId}`)).json() as { items: ProductView[] };
    expect(inCat.items.map((x) => x.id)).toEqual([p.id]);

    const tax = await send('POST', '/tax-classes', {
      code: 'test-zero',
      name: 'Zero',
      rates: [{ storeId: sh, ratePpm: 0 }],
    });
    expect(tax.statusCode, tax.body).toBe(201);
    const taxId = (tax.json() as { id: string }).id;
    const patched = await send('PATCH', `/tax-classes/${taxId}`, {
      rates: [{ storeId: sf, ratePpm: 86250 }],
    });
    expect((patched.json() as TaxClassView).rates).toEqual(
      expect.arrayContaining([
        { storeId: sh, ratePpm: 0 },
        { storeId: sf, ratePpm: 86250 },
      ]),
    );
    expect(
      (await send('POST', '/tax-classes', { code: 'test-zero', name: 'Again', rates: [] })).statusCode,
    ).toBe(409);
    expect(
      (
        await send('POST', '/tax-classes', {
          code: 'x',
          name: 'x',
          rates: [{ storeId: 'sto_nope', ratePpm: 1 }],
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await send('POST', '/tax-classes', {
          code: 'x',
          name: 'x',
          rates: [{ storeId: sh, ratePpm: 1_000_001 }],
        })
      ).statusCode,
    ).toBe(400);
    const list = (await get('/tax-classes')).json() as { items: TaxClassView[] };
    expect(list.items.find((c) => c.id === taxId)?.rates).toHaveLength(2);
  });

  it('forbids writes to cashiers and auditors', async () => {
    const res = await send('POST', '/products', product({}, { sku: 'CASHIER', barcodes: [] }), 'cashier');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await send('PATCH', `/products/${created.id}`, { name: 'x' }, 'cashier')).statusCode).toBe(403);
    expect((await send('DELETE', `/products/${created.id}`, undefined, 'cashier')).statusCode).toBe(403);
    expect((await send('POST', '/categories', { name: 'x' }, 'cashier')).statusCode).toBe(403);
    expect(
      (await send('POST', '/tax-classes', { code: 'c', name: 'x', rates: [] }, 'cashier')).statusCode,
    ).toBe(403);
    expect((await get('/products', 'auditor')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/products' })).statusCode).toBe(401);
  });

  it('keeps tenants apart', async () => {
    const other = await seedDemo(t.deps, { usernamePrefix: `other_${engine}_`, password: 'other-password' });
    const token = await signInFull(t.app, `other_${engine}_manager`, 'other-password');
    const headers = { authorization: `Bearer ${token}` };
    const vid = created.variants[0]?.id ?? '';
    const inject = (method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    expect((await inject('GET', `/products/${created.id}`)).statusCode).toBe(404);
    expect((await inject('PATCH', `/products/${created.id}`, { name: 'stolen' })).statusCode).toBe(404);
    expect((await inject('DELETE', `/products/${created.id}`)).statusCode).toBe(404);
    expect((await inject('GET', `/variants/${vid}`)).statusCode).toBe(404);
    expect((await inject('GET', `/barcodes/${ean}`)).json()).toMatchObject({
      error: { code: 'unknown_barcode' },
    });
    const found = (await inject('GET', `/products?q=${ean}`)).json() as { items: ProductView[] };
    expect(found.items).toEqual([]);
    // the other tenant may reuse the same SKU and barcode; our store ID is unknown to them
    const tax =
      ((await inject('GET', '/tax-classes')).json() as { items: TaxClassView[] }).items[0]?.id ?? '';
    const mine = await t.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers,
      payload: {
        name: 'Same',
        variants: [
          { sku: 'TST-OFW', taxClassId: tax, barcodes: [ean], prices: { [other.stores.sh.id]: 100 } },
        ],
      },
    });
    expect(mine.statusCode, mine.body).toBe(201);
    const foreignStore = await t.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers,
      payload: { name: 'X', variants: [{ sku: 'X-1', taxClassId: tax, prices: { [sh]: 100 } }] },
    });
    expect(foreignStore.json()).toMatchObject({ error: { code: 'unknown_store' } });
    const foreignTax = await t.app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers,
      payload: { name: 'X', variants: [{ sku: 'X-2', taxClassId }] },
    });
    expect(foreignTax.json()).toMatchObject({ error: { code: 'unknown_tax_class' } });
    expect((await get(`/products/${created.id}`)).json()).toMatchObject({ name: 'Oat Milk Flat White' });
  });

  it('feeds changes after a cursor, including price changes', async () => {
    const all: ChangeItem[] = [];
    let cursor = '';
    for (let i = 0; i < 100; i++) {
      const res = await get(
        `/catalog/changes?limit=200${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { items: ChangeItem[]; nextCursor: string };
      all.push(...page.items);
      cursor = page.nextCursor;
      if (page.items.length < 200) break;
    }
    const variantCount = Number(
      (
        await t.deps.database.db
          .selectFrom('variants')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', t.seed.tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(all).toHaveLength(variantCount);
    expect(new Set(all.map((v) => v.id)).size).toBe(variantCount);
    const empty = (await get(`/catalog/changes?since=${encodeURIComponent(cursor)}`)).json() as {
      items: ChangeItem[];
      nextCursor: string;
    };
    expect(empty.items).toEqual([]);
    expect(empty.nextCursor).toBe(cursor);

    await new Promise((r) => setTimeout(r, 5));
    const vid = created.variants[0]?.id ?? '';
    expect(
      (await send('PATCH', `/products/${created.id}`, { variants: [{ id: vid, prices: { [sh]: 3900 } }] }))
        .statusCode,
    ).toBe(200);
    const delta = (await get(`/catalog/changes?since=${encodeURIComponent(cursor)}`)).json() as {
      items: ChangeItem[];
      nextCursor: string;
    };
    expect(delta.items.map((v) => v.id)).toEqual([vid]);
    expect(delta.items[0]).toMatchObject({
      prices: { [sh]: 3900 },
      productName: 'Oat Milk Flat White',
      productActive: true,
    });
    expect(delta.nextCursor).not.toBe(cursor);
    // a bare instant works too; a garbage cursor is a 400
    const byInstant = (
      await get(`/catalog/changes?since=${encodeURIComponent(cursor.split('|')[0] ?? '')}`)
    ).json() as { items: ChangeItem[] };
    expect(byInstant.items.map((v) => v.id)).toContain(vid);
    expect((await get('/catalog/changes?since=yesterday')).statusCode).toBe(400);
  });
});
