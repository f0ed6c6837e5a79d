import { randomBytes } from 'node:crypto';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Deps } from '../../deps';
import type { DB, StoredValueAccountTable, StoredValueEntryTable } from '../../db/schema';
import { insertRows } from '../../db/insert-rows';
import { fail, type Result } from '../../http/errors';
import { hashSecret, PIN_COST, sha256Hex, verifySecret } from '../../lib/secrets';
import { auditQuery } from '../audit/audit';

export type StoredValueKind = StoredValueAccountTable['kind'];

/** After this many wrong PINs in a row the card is blocked (a manager unblocks it). */
export const MAX_PIN_FAILURES = 5;

// Crockford base32 without I, L, O, U: readable aloud and never mistaken for a card number.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 symbols (80 bits), printed as four groups: `GC7K-…`. The code is a bearer secret: only its hash is kept. */
export function newStoredValueCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out.match(/.{4}/g)?.join('-') ?? out;
}

export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export function codeHash(code: string): string {
  return sha256Hex(`sv:${normalizeCode(code)}`);
}

export interface StoredValueView {
  id: string;
  kind: StoredValueKind;
  /** last four symbols of the code; the whole code is shown once, when issued */
  last4: string;
  currency: string;
  balance: number;
  status: StoredValueAccountTable['status'];
  customerId: string | null;
  expiresAt: string | null;
  hasPin: boolean;
  createdAt: string;
}

export function storedValueView(a: StoredValueAccountTable): StoredValueView {
  return {
    id: a.id,
    kind: a.kind,
    last4: a.code_last4,
    currency: a.currency,
    balance: a.balance,
    status: a.status,
    customerId: a.customer_id,
    expiresAt: a.expires_at,
    hasPin: a.pin_hash !== null,
    createdAt: a.created_at,
  };
}

/** The two statements that move a balance: the ledger entry and the projection (CHECK balance >= 0). */
export function movementQueries(db: Kysely<DB>, entry: StoredValueEntryTable, now: string): CompiledQuery[] {
  return [
    insertRows(db, 'stored_value_entries', [entry]),
    db
      .updateTable('stored_value_accounts')
      .set({ balance: sql`balance + ${entry.amount}`, updated_at: now })
      .where('tenant_id', '=', entry.tenant_id)
      .where('id', '=', entry.account_id)
      .compile(),
  ];
}

/**
 * True when the stored-value balance CHECK failed (a balance would go below zero). Only that
 * constraint: a checkout batch also carries other modules' CHECKs (the points ledger), and each
 * module answers only for its own. PostgreSQL names the column constraint
 * `stored_value_accounts_balance_check`; SQLite quotes its unnamed expression.
 */
export function isCheckViolation(e: unknown): boolean {
  const { code, constraint, message } = e as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code === '23514') return constraint === 'stored_value_accounts_balance_check';
  return code === 'SQLITE_CONSTRAINT_CHECK' && message === 'CHECK constraint failed: balance >= 0';
}

export interface StoredValueTender {
  index: number;
  kind: StoredValueKind;
  amount: number;
  code: string;
  pin?: string | undefined;
  paymentId: string;
}

export function createStoredValue(deps: Deps) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function findByCode(tenantId: string, code: string) {
    return db
      .selectFrom('stored_value_accounts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('code_hash', '=', codeHash(code))
      .executeTakeFirst();
  }

  /** Checks the PIN; counts failures and blocks the card after too many. */
  async function checkPin(account: StoredValueAccountTable, pin: string | undefined): Promise<Result<true>> {
    if (account.pin_hash === null) return { ok: true, value: true };
    if (pin !== undefined && (await verifySecret(pin, account.pin_hash))) {
      if (account.pin_failures > 0) {
        await db
          .updateTable('stored_value_accounts')
          .set({ pin_failures: 0 })
          .where('tenant_id', '=', account.tenant_id)
          .where('id', '=', account.id)
          .execute();
      }
      return { ok: true, value: true };
    }
    const failures = account.pin_failures + 1;
    await db
      .updateTable('stored_value_accounts')
      .set({
        pin_failures: failures,
        ...(failures >= MAX_PIN_FAILURES ? { status: 'blocked' as const } : {}),
      })
      .where('tenant_id', '=', account.tenant_id)
      .where('id', '=', account.id)
      .execute();
    return fail(
      pin === undefined ? 'gift_card_pin_required' : 'invalid_gift_card_pin',
      pin === undefined ? 'This gift card needs its PIN.' : 'The gift card PIN is wrong.',
      { remainingAttempts: Math.max(0, MAX_PIN_FAILURES - failures) },
    );
  }

  function usable(
    account: StoredValueAccountTable | undefined,
    kind: StoredValueKind,
    currency: string,
    now: string,
  ): Result<StoredValueAccountTable> {
    const label = kind === 'gift_card' ? 'gift card' : 'store credit';
    if (!account || account.kind !== kind) return fail('unknown_stored_value', `No ${label} has that code.`);
    if (account.status !== 'active') return fail('stored_value_blocked', `This ${label} is blocked.`);
    if (account.expires_at !== null && account.expires_at <= now) {
      return fail('stored_value_expired', `This ${label} expired on ${account.expires_at.slice(0, 10)}.`);
    }
    if (account.currency !== currency) {
      return fail(
        'currency_mismatch',
        `This ${label} holds ${account.currency}, the sale is in ${currency}.`,
      );
    }
    return { ok: true, value: account };
  }

  const service = {
    async issue(
      ctx: { tenantId: string; staffId: string },
      body: {
        kind: StoredValueKind;
        amount: number;
        currency: string;
        pin?: string;
        expiresAt?: string;
        customerId?: string;
      },
    ): Promise<Result<StoredValueView & { code: string }>> {
      const now = clock.now().toISOString();
      if (body.expiresAt !== undefined && body.expiresAt <= now) {
        return fail('validation_failed', 'The expiry must be in the future.');
      }
      // store credit belongs to one of the tenant's own customers
      if (body.customerId !== undefined) {
        const customer = await db
          .selectFrom('customers')
          .select('id')
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', body.customerId)
          .executeTakeFirst();
        if (!customer) return fail('unknown_customer', `No customer ${body.customerId}.`);
      }
      const code = newStoredValueCode();
      const account: StoredValueAccountTable = {
        id: ids.newId(body.kind === 'gift_card' ? 'gft' : 'scr'),
        tenant_id: ctx.tenantId,
        kind: body.kind,
        code_hash: codeHash(code),
        code_last4: normalizeCode(code).slice(-4),
        pin_hash: body.pin === undefined ? null : await hashSecret(body.pin, PIN_COST),
        currency: body.currency,
        balance: 0,
        status: 'active',
        customer_id: body.customerId ?? null,
        expires_at: body.expiresAt ?? null,
        pin_failures: 0,
        created_at: now,
        updated_at: now,
      };
      const entry: StoredValueEntryTable = {
        id: ids.newId('sve'),
        tenant_id: ctx.tenantId,
        account_id: account.id,
        kind: 'issue',
        amount: body.amount,
        order_id: null,
        payment_id: null,
        refund_id: null,
        staff_id: ctx.staffId,
        created_at: now,
      };
      await database.batch([
        insertRows(db, 'stored_value_accounts', [account]),
        ...movementQueries(db, entry, now),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: `${body.kind}.issue`,
            entity: body.kind,
            entityId: account.id,
            data: { amount: body.amount, currency: body.currency },
          },
          now,
        ),
      ]);
      return { ok: true, value: { ...storedValueView({ ...account, balance: body.amount }), code } };
    },

    async load(
      ctx: { tenantId: string; staffId: string },
      code: string,
      amount: number,
    ): Promise<Result<StoredValueView>> {
      const now = clock.now().toISOString();
      const account = await findByCode(ctx.tenantId, code);
      const ok = usable(account, account?.kind ?? 'gift_card', account?.currency ?? '', now);
      if (!ok.ok) return ok;
      const entry: StoredValueEntryTable = {
        id: ids.newId('sve'),
        tenant_id: ctx.tenantId,
        account_id: ok.value.id,
        kind: 'load',
        amount,
        order_id: null,
        payment_id: null,
        refund_id: null,
        staff_id: ctx.staffId,
        created_at: now,
      };
      await database.batch([
        ...movementQueries(db, entry, now),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: `${ok.value.kind}.load`,
            entity: ok.value.kind,
            entityId: ok.value.id,
            data: { amount },
          },
          now,
        ),
      ]);
      return service.get(ctx.tenantId, ok.value.id);
    },

    /** Balance by code (what a cashier or a shopper asks); the PIN is checked when the card has one. */
    async balance(tenantId: string, code: string, pin?: string): Promise<Result<StoredValueView>> {
      const account = await findByCode(tenantId, code);
      if (!account) return fail('unknown_stored_value', 'No gift card or store credit has that code.');
      const pinOk = await checkPin(account, pin);
      if (!pinOk.ok) return pinOk;
      return { ok: true, value: storedValueView(account) };
    },

    async get(tenantId: string, id: string): Promise<Result<StoredValueView>> {
      const account = await db
        .selectFrom('stored_value_accounts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!account) return fail('not_found', `No stored value account ${id}.`);
      return { ok: true, value: storedValueView(account) };
    },

    async entries(tenantId: string, id: string) {
      return db
        .selectFrom('stored_value_entries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('account_id', '=', id)
        .orderBy('id')
        .execute();
    },

    /**
     * Checks every stored-value tender (code, PIN, status, expiry, currency, balance) and returns
     * the statements that spend them, to run inside checkout's own write batch. The balance
     * check here is advisory: the CHECK constraint decides when two registers race.
     */
    async prepareRedeem(
      tenantId: string,
      tenders: readonly StoredValueTender[],
      meta: { currency: string; orderId: string; staffId: string; now: string },
    ): Promise<Result<{ queries: CompiledQuery[]; accountIds: Map<number, string> }>> {
      const queries: CompiledQuery[] = [];
      const accountIds = new Map<number, string>();
      const spent = new Map<string, number>();
      for (const t of tenders) {
        const account = await findByCode(tenantId, t.code);
        const ok = usable(account, t.kind, meta.currency, meta.now);
        if (!ok.ok) return fail(ok.error.code, ok.error.message, { tender: t.index });
        const pinOk = await checkPin(ok.value, t.pin);
        if (!pinOk.ok)
          return fail(pinOk.error.code, pinOk.error.message, {
            tender: t.index,
            ...(pinOk.error.details as object),
          });
        const total = (spent.get(ok.value.id) ?? 0) + t.amount;
        if (total > ok.value.balance) {
          return fail(
            'insufficient_balance',
            `The ${t.kind === 'gift_card' ? 'gift card' : 'store credit'} holds only ${ok.value.balance}.`,
            {
              tender: t.index,
              balance: ok.value.balance,
              requested: total,
            },
          );
        }
        spent.set(ok.value.id, total);
        accountIds.set(t.index, ok.value.id);
        queries.push(
          ...movementQueries(
            db,
            {
              id: ids.newId('sve'),
              tenant_id: tenantId,
              account_id: ok.value.id,
              kind: 'redeem',
              amount: -t.amount,
              order_id: meta.orderId,
              payment_id: t.paymentId,
              refund_id: null,
              staff_id: meta.staffId,
              created_at: meta.now,
            },
            meta.now,
          ),
        );
      }
      return { ok: true, value: { queries, accountIds } };
    },

    /** Puts a refunded amount back on the account a payment was taken from (inside the refund's transaction). */
    async refundTo(
      trx: Kysely<DB>,
      a: {
        tenantId: string;
        accountId: string;
        amount: number;
        orderId: string;
        paymentId: string | null;
        refundId: string;
        staffId: string;
        now: string;
      },
    ): Promise<void> {
      for (const q of movementQueries(
        trx,
        {
          id: ids.newId('sve'),
          tenant_id: a.tenantId,
          account_id: a.accountId,
          kind: 'refund',
          amount: a.amount,
          order_id: a.orderId,
          payment_id: a.paymentId,
          refund_id: a.refundId,
          staff_id: a.staffId,
          created_at: a.now,
        },
        a.now,
      ))
        await trx.executeQuery(q);
    },

    /**
     * A refund paid out as store credit: onto the customer's existing credit when the order has
     * a customer, else a new credit note whose code is returned once.
     */
    async creditNote(
      trx: Kysely<DB>,
      a: {
        tenantId: string;
        customerId: string | null;
        currency: string;
        amount: number;
        orderId: string;
        refundId: string;
        staffId: string;
        now: string;
      },
    ): Promise<{ accountId: string; code: string | null }> {
      let accountId: string | undefined;
      let code: string | null = null;
      if (a.customerId !== null) {
        accountId = (
          await trx
            .selectFrom('stored_value_accounts')
            .select('id')
            .where('tenant_id', '=', a.tenantId)
            .where('customer_id', '=', a.customerId)
            .where('kind', '=', 'store_credit')
            .where('currency', '=', a.currency)
            .where('status', '=', 'active')
            .orderBy('id')
            .executeTakeFirst()
        )?.id;
      }
      if (accountId === undefined) {
        code = newStoredValueCode();
        accountId = ids.newId('scr');
        await trx
          .insertInto('stored_value_accounts')
          .values({
            id: accountId,
            tenant_id: a.tenantId,
            kind: 'store_credit',
            code_hash: codeHash(code),
            code_last4: normalizeCode(code).slice(-4),
            pin_hash: null,
            currency: a.currency,
            balance: 0,
            status: 'active',
            customer_id: a.customerId,
            expires_at: null,
            pin_failures: 0,
            created_at: a.now,
            updated_at: a.now,
          })
          .execute();
      }
      await service.refundTo(trx, { ...a, accountId, paymentId: null });
      return { accountId, code };
    },
  };
  return service;
}

export type StoredValueService = ReturnType<typeof createStoredValue>;
