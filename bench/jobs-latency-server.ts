/**
 * The server side of bench/jobs-latency.ts: the real app on a port over an existing database,
 * with no scheduled jobs of its own. The driver asks over IPC for an idle window or for the
 * daily insights job (the same calls the scheduler makes), and gets back the event-loop delay
 * (perf_hooks.monitorEventLoopDelay, 10 ms resolution) measured in this process meanwhile.
 */
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { buildApp, createServices } from '../packages/server/src/app';
import { migrate, openDatabase } from '../packages/server/src/db/database';
import type { Deps } from '../packages/server/src/deps';
import { systemClock, systemIds } from '../packages/server/src/lib/ids';
import { masterKeyFromEnv } from '../packages/server/src/modules/keys/key-provider';
import { createKeyring } from '../packages/server/src/modules/keys/keyring';
import { defaultPaymentsSetup } from '../packages/server/src/modules/payments/setup';

const sqlitePath = process.env.OPENTILL_DB!;
const database = await openDatabase({ sqlitePath });
await migrate(database);
const master = masterKeyFromEnv(process.env, { generateAt: join(dirname(sqlitePath), 'master.key') });
const deps: Deps = {
  database,
  clock: systemClock,
  ids: systemIds(systemClock),
  log: pino({ level: 'warn' }),
  cipher: createKeyring(database, master.provider, systemClock),
};
const payments = defaultPaymentsSetup();
const services = createServices(deps, payments);
const app = await buildApp(deps, { logger: false, payments, services });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
const tenantId = (
  await database.db.selectFrom('tenants').select('id').orderBy('id').executeTakeFirstOrThrow()
).id;

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
// a cross-check of the histogram: the longest gap between ticks of a 5 ms interval
let stall = 0;
let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  stall = Math.max(stall, now - lastTick);
  lastTick = now;
}, 5);
const ms = (ns: number) => ns / 1e6;
const report = () => ({ maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), stallMs: stall });

process.on('message', (m: { run: 'idle'; ms: number } | { run: 'daily' }) => {
  void (async () => {
    histogram.reset();
    // the histogram drops the samples right after a reset: give it a few ticks first
    await new Promise((r) => setTimeout(r, 30));
    stall = 0;
    const started = performance.now();
    const job: Record<string, unknown> = {};
    if (m.run === 'idle') await new Promise((r) => setTimeout(r, m.ms));
    else {
      // what startInsightsJobs runs once a day, for each tenant
      const { insights } = services;
      job.refresh = await insights.refresh(tenantId);
      job.rules = await insights.mineRules(tenantId, { days: 90, minSupport: 0.002, minConfidence: 0.1 });
      job.rfm = await insights.refreshRfm(tenantId);
    }
    const jobMs = performance.now() - started;
    // a job that blocked the loop shows as the delay of the next timer: let it fire first
    await new Promise((r) => setTimeout(r, 50));
    process.send!({ jobMs, ...report(), job });
  })();
});
process.send!({ ready: true });
