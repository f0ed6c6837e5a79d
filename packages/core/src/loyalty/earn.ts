import type { DomainError, Result } from '../result';
import { fail, ok } from '../result';
import { allocateBig } from '../rounding';
import { BP_SCALE } from '../discount';

/** A tier: customers whose qualifying points reach `minPoints` earn at `multiplierBp` (10000 = ×1). */
export interface LoyaltyTier {
  id: string;
  name: string;
  nameZh?: string;
  minPoints: number;
  multiplierBp: number;
}

/**
 * The rules of one points programme. Earning: `earnPoints` points per `earnPerMinor` minor units
 * spent (1 point per 1 CNY = { earnPoints: 1, earnPerMinor: 100 }), times the category multiplier
 * and the tier multiplier. Points and money convert at `pointsPerUnit` points = `minorPerUnit`
 * minor units (100 points = 1 CNY = { pointsPerUnit: 100, minorPerUnit: 100 }).
 */
export interface LoyaltyProgram {
  currency: string;
  earnPoints: number;
  earnPerMinor: number;
  /** Whether tax counts towards the earning base (default false: earn on the pre-tax amount). */
  earnOnTax?: boolean;
  /** Category id → multiplier in basis points (20000 = double points); missing = ×1. */
  categoryMultipliersBp?: Record<string, number>;
  tiers?: LoyaltyTier[];
  pointsPerUnit: number;
  minorPerUnit: number;
  /** Earned points expire this many days after they were earned; absent = never. */
  expiryDays?: number;
  /** Earned points become spendable this many days after the sale (a return window); default 0. */
  pendingDays?: number;
  /** Points a register may let customers redeem while offline, between syncs. */
  offlineAllowancePoints?: number;
}

export type LoyaltyErrorCode =
  | 'invalid_program'
  | 'invalid_amount'
  | 'inexact_amount'
  | 'insufficient_points'
  | 'exceeds_amount_due'
  | 'offline_allowance_exceeded';

export type LoyaltyResult<T> = Result<T, DomainError<LoyaltyErrorCode>>;

/** One line of a sale as loyalty sees it, after every discount. */
export interface EarnLine {
  lineId: string;
  categoryId?: string | null;
  /** What the customer pays for the line (PricedLine.total). */
  total: number;
  /** Tax inside `total` (PricedLine.tax when inclusive; for exclusive carts total includes tax too). */
  tax: number;
  /** A reward line (bought with points, or a free item) never earns. */
  reward?: boolean;
}

export interface EarnInput {
  lines: EarnLine[];
  /** The part of the order paid with points: it never earns. */
  paidWithPoints?: number;
  tierId?: string | null;
  /** Extra points granted by promotions. */
  bonusPoints?: number;
}

export interface EarnResult {
  points: number;
  /** Money that earned points, after removing rewards, tax (unless earnOnTax) and point-paid amounts. */
  base: number;
  /** Points per line (largest remainder of the exact total), bonus points not included. */
  lines: { lineId: string; base: number; points: number }[];
  bonusPoints: number;
}

const positiveInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const nonNegInt = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** Why a programme is malformed, or undefined. */
export function loyaltyProgramProblem(program: LoyaltyProgram): string | undefined {
  if (!nonNegInt(program.earnPoints)) return 'earnPoints must be a non-negative integer';
  if (!positiveInt(program.earnPerMinor)) return 'earnPerMinor must be a positive integer';
  if (!positiveInt(program.pointsPerUnit)) return 'pointsPerUnit must be a positive integer';
  if (!positiveInt(program.minorPerUnit)) return 'minorPerUnit must be a positive integer';
  for (const value of Object.values(program.categoryMultipliersBp ?? {})) {
    if (!nonNegInt(value)) return 'category multipliers must be non-negative basis points';
  }
  for (const tier of program.tiers ?? []) {
    if (!nonNegInt(tier.minPoints) || !nonNegInt(tier.multiplierBp)) {
      return 'tiers need non-negative minPoints and multiplierBp';
    }
  }
  if (program.expiryDays !== undefined && !positiveInt(program.expiryDays))
    return 'expiryDays must be positive';
  if (program.pendingDays !== undefined && !nonNegInt(program.pendingDays)) return 'pendingDays must be ≥ 0';
  if (program.offlineAllowancePoints !== undefined && !nonNegInt(program.offlineAllowancePoints)) {
    return 'offlineAllowancePoints must be ≥ 0';
  }
  return undefined;
}

/** The tier a customer holds for `qualifyingPoints` (highest minPoints reached), or undefined. */
export function tierFor(program: LoyaltyProgram, qualifyingPoints: number): LoyaltyTier | undefined {
  let best: LoyaltyTier | undefined;
  for (const tier of program.tiers ?? []) {
    if (tier.minPoints <= qualifyingPoints && (!best || tier.minPoints > best.minPoints)) best = tier;
  }
  return best;
}

/**
 * Points earned by a sale. Rewards and the point-paid share never earn (the point-paid amount is
 * taken off the earning lines by largest remainder). The exact fractional total is rounded down
 * once, then split back to lines, so splitting a basket never earns more or less than the sum.
 */
export function computeEarn(program: LoyaltyProgram, input: EarnInput): LoyaltyResult<EarnResult> {
  const problem = loyaltyProgramProblem(program);
  if (problem) return fail('invalid_program', problem);
  const paid = input.paidWithPoints ?? 0;
  const bonus = input.bonusPoints ?? 0;
  if (!nonNegInt(paid) || !nonNegInt(bonus)) {
    return fail('invalid_amount', 'paidWithPoints and bonusPoints must be non-negative integers');
  }
  const bases: bigint[] = [];
  for (const line of input.lines) {
    if (!nonNegInt(line.total) || !nonNegInt(line.tax) || line.tax > line.total) {
      return fail('invalid_amount', 'line total and tax must be non-negative integers, tax ≤ total', {
        lineId: line.lineId,
      });
    }
    bases.push(line.reward ? 0n : BigInt(program.earnOnTax ? line.total : line.total - line.tax));
  }
  // The point-paid share comes off every earning line in proportion (tax included when earning on
  // net: compare on the whole line amount so the share is the same whatever earnOnTax says).
  const eligibleTotals = input.lines.map((l) => (l.reward ? 0n : BigInt(l.total)));
  const eligibleSum = eligibleTotals.reduce((a, b) => a + b, 0n);
  const paidBig = BigInt(paid) > eligibleSum ? eligibleSum : BigInt(paid);
  const paidShares = eligibleSum === 0n ? eligibleTotals.map(() => 0n) : allocateBig(paidBig, eligibleTotals);
  const tier = input.tierId ? (program.tiers ?? []).find((t) => t.id === input.tierId) : undefined;
  const tierBp = BigInt(tier?.multiplierBp ?? BP_SCALE);
  const bp = BigInt(BP_SCALE);
  const numerators: bigint[] = [];
  const lineBases: bigint[] = [];
  input.lines.forEach((line, i) => {
    const total = eligibleTotals[i] ?? 0n;
    const share = paidShares[i] ?? 0n;
    let base = bases[i] ?? 0n;
    // scale the base by the unpaid fraction: base × (total − share) / total, rounded down
    if (total > 0n && share > 0n) base = (base * (total - share)) / total;
    lineBases.push(base);
    const catBp = BigInt(
      line.categoryId &&
        program.categoryMultipliersBp &&
        Object.hasOwn(program.categoryMultipliersBp, line.categoryId)
        ? (program.categoryMultipliersBp[line.categoryId] ?? BP_SCALE)
        : BP_SCALE,
    );
    numerators.push(base * BigInt(program.earnPoints) * catBp * tierBp);
  });
  const denominator = BigInt(program.earnPerMinor) * bp * bp;
  const exact = numerators.reduce((a, b) => a + b, 0n);
  const points = exact / denominator;
  const perLine = allocateBig(points, numerators);
  const total = Number(points) + bonus;
  if (!Number.isSafeInteger(total)) return fail('invalid_amount', 'points out of range');
  return ok({
    points: total,
    base: Number(lineBases.reduce((a, b) => a + b, 0n)),
    lines: input.lines.map((line, i) => ({
      lineId: line.lineId,
      base: Number(lineBases[i] ?? 0n),
      points: Number(perLine[i] ?? 0n),
    })),
    bonusPoints: bonus,
  });
}
