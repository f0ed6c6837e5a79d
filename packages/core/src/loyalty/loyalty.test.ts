import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoyaltyProgram, PointsEntry } from './index';
import {
  checkOfflineRedemption,
  computeEarn,
  dueExpiries,
  earnLotDates,
  maxRedeemable,
  pointsBalance,
  pointsForMinor,
  redeemForAmount,
  redeemReward,
  redemptionStepMinor,
  tierFor,
} from './index';

const program: LoyaltyProgram = {
  currency: 'CNY',
  earnPoints: 1,
  earnPerMinor: 100, // 1 point per yuan
  categoryMultipliersBp: { cat_tea: 20_000 },
  tiers: [
    { id: 'silver', name: 'Silver', minPoints: 0, multiplierBp: 10_000 },
    { id: 'gold', name: 'Gold', minPoints: 1000, multiplierBp: 15_000 },
  ],
  pointsPerUnit: 100,
  minorPerUnit: 100, // 1 point = 1 fen
  expiryDays: 365,
  offlineAllowancePoints: 500,
};

function value<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

describe('earning', () => {
  it('earns per currency unit on the pre-tax amount with category and tier multipliers', () => {
    const earned = value(
      computeEarn(program, {
        lines: [
          { lineId: 'a', categoryId: 'cat_tea', total: 11_300, tax: 1_300 }, // base 100.00 × 2
          { lineId: 'b', categoryId: null, total: 5_650, tax: 650 }, // base 50.00
        ],
        tierId: 'gold',
      }),
    );
    // (100 × 2 + 50) × 1.5 = 375
    expect(earned.points).toBe(375);
    expect(earned.lines.map((l) => l.points)).toEqual([300, 75]);
    expect(earned.base).toBe(15_000);
  });

  it('rewards and the point-paid share never earn', () => {
    const earned = value(
      computeEarn(program, {
        lines: [
          { lineId: 'a', total: 10_000, tax: 0 },
          { lineId: 'reward', total: 0, tax: 0, reward: true },
          { lineId: 'free-ish', total: 500, tax: 0, reward: true },
        ],
        paidWithPoints: 4_000,
      }),
    );
    expect(earned.points).toBe(60);
    expect(earned.lines.find((l) => l.lineId === 'free-ish')?.points).toBe(0);
  });

  it('adds promotion bonus points', () => {
    expect(
      value(computeEarn(program, { lines: [{ lineId: 'a', total: 999, tax: 0 }], bonusPoints: 50 })).points,
    ).toBe(59);
  });

  it('picks the highest tier reached', () => {
    expect(tierFor(program, 999)?.id).toBe('silver');
    expect(tierFor(program, 1000)?.id).toBe('gold');
  });

  it('property: points never exceed the exact share and lines sum to the total; paying with points never earns more', () => {
    const line = fc.record({
      total: fc.integer({ min: 0, max: 1_000_000 }),
      taxPct: fc.integer({ min: 0, max: 30 }),
      reward: fc.boolean(),
      cat: fc.constantFrom('cat_tea', null, 'other'),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.nat(2_000_000), (ls, paid) => {
        const lines = ls.map((l, i) => ({
          lineId: `l${i}`,
          total: l.total,
          tax: Math.floor((l.total * l.taxPct) / 130),
          reward: l.reward,
          categoryId: l.cat,
        }));
        const without = value(computeEarn(program, { lines }));
        const withPoints = value(computeEarn(program, { lines, paidWithPoints: paid }));
        expect(without.lines.reduce((s, l) => s + l.points, 0)).toBe(without.points);
        expect(withPoints.points).toBeLessThanOrEqual(without.points);
        const rewardPoints = without.lines
          .filter((_, i) => lines[i]?.reward)
          .reduce((s, l) => s + l.points, 0);
        expect(rewardPoints).toBe(0);
        // never more than 2× (the top multiplier) of the whole units spent
        const spent = lines.filter((l) => !l.reward).reduce((s, l) => s + l.total, 0);
        expect(without.points).toBeLessThanOrEqual(Math.floor((spent * 2) / 100));
      }),
    );
  });
});

describe('redeeming', () => {
  it('any partial amount up to the balance and the amount due', () => {
    expect(value(redeemForAmount(program, { amount: 1, availablePoints: 5, amountDue: 100 }))).toEqual({
      points: 1,
      amount: 1,
    });
    expect(
      value(redeemForAmount(program, { amount: 1234, availablePoints: 5000, amountDue: 1300 })).points,
    ).toBe(1234);
    const over = redeemForAmount(program, { amount: 600, availablePoints: 500, amountDue: 1000 });
    expect(!over.ok && over.error.code).toBe('insufficient_points');
    const due = redeemForAmount(program, { amount: 600, availablePoints: 5000, amountDue: 500 });
    expect(!due.ok && due.error.code).toBe('exceeds_amount_due');
  });

  it('conversion is exact: amounts that are not whole points are refused, never rounded', () => {
    const coarse: LoyaltyProgram = { ...program, pointsPerUnit: 20, minorPerUnit: 100 }; // 1 point = 5 fen
    expect(redemptionStepMinor(coarse)).toBe(5);
    expect(pointsForMinor(coarse, 35)).toBe(7);
    expect(pointsForMinor(coarse, 36)).toBeUndefined();
    const r = redeemForAmount(coarse, { amount: 36, availablePoints: 100, amountDue: 100 });
    expect(!r.ok && r.error.code).toBe('inexact_amount');
    expect(maxRedeemable(coarse, 7, 1000)).toEqual({ amount: 35, points: 7 });
    expect(maxRedeemable(coarse, 700, 37)).toEqual({ amount: 35, points: 7 });
  });

  it('property: points ↔ money round trip exactly for every allowed amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        (ppu, mpu, balance, due) => {
          const p = { ...program, pointsPerUnit: ppu, minorPerUnit: mpu };
          const max = maxRedeemable(p, balance, due);
          expect(max.amount).toBeLessThanOrEqual(due);
          expect(max.points).toBeLessThanOrEqual(balance);
          expect(max.amount % redemptionStepMinor(p)).toBe(0);
          expect(BigInt(max.points) * BigInt(mpu)).toBe(BigInt(max.amount) * BigInt(ppu));
          if (max.amount > 0)
            expect(
              value(redeemForAmount(p, { amount: max.amount, availablePoints: balance, amountDue: due })),
            ).toEqual(max);
          // one more step would be too much
          const next = max.amount + redemptionStepMinor(p);
          expect(redeemForAmount(p, { amount: next, availablePoints: balance, amountDue: due }).ok).toBe(
            false,
          );
        },
      ),
    );
  });

  it('rewards cost points', () => {
    expect(value(redeemReward(500, { id: 'rw_coffee', points: 500 })).points).toBe(500);
    expect(redeemReward(499, { id: 'rw_coffee', points: 500 }).ok).toBe(false);
  });

  it('offline redemption stays within the register allowance and the cached balance', () => {
    expect(
      value(
        checkOfflineRedemption({
          allowancePoints: 500,
          usedOfflinePoints: 200,
          cachedAvailablePoints: 1000,
          points: 300,
        }),
      ),
    ).toEqual({ remainingAllowance: 0 });
    const over = checkOfflineRedemption({
      allowancePoints: 500,
      usedOfflinePoints: 200,
      cachedAvailablePoints: 1000,
      points: 301,
    });
    expect(!over.ok && over.error.code).toBe('offline_allowance_exceeded');
    const poor = checkOfflineRedemption({
      allowancePoints: 500,
      usedOfflinePoints: 0,
      cachedAvailablePoints: 10,
      points: 11,
    });
    expect(!poor.ok && poor.error.code).toBe('insufficient_points');
  });
});

describe('ledger and expiry', () => {
  const at = (d: string) => `${d}T00:00:00.000Z`;
  function earn(id: string, points: number, day: string, p: LoyaltyProgram = program): PointsEntry {
    return { id, kind: 'earn', points, at: at(day), ...earnLotDates(p, at(day)) };
  }

  it('spends the lots that expire first and expires only what is left of each lot', () => {
    const entries: PointsEntry[] = [
      earn('e1', 100, '2025-01-01'),
      earn('e2', 50, '2025-06-01'),
      { id: 'r1', kind: 'redeem', points: -120, at: at('2025-07-01') },
    ];
    expect(pointsBalance(entries, at('2025-12-31'))).toMatchObject({
      balance: 30,
      available: 30,
      expiring: 0,
    });
    // e1 expired 2026-01-01 with nothing left; e2 (30 left) expires 2026-06-01
    expect(dueExpiries(entries, at('2026-01-02'))).toEqual([]);
    const due = dueExpiries(entries, at('2026-06-01'));
    expect(due).toEqual([{ lotId: 'e2', points: 30, expiresAt: at('2026-06-01') }]);
    expect(pointsBalance(entries, at('2026-06-01'))).toMatchObject({ available: 0, expiring: 30 });
    const after = [
      ...entries,
      { id: 'x1', kind: 'expire' as const, points: -30, at: at('2026-06-01'), lotId: 'e2' },
    ];
    expect(dueExpiries(after, at('2026-06-02'))).toEqual([]);
    expect(pointsBalance(after, at('2026-06-02')).balance).toBe(0);
  });

  it('pending points cannot be spent before they are earned', () => {
    const p = { ...program, pendingDays: 14 };
    const entries = [earn('e1', 100, '2025-01-01', p)];
    expect(pointsBalance(entries, at('2025-01-10'))).toMatchObject({ available: 0, pending: 100 });
    expect(pointsBalance(entries, at('2025-01-15'))).toMatchObject({ available: 100, pending: 0 });
  });

  it('property: balance = sum of entries; writing the due expiries empties exactly the expired lots', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('earn' as const),
        points: fc.integer({ min: 1, max: 500 }),
        day: fc.nat(900),
      }),
      fc.record({
        kind: fc.constant('redeem' as const),
        points: fc.integer({ min: 1, max: 300 }),
        day: fc.nat(900),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), fc.nat(1400), (ops, nowDay) => {
        const base = Date.parse('2025-01-01T00:00:00Z');
        const iso = (d: number) => new Date(base + d * 86_400_000).toISOString();
        const entries: PointsEntry[] = [];
        ops
          .sort((a, b) => a.day - b.day)
          .forEach((o, i) => {
            if (o.kind === 'earn') {
              entries.push({
                id: `e${i}`,
                kind: 'earn',
                points: o.points,
                at: iso(o.day),
                ...earnLotDates(program, iso(o.day)),
              });
            } else {
              // only spend what is available, as the service would
              const avail = pointsBalance(entries, iso(o.day)).available;
              const pts = Math.min(avail, o.points);
              if (pts > 0) entries.push({ id: `r${i}`, kind: 'redeem', points: -pts, at: iso(o.day) });
            }
          });
        const now = iso(nowDay);
        const before = pointsBalance(entries, now);
        expect(before.balance).toBe(entries.reduce((s, e) => s + e.points, 0));
        expect(before.available + before.pending + before.expiring).toBe(before.balance);
        const due = dueExpiries(entries, now);
        expect(due.reduce((s, d) => s + d.points, 0)).toBe(before.expiring);
        const written = [
          ...entries,
          ...due.map((d) => ({
            id: `x_${d.lotId}`,
            kind: 'expire' as const,
            points: -d.points,
            at: now,
            lotId: d.lotId,
          })),
        ];
        const after = pointsBalance(written, now);
        expect(after.expiring).toBe(0);
        expect(after.available).toBe(before.available);
        expect(dueExpiries(written, now)).toEqual([]);
      }),
    );
  });
});
