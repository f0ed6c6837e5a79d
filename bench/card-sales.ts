/**
 * Card sales through the sandbox acquirer over TCP, at the connector level: the sandbox host runs
 * standalone (`opentill acquirer-sandbox`, its own process) and this process drives
 * `TcpAcquirerConnector`s with a fixed number of sales in flight each, measuring sales/s and
 * latency percentiles from call to typed result. Card reads (track 2, DUKPT PIN blocks) are made
 * by the terminal simulator before timing: a real terminal does that work, not the server.
 * Mix: 70 % chip without PIN, 15 % TDES DUKPT online PIN, 15 % AES DUKPT online PIN (verified by
 * the host through its software HSM). Target ≥ 500/s at p99 ≤ 100 ms.
 *
 *   npx tsx bench/card-sales.ts [--seconds 5] [--in-process]
 *
 * A benchmark, not a test: it prints a table and never fails on timings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  SANDBOX_KEYS,
  startSandboxAcquirer,
  TcpAcquirerConnector,
  TerminalSimulator,
  type CardRead,
  type CardResult,
} from '@opentill/payments/node';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, 'in-process': { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);

let child: ChildProcess | undefined;
process.on('exit', () => child?.kill('SIGKILL'));

async function startHost(): Promise<{ port: number; stop: () => Promise<void> }> {
  if (values['in-process']) {
    const host = await startSandboxAcquirer();
    return { port: host.port, stop: () => host.close() };
  }
  const bin = fileURLToPath(new URL('../packages/server/bin/opentill.js', import.meta.url));
  child = spawn(process.execPath, [bin, 'acquirer-sandbox', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child!.once('exit', () => reject(new Error(`sandbox exited: ${out}`)));
  });
  return {
    port,
    stop: async () => {
      child?.kill('SIGTERM');
    },
  };
}

function reads(count: number): CardRead[] {
  const tdes = TerminalSimulator.tdes(SANDBOX_KEYS.tdesBdk, 'FFFF9876543210E00000');
  const aes = TerminalSimulator.aes(SANDBOX_KEYS.aesBdk, '1234567890123456');
  const out: CardRead[] = [];
  for (let i = 0; i < count; i++) {
    const r = i % 20;
    if (r < 14)
      out.push(tdes.read({ pan: '4242424242424242', expiry: '3012' }, i % 2 ? 'chip' : 'contactless'));
    else if (r < 17) out.push(tdes.read({ pan: '4000056655665556', expiry: '3012' }, 'chip', '1234'));
    else out.push(aes.read({ pan: '6200000000000005', expiry: '3012' }, 'contactless', '1234'));
  }
  return out;
}

interface Row {
  scenario: string;
  sales: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  approved: number;
  other: number;
}

async function scenario(port: number, terminals: number, inFlight: number, pool: CardRead[]): Promise<Row> {
  const connectors = Array.from(
    { length: terminals },
    (_, i) =>
      new TcpAcquirerConnector({
        port,
        terminalId: `BENCH${String(i).padStart(3, '0')}`,
        merchantId: 'MERCHANT0000001',
        timeoutMs: 5_000,
      }),
  );
  for (const c of connectors) await c.connect();
  const latencies: number[] = [];
  let approved = 0;
  let other = 0;
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async (connector: TcpAcquirerConnector) => {
    while (performance.now() < until) {
      const n = next++;
      const read = pool[n % pool.length]!;
      // amounts 1.00–99.00 with endings that approve (no 05/10/51/61/91/96/98/99)
      const amount = 100 * (1 + (n % 99)) + [0, 25, 40, 75][n % 4]!;
      const started = performance.now();
      const result: CardResult = await connector.sale({ amount, currency: 'CNY', ...read });
      latencies.push(performance.now() - started);
      if (result.status === 'approved') approved++;
      else other++;
    }
  };
  const started = performance.now();
  await Promise.all(connectors.flatMap((c) => Array.from({ length: inFlight }, () => worker(c))));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(connectors.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    scenario: `${terminals} connection${terminals > 1 ? 's' : ''} × ${inFlight} in flight`,
    sales: latencies.length,
    perSecond: Math.round(latencies.length / elapsed),
    p50: pct(0.5),
    p99: pct(0.99),
    max: latencies[latencies.length - 1] ?? 0,
    approved,
    other,
  };
}

const host = await startHost();
const pool = reads(4_000);
const rows: Row[] = [];
for (const [terminals, inFlight] of [
  [1, 1],
  [1, 16],
  [1, 64],
  [4, 16],
]) {
  rows.push(await scenario(host.port, terminals!, inFlight!, pool));
}
await host.stop();

console.log(
  `\nCard sales over TCP, sandbox host ${values['in-process'] ? 'in process' : 'in its own process'}, ${seconds} s per row, load average ${loadavg()[0]!.toFixed(2)}\n`,
);
console.log('| scenario | sales | sales/s | p50 ms | p99 ms | max ms | approved | other |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.scenario} | ${r.sales} | ${r.perSecond} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.approved} | ${r.other} |`,
  );
}
console.log('\ntarget: ≥ 500 sales/s at p99 ≤ 100 ms');
process.exit(0);
