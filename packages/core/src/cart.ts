import type { TaxClass, TaxMode, TaxRounding, Unit } from './catalog';
import { unitAllowsFraction } from './catalog';
import type { AppliedDiscount } from './discount';
import { discountAmount, discountProblem } from './discount';
import { bigToSafe, isSafeMinor } from './money';
import { toMilli, QTY_SCALE } from './quantity';
import type { DomainError, Result } from './result';
import { fail, ok } from './result';
import type { RoundingMode } from './rounding';
import { allocateBig, divRound } from './rounding';
import { exclusiveTax, inclusiveTax, isValidRatePpm } from './tax';
import type { Promotion, PromotionContext } from './promotions/types';
import { evaluatePromotions } from './promotions/engine';

export interface CartLineInput {
  lineId: string;
  variantId: string;
  name: string;
  unit: Unit;
  /** Minor units per unit (per kg for weighed goods). */
  unitPrice: number;
  quantity: number;
  taxClassId: string;
  discount?: AppliedDiscount;
  /**
   * Embedded-price barcode: the line gross is exactly this amount and is not multiplied by
   * `quantity` (which must still be a valid quantity, normally 1, or the label's weight).
   */
  priceOverride?: number;
  /** For promotion conditions and targets. */
  productId?: string | null;
  categoryId?: string | null;
}

export interface PricingContext {
  currency: string;
  taxMode: TaxMode;
  taxRounding: TaxRounding;
  /** Default half_up. */
  roundingMode: RoundingMode;
  taxClasses: Record<string, TaxClass>;
}

export interface CartInput {
  lines: CartLineInput[];
  orderDiscounts?: AppliedDiscount[];
  /** Active promotions and the sale's context; applied after line discounts, before order discounts. */
  promotions?: { promotions: readonly Promotion[]; context: PromotionContext };
}

/** A promotion as the priced cart (and the receipt) names it. */
export interface CartPromotion {
  id: string;
  name: string;
  nameZh: string | null;
  amount: number;
  lines: { lineId: string; amount: number }[];
  bonusPoints: number;
}

export interface PricedLine {
  lineId: string;
  variantId: string;
  name: string;
  unit: Unit;
  quantity: number;
  unitPrice: number;
  /** round(unitPrice × quantity), or priceOverride. */
  gross: number;
  lineDiscount: number;
  /** Promotion discounts allocated to this line. */
  promotionDiscount: number;
  promotions: { id: string; amount: number }[];
  /** Share of the order discounts, largest remainder by post-line-discount amount. */
  orderDiscount: number;
  /** gross − discounts: tax-inclusive in inclusive mode, pre-tax in exclusive mode. */
  net: number;
  tax: number;
  /** What the customer pays for this line including tax; the line totals sum to the cart total. */
  total: number;
  taxClassId: string;
  ratePpm: number;
}

export interface TaxLine {
  taxClassId: string;
  ratePpm: number;
  /** Pre-tax base. */
  taxable: number;
  tax: number;
}

export interface PricedCart {
  currency: string;
  taxMode: TaxMode;
  lines: PricedLine[];
  /** Sum of line gross. */
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  taxes: TaxLine[];
  /** Every promotion applied, with its amount split over lines (line shares sum to the amount). */
  promotions: CartPromotion[];
  /** Loyalty points the promotions add. */
  promotionPoints: number;
  /** Free items a promotion grants that the cart does not hold yet. */
  freeItemsMissing: { promotionId: string; variantId: string; quantity: number }[];
}

export type PricingErrorCode =
  | 'invalid_quantity'
  | 'fractional_quantity'
  | 'amount_out_of_range'
  | 'invalid_discount'
  | 'discount_exceeds_amount'
  | 'unknown_tax_class'
  | 'empty_cart';

type PricingResult<T> = Result<T, DomainError<PricingErrorCode>>;

interface WorkLine {
  input: CartLineInput;
  ratePpm: number;
  gross: bigint;
  lineDiscount: bigint;
  promotionDiscount: bigint;
  orderDiscount: bigint;
  tax: bigint;
}

const sum = (values: readonly bigint[]): bigint => values.reduce((a, b) => a + b, 0n);
const netOf = (line: WorkLine): bigint =>
  line.gross - line.lineDiscount - line.promotionDiscount - line.orderDiscount;

function outOfRange(what: string, details: unknown) {
  return fail('amount_out_of_range' as const, `${what} is outside the safe integer range`, details);
}

function prepareLine(line: CartLineInput, ctx: PricingContext): PricingResult<WorkLine> {
  const qtyMilli = toMilli(line.quantity);
  if (qtyMilli === undefined || qtyMilli <= 0) {
    return fail('invalid_quantity', 'quantity must be positive with at most 3 decimals', {
      lineId: line.lineId,
      quantity: line.quantity,
    });
  }
  if (qtyMilli % QTY_SCALE !== 0 && !unitAllowsFraction(line.unit)) {
    return fail('fractional_quantity', `quantity in ${line.unit} must be a whole number`, {
      lineId: line.lineId,
      quantity: line.quantity,
    });
  }
  const taxClass = Object.hasOwn(ctx.taxClasses, line.taxClassId)
    ? ctx.taxClasses[line.taxClassId]
    : undefined;
  if (!taxClass) {
    return fail('unknown_tax_class', `unknown tax class ${line.taxClassId}`, {
      lineId: line.lineId,
      taxClassId: line.taxClassId,
    });
  }
  if (!isValidRatePpm(taxClass.ratePpm)) {
    return fail('unknown_tax_class', `tax class ${line.taxClassId} has an invalid rate`, {
      lineId: line.lineId,
      taxClassId: line.taxClassId,
      ratePpm: taxClass.ratePpm,
    });
  }
  if (!isSafeMinor(line.unitPrice) || line.unitPrice < 0) {
    return outOfRange('unit price', { lineId: line.lineId, unitPrice: line.unitPrice });
  }
  let gross: bigint;
  if (line.priceOverride !== undefined) {
    if (!isSafeMinor(line.priceOverride) || line.priceOverride < 0) {
      return outOfRange('price override', { lineId: line.lineId, priceOverride: line.priceOverride });
    }
    gross = BigInt(line.priceOverride);
  } else {
    gross = divRound(BigInt(line.unitPrice) * BigInt(qtyMilli), BigInt(QTY_SCALE), ctx.roundingMode);
    if (bigToSafe(gross) === undefined) return outOfRange('line amount', { lineId: line.lineId });
  }
  let lineDiscount = 0n;
  if (line.discount) {
    const problem = discountProblem(line.discount.discount);
    if (problem) return fail('invalid_discount', problem, { lineId: line.lineId });
    lineDiscount = discountAmount(line.discount.discount, gross, ctx.roundingMode);
    if (lineDiscount > gross) {
      return fail('discount_exceeds_amount', 'the line discount exceeds the line amount', {
        lineId: line.lineId,
        gross: Number(gross),
        discount: Number(lineDiscount),
      });
    }
  }
  return ok({
    input: line,
    ratePpm: taxClass.ratePpm,
    gross,
    lineDiscount,
    promotionDiscount: 0n,
    orderDiscount: 0n,
    tax: 0n,
  });
}

function applyOrderDiscounts(
  lines: WorkLine[],
  discounts: readonly AppliedDiscount[],
  mode: RoundingMode,
): PricingResult<true> {
  for (const [index, applied] of discounts.entries()) {
    const problem = discountProblem(applied.discount);
    if (problem) return fail('invalid_discount', problem, { orderDiscount: index });
    const remaining = lines.map(netOf);
    const base = sum(remaining);
    const amount = discountAmount(applied.discount, base, mode);
    if (amount > base) {
      return fail('discount_exceeds_amount', 'the order discount exceeds the amount left to pay', {
        orderDiscount: index,
        remaining: Number(base),
        discount: Number(amount),
      });
    }
    // parts never exceed a line's remaining amount because amount <= base
    allocateBig(amount, remaining).forEach((part, i) => {
      const line = lines[i];
      if (line) line.orderDiscount += part;
    });
  }
  return ok(true as const);
}

function taxFor(mode: TaxMode, amount: bigint, ratePpm: number, rounding: RoundingMode): bigint {
  return mode === 'exclusive'
    ? exclusiveTax(amount, ratePpm, rounding)
    : inclusiveTax(amount, ratePpm, rounding);
}

/** Groups line indexes by tax class in order of first appearance. */
function byTaxClass(lines: readonly WorkLine[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  lines.forEach((line, index) => {
    const group = groups.get(line.input.taxClassId);
    if (group) group.push(index);
    else groups.set(line.input.taxClassId, [index]);
  });
  return groups;
}

function applyTax(lines: WorkLine[], ctx: PricingContext, groups: Map<string, number[]>): void {
  if (ctx.taxRounding === 'per_line') {
    for (const line of lines) line.tax = taxFor(ctx.taxMode, netOf(line), line.ratePpm, ctx.roundingMode);
    return;
  }
  for (const indexes of groups.values()) {
    const members = indexes.map((i) => lines[i]).filter((l): l is WorkLine => l !== undefined);
    const nets = members.map(netOf);
    const ratePpm = members[0]?.ratePpm ?? 0;
    const classTax = taxFor(ctx.taxMode, sum(nets), ratePpm, ctx.roundingMode);
    allocateBig(classTax, nets).forEach((part, i) => {
      const member = members[i];
      if (member) member.tax = part;
    });
  }
}

/**
 * Prices a cart: line gross, line discounts, order discounts (largest remainder), tax per line
 * or per order per tax class (largest remainder back to lines). Every total is exact to the
 * minor unit: sum(line.total) = total; subtotal − discountTotal (+ taxTotal when exclusive) = total;
 * sum(taxes.tax) = taxTotal. Deterministic: the register and the server share it.
 */
export function priceCart(input: CartInput, ctx: PricingContext): PricingResult<PricedCart> {
  if (input.lines.length === 0) return fail('empty_cart', 'the cart has no lines');
  const mode = ctx.roundingMode ?? 'half_up';
  const context: PricingContext = { ...ctx, roundingMode: mode };
  const lines: WorkLine[] = [];
  for (const line of input.lines) {
    const prepared = prepareLine(line, context);
    if (!prepared.ok) return prepared;
    lines.push(prepared.value);
  }
  const promoted = input.promotions
    ? evaluatePromotions(
        lines.map((l) => ({
          lineId: l.input.lineId,
          variantId: l.input.variantId,
          productId: l.input.productId ?? null,
          categoryId: l.input.categoryId ?? null,
          unit: l.input.unit,
          quantity: l.input.quantity,
          amount: Number(l.gross - l.lineDiscount),
        })),
        input.promotions.promotions,
        input.promotions.context,
        mode,
      )
    : undefined;
  const linePromotions = new Map<string, { id: string; amount: number }[]>();
  if (promoted) {
    lines.forEach((line, i) => (line.promotionDiscount = BigInt(promoted.lineAmounts[i] ?? 0)));
    for (const applied of promoted.applied) {
      for (const share of applied.lines) {
        const list = linePromotions.get(share.lineId) ?? [];
        list.push({ id: applied.id, amount: share.amount });
        linePromotions.set(share.lineId, list);
      }
    }
  }
  const discounted = applyOrderDiscounts(lines, input.orderDiscounts ?? [], mode);
  if (!discounted.ok) return discounted;
  const groups = byTaxClass(lines);
  applyTax(lines, context, groups);

  const exclusive = ctx.taxMode === 'exclusive';
  const totals = {
    subtotal: sum(lines.map((l) => l.gross)),
    discountTotal: sum(lines.map((l) => l.lineDiscount + l.promotionDiscount + l.orderDiscount)),
    taxTotal: sum(lines.map((l) => l.tax)),
    total: sum(lines.map((l) => (exclusive ? netOf(l) + l.tax : netOf(l)))),
  };
  if (Object.values(totals).some((v) => bigToSafe(v) === undefined)) {
    return outOfRange('the cart total', { subtotal: String(totals.subtotal), total: String(totals.total) });
  }
  const pricedLines: PricedLine[] = lines.map((l) => {
    const net = netOf(l);
    return {
      lineId: l.input.lineId,
      variantId: l.input.variantId,
      name: l.input.name,
      unit: l.input.unit,
      quantity: l.input.quantity,
      unitPrice: l.input.unitPrice,
      gross: Number(l.gross),
      lineDiscount: Number(l.lineDiscount),
      promotionDiscount: Number(l.promotionDiscount),
      promotions: linePromotions.get(l.input.lineId) ?? [],
      orderDiscount: Number(l.orderDiscount),
      net: Number(net),
      tax: Number(l.tax),
      total: Number(exclusive ? net + l.tax : net),
      taxClassId: l.input.taxClassId,
      ratePpm: l.ratePpm,
    };
  });
  const taxes: TaxLine[] = [...groups.entries()].map(([taxClassId, indexes]) => {
    const members = indexes.map((i) => lines[i]).filter((l): l is WorkLine => l !== undefined);
    const net = sum(members.map(netOf));
    const tax = sum(members.map((l) => l.tax));
    return {
      taxClassId,
      ratePpm: members[0]?.ratePpm ?? 0,
      taxable: Number(exclusive ? net : net - tax),
      tax: Number(tax),
    };
  });
  return ok({
    currency: ctx.currency,
    taxMode: ctx.taxMode,
    lines: pricedLines,
    subtotal: Number(totals.subtotal),
    discountTotal: Number(totals.discountTotal),
    taxTotal: Number(totals.taxTotal),
    total: Number(totals.total),
    taxes,
    promotions: (promoted?.applied ?? []).map((a) => ({
      id: a.id,
      name: a.name,
      nameZh: a.nameZh,
      amount: a.amount,
      lines: a.lines,
      bonusPoints: a.bonusPoints,
    })),
    promotionPoints: promoted?.bonusPoints ?? 0,
    freeItemsMissing: promoted?.freeItemsMissing ?? [],
  });
}
