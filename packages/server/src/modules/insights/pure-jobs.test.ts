import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerJobs } from '../../lib/worker-job';
import { parseCsvRecords } from './csv';
import { datasetUrl } from './datasets';
import * as pureJobs from './pure-jobs';
import type { BasketLine, PurchaseLine } from './pure-jobs';

const run = workerJobs<typeof pureJobs>(new URL('./pure-jobs.ts', import.meta.url));

function pagesOf<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

describe('the insights jobs in a worker thread', () => {
  it('mines the Groceries baskets to exactly the in-process result', async () => {
    const { records } = parseCsvRecords(readFileSync(datasetUrl('groceries.csv'), 'utf8'));
    const lines = records.map((r): BasketLine => [r.transaction_id!, r.item!]);
    expect(lines).toHaveLength(43367);
    const options = { minSupport: 0.002, minConfidence: 0.1, maxLength: 4 };
    const inProcess = pureJobs.mineBaskets(options, lines);
    // sent in pages as the service reads them, async like a database read
    const pages = async function* () {
      for (const page of pagesOf(lines, 5000)) yield page;
    };
    const viaWorker = await run('mineBaskets', options, pages());
    expect(inProcess.baskets).toBe(9835);
    expect(inProcess.rules.length).toBeGreaterThan(1000);
    expect(viaWorker).toEqual(inProcess);
  });

  it('scores the CDNOW customers to exactly the in-process result', async () => {
    const { records } = parseCsvRecords(readFileSync(datasetUrl('rfm/cdnow-elog.csv'), 'utf8'));
    // half the log as yuan bought in Shanghai (late evening UTC is the next local day), half as dollars
    const purchases = records.map((r, i): PurchaseLine => {
      const cny = Number(r.customer_id) % 2 === 0;
      return [
        r.customer_id!,
        `${r.date}T${cny ? '17' : '12'}:${String(i % 60).padStart(2, '0')}:00.000Z`,
        Math.round(Number(r.sales) * 100),
        cny ? 'CNY' : 'USD',
        cny ? 'Asia/Shanghai' : 'America/New_York',
      ];
    });
    const at = { now: '1998-07-01T03:00:00.000Z' };
    const inProcess = pureJobs.scoreRfm(at, purchases);
    const viaWorker = await run('scoreRfm', at, pagesOf(purchases, 1000));
    expect(new Set(inProcess.map((c) => c.currency))).toEqual(new Set(['CNY', 'USD']));
    expect(inProcess).toHaveLength(2357);
    expect(viaWorker).toEqual(inProcess);
  });

  it('rejects with the worker error when the job fails, and the next run still works', async () => {
    const broken = run as unknown as (name: string, params: unknown, pages: unknown[][]) => Promise<unknown>;
    await expect(broken('noSuchJob', {}, [])).rejects.toThrow(/worker job noSuchJob failed: TypeError/);
    const params = { minSupport: 0.5, minConfidence: 0.5, maxLength: 2 };
    const lines: BasketLine[] = [
      ['t1', 'a'],
      ['t1', 'b'],
      ['t2', 'a'],
    ];
    const ok = await run('mineBaskets', params, [lines]);
    expect(ok.baskets).toBe(2);
    expect(ok.rules).toContainEqual(expect.objectContaining({ lhs: ['b'], rhs: 'a', confidence: 1 }));
    expect(ok).toEqual(pureJobs.mineBaskets(params, lines));
  });
});
