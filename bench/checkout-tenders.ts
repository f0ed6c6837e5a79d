/**
 * Checkout latency by tender, one request at a time through the real app (`inject`, no port):
 * cash, gift card (ledger + CHECK in the same batch), card on a simulated terminal through the
 * in-process sandbox acquirer over TCP (authorization outside the transaction), and an e-wallet
 * (customer-presented code, then checkout).
 *
 *   node --import tsx bench/checkout-tenders.ts          # SQLite in a temp file; N=300 per kind
 *
 * Prints a table; never a timed test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { migrate, openDatabase } from '../packages/server/src/db/database';
import { systemClock, systemIds } from '../packages/server/src/lib/ids';
import type { Deps } from '../packages/server/src/deps';
import { seedDemo } from '../packages/server/src/seed/seed';
import { buildApp } from '../packages/server/src/app';
import { createMemoryFieldCipher } from '../packages/server/src/lib/field-cipher';

const N = Number(process.env.N ?? 300);

const dir = mkdtempSync(join(tmpdir(), 'opentill-bench-tenders-'));
const database = await openDatabase({ sqlitePath: join(dir, 'bench.db') });
await migrate(database);
const deps: Deps = {
  database,
  clock: systemClock,
  ids: systemIds(systemClock),
  cipher: createMemoryFieldCipher(),
  log: pino({ level: 'silent' }),
};
const seed = await seedDemo(deps, { password: 'bench-password-1', usernamePrefix: 'b_' });
const app = await buildApp(deps);
const login = async (role: string) =>
  (
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: `b_${role}`, password: 'bench-password-1' },
      })
    ).json() as { token: string }
  ).token;
const cashier = { authorization: `Bearer ${await login('cashier')}` };
const manager = { authorization: `Bearer ${await login('manager')}` };
const storeId = seed.stores.sh.id;
const registerId = seed.stores.sh.registers[0]!;
const variant = await database.db
  .selectFrom('prices')
  .select(['variant_id', 'price'])
  .where('store_id', '=', storeId)
  .orderBy('variant_id')
  .executeTakeFirstOrThrow();
const price = variant.price;
// the sandbox acquirer reacts to some amount endings (05 declined, 10 partial, 99 no answer, …)
const amount = price;
if ([5, 10, 51, 61, 91, 96, 98, 99].includes(amount % 100)) throw new Error(`pick another item: ${amount}`);

let seq = 0;
const checkout = (tenders: object[]) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/orders',
    headers: { ...cashier, 'idempotency-key': `bench-${++seq}-${Date.now()}` },
    payload: {
      id: `ord_bench-${seq}-${Date.now().toString(16)}`,
      storeId,
      registerId,
      lines: [{ variantId: variant.variant_id, quantity: 1 }],
      tenders,
    },
  });

const gift = (
  await app.inject({
    method: 'POST',
    url: '/api/v1/stored-value',
    headers: manager,
    payload: { kind: 'gift_card', storeId, amount: price * (N + 10) },
  })
).json() as { code: string };

async function timed(label: string, one: () => Promise<number>) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) await one(); // warm up
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const status = await one();
    times.push(performance.now() - t0);
    if (status !== 201) throw new Error(`${label}: status ${status}`);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  return { label, n: N, p50: at(0.5), p99: at(0.99) };
}

const rows = [
  await timed('cash (no payments work)', async () => (await checkout([{ kind: 'cash', amount }])).statusCode),
  await timed(
    'gift card',
    async () => (await checkout([{ kind: 'gift_card', amount, reference: gift.code }])).statusCode,
  ),
  await timed(
    'card on terminal (sandbox acquirer over TCP)',
    async () => (await checkout([{ kind: 'card', amount, terminalId: registerId }])).statusCode,
  ),
  await timed('e-wallet code, then checkout', async () => {
    const w = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/payments/wallet',
        headers: cashier,
        payload: {
          provider: 'sandbox',
          storeId,
          registerId,
          amount,
          mode: 'customer_presented',
          paymentCode: '280000000000000001',
        },
      })
    ).json() as { id: string };
    return (await checkout([{ kind: 'wallet', amount, reference: w.id }])).statusCode;
  }),
];

console.log(`\ncheckout latency by tender, SQLite, one at a time (N=${N} each)\n`);
console.log('| tender | n | p50 ms | p99 ms |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.label} | ${r.n} | ${r.p50} | ${r.p99} |`);

await app.close();
await database.close();
rmSync(dir, { recursive: true, force: true });
