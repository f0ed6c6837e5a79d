import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaidTender, RefundableLine, RefundRequest } from './refund';
import { applyRefund, planRefund } from './refund';
import { allocate } from './rounding';

const line = (lineId: string, quantity: number, total: number): RefundableLine => ({
  lineId,
  quantity,
  total,
  refundedQuantity: 0,
  refundedAmount: 0,
});

const paid = (paymentId: string, kind: PaidTender['kind'], amount: number): PaidTender => ({
  paymentId,
  kind,
  amount,
  refunded: 0,
});

describe('planRefund', () => {
  const lines = [line('a', 3, 1000), line('b', 0.345, 1373)];
  const tenders = [paid('pay_1', 'card', 1373), paid('pay_2', 'cash', 1000)];

  it('refunds everything not yet refunded by default, newest payment first', () => {
    expect(planRefund({ lines, tenders, request: {} })).toEqual({
      ok: true,
      value: {
        lines: [
          { lineId: 'a', quantity: 3, amount: 1000 },
          { lineId: 'b', quantity: 0.345, amount: 1373 },
        ],
        total: 2373,
        tenders: [
          { paymentId: 'pay_2', kind: 'cash', amount: 1000 },
          { paymentId: 'pay_1', kind: 'card', amount: 1373 },
        ],
      },
    });
  });

  it('partial refunds are proportional and the last one takes exactly what is left', () => {
    let state = { lines, tenders };
    const amounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const plan = planRefund({ ...state, request: { lines: [{ lineId: 'a', quantity: 1 }] } });
      if (!plan.ok) throw new Error(plan.error.message);
      amounts.push(plan.value.total);
      state = applyRefund(state, plan.value);
    }
    expect(amounts).toEqual([333, 334, 333]); // 333.33, then 666.67 − 333, then 1000 − 667
    expect(state.lines[0]).toMatchObject({ refundedQuantity: 3, refundedAmount: 1000 });
    expect(state.tenders.map((t) => t.refunded)).toEqual([0, 1000]);
  });

  it('refunds part of a weighed line', () => {
    const plan = planRefund({ lines, tenders, request: { lines: [{ lineId: 'b', quantity: 0.1 }] } });
    // 1373 × 0.100 / 0.345 = 397.97 -> 398
    expect(plan).toMatchObject({
      ok: true,
      value: { lines: [{ lineId: 'b', quantity: 0.1, amount: 398 }], total: 398 },
    });
  });

  it('can refund to another tender kind', () => {
    const plan = planRefund({
      lines,
      tenders,
      request: { lines: [{ lineId: 'a', quantity: 3 }], toTender: 'cash' },
    });
    expect(plan).toMatchObject({
      ok: true,
      value: { total: 1000, tenders: [{ paymentId: null, kind: 'cash', amount: 1000 }] },
    });
  });

  it('refunds an explicit amount of money only', () => {
    const plan = planRefund({ lines, tenders, request: { amount: 1200 } });
    expect(plan).toEqual({
      ok: true,
      value: {
        lines: [],
        total: 1200,
        tenders: [
          { paymentId: 'pay_2', kind: 'cash', amount: 1000 },
          { paymentId: 'pay_1', kind: 'card', amount: 200 },
        ],
      },
    });
  });

  it('reports expected failures', () => {
    const code = (request: RefundRequest, ls = lines, ts = tenders) => {
      const r = planRefund({ lines: ls, tenders: ts, request });
      return r.ok ? undefined : r.error.code;
    };
    expect(code({ lines: [{ lineId: 'zzz', quantity: 1 }] })).toBe('unknown_line');
    expect(code({ lines: [{ lineId: 'a', quantity: 4 }] })).toBe('refund_exceeds_quantity');
    expect(
      code({
        lines: [
          { lineId: 'a', quantity: 2 },
          { lineId: 'a', quantity: 2 },
        ],
      }),
    ).toBe('refund_exceeds_quantity');
    expect(code({ lines: [{ lineId: 'a', quantity: 0 }] })).toBe('invalid_quantity');
    expect(code({ lines: [{ lineId: 'a', quantity: 0.0001 }] })).toBe('invalid_quantity');
    expect(code({ lines: [] })).toBe('nothing_to_refund');
    expect(code({ amount: 0 })).toBe('nothing_to_refund');
    expect(code({ amount: -5 })).toBe('invalid_quantity');
    expect(code({ amount: 2374 })).toBe('refund_exceeds_payment');
    expect(code({ amount: 2374, toTender: 'cash' })).toBe('refund_exceeds_payment');
    const done = lines.map((l) => ({ ...l, refundedQuantity: l.quantity, refundedAmount: l.total }));
    expect(code({}, done)).toBe('nothing_to_refund');
    const spent = tenders.map((t) => ({ ...t, refunded: t.amount - 1 }));
    expect(code({ lines: [{ lineId: 'a', quantity: 1 }] }, lines, spent)).toBe('refund_exceeds_payment');
  });
});

// ---------- properties ----------

const saleArb = fc
  .array(
    fc.record({
      fractional: fc.boolean(),
      qty: fc.integer({ min: 1, max: 20 }),
      milli: fc.integer({ min: 1, max: 5000 }),
      total: fc.nat({ max: 100_000 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .chain((specs) => {
    const lines = specs.map((s, i) => line(`l${i}`, s.fractional ? s.milli / 1000 : s.qty, s.total));
    const sum = lines.reduce((a, l) => a + l.total, 0);
    return fc
      .array(
        fc.record({
          kind: fc.constantFrom('card' as const, 'cash' as const, 'wallet' as const),
          weight: fc.nat({ max: 100 }),
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((ts) => {
        const parts = allocate(
          sum,
          ts.map((t) => t.weight),
        );
        const tenders = ts.map((t, i) => paid(`pay_${i}`, t.kind, parts[i] ?? 0));
        return { lines, tenders };
      });
  });

interface Step {
  lineIndex: number;
  fraction: number;
  toCash: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  lineIndex: fc.nat({ max: 5 }),
  fraction: fc.integer({ min: 1, max: 1000 }), // share of what is left, in thousandths
  toCash: fc.boolean(),
});

function requestFor(lines: readonly RefundableLine[], step: Step): RefundRequest | undefined {
  const target = lines[step.lineIndex % lines.length];
  if (!target) return undefined;
  const leftMilli = Math.round((target.quantity - target.refundedQuantity) * 1000);
  const whole = Number.isInteger(target.quantity);
  let milli = Math.max(1, Math.floor((leftMilli * step.fraction) / 1000));
  if (whole) milli = Math.max(1000, Math.floor(milli / 1000) * 1000);
  if (milli > leftMilli) return undefined;
  return {
    lines: [{ lineId: target.lineId, quantity: milli / 1000 }],
    ...(step.toCash ? { toTender: 'cash' as const } : {}),
  };
}

describe('planRefund properties', () => {
  it('never refunds more than paid per tender, and a full refund returns exactly what was paid', () => {
    fc.assert(
      fc.property(saleArb, fc.array(stepArb, { maxLength: 12 }), (sale, steps) => {
        let state = sale;
        for (const step of steps) {
          const request = requestFor(state.lines, step);
          if (!request) continue;
          const plan = planRefund({ ...state, request });
          expect(plan.ok).toBe(true);
          if (!plan.ok) return;
          expect(plan.value.tenders.reduce((a, t) => a + t.amount, 0)).toBe(plan.value.total);
          state = applyRefund(state, plan.value);
          state.tenders.forEach((t) => expect(t.refunded).toBeLessThanOrEqual(t.amount));
          state.lines.forEach((l) => {
            expect(l.refundedAmount).toBeGreaterThanOrEqual(0);
            expect(l.refundedAmount).toBeLessThanOrEqual(l.total);
          });
        }
        const rest = planRefund({ ...state, request: {} });
        if (!rest.ok) {
          // only when every line was already refunded in full
          expect(rest.error.code).toBe('nothing_to_refund');
        } else {
          state = applyRefund(state, rest.value);
        }
        state.lines.forEach((l, i) => {
          expect(l.refundedAmount).toBe(l.total);
          expect(l.refundedQuantity).toBe(sale.lines[i]?.quantity);
        });
        state.tenders.forEach((t) => expect(t.refunded).toBe(t.amount));
      }),
      { numRuns: 500 },
    );
  });

  it('money-only refunds never push any tender past what it paid', () => {
    fc.assert(
      fc.property(
        saleArb,
        fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 8 }),
        (sale, amounts) => {
          let state = sale;
          const paidTotal = sale.tenders.reduce((a, t) => a + t.amount, 0);
          let refunded = 0;
          for (const amount of amounts) {
            const plan = planRefund({ ...state, request: { amount } });
            if (!plan.ok) {
              expect(plan.error.code).toBe('refund_exceeds_payment');
              expect(refunded + amount).toBeGreaterThan(paidTotal);
              continue;
            }
            refunded += plan.value.total;
            state = applyRefund(state, plan.value);
            state.tenders.forEach((t) => expect(t.refunded).toBeLessThanOrEqual(t.amount));
          }
          expect(state.tenders.reduce((a, t) => a + t.refunded, 0)).toBe(refunded);
        },
      ),
      { numRuns: 300 },
    );
  });
});
