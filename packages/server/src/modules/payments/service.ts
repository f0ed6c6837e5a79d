import type { CompiledQuery, Kysely } from 'kysely';
import type { TenderKind } from '@opentill/core';
import type { Deps } from '../../deps';
import type { DB, PaymentTable } from '../../db/schema';
import { fail, type ApiError, type Result } from '../../http/errors';
import { createStoredValue, isCheckViolation, type StoredValueTender } from './stored-value';
import { createCards, type CardOptions } from './cards';
import { createWallets, type WalletOptions } from './wallets';

/** A checkout tender as the orders module hands it over, with the payment id it will be stored under. */
export interface CheckoutTender {
  index: number;
  kind: TenderKind;
  amount: number;
  reference?: string | undefined;
  pin?: string | undefined;
  terminalId?: string | undefined;
  offline?: boolean | undefined;
  paymentId: string;
}

export interface CheckoutContext {
  tenantId: string;
  staffId: string;
  storeId: string;
  registerId: string;
  /** the checkout's Idempotency-Key: card attempts hang below it, so a retry never charges twice */
  key: string;
  orderId: string;
  currency: string;
  /** the register's offline floor limit (minor units) */
  offlineCardLimit: number;
  now: string;
}

/** What checkout needs from payments: how to store each tender, extra writes, and what to do after. */
export interface PreparedTenders {
  payments: Map<number, Pick<PaymentTable, 'reference' | 'status'>>;
  /** run inside checkout's own atomic write batch */
  queries: CompiledQuery[];
  /** the batch committed */
  committed(): Promise<void>;
  /** the batch failed: undo what happened outside the database (reverse card authorizations) */
  compensate(reason: string): Promise<void>;
}

/** Tender kinds that need nothing from this module: checkout records them as before. */
export function needsPreparation(t: {
  kind: TenderKind;
  terminalId?: string | undefined;
  offline?: boolean | undefined;
}): boolean {
  // loyalty points are spent by the members step of checkout (modules/customers)
  if (t.kind === 'cash' || t.kind === 'other' || t.kind === 'loyalty_points') return false;
  if (t.kind === 'card') return t.terminalId !== undefined || t.offline === true;
  return true;
}

export interface PaymentsOptions {
  cards?: CardOptions;
  wallets?: WalletOptions;
}

export function createPaymentsService(deps: Deps, options: PaymentsOptions = {}) {
  const storedValue = createStoredValue(deps);
  const cards = createCards(deps, options.cards ?? {});
  const wallets = createWallets(deps, options.wallets ?? {});

  /**
   * Steps with compensations: stored value and wallets are checked and turned into statements
   * for the checkout batch; card tenders are authorized now, outside any transaction. If a later
   * step fails, the authorizations already taken are reversed before the error is returned.
   */
  async function prepareCheckout(
    ctx: CheckoutContext,
    tenders: readonly CheckoutTender[],
  ): Promise<Result<PreparedTenders>> {
    const payments = new Map<number, Pick<PaymentTable, 'reference' | 'status'>>();
    const queries: CompiledQuery[] = [];

    const sv: StoredValueTender[] = [];
    for (const t of tenders) {
      if (t.kind !== 'gift_card' && t.kind !== 'store_credit') continue;
      if (!t.reference) {
        return fail(
          'validation_failed',
          `Tender ${t.index + 1}: give the ${t.kind === 'gift_card' ? 'gift card' : 'store credit'} code as its reference.`,
        );
      }
      sv.push({
        index: t.index,
        kind: t.kind,
        amount: t.amount,
        code: t.reference,
        pin: t.pin,
        paymentId: t.paymentId,
      });
    }
    if (sv.length) {
      const redeemed = await storedValue.prepareRedeem(ctx.tenantId, sv, {
        currency: ctx.currency,
        orderId: ctx.orderId,
        staffId: ctx.staffId,
        now: ctx.now,
      });
      if (!redeemed.ok) return redeemed;
      queries.push(...redeemed.value.queries);
      for (const [index, accountId] of redeemed.value.accountIds)
        payments.set(index, { reference: accountId, status: 'captured' });
    }

    for (const t of tenders) {
      if (t.kind !== 'wallet') continue;
      const used = await wallets.prepareUse(ctx, t);
      if (!used.ok) return used;
      queries.push(used.value);
      payments.set(t.index, { reference: t.reference ?? null, status: 'captured' });
    }

    // cards last: nothing is charged while a cheaper check could still refuse the sale
    const cardTenders = tenders.filter((t) => t.kind === 'card' && needsPreparation(t));
    const taken: string[] = [];
    const compensate = async (reason: string) => {
      for (const id of taken) await cards.reverse(ctx.tenantId, id, reason);
    };
    for (const t of cardTenders) {
      const auth = await cards.authorizeForCheckout(ctx, t);
      if (!auth.ok) {
        await compensate('checkout_failed');
        return auth;
      }
      taken.push(auth.value.authorizationId);
      queries.push(...auth.value.queries);
      payments.set(t.index, { reference: auth.value.reference, status: auth.value.status });
    }

    return {
      ok: true,
      value: {
        payments,
        queries,
        committed: async () => {
          await cards.markCommitted(ctx.tenantId, taken);
        },
        compensate,
      },
    };
  }

  /** Maps a failed checkout batch to an answer when the failure is ours (a balance would go negative). */
  function batchFailure(e: unknown): { ok: false; error: ApiError } | null {
    if (isCheckViolation(e)) {
      return fail(
        'insufficient_balance',
        'The gift card or store credit no longer holds enough; it was spent at the same time elsewhere.',
      );
    }
    return null;
  }

  /**
   * Refunds outside the database first (card and wallet), before the refund transaction records
   * them. Declined → nothing is recorded.
   */
  async function refundExternal(
    tenantId: string,
    parts: readonly { payment: PaymentTable; amount: number; refundId: string }[],
  ): Promise<Result<true>> {
    for (const p of parts) {
      if (p.payment.kind === 'card') {
        const r = await cards.refundPayment(tenantId, p.payment, p.amount, p.refundId);
        if (!r.ok) return r;
      } else if (p.payment.kind === 'wallet') {
        const r = await wallets.refundPayment(tenantId, p.payment, p.amount, p.refundId);
        if (!r.ok) return r;
      }
    }
    return { ok: true, value: true };
  }

  /** Inside the refund transaction: stored value goes back onto its account. */
  async function refundStoredValue(
    trx: Kysely<DB>,
    a: {
      tenantId: string;
      payment: PaymentTable;
      amount: number;
      orderId: string;
      refundId: string;
      staffId: string;
      now: string;
    },
  ): Promise<void> {
    if (a.payment.reference === null) throw new Error(`stored-value payment ${a.payment.id} has no account`);
    await storedValue.refundTo(trx, {
      tenantId: a.tenantId,
      accountId: a.payment.reference,
      amount: a.amount,
      orderId: a.orderId,
      paymentId: a.payment.id,
      refundId: a.refundId,
      staffId: a.staffId,
      now: a.now,
    });
  }

  return {
    storedValue,
    cards,
    wallets,
    prepareCheckout,
    batchFailure,
    refundExternal,
    refundStoredValue,
    start: () => {
      cards.start();
    },
    stop: async () => {
      await cards.stop();
      await wallets.stop();
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
