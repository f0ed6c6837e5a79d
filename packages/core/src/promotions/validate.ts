import { BP_SCALE } from '../discount';
import { toMilli } from '../quantity';
import type { LineSelector, Promotion, PromotionAction, PromotionCondition } from './types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const safeNat = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const positive = (n: unknown): n is number => safeNat(n) && n > 0;
const percent = (n: unknown): boolean => safeNat(n) && n <= BP_SCALE;
const strings = (list: unknown): boolean =>
  list === undefined || (Array.isArray(list) && list.every((s) => typeof s === 'string' && s.length > 0));
const quantity = (n: unknown): boolean =>
  typeof n === 'number' && n > 0 && toMilli(n) !== undefined && (toMilli(n) ?? 0) > 0;

const nonEmpty = (list: unknown): boolean => Array.isArray(list) && list.length > 0 && strings(list);

function selectorProblem(selector: LineSelector | undefined, required = false): string | undefined {
  if (selector === undefined) return required ? 'a selector is required' : undefined;
  if (typeof selector !== 'object' || selector === null) return 'a selector is an object';
  return strings(selector.variantIds) && strings(selector.productIds) && strings(selector.categoryIds)
    ? undefined
    : 'selectors list non-empty ids';
}

function conditionProblem(c: PromotionCondition): string | undefined {
  switch (c.kind) {
    case 'items':
      if (c.minQuantity !== undefined && !quantity(c.minQuantity)) return 'minQuantity must be positive';
      return selectorProblem(c.selector, true);
    case 'categories':
      if (c.minQuantity !== undefined && !quantity(c.minQuantity)) return 'minQuantity must be positive';
      return nonEmpty(c.categoryIds) ? undefined : 'categoryIds must not be empty';
    case 'quantity':
      return quantity(c.minQuantity) ? selectorProblem(c.selector) : 'minQuantity must be positive';
    case 'spend':
      return safeNat(c.minAmount) ? selectorProblem(c.selector) : 'minAmount must be a non-negative integer';
    case 'member_tier':
      return nonEmpty(c.tierIds) ? undefined : 'tierIds must not be empty';
    case 'segment':
      return nonEmpty(c.segmentIds) ? undefined : 'segmentIds must not be empty';
    case 'store':
      return nonEmpty(c.storeIds) ? undefined : 'storeIds must not be empty';
    case 'time':
      if (
        c.days !== undefined &&
        !(Array.isArray(c.days) && c.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))
      ) {
        return 'days are 1 (Monday) to 7';
      }
      for (const m of [c.fromMinute, c.toMinute]) {
        if (m !== undefined && !(safeNat(m) && m <= 1440)) return 'minutes are 0..1440';
      }
      for (const d of [c.fromDate, c.toDate])
        if (d !== undefined && !DATE.test(d)) return 'dates are YYYY-MM-DD';
      if (c.fromDate && c.toDate && c.fromDate > c.toDate) return 'fromDate is after toDate';
      return undefined;
    case 'coupon':
      return strings(c.codes) ? undefined : 'coupon codes must be non-empty strings';
    default:
      return 'unknown condition kind';
  }
}

function actionProblem(a: PromotionAction): string | undefined {
  switch (a.kind) {
    case 'percent_off':
    case 'amount_off':
      if (!['line', 'lines', 'order'].includes(a.target)) return 'target is line, lines or order';
      if (a.kind === 'percent_off' && !percent(a.percentBp)) return 'percentBp must be 0..10000';
      if (a.kind === 'amount_off' && !safeNat(a.amount)) return 'amount must be a non-negative integer';
      return selectorProblem(a.selector);
    case 'bundle_price':
      if (!Array.isArray(a.items) || a.items.length === 0) return 'a bundle needs items';
      if (!a.items.every((i) => positive(i?.quantity) && !selectorProblem(i.selector, true))) {
        return 'bundle items need a selector and a positive whole quantity';
      }
      return safeNat(a.price) ? undefined : 'price must be a non-negative integer';
    case 'buy_x_get_y':
      if (!positive(a.buy.quantity) || !positive(a.get.quantity))
        return 'buy and get quantities must be positive';
      if (selectorProblem(a.buy.selector) || selectorProblem(a.get.selector)) return 'invalid selector';
      return percent(a.percentBp) ? undefined : 'percentBp must be 0..10000';
    case 'nth_item':
      if (!safeNat(a.n) || a.n < 2) return 'n must be at least 2';
      return percent(a.percentBp) ? selectorProblem(a.selector, true) : 'percentBp must be 0..10000';
    case 'free_item':
      return typeof a.variantId === 'string' && a.variantId.length > 0 && positive(a.quantity)
        ? undefined
        : 'a free item needs a variant and a positive quantity';
    case 'bonus_points':
      return positive(a.points) ? undefined : 'points must be positive';
    default:
      return 'unknown action kind';
  }
}

/** Why a promotion is malformed, or undefined when it is well-formed. The engine skips malformed ones. */
export function promotionProblem(p: Promotion): string | undefined {
  if (typeof p.id !== 'string' || p.id.length === 0) return 'a promotion needs an id';
  if (typeof p.name !== 'string' || p.name.length === 0) return 'a promotion needs a name';
  if (!Number.isSafeInteger(p.priority)) return 'priority must be an integer';
  if (typeof p.exclusive !== 'boolean') return 'exclusive must be true or false';
  if (!Array.isArray(p.conditions)) return 'conditions must be a list';
  if (typeof p.action !== 'object' || p.action === null) return 'a promotion needs an action';
  if (p.maxApplications !== undefined && p.maxApplications !== null && !positive(p.maxApplications)) {
    return 'maxApplications must be positive';
  }
  for (const c of p.conditions) {
    const problem = conditionProblem(c);
    if (problem) return `${c.kind}: ${problem}`;
  }
  const problem = actionProblem(p.action);
  return problem ? `${p.action.kind}: ${problem}` : undefined;
}
