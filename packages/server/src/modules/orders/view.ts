import type { CartPromotion } from '@opentill/core';
import type {
  OrderLineTable,
  OrderTable,
  PaymentTable,
  RefundLineTable,
  RefundTable,
  RefundTenderTable,
} from '../../db/schema';

/** The order as the API returns it; checkout, GET and refunds all build it with `orderView`. */
export interface OrderView {
  id: string;
  status: OrderTable['status'];
  storeId: string;
  registerId: string;
  cashSessionId: string | null;
  staffId: string;
  customerId: string | null;
  currency: string;
  lines: {
    lineId: string;
    variantId: string;
    name: string;
    nameZh: string | null;
    unit: string;
    quantity: number;
    unitPrice: number;
    gross: number;
    lineDiscount: number;
    /** this line's share of the promotions */
    promotionDiscount: number;
    orderDiscount: number;
    net: number;
    tax: number;
    total: number;
    taxClassId: string;
    ratePpm: number;
    discount: unknown;
    refundedQuantity: number;
    refundedAmount: number;
  }[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  cashRounding: number;
  amountDue: number;
  tip: number;
  change: number;
  refundedTotal: number;
  payments: {
    id: string;
    kind: string;
    status: string;
    amount: number;
    tendered: number;
    reference: string | null;
    refunded: number;
  }[];
  taxes: { taxClassId: string; ratePpm: number; taxable: number; tax: number }[];
  orderDiscounts: unknown[];
  /** every promotion applied, named for the receipt, with its split over lines */
  promotions: CartPromotion[];
  refunds: { id: string; total: number; reason: string | null; staffId: string; createdAt: string }[];
  stockFlagged: boolean;
  createdAt: string;
  clientCreatedAt: string | null;
}

export interface OrderDetails {
  taxes: OrderView['taxes'];
  orderDiscounts: unknown[];
  /** chosen by the shopper; paid by the tenders on top of the goods total */
  tip?: number;
  /** absent on orders recorded before promotions */
  promotions?: CartPromotion[];
}

export function orderView(
  o: OrderTable,
  lines: readonly OrderLineTable[],
  payments: readonly PaymentTable[],
  refunds: readonly RefundTable[] = [],
  refundLines: readonly RefundLineTable[] = [],
  refundTenders: readonly RefundTenderTable[] = [],
): OrderView {
  const details = JSON.parse(o.details) as OrderDetails;
  const sorted = [...lines].sort((a, b) => a.line_no - b.line_no);
  return {
    id: o.id,
    status: o.status,
    storeId: o.store_id,
    registerId: o.register_id,
    cashSessionId: o.cash_session_id,
    staffId: o.staff_id,
    customerId: o.customer_id,
    currency: o.currency,
    lines: sorted.map((l) => {
      const rl = refundLines.filter((r) => r.line_id === l.line_id);
      return {
        lineId: l.line_id,
        variantId: l.variant_id,
        name: l.name,
        nameZh: l.name_zh,
        unit: l.unit,
        quantity: l.quantity_milli / 1000,
        unitPrice: l.unit_price,
        gross: l.gross,
        lineDiscount: l.line_discount,
        promotionDiscount: l.promotion_discount ?? 0,
        orderDiscount: l.order_discount,
        net: l.net,
        tax: l.tax,
        total: l.total,
        taxClassId: l.tax_class_id,
        ratePpm: l.rate_ppm,
        discount: l.discount === null ? null : (JSON.parse(l.discount) as unknown),
        refundedQuantity: rl.reduce((s, r) => s + r.quantity_milli, 0) / 1000,
        refundedAmount: rl.reduce((s, r) => s + r.amount, 0),
      };
    }),
    subtotal: o.subtotal,
    discountTotal: o.discount_total,
    taxTotal: o.tax_total,
    total: o.total,
    cashRounding: o.cash_rounding,
    amountDue: o.total + o.cash_rounding + (details.tip ?? 0),
    tip: details.tip ?? 0,
    change: o.change_given,
    refundedTotal: o.refunded_total,
    payments: [...payments]
      .sort((a, b) => a.seq - b.seq)
      .map((p) => ({
        id: p.id,
        kind: p.kind,
        status: p.status,
        amount: p.amount,
        tendered: p.tendered,
        reference: p.reference,
        refunded: refundTenders.filter((t) => t.payment_id === p.id).reduce((s, t) => s + t.amount, 0),
      })),
    taxes: details.taxes,
    orderDiscounts: details.orderDiscounts,
    promotions: details.promotions ?? [],
    refunds: [...refunds]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((r) => ({
        id: r.id,
        total: r.total,
        reason: r.reason,
        staffId: r.staff_id,
        createdAt: r.created_at,
      })),
    stockFlagged: o.stock_flagged === 1,
    createdAt: o.created_at,
    clientCreatedAt: o.client_created_at,
  };
}
