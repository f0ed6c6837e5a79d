import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from './csv';
import { datasetUrl } from './datasets';
import { rfm, segmentFor, type PurchaseRow } from './rfm';

const { records } = parseCsvRecords(readFileSync(datasetUrl('rfm/cdnow-elog.csv'), 'utf8'));
const rows: PurchaseRow[] = records.map((r) => ({
  customerId: r.customer_id!,
  date: r.date!,
  amount: Math.round(Number(r.sales) * 100),
}));

describe('RFM on the CDNOW purchase log', () => {
  // The day after the last purchase in the log (1998-06-30).
  const scored = rfm(rows, '1998-07-01');
  const byId = new Map(scored.map((c) => [c.customerId, c]));

  it('scores every one of the 2,357 customers', () => {
    expect(rows).toHaveLength(6919);
    expect(scored).toHaveLength(2357);
  });

  it('fills each quintile of each measure with 471 or 472 customers', () => {
    for (const key of ['r', 'f', 'm'] as const) {
      const sizes = [1, 2, 3, 4, 5].map((q) => scored.filter((c) => c[key] === q).length);
      expect(sizes, key).toEqual([472, 472, 471, 471, 471]);
    }
  });

  it('orders the quintiles: better scores never have worse measures', () => {
    for (const [key, measure, better] of [
      ['r', 'recencyDays', -1],
      ['f', 'frequency', 1],
      ['m', 'monetary', 1],
    ] as const) {
      for (let q = 1; q < 5; q++) {
        const lowMax = Math.max(...scored.filter((c) => c[key] === q).map((c) => better * c[measure]));
        const highMin = Math.min(...scored.filter((c) => c[key] === q + 1).map((c) => better * c[measure]));
        expect(lowMax, `${key} ${q}`).toBeLessThanOrEqual(highMin);
      }
    }
  });

  it('matches customers checked by hand', () => {
    // Customer 1: 1997-01-01 29.33, 01-18 29.73, 08-02 14.96, 12-12 26.48.
    expect(byId.get('1')).toMatchObject({
      recencyDays: 201,
      frequency: 4,
      monetary: 10050,
      firstDate: '1997-01-01',
      lastDate: '1997-12-12',
    });
    // Customer 2: 1997-01-01 63.34, 01-13 11.77.
    expect(byId.get('2')).toMatchObject({ recencyDays: 534, frequency: 2, monetary: 7511 });
    // Customer 2357: one purchase, 1997-03-25 25.74.
    expect(byId.get('2357')).toMatchObject({ recencyDays: 463, frequency: 1, monetary: 2574 });
    expect(byId.get('2357')!.f).toBeLessThan(byId.get('1')!.f);
    // Four purchases is in the top fifth of this log (most customers bought once or twice).
    expect(byId.get('1')!.f).toBe(5);
  });

  it('names segments from the R and F scores', () => {
    for (const c of scored) expect(c.segment).toBe(segmentFor(c.r, c.f));
    expect(segmentFor(5, 5)).toBe('champions');
    expect(segmentFor(5, 1)).toBe('new');
    expect(segmentFor(1, 5)).toBe('cannot_lose');
    expect(segmentFor(1, 1)).toBe('lost');
    const names = new Set(scored.map((c) => c.segment));
    expect(names.size).toBeGreaterThanOrEqual(8);
  });

  it('does not depend on the order of the rows', () => {
    const shuffled = [...rows].reverse();
    expect(rfm(shuffled, '1998-07-01')).toEqual(scored);
  });
});
