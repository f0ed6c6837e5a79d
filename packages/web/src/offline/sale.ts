/**
 * Pure sale building: cart → core pricing input for a store, tender checks for offline use, and
 * the exact POST /api/v1/orders body. No IndexedDB, no network: `till.ts` supplies the data.
 */
import {
  fail,
  makeEmbeddedBarcode,
  ok,
  priceCart,
  promotionHints,
  saleContext,
  settleTenders,
  type AppliedDiscount,
  type Promotion,
  type CartInput,
  type CartLineInput,
  type HintItem,
  type PricedCart,
  type PricingContext,
  type PromotionHint,
  type Settlement,
  type TaxClass,
  type TenderKind,
} from '@opentill/core';
import type { Cart, CartLine, RegisterInfo, TenderEntry, TillResult } from './contract';
import type { StoreRow, TaxClassRow } from './db';

/** Tenders whose balance lives on a server: refused offline. */
export const NETWORK_ONLY_TENDERS: ReadonlySet<TenderKind> = new Set(['wallet', 'gift_card', 'store_credit']);

/** Current price of a variant in the store, or undefined when the till no longer knows it. */
export type PriceLookup = (variantId: string) => number | null | undefined;

export function pricingLines(cart: Cart, price: PriceLookup): TillResult<CartLineInput[]> {
  const lines: CartLineInput[] = [];
  for (const line of cart.lines) {
    const current = price(line.item.variantId);
    const unitPrice = current === undefined ? line.item.price : current;
    if (unitPrice === null && line.priceOverride === undefined && line.unitPrice === undefined) {
      return fail('no_price', `${line.item.name} has no price in this store.`, { lineId: line.lineId });
    }
    lines.push({
      lineId: line.lineId,
      variantId: line.item.variantId,
      name: line.item.name,
      unit: line.item.unit,
      unitPrice: line.unitPrice ?? unitPrice ?? 0,
      quantity: line.quantity,
      taxClassId: line.item.taxClassId,
      productId: line.item.productId,
      categoryId: line.item.categoryId,
      ...(line.discount ? { discount: line.discount } : {}),
      ...(line.priceOverride !== undefined ? { priceOverride: line.priceOverride } : {}),
    });
  }
  return ok(lines);
}

export function taxClassesFor(store: StoreRow, rows: readonly TaxClassRow[]): Record<string, TaxClass> {
  const out: Record<string, TaxClass> = {};
  for (const r of rows) {
    const rate = r.rates[store.id];
    if (rate !== undefined) out[r.id] = { id: r.id, name: r.name, ratePpm: rate };
  }
  return out;
}

/** The active promotions the till cached, and the instant of the sale (for time windows). */
export interface TillPromotions {
  promotions: readonly Promotion[];
  at: string;
}

/**
 * The core's pricing input for the cart in the store. Promotions get the same context the server
 * builds (store, store-local time, member tier, checked coupon).
 */
function storeCartInput(
  cart: Cart,
  store: StoreRow,
  taxClasses: Record<string, TaxClass>,
  price: PriceLookup,
  promotions?: TillPromotions,
): TillResult<{ input: CartInput; pricing: PricingContext }> {
  const lines = pricingLines(cart, price);
  if (!lines.ok) return lines;
  // a coupon prices as the last order discount, the same place the server puts it
  // (a `promotion` coupon has no discount of its own: it unlocks promotions through couponCodes)
  const orderDiscounts = cart.coupon?.discount
    ? [...cart.orderDiscounts, cart.coupon.discount]
    : cart.orderDiscounts;
  return ok({
    input: {
      lines: lines.value,
      orderDiscounts,
      ...(promotions && promotions.promotions.length > 0
        ? {
            promotions: {
              promotions: promotions.promotions,
              context: saleContext({
                storeId: store.id,
                timeZone: store.timeZone,
                at: promotions.at,
                tierId: cart.member?.tierId ?? null,
                couponCodes: cart.coupon ? [cart.coupon.code] : [],
              }),
            },
          }
        : {}),
    },
    pricing: {
      currency: store.currency,
      taxMode: store.taxMode,
      taxRounding: store.taxRounding,
      roundingMode: store.roundingMode,
      taxClasses,
    },
  });
}

/** The core's price for the cart in the store: the same answer the server computes. */
export function priceInStore(
  cart: Cart,
  store: StoreRow,
  taxClasses: Record<string, TaxClass>,
  price: PriceLookup,
  promotions?: TillPromotions,
): TillResult<PricedCart> {
  const built = storeCartInput(cart, store, taxClasses, price, promotions);
  return built.ok ? priceCart(built.value.input, built.value.pricing) : built;
}

/**
 * Promotions the cart nearly gets ("add one more for 20% off"), from the core with the same
 * input as `priceInStore`, so each saving is what the sale then gets. Empty when the cart does
 * not price.
 */
export function hintsInStore(
  cart: Cart,
  store: StoreRow,
  taxClasses: Record<string, TaxClass>,
  price: PriceLookup,
  promotions: TillPromotions,
  candidates: readonly HintItem[],
): PromotionHint[] {
  const built = storeCartInput(cart, store, taxClasses, price, promotions);
  return built.ok ? promotionHints(built.value.input, built.value.pricing, candidates) : [];
}

/**
 * Tender rules that depend on the network: wallet, gift card and store credit need it; a card
 * offline only as the terminal's store-and-forward read (`offline: true`), and only up to the
 * register's floor limit per sale. Returns the tenders to record and whether a card was taken offline.
 */
export function offlineTenders(
  tenders: readonly TenderEntry[],
  online: boolean,
  register: RegisterInfo,
): TillResult<{ tenders: TenderEntry[]; offlineCard: boolean }> {
  const card = tenders.filter((t) => t.kind === 'card' && t.offline).reduce((a, t) => a + t.amount, 0);
  if (card > register.offlineCardLimit) {
    return fail(
      'offline_card_limit',
      register.offlineCardLimit === 0
        ? 'Card payments need the network on this register; take cash instead.'
        : `Offline card payments are limited to ${register.offlineCardLimit} (minor units) per sale on this register.`,
      { limit: register.offlineCardLimit, amount: card },
    );
  }
  if (online) return ok({ tenders: tenders.map((t) => ({ ...t })), offlineCard: card > 0 });
  const needsNetwork = tenders.find(
    (t) => NETWORK_ONLY_TENDERS.has(t.kind) || (t.kind === 'card' && !t.offline),
  );
  if (needsNetwork) {
    return fail(
      'needs_network',
      needsNetwork.kind === 'card'
        ? 'This card was to be charged online; the till is offline. Remove it and take the card on the terminal offline, or take cash.'
        : `${needsNetwork.kind.replace('_', ' ')} payments need the network; the till is offline. Take cash or card instead.`,
      { kind: needsNetwork.kind },
    );
  }
  return ok({ tenders: tenders.map((t) => ({ ...t })), offlineCard: card > 0 });
}

export function settle(
  priced: PricedCart,
  tenders: readonly TenderEntry[],
  store: StoreRow,
  tip = 0,
): TillResult<Settlement> {
  return settleTenders(priced.total + tip, tenders, {
    increment: store.cashIncrement,
    mode: store.roundingMode,
  });
}

/** Tenders the server must authorize before the sale counts: they never go into the offline outbox first. */
export function needsAuthorization(tenders: readonly TenderEntry[]): boolean {
  return tenders.some(
    (t) =>
      NETWORK_ONLY_TENDERS.has(t.kind) || (t.kind === 'card' && t.terminalId !== undefined && !t.offline),
  );
}

/**
 * A tender as the device may keep it: without a PIN, and a gift card's or credit note's code cut
 * to its last four symbols (the code is a bearer secret: whoever reads it can spend the card).
 */
export function forDevice<T extends { kind?: unknown; reference?: unknown; pin?: unknown }>(
  tender: T,
): Omit<T, 'pin'> {
  const { pin: _pin, ...rest } = tender;
  if ((rest.kind === 'gift_card' || rest.kind === 'store_credit') && typeof rest.reference === 'string')
    return { ...rest, reference: `…${rest.reference.slice(-4)}` };
  return rest;
}

type DiscountBody = ({ kind: 'amount'; amount: number } | { kind: 'percent'; percentBp: number }) & {
  reason: string;
};

const discountBody = (d: { discount: DiscountBody | { kind: string }; reason: string }): DiscountBody =>
  ({ ...(d.discount as DiscountBody), reason: d.reason }) as DiscountBody;

/**
 * The POST /api/v1/orders body. Lines name the variant, except price-embedded labels which the
 * server only accepts as the label itself: rebuilt from the item's PLU with the store's first
 * price rule (the server decodes the same PLU and price).
 */
/** What the register needs of the tenant's approval policy to decide offline. */
export interface OfflineApprovalPolicy {
  priceOverride: boolean;
  discountAboveBp: number | null;
}

/**
 * Offline, nobody can approve (an approval is signed by the server). A sale whose hand-made
 * changes would need a manager is therefore refused on the register: a typed price unless the
 * last-known policy lets prices change freely (unknown policy: refused), a manual discount above
 * the last-known threshold. What passes is checked again by the server when the sale syncs.
 */
export function offlineNeedsManager(cart: Cart, policy: OfflineApprovalPolicy | undefined): boolean {
  if (cart.lines.some((l) => l.unitPrice !== undefined) && (policy?.priceOverride ?? true)) return true;
  const limit = policy?.discountAboveBp;
  if (limit === null || limit === undefined) return false;
  const gross = (l: CartLine) => Math.round((l.unitPrice ?? l.item.price ?? 0) * l.quantity);
  const share = (d: AppliedDiscount, base: number) =>
    d.discount.kind === 'percent'
      ? d.discount.percentBp
      : base <= 0
        ? 10_000
        : Math.ceil((d.discount.amount * 10_000) / base);
  const all = cart.lines.reduce((sum, l) => sum + gross(l), 0);
  return (
    cart.lines.some((l) => l.discount !== undefined && share(l.discount, gross(l)) > limit) ||
    cart.orderDiscounts.some((d) => share(d, all) > limit)
  );
}

export function orderBody(args: {
  orderId: string;
  store: StoreRow;
  registerId: string;
  cart: Cart;
  tenders: readonly TenderEntry[];
  total: number;
  createdAt: string;
  tip?: number;
  /** the till was offline when the sale was made (points redeemed within the register's allowance) */
  offline?: boolean;
  /** the unguessable e-receipt token printed as a QR on the receipt */
  receiptToken?: string;
}): TillResult<Record<string, unknown>> {
  const lines: Record<string, unknown>[] = [];
  for (const line of args.cart.lines) {
    const out: Record<string, unknown> = { lineId: line.lineId };
    if (line.priceOverride !== undefined) {
      const rule = args.store.embeddedBarcodes.find(
        (r) => r.kind === 'price' && line.item.pluCode?.length === r.itemDigits,
      );
      if (!rule || !line.item.pluCode) {
        return fail('no_price_rule', `${line.item.name}: this store has no price-label rule for its PLU.`);
      }
      try {
        out.barcode = makeEmbeddedBarcode(rule, line.item.pluCode, line.priceOverride);
      } catch {
        return fail(
          'no_price_rule',
          `${line.item.name}: the label price does not fit the store's label rule.`,
        );
      }
      out.quantity = line.quantity;
    } else {
      out.variantId = line.item.variantId;
      out.quantity = line.quantity;
    }
    if (line.unitPrice !== undefined) out.priceOverride = line.unitPrice;
    if (line.discount) out.discount = discountBody(line.discount);
    lines.push(out);
  }
  const body: Record<string, unknown> = {
    id: args.orderId,
    storeId: args.store.id,
    registerId: args.registerId,
    lines,
    tenders: args.tenders.map((t) => ({
      kind: t.kind,
      amount: t.amount,
      ...(t.reference !== undefined ? { reference: t.reference } : {}),
      ...(t.pin !== undefined ? { pin: t.pin } : {}),
      ...(t.terminalId !== undefined ? { terminalId: t.terminalId } : {}),
      ...(t.offline ? { offline: true } : {}),
    })),
    total: args.total,
    createdAt: args.createdAt,
  };
  if (args.tip) body.tip = args.tip;
  if (args.cart.orderDiscounts.length > 0) body.orderDiscounts = args.cart.orderDiscounts.map(discountBody);
  if (args.cart.customerId) body.customerId = args.cart.customerId;
  if (args.cart.coupon) body.couponCode = args.cart.coupon.code;
  if (args.receiptToken) body.receiptToken = args.receiptToken;
  if (args.offline && args.tenders.some((t) => t.kind === 'loyalty_points')) body.offline = true;
  return ok(body);
}

/** 128 random bits, base64url: the e-receipt link's key (made on the device, so offline receipts carry it too). */
export function receiptToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
