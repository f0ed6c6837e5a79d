import type { Deps } from '../../deps';
import type { CustomerTable } from '../../db/schema';
import type { FieldCipher } from '../../lib/field-cipher';
import { isUniqueViolation } from '../../db/database';
import { fail, type Result } from '../../http/errors';
import { auditQuery } from '../audit/audit';
import type { AuthContext } from '../auth/service';
import { randomCode } from './codes';
import {
  emailIndex,
  erasePersonalData,
  maskPhone,
  normalizeEmail,
  normalizePhone,
  openProfile,
  phoneIndex,
  sealProfile,
  type Profile,
} from './pii';

export type ConsentKind = 'marketing' | 'processing';

export interface Consent {
  granted: boolean;
  at: string | null;
  source: string | null;
}

export interface CustomerView {
  id: string;
  cardNo: string | null;
  /** what the member QR code encodes (`OTM:<code>`) */
  memberCode: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  birthday: string | null;
  note: string | null;
  consents: Record<ConsentKind, Consent>;
  erased: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the register shows after a lookup: enough to greet and confirm, no more. */
export interface MemberCard {
  id: string;
  name: string | null;
  phoneMasked: string | null;
  cardNo: string | null;
}

export interface CustomerInput {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  birthday?: string | null;
  cardNo?: string | null;
  note?: string | null;
  consents?: Partial<Record<ConsentKind, boolean>>;
  /** where consent was given: `register`, `back_office`, `e_receipt`, `import` */
  consentSource?: string;
}

export const MEMBER_QR_PREFIX = 'OTM:';

/** Customers: profiles with per-field encrypted personal data, consent, lookup, export, erasure. */
export function createCustomersService(
  deps: Deps,
  opts: {
    cipher: FieldCipher;
    /**
     * Sanctions screening of a customer's name at creation and change (the compliance module);
     * a failure to screen is logged, never a reason to lose the profile.
     */
    screen?: (tenantId: string, customerId: string, name: string) => Promise<void>;
  },
) {
  const { database, clock, ids } = deps;
  const { cipher } = opts;
  const db = database.db;

  async function load(tenantId: string, id: string): Promise<CustomerTable | undefined> {
    return db
      .selectFrom('customers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async function view(row: CustomerTable): Promise<CustomerView> {
    const p = await openProfile(cipher, row);
    const consent = (kind: ConsentKind): Consent => ({
      granted: row[`consent_${kind}`] === 1,
      at: row[`consent_${kind}_at`],
      source: row[`consent_${kind}_source`],
    });
    return {
      id: row.id,
      cardNo: row.card_no,
      memberCode: row.member_code,
      ...p,
      note: row.note,
      consents: { marketing: consent('marketing'), processing: consent('processing') },
      erased: row.erased_at !== null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  /** Normalises and checks the personal fields of an input. */
  function cleanProfile(input: CustomerInput): Result<Partial<Profile>> {
    const out: Partial<Profile> = {};
    if (input.name !== undefined) out.name = input.name?.trim() || null;
    if (input.phone !== undefined) {
      if (input.phone === null || input.phone.trim() === '') out.phone = null;
      else {
        const p = normalizePhone(input.phone);
        if (!p) return fail('invalid_phone', `${input.phone} is not a phone number.`);
        out.phone = p;
      }
    }
    if (input.email !== undefined) {
      if (input.email === null || input.email.trim() === '') out.email = null;
      else {
        const e = normalizeEmail(input.email);
        if (!e) return fail('invalid_email', `${input.email} is not an e-mail address.`);
        out.email = e;
      }
    }
    if (input.birthday !== undefined) {
      if (input.birthday !== null && !/^\d{4}-\d{2}-\d{2}$/.test(input.birthday)) {
        return fail('validation_failed', 'birthday must be YYYY-MM-DD.');
      }
      out.birthday = input.birthday;
    }
    return { ok: true, value: out };
  }

  function consentColumns(
    input: CustomerInput,
    current: CustomerTable | undefined,
    now: string,
  ): Partial<CustomerTable> {
    const out: Partial<CustomerTable> = {};
    for (const kind of ['marketing', 'processing'] as const) {
      const want = input.consents?.[kind];
      if (want === undefined) continue;
      const was = current ? current[`consent_${kind}`] === 1 : undefined;
      if (was === want) continue; // the time and source are of the last change
      out[`consent_${kind}`] = want ? 1 : 0;
      out[`consent_${kind}_at`] = now;
      out[`consent_${kind}_source`] = input.consentSource ?? 'back_office';
    }
    return out;
  }

  // no details: the values are personal data and the person typing them has them already
  const duplicate = () =>
    fail(
      'duplicate_customer',
      'Another customer already has this phone number, e-mail address or card number.',
    );

  async function screenName(tenantId: string, customerId: string, name: string) {
    if (!opts.screen) return;
    try {
      await opts.screen(tenantId, customerId, name);
    } catch (err) {
      deps.log.error({ err, customerId }, 'sanctions screening of a customer failed');
    }
  }

  return {
    async create(ctx: AuthContext, input: CustomerInput): Promise<Result<CustomerView>> {
      const profile = cleanProfile(input);
      if (!profile.ok) return profile;
      const now = clock.now().toISOString();
      const id = ids.newId('cus');
      const row: CustomerTable = {
        id,
        tenant_id: ctx.tenantId,
        card_no: input.cardNo?.trim() || null,
        member_code: randomCode(12),
        name_enc: null,
        phone_enc: null,
        email_enc: null,
        birthday_enc: null,
        phone_idx: null,
        email_idx: null,
        note: input.note ?? null,
        consent_marketing: 0,
        consent_marketing_at: null,
        consent_marketing_source: null,
        consent_processing: 0,
        consent_processing_at: null,
        consent_processing_source: null,
        erased_at: null,
        created_at: now,
        updated_at: now,
        ...(await sealProfile(cipher, ctx.tenantId, id, profile.value)),
        ...consentColumns(input, undefined, now),
      };
      try {
        await database.batch([
          db.insertInto('customers').values(row).compile(),
          auditQuery(
            db,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'customer.create',
              entity: 'customer',
              entityId: id,
              data: { consents: input.consents ?? {} },
            },
            now,
          ),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) return duplicate();
        throw e;
      }
      if (profile.value.name) await screenName(ctx.tenantId, id, profile.value.name);
      return { ok: true, value: await view(row) };
    },

    async update(ctx: AuthContext, id: string, input: CustomerInput): Promise<Result<CustomerView>> {
      const current = await load(ctx.tenantId, id);
      if (!current) return fail('unknown_customer', `Customer ${id} does not exist.`);
      if (current.erased_at) return fail('customer_erased', `Customer ${id} was erased.`);
      const profile = cleanProfile(input);
      if (!profile.ok) return profile;
      const now = clock.now().toISOString();
      const patch: Partial<CustomerTable> = {
        ...(await sealProfile(cipher, ctx.tenantId, id, profile.value)),
        ...consentColumns(input, current, now),
        ...(input.cardNo !== undefined ? { card_no: input.cardNo?.trim() || null } : {}),
        ...(input.note !== undefined ? { note: input.note } : {}),
        updated_at: now,
      };
      try {
        await database.batch([
          db
            .updateTable('customers')
            .set(patch)
            .where('tenant_id', '=', ctx.tenantId)
            .where('id', '=', id)
            .compile(),
          auditQuery(
            db,
            ids,
            {
              tenantId: ctx.tenantId,
              staffId: ctx.staffId,
              action: 'customer.update',
              entity: 'customer',
              // which fields changed, never their values
              entityId: id,
              data: { fields: Object.keys(input).filter((k) => k !== 'consentSource') },
            },
            now,
          ),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) return duplicate();
        throw e;
      }
      if (profile.value.name) await screenName(ctx.tenantId, id, profile.value.name);
      return { ok: true, value: await view({ ...current, ...patch }) };
    },

    async get(tenantId: string, id: string): Promise<Result<CustomerView>> {
      const row = await load(tenantId, id);
      return row
        ? { ok: true, value: await view(row) }
        : fail('unknown_customer', `Customer ${id} does not exist.`);
    },

    /** A customer who may buy now (exists, not erased): for checkout and loyalty. */
    async active(tenantId: string, id: string): Promise<Result<CustomerTable>> {
      const row = await load(tenantId, id);
      if (!row) return fail('unknown_customer', `Customer ${id} does not exist.`);
      if (row.erased_at) return fail('customer_erased', `Customer ${id} was erased.`);
      return { ok: true, value: row };
    },

    /**
     * Till lookup by what the customer shows or says: a phone number, the member QR
     * (`OTM:<code>`), a card number, or an e-mail address.
     */
    async lookup(tenantId: string, query: string): Promise<Result<MemberCard>> {
      const q = query.trim();
      let row: CustomerTable | undefined;
      const base = db.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId);
      if (q.toUpperCase().startsWith(MEMBER_QR_PREFIX)) {
        row = await base
          .where('member_code', '=', q.slice(MEMBER_QR_PREFIX.length).toUpperCase())
          .executeTakeFirst();
      } else if (q.includes('@')) {
        const e = normalizeEmail(q);
        if (e)
          row = await base.where('email_idx', '=', await emailIndex(cipher, tenantId, e)).executeTakeFirst();
      } else {
        row = await base.where('card_no', '=', q).executeTakeFirst();
        const p = row ? null : normalizePhone(q);
        if (p)
          row = await base.where('phone_idx', '=', await phoneIndex(cipher, tenantId, p)).executeTakeFirst();
      }
      if (!row || row.erased_at) return fail('unknown_customer', 'No customer matches.');
      const p = await openProfile(cipher, row);
      return {
        ok: true,
        value: { id: row.id, name: p.name, phoneMasked: maskPhone(p.phone), cardNo: row.card_no },
      };
    },

    /** Newest first. `q` finds by exact phone, e-mail or card number (personal data is not searchable as text). */
    async list(
      tenantId: string,
      opts: { q?: string; limit?: number; before?: string },
    ): Promise<CustomerView[]> {
      if (opts.q) {
        const found = await this.lookup(tenantId, opts.q);
        if (!found.ok) return [];
        const one = await this.get(tenantId, found.value.id);
        return one.ok ? [one.value] : [];
      }
      let q = db
        .selectFrom('customers')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('id', 'desc')
        .limit(opts.limit ?? 50);
      if (opts.before) q = q.where('id', '<', opts.before);
      return Promise.all((await q.execute()).map(view));
    },

    async history(tenantId: string, id: string, limit = 50) {
      const rows = await db
        .selectFrom('orders')
        .select(['id', 'store_id', 'status', 'currency', 'total', 'refunded_total', 'created_at'])
        .where('tenant_id', '=', tenantId)
        .where('customer_id', '=', id)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        storeId: r.store_id,
        status: r.status,
        currency: r.currency,
        total: r.total,
        refundedTotal: r.refunded_total,
        createdAt: r.created_at,
      }));
    },

    /**
     * Erasure: shreds the customer's key and clears the personal columns and lookups. The row
     * stays as an anonymous id, so orders, points and coupons remain facts without a person.
     */
    async erase(ctx: AuthContext, id: string): Promise<Result<{ id: string; erasedAt: string }>> {
      const row = await load(ctx.tenantId, id);
      if (!row) return fail('unknown_customer', `Customer ${id} does not exist.`);
      if (row.erased_at) return { ok: true, value: { id, erasedAt: row.erased_at } };
      const now = clock.now().toISOString();
      const cleared = await erasePersonalData(cipher, ctx.tenantId, id);
      await database.batch([
        db
          .updateTable('customers')
          .set({
            ...cleared,
            consent_marketing: 0,
            consent_marketing_at: now,
            consent_marketing_source: 'erasure',
            erased_at: now,
            updated_at: now,
          })
          .where('tenant_id', '=', ctx.tenantId)
          .where('id', '=', id)
          .compile(),
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'customer.erase',
            entity: 'customer',
            entityId: id,
            data: {},
          },
          now,
        ),
      ]);
      return { ok: true, value: { id, erasedAt: now } };
    },

    /** Records that a staff member exported a customer's data (privacy access request). */
    async auditExport(ctx: AuthContext, id: string) {
      await database.batch([
        auditQuery(
          db,
          ids,
          {
            tenantId: ctx.tenantId,
            staffId: ctx.staffId,
            action: 'customer.export',
            entity: 'customer',
            entityId: id,
            data: {},
          },
          clock.now().toISOString(),
        ),
      ]);
    },
  };
}

export type CustomersService = ReturnType<typeof createCustomersService>;
