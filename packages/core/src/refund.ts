import { isSafeMinor } from './money';
import { toMilli } from './quantity';
import type { DomainError, Result } from './result';
import { fail, ok } from './result';
import { divRound } from './rounding';
import type { TenderKind } from './tender';

export interface RefundableLine {
  lineId: string;
  quantity: number;
  /** What the customer paid for the line. */
  total: number;
  refundedQuantity: number;
  refundedAmount: number;
}

export interface PaidTender {
  paymentId: string;
  kind: TenderKind;
  /** Amount applied to the sale (for cash: tendered minus change). */
  amount: number;
  refunded: number;
}

export interface RefundLineRequest {
  lineId: string;
  quantity: number;
}

export type RefundErrorCode =
  | 'unknown_line'
  | 'refund_exceeds_quantity'
  | 'refund_exceeds_payment'
  | 'invalid_quantity'
  | 'nothing_to_refund';

export interface RefundPlan {
  lines: { lineId: string; quantity: number; amount: number }[];
  total: number;
  tenders: { paymentId: string | null; kind: TenderKind; amount: number }[];
}

export interface RefundRequest {
  /** Omitted (and no amount) = everything not yet refunded. */
  lines?: readonly RefundLineRequest[];
  /** An explicit amount instead of lines: a refund of money only. */
  amount?: number;
  /** Refund to this kind (e.g. 'cash') instead of the original tenders. */
  toTender?: TenderKind;
}

export interface RefundInput {
  lines: readonly RefundableLine[];
  tenders: readonly PaidTender[];
  request: RefundRequest;
}

type RefundResult<T> = Result<T, DomainError<RefundErrorCode>>;

interface LineState {
  line: RefundableLine;
  quantityMilli: number;
  refundedMilli: number;
  refundedAmount: number;
}

function lineState(line: RefundableLine): LineState {
  const quantityMilli = toMilli(line.quantity);
  const refundedMilli = toMilli(line.refundedQuantity);
  if (
    quantityMilli === undefined ||
    quantityMilli <= 0 ||
    refundedMilli === undefined ||
    refundedMilli < 0 ||
    refundedMilli > quantityMilli ||
    !isSafeMinor(line.total) ||
    !isSafeMinor(line.refundedAmount)
  ) {
    throw new RangeError(`malformed refundable line ${line.lineId}`);
  }
  return { line, quantityMilli, refundedMilli, refundedAmount: line.refundedAmount };
}

/**
 * Amount for refunding `milli` more of a line: the proportional share of the line total for
 * the cumulative refunded quantity (half up) minus what was already refunded, kept within
 * what is left; refunding the last of the quantity returns exactly total − refundedAmount.
 */
function lineRefundAmount(state: LineState, milli: number): number {
  const cumulative = state.refundedMilli + milli;
  const left = state.line.total - state.refundedAmount;
  if (cumulative === state.quantityMilli) return left;
  const target = divRound(
    BigInt(state.line.total) * BigInt(cumulative),
    BigInt(state.quantityMilli),
    'half_up',
  );
  const amount = Number(target) - state.refundedAmount;
  return Math.max(0, Math.min(amount, left));
}

function planLines(
  lines: readonly RefundableLine[],
  requested: readonly RefundLineRequest[] | undefined,
): RefundResult<RefundPlan['lines']> {
  const states = new Map<string, LineState>();
  for (const line of lines) states.set(line.lineId, lineState(line));
  const wanted =
    requested ??
    [...states.values()]
      .filter((s) => s.refundedMilli < s.quantityMilli)
      .map((s) => ({ lineId: s.line.lineId, quantity: (s.quantityMilli - s.refundedMilli) / 1000 }));
  if (wanted.length === 0) return fail('nothing_to_refund', 'there is nothing left to refund');
  const planned: RefundPlan['lines'] = [];
  for (const request of wanted) {
    const state = states.get(request.lineId);
    if (!state) return fail('unknown_line', `unknown line ${request.lineId}`, { lineId: request.lineId });
    const milli = toMilli(request.quantity);
    if (milli === undefined || milli <= 0) {
      return fail('invalid_quantity', 'a refund quantity must be positive with at most 3 decimals', {
        lineId: request.lineId,
        quantity: request.quantity,
      });
    }
    if (state.refundedMilli + milli > state.quantityMilli) {
      return fail('refund_exceeds_quantity', `cannot refund more of line ${request.lineId} than was sold`, {
        lineId: request.lineId,
        quantity: request.quantity,
        refundable: (state.quantityMilli - state.refundedMilli) / 1000,
      });
    }
    const amount = lineRefundAmount(state, milli);
    state.refundedMilli += milli;
    state.refundedAmount += amount;
    planned.push({ lineId: request.lineId, quantity: milli / 1000, amount });
  }
  return ok(planned);
}

/**
 * Plans a refund: line amounts (proportional, exact on the last unit), then where the money
 * goes: back to the original tenders in reverse order of payment, each up to what is left on
 * it, or to one `toTender` kind. Never more than was paid, per tender and in total.
 */
export function planRefund(input: RefundInput): RefundResult<RefundPlan> {
  const { request } = input;
  let lines: RefundPlan['lines'] = [];
  let total: number;
  if (request.amount !== undefined) {
    if (request.lines !== undefined) {
      return fail('invalid_quantity', 'give either lines or an amount to refund, not both');
    }
    if (!isSafeMinor(request.amount) || request.amount < 0) {
      return fail('invalid_quantity', 'a refund amount must be a positive safe integer of minor units', {
        amount: request.amount,
      });
    }
    if (request.amount === 0) return fail('nothing_to_refund', 'the refund amount is zero');
    total = request.amount;
  } else {
    const planned = planLines(input.lines, request.lines);
    if (!planned.ok) return planned;
    lines = planned.value;
    total = lines.reduce((s, l) => s + l.amount, 0);
  }

  const left = input.tenders.map((t) => Math.max(0, t.amount - t.refunded));
  const available = left.reduce((s, a) => s + a, 0);
  if (total > available) {
    return fail('refund_exceeds_payment', 'the refund exceeds what is left of the payments', {
      total,
      available,
    });
  }
  let tenders: RefundPlan['tenders'] = [];
  if (request.toTender !== undefined) {
    if (total > 0) tenders = [{ paymentId: null, kind: request.toTender, amount: total }];
  } else {
    let toRefund = total;
    for (let i = input.tenders.length - 1; i >= 0 && toRefund > 0; i--) {
      const tender = input.tenders[i];
      const part = Math.min(left[i] ?? 0, toRefund);
      if (!tender || part <= 0) continue;
      tenders.push({ paymentId: tender.paymentId, kind: tender.kind, amount: part });
      toRefund -= part;
    }
  }
  return ok({ lines, total, tenders });
}

/**
 * The state after recording a plan: line refunded quantities/amounts and tender refunded
 * amounts grow. A `paymentId: null` entry (refund to another kind) is booked against the
 * original tenders in reverse order, like a default refund, so their remaining capacity shrinks.
 */
export function applyRefund(
  input: { lines: readonly RefundableLine[]; tenders: readonly PaidTender[] },
  plan: RefundPlan,
): { lines: RefundableLine[]; tenders: PaidTender[] } {
  const lines = input.lines.map((l) => ({ ...l }));
  const tenders = input.tenders.map((t) => ({ ...t }));
  for (const planned of plan.lines) {
    const line = lines.find((l) => l.lineId === planned.lineId);
    if (!line) throw new RangeError(`unknown line ${planned.lineId}`);
    const milli = (toMilli(line.refundedQuantity) ?? 0) + (toMilli(planned.quantity) ?? 0);
    line.refundedQuantity = milli / 1000;
    line.refundedAmount += planned.amount;
  }
  for (const entry of plan.tenders) {
    if (entry.paymentId !== null) {
      const tender = tenders.find((t) => t.paymentId === entry.paymentId);
      if (!tender) throw new RangeError(`unknown payment ${entry.paymentId}`);
      tender.refunded += entry.amount;
      continue;
    }
    let toBook = entry.amount;
    for (let i = tenders.length - 1; i >= 0 && toBook > 0; i--) {
      const tender = tenders[i];
      if (!tender) continue;
      const part = Math.min(Math.max(0, tender.amount - tender.refunded), toBook);
      tender.refunded += part;
      toBook -= part;
    }
  }
  return { lines, tenders };
}
