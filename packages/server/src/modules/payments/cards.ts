import type { CompiledQuery } from 'kysely';
import type {
  AcquirerConnector,
  CardInput,
  CardResult,
  EncryptedPin,
  EntryMode,
  OriginalTransaction,
  TransactionRef,
} from '@opentill/payments';
import type { Deps } from '../../deps';
import type { CardAuthorizationTable, PaymentTable } from '../../db/schema';
import { isUniqueViolation } from '../../db/database';
import { fail, type Result } from '../../http/errors';
import type { CheckoutContext, CheckoutTender } from './service';

/**
 * What the payment terminal hands the server for one sale: the card as read (track 2
 * equivalent or chip data) and the PIN block encrypted under the terminal's DUKPT key. It lives
 * in memory for one authorization and is never stored or logged; only the token, masked number,
 * brand and entry mode are kept.
 */
export interface CardRead {
  token: string;
  maskedPan: string;
  brand: string;
  entryMode: EntryMode;
  card: CardInput;
  pin?: EncryptedPin;
}

export type TerminalOutcome =
  | { status: 'read'; card: CardRead }
  | { status: 'cancelled' | 'unavailable' | 'unknown_terminal'; message: string };

/** The server's side of a payment terminal (a device with its own credential). */
export interface TerminalPort {
  readCard(req: {
    tenantId: string;
    terminalId: string;
    amount: number;
    currency: string;
    reference: string;
    purpose: 'sale' | 'refund';
  }): Promise<TerminalOutcome>;
  /** A sale the terminal took offline under the floor limit: its stored card data, now that it is back online. */
  takeOffline(req: { tenantId: string; terminalId: string; reference: string }): Promise<TerminalOutcome>;
}

export interface CardOptions {
  terminals?: TerminalPort;
  acquirer?: AcquirerConnector;
  /** how often the poller looks for due reversals and offline forwards (ms); 0 = no poller */
  pollMs?: number;
  /** an authorization left `pending` this long (a crash mid-flight) is treated as timed out (ms) */
  staleMs?: number;
  /** first retry delay of an unacknowledged reversal, doubled per attempt up to a minute (ms) */
  reversalBackoffMs?: number;
  /** an approval no order took up within this time (a partial approval the cashier walked away from) is reversed (ms) */
  abandonMs?: number;
}

export interface CardAuthView {
  id: string;
  status: CardAuthorizationTable['status'];
  amount: number;
  approvedAmount: number;
  currency: string;
  maskedPan: string | null;
  brand: string | null;
  entryMode: string | null;
  authCode: string | null;
  rrn: string | null;
  responseCode: string | null;
  orderId: string | null;
  registerId: string | null;
  offline: boolean;
  createdAt: string;
}

export function cardAuthView(a: CardAuthorizationTable): CardAuthView {
  return {
    id: a.id,
    status: a.status,
    amount: a.amount,
    approvedAmount: a.approved_amount,
    currency: a.currency,
    maskedPan: a.masked_pan,
    brand: a.brand,
    entryMode: a.entry_mode,
    authCode: a.auth_code,
    rrn: a.rrn,
    responseCode: a.response_code,
    orderId: a.order_id,
    registerId: a.register_id,
    offline: a.offline === 1,
    createdAt: a.created_at,
  };
}

/** The receipt line for a card payment: masked number, brand, approval code, RRN. */
function cardReference(
  a: Pick<CardAuthorizationTable, 'brand' | 'masked_pan' | 'auth_code' | 'rrn' | 'id'>,
): string {
  return [
    a.brand?.toUpperCase(),
    a.masked_pan,
    a.auth_code ? `AUTH ${a.auth_code}` : null,
    a.rrn ? `RRN ${a.rrn}` : null,
  ]
    .filter((x): x is string => !!x)
    .join(' ')
    .slice(0, 100);
}

function refOf(a: CardAuthorizationTable): TransactionRef {
  return { stan: a.stan ?? '000000', rrn: a.rrn ?? '', transmittedAt: a.transmitted_at ?? '' };
}

function original(a: CardAuthorizationTable): OriginalTransaction {
  return { mti: '0200', processingCode: '000000', amount: a.amount, currency: a.currency, ref: refOf(a) };
}

/** The host answered (whatever it said): a reversal is acknowledged. Timeouts and unsent requests are not. */
function answered(r: CardResult): boolean {
  if (r.status === 'approved' || r.status === 'declined') return true;
  return r.status === 'error' && r.responseCode !== undefined;
}

/** After a sale request: must the outcome be reversed because we cannot know what the host did? */
function unknownOutcome(r: CardResult): boolean {
  if (r.status === 'timeout') return true;
  return r.status === 'error' && r.sent && r.responseCode === undefined;
}

export function createCards(deps: Deps, options: CardOptions) {
  const { database, clock, ids, log } = deps;
  const db = database.db;
  const pollMs = options.pollMs ?? 2000;
  const staleMs = options.staleMs ?? 120_000;
  const backoffMs = options.reversalBackoffMs ?? 1000;
  const abandonMs = options.abandonMs ?? 15 * 60_000;
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;

  /** A fresh reference from the acquirer link (started on first use). */
  async function nextRef(acquirer: AcquirerConnector): Promise<TransactionRef> {
    await (acquirer as { warmUp?: () => Promise<void> }).warmUp?.();
    return acquirer.nextRef();
  }

  async function update(tenantId: string, id: string, set: Partial<CardAuthorizationTable>) {
    await db
      .updateTable('card_authorizations')
      .set({ ...set, updated_at: clock.now().toISOString() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  async function load(tenantId: string, id: string) {
    return db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Records that a reversal is owed (durably, before trying it), then tries it once now. */
  async function reverse(tenantId: string, authorizationId: string, reason: string): Promise<void> {
    const now = clock.now().toISOString();
    try {
      await db
        .insertInto('card_reversals')
        .values({
          id: ids.newId('rev'),
          tenant_id: tenantId,
          authorization_id: authorizationId,
          reason,
          status: 'pending',
          attempts: 0,
          next_at: now,
          last_result: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    await runReversal(tenantId, authorizationId);
  }

  /** One attempt at a pending reversal; on no acknowledgement it is rescheduled with backoff. */
  async function runReversal(tenantId: string, authorizationId: string): Promise<boolean> {
    const rev = await db
      .selectFrom('card_reversals')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('authorization_id', '=', authorizationId)
      .executeTakeFirst();
    const auth = await load(tenantId, authorizationId);
    if (!rev || rev.status === 'done' || !auth) return true;
    let outcome: CardResult | null = null;
    let failure = 'no acquirer configured';
    if (options.acquirer) {
      try {
        outcome = await options.acquirer.reversal({ original: original(auth), repeat: rev.attempts > 0 });
      } catch (e) {
        failure = (e as Error).message;
      }
    }
    const now = clock.now();
    const attempts = rev.attempts + 1;
    if (outcome && answered(outcome)) {
      await db
        .updateTable('card_reversals')
        .set({
          status: 'done',
          attempts,
          last_result: `acknowledged ${outcome.status === 'timeout' ? '' : (outcome.responseCode ?? '')}`,
          updated_at: now.toISOString(),
        })
        .where('id', '=', rev.id)
        .execute();
      await update(tenantId, authorizationId, { status: 'reversed' });
      return true;
    }
    const delay = Math.min(60_000, backoffMs * 2 ** Math.min(attempts - 1, 6));
    await db
      .updateTable('card_reversals')
      .set({
        attempts,
        next_at: new Date(now.getTime() + delay).toISOString(),
        last_result: (outcome ? outcome.status : failure).slice(0, 200),
        updated_at: now.toISOString(),
      })
      .where('id', '=', rev.id)
      .execute();
    log.warn(
      { authorizationId, attempts, result: outcome?.status ?? failure },
      'card reversal not acknowledged; will retry',
    );
    return false;
  }

  /**
   * One card tender of a checkout: find an earlier attempt under the same checkout key (a retry
   * reuses an approval and never charges twice), else read the card on the terminal and send
   * the sale. No answer in time → a reversal is owed and the tender fails.
   */
  async function authorizeForCheckout(
    ctx: CheckoutContext,
    t: CheckoutTender,
  ): Promise<
    Result<{
      authorizationId: string;
      reference: string;
      status: PaymentTable['status'];
      queries: CompiledQuery[];
    }>
  > {
    const prefix = `${ctx.key}#${t.index}#`;
    const earlier = await db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('tenant_id', '=', ctx.tenantId)
      .where('checkout_key', '=', ctx.key)
      .execute();
    const mine = earlier.filter((a) => a.attempt_key.startsWith(prefix));
    const attach = (a: CardAuthorizationTable, status: PaymentTable['status']) => ({
      ok: true as const,
      value: {
        authorizationId: a.id,
        reference: cardReference(a),
        status,
        queries: [
          db
            .updateTable('card_authorizations')
            .set({ order_id: ctx.orderId, payment_id: t.paymentId, updated_at: ctx.now })
            .where('tenant_id', '=', ctx.tenantId)
            .where('id', '=', a.id)
            .compile(),
        ],
      },
    });
    if (mine.some((a) => a.status === 'pending')) {
      return fail(
        'payment_in_progress',
        'This card payment is still being processed; try again in a moment.',
        { tender: t.index },
      );
    }
    // an approval from an earlier try of this very checkout: use it, do not charge again
    const reusable = mine.find((a) => a.status === 'approved' && a.approved_amount === t.amount);
    if (reusable) return attach(reusable, 'captured');
    for (const stale of mine.filter((a) => a.status === 'approved'))
      await reverse(ctx.tenantId, stale.id, 'amount_changed');

    const offline = t.offline === true;
    if (offline) {
      if (t.amount > ctx.offlineCardLimit) {
        return fail(
          'offline_limit_exceeded',
          `Offline card sales are allowed up to ${ctx.offlineCardLimit} on this register.`,
          {
            tender: t.index,
            limit: ctx.offlineCardLimit,
          },
        );
      }
      if (!t.terminalId || !t.reference) {
        return fail(
          'validation_failed',
          'An offline card tender needs its terminalId and the terminal’s offline reference.',
        );
      }
    }

    const auth: CardAuthorizationTable = {
      id: ids.newId('ath'),
      tenant_id: ctx.tenantId,
      attempt_key: `${prefix}${mine.length + 1}`,
      checkout_key: ctx.key,
      order_id: null,
      payment_id: null,
      register_id: ctx.registerId,
      terminal_id: t.terminalId ?? null,
      amount: t.amount,
      approved_amount: 0,
      currency: ctx.currency,
      status: offline ? 'forward_pending' : 'pending',
      stan: null,
      rrn: null,
      transmitted_at: null,
      auth_code: null,
      response_code: null,
      token: offline ? `offline:${t.reference ?? ''}` : null,
      masked_pan: null,
      brand: null,
      entry_mode: null,
      offline: offline ? 1 : 0,
      created_at: ctx.now,
      updated_at: ctx.now,
    };
    try {
      await db.insertInto('card_authorizations').values(auth).execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return fail('payment_in_progress', 'This card payment is already being processed.', {
        tender: t.index,
      });
    }
    // store-and-forward: recorded as pending now, sent by the poller when the network is back
    if (offline) return attach(auth, 'pending');

    if (!options.terminals || !options.acquirer) {
      await update(ctx.tenantId, auth.id, { status: 'error', response_code: 'no_acquirer' });
      return fail('payment_unavailable', 'Card payments are not configured on this server.');
    }
    const read = await options.terminals.readCard({
      tenantId: ctx.tenantId,
      terminalId: t.terminalId ?? '',
      amount: t.amount,
      currency: ctx.currency,
      reference: auth.id,
      purpose: 'sale',
    });
    if (read.status !== 'read') {
      await update(ctx.tenantId, auth.id, { status: 'error', response_code: read.status });
      return fail(
        read.status === 'unknown_terminal'
          ? 'unknown_terminal'
          : read.status === 'cancelled'
            ? 'payment_cancelled'
            : 'payment_unavailable',
        read.message,
        {
          tender: t.index,
        },
      );
    }
    const card = read.card;
    // the reference is recorded before sending: a crash from here on still ends in a reversal
    const ref = await nextRef(options.acquirer);
    await update(ctx.tenantId, auth.id, {
      stan: ref.stan,
      rrn: ref.rrn,
      transmitted_at: ref.transmittedAt,
      token: card.token,
      masked_pan: card.maskedPan,
      brand: card.brand,
      entry_mode: card.entryMode,
    });
    let outcome: CardResult;
    try {
      outcome = await options.acquirer.sale({
        amount: t.amount,
        currency: ctx.currency,
        ref,
        card: card.card,
        ...(card.pin ? { pin: card.pin } : {}),
      });
    } catch (e) {
      outcome = { status: 'timeout', ref, elapsedMs: 0 };
      log.error({ err: e, authorizationId: auth.id }, 'card sale threw; reversing');
    }
    const details = {
      tender: t.index,
      authorizationId: auth.id,
      maskedPan: card.maskedPan,
      brand: card.brand,
    };
    if (unknownOutcome(outcome)) {
      // the host may have approved what we never heard: reverse until it acknowledges
      await update(ctx.tenantId, auth.id, { status: 'timeout', response_code: outcome.status });
      await reverse(ctx.tenantId, auth.id, outcome.status);
      return fail(
        'payment_timeout',
        'The card network did not answer in time; the payment is being reversed and the order is not paid. Try again or use another tender.',
        details,
      );
    }
    if (outcome.status === 'error' || outcome.status === 'timeout') {
      await update(ctx.tenantId, auth.id, {
        status: 'error',
        response_code: outcome.status === 'error' ? (outcome.responseCode ?? outcome.code) : 'timeout',
      });
      return fail(
        'payment_unavailable',
        `The card network could not take the payment: ${outcome.status === 'error' ? outcome.message : 'timeout'}. Use another tender.`,
        details,
      );
    }
    if (outcome.status === 'declined') {
      await update(ctx.tenantId, auth.id, { status: 'declined', response_code: outcome.responseCode });
      return fail(
        'payment_declined',
        `The card was declined (${outcome.responseCode}: ${outcome.reason}). Use another tender.`,
        {
          ...details,
          responseCode: outcome.responseCode,
        },
      );
    }
    const approved: CardAuthorizationTable = {
      ...auth,
      status: 'approved',
      stan: ref.stan,
      rrn: outcome.ref.rrn,
      transmitted_at: ref.transmittedAt,
      approved_amount: outcome.approvedAmount,
      auth_code: outcome.authCode,
      response_code: outcome.responseCode,
      token: card.token,
      masked_pan: card.maskedPan,
      brand: card.brand,
      entry_mode: card.entryMode,
    };
    await update(ctx.tenantId, auth.id, {
      status: 'approved',
      approved_amount: outcome.approvedAmount,
      auth_code: outcome.authCode,
      rrn: outcome.ref.rrn,
      response_code: outcome.responseCode,
    });
    if (outcome.approvedAmount < t.amount) {
      // partial approval: kept for the retry (same key, this amount); the rest needs another tender
      return fail(
        'payment_partially_approved',
        `The card approved ${outcome.approvedAmount} of ${t.amount}; take the rest with another tender.`,
        { ...details, approved: outcome.approvedAmount, remaining: t.amount - outcome.approvedAmount },
      );
    }
    return attach(approved, 'captured');
  }

  async function markCommitted(tenantId: string, authorizationIds: readonly string[]) {
    for (const id of authorizationIds) {
      const a = await load(tenantId, id);
      if (a && a.status === 'approved') await update(tenantId, id, { status: 'committed' });
    }
  }

  /** A refund to the card a payment was taken with: the terminal reads the card again (no PIN). */
  async function refundPayment(
    tenantId: string,
    payment: PaymentTable,
    amount: number,
    refundId: string,
  ): Promise<Result<true>> {
    const auth = await db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('payment_id', '=', payment.id)
      .executeTakeFirst();
    // a card payment taken on a standalone terminal is refunded there; we only record it
    if (!auth) return { ok: true, value: true };
    if (!options.acquirer || !options.terminals)
      return fail('payment_unavailable', 'Card payments are not configured on this server.');
    const read = await options.terminals.readCard({
      tenantId,
      terminalId: auth.terminal_id ?? '',
      amount,
      currency: auth.currency,
      reference: refundId,
      purpose: 'refund',
    });
    if (read.status !== 'read')
      return fail(read.status === 'cancelled' ? 'payment_cancelled' : 'payment_unavailable', read.message);
    if (read.card.token !== auth.token) {
      return fail(
        'payment_declined',
        'This is not the card the sale was paid with; refund to the original card or to cash with a manager.',
      );
    }
    let outcome: CardResult;
    const ref = await nextRef(options.acquirer);
    try {
      outcome = await options.acquirer.refund({ amount, currency: auth.currency, ref, card: read.card.card });
    } catch (e) {
      outcome = { status: 'timeout', ref, elapsedMs: 0 };
      log.error({ err: e, refundId }, 'card refund threw');
    }
    if (outcome.status === 'approved') return { ok: true, value: true };
    log.warn({ refundId, authorizationId: auth.id, result: outcome.status }, 'card refund not approved');
    if (unknownOutcome(outcome)) {
      // a refund we did not hear about is reversed too, so the card is never credited twice
      const revAuth: CardAuthorizationTable = {
        ...auth,
        id: ids.newId('ath'),
        attempt_key: `refund#${refundId}`,
        checkout_key: null,
        amount,
        status: 'timeout',
        stan: ref.stan,
        rrn: ref.rrn,
        transmitted_at: ref.transmittedAt,
        created_at: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
      };
      await db.insertInto('card_authorizations').values(revAuth).execute();
      await reverse(tenantId, revAuth.id, 'refund_timeout');
      return fail(
        'payment_timeout',
        'The card network did not answer the refund; nothing was refunded. Try again.',
      );
    }
    if (outcome.status === 'declined')
      return fail('payment_declined', `The card refund was declined (${outcome.responseCode}).`);
    return fail('payment_unavailable', 'The card network could not take the refund; try again.');
  }

  /** Offline sales taken under the floor limit, sent now that the network is back. */
  async function forwardOffline(): Promise<void> {
    if (!options.acquirer || !options.terminals) return;
    const due = await db
      .selectFrom('card_authorizations')
      .selectAll()
      .where('status', '=', 'forward_pending')
      .limit(50)
      .execute();
    for (const a of due) {
      if (!a.payment_id) continue; // its order has not committed (or never will): nothing to send
      const read = await options.terminals.takeOffline({
        tenantId: a.tenant_id,
        terminalId: a.terminal_id ?? '',
        reference: (a.token ?? '').replace(/^offline:/, ''),
      });
      if (read.status !== 'read') continue;
      const ref = await nextRef(options.acquirer);
      // the row keeps the terminal's reference (its token `offline:<reference>`) until the host
      // has decided: an attempt without an answer is reversed and the read is forwarded again
      await update(a.tenant_id, a.id, {
        stan: ref.stan,
        rrn: ref.rrn,
        transmitted_at: ref.transmittedAt,
      });
      let outcome: CardResult;
      try {
        outcome = await options.acquirer.sale({
          amount: a.amount,
          currency: a.currency,
          ref,
          card: read.card.card,
        });
      } catch (e) {
        outcome = { status: 'timeout', ref, elapsedMs: 0 };
        log.error({ err: e, authorizationId: a.id }, 'offline forward threw');
      }
      if (unknownOutcome(outcome) || outcome.status === 'error' || outcome.status === 'timeout') {
        // not decided: reverse this attempt if needed and forward again on a later round
        if (unknownOutcome(outcome)) {
          const attempt: CardAuthorizationTable = {
            ...a,
            token: read.card.token,
            masked_pan: read.card.maskedPan,
            brand: read.card.brand,
            entry_mode: read.card.entryMode,
            id: ids.newId('ath'),
            attempt_key: `forward#${a.id}#${ref.stan}`,
            status: 'timeout',
            payment_id: null,
            offline: 0,
            stan: ref.stan,
            rrn: ref.rrn,
            transmitted_at: ref.transmittedAt,
          };
          await db.insertInto('card_authorizations').values(attempt).execute();
          await reverse(a.tenant_id, attempt.id, 'forward_timeout');
        }
        continue;
      }
      const approved = outcome.status === 'approved' && outcome.approvedAmount === a.amount;
      await update(a.tenant_id, a.id, {
        status: approved ? 'committed' : 'forward_declined',
        token: read.card.token,
        masked_pan: read.card.maskedPan,
        brand: read.card.brand,
        entry_mode: read.card.entryMode,
        ...(outcome.status === 'approved'
          ? {
              approved_amount: outcome.approvedAmount,
              auth_code: outcome.authCode,
              rrn: outcome.ref.rrn,
              response_code: outcome.responseCode,
            }
          : { response_code: outcome.responseCode }),
      });
      if (outcome.status === 'approved' && !approved) await reverse(a.tenant_id, a.id, 'partial_offline');
      const after = await load(a.tenant_id, a.id);
      await db
        .updateTable('payments')
        .set({ status: approved ? 'captured' : 'declined', reference: after ? cardReference(after) : null })
        .where('tenant_id', '=', a.tenant_id)
        .where('id', '=', a.payment_id)
        .where('status', '=', 'pending')
        .execute();
    }
  }

  /** Everything the poller does once: stale in-flight attempts, due reversals, offline forwards. */
  async function pollOnce(): Promise<void> {
    const now = clock.now();
    const staleBefore = new Date(now.getTime() - staleMs).toISOString();
    const stale = await db
      .selectFrom('card_authorizations')
      .select(['id', 'tenant_id'])
      .where('status', '=', 'pending')
      .where('updated_at', '<', staleBefore)
      .execute();
    for (const s of stale) {
      await update(s.tenant_id, s.id, { status: 'timeout', response_code: 'stale' });
      await reverse(s.tenant_id, s.id, 'stale');
    }
    // approvals that never became part of an order: the money must not stay held on the card
    const abandonedBefore = new Date(now.getTime() - abandonMs).toISOString();
    const abandoned = await db
      .selectFrom('card_authorizations')
      .select(['id', 'tenant_id'])
      .where('status', '=', 'approved')
      .where('payment_id', 'is', null)
      .where('updated_at', '<=', abandonedBefore)
      .execute();
    for (const a of abandoned) await reverse(a.tenant_id, a.id, 'abandoned');
    const due = await db
      .selectFrom('card_reversals')
      .select(['tenant_id', 'authorization_id'])
      .where('status', '=', 'pending')
      .where('next_at', '<=', now.toISOString())
      .orderBy('next_at')
      .limit(50)
      .execute();
    for (const r of due) await runReversal(r.tenant_id, r.authorization_id);
    await forwardOffline();
  }

  return {
    authorizeForCheckout,
    reverse,
    markCommitted,
    refundPayment,
    pollOnce,
    async get(tenantId: string, id: string): Promise<Result<CardAuthView>> {
      const a = await load(tenantId, id);
      return a ? { ok: true, value: cardAuthView(a) } : fail('not_found', `No card authorization ${id}.`);
    },
    /** Offline sales the acquirer declined when they were forwarded: the back office's exception list. */
    async exceptions(tenantId: string): Promise<CardAuthView[]> {
      const rows = await db
        .selectFrom('card_authorizations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'forward_declined')
        .orderBy('created_at', 'desc')
        .limit(500)
        .execute();
      return rows.map(cardAuthView);
    },
    async pendingReversals(tenantId: string) {
      return db
        .selectFrom('card_reversals')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'pending')
        .execute();
    },
    start() {
      if (timer || pollMs <= 0) return;
      timer = setInterval(() => {
        if (polling) return;
        polling = pollOnce()
          .catch((e: unknown) => log.error({ err: e }, 'card poller failed'))
          .finally(() => {
            polling = null;
          });
      }, pollMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (polling) await polling;
      await options.acquirer?.close();
    },
  };
}

export type CardsService = ReturnType<typeof createCards>;
