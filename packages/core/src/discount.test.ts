import { describe, expect, it } from 'vitest';
import { discountAmount, discountProblem } from './discount';

describe('discounts', () => {
  it('validates shapes', () => {
    expect(discountProblem({ kind: 'amount', amount: 0 })).toBeUndefined();
    expect(discountProblem({ kind: 'amount', amount: -1 })).toBeDefined();
    expect(discountProblem({ kind: 'amount', amount: 1.5 })).toBeDefined();
    expect(discountProblem({ kind: 'percent', percentBp: 10_000 })).toBeUndefined();
    expect(discountProblem({ kind: 'percent', percentBp: 10_001 })).toBeDefined();
    expect(discountProblem({ kind: 'percent', percentBp: -1 })).toBeDefined();
  });

  it('computes amounts with the rounding mode', () => {
    expect(discountAmount({ kind: 'percent', percentBp: 1000 }, 1999n, 'half_up')).toBe(200n);
    expect(discountAmount({ kind: 'percent', percentBp: 1000 }, 1999n, 'down')).toBe(199n);
    expect(discountAmount({ kind: 'percent', percentBp: 1250 }, 1000n, 'half_even')).toBe(125n);
    expect(discountAmount({ kind: 'amount', amount: 300 }, 100n, 'half_up')).toBe(300n);
  });
});
