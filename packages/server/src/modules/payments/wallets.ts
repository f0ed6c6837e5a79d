import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type { Deps } from '../../deps';
import type { PaymentTable, WalletPaymentTable } from '../../db/schema';
import { fail, type Result } from '../../http/errors';
import { isUniqueViolation } from '../../db/database';
import type { CheckoutContext, CheckoutTender } from './service';

/** A wallet payment's state as a provider reports it. */
export type ProviderStatus =
  | { status: 'succeeded'; providerRef: string }
  | { status: 'pending'; providerRef: string }
  | { status: 'failed'; providerRef?: string; message: string }
  | { status: 'error'; message: string };

export interface CallbackEvent {
  merchantRef: string;
  providerRef: string;
  status: 'succeeded' | 'failed';
  amount: number;
  nonce: string;
}

export type CallbackCheck =
  { ok: true; event: CallbackEvent } | { ok: false; reason: 'bad_signature' | 'stale' | 'malformed' };

/**
 * What every wallet looks like from the till. Alipay and WeChat Pay (precreate/micropay, query,
 * cancel/reverse, refund, signed notify), UnionPay QR, PayNow and Pix (dynamic EMV QR with a
 * reference, settlement notification) all fit: a merchant-presented order becomes `createQr`,
 * a scanned shopper code `pay`, and the provider's notification `verifyCallback`.
 */
export interface WalletProvider {
  readonly name: string;
  createQr(req: {
    merchantRef: string;
    amount: number;
    currency: string;
    description: string;
  }): Promise<{ status: 'created'; providerRef: string; qr: string } | { status: 'error'; message: string }>;
  pay(req: {
    merchantRef: string;
    amount: number;
    currency: string;
    paymentCode: string;
  }): Promise<ProviderStatus>;
  query(req: { merchantRef: string; providerRef: string | null }): Promise<ProviderStatus>;
  cancel(req: {
    merchantRef: string;
    providerRef: string | null;
  }): Promise<{ ok: boolean; message?: string }>;
  refund(req: {
    merchantRef: string;
    providerRef: string;
    amount: number;
    refundRef: string;
  }): Promise<{ ok: boolean; message?: string }>;
  /** checks the signature, the timestamp against `now` and the replay window */
  verifyCallback(headers: Record<string, string | undefined>, rawBody: string, now: Date): CallbackCheck;
}

export interface WalletOptions {
  providers?: WalletProvider[];
  /** how often a pending customer-presented payment is queried while the shopper confirms (ms) */
  queryEveryMs?: number;
  /** and for how long before it is cancelled (ms) */
  queryForMs?: number;
}

export interface WalletPaymentView {
  id: string;
  provider: string;
  mode: WalletPaymentTable['mode'];
  amount: number;
  currency: string;
  status: WalletPaymentTable['status'];
  qr: string | null;
  orderId: string | null;
  refunded: number;
  registerId: string;
  createdAt: string;
  updatedAt: string;
}

function view(w: WalletPaymentTable): WalletPaymentView {
  return {
    id: w.id,
    provider: w.provider,
    mode: w.mode,
    amount: w.amount,
    currency: w.currency,
    status: w.status,
    qr: w.qr,
    orderId: w.order_id,
    refunded: w.refunded,
    registerId: w.register_id,
    createdAt: w.created_at,
    updatedAt: w.updated_at,
  };
}

/** HMAC-SHA256 over `timestamp.nonce.body`, hex: the callback signature of the sandbox provider. */
export function signCallback(secret: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${nonce}.${body}`).digest('hex');
}

export const CALLBACK_WINDOW_MS = 5 * 60_000;

/**
 * An in-process wallet for the demo and the tests. It keeps its own orders like a real
 * provider, signs callbacks with its secret, and plays the shopper: `approve` pays a QR order
 * and produces the signed callback it would send; payment codes starting `28` succeed at once,
 * `29` ask the shopper to confirm (pending until `confirm`), anything else fails.
 */
export function createSandboxWallet(opts: {
  name?: string;
  secret: string;
  buildQr: (a: { reference: string; amount: number; currency: string }) => string;
}) {
  const name = opts.name ?? 'sandbox';
  const orders = new Map<
    string,
    {
      providerRef: string;
      amount: number;
      currency: string;
      status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
      refunded: number;
    }
  >();
  let seq = 0;
  const nextRef = () =>
    `SBX${Date.now().toString(36).toUpperCase()}${(seq += 1).toString().padStart(4, '0')}`;

  const provider: WalletProvider & {
    approve(merchantRef: string, at?: Date): { headers: Record<string, string>; body: string };
    confirm(merchantRef: string): void;
    refundedOf(merchantRef: string): number;
    statusOf(merchantRef: string): string | undefined;
  } = {
    name,
    async createQr(req) {
      const providerRef = nextRef();
      orders.set(req.merchantRef, {
        providerRef,
        amount: req.amount,
        currency: req.currency,
        status: 'pending',
        refunded: 0,
      });
      return {
        status: 'created',
        providerRef,
        qr: opts.buildQr({ reference: req.merchantRef, amount: req.amount, currency: req.currency }),
      };
    },
    async pay(req) {
      const providerRef = nextRef();
      const status = req.paymentCode.startsWith('28')
        ? 'succeeded'
        : req.paymentCode.startsWith('29')
          ? 'pending'
          : 'failed';
      orders.set(req.merchantRef, {
        providerRef,
        amount: req.amount,
        currency: req.currency,
        status,
        refunded: 0,
      });
      if (status === 'failed') return { status, providerRef, message: 'payment code refused' };
      return { status, providerRef };
    },
    async query(req) {
      const o = orders.get(req.merchantRef);
      if (!o) return { status: 'failed', message: 'no such order' };
      if (o.status === 'succeeded' || o.status === 'pending')
        return { status: o.status, providerRef: o.providerRef };
      return { status: 'failed', providerRef: o.providerRef, message: o.status };
    },
    async cancel(req) {
      const o = orders.get(req.merchantRef);
      if (!o) return { ok: true };
      if (o.status === 'succeeded') return { ok: false, message: 'already paid; refund instead' };
      o.status = 'cancelled';
      return { ok: true };
    },
    async refund(req) {
      const o = orders.get(req.merchantRef);
      if (!o || o.status !== 'succeeded') return { ok: false, message: 'not paid' };
      if (o.refunded + req.amount > o.amount) return { ok: false, message: 'exceeds payment' };
      o.refunded += req.amount;
      return { ok: true };
    },
    verifyCallback(headers, rawBody, now) {
      const ts = headers['x-wallet-timestamp'];
      const nonce = headers['x-wallet-nonce'];
      const sig = headers['x-wallet-signature'];
      if (!ts || !nonce || !sig || !/^[0-9a-f]{64}$/.test(sig)) return { ok: false, reason: 'bad_signature' };
      const expected = Buffer.from(signCallback(opts.secret, ts, nonce, rawBody), 'hex');
      if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, reason: 'bad_signature' };
      const at = Number(ts) * 1000;
      if (!Number.isFinite(at) || Math.abs(now.getTime() - at) > CALLBACK_WINDOW_MS)
        return { ok: false, reason: 'stale' };
      try {
        const body = JSON.parse(rawBody) as Partial<CallbackEvent>;
        if (
          typeof body.merchantRef !== 'string' ||
          typeof body.providerRef !== 'string' ||
          (body.status !== 'succeeded' && body.status !== 'failed') ||
          typeof body.amount !== 'number'
        ) {
          return { ok: false, reason: 'malformed' };
        }
        return {
          ok: true,
          event: {
            merchantRef: body.merchantRef,
            providerRef: body.providerRef,
            status: body.status,
            amount: body.amount,
            nonce,
          },
        };
      } catch {
        return { ok: false, reason: 'malformed' };
      }
    },
    approve(merchantRef, at = new Date()) {
      const o = orders.get(merchantRef);
      if (!o) throw new Error(`sandbox wallet: no order ${merchantRef}`);
      o.status = 'succeeded';
      const body = JSON.stringify({
        merchantRef,
        providerRef: o.providerRef,
        status: 'succeeded',
        amount: o.amount,
      });
      const timestamp = Math.floor(at.getTime() / 1000).toString();
      const nonce = randomBytes(12).toString('hex');
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'x-wallet-timestamp': timestamp,
          'x-wallet-nonce': nonce,
          'x-wallet-signature': signCallback(opts.secret, timestamp, nonce, body),
        },
      };
    },
    confirm(merchantRef) {
      const o = orders.get(merchantRef);
      if (o && o.status === 'pending') o.status = 'succeeded';
    },
    refundedOf: (merchantRef) => orders.get(merchantRef)?.refunded ?? 0,
    statusOf: (merchantRef) => orders.get(merchantRef)?.status,
  };
  return provider;
}

export type SandboxWallet = ReturnType<typeof createSandboxWallet>;

export function createWallets(deps: Deps, options: WalletOptions) {
  const { database, clock, ids, log } = deps;
  const db = database.db;
  const providers = new Map((options.providers ?? []).map((p) => [p.name, p]));
  const queryEveryMs = options.queryEveryMs ?? 1000;
  const queryForMs = options.queryForMs ?? 90_000;
  const watchers = new Set<NodeJS.Timeout>();

  async function load(tenantId: string, id: string) {
    return db
      .selectFrom('wallet_payments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Moves a pending payment to a final state; a payment already final stays as it is. */
  async function settle(id: string, status: 'succeeded' | 'failed' | 'cancelled', providerRef?: string) {
    await db
      .updateTable('wallet_payments')
      .set({
        status,
        ...(providerRef ? { provider_ref: providerRef } : {}),
        updated_at: clock.now().toISOString(),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** While the shopper confirms on their phone, ask the provider until it is decided or too late. */
  function watch(w: WalletPaymentTable, provider: WalletProvider) {
    const started = Date.now();
    const tick = async () => {
      const now = await db
        .selectFrom('wallet_payments')
        .select('status')
        .where('id', '=', w.id)
        .executeTakeFirst();
      if (!now || now.status !== 'pending') return;
      const r = await provider.query({ merchantRef: w.id, providerRef: w.provider_ref });
      if (r.status === 'succeeded') return settle(w.id, 'succeeded', r.providerRef);
      if (r.status === 'failed') return settle(w.id, 'failed');
      if (Date.now() - started > queryForMs) {
        await provider.cancel({ merchantRef: w.id, providerRef: w.provider_ref });
        return settle(w.id, 'cancelled');
      }
      schedule();
    };
    const schedule = () => {
      const t = setTimeout(() => {
        watchers.delete(t);
        tick().catch((e: unknown) => log.error({ err: e, walletPaymentId: w.id }, 'wallet query failed'));
      }, queryEveryMs);
      watchers.add(t);
    };
    schedule();
  }

  const service = {
    providerNames: () => [...providers.keys()],

    async start(
      ctx: { tenantId: string; storeId: string; registerId: string; currency: string },
      body: {
        provider: string;
        amount: number;
        mode: WalletPaymentTable['mode'];
        paymentCode?: string;
        description?: string;
      },
    ): Promise<Result<WalletPaymentView>> {
      const provider = providers.get(body.provider);
      if (!provider)
        return fail('unknown_wallet_provider', `No wallet provider ${body.provider}.`, {
          available: [...providers.keys()],
        });
      if (body.mode === 'customer_presented' && !body.paymentCode) {
        return fail('validation_failed', 'Scan the shopper’s payment code (paymentCode).');
      }
      const now = clock.now().toISOString();
      const w: WalletPaymentTable = {
        id: ids.newId('wpy'),
        tenant_id: ctx.tenantId,
        store_id: ctx.storeId,
        register_id: ctx.registerId,
        provider: provider.name,
        mode: body.mode,
        amount: body.amount,
        currency: ctx.currency,
        status: 'pending',
        provider_ref: null,
        qr: null,
        order_id: null,
        refunded: 0,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('wallet_payments').values(w).execute();
      if (body.mode === 'merchant_presented') {
        const r = await provider.createQr({
          merchantRef: w.id,
          amount: w.amount,
          currency: w.currency,
          description: body.description ?? 'OpenTill',
        });
        if (r.status === 'error') {
          await settle(w.id, 'failed');
          return fail('payment_unavailable', `The wallet provider refused the order: ${r.message}`);
        }
        await db
          .updateTable('wallet_payments')
          .set({ qr: r.qr, provider_ref: r.providerRef })
          .where('id', '=', w.id)
          .execute();
      } else {
        const r = await provider.pay({
          merchantRef: w.id,
          amount: w.amount,
          currency: w.currency,
          paymentCode: body.paymentCode ?? '',
        });
        if (r.status === 'succeeded') await settle(w.id, 'succeeded', r.providerRef);
        else if (r.status === 'failed' || r.status === 'error') {
          await settle(w.id, 'failed');
          return fail('payment_declined', `The wallet payment failed: ${r.message}. Use another tender.`, {
            walletPaymentId: w.id,
          });
        } else {
          await db
            .updateTable('wallet_payments')
            .set({ provider_ref: r.providerRef })
            .where('id', '=', w.id)
            .execute();
          watch({ ...w, provider_ref: r.providerRef }, provider);
        }
      }
      const after = await load(ctx.tenantId, w.id);
      if (!after) throw new Error('wallet payment vanished');
      return { ok: true, value: view(after) };
    },

    /** The payment now; with `waitMs`, waits (checking the database, so any API node sees it) until it changes. */
    async get(tenantId: string, id: string, waitMs = 0): Promise<Result<WalletPaymentView>> {
      let w = await load(tenantId, id);
      if (!w) return fail('not_found', `No wallet payment ${id}.`);
      const until = Date.now() + waitMs;
      while (w && w.status === 'pending' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        w = await load(tenantId, id);
      }
      if (!w) return fail('not_found', `No wallet payment ${id}.`);
      return { ok: true, value: view(w) };
    },

    async cancel(tenantId: string, id: string): Promise<Result<WalletPaymentView>> {
      const w = await load(tenantId, id);
      if (!w) return fail('not_found', `No wallet payment ${id}.`);
      if (w.status !== 'pending')
        return fail('illegal_transition', `A ${w.status} wallet payment cannot be cancelled.`);
      const provider = providers.get(w.provider);
      const r = provider
        ? await provider.cancel({ merchantRef: w.id, providerRef: w.provider_ref })
        : { ok: true };
      if (!r.ok) return fail('illegal_transition', `The provider would not cancel: ${r.message ?? ''}`);
      await settle(w.id, 'cancelled');
      return service.get(tenantId, id);
    },

    /**
     * A provider's notification. Bad signature → rejected and logged; outside the time window
     * → rejected; a nonce seen before → ignored (a replay changes nothing).
     */
    async callback(
      providerName: string,
      headers: Record<string, string | undefined>,
      rawBody: string,
    ): Promise<Result<{ outcome: 'accepted' | 'replayed' | 'unknown_payment' }>> {
      const provider = providers.get(providerName);
      if (!provider) return fail('unknown_wallet_provider', `No wallet provider ${providerName}.`);
      const now = clock.now();
      const check = provider.verifyCallback(headers, rawBody, now);
      const record = async (
        outcome: 'accepted' | 'replayed' | 'bad_signature' | 'stale' | 'unknown_payment',
        nonce: string,
        walletPaymentId: string | null,
      ) =>
        db
          .insertInto('wallet_callbacks')
          .values({
            id: ids.newId('wcb'),
            provider: providerName,
            nonce: nonce.slice(0, 100),
            wallet_payment_id: walletPaymentId,
            outcome,
            created_at: now.toISOString(),
          })
          .execute();
      if (!check.ok) {
        const reason = check.reason === 'stale' ? 'stale' : 'bad_signature';
        await record(reason, headers['x-wallet-nonce'] ?? '', null);
        log.warn({ provider: providerName, reason: check.reason }, 'wallet callback rejected');
        return fail(
          'invalid_callback_signature',
          check.reason === 'stale'
            ? 'The callback is outside the replay window.'
            : 'The callback signature does not verify.',
        );
      }
      const e = check.event;
      const seen = await db
        .selectFrom('wallet_callbacks')
        .select('id')
        .where('provider', '=', providerName)
        .where('nonce', '=', e.nonce)
        .where('outcome', 'in', ['accepted', 'replayed', 'unknown_payment'])
        .executeTakeFirst();
      if (seen) {
        await record('replayed', e.nonce, e.merchantRef);
        return { ok: true, value: { outcome: 'replayed' } };
      }
      const w = await db
        .selectFrom('wallet_payments')
        .selectAll()
        .where('id', '=', e.merchantRef)
        .where('provider', '=', providerName)
        .executeTakeFirst();
      if (!w || w.amount !== e.amount) {
        await record('unknown_payment', e.nonce, null);
        log.warn(
          { provider: providerName, merchantRef: e.merchantRef },
          'wallet callback for an unknown payment or amount',
        );
        return { ok: true, value: { outcome: 'unknown_payment' } };
      }
      try {
        await record('accepted', e.nonce, w.id);
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        await record('replayed', e.nonce, w.id);
        return { ok: true, value: { outcome: 'replayed' } };
      }
      await settle(w.id, e.status === 'succeeded' ? 'succeeded' : 'failed', e.providerRef);
      return { ok: true, value: { outcome: 'accepted' } };
    },

    /** A wallet tender at checkout names a succeeded payment of this register; the batch marks it used. */
    async prepareUse(ctx: CheckoutContext, t: CheckoutTender): Promise<Result<CompiledQuery>> {
      if (!t.reference)
        return fail(
          'validation_failed',
          `Tender ${t.index + 1}: give the wallet payment id as its reference.`,
        );
      const w = await load(ctx.tenantId, t.reference);
      if (!w) return fail('unknown_wallet_payment', `No wallet payment ${t.reference}.`, { tender: t.index });
      if (w.status !== 'succeeded') {
        return fail('wallet_payment_not_completed', `Wallet payment ${w.id} is ${w.status}.`, {
          tender: t.index,
          status: w.status,
        });
      }
      if (w.amount !== t.amount || w.currency !== ctx.currency) {
        return fail(
          'validation_failed',
          `Wallet payment ${w.id} is for ${w.amount} ${w.currency}, the tender says ${t.amount}.`,
          { tender: t.index },
        );
      }
      return {
        ok: true,
        value: db
          .updateTable('wallet_payments')
          .set({ status: 'used', order_id: ctx.orderId, updated_at: ctx.now })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', w.id)
          .compile(),
      };
    },

    async refundPayment(
      tenantId: string,
      payment: PaymentTable,
      amount: number,
      refundId: string,
    ): Promise<Result<true>> {
      const w = payment.reference ? await load(tenantId, payment.reference) : undefined;
      if (!w || !w.provider_ref)
        return fail('payment_unavailable', `Wallet payment for ${payment.id} is unknown.`);
      const provider = providers.get(w.provider);
      if (!provider) return fail('payment_unavailable', `Wallet provider ${w.provider} is not configured.`);
      const r = await provider.refund({
        merchantRef: w.id,
        providerRef: w.provider_ref,
        amount,
        refundRef: refundId,
      });
      if (!r.ok) return fail('payment_declined', `The wallet refused the refund: ${r.message ?? ''}`);
      await db
        .updateTable('wallet_payments')
        .set({ refunded: w.refunded + amount, updated_at: clock.now().toISOString() })
        .where('id', '=', w.id)
        .execute();
      return { ok: true, value: true };
    },

    async pendingFor(tenantId: string, registerId: string): Promise<WalletPaymentView[]> {
      const rows = await db
        .selectFrom('wallet_payments')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('register_id', '=', registerId)
        .where('status', '=', 'pending')
        .orderBy('created_at', 'desc')
        .limit(5)
        .execute();
      return rows.map(view);
    },

    async stop() {
      for (const t of watchers) clearTimeout(t);
      watchers.clear();
    },
  };
  return service;
}

export type WalletsService = ReturnType<typeof createWallets>;
