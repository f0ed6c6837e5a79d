import {
  normalizeGtin,
  parseBarcode,
  priceCart,
  settleTenders,
  saleContext,
  toMilli,
  type Promotion,
  type PromotionContext,
  type AppliedDiscount,
  type CartLineInput,
  type EmbeddedBarcodeRule,
  type TaxClass,
  type TenderKind,
  type Unit,
} from '@opentill/core';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Deps } from '../../deps';
import type { DB, OrderLineTable, OrderTable, PaymentTable, StoreTable } from '../../db/schema';
import { templateQuery, type Markers } from '../../db/query-template';
import { isUniqueViolation } from '../../db/database';
import { insertRows } from '../../db/insert-rows';
import { fail, type ApiError, type ErrorCode } from '../../http/errors';
import { sha256Hex } from '../../lib/secrets';
import { stableStringify } from '../../lib/json';
import { saleLookupQueries, type SaleVariantRow } from '../catalog/lookup';
import { auditQuery, outboxQuery } from '../audit/audit';
import { movementQueries, type MovementInput } from '../stock/movements';
import type { AuthContext } from '../auth/service';
import { orderView, type OrderDetails, type OrderView } from './view';
import { needsPreparation, type PaymentsService, type PreparedTenders } from '../payments/service';
import type { MemberCheckout } from '../customers/checkout-hook';
import { activePromotionsQuery } from '../promotions/lookup';
import { toPromotion } from '../promotions/store';
import type { PromotionTable } from '../../db/schema';
import type { ApprovalAction } from '../approvals/service';

export type DiscountBody = ({ kind: 'amount'; amount: number } | { kind: 'percent'; percentBp: number }) & {
  reason: string;
};

export interface CheckoutBody {
  id: string;
  storeId: string;
  registerId: string;
  customerId?: string | null;
  /** a coupon code (modules/coupons) */
  couponCode?: string;
  /** the register made this sale offline and syncs it now */
  offline?: boolean;
  /** the e-receipt token printed on the receipt (modules/marketing) */
  receiptToken?: string;
  lines: {
    lineId?: string;
    variantId?: string;
    barcode?: string;
    quantity?: number;
    discount?: DiscountBody;
    /** a unit price the cashier typed over the store's price (minor units); may need a manager */
    priceOverride?: number;
  }[];
  orderDiscounts?: DiscountBody[];
  tenders: {
    kind: TenderKind;
    amount: number;
    reference?: string;
    /** gift card PIN, when the card has one */
    pin?: string;
    /** card: the payment terminal that reads the card (integrated card payment) */
    terminalId?: string;
    /** card taken offline by the terminal under the register's floor limit (store-and-forward) */
    offline?: boolean;
  }[];
  /** chosen by the shopper on the customer display; paid with the tenders, not part of the goods total */
  tip?: number;
  /** the total the register computed; a disagreement is `price_mismatch` */
  total?: number;
  createdAt?: string;
}

/**
 * Step-up approvals for what the cashier changes by hand (price overrides, discounts): the
 * approvals module implements it, orders only asks. `needed` keeps the actions the tenant's policy
 * gates; `consumeAll` uses approvals for them (or answers approval_required) and gives a `release`
 * for when the sale is not recorded after all.
 */
export interface CheckoutApprovals {
  needed(tenantId: string, actions: ApprovalAction[]): Promise<ApprovalAction[]>;
  consumeAll(
    ctx: AuthContext,
    approvalIds: readonly string[],
    actions: readonly ApprovalAction[],
  ): Promise<{ ok: true; value: { release: () => Promise<void> } } | { ok: false; error: ApiError }>;
}

/**
 * The hand-made changes of a sale, as approval actions bound to the order id: one
 * `price_override` (amount: what the overrides move off the store prices, in minor units) and one
 * `discount` (percentBp: the largest manual discount as a share of what it applies to). Promotions,
 * coupons and price-embedded barcodes are not hand-made and need no one.
 */
export function manualActions(
  body: CheckoutBody,
  lines: readonly { listPrice: number; unitPrice: number; quantity: number; overridden: boolean }[],
  currency: string,
): ApprovalAction[] {
  const actions: ApprovalAction[] = [];
  let moved = 0;
  let overridden = false;
  for (const l of lines) {
    if (!l.overridden) continue;
    overridden = true;
    moved += Math.round(Math.abs(l.listPrice - l.unitPrice) * l.quantity);
  }
  if (overridden) actions.push({ kind: 'price_override', amount: moved, currency, entityId: body.id });
  let bp = -1;
  const shareOf = (amount: number, base: number) =>
    base <= 0 ? 10_000 : Math.min(10_000, Math.ceil((amount * 10_000) / base));
  for (const [i, line] of body.lines.entries()) {
    const d = line.discount;
    const l = lines[i];
    if (!d || !l) continue;
    bp = Math.max(bp, d.kind === 'percent' ? d.percentBp : shareOf(d.amount, l.unitPrice * l.quantity));
  }
  const base = lines.reduce((sum, l) => sum + Math.round(l.unitPrice * l.quantity), 0);
  for (const d of body.orderDiscounts ?? [])
    bp = Math.max(bp, d.kind === 'percent' ? d.percentBp : shareOf(d.amount, base));
  if (bp >= 0) actions.push({ kind: 'discount', percentBp: bp, entityId: body.id });
  return actions;
}

/** The sanctions gate a sale with a customer passes (compliance implements it; orders only calls it). */
export type CustomerSaleHold = (
  tenantId: string,
  sale: { orderId: string; customerId: string; amount: number; currency: string },
) => Promise<{ ok: true } | { ok: false; error: ApiError }>;

export type CheckoutResult =
  | {
      ok: true;
      status: number;
      body: OrderView;
      /** `body` as JSON text: what was stored under the idempotency key, sent as is */
      json: string;
      replayed: boolean;
    }
  | { ok: false; error: ApiError };

/**
 * Without the payments module only these are taken (the others need balances or a provider);
 * loyalty points are spent by the members step, not by payments.
 */
const BASIC_TENDERS: ReadonlySet<TenderKind> = new Set(['cash', 'card', 'other', 'loyalty_points']);

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * True when the text holds a card number anywhere: 13–19 digits passing Luhn, alone or inside
 * other text ("TXN 4111 1111 1111 1111"), written in groups split by spaces or dashes. Every run
 * of consecutive groups is tried, so a card number next to another number is found too.
 */
export function looksLikePan(text: string): boolean {
  for (const run of text.match(/\d+(?:[\s-]\d+)*/g) ?? []) {
    const groups = run.split(/[\s-]/);
    for (let start = 0; start < groups.length; start++) {
      let digits = '';
      for (let end = start; end < groups.length && digits.length < 19; end++) {
        digits += groups[end];
        if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
      }
    }
  }
  return false;
}

function toDiscount(d: DiscountBody, staffId: string): AppliedDiscount {
  return {
    discount:
      d.kind === 'amount'
        ? { kind: 'amount', amount: d.amount }
        : { kind: 'percent', percentBp: d.percentBp },
    reason: d.reason,
    by: staffId,
  };
}

const SCOPE = 'orders';

/**
 * Everything checkout reads, as one list of queries for a single round trip. Each is compiled
 * once per shape (the lengths of the reference lists) and reused: see `templateQuery`.
 */
function checkoutReads(
  db: Kysely<DB>,
  a: {
    tenantId: string;
    storeId: string;
    registerId: string;
    key: string;
    variantIds: string[];
    gtins: string[];
    plus: string[];
  },
): CompiledQuery[] {
  const shape = `${a.variantIds.length}|${a.gtins.length}|${a.plus.length}`;
  const lookup = (m: Markers) =>
    saleLookupQueries(db, m.value('tenantId'), m.value('storeId'), {
      variantIds: m.list('variantIds', a.variantIds.length),
      gtins: m.list('gtins', a.gtins.length),
      plus: m.list('plus', a.plus.length),
    });
  return [
    templateQuery(
      db,
      'checkout.idempotency',
      (m) =>
        db
          .selectFrom('idempotency_keys')
          .select(['request_hash', 'status_code', 'response'])
          .where('tenant_id', '=', m.value('tenantId'))
          .where('scope', '=', SCOPE)
          .where('key', '=', m.value('key')),
      a,
    ),
    templateQuery(
      db,
      'checkout.store',
      (m) =>
        db
          .selectFrom('stores')
          .selectAll()
          .where('tenant_id', '=', m.value('tenantId'))
          .where('id', '=', m.value('storeId')),
      a,
    ),
    templateQuery(
      db,
      'checkout.register',
      (m) =>
        db
          .selectFrom('registers')
          .select(['id', 'store_id', 'active', 'offline_card_limit'])
          .where('tenant_id', '=', m.value('tenantId'))
          .where('id', '=', m.value('registerId')),
      a,
    ),
    templateQuery(
      db,
      'checkout.session',
      (m) =>
        db
          .selectFrom('cash_sessions')
          .select(['id'])
          .where('tenant_id', '=', m.value('tenantId'))
          .where('register_id', '=', m.value('registerId'))
          .where('status', '=', 'open'),
      a,
    ),
    templateQuery(db, `checkout.barcodes|${shape}`, (m) => ({ compile: () => lookup(m).barcodes }), a),
    templateQuery(db, `checkout.variants|${shape}`, (m) => ({ compile: () => lookup(m).variants }), a),
    templateQuery(db, 'checkout.promotions', (m) => activePromotionsQuery(db, m), a),
  ];
}

/**
 * Checkout: one read round trip (idempotency key, store, register, open cash session, catalog
 * facts), pricing and tenders in the pure core, then one atomic write batch (order, lines,
 * payments, stock movements and levels, outbox event, audit entry, idempotency record).
 */
/** How far back a register's `createdAt` is believed for promotion time windows (an offline sale synced late). */
const PROMOTION_CLOCK_TRUST_MS = 7 * 24 * 3600_000;

/**
 * The instant whose store-local time decides time-window promotions: when the register says
 * when it made the sale (offline sales sync later) and that is plausible, that instant; else now.
 */
export function promotionInstant(createdAt: string | undefined, now: Date): string {
  const at = createdAt === undefined ? NaN : Date.parse(createdAt);
  const ms = now.getTime();
  if (Number.isNaN(at) || at > ms + 5 * 60_000 || at < ms - PROMOTION_CLOCK_TRUST_MS)
    return now.toISOString();
  return new Date(at).toISOString();
}

export function createCheckout(
  deps: Deps,
  payments?: PaymentsService,
  hooks: {
    members?: MemberCheckout;
    /** the customer's tier and segments, for member promotions (read only when such a promotion is active) */
    customerFacts?: (
      tenantId: string,
      customerId: string,
    ) => Promise<{ tierId: string | null; segmentIds: string[] }>;
    /** sanctions: refuses a sale whose customer is held (compliance, wired in app.ts) */
    customerSaleHold?: CustomerSaleHold;
    /** step-up approvals for price overrides and discounts (approvals, wired in app.ts) */
    approvals?: CheckoutApprovals;
  } = {},
) {
  const { database, clock, ids } = deps;
  const db = database.db;

  async function replay(
    tenantId: string,
    key: string,
    hash: string,
    orderId: string,
  ): Promise<CheckoutResult | null> {
    const [idem, order] = await database.readBatch([
      db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'response'])
        .where('tenant_id', '=', tenantId)
        .where('scope', '=', SCOPE)
        .where('key', '=', key)
        .compile(),
      db.selectFrom('orders').select(['id']).where('id', '=', orderId).compile(),
    ]);
    const row = idem?.[0] as { request_hash: string; status_code: number; response: string } | undefined;
    if (row) {
      if (row.request_hash !== hash) {
        return fail(
          'idempotency_conflict',
          'This Idempotency-Key was already used with a different request body.',
        );
      }
      return {
        ok: true,
        status: row.status_code,
        body: JSON.parse(row.response) as OrderView,
        json: row.response,
        replayed: true,
      };
    }
    if (order && order.length > 0) {
      return fail(
        'order_exists',
        `An order with id ${orderId} already exists (under another Idempotency-Key).`,
      );
    }
    return null;
  }

  /**
   * Prices `body` and, when `key` is given, records the sale. Without a key nothing is written
   * and the priced order is returned with status 200 (a quote: what the register would charge).
   */
  async function run(
    ctx: AuthContext,
    key: string | null,
    body: CheckoutBody,
    attempt = 1,
    approvalIds: readonly string[] = [],
  ): Promise<CheckoutResult> {
    const tenantId = ctx.tenantId;
    const hash = sha256Hex(stableStringify(body));

    // Resolve barcodes without the store's rules first: GTINs go into the lookup, embedded
    // (prefix 2x) codes need the store's rules, so collect their item codes under every layout.
    const gtins = new Set<string>();
    const plus = new Set<string>();
    for (const line of body.lines) {
      if (line.barcode === undefined) continue;
      if (/^\d{8,14}$/.test(line.barcode)) gtins.add(normalizeGtin(line.barcode));
      if (/^2\d{12}$/.test(line.barcode)) for (const n of [4, 5, 6]) plus.add(line.barcode.slice(2, 2 + n));
    }
    const variantIds = [...new Set(body.lines.flatMap((l) => (l.variantId ? [l.variantId] : [])))];
    const [idemRows, storeRows, registerRows, sessionRows, barcodeRows, variantRows, promotionRows] =
      await database.readBatch(
        checkoutReads(db, {
          tenantId,
          storeId: body.storeId,
          registerId: body.registerId,
          key: key ?? '',
          variantIds,
          gtins: [...gtins],
          plus: [...plus],
        }),
      );

    const idem =
      key === null
        ? undefined
        : (idemRows?.[0] as { request_hash: string; status_code: number; response: string } | undefined);
    if (idem) {
      if (idem.request_hash !== hash) {
        return fail(
          'idempotency_conflict',
          'This Idempotency-Key was already used with a different request body.',
        );
      }
      return {
        ok: true,
        status: idem.status_code,
        body: JSON.parse(idem.response) as OrderView,
        json: idem.response,
        replayed: true,
      };
    }
    const store = storeRows?.[0] as StoreTable | undefined;
    if (!store) return fail('unknown_store', `Store ${body.storeId} does not exist.`);
    const register = registerRows?.[0] as
      { id: string; store_id: string; active: number; offline_card_limit: number } | undefined;
    if (!register) return fail('unknown_register', `Register ${body.registerId} does not exist.`);
    if (register.store_id !== store.id) {
      return fail('register_store_mismatch', `Register ${register.id} belongs to another store.`);
    }
    const sessionId = (sessionRows?.[0] as { id: string } | undefined)?.id ?? null;

    const byGtin = new Map(
      (barcodeRows as { code: string; variant_id: string }[]).map((b) => [b.code, b.variant_id]),
    );
    const variants = new Map((variantRows as unknown as SaleVariantRow[]).map((v) => [v.id, v]));
    const byPlu = new Map<string, SaleVariantRow>();
    for (const v of variants.values()) if (v.plu_code) byPlu.set(v.plu_code, v);
    const rules = JSON.parse(store.embedded_barcodes) as EmbeddedBarcodeRule[];

    // lines → cart input
    const cartLines: CartLineInput[] = [];
    const taxClasses: Record<string, TaxClass> = {};
    const extra: { nameZh: string | null; discount: AppliedDiscount | null }[] = [];
    const manual: { listPrice: number; unitPrice: number; quantity: number; overridden: boolean }[] = [];
    for (const [i, line] of body.lines.entries()) {
      let variant: SaleVariantRow | undefined;
      let quantity = line.quantity;
      let priceOverride: number | undefined;
      let manualPrice = false;
      if (line.variantId !== undefined) {
        variant = variants.get(line.variantId);
        if (!variant || variant.active !== 1) {
          return fail('unknown_variant', `Line ${i + 1}: variant ${line.variantId} does not exist.`, {
            line: i,
          });
        }
      } else if (line.barcode !== undefined) {
        const scanned = parseBarcode(line.barcode, rules);
        if (!scanned.ok)
          return fail('invalid_barcode', `Line ${i + 1}: ${scanned.error.message}`, { line: i });
        const s = scanned.value;
        if (s.kind === 'gtin') {
          const id = byGtin.get(normalizeGtin(s.gtin));
          variant = id ? variants.get(id) : undefined;
        } else {
          variant = byPlu.get(s.itemCode);
          if (s.priceMinor !== undefined) {
            priceOverride = s.priceMinor;
            quantity ??= 1;
          }
          if (s.weightMilli !== undefined) {
            if (quantity !== undefined && line.quantity !== undefined) {
              return fail('invalid_quantity', `Line ${i + 1}: a weight barcode carries its own quantity.`, {
                line: i,
              });
            }
            quantity = s.weightMilli / 1000;
          }
        }
        if (!variant || variant.active !== 1) {
          return fail('unknown_barcode', `Line ${i + 1}: no product has barcode ${line.barcode}.`, {
            line: i,
          });
        }
      } else {
        return fail('validation_failed', `Line ${i + 1} needs a variantId or a barcode.`, { line: i });
      }
      if (variant.price === null) {
        return fail('no_price', `Line ${i + 1}: ${variant.name} has no price in this store.`, { line: i });
      }
      if (variant.rate_ppm === null) {
        return fail('unknown_tax_class', `Line ${i + 1}: ${variant.name} has no tax rate in this store.`, {
          line: i,
        });
      }
      taxClasses[variant.tax_class_id] = {
        id: variant.tax_class_id,
        name: variant.tax_class_id,
        ratePpm: variant.rate_ppm,
      };
      // a unit price typed by the cashier (not a label's price, which is the line's total)
      let unitPrice = variant.price;
      if (line.priceOverride !== undefined) {
        if (priceOverride !== undefined)
          return fail('validation_failed', `Line ${i + 1}: a price label already sets this line's price.`, {
            line: i,
          });
        unitPrice = line.priceOverride;
        manualPrice = true;
      }
      manual.push({
        listPrice: variant.price,
        unitPrice,
        quantity: quantity ?? 1,
        overridden: manualPrice,
      });
      const discount = line.discount ? toDiscount(line.discount, ctx.staffId) : undefined;
      cartLines.push({
        lineId: line.lineId ?? String(i + 1),
        variantId: variant.id,
        name: variant.name,
        unit: variant.unit as Unit,
        unitPrice,
        quantity: quantity ?? 1,
        taxClassId: variant.tax_class_id,
        productId: variant.product_id,
        categoryId: variant.category_id,
        ...(discount ? { discount } : {}),
        ...(priceOverride !== undefined ? { priceOverride } : {}),
      });
      extra.push({ nameZh: variant.name_zh, discount: discount ?? null });
    }
    if (new Set(cartLines.map((l) => l.lineId)).size !== cartLines.length) {
      return fail('validation_failed', 'Line ids must be unique within an order.');
    }

    const tip = body.tip ?? 0;
    // --- members: customer, coupon and loyalty (modules/customers/checkout-hook.ts) ---
    const memberStarted = hooks.members
      ? await hooks.members.begin(
          ctx,
          body,
          store.currency,
          cartLines.map((l) => l.variantId),
          clock.now().toISOString(),
        )
      : null;
    if (memberStarted && !memberStarted.ok) return memberStarted;
    const member = memberStarted?.value ?? null;
    // --- end members ---
    const orderDiscounts = [
      ...(body.orderDiscounts ?? []).map((d) => toDiscount(d, ctx.staffId)),
      ...(member?.orderDiscounts ?? []),
    ];
    // --- promotions: recomputed here from the server's own rules, never taken from the register ---
    const promotions: Promotion[] = ((promotionRows ?? []) as unknown as PromotionTable[]).map(toPromotion);
    let promotionInput: { promotions: Promotion[]; context: PromotionContext } | undefined;
    if (promotions.length > 0) {
      const memberRules = promotions.some((p) =>
        p.conditions.some((c) => c.kind === 'member_tier' || c.kind === 'segment'),
      );
      const facts =
        memberRules && body.customerId && hooks.customerFacts
          ? await hooks.customerFacts(tenantId, body.customerId)
          : null;
      promotionInput = {
        promotions,
        context: saleContext({
          storeId: store.id,
          timeZone: store.time_zone,
          at: promotionInstant(body.createdAt, clock.now()),
          tierId: facts?.tierId ?? null,
          segmentIds: facts?.segmentIds ?? [],
          // only a coupon the members step validated (it fails the checkout otherwise)
          couponCodes: body.couponCode && member ? [body.couponCode] : [],
        }),
      };
    }
    // --- end promotions ---
    const priced = priceCart(
      { lines: cartLines, orderDiscounts, ...(promotionInput ? { promotions: promotionInput } : {}) },
      {
        currency: store.currency,
        taxMode: store.tax_mode,
        taxRounding: store.tax_rounding,
        roundingMode: store.rounding_mode,
        taxClasses,
      },
    );
    if (!priced.ok) return fail(priced.error.code as ErrorCode, priced.error.message, priced.error.details);
    const cart = priced.value;
    if (body.total !== undefined && body.total !== cart.total) {
      return fail(
        'price_mismatch',
        `The register's total ${body.total} differs from the server's ${cart.total}; refresh prices and try again.`,
        { expected: cart.total, received: body.total },
      );
    }

    for (const t of body.tenders) {
      if (!payments && (!BASIC_TENDERS.has(t.kind) || t.terminalId !== undefined || t.offline)) {
        return fail('unsupported_tender', `Tender ${t.kind} is not available yet; use cash, card or other.`);
      }
      if (t.reference !== undefined && looksLikePan(t.reference)) {
        return fail('card_data_not_allowed', 'A tender reference must not contain a card number.');
      }
    }
    const settled =
      key === null && body.tenders.length === 0
        ? {
            ok: true as const,
            value: { total: cart.total, cashRounding: 0, amountDue: cart.total, tenders: [], change: 0 },
          }
        : settleTenders(cart.total + tip, body.tenders, {
            increment: store.cash_increment,
            mode: store.rounding_mode,
          });
    if (!settled.ok)
      return fail(settled.error.code as ErrorCode, settled.error.message, settled.error.details);
    const settlement = settled.value;

    // stock: block or flag going below zero
    const need = new Map<string, number>();
    for (const l of cart.lines)
      need.set(l.variantId, (need.get(l.variantId) ?? 0) + (toMilli(l.quantity) ?? 0));
    const moves: MovementInput[] = [];
    let flagged = false;
    for (const [variantId, qty] of need) {
      const onHand = variants.get(variantId)?.on_hand_milli ?? 0;
      const negative = onHand - qty < 0;
      if (negative && store.negative_stock === 'block') {
        return fail(
          'insufficient_stock',
          `Not enough stock of ${variants.get(variantId)?.name ?? variantId}.`,
          {
            variantId,
            onHand: onHand / 1000,
            requested: qty / 1000,
          },
        );
      }
      flagged ||= negative;
      moves.push({
        storeId: store.id,
        variantId,
        kind: 'sale',
        qtyMilli: -qty,
        refId: body.id,
        staffId: ctx.staffId,
        wentNegative: negative,
      });
    }

    const now = clock.now().toISOString();
    const details: OrderDetails = {
      taxes: cart.taxes,
      orderDiscounts,
      ...(tip > 0 ? { tip } : {}),
      ...(cart.promotions.length > 0 ? { promotions: cart.promotions } : {}),
    };
    const order: OrderTable = {
      id: body.id,
      tenant_id: tenantId,
      store_id: store.id,
      register_id: register.id,
      cash_session_id: sessionId,
      staff_id: ctx.staffId,
      customer_id: body.customerId ?? null,
      status: 'paid',
      currency: store.currency,
      subtotal: cart.subtotal,
      discount_total: cart.discountTotal,
      tax_total: cart.taxTotal,
      total: cart.total,
      cash_rounding: settlement.cashRounding,
      change_given: settlement.change,
      refunded_total: 0,
      details: JSON.stringify(details),
      stock_flagged: flagged ? 1 : 0,
      client_created_at: body.createdAt ?? null,
      created_at: now,
      updated_at: now,
    };
    const lines: OrderLineTable[] = cart.lines.map((l, i) => ({
      tenant_id: tenantId,
      order_id: body.id,
      line_no: i + 1,
      line_id: l.lineId,
      variant_id: l.variantId,
      name: l.name,
      name_zh: extra[i]?.nameZh ?? null,
      unit: l.unit,
      quantity_milli: toMilli(l.quantity) ?? 0,
      unit_price: l.unitPrice,
      gross: l.gross,
      line_discount: l.lineDiscount,
      promotion_discount: l.promotionDiscount,
      order_discount: l.orderDiscount,
      net: l.net,
      tax: l.tax,
      total: l.total,
      tax_class_id: l.taxClassId,
      rate_ppm: l.ratePpm,
      discount: extra[i]?.discount ? JSON.stringify(extra[i]?.discount) : null,
    }));
    const payments_: PaymentTable[] = settlement.tenders.map((t, i) => ({
      id: ids.newId('pay'),
      tenant_id: tenantId,
      order_id: body.id,
      seq: i + 1,
      kind: t.kind,
      status: 'captured',
      amount: t.amount,
      tendered: t.tendered,
      reference: t.reference ?? null,
      created_at: now,
    }));
    // --- members: coupon redemption and points ledger join the sale's batch (checked before any card is charged) ---
    const memberQueries = member
      ? await member.finish({
          orderId: order.id,
          storeId: store.id,
          registerId: register.id,
          cart,
          amountDue: settlement.amountDue,
          now,
        })
      : null;
    if (memberQueries && !memberQueries.ok) return memberQueries;
    // --- end members ---
    if (key === null) {
      const quoted = orderView(order, lines, payments_);
      return { ok: true, status: 200, body: quoted, json: JSON.stringify(quoted), replayed: false };
    }

    // --- sanctions: a sale with a customer is refused while the customer is held, before any card is charged ---
    if (body.customerId && hooks.customerSaleHold) {
      const hold = await hooks.customerSaleHold(tenantId, {
        orderId: order.id,
        customerId: body.customerId,
        amount: cart.total,
        currency: store.currency,
      });
      if (!hold.ok) return hold;
    }
    // --- end sanctions ---

    // --- approvals: price overrides and manual discounts the tenant's policy gates ---
    let approved: { release: () => Promise<void> } | null = null;
    const handMade =
      manual.some((m) => m.overridden) ||
      body.lines.some((l) => l.discount) ||
      (body.orderDiscounts?.length ?? 0) > 0;
    if (hooks.approvals && handMade) {
      const needed = await hooks.approvals.needed(tenantId, manualActions(body, manual, store.currency));
      if (needed.length > 0) {
        const used = await hooks.approvals.consumeAll(ctx, approvalIds, needed);
        if (!used.ok) return used;
        approved = used.value;
      }
    }
    // --- end approvals ---

    // tenders that need balances, a provider or a card authorization: checked (and cards
    // authorized) now, outside the transaction; their writes join the batch below.
    // A cash-only sale skips all of this: no extra round trip.
    let prepared: PreparedTenders | null = null;
    const toPrepare = body.tenders.flatMap((t, index) =>
      payments && needsPreparation(t)
        ? [
            {
              ...t,
              index,
              amount: settlement.tenders[index]?.amount ?? t.amount,
              paymentId: payments_[index]?.id ?? '',
            },
          ]
        : [],
    );
    if (payments && toPrepare.length > 0) {
      const done = await payments.prepareCheckout(
        {
          tenantId,
          staffId: ctx.staffId,
          storeId: store.id,
          registerId: register.id,
          key,
          orderId: body.id,
          currency: store.currency,
          offlineCardLimit: register.offline_card_limit,
          now,
        },
        toPrepare,
      );
      if (!done.ok) {
        await approved?.release();
        return done;
      }
      prepared = done.value;
      for (const [index, p] of prepared.payments) {
        const row = payments_[index];
        if (row) {
          row.reference = p.reference;
          row.status = p.status;
        }
      }
    }
    const view = orderView(order, lines, payments_);
    const response = JSON.stringify(view);

    const queries: CompiledQuery[] = [
      insertRows(db, 'idempotency_keys', [
        {
          tenant_id: tenantId,
          key,
          scope: SCOPE,
          request_hash: hash,
          status_code: 201,
          response,
          created_at: now,
        },
      ]),
      insertRows(db, 'orders', [order]),
      insertRows(db, 'order_lines', lines),
      ...(payments_.length ? [insertRows(db, 'payments', payments_)] : []),
      ...(prepared ? prepared.queries : []),
      ...movementQueries(db, tenantId, moves, now, ids),
      ...(memberQueries?.value ?? []), // members
      outboxQuery(
        db,
        ids,
        {
          tenantId: tenantId,
          topic: 'order.paid',
          payload: {
            orderId: order.id,
            storeId: order.store_id,
            total: order.total,
            currency: order.currency,
          },
        },
        now,
      ),
      auditQuery(
        db,
        ids,
        {
          tenantId: tenantId,
          staffId: ctx.staffId,
          action: 'order.create',
          entity: 'order',
          entityId: order.id,
          data: {
            total: order.total,
            currency: order.currency,
            registerId: order.register_id,
            discounts: cart.discountTotal,
          },
        },
        now,
      ),
    ];
    try {
      await database.batch(queries);
    } catch (e) {
      // the sale is not recorded: undo what happened outside the database (card authorizations)
      if (prepared) await prepared.compensate('commit_failed');
      // approvals used for it are given back; a retry below uses them again
      await approved?.release();
      const ours = payments?.batchFailure(e);
      if (ours) return ours;
      // members: a lost race for a coupon use or for points; running again gives the clear answer
      if (member?.contended(e) && !isUniqueViolation(e) && attempt < 3)
        return run(ctx, key, body, attempt + 1, approvalIds);
      if (!isUniqueViolation(e)) throw e;
      // a concurrent request with the same key or order id won the race
      const again = await replay(tenantId, key, hash, body.id);
      if (again) return again;
      if (member?.contended(e) && attempt < 3) return run(ctx, key, body, attempt + 1, approvalIds); // members
      throw e;
    }
    if (prepared) await prepared.committed();
    return { ok: true, status: 201, body: view, json: response, replayed: false };
  }

  return {
    checkout: (ctx: AuthContext, key: string, body: CheckoutBody, approvalIds: readonly string[] = []) =>
      run(ctx, key, body, 1, approvalIds),
    quote: (ctx: AuthContext, body: CheckoutBody) => run(ctx, null, body),
  };
}
