import type { LoyaltyProgram } from './earn';

/**
 * A points ledger is append-only: positive entries open lots, negative entries consume them.
 * `lotId` on a negative entry names the lot it takes from (an expiry, or reversing an earn when
 * the sale is refunded); otherwise it takes from the lots that expire first.
 */
export type PointsEntryKind = 'earn' | 'redeem' | 'expire' | 'adjust' | 'reverse';

export interface PointsEntry {
  id: string;
  kind: PointsEntryKind;
  /** Signed: positive adds points, negative takes them. */
  points: number;
  /** ISO-8601 UTC instant. */
  at: string;
  /** Positive entries: when the lot's remaining points expire (null = never). */
  expiresAt?: string | null;
  /** Positive entries: before this instant the points are pending (not spendable). */
  availableAt?: string | null;
  /** Negative entries: the lot taken from first. */
  lotId?: string | null;
}

export interface PointsLot {
  id: string;
  points: number;
  remaining: number;
  at: string;
  expiresAt: string | null;
  availableAt: string | null;
}

export interface PointsBalance {
  /** Sum of every entry. */
  balance: number;
  /** Spendable now: in lots that are available and not expired, less any deficit. */
  available: number;
  /** In lots not yet available. */
  pending: number;
  /** In lots past expiry whose expiry entry is not written yet (not spendable). */
  expiring: number;
}

const DAY_MS = 86_400_000;

function addDays(at: string, days: number): string {
  return new Date(Date.parse(at) + days * DAY_MS).toISOString();
}

/** Expiry and availability of a lot earned at `at` under the programme. */
export function earnLotDates(
  program: LoyaltyProgram,
  at: string,
): { expiresAt: string | null; availableAt: string | null } {
  return {
    expiresAt: program.expiryDays ? addDays(at, program.expiryDays) : null,
    availableAt: program.pendingDays ? addDays(at, program.pendingDays) : null,
  };
}

const before = (a: string | null, b: string): boolean => a !== null && Date.parse(a) <= Date.parse(b);
const usable = (lot: PointsLot, at: string): boolean =>
  lot.remaining > 0 &&
  (lot.availableAt === null || before(lot.availableAt, at)) &&
  !before(lot.expiresAt, at);

/** Lots that expire first are used first; never-expiring lots last; then the oldest. */
function spendOrder(a: PointsLot, b: PointsLot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return Date.parse(a.expiresAt) - Date.parse(b.expiresAt);
  }
  return Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Replays the ledger in time order into lots with what remains of each. Points taken beyond what
 * the usable lots hold (a manual negative adjustment, or an earn reversed after it was spent) are
 * taken from any lot, then carried as `deficit`.
 */
export function replayPointsLedger(entries: readonly PointsEntry[]): { lots: PointsLot[]; deficit: number } {
  const ordered = [...entries].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const lots: PointsLot[] = [];
  const byId = new Map<string, PointsLot>();
  let deficit = 0;
  for (const entry of ordered) {
    if (entry.points > 0) {
      const lot: PointsLot = {
        id: entry.id,
        points: entry.points,
        remaining: entry.points,
        at: entry.at,
        expiresAt: entry.expiresAt ?? null,
        availableAt: entry.availableAt ?? null,
      };
      // a deficit is settled by the next points that arrive
      const settle = Math.min(deficit, lot.remaining);
      lot.remaining -= settle;
      deficit -= settle;
      lots.push(lot);
      byId.set(lot.id, lot);
      continue;
    }
    let need = -entry.points;
    const take = (lot: PointsLot) => {
      const part = Math.min(need, lot.remaining);
      lot.remaining -= part;
      need -= part;
    };
    const target = entry.lotId ? byId.get(entry.lotId) : undefined;
    if (target) take(target);
    for (const lot of lots.filter((l) => usable(l, entry.at)).sort(spendOrder)) {
      if (need === 0) break;
      take(lot);
    }
    for (const lot of lots.filter((l) => l.remaining > 0).sort(spendOrder)) {
      if (need === 0) break;
      take(lot);
    }
    deficit += need;
  }
  return { lots, deficit };
}

/** Balance, spendable, pending and expiring points at `now`. */
export function pointsBalance(entries: readonly PointsEntry[], now: string): PointsBalance {
  const { lots, deficit } = replayPointsLedger(entries);
  let available = 0;
  let pending = 0;
  let expiring = 0;
  for (const lot of lots) {
    if (lot.remaining === 0) continue;
    if (before(lot.expiresAt, now)) expiring += lot.remaining;
    else if (lot.availableAt !== null && !before(lot.availableAt, now)) pending += lot.remaining;
    else available += lot.remaining;
  }
  return {
    balance: entries.reduce((s, e) => s + e.points, 0),
    available: Math.max(0, available - deficit),
    pending,
    expiring,
  };
}

/**
 * The expiry entries due at `now`: one per lot past its expiry with points left, for the caller
 * to append as `{ kind: 'expire', points: -points, lotId }`. Running it again after those entries
 * are written returns nothing.
 */
export function dueExpiries(
  entries: readonly PointsEntry[],
  now: string,
): { lotId: string; points: number; expiresAt: string }[] {
  return replayPointsLedger(entries)
    .lots.filter((lot) => lot.remaining > 0 && before(lot.expiresAt, now))
    .map((lot) => ({ lotId: lot.id, points: lot.remaining, expiresAt: lot.expiresAt as string }));
}
