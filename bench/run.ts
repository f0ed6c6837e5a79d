/**
 * Checkout throughput: starts the real server (SQLite, and PostgreSQL when a URL is given),
 * drives POST /api/v1/orders with autocannon at 50 connections, 3-line baskets, unique order ids
 * and Idempotency-Keys, and prints checkouts/s with p50/p99 next to a trivial Fastify route.
 *
 *   npm run bench                                  # SQLite + ceiling
 *   npm run bench -- --pg postgres://postgres@127.0.0.1:5432/test
 *   OPENTILL_BENCH_PG_URL=postgres://… npm run bench
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const pgUrl = values.pg ?? process.env.OPENTILL_BENCH_PG_URL;

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

async function waitFor(url: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, cmd, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(
  scenario: string,
  url: string,
  request: {
    path: string;
    headers: Record<string, string>;
    body: () => { body: string; headers?: Record<string, string> };
  },
): Promise<Row> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: request.path,
        setupRequest: (req) => {
          const { body, headers } = request.body();
          return { ...req, body, headers: { ...req.headers, ...request.headers, ...headers } };
        },
      },
    ],
  });
  return {
    scenario,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function checkoutScenario(name: string, env: Record<string, string>, port: number): Promise<Row> {
  const child = start(['packages/server/bin/opentill.js', 'serve'], {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENTILL_DEMO: '1',
    // API nodes on PostgreSQL need the master key that wraps the data keys; a fresh one per run
    OPENTILL_MASTER_KEY: process.env.OPENTILL_MASTER_KEY ?? randomBytes(32).toString('base64'),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health`);
  const login = (await (
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cashier', password: 'opentill-demo' }),
    })
  ).json()) as { token: string };
  const auth = { authorization: `Bearer ${login.token}` };
  const stores = (await (await fetch(`${base}/api/v1/stores`, { headers: auth })).json()) as {
    items: { id: string; currency: string }[];
  };
  const store = stores.items.find((s) => s.currency === 'CNY') ?? stores.items[0];
  if (!store) throw new Error('no store');
  const registers = (await (
    await fetch(`${base}/api/v1/registers?storeId=${store.id}`, { headers: auth })
  ).json()) as {
    items: { id: string }[];
  };
  const products = (await (await fetch(`${base}/api/v1/products?limit=60`, { headers: auth })).json()) as {
    items: { variants: { id: string; unit: string }[] }[];
  };
  const variantIds = products.items.flatMap((p) =>
    p.variants.filter((v) => v.unit === 'each').map((v) => v.id),
  );
  const registerId = registers.items[0]?.id ?? '';
  let n = 0;
  const runId = Date.now().toString(16);
  const row = await load(name, base, {
    path: '/api/v1/orders',
    headers: { ...auth, 'content-type': 'application/json' },
    body: () => {
      n += 1;
      const id = `ord_${runId}-${n.toString(16).padStart(10, '0')}`;
      const pick = (k: number) => variantIds[(n * 7 + k * 13) % variantIds.length] ?? '';
      return {
        headers: { 'idempotency-key': `bench-${id}` },
        body: JSON.stringify({
          id,
          storeId: store.id,
          registerId,
          lines: [
            { variantId: pick(0), quantity: 1 },
            { variantId: pick(1), quantity: 2 },
            { variantId: pick(2), quantity: 1 },
          ],
          tenders: [{ kind: 'cash', amount: 1_000_000 }],
        }),
      };
    },
  });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return row;
}

const rows: Row[] = [];
{
  const child = start(['--import', 'tsx', 'bench/ceiling-server.ts'], { PORT: '8181' });
  await new Promise((r) => setTimeout(r, 1500));
  let n = 0;
  rows.push(
    await load('trivial Fastify JSON POST (ceiling)', 'http://127.0.0.1:8181', {
      path: '/echo',
      headers: { 'content-type': 'application/json' },
      body: () => ({ body: JSON.stringify({ id: `x${++n}`, n }) }),
    }),
  );
  child.kill('SIGKILL');
}

const dir = mkdtempSync(join(tmpdir(), 'opentill-bench-'));
rows.push(
  await checkoutScenario(
    'checkout, SQLite (WAL, synchronous=FULL)',
    { OPENTILL_DB: join(dir, 'bench.db') },
    8182,
  ),
);
rmSync(dir, { recursive: true, force: true });

if (pgUrl) {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query('drop database if exists opentill_bench');
  await admin.query('create database opentill_bench');
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = '/opentill_bench';
  rows.push(await checkoutScenario('checkout, PostgreSQL', { DATABASE_URL: url.toString() }, 8183));
}

console.log(`\n${connections} connections, ${duration} s each, load generator on the same machine\n`);
console.log('| scenario | req/s | p50 ms | p99 ms | non-2xx | errors |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
process.exit(0);
