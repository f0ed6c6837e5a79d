import type { CartInput, CartLineInput, PricedCart, PricingContext } from '../cart';
import { priceCart } from '../cart';
import { BP_SCALE } from '../discount';
import { evaluatePromotions, promotionEligible, selectorMatches } from './engine';
import type { LineSelector, Promotion, PromotionCondition, PromotionLine } from './types';
import { promotionProblem } from './validate';

/** An item the shopper could add: a counted item sold in the store, at its store price. */
export interface HintItem {
  variantId: string;
  productId?: string | null;
  categoryId?: string | null;
  name: string;
  /** Minor units per unit. */
  unitPrice: number;
  taxClassId: string;
}

/** What the cart lacks for the promotion: units, spend, the "get" item of a deal, a bundle part, the free item. */
export type HintReason = 'quantity' | 'spend' | 'get_item' | 'bundle_item' | 'free_item';

/** "Add 1 × Latte: Second latte half price saves 16.00". */
export interface PromotionHint {
  promotionId: string;
  name: string;
  nameZh: string | null;
  reason: HintReason;
  add: { variantId: string; quantity: number };
  /** What the promotion takes off once the item is added: the engine's own figure for that cart. */
  saving: number;
  /** Loyalty points the promotion adds once the item is added. */
  bonusPoints: number;
  /** How much the cart total rises with the addition (after every promotion, discount and tax). */
  extraToPay: number;
}

export interface HintOptions {
  /** At most this many units of one item are suggested ("one or a few short"); default 3. */
  maxUnits?: number;
  /** A spend threshold is hinted only when the cart is within this share of it (basis points); default 2500. */
  maxShortfallBp?: number;
  /** At most this many hints, the biggest savings first; default 3. */
  limit?: number;
}

/** Conditions that items added to the cart can change; the others (member, store, time, coupon) must hold already. */
const ITEM_CONDITIONS: ReadonlySet<PromotionCondition['kind']> = new Set([
  'items',
  'categories',
  'quantity',
  'spend',
]);

/**
 * Candidates priced in full per hint asked for (at least MIN_CONFIRMATIONS), before giving up: a
 * promotion may lose to others in its conflict group or to an exclusive one.
 */
const CONFIRMATIONS_PER_HINT = 4;
const MIN_CONFIRMATIONS = 16;

/** The cart's plain line of the variant (counted, no manual discount, no label price), or -1. */
function mergeIndex(lines: readonly CartLineInput[], variantId: string): number {
  return lines.findIndex(
    (l) => l.variantId === variantId && l.unit === 'each' && !l.discount && l.priceOverride === undefined,
  );
}

/** The line id a hinted item gets when it does not join a line already in the cart. */
export const HINT_LINE_ID = 'hint';

/**
 * The cart with `quantity` more of the item, added the way the register adds a tapped item: onto
 * the cart's plain line of that variant (counted, no manual discount, no label price) when there
 * is one, otherwise as a new line.
 */
export function withHintItem(
  lines: readonly CartLineInput[],
  item: HintItem,
  quantity: number,
): CartLineInput[] {
  const same = lines.findIndex(
    (l) =>
      l.variantId === item.variantId && l.unit === 'each' && !l.discount && l.priceOverride === undefined,
  );
  if (same >= 0) {
    return lines.map((l, i) => (i === same ? { ...l, quantity: l.quantity + quantity } : l));
  }
  return [
    ...lines,
    {
      lineId: HINT_LINE_ID,
      variantId: item.variantId,
      name: item.name,
      unit: 'each',
      unitPrice: item.unitPrice,
      quantity,
      taxClassId: item.taxClassId,
      productId: item.productId ?? null,
      categoryId: item.categoryId ?? null,
    },
  ];
}

/**
 * The engine's lines (`lines`, one per cart line first) with `quantity` more of the item, as
 * `withHintItem` adds it: onto the cart's plain line of the variant (which has no discount, so its
 * amount grows by the unit price), or as a new line.
 */
function addUnits(
  lines: readonly PromotionLine[],
  cart: readonly CartLineInput[],
  item: HintItem,
  quantity: number,
  lineId: string,
): PromotionLine[] {
  const same = mergeIndex(cart, item.variantId);
  const line = cart[same];
  if (line) {
    return lines.map((l, i) =>
      i === same
        ? { ...l, quantity: l.quantity + quantity, amount: l.amount + line.unitPrice * quantity }
        : l,
    );
  }
  return [...lines, { ...asPromotionLine(item), lineId, quantity, amount: item.unitPrice * quantity }];
}

/** Every selector a promotion looks at; `undefined` in the list means "any line". */
export function promotionSelectors(p: Promotion): (LineSelector | undefined)[] {
  const out: (LineSelector | undefined)[] = [];
  for (const c of p.conditions) {
    if (c.kind === 'items') out.push(c.selector);
    else if (c.kind === 'categories') out.push({ categoryIds: c.categoryIds });
    else if (c.kind === 'quantity' || c.kind === 'spend') out.push(c.selector);
  }
  const a = p.action;
  switch (a.kind) {
    case 'percent_off':
    case 'amount_off':
      out.push(a.target === 'order' ? undefined : a.selector);
      break;
    case 'bundle_price':
      for (const item of a.items) out.push(item.selector);
      break;
    case 'buy_x_get_y':
      out.push(a.buy.selector, a.get.selector);
      break;
    case 'nth_item':
      out.push(a.selector);
      break;
    case 'free_item':
      out.push({ variantIds: [a.variantId] });
      break;
    case 'bonus_points':
      break;
  }
  return out;
}

/** Whether one unit of the item would be picked by the selector (`undefined`: any item). */
export function hintItemMatches(selector: LineSelector | undefined, item: HintItem): boolean {
  return selectorMatches(selector, asPromotionLine(item));
}

function asPromotionLine(item: HintItem): PromotionLine {
  return {
    lineId: HINT_LINE_ID,
    variantId: item.variantId,
    productId: item.productId ?? null,
    categoryId: item.categoryId ?? null,
    unit: 'each',
    quantity: 1,
    amount: item.unitPrice,
  };
}

/** Promotion lines of a priced cart: what is left of each line before promotions, as the engine sees it. */
function promotionLines(priced: PricedCart, input: readonly CartLineInput[]): PromotionLine[] {
  return priced.lines.map((l, i) => ({
    lineId: l.lineId,
    variantId: l.variantId,
    productId: input[i]?.productId ?? null,
    categoryId: input[i]?.categoryId ?? null,
    unit: l.unit,
    quantity: l.quantity,
    amount: l.gross - l.lineDiscount,
  }));
}

/** Why the cart does not get the promotion now (conditions first, then what the action needs). */
function reasonFor(p: Promotion, lines: readonly PromotionLine[], input: CartInput): HintReason {
  const ctx = input.promotions?.context;
  const failing = ctx
    ? p.conditions.filter((c) => !promotionEligible({ ...p, conditions: [c] }, lines, ctx))
    : [];
  if (failing.some((c) => c.kind === 'spend')) return 'spend';
  if (failing.length > 0) return 'quantity';
  switch (p.action.kind) {
    case 'buy_x_get_y':
      return 'get_item';
    case 'bundle_price':
      return 'bundle_item';
    case 'free_item':
      return 'free_item';
    default:
      return 'quantity';
  }
}

/** False when a spend condition is further off than the allowed shortfall ("a little short"). */
function spendWithinReach(p: Promotion, lines: readonly PromotionLine[], maxShortfallBp: number): boolean {
  return p.conditions.every((c) => {
    if (c.kind !== 'spend') return true;
    const have = lines.filter((l) => selectorMatches(c.selector, l)).reduce((s, l) => s + l.amount, 0);
    const short = c.minAmount - have;
    return short <= 0 || short * BP_SCALE <= c.minAmount * maxShortfallBp;
  });
}

const byHint = (a: PromotionHint, b: PromotionHint): number =>
  b.saving - a.saving ||
  b.bonusPoints - a.bonusPoints ||
  a.extraToPay - b.extraToPay ||
  (a.promotionId < b.promotionId ? -1 : a.promotionId > b.promotionId ? 1 : 0);

/**
 * Promotions the cart nearly qualifies for, and what to add to get each: a few more units, a
 * little more spend, the "get" item of a buy-X-get-Y, the missing part of a bundle, the free item.
 * Items a promotion names (by variant, product or category) are tried; where it takes any item,
 * the items already in the cart. For each promotion the fewest units win, then an item already in
 * the cart ("one more latte"), then what the promotion alone would save, then the cheaper
 * addition, then the variant id. The promotions promising most are then priced through
 * `priceCart` with the addition and every active promotion, and a hint is kept only if its
 * promotion really applies there: `saving` and `extraToPay` are that pricing's figures, exactly
 * what the sale then gets. A promotion the cart already gets is never hinted, nor one whose other
 * conditions (member tier, segment, store, time, coupon) do not hold. Hints come biggest saving
 * first, at most `limit`. Pure and deterministic, so the register gives the same hints offline.
 */
export function promotionHints(
  input: CartInput,
  pricing: PricingContext,
  candidates: readonly HintItem[],
  options: HintOptions = {},
): PromotionHint[] {
  const maxUnits = options.maxUnits ?? 3;
  const maxShortfallBp = options.maxShortfallBp ?? 2500;
  const limit = options.limit ?? 3;
  const promos = input.promotions;
  if (!promos || input.lines.length === 0 || limit <= 0) return [];
  const now = priceCart(input, pricing);
  if (!now.ok) return [];
  const mode = pricing.roundingMode ?? 'half_up';
  const lines = promotionLines(now.value, input.lines);
  const applied = new Set(now.value.promotions.map((p) => p.id));
  const inCart = new Set(input.lines.map((l) => l.variantId));
  const items = [...new Map(candidates.map((c) => [c.variantId, c])).values()]
    .filter((c) => Number.isSafeInteger(c.unitPrice) && c.unitPrice >= 0)
    .sort((a, b) => (a.variantId < b.variantId ? -1 : a.variantId > b.variantId ? 1 : 0));

  /** The engine's lines with the addition, as `withHintItem` adds it. */
  const linesWith = (item: HintItem, quantity: number): PromotionLine[] =>
    addUnits(lines, input.lines, item, quantity, HINT_LINE_ID);

  // 1. for each promotion the cart does not get, the best addition by what the promotion alone
  //    would give (the engine without tax: cheap)
  const nearly: { p: Promotion; item: HintItem; quantity: number; saving: number; bonusPoints: number }[] =
    [];
  for (const p of promos.promotions) {
    if (applied.has(p.id) || promotionProblem(p) !== undefined) continue;
    const fixed = p.conditions.filter((c) => !ITEM_CONDITIONS.has(c.kind));
    if (!promotionEligible({ ...p, conditions: fixed }, lines, promos.context)) continue;
    if (!spendWithinReach(p, lines, maxShortfallBp)) continue;
    const selectors = promotionSelectors(p);
    const relevant = items.filter((item) =>
      selectors.some((s) => (s === undefined ? inCart.has(item.variantId) : hintItemMatches(s, item))),
    );
    // every relevant item at the most units at once: if even that does not bring the promotion,
    // no single addition will (conditions and deals only grow with more items)
    if (relevant.length === 0) continue;
    const everything = relevant.reduce(
      (acc, item, i) => addUnits(acc, input.lines, item, maxUnits, `${HINT_LINE_ID}-${i}`),
      lines,
    );
    if (!evaluatePromotions(everything, [p], promos.context, mode).applied.some((a) => a.id === p.id)) {
      continue;
    }
    for (let quantity = 1; quantity <= maxUnits; quantity += 1) {
      const best = relevant
        .flatMap((item) => {
          const alone = evaluatePromotions(linesWith(item, quantity), [p], promos.context, mode);
          const mine = alone.applied.find((a) => a.id === p.id);
          return mine ? [{ p, item, quantity, saving: mine.amount, bonusPoints: mine.bonusPoints }] : [];
        })
        .sort(
          (a, b) =>
            Number(inCart.has(b.item.variantId)) - Number(inCart.has(a.item.variantId)) ||
            b.saving - a.saving ||
            b.bonusPoints - a.bonusPoints ||
            a.item.unitPrice - b.item.unitPrice ||
            (a.item.variantId < b.item.variantId ? -1 : 1),
        )[0];
      if (best) {
        nearly.push(best);
        break;
      }
    }
  }

  // 2. the most promising first, each priced in full with every promotion: a hint holds only if
  //    the engine really gives the promotion there, and its figures are that pricing's
  nearly.sort(
    (a, b) =>
      b.saving - a.saving ||
      b.bonusPoints - a.bonusPoints ||
      (a.p.id < b.p.id ? -1 : a.p.id > b.p.id ? 1 : 0),
  );
  const hints: PromotionHint[] = [];
  // an exclusive promotion must beat everything the cart gets already (adding items rarely lowers that)
  const stack = now.value.promotions.reduce((sum, a) => sum + a.amount, 0);
  let budget = Math.max(MIN_CONFIRMATIONS, limit * CONFIRMATIONS_PER_HINT);
  for (const { p, item, quantity, saving } of nearly) {
    if (hints.length >= limit || budget === 0) break;
    if (p.exclusive && saving <= stack) continue;
    budget -= 1;
    const full = priceCart({ ...input, lines: withHintItem(input.lines, item, quantity) }, pricing);
    const mine = full.ok ? full.value.promotions.find((a) => a.id === p.id) : undefined;
    if (!full.ok || !mine) continue;
    hints.push({
      promotionId: p.id,
      name: p.name,
      nameZh: p.nameZh ?? null,
      reason: reasonFor(p, lines, input),
      add: { variantId: item.variantId, quantity },
      saving: mine.amount,
      bonusPoints: mine.bonusPoints,
      extraToPay: full.value.total - now.value.total,
    });
  }
  return hints.sort(byHint);
}
