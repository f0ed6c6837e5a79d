import { BP_SCALE } from '../discount';
import { toMilli } from '../quantity';
import type { RoundingMode } from '../rounding';
import { allocateBig, divRound } from '../rounding';
import type {
  AppliedPromotion,
  LineSelector,
  Promotion,
  PromotionAction,
  PromotionCondition,
  PromotionContext,
  PromotionLine,
  PromotionOutcome,
} from './types';
import { promotionProblem } from './validate';
import { couponCodeForms } from './context';

/** Lines with more units than this are priced as one piece (no unit-based promotions on them). */
const MAX_UNITS_PER_LINE = 10_000;
const BP = BigInt(BP_SCALE);

interface WorkLine {
  input: PromotionLine;
  /** Value left of each unit; one pseudo-unit for weighed or huge lines. */
  units: bigint[];
  /** Units already taken by a unit-based promotion (a unit joins one bundle / deal only). */
  used: boolean[];
  countable: boolean;
}

interface UnitRef {
  line: number;
  unit: number;
  value: bigint;
}

const sum = (values: readonly bigint[]): bigint => values.reduce((a, b) => a + b, 0n);
const has = (list: readonly string[] | undefined, value: string | null | undefined): boolean =>
  !list || list.length === 0 || (value !== null && value !== undefined && list.includes(value));

export function selectorMatches(selector: LineSelector | undefined, line: PromotionLine): boolean {
  if (!selector) return true;
  return (
    has(selector.variantIds, line.variantId) &&
    has(selector.productIds, line.productId) &&
    has(selector.categoryIds, line.categoryId)
  );
}

function buildLines(lines: readonly PromotionLine[]): WorkLine[] {
  return lines.map((input) => {
    const milli = toMilli(input.quantity) ?? 0;
    const whole = milli % 1000 === 0 ? milli / 1000 : 0;
    const countable = input.unit === 'each' && whole >= 1 && whole <= MAX_UNITS_PER_LINE;
    const amount = BigInt(Math.max(0, input.amount));
    const units = countable
      ? allocateBig(
          amount,
          Array.from({ length: whole }, () => 1n),
        )
      : [amount];
    return { input, units, used: units.map(() => false), countable };
  });
}

const cloneLines = (lines: readonly WorkLine[]): WorkLine[] =>
  lines.map((l) => ({ ...l, units: [...l.units], used: [...l.used] }));

// ---------------------------------------------------------------- conditions

function quantityMilli(lines: readonly PromotionLine[], selector?: LineSelector): number {
  return lines
    .filter((l) => selectorMatches(selector, l))
    .reduce((s, l) => s + (toMilli(l.quantity) ?? 0), 0);
}

function conditionHolds(
  condition: PromotionCondition,
  promotion: Promotion,
  lines: readonly PromotionLine[],
  ctx: PromotionContext,
): boolean {
  switch (condition.kind) {
    case 'items':
      return quantityMilli(lines, condition.selector) >= (toMilli(condition.minQuantity ?? 1) ?? 0);
    case 'categories':
      return (
        quantityMilli(lines, { categoryIds: condition.categoryIds }) >=
        (toMilli(condition.minQuantity ?? 1) ?? 0)
      );
    case 'quantity':
      return quantityMilli(lines, condition.selector) >= (toMilli(condition.minQuantity) ?? 0);
    case 'spend':
      return (
        lines.filter((l) => selectorMatches(condition.selector, l)).reduce((s, l) => s + l.amount, 0) >=
        condition.minAmount
      );
    case 'member_tier': {
      const tier = ctx.customer?.tierId;
      return !!tier && condition.tierIds.includes(tier);
    }
    case 'segment': {
      const segments = ctx.customer?.segmentIds ?? [];
      return condition.segmentIds.some((s) => segments.includes(s));
    }
    case 'store':
      return condition.storeIds.includes(ctx.storeId);
    case 'time': {
      const { date, weekday, minute } = ctx.local;
      if (condition.days && condition.days.length > 0 && !condition.days.includes(weekday)) return false;
      if (condition.fromDate && date < condition.fromDate) return false;
      if (condition.toDate && date > condition.toDate) return false;
      const from = condition.fromMinute ?? 0;
      const to = condition.toMinute ?? 1440;
      if (from === to) return true;
      return from < to ? minute >= from && minute < to : minute >= from || minute < to;
    }
    case 'coupon': {
      if ((ctx.couponPromotionIds ?? []).includes(promotion.id)) return true;
      // codes compare in canonical form: "save-10" on the promotion matches a validated "SAVE10"
      const given = new Set((ctx.couponCodes ?? []).flatMap(couponCodeForms));
      return !!condition.codes && condition.codes.flatMap(couponCodeForms).some((c) => given.has(c));
    }
  }
}

/** Whether every condition of the promotion holds for this cart (amounts before any promotion). */
export function promotionEligible(
  promotion: Promotion,
  lines: readonly PromotionLine[],
  ctx: PromotionContext,
): boolean {
  return promotion.conditions.every((c) => conditionHolds(c, promotion, lines, ctx));
}

// ---------------------------------------------------------------- actions

interface Applied {
  perLine: bigint[];
  bonusPoints: number;
  missing?: number;
}

const remainingOf = (line: WorkLine): bigint => sum(line.units);

/** Takes `amount` (≤ what is left) off a line, spread over its units by what each has left. */
function takeFromLine(line: WorkLine, amount: bigint): void {
  if (amount === 0n) return;
  const parts = allocateBig(amount, line.units);
  line.units = line.units.map((v, i) => v - (parts[i] ?? 0n));
}

/** Spreads `amount` (≤ the lines' total) over the lines by what each has left. */
function takeFromSet(lines: WorkLine[], indexes: number[], amount: bigint, perLine: bigint[]): void {
  const weights = indexes.map((i) => remainingOf(lines[i] as WorkLine));
  allocateBig(amount, weights).forEach((part, k) => {
    const i = indexes[k] as number;
    takeFromLine(lines[i] as WorkLine, part);
    perLine[i] = (perLine[i] ?? 0n) + part;
  });
}

function takeFromUnits(lines: WorkLine[], units: UnitRef[], amount: bigint, perLine: bigint[]): void {
  allocateBig(
    amount,
    units.map((u) => u.value),
  ).forEach((part, k) => {
    const ref = units[k] as UnitRef;
    const line = lines[ref.line] as WorkLine;
    line.units[ref.unit] = (line.units[ref.unit] ?? 0n) - part;
    perLine[ref.line] = (perLine[ref.line] ?? 0n) + part;
  });
}

/** Free units matching the selector, most valuable first (ties: cart order). */
function unitPool(lines: readonly WorkLine[], selector: LineSelector): UnitRef[] {
  const pool: UnitRef[] = [];
  lines.forEach((line, li) => {
    if (!line.countable || !selectorMatches(selector, line.input)) return;
    line.units.forEach((value, ui) => {
      if (!line.used[ui] && value > 0n) pool.push({ line: li, unit: ui, value });
    });
  });
  return pool.sort((a, b) =>
    a.value === b.value ? a.line - b.line || a.unit - b.unit : a.value > b.value ? -1 : 1,
  );
}

const unitKey = (u: UnitRef) => `${u.line}:${u.unit}`;

function markUsed(lines: WorkLine[], units: readonly UnitRef[]): void {
  for (const u of units) (lines[u.line] as WorkLine).used[u.unit] = true;
}

function percentOfUnits(
  lines: WorkLine[],
  units: UnitRef[],
  percentBp: number,
  mode: RoundingMode,
  perLine: bigint[],
) {
  for (const u of units) {
    const off = divRound(u.value * BigInt(percentBp), BP, mode);
    takeFromUnits(lines, [u], off > u.value ? u.value : off, perLine);
  }
}

function applyAction(
  action: PromotionAction,
  lines: WorkLine[],
  maxApplications: number,
  mode: RoundingMode,
): Applied {
  const perLine = lines.map(() => 0n);
  switch (action.kind) {
    case 'percent_off':
    case 'amount_off': {
      const selected = lines
        .map((l, i) => (action.target === 'order' || selectorMatches(action.selector, l.input) ? i : -1))
        .filter((i) => i >= 0);
      const off = (base: bigint): bigint => {
        const raw =
          action.kind === 'percent_off'
            ? divRound(base * BigInt(action.percentBp), BP, mode)
            : BigInt(action.amount);
        return raw > base ? base : raw;
      };
      if (action.target === 'line') {
        for (const i of selected) takeFromSet(lines, [i], off(remainingOf(lines[i] as WorkLine)), perLine);
      } else {
        const base = sum(selected.map((i) => remainingOf(lines[i] as WorkLine)));
        takeFromSet(lines, selected, off(base), perLine);
      }
      return { perLine, bonusPoints: 0 };
    }
    case 'bundle_price': {
      const price = BigInt(action.price);
      for (let n = 0; n < maxApplications; n += 1) {
        const picked: UnitRef[] = [];
        const taken = new Set<string>();
        for (const item of action.items) {
          const pool = unitPool(lines, item.selector).filter((u) => !taken.has(unitKey(u)));
          if (pool.length < item.quantity) return { perLine, bonusPoints: 0 };
          for (const u of pool.slice(0, item.quantity)) {
            picked.push(u);
            taken.add(unitKey(u));
          }
        }
        const value = sum(picked.map((u) => u.value));
        if (value <= price) break; // the bundle would cost more than the items
        takeFromUnits(lines, picked, value - price, perLine);
        markUsed(lines, picked);
      }
      return { perLine, bonusPoints: 0 };
    }
    case 'buy_x_get_y': {
      for (let n = 0; n < maxApplications; n += 1) {
        const buy = unitPool(lines, action.buy.selector).slice(0, action.buy.quantity);
        if (buy.length < action.buy.quantity) break;
        const bought = new Set(buy.map(unitKey));
        // the cheapest eligible units are the ones given away
        const get = unitPool(lines, action.get.selector)
          .filter((u) => !bought.has(unitKey(u)))
          .reverse()
          .slice(0, action.get.quantity);
        if (get.length < action.get.quantity) break;
        percentOfUnits(lines, get, action.percentBp, mode, perLine);
        markUsed(lines, [...buy, ...get]);
      }
      return { perLine, bonusPoints: 0 };
    }
    case 'nth_item': {
      const pool = unitPool(lines, action.selector);
      for (let n = 0; n < maxApplications; n += 1) {
        const group = pool.slice(n * action.n, (n + 1) * action.n);
        if (group.length < action.n) break;
        // the last of each group is the cheapest (pool is most valuable first)
        percentOfUnits(lines, group.slice(-1), action.percentBp, mode, perLine);
        markUsed(lines, group);
      }
      return { perLine, bonusPoints: 0 };
    }
    case 'free_item': {
      const wanted = action.quantity * (Number.isFinite(maxApplications) ? maxApplications : 1);
      const free = unitPool(lines, { variantIds: [action.variantId] }).slice(0, wanted);
      percentOfUnits(lines, free, BP_SCALE, mode, perLine);
      markUsed(lines, free);
      return { perLine, bonusPoints: 0, missing: wanted - free.length };
    }
    case 'bonus_points':
      return { perLine, bonusPoints: action.points };
  }
}

// ---------------------------------------------------------------- selection

interface Run {
  outcome: PromotionOutcome;
  total: bigint;
}

function byPriority(a: Promotion, b: Promotion): number {
  return b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function run(base: readonly WorkLine[], set: readonly Promotion[], mode: RoundingMode): Run {
  const lines = cloneLines(base);
  const applied: AppliedPromotion[] = [];
  const missing: PromotionOutcome['freeItemsMissing'] = [];
  const lineTotals = lines.map(() => 0n);
  let bonus = 0;
  for (const promotion of [...set].sort(byPriority)) {
    const result = applyAction(promotion.action, lines, promotion.maxApplications ?? Infinity, mode);
    const amount = sum(result.perLine);
    if (result.missing && result.missing > 0 && promotion.action.kind === 'free_item') {
      missing.push({
        promotionId: promotion.id,
        variantId: promotion.action.variantId,
        quantity: result.missing,
      });
    }
    if (amount === 0n && result.bonusPoints === 0) continue;
    result.perLine.forEach((part, i) => (lineTotals[i] = (lineTotals[i] ?? 0n) + part));
    bonus += result.bonusPoints;
    applied.push({
      id: promotion.id,
      name: promotion.name,
      nameZh: promotion.nameZh ?? null,
      amount: Number(amount),
      lines: result.perLine
        .map((part, i) => ({ lineId: (lines[i] as WorkLine).input.lineId, amount: Number(part) }))
        .filter((share) => share.amount > 0),
      bonusPoints: result.bonusPoints,
    });
  }
  const total = sum(lineTotals);
  const lineDiscounts: Record<string, number> = {};
  lines.forEach((l, i) => {
    lineDiscounts[l.input.lineId] = (lineDiscounts[l.input.lineId] ?? 0) + Number(lineTotals[i] ?? 0n);
  });
  return {
    total,
    outcome: {
      applied,
      lineDiscounts,
      lineAmounts: lineTotals.map((t) => Number(t)),
      discountTotal: Number(total),
      bonusPoints: bonus,
      freeItemsMissing: missing,
    },
  };
}

const better = (a: Run, b: Run): boolean =>
  a.total > b.total || (a.total === b.total && a.outcome.bonusPoints > b.outcome.bonusPoints);

/**
 * Applies the promotions to a cart. Eligible promotions (every condition true on the amounts
 * before promotions) apply in priority order, each on what the earlier ones left, so no line
 * ever goes below zero. Each exclusive promotion alone is compared with the combined stack; in a
 * conflict group, and under a per-order limit, promotions are ranked by what each is worth to the
 * customer on its own; the most discount wins (then the most bonus points, then priority). Every amount is split to lines (and units)
 * by largest remainder. Pure and deterministic: the register and the server call the same code.
 */
export function evaluatePromotions(
  lines: readonly PromotionLine[],
  promotions: readonly Promotion[],
  ctx: PromotionContext,
  mode: RoundingMode = 'half_up',
): PromotionOutcome {
  const base = buildLines(lines);
  const limit = ctx.maxPromotionsPerOrder ?? Infinity;
  const eligible = promotions
    .filter((p) => promotionProblem(p) === undefined && promotionEligible(p, lines, ctx))
    .sort(byPriority);
  if (limit <= 0 || eligible.length === 0) return run(base, [], mode).outcome;

  // the stack: non-exclusive promotions, one per conflict group (greedy, best for the customer)
  const stackable = eligible.filter((p) => !p.exclusive);
  const groups = new Map<string, Promotion[]>();
  for (const p of stackable) {
    if (!p.group) continue;
    const members = groups.get(p.group);
    if (members) members.push(p);
    else groups.set(p.group, [p]);
  }
  // each promotion's value alone, computed once: it picks the best of a conflict group and the
  // most valuable ones when the order has a limit
  const aloneRuns = new Map<Promotion, Run>();
  const alone = (p: Promotion): Run => {
    let r = aloneRuns.get(p);
    if (!r) aloneRuns.set(p, (r = run(base, [p], mode)));
    return r;
  };
  const rank = (a: Promotion, b: Promotion): number =>
    better(alone(a), alone(b)) ? -1 : better(alone(b), alone(a)) ? 1 : byPriority(a, b);
  const winners = new Set([...groups.values()].map((members) => [...members].sort(rank)[0]));
  let stack = stackable.filter((p) => !p.group || winners.has(p));
  if (stack.length > limit) {
    stack = [...stack].sort(rank).slice(0, limit);
  }
  let best = run(base, stack, mode);
  for (const exclusive of eligible.filter((p) => p.exclusive)) {
    const r = alone(exclusive);
    if (better(r, best)) best = r;
  }
  return best.outcome;
}
