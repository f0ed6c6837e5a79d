import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CashRules, TenderInput } from './tender';
import { settleTenders } from './tender';

const chf: CashRules = { increment: 5, mode: 'half_up' };
const exact: CashRules = { increment: 1, mode: 'half_up' };

describe('settleTenders', () => {
  it('CHF cash rounding up: 12.33 -> 12.35, change from 20.00', () => {
    expect(settleTenders(1233, [{ kind: 'cash', amount: 2000 }], chf)).toEqual({
      ok: true,
      value: {
        total: 1233,
        cashRounding: 2,
        amountDue: 1235,
        tenders: [{ kind: 'cash', amount: 1235, tendered: 2000 }],
        change: 765,
      },
    });
  });

  it('CHF cash rounding down: 12.32 -> 12.30, exact cash', () => {
    expect(settleTenders(1232, [{ kind: 'cash', amount: 1230 }], chf)).toMatchObject({
      ok: true,
      value: { cashRounding: -2, amountDue: 1230, change: 0 },
    });
  });

  it('split tender: card first, the rest in rounded cash', () => {
    const result = settleTenders(
      4567,
      [
        { kind: 'cash', amount: 2000 },
        { kind: 'card', amount: 3000, reference: 'auth-123' },
      ],
      chf,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        total: 4567,
        cashRounding: -2, // 15.67 -> 15.65
        amountDue: 4565,
        tenders: [
          { kind: 'cash', amount: 1565, tendered: 2000 },
          { kind: 'card', amount: 3000, tendered: 3000, reference: 'auth-123' },
        ],
        change: 435,
      },
    });
  });

  it('no rounding without cash', () => {
    expect(
      settleTenders(
        1233,
        [
          { kind: 'card', amount: 1000 },
          { kind: 'gift_card', amount: 233 },
        ],
        chf,
      ),
    ).toMatchObject({ ok: true, value: { cashRounding: 0, amountDue: 1233, change: 0 } });
  });

  it('several cash tenders: change comes out of the last ones', () => {
    const result = settleTenders(
      1700,
      [
        { kind: 'cash', amount: 1000 },
        { kind: 'cash', amount: 1000 },
      ],
      exact,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { tenders: [{ amount: 1000 }, { amount: 700 }], change: 300 },
    });
  });

  it('zero totals need no tenders', () => {
    expect(settleTenders(0, [], chf)).toEqual({
      ok: true,
      value: { total: 0, cashRounding: 0, amountDue: 0, tenders: [], change: 0 },
    });
  });

  it('reports expected failures', () => {
    const code = (total: number, tenders: TenderInput[], rules = chf) => {
      const r = settleTenders(total, tenders, rules);
      return r.ok ? undefined : r.error.code;
    };
    expect(code(100, [])).toBe('no_tenders');
    expect(code(1000, [{ kind: 'card', amount: 1001 }])).toBe('overpayment_not_cash');
    expect(
      code(1000, [
        { kind: 'card', amount: 600 },
        { kind: 'wallet', amount: 500 },
      ]),
    ).toBe('overpayment_not_cash');
    expect(code(1000, [{ kind: 'card', amount: 999 }])).toBe('insufficient_tender');
    expect(code(1233, [{ kind: 'cash', amount: 1233 }])).toBe('insufficient_tender'); // 1235 due in cash
    expect(code(1000, [{ kind: 'cash', amount: 0 }])).toBe('invalid_tender_amount');
    expect(code(1000, [{ kind: 'cash', amount: 10.5 }])).toBe('invalid_tender_amount');
    expect(code(-1, [{ kind: 'cash', amount: 10 }])).toBe('invalid_tender_amount');
  });

  it('applied amounts always sum to the amount due, and change is what cash exceeded it by', () => {
    const tenderArb = fc.record({
      kind: fc.constantFrom('cash' as const, 'card' as const, 'wallet' as const),
      amount: fc.integer({ min: 1, max: 100_000 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(tenderArb, { maxLength: 5 }),
        fc.constantFrom(1, 5, 10, 100),
        fc.constantFrom('half_up' as const, 'half_even' as const, 'up' as const, 'down' as const),
        (total, tenders, increment, mode) => {
          const result = settleTenders(total, tenders, { increment, mode });
          if (!result.ok) return;
          const s = result.value;
          const applied = s.tenders.reduce((a, t) => a + t.amount, 0);
          const tendered = tenders.reduce((a, t) => a + t.amount, 0);
          expect(applied).toBe(s.amountDue);
          expect(s.amountDue).toBe(s.total + s.cashRounding);
          expect(tendered - applied).toBe(s.change);
          expect(Math.abs(s.cashRounding)).toBeLessThan(increment);
          const hasCash = tenders.some((t) => t.kind === 'cash');
          if (!hasCash) expect(s.cashRounding).toBe(0);
          if (hasCash)
            expect(
              s.tenders.filter((t) => t.kind === 'cash').reduce((a, t) => a + t.amount, 0) % increment,
            ).toBe(0);
          for (const t of s.tenders) {
            expect(t.amount).toBeLessThanOrEqual(t.tendered);
            if (t.kind !== 'cash') expect(t.amount).toBe(t.tendered);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
