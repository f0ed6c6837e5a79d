import { storeLocalTime } from './local-time';
import type { PromotionContext } from './types';

/** Coupon codes as typed and in their canonical form (upper case, no spaces or dashes). */
export function couponCodeForms(code: string): string[] {
  const canonical = code.toUpperCase().replace(/[\s-]/g, '');
  return canonical === code ? [code] : [code, canonical];
}

/**
 * The promotion context of a sale, built the same way by the register (offline) and the server:
 * the store, its local time at `at`, the member's tier and segments, the validated coupon codes.
 */
export function saleContext(args: {
  storeId: string;
  timeZone: string;
  /** ISO instant of the sale. */
  at: string;
  tierId?: string | null;
  segmentIds?: string[];
  /** Codes the coupons module validated (never codes the customer merely typed). */
  couponCodes?: string[];
  couponPromotionIds?: string[];
  maxPromotionsPerOrder?: number;
}): PromotionContext {
  const member = (args.tierId ?? null) !== null || (args.segmentIds?.length ?? 0) > 0;
  return {
    storeId: args.storeId,
    local: storeLocalTime(args.at, args.timeZone),
    customer: member ? { tierId: args.tierId ?? null, segmentIds: args.segmentIds ?? [] } : null,
    couponCodes: (args.couponCodes ?? []).flatMap(couponCodeForms),
    ...(args.couponPromotionIds ? { couponPromotionIds: args.couponPromotionIds } : {}),
    ...(args.maxPromotionsPerOrder !== undefined
      ? { maxPromotionsPerOrder: args.maxPromotionsPerOrder }
      : {}),
  };
}
