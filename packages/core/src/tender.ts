import { isSafeMinor } from './money';
import type { DomainError, Result } from './result';
import { fail, ok } from './result';
import type { RoundingMode } from './rounding';
import { roundToIncrement } from './rounding';

export type TenderKind =
  'cash' | 'card' | 'wallet' | 'gift_card' | 'store_credit' | 'loyalty_points' | 'other';

export interface TenderInput {
  kind: TenderKind;
  /** Amount tendered; cash may exceed what is due. */
  amount: number;
  reference?: string;
}

export interface CashRules {
  /** Minor units; 1 = no rounding (see CurrencyInfo.cashIncrement). */
  increment: number;
  mode: RoundingMode;
}

export interface SettledTender {
  kind: TenderKind;
  /** Amount applied to the sale (cash: tendered minus change). */
  amount: number;
  tendered: number;
  reference?: string;
}

export interface Settlement {
  total: number;
  /** Adjustment (+/-) applied because the cash part was rounded to the cash increment. */
  cashRounding: number;
  /** total + cashRounding; the settled tender amounts sum to it. */
  amountDue: number;
  /** In the order given. */
  tenders: SettledTender[];
  change: number;
}

export type TenderErrorCode =
  'insufficient_tender' | 'overpayment_not_cash' | 'invalid_tender_amount' | 'no_tenders';

function settled(tender: TenderInput, amount: number): SettledTender {
  const result: SettledTender = { kind: tender.kind, amount, tendered: tender.amount };
  if (tender.reference !== undefined) result.reference = tender.reference;
  return result;
}

/**
 * Applies tenders to a total. Non-cash tenders apply first, in the order given, and may not
 * exceed what remains due. What is left for cash is rounded to the cash increment (the
 * difference is `cashRounding`); cash tendered must cover it and the excess is change, taken
 * from the last cash tenders first. Without a cash tender nothing is rounded and the non-cash
 * tenders must cover the total exactly.
 */
export function settleTenders(
  total: number,
  tenders: readonly TenderInput[],
  cash: CashRules,
): Result<Settlement, DomainError<TenderErrorCode>> {
  if (!isSafeMinor(total) || total < 0) {
    return fail('invalid_tender_amount', 'the total must be a non-negative safe integer', { total });
  }
  if (!Number.isSafeInteger(cash.increment) || cash.increment <= 0) {
    throw new RangeError(`cash increment must be a positive safe integer: ${cash.increment}`);
  }
  for (const [index, tender] of tenders.entries()) {
    if (!isSafeMinor(tender.amount) || tender.amount <= 0) {
      return fail('invalid_tender_amount', 'each tender amount must be a positive safe integer', {
        index,
        amount: tender.amount,
      });
    }
  }
  if (tenders.length === 0) {
    if (total > 0) return fail('no_tenders', 'no tenders were given for a non-zero total');
    return ok({ total, cashRounding: 0, amountDue: total, tenders: [], change: 0 });
  }

  let remaining = total;
  const applied = new Map<number, number>();
  for (const [index, tender] of tenders.entries()) {
    if (tender.kind === 'cash') continue;
    if (tender.amount > remaining) {
      return fail('overpayment_not_cash', `a ${tender.kind} tender may not exceed the amount due`, {
        index,
        amount: tender.amount,
        remaining,
      });
    }
    applied.set(index, tender.amount);
    remaining -= tender.amount;
  }

  const cashIndexes = tenders.flatMap((t, i) => (t.kind === 'cash' ? [i] : []));
  let cashRounding = 0;
  let change = 0;
  if (cashIndexes.length === 0) {
    if (remaining > 0) {
      return fail('insufficient_tender', 'the tenders do not cover the total', { remaining });
    }
  } else {
    const cashPart = roundToIncrement(remaining, cash.increment, cash.mode);
    cashRounding = cashPart - remaining;
    const cashTendered = cashIndexes.reduce((s, i) => s + (tenders[i]?.amount ?? 0), 0);
    if (!isSafeMinor(cashTendered)) {
      return fail('invalid_tender_amount', 'the cash tendered is outside the safe integer range');
    }
    if (cashTendered < cashPart) {
      return fail('insufficient_tender', 'the cash tendered does not cover the amount due', {
        cashDue: cashPart,
        cashTendered,
      });
    }
    change = cashTendered - cashPart;
    let toApply = cashPart;
    for (const index of cashIndexes) {
      const part = Math.min(tenders[index]?.amount ?? 0, toApply);
      applied.set(index, part);
      toApply -= part;
    }
  }
  return ok({
    total,
    cashRounding,
    amountDue: total + cashRounding,
    tenders: tenders.map((t, i) => settled(t, applied.get(i) ?? 0)),
    change,
  });
}
