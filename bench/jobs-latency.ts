/**
 * Does the daily insights job stall the till? Generates a sales history with `opentill gen`
 * (SQLite), starts the server on it, keeps a few registers checking out (each register one
 * sale after another, as a till does) and measures, first for an idle window and then while
 * the daily job (rollups, 90 days of rule mining, RFM segments) runs in the server: the
 * server's event-loop delay (max, p99) and the checkout latency (p50, p99, max).
 *
 *   node --import tsx bench/jobs-latency.ts                    # 100,000 orders over 365 days
 *   node --import tsx bench/jobs-latency.ts --orders 1000000   # slow to generate
 *   node --import tsx bench/jobs-latency.ts --db /path/x.db    # reuse a generated database
 *
 * Prints a table; never a timed test.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    days: { type: 'string', default: '365' },
    db: { type: 'string' },
    registers: { type: 'string', default: '4' },
    idle: { type: 'string', default: '5000' },
  },
});
const REGISTERS = Number(args.registers);
const PORT = 8191;
const base = `http://127.0.0.1:${PORT}`;

const dir = args.db ? undefined : mkdtempSync(join(tmpdir(), 'opentill-jobs-bench-'));
const dbPath = args.db ?? join(dir!, 'bench.db');
if (!args.db) {
  console.log(`generating ${args.orders} orders over ${args.days} days …`);
  execFileSync(
    process.execPath,
    ['packages/server/bin/opentill.js', 'gen', '--orders', args.orders!, '--days', args.days!],
    { env: { ...process.env, OPENTILL_DB: dbPath }, stdio: 'inherit' },
  );
}

type Report = { jobMs: number; maxMs: number; p99Ms: number; stallMs: number; job: Record<string, unknown> };
const server = fork('bench/jobs-latency-server.ts', [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, OPENTILL_DB: dbPath, PORT: String(PORT) },
});
process.on('exit', () => server.kill('SIGKILL'));
const messages: ((m: unknown) => void)[] = [];
server.on('message', (m) => messages.shift()?.(m));
const next = <T>() => new Promise<T>((r) => messages.push(r as (m: unknown) => void));
await next();

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${base}${path}`, init);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const { token } = await json<{ token: string }>('/api/v1/auth/login', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'cashier', password: 'opentill-demo' }),
});
const auth = { authorization: `Bearer ${token}` };
const stores = await json<{ items: { id: string }[] }>('/api/v1/stores', { headers: auth });
const store = stores.items[0]!;
const registers = await json<{ items: { id: string }[] }>(`/api/v1/registers?storeId=${store.id}`, {
  headers: auth,
});
const products = await json<{ items: { variants: { id: string; unit: string }[] }[] }>(
  '/api/v1/products?limit=60',
  { headers: auth },
);
const variants = products.items.flatMap((p) => p.variants.filter((v) => v.unit === 'each').map((v) => v.id));
const runId = Date.now().toString(16);
let sold = 0;

/** One register selling back to back until `until` resolves; returns each checkout's latency. */
async function register(index: number, stop: { done: boolean }, out: number[], failures: { n: number }) {
  const registerId = registers.items[index % registers.items.length]!.id;
  while (!stop.done) {
    const n = ++sold;
    const id = `ord_${runId}-${n.toString(16).padStart(10, '0')}`;
    const pick = (k: number) => variants[(n * 7 + k * 13) % variants.length]!;
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/orders`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `bench-${id}` },
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
    });
    await res.arrayBuffer();
    if (res.ok) out.push(performance.now() - started);
    else failures.n++;
  }
}

function pct(sorted: number[], p: number) {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function phase(name: string, message: object) {
  const stop = { done: false };
  const latencies: number[] = [];
  const failures = { n: 0 };
  const answer = next<Report>();
  server.send(message);
  const tills = Array.from({ length: REGISTERS }, (_, i) => register(i, stop, latencies, failures));
  const report = await answer;
  stop.done = true;
  await Promise.all(tills);
  latencies.sort((a, b) => a - b);
  return {
    phase: name,
    'job s': (report.jobMs / 1000).toFixed(1),
    'loop delay max ms': report.maxMs.toFixed(0),
    'loop delay p99 ms': report.p99Ms.toFixed(0),
    'longest stall ms': report.stallMs.toFixed(0),
    checkouts: latencies.length,
    failed: failures.n,
    'checkout p50 ms': pct(latencies, 50).toFixed(1),
    'checkout p99 ms': pct(latencies, 99).toFixed(1),
    'checkout max ms': (latencies[latencies.length - 1] ?? NaN).toFixed(0),
    job: report.job,
  };
}

await phase('warm-up', { run: 'idle', ms: 2000 });
const idle = await phase('idle (no job)', { run: 'idle', ms: Number(args.idle) });
const daily = await phase('daily insights job', { run: 'daily' });
console.log(
  `\n${args.db ?? `${args.orders} orders over ${args.days} days`}, SQLite, ${REGISTERS} registers selling back to back`,
);
console.log(JSON.stringify(daily.job));
console.table([idle, daily].map(({ job: _job, ...row }) => row));
server.kill('SIGTERM');
if (dir) rmSync(dir, { recursive: true, force: true });
