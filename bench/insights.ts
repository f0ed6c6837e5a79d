/**
 * Insights benchmark: synthetic sales history written straight into the order tables (the
 * checkout is not what is measured), then the rollup job and every dashboard query are timed,
 * plus rule mining, cart recommendations and an incremental refresh after new sales.
 *
 *   node --import tsx bench/insights.ts                      # SQLite, 100,000 orders
 *   node --import tsx bench/insights.ts --orders 1000000     # the issue's size (slow to build)
 *   node --import tsx bench/insights.ts --pg postgres://…    # PostgreSQL too (a schema of its own)
 *   node --import tsx bench/insights.ts --pg postgres://… --pg-only   # PostgreSQL alone
 *
 * History: 365 days, daily and weekly seasonality, 1–6 items per basket (~3 lines per order)
 * with companion items, two stores, two registers each, three staff, members on a third of
 * orders, 2 % voids, 3 % refunds. Prints a table; never a timed test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Kysely } from 'kysely';
import {
  createPgSchema,
  dropPgSchema,
  migrate,
  openDatabase,
  type Database,
} from '../packages/server/src/db/database';
import type { DB } from '../packages/server/src/db/schema';
import { systemClock, systemIds } from '../packages/server/src/lib/ids';
import type { Deps } from '../packages/server/src/deps';
import { seedDemo } from '../packages/server/src/seed/seed';
import type { AddressInfo } from 'node:net';
import { buildApp, createServices } from '../packages/server/src/app';
import { createMemoryFieldCipher } from '../packages/server/src/lib/field-cipher';
import { companionOf } from '../packages/server/src/seed/generate';
import { addDays } from '../packages/server/src/modules/insights/time';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string' },
    days: { type: 'string' },
    pg: { type: 'string' },
    'pg-only': { type: 'boolean' },
  },
});
const ORDERS = Number(args.orders ?? 100_000);
const DAYS = Number(args.days ?? 365);
const RUNS = 15;
const CHUNK = 400;

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const HOURLY = [0, 0, 0, 0, 0, 0, 0, 6, 10, 8, 5, 6, 9, 8, 5, 4, 5, 6, 7, 6, 4, 3, 1, 0];
const WEEKDAY = [0.85, 0.9, 0.95, 1, 1.2, 1.35, 1.1];
function pick(weights: readonly number[], r: number) {
  const total = weights.reduce((s, w) => s + w, 0);
  let x = r * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

async function insertChunked<T extends keyof DB>(db: Kysely<DB>, table: T, rows: DB[T][]) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    p50: s[Math.floor(s.length / 2)]!,
    p99: s[Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)]!,
    max: s[s.length - 1]!,
  };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

interface Line {
  engine: string;
  what: string;
  p50: number;
  p99: number;
  max: number;
}

async function synthesize(
  deps: Deps,
  tenantId: string,
  count: number,
  endMs: number,
  days: number,
  seed: number,
) {
  const { db } = deps.database;
  const rand = prng(seed);
  const stores = await db
    .selectFrom('stores')
    .select(['id', 'currency', 'time_zone'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
  const registers = await db
    .selectFrom('registers')
    .select(['id', 'store_id'])
    .where('tenant_id', '=', tenantId)
    .execute();
  const staff = await db.selectFrom('staff').select('id').where('tenant_id', '=', tenantId).execute();
  const variants = await db
    .selectFrom('variants')
    .innerJoin('prices', 'prices.variant_id', 'variants.id')
    .select([
      'variants.id',
      'variants.name',
      'variants.unit',
      'variants.tax_class_id',
      'prices.store_id',
      'prices.price',
    ])
    .where('variants.tenant_id', '=', tenantId)
    .orderBy('variants.sku')
    .execute();
  const byStore = new Map(stores.map((s) => [s.id, variants.filter((v) => v.store_id === s.id)]));
  const startMs = endMs - days * 86_400_000;
  const dayWeights = Array.from(
    { length: days },
    (_, d) => WEEKDAY[(new Date(startMs + d * 86_400_000).getUTCDay() + 6) % 7]!,
  );
  let orders: DB['orders'][] = [];
  let lines: DB['order_lines'][] = [];
  let payments: DB['payments'][] = [];
  let refunds: DB['refunds'][] = [];
  let refundLines: DB['refund_lines'][] = [];
  const flush = async () => {
    await deps.database.db.transaction().execute(async (trx) => {
      await insertChunked(trx, 'orders', orders);
      await insertChunked(trx, 'order_lines', lines);
      await insertChunked(trx, 'payments', payments);
      await insertChunked(trx, 'refunds', refunds);
      await insertChunked(trx, 'refund_lines', refundLines);
    });
    orders = [];
    lines = [];
    payments = [];
    refunds = [];
    refundLines = [];
  };
  for (let i = 0; i < count; i++) {
    const store = stores[Math.floor(rand() * stores.length)]!;
    const inStore = byStore.get(store.id)!;
    const day = pick(dayWeights, rand());
    // Local opening hours, approximately: the store's offset is applied by the hour weights' shift.
    const offsetH = store.time_zone === 'Asia/Shanghai' ? 8 : -8;
    const hour = pick(HOURLY, rand());
    const at = new Date(
      startMs + day * 86_400_000 + ((hour - offsetH) * 60 + Math.floor(rand() * 60)) * 60_000,
    );
    const created = (at.getTime() > endMs ? new Date(endMs - 1000) : at).toISOString();
    const id = deps.ids.newId('ord');
    const picked = new Map<string, (typeof inStore)[number]>();
    const size = 1 + Math.min(5, Math.floor(-Math.log(1 - rand()) * 1.6));
    for (let k = 0; k < size; k++) {
      const index = Math.floor(inStore.length * rand() ** 2.5);
      picked.set(inStore[index]!.id, inStore[index]!);
      if (rand() < 0.35) {
        const c = inStore[companionOf(index, inStore.length)]!;
        picked.set(c.id, c);
      }
    }
    let total = 0;
    let no = 0;
    for (const v of picked.values()) {
      const qty = v.unit === 'each' ? 1000 * (rand() < 0.15 ? 2 : 1) : 200 + Math.floor(rand() * 1300);
      const gross = Math.round((Number(v.price) * qty) / 1000);
      total += gross;
      lines.push({
        tenant_id: tenantId,
        order_id: id,
        line_no: ++no,
        line_id: `${id}-${no}`,
        variant_id: v.id,
        name: v.name,
        name_zh: null,
        unit: v.unit,
        quantity_milli: qty,
        unit_price: Number(v.price),
        gross,
        line_discount: 0,
        order_discount: 0,
        net: gross,
        tax: 0,
        total: gross,
        tax_class_id: v.tax_class_id,
        rate_ppm: 0,
        discount: null,
      });
    }
    const voided = rand() < 0.02;
    const register = registers.filter((r) => r.store_id === store.id)[i % 2]!;
    orders.push({
      id,
      tenant_id: tenantId,
      store_id: store.id,
      register_id: register.id,
      cash_session_id: null,
      staff_id: staff[i % staff.length]!.id,
      customer_id: rand() < 0.33 ? `cus_b_${Math.floor(5000 * rand() ** 2)}` : null,
      status: voided ? 'voided' : 'paid',
      currency: store.currency,
      subtotal: total,
      discount_total: 0,
      tax_total: 0,
      total,
      cash_rounding: 0,
      change_given: 0,
      refunded_total: 0,
      details: '{}',
      stock_flagged: 0,
      client_created_at: null,
      created_at: created,
      updated_at: created,
    });
    payments.push({
      id: deps.ids.newId('pay'),
      tenant_id: tenantId,
      order_id: id,
      seq: 1,
      kind: rand() < 0.55 ? 'card' : 'cash',
      status: voided ? 'voided' : 'captured',
      amount: total,
      tendered: total,
      reference: null,
      created_at: created,
    });
    if (!voided && rand() < 0.03) {
      // The first line comes back, a few days later (the refund's day is what the rollups book).
      const line = lines[lines.length - no]!;
      const refundId = deps.ids.newId('ref');
      const back = new Date(Math.min(endMs - 1000, at.getTime() + Math.floor(rand() * 5) * 86_400_000));
      refundLines.push({
        tenant_id: tenantId,
        refund_id: refundId,
        order_id: id,
        line_id: line.line_id,
        quantity_milli: line.quantity_milli,
        amount: line.total,
        restock: 1,
      });
      refunds.push({
        id: refundId,
        tenant_id: tenantId,
        order_id: id,
        store_id: store.id,
        register_id: register.id,
        cash_session_id: null,
        staff_id: staff[0]!.id,
        reason: 'return',
        total: line.total,
        created_at: back.toISOString(),
      });
    }
    if (orders.length >= 5000) await flush();
  }
  await flush();
}

async function run(engine: 'sqlite' | 'postgres'): Promise<Line[]> {
  let database: Database;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'opentill-insights-bench-'));
    database = await openDatabase({ sqlitePath: join(dir, 'bench.db') });
    cleanup = async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const url = args.pg ?? '';
    const schema = `ibench_${randomBytes(4).toString('hex')}`;
    await createPgSchema(url, schema);
    database = await openDatabase({ url, schema, poolSize: 4 });
    cleanup = async () => {
      await database.close();
      await dropPgSchema(url, schema);
    };
  }
  const out: Line[] = [];
  const once = (what: string, ms: number) => out.push({ engine, what, p50: ms, p99: ms, max: ms });
  try {
    await migrate(database);
    const deps: Deps = {
      database,
      clock: systemClock,
      ids: systemIds(systemClock),
      log: pino({ level: 'silent' }),
      cipher: createMemoryFieldCipher(),
    };
    const seed = await seedDemo(deps, { usernamePrefix: `ib${randomBytes(2).toString('hex')}_` });
    const tenantId = seed.tenantId;
    const endMs = Date.now() - 3_600_000;
    const [genMs] = await time(() => synthesize(deps, tenantId, ORDERS, endMs, DAYS, 1));
    const lineCount = Number(
      (
        await database.db
          .selectFrom('order_lines')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    once(
      `write ${ORDERS.toLocaleString('en')} orders, ${lineCount.toLocaleString('en')} lines (setup)`,
      genMs,
    );
    const insights = createServices(deps).insights;
    const [fullMs, full] = await time(() => insights.refresh(tenantId, { full: true }));
    once(`rollup job, full rebuild (${full.ok ? full.value.days : 0} store-days)`, fullMs);

    const storeId = seed.stores.sf.id;
    const today = new Date(endMs).toISOString().slice(0, 10);
    const ranges = {
      '30 days': { from: addDays(today, -29), to: today },
      '365 days': { from: addDays(today, -364), to: today },
    };
    const queries: [string, () => Promise<unknown>][] = [];
    for (const [label, r] of Object.entries(ranges)) {
      const q = { storeId, ...r };
      queries.push([
        `summary (basket size/value, refunds, voids, discounts), ${label}`,
        () => insights.summary(tenantId, q),
      ]);
      for (const by of ['hour', 'day', 'week', 'weekday', 'register', 'staff'] as const)
        queries.push([`sales by ${by}, ${label}`, () => insights.sales(tenantId, { ...q, by })]);
      queries.push([`payment mix, ${label}`, () => insights.payments(tenantId, q)]);
      queries.push([
        `top 20 products, ${label}`,
        () => insights.products(tenantId, { ...q, by: 'product', order: 'top', limit: 20 }),
      ]);
      queries.push([
        `bottom 20 products, ${label}`,
        () => insights.products(tenantId, { ...q, by: 'product', order: 'bottom', limit: 20 }),
      ]);
      queries.push([
        `categories, ${label}`,
        () => insights.products(tenantId, { ...q, by: 'category', order: 'top', limit: 50 }),
      ]);
      queries.push([
        `stock turnover and days of cover, ${label}`,
        () => insights.stockCover(tenantId, { ...q, limit: 100 }),
      ]);
    }
    for (const [what, fn] of queries) {
      await fn();
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) ms.push((await time(fn))[0]);
      out.push({ engine, what: `dashboard: ${what}`, ...stats(ms) });
    }
    const [mineMs, mined] = await time(() =>
      insights.mineRules(tenantId, { days: 90, minSupport: 0.002, minConfidence: 0.1 }),
    );
    once(
      `mine rules, last 90 days (${mined.ok ? `${mined.value.baskets} baskets → ${mined.value.rules} rules` : 'failed'})`,
      mineMs,
    );
    const variantIds = (
      await database.db
        .selectFrom('prices')
        .select('variant_id')
        .where('store_id', '=', storeId)
        .orderBy('variant_id')
        .limit(40)
        .execute()
    ).map((v) => v.variant_id);
    await insights.forCart(tenantId, variantIds.slice(0, 3), 5);
    const recMs: number[] = [];
    for (let i = 0; i < 200; i++) {
      const cart = [
        variantIds[i % 40]!,
        variantIds[(i * 7) % 40]!,
        variantIds[(i * 13) % 40]!,
        variantIds[(i * 3) % 40]!,
      ];
      recMs.push((await time(() => insights.forCart(tenantId, cart, 5)))[0]);
    }
    out.push({
      engine,
      what: 'frequently bought together, 4-item cart, service call (precomputed rules)',
      ...stats(recMs),
    });
    // The same at the HTTP edge: the real route through Fastify (schema, bearer token, permission
    // check, JSON), signed in as the demo cashier, over loopback HTTP with keep-alive.
    const app = await buildApp(deps);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1`;
      const cashier = seed.staff.find((s) => s.role === 'cashier')!;
      const login = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: cashier.username, password: cashier.password }),
      });
      const { token } = (await login.json()) as { token: string };
      if (login.status !== 200 || !token) throw new Error(`cashier sign-in failed: ${login.status}`);
      const headers = { authorization: `Bearer ${token}` };
      const path = (i: number) =>
        `/insights/recommendations?limit=5&variantIds=${[
          variantIds[i % 40]!,
          variantIds[(i * 7) % 40]!,
          variantIds[(i * 13) % 40]!,
          variantIds[(i * 3) % 40]!,
        ].join(',')}`;
      const first = await fetch(`${base}${path(1)}`, { headers });
      const body = (await first.json()) as { items?: { source: string }[] };
      if (first.status !== 200 || !body.items?.length)
        throw new Error(`recommendations answered ${first.status}: ${JSON.stringify(body)}`);
      const httpMs: number[] = [];
      const injectMs: number[] = [];
      const healthMs: number[] = [];
      let fromRules = 0;
      for (let i = 0; i < 1000; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}${path(i)}`, { headers });
        const items = ((await res.json()) as { items: { source: string }[] }).items;
        httpMs.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`recommendations answered ${res.status}`);
        if (items.some((x) => x.source === 'rules')) fromRules++;
        const t1 = performance.now();
        await app.inject({ method: 'GET', url: `/api/v1${path(i)}`, headers });
        injectMs.push(performance.now() - t1);
        // control: the cheapest route over the same client, to tell machine load from our work
        const t2 = performance.now();
        await (await fetch(`${base.replace('/api/v1', '')}/health`)).json();
        healthMs.push(performance.now() - t2);
      }
      out.push({
        engine,
        what: `frequently bought together, GET /api/v1/insights/recommendations over HTTP as the cashier (1,000 requests, ${fromRules / 10} % answered from rules)`,
        ...stats(httpMs),
      });
      out.push({
        engine,
        what: 'the same through Fastify without a socket (app.inject)',
        ...stats(injectMs),
      });
      out.push({ engine, what: 'control: GET /health over the same HTTP client', ...stats(healthMs) });
    } finally {
      await app.close();
    }
    const [rfmMs, rfmR] = await time(() => insights.refreshRfm(tenantId));
    once(`RFM job (${rfmR.ok ? rfmR.value.customers : 0} customers)`, rfmMs);
    await synthesize(deps, tenantId, 1000, Date.now(), 1, 2);
    const [incMs, inc] = await time(() => insights.refresh(tenantId));
    once(`rollup job, incremental after 1,000 new orders (${inc.ok ? inc.value.days : 0} store-days)`, incMs);
    return out;
  } finally {
    await cleanup();
  }
}

const results: Line[] = [];
if (!args['pg-only']) results.push(...(await run('sqlite')));
if (args.pg) results.push(...(await run('postgres')));
const f = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
console.log(
  `\nInsights at ${ORDERS.toLocaleString('en')} orders over ${DAYS} days (dashboard target: ≤ 300 ms)\n`,
);
console.log('| engine | what | p50 | p99 | max |');
console.log('|---|---|---:|---:|---:|');
for (const r of results) console.log(`| ${r.engine} | ${r.what} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`);
process.exit(0);
