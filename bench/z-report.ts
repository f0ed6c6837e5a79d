/**
 * Z-report benchmark: one cash session holding 10,000 orders (mixed cash/card/split tenders,
 * some voided, some refunded), then the X report and the close (Z report) are timed.
 *
 *   node --import tsx bench/z-report.ts            # SQLite in a temp file
 *   OPENTILL_TEST_PG_URL=postgres://… node --import tsx bench/z-report.ts   # and PostgreSQL
 *
 * Rows are inserted directly with multi-row inserts (checkout is not what is measured here).
 * Prints a table; never a timed test.
 */
import { createMemoryFieldCipher } from '../packages/server/src/lib/field-cipher';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { sql } from 'kysely';
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
import { createStoresService } from '../packages/server/src/modules/stores/service';
import { createCashService } from '../packages/server/src/modules/cash/service';

const ORDERS = Number(process.env.ORDERS ?? 10_000);
const CHUNK = 500;
const RUNS = 5;

interface Row {
  engine: string;
  orders: number;
  payments: number;
  refunds: number;
  seedMs: number;
  xBestMs: number;
  xMedianMs: number;
  closeMs: number;
  expectedCash: number;
}

async function insertChunked<T extends keyof DB>(database: Database, table: T, rows: DB[T][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // rows are typed by the signature; Kysely cannot narrow a generic table name
    await database.db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

async function run(engine: 'sqlite' | 'postgres'): Promise<Row> {
  let database: Database;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'opentill-zbench-'));
    database = await openDatabase({ sqlitePath: join(dir, 'bench.db') });
    cleanup = async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const url = process.env.OPENTILL_TEST_PG_URL ?? '';
    const schema = `zbench_${randomBytes(4).toString('hex')}`;
    await createPgSchema(url, schema);
    database = await openDatabase({ url, schema, poolSize: 4 });
    cleanup = async () => {
      await database.close();
      await dropPgSchema(url, schema);
    };
  }
  try {
    await migrate(database);
    const ids = systemIds(systemClock);
    const deps: Deps = {
      database,
      clock: systemClock,
      ids,
      log: pino({ level: 'silent' }),
      cipher: createMemoryFieldCipher(),
    };
    const seed = await seedDemo(deps, { usernamePrefix: 'bench_' });
    const cash = createCashService(deps, { stores: createStoresService(deps) });
    const storeId = seed.stores.sf.id;
    const registerId = seed.stores.sf.registers[0] ?? '';
    const opened = await cash.open(seed.tenantId, 'stf_bench', { registerId, openingFloat: 20_000 });
    if (!opened.ok) throw new Error(opened.error.message);
    const sessionId = opened.value.id;

    const t0 = performance.now();
    const now = new Date().toISOString();
    const orders: DB['orders'][] = [];
    const payments: DB['payments'][] = [];
    const refunds: DB['refunds'][] = [];
    const refundTenders: DB['refund_tenders'][] = [];
    for (let i = 0; i < ORDERS; i++) {
      const id = ids.newId('ord');
      const total = 100 + ((i * 7919) % 20_000);
      const voided = i % 50 === 0;
      const refunded = !voided && i % 20 === 0;
      orders.push({
        id,
        tenant_id: seed.tenantId,
        store_id: storeId,
        register_id: registerId,
        cash_session_id: sessionId,
        staff_id: 'stf_bench',
        customer_id: null,
        status: voided ? 'voided' : refunded ? 'partially_refunded' : 'paid',
        currency: 'USD',
        subtotal: total,
        discount_total: 0,
        tax_total: 0,
        total,
        cash_rounding: 0,
        change_given: i % 3 === 0 ? 37 : 0,
        refunded_total: refunded ? 100 : 0,
        details: '{}',
        stock_flagged: 0,
        client_created_at: null,
        created_at: now,
        updated_at: now,
      });
      const pay = (seq: number, kind: 'cash' | 'card', amount: number) =>
        payments.push({
          id: ids.newId('pay'),
          tenant_id: seed.tenantId,
          order_id: id,
          seq,
          kind,
          status: voided ? 'voided' : 'captured',
          amount,
          tendered: amount,
          reference: null,
          created_at: now,
        });
      if (i % 3 === 0) pay(0, 'cash', total);
      else if (i % 3 === 1) pay(0, 'card', total);
      else {
        pay(0, 'cash', Math.floor(total / 2));
        pay(1, 'card', total - Math.floor(total / 2));
      }
      if (refunded) {
        const refundId = ids.newId('ref');
        refunds.push({
          id: refundId,
          tenant_id: seed.tenantId,
          order_id: id,
          store_id: storeId,
          register_id: registerId,
          cash_session_id: sessionId,
          staff_id: 'stf_bench',
          reason: null,
          total: 100,
          created_at: now,
        });
        refundTenders.push({
          tenant_id: seed.tenantId,
          refund_id: refundId,
          order_id: id,
          payment_id: null,
          kind: i % 3 === 1 ? 'card' : 'cash',
          amount: 100,
        });
      }
    }
    await insertChunked(database, 'orders', orders);
    await insertChunked(database, 'payments', payments);
    await insertChunked(database, 'refunds', refunds);
    await insertChunked(database, 'refund_tenders', refundTenders);
    for (let i = 0; i < 20; i++) {
      const r = await cash.addMovement(seed.tenantId, 'stf_bench', sessionId, {
        kind: i % 2 ? 'paid_out' : 'paid_in',
        amount: 500,
        reason: 'bench',
      });
      if (!r.ok) throw new Error(r.error.message);
    }
    // fresh planner statistics, as autovacuum would have after a day's trading
    await sql`analyze`.execute(database.db);
    const seedMs = performance.now() - t0;

    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const x = await cash.xReport(seed.tenantId, sessionId);
      times.push(performance.now() - s);
      if (!x.ok) throw new Error(x.error.message);
    }
    times.sort((a, b) => a - b);
    const s = performance.now();
    const z = await cash.close(seed.tenantId, 'stf_bench', sessionId, {
      counted: [{ kind: 'cash', amount: 0 }],
    });
    const closeMs = performance.now() - s;
    if (!z.ok) throw new Error(z.error.message);
    if (z.value.orders.count + z.value.orders.voided !== ORDERS)
      throw new Error('Z report does not cover every order');
    return {
      engine,
      orders: ORDERS,
      payments: payments.length,
      refunds: refunds.length,
      seedMs,
      xBestMs: times[0] ?? 0,
      xMedianMs: times[Math.floor(times.length / 2)] ?? 0,
      closeMs,
      expectedCash: z.value.cash.expected,
    };
  } finally {
    await cleanup();
  }
}

const engines: ('sqlite' | 'postgres')[] = process.env.OPENTILL_TEST_PG_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];
const rows: Row[] = [];
for (const engine of engines) rows.push(await run(engine));
console.table(
  rows.map((r) => ({
    engine: r.engine,
    orders: r.orders,
    payments: r.payments,
    refunds: r.refunds,
    'insert (ms)': Math.round(r.seedMs),
    'X report best (ms)': r.xBestMs.toFixed(1),
    'X report median (ms)': r.xMedianMs.toFixed(1),
    'close + Z (ms)': r.closeMs.toFixed(1),
    'expected cash': r.expectedCash,
    'budget ≤ 1000 ms': r.closeMs <= 1000 && r.xMedianMs <= 1000 ? 'ok' : 'OVER',
  })),
);
