import type { AppliedDiscount, PricedCart, TenderKind } from '@opentill/core';
import type { CompiledQuery } from 'kysely';
import type { Deps } from '../../deps';
import { fail, type Result } from '../../http/errors';
import type { CouponsService, CouponUse } from '../coupons/service';
import { isCheckViolation, type LoyaltyService } from '../loyalty/service';
import type { CustomersService } from './service';
import { isUniqueViolation } from '../../db/database';
import { insertRows } from '../../db/insert-rows';

/** The member parts of a checkout body. */
export interface MemberCheckoutBody {
  customerId?: string | null;
  couponCode?: string;
  /** the sale was made while the register was offline (points redeemed within its allowance) */
  offline?: boolean;
  /** the e-receipt link the register printed (made on the device, so it works offline too) */
  receiptToken?: string;
  tenders: { kind: TenderKind; amount: number }[];
}

export interface MemberSale {
  /** discounts the checkout prices with (a coupon) */
  orderDiscounts: AppliedDiscount[];
  /** the member statements for the checkout's atomic batch, once the cart is priced and settled */
  finish(a: {
    orderId: string;
    storeId: string;
    registerId: string;
    cart: PricedCart;
    amountDue: number;
    now: string;
  }): Promise<Result<CompiledQuery[]>>;
  /**
   * True when a failed batch may have lost a race on a coupon use or on points: the checkout
   * runs again, and the fresh reads then give the clear answer (coupon_used_up, insufficient_points).
   */
  contended(e: unknown): boolean;
}

/**
 * The customer, coupon and loyalty steps of a checkout, as two small calls the orders module
 * makes: `begin` before pricing, `finish` before writing. A sale with no customer, no coupon and
 * no points tender costs nothing here.
 */
export function createMemberCheckout(
  deps: Deps,
  s: { customers: CustomersService; loyalty: LoyaltyService; coupons: CouponsService },
) {
  const db = deps.database.db;
  return {
    async begin(
      ctx: { tenantId: string; staffId: string },
      body: MemberCheckoutBody,
      currency: string,
      variantIds: string[],
      now: string,
    ): Promise<Result<MemberSale | null>> {
      const pointsTender = body.tenders
        .filter((t) => t.kind === 'loyalty_points')
        .reduce((a, t) => a + t.amount, 0);
      const customerId = body.customerId ?? null;
      if (!customerId && !body.couponCode && pointsTender === 0 && !body.receiptToken) {
        return { ok: true, value: null };
      }
      if (pointsTender > 0 && !customerId) {
        return fail('customer_required', 'Paying with points needs the customer attached to the sale.');
      }
      if (customerId) {
        const c = await s.customers.active(ctx.tenantId, customerId);
        if (!c.ok) return c;
      }
      let coupon: CouponUse | null = null;
      if (body.couponCode) {
        const u = await s.coupons.forCheckout(
          ctx.tenantId,
          body.couponCode,
          customerId,
          currency,
          ctx.staffId,
          now,
        );
        if (!u.ok) return u;
        coupon = u.value;
      }
      const categories = customerId
        ? new Map(
            (
              await db
                .selectFrom('variants as v')
                .innerJoin('products as p', 'p.id', 'v.product_id')
                .select(['v.id', 'p.category_id'])
                .where('v.tenant_id', '=', ctx.tenantId)
                .where('v.id', 'in', variantIds.length ? variantIds : [''])
                .execute()
            ).map((r) => [r.id, r.category_id]),
          )
        : new Map<string, string | null>();
      return {
        ok: true,
        value: {
          orderDiscounts: coupon?.discount ? [coupon.discount] : [],
          async finish(a) {
            const queries: CompiledQuery[] = [];
            if (body.receiptToken) {
              queries.push(
                insertRows(db, 'receipt_links', [
                  {
                    token: body.receiptToken,
                    tenant_id: ctx.tenantId,
                    order_id: a.orderId,
                    created_at: a.now,
                  },
                ]),
              );
            }
            if (coupon) {
              const c = coupon.coupon;
              const base = a.cart.subtotal - a.cart.lines.reduce((x, l) => x + l.lineDiscount, 0);
              if (base < c.minSpend) {
                return fail('coupon_not_valid', `Coupon ${c.code} needs a spend of at least ${c.minSpend}.`, {
                  minSpend: c.minSpend,
                });
              }
              // a promotion coupon's money is in the order's promotions, not in the coupon
              const amount =
                c.kind === 'amount'
                  ? Math.min(c.value, base)
                  : c.kind === 'percent'
                    ? Math.floor((base * c.value) / 10000)
                    : 0;
              queries.push(...coupon.queries(a.orderId, amount, a.now));
            }
            if (customerId) {
              const plan = await s.loyalty.planCheckout({
                tenantId: ctx.tenantId,
                customerId,
                orderId: a.orderId,
                storeId: a.storeId,
                registerId: a.registerId,
                currency,
                offline: body.offline === true,
                lines: a.cart.lines.map((l) => ({
                  lineId: l.lineId,
                  categoryId: categories.get(l.variantId) ?? null,
                  total: l.total,
                  tax: l.tax,
                })),
                pointsTender,
                bonusPoints: a.cart.promotionPoints,
                amountDue: a.amountDue,
                now: a.now,
              });
              if (!plan.ok) return plan;
              queries.push(...plan.value.queries);
            }
            return { ok: true, value: queries };
          },
          contended: (e) => (coupon !== null && isUniqueViolation(e)) || isCheckViolation(e),
        },
      };
    },
  };
}

export type MemberCheckout = ReturnType<typeof createMemberCheckout>;
