import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPgSchema, dropPgSchema, openDatabase, type DatabaseOptions } from '../src/db/database';
import { DEMO_PASSWORD } from '../src/seed/seed';
import { engines, newOrderId, type Engine } from './harness';
import { killAllStarted, startServer, type ServerProcess } from './crash-server';

/**
 * Crash safety: a real `opentill serve` process takes a stream of checkouts and is SIGKILLed
 * mid-stream. After a restart on the same database no acknowledged sale is lost, none is
 * duplicated, nothing is half-written, stock projections equal their movements, and retries of
 * the requests whose answers were lost complete exactly once.
 */

interface Attempt {
  id: string;
  key: string;
  body: object;
  /** HTTP status when an answer arrived; undefined when the connection died first */
  status?: number;
  total?: number;
}

interface Target {
  env: Record<string, string>;
  dbOptions: DatabaseOptions;
  cleanup(): Promise<void>;
}

async function prepare(engine: Engine): Promise<Target> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'opentill-crash-'));
    const file = join(dir, 'crash.db');
    return {
      env: { OPENTILL_DB: file, OPENTILL_DEMO: '1', DATABASE_URL: '' },
      dbOptions: { sqlitePath: file },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.OPENTILL_TEST_PG_URL ?? '';
  const schema = `crash_${randomBytes(5).toString('hex')}`;
  await createPgSchema(url, schema);
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${schema}`);
  return {
    // API nodes on PostgreSQL share one master key from the environment (modules/keys)
    env: {
      DATABASE_URL: withSchema.toString(),
      OPENTILL_DEMO: '1',
      OPENTILL_MASTER_KEY: randomBytes(32).toString('base64'),
    },
    dbOptions: { url, schema, poolSize: 2 },
    cleanup: () => dropPgSchema(url, schema),
  };
}

async function api(
  server: ServerProcess,
  method: string,
  path: string,
  token: string | null,
  body?: object,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.base}/api/v1${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

async function login(server: ServerProcess): Promise<string> {
  const res = await api(server, 'POST', '/auth/login', null, {
    username: 'cashier',
    password: DEMO_PASSWORD,
  });
  if (res.status !== 200) throw new Error(`login failed ${res.status}: ${res.text}`);
  return res.json().token as string;
}

afterAll(async () => {
  await killAllStarted();
});

describe.each(engines)('crash in the middle of checkouts (%s)', (engine) => {
  const targets: Target[] = [];
  afterAll(async () => {
    await killAllStarted();
    for (const t of targets) await t.cleanup().catch(() => undefined);
  });

  it(
    'loses no acknowledged sale, duplicates none, and half-writes nothing',
    { timeout: 120_000 },
    async () => {
      const target = await prepare(engine);
      targets.push(target);

      // ---- first life: find a store, a register and priced items, then sell until killed
      let server = await startServer(target.env);
      let token = await login(server);
      const stores = (await api(server, 'GET', '/stores', token)).json().items as { id: string }[];
      const store = stores[0];
      expect(store, 'a demo store').toBeDefined();
      const registers = (await api(server, 'GET', `/registers?storeId=${store!.id}`, token)).json().items as {
        id: string;
      }[];
      const register = registers[0];
      expect(register, 'a demo register').toBeDefined();
      const products = (await api(server, 'GET', `/products?limit=60&storeId=${store!.id}`, token)).json()
        .items as {
        variants: { id: string; unit: string; active: boolean; prices: Record<string, number> }[];
      }[];
      const variants = products
        .flatMap((p) => p.variants)
        .filter((v) => v.unit === 'each' && v.active && typeof v.prices[store!.id] === 'number')
        .map((v) => v.id);
      expect(variants.length).toBeGreaterThanOrEqual(3);

      const attempts: Attempt[] = [];
      const problems: string[] = [];
      let stop = false;
      let seq = 0;
      const loop = async (worker: number) => {
        while (!stop) {
          seq += 1;
          const pick = (k: number) => variants[(seq * 7 + worker * 3 + k * 5) % variants.length]!;
          const id = newOrderId();
          const attempt: Attempt = {
            id,
            key: `crash-${id}`,
            body: {
              id,
              storeId: store!.id,
              registerId: register!.id,
              lines: [
                { variantId: pick(0), quantity: 1 },
                { variantId: pick(1), quantity: 2 },
                { variantId: pick(2), quantity: 3 },
              ],
              tenders: [{ kind: 'cash', amount: 100_000_000 }],
            },
          };
          attempts.push(attempt);
          try {
            const res = await api(server, 'POST', '/orders', token, attempt.body, {
              'idempotency-key': attempt.key,
            });
            attempt.status = res.status;
            if (res.status === 201) attempt.total = res.json().total as number;
            else problems.push(`checkout refused ${res.status}: ${res.text}`);
          } catch (e) {
            // after the kill the server died with this request in flight: its answer is lost
            if (!stop) problems.push(`checkout failed before the crash: ${String(e)}`);
          }
        }
      };
      const loops = Array.from({ length: 8 }, (_, w) => loop(w));
      await new Promise((r) => setTimeout(r, 1500));
      stop = true;
      server.proc.kill('SIGKILL');
      const death = await server.exited;
      expect(death.signal).toBe('SIGKILL');
      await Promise.all(loops);

      const acked = attempts.filter((a) => a.status === 201);
      const lost = attempts.filter((a) => a.status === undefined);
      const refused = attempts.filter((a) => a.status !== undefined && a.status !== 201);
      expect(acked.length, 'some checkouts were acknowledged before the crash').toBeGreaterThan(10);
      expect(problems).toEqual([]);
      expect(refused, 'no checkout was refused').toEqual([]);
      console.info(`${engine}: ${acked.length} checkouts acknowledged, ${lost.length} in flight at the kill`);
      expect(new Set(attempts.map((a) => a.id)).size).toBe(attempts.length);

      // ---- second life: same database
      server = await startServer(target.env);
      token = await login(server);
      for (const a of acked) {
        const got = await api(server, 'GET', `/orders/${a.id}`, token);
        expect(got.status, `acknowledged order ${a.id} survives`).toBe(200);
        const order = got.json();
        expect(order.total).toBe(a.total);
        expect((order.lines as unknown[]).length).toBe(3);
      }
      const lostPresent = new Set<string>();
      for (const a of lost) {
        const got = await api(server, 'GET', `/orders/${a.id}`, token);
        expect([200, 404], `in-flight order ${a.id}`).toContain(got.status);
        if (got.status === 200) {
          lostPresent.add(a.id);
          expect((got.json().lines as unknown[]).length).toBe(3);
        }
      }

      // retries of the in-flight requests: 201 once (created now, or the stored first answer), replays after
      for (const a of lost) {
        const first = await api(server, 'POST', '/orders', token, a.body, { 'idempotency-key': a.key });
        expect(first.status, first.text).toBe(201);
        expect(first.headers.get('idempotent-replayed')).toBe(lostPresent.has(a.id) ? 'true' : null);
        const again = await api(server, 'POST', '/orders', token, a.body, { 'idempotency-key': a.key });
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.json()).toEqual(first.json());
      }
      // an acknowledged one replays its first answer, and its id cannot be sold again under a new key
      const sample = acked[0]!;
      const replay = await api(server, 'POST', '/orders', token, sample.body, {
        'idempotency-key': sample.key,
      });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.json().total).toBe(sample.total);
      const dup = await api(server, 'POST', '/orders', token, sample.body, {
        'idempotency-key': `${sample.key}-2`,
      });
      expect(dup.status).toBe(409);
      expect(dup.json().error).toMatchObject({ code: 'order_exists' });

      await server.kill('SIGTERM');

      // ---- the facts, read directly
      const database = await openDatabase(target.dbOptions);
      try {
        const db = database.db;
        const orders = await db.selectFrom('orders').select(['id', 'total', 'tenant_id']).execute();
        const ids = new Set(orders.map((o) => o.id));
        // every order is one of ours, exactly once: all acknowledged + every in-flight one (now retried)
        expect(orders.length).toBe(ids.size);
        expect(orders.length).toBe(acked.length + lost.length);
        for (const a of [...acked, ...lost]) expect(ids.has(a.id), a.id).toBe(true);

        const lines = await db
          .selectFrom('order_lines')
          .select(['order_id', 'variant_id', 'quantity_milli', 'total'])
          .execute();
        const payments = await db.selectFrom('payments').select(['order_id', 'amount']).execute();
        const moves = await db
          .selectFrom('stock_movements')
          .select(['ref_id', 'variant_id', 'qty_milli', 'kind', 'store_id'])
          .execute();
        const outbox = await db
          .selectFrom('outbox')
          .select(['topic', 'payload'])
          .where('topic', '=', 'order.paid')
          .execute();
        const audit = await db
          .selectFrom('audit_log')
          .select(['entity_id', 'action'])
          .where('action', '=', 'order.create')
          .execute();
        const idem = await db
          .selectFrom('idempotency_keys')
          .select(['key'])
          .where('scope', '=', 'orders')
          .execute();

        const group = <T>(rows: T[], key: (r: T) => string | null) => {
          const m = new Map<string, T[]>();
          for (const r of rows) {
            const k = key(r);
            if (k === null) continue;
            m.set(k, [...(m.get(k) ?? []), r]);
          }
          return m;
        };
        const linesBy = group(lines, (l) => l.order_id);
        const paysBy = group(payments, (p) => p.order_id);
        const movesBy = group(
          moves.filter((m) => m.kind === 'sale'),
          (m) => m.ref_id,
        );
        const outboxBy = group(outbox, (o) => (JSON.parse(o.payload) as { orderId: string }).orderId);
        const auditBy = group(audit, (a) => a.entity_id);
        for (const o of orders) {
          const ls = linesBy.get(o.id) ?? [];
          expect(ls.length, `lines of ${o.id}`).toBe(3);
          expect(ls.reduce((s, l) => s + l.total, 0)).toBe(o.total);
          const ps = paysBy.get(o.id) ?? [];
          expect(ps.length, `payments of ${o.id}`).toBeGreaterThan(0);
          expect(ps.reduce((s, p) => s + p.amount, 0)).toBe(o.total);
          const need = new Map<string, number>();
          for (const l of ls) need.set(l.variant_id, (need.get(l.variant_id) ?? 0) - l.quantity_milli);
          const got = new Map<string, number>();
          for (const m of movesBy.get(o.id) ?? [])
            got.set(m.variant_id, (got.get(m.variant_id) ?? 0) + m.qty_milli);
          expect(got, `stock movements of ${o.id}`).toEqual(need);
          expect(outboxBy.get(o.id)?.length, `outbox of ${o.id}`).toBe(1);
          expect(auditBy.get(o.id)?.length, `audit of ${o.id}`).toBe(1);
        }
        expect(idem.length).toBe(orders.length);
        // no fact refers to an order that does not exist
        for (const id of [
          ...linesBy.keys(),
          ...paysBy.keys(),
          ...movesBy.keys(),
          ...outboxBy.keys(),
          ...auditBy.keys(),
        ]) {
          expect(ids.has(id), `orphan fact for ${id}`).toBe(true);
        }

        // projections equal the sum of movements
        const sums = await db
          .selectFrom('stock_movements')
          .select(['store_id', 'variant_id', (eb) => eb.fn.sum<number | string>('qty_milli').as('total')])
          .groupBy(['store_id', 'variant_id'])
          .execute();
        const levels = await db
          .selectFrom('stock_levels')
          .select(['store_id', 'variant_id', 'on_hand_milli'])
          .execute();
        const levelMap = new Map(
          levels.map((l) => [`${l.store_id}|${l.variant_id}`, Number(l.on_hand_milli)]),
        );
        const mismatches = sums
          .filter((s) => (levelMap.get(`${s.store_id}|${s.variant_id}`) ?? 0) !== Number(s.total))
          .map((s) => ({
            key: `${s.store_id}|${s.variant_id}`,
            facts: Number(s.total),
            level: levelMap.get(`${s.store_id}|${s.variant_id}`),
          }));
        expect(mismatches).toEqual([]);
        const withFacts = new Set(sums.map((s) => `${s.store_id}|${s.variant_id}`));
        for (const [k, v] of levelMap) if (!withFacts.has(k)) expect(v, k).toBe(0);
      } finally {
        await database.close();
      }
    },
  );
});
