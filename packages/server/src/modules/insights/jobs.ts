// The scheduled insights work in the server process: rollups every minute (incremental, so
// cheap), rules and RFM segments once a day. Timers are unref'd so they never keep the
// process alive, and a run never overlaps the previous one.

import type { Deps } from '../../deps';
import type { InsightsService } from './service';

export interface InsightsJobOptions {
  rollupEveryMs?: number;
  dailyEveryMs?: number;
}

export function startInsightsJobs(deps: Deps, insights: InsightsService, options: InsightsJobOptions = {}) {
  let running = false;
  const tenants = async () =>
    (await deps.database.db.selectFrom('tenants').select('id').execute()).map((t) => t.id);
  const guarded = (name: string, work: (tenantId: string) => Promise<unknown>) => async () => {
    if (running) return;
    running = true;
    try {
      for (const tenantId of await tenants()) await work(tenantId);
    } catch (e) {
      deps.log.error({ err: e, job: name }, 'insights job failed');
    } finally {
      running = false;
    }
  };
  const rollups = guarded('rollups', (tenantId) => insights.refresh(tenantId));
  const daily = guarded('rules-and-segments', async (tenantId) => {
    await insights.refresh(tenantId);
    await insights.mineRules(tenantId, { days: 90, minSupport: 0.002, minConfidence: 0.1 });
    await insights.refreshRfm(tenantId);
  });
  const timers = [
    setInterval(() => void rollups(), options.rollupEveryMs ?? 60_000),
    setInterval(() => void daily(), options.dailyEveryMs ?? 86_400_000),
    setTimeout(() => void daily(), 5_000),
  ];
  for (const t of timers) t.unref();
  return () => timers.forEach((t) => clearInterval(t));
}
