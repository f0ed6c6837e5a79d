/** The shapes the back office reads and writes (see packages/server/src/modules/*\/routes.ts). */
export type Role = 'owner' | 'manager' | 'cashier' | 'auditor';

export interface Staff {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  hasPin: boolean;
  active: boolean;
}

export interface LoginAnswer {
  token: string;
  refreshToken?: string;
  staff: Staff;
  expiresInSeconds: number;
  /** 'mfa': a second factor is owed; 'enrol': one must be enrolled first */
  level?: 'full' | 'mfa' | 'enrol';
  methods?: string[];
}

export interface Me {
  staffId: string;
  username: string;
  displayName: string;
  role: Role;
  level?: 'full' | 'mfa' | 'enrol';
}

export interface Store {
  id: string;
  name: string;
  nameZh: string | null;
  currency: string;
  timeZone: string;
  country: string | null;
  address: string | null;
  taxMode: 'inclusive' | 'exclusive';
  taxRounding: 'per_line' | 'per_order';
  roundingMode: string;
  cashIncrement: number;
  negativeStock: 'block' | 'allow';
}

export interface Register {
  id: string;
  storeId: string;
  name: string;
  active: boolean;
  /** the offline card floor limit in the store's minor units, when the server reports it */
  offlineCardLimit?: number;
}

export const units = ['each', 'kg', 'g', 'lb', 'l', 'm'] as const;
export type Unit = (typeof units)[number];

export interface Variant {
  id: string;
  productId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: Unit;
  taxClassId: string;
  pluCode: string | null;
  active: boolean;
  barcodes: string[];
  prices: Record<string, number>;
}

export interface Product {
  id: string;
  name: string;
  nameZh: string | null;
  categoryId: string | null;
  active: boolean;
  variants: Variant[];
}

export interface ProductPage {
  items: Product[];
  hasMore?: boolean;
}

export interface Category {
  id: string;
  name: string;
  nameZh: string | null;
  parentId: string | null;
  sort: number;
}

export interface TaxClass {
  id: string;
  code: string;
  name: string;
  rates: { storeId: string; ratePpm: number }[];
}

export interface StockLevel {
  storeId: string;
  variantId: string;
  sku: string;
  name: string;
  nameZh: string | null;
  unit: string;
  onHand: number;
  flaggedNegative: boolean;
}

export interface StockMovement {
  id: string;
  storeId: string;
  variantId: string;
  kind: string;
  quantity: number;
  reason: string | null;
  refId: string | null;
  staffId: string | null;
  wentNegative: boolean;
  createdAt: string;
}

export const adjustReasons = ['damaged', 'expired', 'theft', 'correction', 'other'] as const;

export interface XReport {
  sessionId: string;
  registerId: string;
  currency: string;
  status: 'open' | 'closed';
  openedAt: string;
  generatedAt: string;
  orders: { count: number; voided: number; total: number; changeGiven: number };
  refunds: { count: number; total: number };
  tenders: { kind: string; sales: number; refunds: number; net: number }[];
  cash: {
    openingFloat: number;
    sales: number;
    refunds: number;
    paidIn: number;
    paidOut: number;
    expected: number;
  };
  totals: { sales: number; refunds: number; net: number };
  cashRounding: number;
}

export interface ZReport extends XReport {
  closedAt: string;
  reconciliation: { kind: string; expected: number; counted: number | null; overShort: number | null }[];
  overShortTotal: number;
}

export interface CashSession {
  id: string;
  storeId: string;
  registerId: string;
  status: 'open' | 'closed';
  openingFloat: number;
  openedBy: string;
  openedAt: string;
  closedBy: string | null;
  closedAt: string | null;
  zReport: ZReport | null;
}

export const orderStatuses = ['open', 'paid', 'partially_refunded', 'refunded', 'voided'] as const;

export interface OrderSummary {
  id: string;
  status: string;
  storeId: string;
  registerId: string;
  staffId: string;
  currency: string;
  total: number;
  refundedTotal: number;
  createdAt: string;
}

export interface OrderPage {
  items: OrderSummary[];
  nextBefore: string | null;
}

export interface OrderLine {
  lineId: string;
  variantId: string;
  name: string;
  nameZh: string | null;
  unit: string;
  quantity: number;
  unitPrice: number;
  lineDiscount: number;
  orderDiscount: number;
  tax: number;
  total: number;
  refundedQuantity: number;
  refundedAmount: number;
}

export interface Order {
  id: string;
  status: string;
  storeId: string;
  registerId: string;
  staffId: string;
  currency: string;
  lines: OrderLine[];
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  cashRounding: number;
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
  refunds: { id: string; total: number; reason: string | null; staffId: string; createdAt: string }[];
  stockFlagged: boolean;
  createdAt: string;
}

/** Builds a query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
