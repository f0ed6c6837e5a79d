import type { Unit } from '../catalog';

/** Which cart lines a condition or action looks at; every list that is given must match (empty = any line). */
export interface LineSelector {
  variantIds?: string[];
  productIds?: string[];
  categoryIds?: string[];
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type PromotionCondition =
  /** At least `minQuantity` (default 1) of the selected items are in the cart. */
  | { kind: 'items'; selector: LineSelector; minQuantity?: number }
  /** At least `minQuantity` (default 1) of items in these categories. */
  | { kind: 'categories'; categoryIds: string[]; minQuantity?: number }
  /** The cart (or the selected lines) holds at least `minQuantity` units. */
  | { kind: 'quantity'; minQuantity: number; selector?: LineSelector }
  /** The cart (or the selected lines) is worth at least `minAmount` minor units before promotions. */
  | { kind: 'spend'; minAmount: number; selector?: LineSelector }
  | { kind: 'member_tier'; tierIds: string[] }
  | { kind: 'segment'; segmentIds: string[] }
  | { kind: 'store'; storeIds: string[] }
  /**
   * Store-local time: weekdays, minutes after midnight [fromMinute, toMinute) (wrapping past
   * midnight when from > to), and dates YYYY-MM-DD inclusive.
   */
  | {
      kind: 'time';
      days?: Weekday[];
      fromMinute?: number;
      toMinute?: number;
      fromDate?: string;
      toDate?: string;
    }
  /** A validated coupon for this promotion (by id), or one of `codes`, was presented. */
  | { kind: 'coupon'; codes?: string[] };

/** How a discount reaches lines: each selected line alone, the selected lines as one set, or the whole order. */
export type DiscountTarget = 'line' | 'lines' | 'order';

export type PromotionAction =
  | { kind: 'percent_off'; percentBp: number; target: DiscountTarget; selector?: LineSelector }
  | { kind: 'amount_off'; amount: number; target: DiscountTarget; selector?: LineSelector }
  /** The given units together cost `price` (e.g. sandwich + drink = 25.00). */
  | { kind: 'bundle_price'; items: { selector: LineSelector; quantity: number }[]; price: number }
  /** Buy `buy.quantity` of one set, get `get.quantity` of another at `percentBp` off (10000 = free). */
  | {
      kind: 'buy_x_get_y';
      buy: { selector: LineSelector; quantity: number };
      get: { selector: LineSelector; quantity: number };
      percentBp: number;
    }
  /** Every `n`th unit of the selected items at `percentBp` off (second coffee half price: n 2, 5000). */
  | { kind: 'nth_item'; selector: LineSelector; n: number; percentBp: number }
  /** Up to `quantity` units of the variant free (the register adds the item; the engine zeroes it). */
  | { kind: 'free_item'; variantId: string; quantity: number }
  | { kind: 'bonus_points'; points: number };

export interface Promotion {
  id: string;
  name: string;
  nameZh?: string | null;
  /** Higher applies first. */
  priority: number;
  /** Never combined with another promotion; the engine picks whatever is best for the customer. */
  exclusive: boolean;
  /** Promotions sharing a conflict group never combine; the best one for the customer wins. */
  group?: string | null;
  conditions: PromotionCondition[];
  action: PromotionAction;
  /** How many times a unit-based action may apply per order (bundles, buy X get Y, nth item, free item). */
  maxApplications?: number | null;
}

export interface PromotionLine {
  lineId: string;
  variantId: string;
  productId?: string | null;
  categoryId?: string | null;
  unit: Unit;
  /** Quantity as on the cart line (thousandths allowed for weighed goods). */
  quantity: number;
  /** What is left of the line before promotions (gross − manual line discount), minor units. */
  amount: number;
}

/** Store-local time, computed outside the core from `now` and the store's time zone (see storeLocalTime). */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  weekday: Weekday;
  /** Minutes after local midnight, 0..1439. */
  minute: number;
}

export interface PromotionContext {
  storeId: string;
  local: LocalTime;
  customer?: { tierId?: string | null; segmentIds?: string[] } | null;
  /** Promotion ids unlocked by coupons the coupons module validated. */
  couponPromotionIds?: string[];
  /** Coupon codes the coupons module validated. */
  couponCodes?: string[];
  /** At most this many promotions per order (the best ones for the customer). */
  maxPromotionsPerOrder?: number;
}

export interface PromotionLineShare {
  lineId: string;
  amount: number;
}

export interface AppliedPromotion {
  id: string;
  name: string;
  nameZh: string | null;
  /** Discount in minor units (0 for points-only promotions). */
  amount: number;
  lines: PromotionLineShare[];
  bonusPoints: number;
}

export interface PromotionOutcome {
  applied: AppliedPromotion[];
  /** Total promotion discount per line id. */
  lineDiscounts: Record<string, number>;
  /** The same, by position in the input lines. */
  lineAmounts: number[];
  discountTotal: number;
  bonusPoints: number;
  /** Free items a promotion grants that are not (or not fully) in the cart: the register may add them. */
  freeItemsMissing: { promotionId: string; variantId: string; quantity: number }[];
}
