import { fail, ok } from '../result';
import type { LoyaltyProgram, LoyaltyResult } from './earn';
import { loyaltyProgramProblem } from './earn';

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const nonNegInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The smallest money step that converts to a whole number of points: with 100 points = 1 CNY
 * (1 point = 1 fen) it is 1 fen, so any amount can be paid with points; with 1 point = 5 fen it is 5.
 */
export function redemptionStepMinor(program: LoyaltyProgram): number {
  const ppu = BigInt(program.pointsPerUnit);
  const mpu = BigInt(program.minorPerUnit);
  return Number(mpu / gcd(ppu, mpu));
}

/** Money worth `points`, rounded down to what can be paid exactly. */
export function pointsValueMinor(program: LoyaltyProgram, points: number): number {
  const raw = (BigInt(points) * BigInt(program.minorPerUnit)) / BigInt(program.pointsPerUnit);
  const step = BigInt(redemptionStepMinor(program));
  return Number((raw / step) * step);
}

/** Points that pay exactly `amount`, or undefined when `amount` is not a whole number of points. */
export function pointsForMinor(program: LoyaltyProgram, amount: number): number | undefined {
  const numerator = BigInt(amount) * BigInt(program.pointsPerUnit);
  const mpu = BigInt(program.minorPerUnit);
  return numerator % mpu === 0n ? Number(numerator / mpu) : undefined;
}

export interface Redemption {
  points: number;
  amount: number;
}

/**
 * Pays `amount` minor units with points: any amount up to the balance and the amount due is
 * allowed (no all-or-nothing, no fixed blocks), as long as it is a whole number of points.
 */
export function redeemForAmount(
  program: LoyaltyProgram,
  request: { amount: number; availablePoints: number; amountDue: number },
): LoyaltyResult<Redemption> {
  const problem = loyaltyProgramProblem(program);
  if (problem) return fail('invalid_program', problem);
  const { amount, availablePoints, amountDue } = request;
  if (!nonNegInt(amount) || amount === 0 || !nonNegInt(availablePoints) || !nonNegInt(amountDue)) {
    return fail('invalid_amount', 'the amount must be a positive integer of minor units');
  }
  if (amount > amountDue) {
    return fail('exceeds_amount_due', 'points cannot pay more than is due', { amount, amountDue });
  }
  const points = pointsForMinor(program, amount);
  if (points === undefined) {
    return fail('inexact_amount', `points pay in steps of ${redemptionStepMinor(program)} minor units`, {
      amount,
      step: redemptionStepMinor(program),
    });
  }
  if (points > availablePoints) {
    return fail('insufficient_points', 'the customer does not have enough points', {
      points,
      availablePoints,
    });
  }
  return ok({ points, amount });
}

/** The most points can pay now: min(value of the balance, amount due), on the exact step. */
export function maxRedeemable(
  program: LoyaltyProgram,
  availablePoints: number,
  amountDue: number,
): Redemption {
  const step = redemptionStepMinor(program);
  const cap = Math.min(pointsValueMinor(program, Math.max(0, availablePoints)), Math.max(0, amountDue));
  const amount = cap - (cap % step);
  return { amount, points: pointsForMinor(program, amount) ?? 0 };
}

/** A reward bought with points (a free coffee for 500 points): the reward line then never earns. */
export function redeemReward(
  availablePoints: number,
  reward: { id: string; points: number },
): LoyaltyResult<{ rewardId: string; points: number }> {
  if (!nonNegInt(reward.points) || reward.points === 0) {
    return fail('invalid_amount', 'a reward costs a positive number of points');
  }
  if (reward.points > availablePoints) {
    return fail('insufficient_points', 'the customer does not have enough points', {
      points: reward.points,
      availablePoints,
    });
  }
  return ok({ rewardId: reward.id, points: reward.points });
}

/**
 * Offline, a register may let points be spent only within its allowance since the last sync, and
 * never beyond the balance it last saw for the customer.
 */
export function checkOfflineRedemption(request: {
  allowancePoints: number;
  /** Points this register already let customers redeem since its last sync. */
  usedOfflinePoints: number;
  /** The customer's available points as cached, minus what this register already took offline. */
  cachedAvailablePoints: number;
  points: number;
}): LoyaltyResult<{ remainingAllowance: number }> {
  const { allowancePoints, usedOfflinePoints, cachedAvailablePoints, points } = request;
  if (![allowancePoints, usedOfflinePoints, cachedAvailablePoints, points].every(nonNegInt) || points === 0) {
    return fail('invalid_amount', 'points must be positive integers');
  }
  if (points > cachedAvailablePoints) {
    return fail('insufficient_points', 'the customer does not have enough points', {
      points,
      availablePoints: cachedAvailablePoints,
    });
  }
  const remaining = allowancePoints - usedOfflinePoints;
  if (points > remaining) {
    return fail('offline_allowance_exceeded', 'this register may not redeem that many points offline', {
      points,
      remainingAllowance: Math.max(0, remaining),
    });
  }
  return ok({ remainingAllowance: remaining - points });
}
