import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { croston, zeroShare } from './croston';
import {
  demandStats,
  economicOrderQuantity,
  normalCdf,
  normalQuantile,
  reorderPoint,
  safetyStock,
  safetyStockVariableLeadTime,
  suggestReorder,
} from './inventory';

describe("Croston's method", () => {
  it('follows the update equations on a worked example', () => {
    // Demands at periods 2, 5 and 6 (1-based): sizes 4, 6, 2; intervals 2 (start-up), 3, 1.
    const fit = croston([0, 4, 0, 0, 6, 2, 0], { alpha: 0.5 })!;
    // After period 5: size 0.5·6 + 0.5·4 = 5, interval 0.5·3 + 0.5·2 = 2.5.
    // After period 6: size 0.5·2 + 0.5·5 = 3.5, interval 0.5·1 + 0.5·2.5 = 1.75.
    expect(fit.size).toBeCloseTo(3.5, 12);
    expect(fit.interval).toBeCloseTo(1.75, 12);
    expect(fit.forecast).toBeCloseTo(2, 12);
    expect(fit.fitted[2]).toBeCloseTo(4 / 2, 12);
    expect(fit.fitted[5]).toBeCloseTo(5 / 2.5, 12);
  });
  it('forecasts size / interval exactly for a regular pattern, with any alpha', () => {
    const y = Array.from({ length: 60 }, (_, i) => (i % 4 === 3 ? 8 : 0));
    for (const alpha of [0.1, 0.5, 0.9]) expect(croston(y, { alpha })!.forecast).toBeCloseTo(2, 12);
    expect(croston(y)!.forecast).toBeCloseTo(2, 12);
    expect(zeroShare(y)).toBe(0.75);
  });
  it('SBA deflates by 1 − α/2', () => {
    const y = [0, 0, 3, 0, 1, 0, 0, 0, 5, 0, 2];
    const c = croston(y, { alpha: 0.2 })!;
    const s = croston(y, { alpha: 0.2, variant: 'sba' })!;
    expect(s.forecast).toBeCloseTo(c.forecast * 0.9, 12);
  });
  it('has no forecast without any demand, and chooses alpha in [0.01, 1]', () => {
    expect(croston([0, 0, 0])).toBeUndefined();
    const fit = croston([0, 3, 0, 0, 1, 0, 7, 0, 0, 0, 2, 0, 1])!;
    expect(fit.alpha).toBeGreaterThanOrEqual(0.01);
    expect(fit.alpha).toBeLessThanOrEqual(1);
    for (const a of [0.01, 0.2, 0.5, 1])
      expect(fit.sse).toBeLessThanOrEqual(
        croston([0, 3, 0, 0, 1, 0, 7, 0, 0, 0, 2, 0, 1], { alpha: a })!.sse + 1e-9,
      );
  });
});

describe('inventory formulas', () => {
  it('normal quantiles match the published values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        (p) => Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-12,
      ),
    );
  });
  it('safety stock, reorder point and EOQ by their formulas', () => {
    // z = 1.65, σ = 10/day, L = 4 days: 1.65 · 10 · 2 = 33.
    expect(safetyStock(1.65, 10, 4)).toBeCloseTo(33, 12);
    // Variable lead time: √(4·100 + 20²·1²) = √800.
    expect(safetyStockVariableLeadTime(1.65, 20, 10, 4, 1)).toBeCloseTo(1.65 * Math.sqrt(800), 12);
    expect(safetyStockVariableLeadTime(1.65, 20, 10, 4, 0)).toBeCloseTo(safetyStock(1.65, 10, 4), 12);
    expect(reorderPoint(20, 4, 33)).toBe(113);
    // D = 1000/yr, S = 10, H = 0.5: √(2·1000·10/0.5) = 200.
    expect(economicOrderQuantity(1000, 10, 0.5)).toBeCloseTo(200, 12);
  });
  it('suggests an order only at or below the reorder point, in whole packs, lifting the position above it', () => {
    const base = {
      onOrder: 0,
      demandMean: 10,
      demandSd: 3,
      leadTimeDays: 5,
      serviceLevel: 0.95,
      orderCost: 20,
      holdingCostPerUnitYear: 2,
      packSize: 12,
    };
    const high = suggestReorder({ ...base, onHand: 500 });
    expect(high.reorder).toBe(false);
    expect(high.quantity).toBe(0);
    expect(high.daysOfCover).toBe(50);
    const low = suggestReorder({ ...base, onHand: 20 });
    expect(low.reorder).toBe(true);
    expect(low.quantity % 12).toBe(0);
    expect(low.quantity).toBeGreaterThanOrEqual(low.eoq);
    expect(low.position + low.quantity).toBeGreaterThan(low.reorderPoint);
    expect(low.reorderPoint).toBeCloseTo(50 + normalQuantile(0.95) * 3 * Math.sqrt(5), 10);
    const owed = suggestReorder({ ...base, onHand: -400 });
    expect(owed.position + owed.quantity).toBeGreaterThan(owed.reorderPoint);
  });
  it('demand statistics use the sample standard deviation', () => {
    expect(demandStats([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7) });
  });
});
