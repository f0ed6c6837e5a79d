import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, startTestApp, type TestApp } from '../../../test/harness';
import { seedDemo } from '../../seed/seed';
import { createStoresService } from '../stores/service';
import { createStockService } from './service';

interface Level {
  storeId: string;
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: string;
  onHand: number;
  flaggedNegative: boolean;
}
interface Movement {
  id: string;
  storeId: string;
  variantId: string;
  kind: string;
  quantity: number;
  reason: string | null;
  refId: string | null;
  staffId: string | null;
  wentNegative: boolean;
}

describe.each(engines)('stock routes (%s)', (engine) => {
  let t: TestApp;
  let sh: string;
  let sf: string;
  let each: string[];
  let kg: string;
  let foreignStore: string;
  let foreignVariant: string;

  const call = (
    role: 'owner' | 'manager' | 'cashier' | 'auditor',
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: object,
  ) => t.app.inject({ method, url: `/api/v1${url}`, headers: t.auth(role), ...(payload ? { payload } : {}) });

  async function onHand(storeId: string, variantId: string): Promise<number> {
    const res = await call('manager', 'GET', `/stock?storeId=${storeId}&variantId=${variantId}`);
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Level[] }).items;
    return items[0]?.onHand ?? 0;
  }

  async function movementCount(): Promise<number> {
    const row = await t.deps.database.db
      .selectFrom('stock_movements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', t.seed.tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function setPolicy(storeId: string, negativeStock: 'block' | 'allow') {
    const res = await call('owner', 'PATCH', `/stores/${storeId}`, { negativeStock });
    expect(res.statusCode).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp(engine);
    sh = t.seed.stores.sh.id;
    sf = t.seed.stores.sf.id;
    const db = t.deps.database.db;
    const variants = await db
      .selectFrom('variants')
      .select(['id', 'unit'])
      .where('tenant_id', '=', t.seed.tenantId)
      .orderBy('sku')
      .execute();
    each = variants.filter((v) => v.unit === 'each').map((v) => v.id);
    kg = variants.find((v) => v.unit === 'kg')?.id ?? '';
    expect(each.length).toBeGreaterThan(10);
    expect(kg).not.toBe('');
    const other = await seedDemo(t.deps, { usernamePrefix: `other_${engine}_`, tenantName: 'Other tenant' });
    foreignStore = other.stores.sh.id;
    const fv = await db
      .selectFrom('variants')
      .select('id')
      .where('tenant_id', '=', other.tenantId)
      .executeTakeFirstOrThrow();
    foreignVariant = fv.id;
  }, 60_000);
  afterAll(() => t.close());

  it('receives goods: exact on-hand after, a receive movement, an audit entry', async () => {
    const v = each[0] ?? '';
    const before = await onHand(sh, v);
    const res = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: v, quantity: 12 }],
      reference: 'PO-1001',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { movements: Movement[]; levels: { onHand: number }[] };
    expect(body.movements).toHaveLength(1);
    expect(body.movements[0]).toMatchObject({
      kind: 'receive',
      quantity: 12,
      refId: 'PO-1001',
      wentNegative: false,
    });
    expect(body.levels[0]?.onHand).toBe(before + 12);
    expect(await onHand(sh, v)).toBe(before + 12);

    const history = await call('auditor', 'GET', `/stock/movements?storeId=${sh}&variantId=${v}&limit=5`);
    expect(history.statusCode).toBe(200);
    const items = (history.json() as { items: Movement[] }).items;
    expect(items[0]?.id).toBe(body.movements[0]?.id);

    const audit = await t.deps.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', t.seed.tenantId)
      .where('action', '=', 'stock.receive')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.entity_id).toBe(sh);
  });

  it('receives fractional kilograms but refuses half an each-unit item', async () => {
    const before = await onHand(sh, kg);
    const ok = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: kg, quantity: 2.345 }],
    });
    expect(ok.statusCode).toBe(201);
    expect(await onHand(sh, kg)).toBeCloseTo(before + 2.345, 9);

    const half = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: each[1], quantity: 0.5 }],
    });
    expect(half.statusCode).toBe(422);
    expect(half.json().error.code).toBe('fractional_quantity');

    const tooPrecise = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: kg, quantity: 1.2345 }],
    });
    expect(tooPrecise.statusCode).toBe(422);
    expect(tooPrecise.json().error.code).toBe('invalid_quantity');

    const zero = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: kg, quantity: 0 }],
    });
    expect(zero.statusCode).toBe(422);
    expect(zero.json().error.code).toBe('invalid_quantity');
  });

  it('refuses unknown variants, foreign stores and variants, and unknown fields without writing', async () => {
    const before = await movementCount();
    const unknown = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: 'var_nope', quantity: 1 }],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('unknown_variant');

    const foreignV = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: foreignVariant, quantity: 1 }],
    });
    expect(foreignV.statusCode).toBe(422);
    expect(foreignV.json().error.code).toBe('unknown_variant');

    const foreignS = await call('manager', 'POST', '/stock/receive', {
      storeId: foreignStore,
      lines: [{ variantId: each[0], quantity: 1 }],
    });
    expect(foreignS.statusCode).toBe(404);
    expect(foreignS.json().error.code).toBe('unknown_store');

    const read = await call('manager', 'GET', `/stock?storeId=${foreignStore}`);
    expect(read.statusCode).toBe(404);
    expect(read.json().error.code).toBe('unknown_store');

    const foreignTransfer = await call('manager', 'POST', '/stock/transfers', {
      fromStoreId: sh,
      toStoreId: foreignStore,
      lines: [{ variantId: each[0], quantity: 1 }],
    });
    expect(foreignTransfer.statusCode).toBe(404);
    expect(foreignTransfer.json().error.code).toBe('unknown_store');

    // the foreign tenant's stock is invisible by variant too
    const foreignLevels = await call('manager', 'GET', `/stock?variantId=${foreignVariant}`);
    expect(foreignLevels.statusCode).toBe(200);
    expect(foreignLevels.json().items).toEqual([]);

    const extra = await call('manager', 'POST', '/stock/receive', {
      storeId: sh,
      lines: [{ variantId: each[0], quantity: 1 }],
      tenantId: 'ten_x',
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('unknown_field');

    const noLines = await call('manager', 'POST', '/stock/receive', { storeId: sh, lines: [] });
    expect(noLines.statusCode).toBe(400);
    expect(noLines.json().error.code).toBe('validation_failed');

    expect(await movementCount()).toBe(before);
  });

  it('adjusts with a required reason', async () => {
    const v = each[2] ?? '';
    const before = await onHand(sh, v);
    for (const body of [
      { storeId: sh, lines: [{ variantId: v, quantity: -1 }] },
      { storeId: sh, lines: [{ variantId: v, quantity: -1 }], reason: 'lost' },
      { storeId: sh, lines: [{ variantId: v, quantity: -1 }], reason: 'other' },
      { storeId: sh, lines: [{ variantId: v, quantity: -1 }], reason: 'other', note: '  ' },
    ]) {
      const res = await call('manager', 'POST', '/stock/adjust', body);
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('invalid_reason');
    }
    const zero = await call('manager', 'POST', '/stock/adjust', {
      storeId: sh,
      lines: [{ variantId: v, quantity: 0 }],
      reason: 'correction',
    });
    expect(zero.statusCode).toBe(422);
    expect(zero.json().error.code).toBe('invalid_quantity');
    expect(await onHand(sh, v)).toBe(before);

    const res = await call('manager', 'POST', '/stock/adjust', {
      storeId: sh,
      lines: [{ variantId: v, quantity: -2 }],
      reason: 'damaged',
      note: 'dropped crate',
    });
    expect(res.statusCode).toBe(201);
    const m = (res.json() as { movements: Movement[] }).movements[0];
    expect(m).toMatchObject({ kind: 'adjust', quantity: -2, reason: 'damaged: dropped crate' });
    expect(await onHand(sh, v)).toBe(before - 2);

    const up = await call('owner', 'POST', '/stock/adjust', {
      storeId: sh,
      lines: [{ variantId: v, quantity: 3 }],
      reason: 'correction',
    });
    expect(up.statusCode).toBe(201);
    expect(await onHand(sh, v)).toBe(before + 1);
  });

  it("blocks negative stock in a 'block' store and flags it in an 'allow' store", async () => {
    const v = each[3] ?? '';
    const start = await onHand(sf, v);
    expect(start).toBeGreaterThanOrEqual(0);
    const takeAll = { storeId: sf, lines: [{ variantId: v, quantity: -(start + 1) }], reason: 'theft' };

    await setPolicy(sf, 'block');
    const movesBefore = await movementCount();
    const blocked = await call('manager', 'POST', '/stock/adjust', takeAll);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error).toMatchObject({ code: 'insufficient_stock', details: { onHand: start } });
    expect(await onHand(sf, v)).toBe(start);
    expect(await movementCount()).toBe(movesBefore);

    // down to exactly zero is fine in a blocking store
    const toZero = await call('manager', 'POST', '/stock/adjust', {
      ...takeAll,
      lines: [{ variantId: v, quantity: -start }],
    });
    if (start > 0) {
      expect(toZero.statusCode).toBe(201);
      expect(await onHand(sf, v)).toBe(0);
    }
    const back = await call('manager', 'POST', '/stock/receive', {
      storeId: sf,
      lines: [{ variantId: v, quantity: start }],
    });
    expect(back.statusCode).toBe(201);

    // two lines of the same variant add up before the check
    const split = await call('manager', 'POST', '/stock/adjust', {
      storeId: sf,
      lines: [
        { variantId: v, quantity: -start || -1 },
        { variantId: v, quantity: -1 },
      ],
      reason: 'theft',
    });
    expect(split.statusCode).toBe(409);

    await setPolicy(sf, 'allow');
    const allowed = await call('manager', 'POST', '/stock/adjust', takeAll);
    expect(allowed.statusCode).toBe(201);
    expect((allowed.json() as { movements: Movement[] }).movements[0]?.wentNegative).toBe(true);
    const level = await call('auditor', 'GET', `/stock?storeId=${sf}&variantId=${v}`);
    expect(level.json().items[0]).toMatchObject({ onHand: -1, flaggedNegative: true });

    // a receipt into a negative level is never blocked
    await setPolicy(sf, 'block');
    const receive = await call('manager', 'POST', '/stock/receive', {
      storeId: sf,
      lines: [{ variantId: v, quantity: 1 }],
    });
    expect(receive.statusCode).toBe(201);
    expect(await onHand(sf, v)).toBe(0);
    await setPolicy(sf, 'allow');
  });

  it('records cycle counts as differences from on-hand', async () => {
    const a = each[4] ?? '';
    const b = each[5] ?? '';
    const aBefore = await onHand(sh, a);
    const bBefore = await onHand(sh, b);
    const kgBefore = await onHand(sh, kg);
    const res = await call('manager', 'POST', '/stock/counts', {
      storeId: sh,
      lines: [
        { variantId: a, counted: aBefore + 4 },
        { variantId: b, counted: bBefore },
        { variantId: kg, counted: 0.5 },
      ],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      storeId: string;
      lines: { variantId: string; previous: number; counted: number; difference: number }[];
      movements: Movement[];
    };
    expect(body.storeId).toBe(sh);
    expect(body.lines).toEqual([
      { variantId: a, previous: aBefore, counted: aBefore + 4, difference: 4 },
      { variantId: b, previous: bBefore, counted: bBefore, difference: 0 },
      { variantId: kg, previous: kgBefore, counted: 0.5, difference: Number((0.5 - kgBefore).toFixed(3)) },
    ]);
    // no movement for a zero difference
    expect(body.movements.map((m) => [m.variantId, m.kind])).toEqual([
      [a, 'count'],
      [kg, 'count'],
    ]);
    expect(await onHand(sh, a)).toBe(aBefore + 4);
    expect(await onHand(sh, b)).toBe(bBefore);
    expect(await onHand(sh, kg)).toBe(0.5);

    const dup = await call('manager', 'POST', '/stock/counts', {
      storeId: sh,
      lines: [
        { variantId: a, counted: 1 },
        { variantId: a, counted: 2 },
      ],
    });
    expect(dup.statusCode).toBe(400);
    const negative = await call('manager', 'POST', '/stock/counts', {
      storeId: sh,
      lines: [{ variantId: a, counted: -1 }],
    });
    expect(negative.statusCode).toBe(422);
    expect(negative.json().error.code).toBe('invalid_quantity');
    const half = await call('manager', 'POST', '/stock/counts', {
      storeId: sh,
      lines: [{ variantId: a, counted: 1.5 }],
    });
    expect(half.statusCode).toBe(422);
    expect(half.json().error.code).toBe('fractional_quantity');
  });

  it('transfers between the two stores with paired movements', async () => {
    const v = each[6] ?? '';
    await call('manager', 'POST', '/stock/receive', { storeId: sh, lines: [{ variantId: v, quantity: 10 }] });
    const shBefore = await onHand(sh, v);
    const sfBefore = await onHand(sf, v);
    const res = await call('manager', 'POST', '/stock/transfers', {
      fromStoreId: sh,
      toStoreId: sf,
      lines: [{ variantId: v, quantity: 3 }],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { transferId: string; movements: Movement[]; levels: Level[] };
    expect(body.transferId).toMatch(/^trf_/);
    expect(body.movements.map((m) => [m.storeId, m.kind, m.quantity, m.refId])).toEqual([
      [sh, 'transfer_out', -3, body.transferId],
      [sf, 'transfer_in', 3, body.transferId],
    ]);
    expect(await onHand(sh, v)).toBe(shBefore - 3);
    expect(await onHand(sf, v)).toBe(sfBefore + 3);

    const same = await call('manager', 'POST', '/stock/transfers', {
      fromStoreId: sh,
      toStoreId: sh,
      lines: [{ variantId: v, quantity: 1 }],
    });
    expect(same.statusCode).toBe(422);
    expect(same.json().error.code).toBe('same_store_transfer');

    await setPolicy(sh, 'block');
    const tooMuch = await call('manager', 'POST', '/stock/transfers', {
      fromStoreId: sh,
      toStoreId: sf,
      lines: [{ variantId: v, quantity: shBefore }],
    });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.code).toBe('insufficient_stock');
    expect(await onHand(sf, v)).toBe(sfBefore + 3);
    await setPolicy(sh, 'allow');
  });

  it('lets cashiers and auditors read but not write', async () => {
    const writes: [string, object][] = [
      ['/stock/receive', { storeId: sh, lines: [{ variantId: each[0], quantity: 1 }] }],
      ['/stock/adjust', { storeId: sh, lines: [{ variantId: each[0], quantity: 1 }], reason: 'correction' }],
      ['/stock/counts', { storeId: sh, lines: [{ variantId: each[0], counted: 1 }] }],
      ['/stock/transfers', { fromStoreId: sh, toStoreId: sf, lines: [{ variantId: each[0], quantity: 1 }] }],
    ];
    for (const role of ['cashier', 'auditor'] as const) {
      for (const [url, body] of writes) {
        const res = await call(role, 'POST', url, body);
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json().error.code).toBe('forbidden');
      }
      expect((await call(role, 'GET', `/stock?storeId=${sh}`)).statusCode).toBe(200);
      expect((await call(role, 'GET', `/stock/movements?storeId=${sh}`)).statusCode).toBe(200);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/stock?storeId=${sh}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('paginates levels and lists movements newest first', async () => {
    const first = await call('auditor', 'GET', `/stock?storeId=${sh}&limit=10`);
    const second = await call('auditor', 'GET', `/stock?storeId=${sh}&limit=10&offset=10`);
    expect(first.statusCode).toBe(200);
    const a = first.json() as { items: Level[]; total: number; limit: number; offset: number };
    const b = second.json() as { items: Level[]; total: number };
    expect(a.items).toHaveLength(10);
    expect(a.total).toBeGreaterThan(20);
    expect(a).toMatchObject({ limit: 10, offset: 0 });
    expect(a.items.every((l) => l.storeId === sh)).toBe(true);
    const ids = new Set(a.items.map((l) => l.variantId));
    expect(b.items.some((l) => ids.has(l.variantId))).toBe(false);
    expect(a.items[0]).toHaveProperty('sku');

    const byVariant = await call('auditor', 'GET', `/stock?variantId=${each[6]}`);
    expect(new Set((byVariant.json() as { items: Level[] }).items.map((l) => l.storeId))).toEqual(
      new Set([sh, sf]),
    );

    const neither = await call('auditor', 'GET', '/stock');
    expect(neither.statusCode).toBe(400);
    const badLimit = await call('auditor', 'GET', `/stock?storeId=${sh}&limit=0`);
    expect(badLimit.statusCode).toBe(400);

    const moves = await call('auditor', 'GET', '/stock/movements?limit=3');
    const items = (moves.json() as { items: (Movement & { createdAt: string })[] }).items;
    expect(items).toHaveLength(3);
    const times = items.map((m) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('keeps the projection equal to the sum of movements', async () => {
    expect(await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }).then((r) => r.statusCode)).toBe(
      200,
    );
    const stock = createStockService(t.deps, { stores: createStoresService(t.deps) });
    expect(await stock.verifyProjection(t.seed.tenantId)).toEqual([]);
  });
});
