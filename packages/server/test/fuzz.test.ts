import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seedDemo, type SeedResult } from '../src/seed/seed';
import {
  demoVariants,
  engines,
  newOrderId,
  startTestApp,
  TEST_PASSWORD,
  type DemoVariant,
  type TestApp,
} from './harness';

/**
 * Generated hostile bodies against the write routes. Every answer must be 2xx or 4xx (never
 * 5xx), every 4xx must be a well-formed error body, and a 4xx must leave the database untouched.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** GTIN check digit (mod 10, weights 3/1 from the right). */
function withCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
function badCheckDigit(code: string): string {
  const last = Number(code[code.length - 1]);
  return code.slice(0, -1) + String((last + 1) % 10);
}

type Mutation = { path: string; op: 'set' | 'delete'; value: unknown };

/** Applies `set`/`delete` at dotted paths of a copy of `base` ('$' replaces the whole body). */
function applyMutations(base: unknown, muts: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(base);
  for (const m of muts) {
    if (m.path === '$') {
      if (m.op === 'set') root = structuredClone(m.value);
      continue;
    }
    const parts = m.path.split('.');
    let cur: unknown = root;
    for (const p of parts.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object') break;
      cur = (cur as Record<string, unknown>)[p];
    }
    if (cur === null || typeof cur !== 'object') continue;
    const last = parts[parts.length - 1]!;
    if (m.op === 'delete') delete (cur as Record<string, unknown>)[last];
    else (cur as Record<string, unknown>)[last] = structuredClone(m.value);
  }
  return root;
}

/** Values of the wrong type or shape, for any field. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.constantFrom(-1, 0, 0.5, 1e21, -1e21, MAX_SAFE + 2, 2 ** 64, -0),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800x',
    '😀'.repeat(50),
    '中文商品',
    'x'.repeat(10_000),
    "'; drop table orders; --",
  ),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

type Snapshot = Record<string, number>;
/** status/code histogram, printed with FUZZ_VERBOSE=1 */
const seen = new Map<string, number>();
const COUNTED = [
  'orders',
  'order_lines',
  'payments',
  'stock_movements',
  'refunds',
  'refund_lines',
  'products',
  'variants',
  'audit_log',
  'outbox',
  'idempotency_keys',
] as const;

describe.each(engines)('fuzzing the write routes (%s)', (engine) => {
  const runs = Number(process.env.FUZZ_RUNS) || (engine === 'sqlite' ? 300 : 120);
  let t: TestApp;
  let other: SeedResult;
  let items: DemoVariant[];
  let weighed: DemoVariant[];
  let foreignVariants: string[];
  let taxClasses: string[];
  let foreignTaxClass: string;
  let categories: string[];
  let ownProduct: { id: string; variants: string[] };
  let foreignProduct: string;
  let foreignOrder: string;
  let liveOrder: { id: string; lineIds: string[] };

  const snapshot = async (): Promise<Snapshot> => {
    const db = t.deps.database.db;
    const queries = [
      ...COUNTED.map((table) =>
        db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .compile(),
      ),
      db
        .selectFrom('stock_levels')
        .select((eb) => eb.fn.coalesce(eb.fn.sum('on_hand_milli'), eb.lit(0)).as('n'))
        .compile(),
    ];
    const rows = await t.deps.database.readBatch(queries);
    const out: Snapshot = {};
    [...COUNTED, 'stock_levels_sum'].forEach((name, i) => {
      out[name] = Number((rows[i]?.[0] as { n: unknown } | undefined)?.n ?? NaN);
    });
    return out;
  };

  const send = (method: 'POST' | 'PATCH', url: string, body: unknown, headers: Record<string, string>) =>
    t.app.inject({
      method,
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify(body) ?? 'null',
    });

  /** Sends and checks the invariants; returns the response. */
  const probe = async (
    method: 'POST' | 'PATCH',
    url: string,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    const before = await snapshot();
    const res = await send(method, url, body, headers);
    const context = `${method} ${url} ${JSON.stringify(body)?.slice(0, 2000)} → ${res.statusCode} ${res.body.slice(0, 500)}`;
    expect(res.statusCode, context).toBeGreaterThanOrEqual(200);
    expect(res.statusCode, context).toBeLessThan(500);
    expect(res.statusCode >= 300 && res.statusCode < 400, context).toBe(false);
    if (process.env.FUZZ_VERBOSE) {
      const code = res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : '';
      const k = `${method} ${url.split('/')[3]} ${res.statusCode} ${code}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    if (res.statusCode >= 400) {
      const parsed = res.json() as { error?: { code?: unknown; message?: unknown } };
      expect(parsed.error, context).toBeDefined();
      expect(parsed.error?.code, context).toMatch(/^[a-z_]+$/);
      expect(typeof parsed.error?.message, context).toBe('string');
      expect((parsed.error?.message as string).trim().length, context).toBeGreaterThan(0);
      expect(await snapshot(), context).toEqual(before);
    }
    return res;
  };

  /** Stock of piece-counted items never moves by a fraction of a piece. */
  const expectWholePieces = async () => {
    const fractional = await t.deps.database.db
      .selectFrom('stock_movements')
      .innerJoin('variants', 'variants.id', 'stock_movements.variant_id')
      .select(['stock_movements.id', 'stock_movements.kind', 'stock_movements.qty_milli'])
      .where('variants.unit', '=', 'each')
      .execute();
    expect(fractional.filter((m) => m.qty_milli % 1000 !== 0)).toEqual([]);
  };

  const sellBody = (lines: object[], tender = 10_000_000) => ({
    id: newOrderId(),
    storeId: t.seed.stores.sh.id,
    registerId: t.seed.stores.sh.registers[0],
    lines,
    tenders: [{ kind: 'cash', amount: tender }],
  });

  const makePaidOrder = async (): Promise<{ id: string; lineIds: string[] }> => {
    const res = await send(
      'POST',
      '/api/v1/orders',
      sellBody([
        { variantId: items[0]!.id, quantity: 5 },
        { variantId: items[1]!.id, quantity: 2 },
        { variantId: weighed[0]!.id, quantity: 1.25 },
      ]),
      { ...t.auth('cashier'), 'idempotency-key': `fuzz-setup-${newOrderId()}` },
    );
    expect(res.statusCode, res.body).toBe(201);
    const order = res.json() as { id: string; lines: { lineId: string }[] };
    return { id: order.id, lineIds: order.lines.map((l) => l.lineId) };
  };

  beforeAll(async () => {
    t = await startTestApp(engine);
    other = await seedDemo(t.deps, { usernamePrefix: 'other_', password: TEST_PASSWORD });
    items = await demoVariants(t, { unit: 'each', limit: 6 });
    weighed = await demoVariants(t, { unit: 'kg', limit: 2 });
    const db = t.deps.database.db;
    foreignVariants = (
      await db.selectFrom('variants').select('id').where('tenant_id', '=', other.tenantId).limit(3).execute()
    ).map((r) => r.id);
    taxClasses = (
      await db.selectFrom('tax_classes').select('id').where('tenant_id', '=', t.seed.tenantId).execute()
    ).map((r) => r.id);
    foreignTaxClass = (
      await db
        .selectFrom('tax_classes')
        .select('id')
        .where('tenant_id', '=', other.tenantId)
        .executeTakeFirstOrThrow()
    ).id;
    categories = (
      await db
        .selectFrom('categories')
        .select('id')
        .where('tenant_id', '=', t.seed.tenantId)
        .limit(3)
        .execute()
    ).map((r) => r.id);
    const ownV = await db
      .selectFrom('variants')
      .select(['id', 'product_id'])
      .where('tenant_id', '=', t.seed.tenantId)
      .orderBy('sku', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    ownProduct = {
      id: ownV.product_id,
      variants: (
        await db.selectFrom('variants').select('id').where('product_id', '=', ownV.product_id).execute()
      ).map((r) => r.id),
    };
    foreignProduct = (
      await db
        .selectFrom('products')
        .select('id')
        .where('tenant_id', '=', other.tenantId)
        .executeTakeFirstOrThrow()
    ).id;

    // a paid order of the other tenant
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'other_cashier', password: TEST_PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    const otherToken = (login.json() as { token: string }).token;
    const otherV = await db
      .selectFrom('variants')
      .select('id')
      .where('tenant_id', '=', other.tenantId)
      .where('unit', '=', 'each')
      .orderBy('sku')
      .executeTakeFirstOrThrow();
    const foreign = await send(
      'POST',
      '/api/v1/orders',
      {
        id: newOrderId(),
        storeId: other.stores.sh.id,
        registerId: other.stores.sh.registers[0],
        lines: [{ variantId: otherV.id, quantity: 1 }],
        tenders: [{ kind: 'cash', amount: 10_000_000 }],
      },
      { authorization: `Bearer ${otherToken}`, 'idempotency-key': 'fuzz-foreign-order' },
    );
    expect(foreign.statusCode, foreign.body).toBe(201);
    foreignOrder = (foreign.json() as { id: string }).id;
    liveOrder = await makePaidOrder();
  });
  afterAll(async () => {
    if (process.env.FUZZ_VERBOSE) console.log(engine, [...seen.entries()].sort());
    seen.clear();
    await t?.close();
  });

  /** Interesting values that a mutation may put anywhere. */
  const special = () =>
    fc.constantFrom<unknown>(
      0,
      -1,
      0.5,
      1.5,
      1e-9,
      0.0001,
      1_000_001,
      MAX_SAFE,
      MAX_SAFE + 1,
      2 ** 60,
      null,
      [],
      {},
      '',
      '😀中文',
      'x'.repeat(100_000),
      'var_nope',
      foreignVariants[0],
      other.stores.sh.id,
      other.stores.sh.registers[0],
      t.seed.stores.sf.registers[0],
      foreignTaxClass,
      badCheckDigit(items[0]!.barcode),
      items[0]!.barcode,
      { kind: 'percent', percentBp: 10_001, reason: 'too much' },
      { kind: 'percent', percentBp: 10_000, reason: 'free' },
      { kind: 'amount', amount: 1e12, reason: 'more than the line' },
      { kind: 'amount', amount: MAX_SAFE, reason: 'huge' },
      'USD',
      'XXX',
      'wallet',
      '4111111111111111',
    );
  const mutations = (paths: string[]) =>
    fc.oneof(
      { arbitrary: fc.constant([] as Mutation[]), weight: 2 },
      {
        arbitrary: fc.array(
          fc.record({
            path: fc.constantFrom(...paths),
            op: fc.constantFrom('set', 'set', 'set', 'delete') as fc.Arbitrary<'set' | 'delete'>,
            value: fc.oneof(hostile, special()),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        weight: 5,
      },
    );

  it('checkout: generated bodies never 5xx and a 4xx writes nothing', async () => {
    const sh = t.seed.stores.sh;
    const sf = t.seed.stores.sf;
    const validDiscount = fc.oneof(
      fc.record({
        kind: fc.constant('percent'),
        percentBp: fc.integer({ min: 1, max: 10_000 }),
        reason: fc.constant('promo'),
      }),
      fc.record({
        kind: fc.constant('amount'),
        amount: fc.integer({ min: 0, max: 2_000 }),
        reason: fc.constant('damaged 破损'),
      }),
    );
    const lineArb = fc.oneof(
      fc.record(
        {
          variantId: fc.constantFrom(...items.map((v) => v.id)),
          quantity: fc.integer({ min: 1, max: 4 }),
          discount: validDiscount,
        },
        { requiredKeys: ['variantId'] },
      ),
      fc.record({
        variantId: fc.constantFrom(...weighed.map((v) => v.id)),
        quantity: fc.integer({ min: 1, max: 3000 }).map((g) => g / 1000),
      }),
      fc.record({ barcode: fc.constantFrom(...items.map((v) => v.barcode).filter((b) => b)) }),
    );
    const baseArb = fc.record({
      store: fc.constantFrom(sh, sh, sf),
      lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
      orderDiscounts: fc.option(fc.array(validDiscount, { maxLength: 1 }), { nil: undefined }),
      tender: fc.constantFrom<object[]>(
        [{ kind: 'cash', amount: 10_000_000 }],
        [
          { kind: 'card', amount: 1, reference: 'auth-1' },
          { kind: 'cash', amount: 10_000_000 },
        ],
        [{ kind: 'card', amount: 1 }],
      ),
    });
    const paths = [
      '$',
      'id',
      'storeId',
      'registerId',
      'customerId',
      'lines',
      'lines.0',
      'lines.0.variantId',
      'lines.0.barcode',
      'lines.0.quantity',
      'lines.0.discount',
      'lines.0.lineId',
      'lines.0.surprise',
      'lines.1',
      'lines.1.quantity',
      'orderDiscounts',
      'orderDiscounts.0',
      'tenders',
      'tenders.0',
      'tenders.0.kind',
      'tenders.0.amount',
      'tenders.0.reference',
      'tenders.0.currency',
      'total',
      'createdAt',
      'currency',
      'tenantId',
    ];
    const bodyArb = fc.tuple(baseArb, mutations(paths)).map(([b, muts]) =>
      applyMutations(
        {
          id: newOrderId(),
          storeId: b.store.id,
          registerId: b.store.registers[0],
          lines: b.lines,
          ...(b.orderDiscounts ? { orderDiscounts: b.orderDiscounts } : {}),
          tenders: b.tender,
        },
        muts,
      ),
    );

    const statuses = new Map<number, number>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        n += 1;
        const res = await probe('POST', '/api/v1/orders', body, {
          ...t.auth(n % 5 === 0 ? 'manager' : 'cashier'),
          'idempotency-key': `fuzz-${engine}-${n}-${Math.random().toString(36).slice(2)}`,
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 201) {
          const order = res.json() as { total: number; lines: { total: number }[] };
          expect(order.lines.reduce((s, l) => s + l.total, 0)).toBe(order.total);
        }
      }),
      { numRuns: runs },
    );
    await expectWholePieces();
    // the generator reaches the success path as well as refusals
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  });

  it('refunds: generated bodies never 5xx and a 4xx writes nothing', async () => {
    const baseArb = fc.oneof(
      fc.record({ reason: fc.constantFrom('customer changed mind', '质量问题') }),
      fc.record({
        lines: fc
          .subarray(['1', '2', '3'], { minLength: 1 })
          .map((ids) => ids.map((lineId) => ({ lineId, quantity: lineId === '3' ? 0.25 : 1 }))),
        restock: fc.boolean(),
        reason: fc.constant('broken'),
      }),
      fc.record({
        amount: fc.integer({ min: 1, max: 500 }),
        toTender: fc.constantFrom('cash', 'card'),
        reason: fc.constant('goodwill'),
      }),
    );
    const paths = [
      '$',
      'lines',
      'lines.0',
      'lines.0.lineId',
      'lines.0.quantity',
      'lines.0.restock',
      'lines.0.surprise',
      'lines.1.quantity',
      'amount',
      'toTender',
      'restock',
      'reason',
      'surprise',
    ];
    const targetArb = fc.constantFrom('live', 'live', 'live', 'live', 'foreign', 'missing', 'weird');
    const roleArb = fc.constantFrom('cashier', 'manager', 'manager', 'auditor') as fc.Arbitrary<
      'cashier' | 'manager' | 'auditor'
    >;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(baseArb, mutations(paths), targetArb, roleArb, async (base, muts, target, role) => {
        const body = applyMutations(base, muts);
        const id =
          target === 'live'
            ? liveOrder.id
            : target === 'foreign'
              ? foreignOrder
              : target === 'missing'
                ? newOrderId()
                : encodeURIComponent('ord_😀/../x?y');
        const res = await probe('POST', `/api/v1/orders/${id}/refunds`, body, t.auth(role));
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (target === 'foreign') {
          // another tenant's order is never refunded, and never told apart from a missing one
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          if (res.statusCode === 404 || res.statusCode === 422 || res.statusCode === 409) {
            expect((res.json() as { error: { code: string } }).error.code).toBe('unknown_order');
          }
        }
        if (res.statusCode < 300 && target === 'live') {
          const got = await t.app.inject({
            method: 'GET',
            url: `/api/v1/orders/${liveOrder.id}`,
            headers: t.auth('manager'),
          });
          if ((got.json() as { status: string }).status === 'refunded') liveOrder = await makePaidOrder();
        }
      }),
      { numRuns: runs },
    );
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    await expectWholePieces();
  });

  it('products: generated create and edit bodies never 5xx and a 4xx writes nothing', async () => {
    const sh = t.seed.stores.sh.id;
    const sf = t.seed.stores.sf.id;
    const freshGtin = fc.stringMatching(/^[1-9][0-9]{11}$/).map(withCheckDigit);
    const newVariant = fc.record(
      {
        sku: fc.uuid().map((u) => `FZ-${u.slice(0, 13)}`),
        name: fc.constantFrom('Fuzz item', '模糊测试 😀'),
        unit: fc.constantFrom('each', 'kg'),
        taxClassId: fc.constantFrom(...taxClasses),
        barcodes: fc.array(freshGtin, { maxLength: 2 }),
        prices: fc.record(
          { [sh]: fc.integer({ min: 0, max: 100_000 }), [sf]: fc.integer({ min: 0, max: 10_000 }) },
          { requiredKeys: [] },
        ),
        pluCode: fc.constantFrom(null, undefined),
      },
      { requiredKeys: ['sku', 'taxClassId'] },
    );
    const createBase = fc.record(
      {
        name: fc.constantFrom('Fuzz product', '模糊商品'),
        nameZh: fc.constantFrom(null, '中文名'),
        categoryId: fc.constantFrom(null, ...categories),
        variants: fc.array(newVariant, { minLength: 1, maxLength: 2 }),
      },
      { requiredKeys: ['name', 'variants'] },
    );
    const patchBase = fc.oneof(
      fc.record({ name: fc.constantFrom('Renamed', '改名') }),
      fc.record({ active: fc.boolean(), categoryId: fc.constantFrom(null, ...categories) }),
      fc.record({
        variants: fc.tuple(
          fc.record(
            {
              id: fc.constantFrom(...ownProduct.variants),
              prices: fc.record({ [sh]: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(null)) }),
              barcodes: fc.array(freshGtin, { maxLength: 1 }),
              active: fc.constant(true),
            },
            { requiredKeys: ['id'] },
          ),
        ),
      }),
      fc.record({ variants: fc.tuple(newVariant) }),
    );
    const paths = [
      '$',
      'name',
      'nameZh',
      'categoryId',
      'active',
      'variants',
      'variants.0',
      'variants.0.id',
      'variants.0.sku',
      'variants.0.name',
      'variants.0.unit',
      'variants.0.taxClassId',
      'variants.0.pluCode',
      'variants.0.barcodes',
      'variants.0.barcodes.0',
      `variants.0.prices.${sh}`,
      `variants.0.prices.${other.stores.sh.id}`,
      'variants.0.prices.sto_nope',
      'variants.0.prices',
      'variants.0.active',
      'variants.0.surprise',
      'variants.1',
      'surprise',
    ];
    const productIdArb = fc.constantFrom(
      ownProduct.id,
      ownProduct.id,
      ownProduct.id,
      foreignProduct,
      'prd_nope',
      items[0]!.id,
    );
    const roleArb = fc.constantFrom('manager', 'manager', 'owner', 'cashier') as fc.Arbitrary<
      'manager' | 'owner' | 'cashier'
    >;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            op: fc.constant('create' as const),
            base: createBase as fc.Arbitrary<unknown>,
            id: fc.constant(''),
          }),
          fc.record({
            op: fc.constant('patch' as const),
            base: patchBase as fc.Arbitrary<unknown>,
            id: productIdArb,
          }),
        ),
        mutations(paths),
        roleArb,
        async (c, muts, role) => {
          const body = applyMutations(c.base, muts);
          const res =
            c.op === 'create'
              ? await probe('POST', '/api/v1/products', body, t.auth(role))
              : await probe('PATCH', `/api/v1/products/${c.id}`, body, t.auth(role));
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          // schema validation runs before the permission check, so a cashier sees 400 or 403
          if (role === 'cashier') expect([400, 403]).toContain(res.statusCode);
          if (c.op === 'patch' && c.id === foreignProduct) expect(res.statusCode).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: runs },
    );
    expect((statuses.get(201) ?? 0) + (statuses.get(200) ?? 0)).toBeGreaterThan(0);
    // the foreign product is untouched by anything above
    const foreign = await t.deps.database.db
      .selectFrom('products')
      .select(['name', 'updated_at', 'created_at'])
      .where('id', '=', foreignProduct)
      .executeTakeFirstOrThrow();
    expect(foreign.updated_at).toBe(foreign.created_at);
  });

  it('gives each kind of bad input its own clear code', async () => {
    const key = () => ({ ...t.auth('cashier'), 'idempotency-key': `fuzz-explicit-${newOrderId()}` });
    const expectCode = async (res: Awaited<ReturnType<typeof probe>>, status: number, code: string) => {
      expect(res.statusCode, res.body).toBe(status);
      expect((res.json() as { error: { code: string } }).error.code).toBe(code);
    };
    const ok = sellBody([{ variantId: items[0]!.id, quantity: 1 }]);
    await expectCode(
      await probe('POST', '/api/v1/orders', { ...ok, surprise: true }, key()),
      400,
      'unknown_field',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/orders',
        { ...ok, lines: [{ variantId: items[0]!.id, quantity: 1, colour: 'red' }] },
        key(),
      ),
      400,
      'unknown_field',
    );
    await expectCode(
      await probe('POST', '/api/v1/orders', sellBody([{ variantId: items[0]!.id, quantity: 2.5 }]), key()),
      422,
      'fractional_quantity',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/orders',
        sellBody([{ variantId: items[0]!.id, quantity: 1 }], MAX_SAFE + 1),
        key(),
      ),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe('POST', '/api/v1/orders', { ...ok, total: 2 ** 60 }, key()),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/orders',
        sellBody([{ variantId: 'var_does_not_exist', quantity: 1 }]),
        key(),
      ),
      422,
      'unknown_variant',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/orders',
        sellBody([{ variantId: foreignVariants[0]!, quantity: 1 }]),
        key(),
      ),
      422,
      'unknown_variant',
    );
    await expectCode(
      await probe(
        'POST',
        `/api/v1/orders/${foreignOrder}/refunds`,
        { reason: 'not yours' },
        t.auth('manager'),
      ),
      404,
      'unknown_order',
    );
    await expectCode(
      await probe('POST', '/api/v1/orders', sellBody([{ barcode: badCheckDigit(items[0]!.barcode) }]), key()),
      422,
      'invalid_barcode',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/orders',
        {
          ...ok,
          lines: [
            {
              variantId: items[0]!.id,
              quantity: 1,
              discount: { kind: 'percent', percentBp: 10_001, reason: 'x' },
            },
          ],
        },
        key(),
      ),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe('POST', '/api/v1/orders', { ...ok, lines: [] }, key()),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe('POST', '/api/v1/orders', { ...ok, lines: null }, key()),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/products',
        {
          name: 'Bad code',
          variants: [
            { sku: 'FZ-BAD-1', taxClassId: taxClasses[0], barcodes: [badCheckDigit(items[1]!.barcode)] },
          ],
        },
        t.auth('manager'),
      ),
      422,
      'invalid_barcode',
    );
    await expectCode(
      await probe(
        'POST',
        '/api/v1/products',
        { name: 'Foreign tax', variants: [{ sku: 'FZ-BAD-2', taxClassId: foreignTaxClass }] },
        t.auth('manager'),
      ),
      422,
      'unknown_tax_class',
    );
    // half a croissant cannot be refunded either
    const paid = await makePaidOrder();
    await expectCode(
      await probe(
        'POST',
        `/api/v1/orders/${paid.id}/refunds`,
        { lines: [{ lineId: paid.lineIds[0], quantity: 0.5 }], reason: 'half' },
        t.auth('manager'),
      ),
      422,
      'fractional_quantity',
    );
    const kgRefund = await probe(
      'POST',
      `/api/v1/orders/${paid.id}/refunds`,
      { lines: [{ lineId: paid.lineIds[2], quantity: 0.5 }], reason: 'half a kilo back' },
      t.auth('manager'),
    );
    expect(kgRefund.statusCode, kgRefund.body).toBe(201);
    // PostgreSQL text cannot hold NUL: refused at the edge on both engines, not a 500
    await expectCode(
      await probe('POST', '/api/v1/orders', { ...ok, customerId: 'cus\u0000' }, key()),
      400,
      'validation_failed',
    );
    await expectCode(
      await probe('PATCH', `/api/v1/products/${ownProduct.id}`, { nameZh: '\u0000' }, t.auth('manager')),
      400,
      'validation_failed',
    );
    const nulPath = await t.app.inject({
      method: 'GET',
      url: '/api/v1/orders/ord_%00x',
      headers: t.auth('manager'),
    });
    expect(nulPath.statusCode, nulPath.body).toBe(400);
    await expectCode(
      await probe('PATCH', `/api/v1/products/${foreignProduct}`, { name: 'Mine now' }, t.auth('manager')),
      404,
      'unknown_product',
    );
  });
});
