/**
 * The database as Kysely sees it. Column conventions (same on SQLite and PostgreSQL):
 * - money: integer minor units (BIGINT on PostgreSQL, parsed back to a safe JS number);
 * - quantities: integer thousandths (`*_milli`), so 0.345 kg is 345;
 * - instants: ISO-8601 UTC text (`2026-11-25T09:30:00.000Z`), sortable as text;
 * - booleans: integer 0/1; structured data: JSON text.
 * Every table carries `tenant_id` and every query filters on it.
 */
export interface TenantTable {
  id: string;
  name: string;
  created_at: string;
}

export interface StoreTable {
  id: string;
  tenant_id: string;
  name: string;
  name_zh: string | null;
  currency: string;
  time_zone: string;
  country: string | null;
  address: string | null;
  tax_mode: 'inclusive' | 'exclusive';
  tax_rounding: 'per_line' | 'per_order';
  rounding_mode: 'half_up' | 'half_even' | 'half_down' | 'up' | 'down';
  cash_increment: number;
  negative_stock: 'block' | 'allow';
  /** JSON array of EmbeddedBarcodeRule */
  embedded_barcodes: string;
  created_at: string;
  updated_at: string;
}

export interface RegisterTable {
  id: string;
  tenant_id: string;
  store_id: string;
  name: string;
  active: number;
  /** card sales allowed offline up to this amount per sale (minor units); 0 = none */
  offline_card_limit: number;
  created_at: string;
  updated_at: string;
}

export interface StaffTable {
  id: string;
  tenant_id: string;
  username: string;
  display_name: string;
  role: 'owner' | 'manager' | 'cashier' | 'auditor';
  password_hash: string;
  pin_hash: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface SessionTable {
  /** sha256 of the bearer token, hex */
  id: string;
  tenant_id: string;
  staff_id: string;
  register_id: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface TaxClassTable {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  created_at: string;
}

export interface TaxRateTable {
  tenant_id: string;
  tax_class_id: string;
  store_id: string;
  rate_ppm: number;
}

export interface CategoryTable {
  id: string;
  tenant_id: string;
  name: string;
  name_zh: string | null;
  parent_id: string | null;
  sort: number;
  created_at: string;
  updated_at: string;
}

export interface ProductTable {
  id: string;
  tenant_id: string;
  name: string;
  name_zh: string | null;
  category_id: string | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface VariantTable {
  id: string;
  tenant_id: string;
  product_id: string;
  sku: string;
  name: string;
  name_zh: string | null;
  unit: 'each' | 'kg' | 'g' | 'lb' | 'l' | 'm';
  tax_class_id: string;
  plu_code: string | null;
  active: number;
  /** lower-cased names (both languages), SKU and barcodes, for substring search */
  search_text: string;
  created_at: string;
  updated_at: string;
}

/** Search index (catalog; triggers maintain it): each distinct 1-, 2- and 3-character substring of `search_text`. */
export interface VariantGramTable {
  tenant_id: string;
  gram: string;
  variant_id: string;
}

export interface BarcodeTable {
  tenant_id: string;
  /** GTIN left-padded to 14 digits */
  code: string;
  variant_id: string;
}

export interface PriceTable {
  tenant_id: string;
  variant_id: string;
  store_id: string;
  price: number;
}

export interface StockLevelTable {
  tenant_id: string;
  store_id: string;
  variant_id: string;
  on_hand_milli: number;
  updated_at: string;
}

export type StockMovementKind =
  'receive' | 'adjust' | 'count' | 'transfer_out' | 'transfer_in' | 'sale' | 'return';

export interface StockMovementTable {
  id: string;
  tenant_id: string;
  store_id: string;
  variant_id: string;
  kind: StockMovementKind;
  qty_milli: number;
  reason: string | null;
  ref_id: string | null;
  staff_id: string | null;
  /** 1 when this movement took on-hand below zero */
  went_negative: number;
  created_at: string;
}

export interface OrderTable {
  id: string;
  tenant_id: string;
  store_id: string;
  register_id: string;
  cash_session_id: string | null;
  staff_id: string;
  customer_id: string | null;
  status: 'open' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';
  currency: string;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  total: number;
  cash_rounding: number;
  change_given: number;
  refunded_total: number;
  /** JSON: order discounts, tax lines, pricing context */
  details: string;
  stock_flagged: number;
  client_created_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface OrderLineTable {
  tenant_id: string;
  order_id: string;
  line_no: number;
  line_id: string;
  variant_id: string;
  name: string;
  name_zh: string | null;
  unit: string;
  quantity_milli: number;
  unit_price: number;
  gross: number;
  line_discount: number;
  order_discount: number;
  net: number;
  tax: number;
  total: number;
  tax_class_id: string;
  rate_ppm: number;
  /** JSON AppliedDiscount or null */
  discount: string | null;
}

export interface PaymentTable {
  id: string;
  tenant_id: string;
  order_id: string;
  /** position of the tender within its order */
  seq: number;
  kind: 'cash' | 'card' | 'wallet' | 'gift_card' | 'store_credit' | 'other';
  status:
    | 'pending'
    | 'authorized'
    | 'captured'
    | 'refunded'
    | 'partially_refunded'
    | 'voided'
    | 'reversed'
    | 'declined';
  amount: number;
  tendered: number;
  reference: string | null;
  created_at: string;
}

export interface RefundTable {
  id: string;
  tenant_id: string;
  order_id: string;
  store_id: string;
  register_id: string | null;
  cash_session_id: string | null;
  staff_id: string;
  reason: string | null;
  total: number;
  created_at: string;
}

export interface RefundLineTable {
  tenant_id: string;
  refund_id: string;
  order_id: string;
  line_id: string;
  quantity_milli: number;
  amount: number;
  restock: number;
}

export interface RefundTenderTable {
  tenant_id: string;
  refund_id: string;
  order_id: string;
  payment_id: string | null;
  kind: PaymentTable['kind'];
  amount: number;
}

export interface CashSessionTable {
  id: string;
  tenant_id: string;
  store_id: string;
  register_id: string;
  status: 'open' | 'closed';
  opening_float: number;
  opened_by: string;
  opened_at: string;
  closed_by: string | null;
  closed_at: string | null;
  /** JSON: Z report (expected, counted, over/short per tender) */
  z_report: string | null;
}

export interface CashMovementTable {
  id: string;
  tenant_id: string;
  cash_session_id: string;
  kind: 'paid_in' | 'paid_out';
  amount: number;
  reason: string;
  staff_id: string;
  created_at: string;
}

export interface IdempotencyTable {
  tenant_id: string;
  key: string;
  scope: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  tenant_id: string;
  topic: string;
  payload: string;
  created_at: string;
  published_at: string | null;
}

export interface AuditTable {
  id: string;
  tenant_id: string;
  staff_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  data: string;
  created_at: string;
}

// Insights (migration 007): rollups for dashboards, mined rules, RFM, low stock, purchase orders.
export interface InsightsSalesHourlyTable {
  tenant_id: string;
  store_id: string;
  local_date: string;
  hour: number;
  register_id: string;
  staff_id: string;
  orders: number;
  items_milli: number;
  sales: number;
  tax: number;
  discounts: number;
  voids: number;
  void_total: number;
  refunds: number;
  refund_total: number;
}
export type InsightsSalesDailyTable = Omit<InsightsSalesHourlyTable, 'hour' | 'register_id' | 'staff_id'>;
export type InsightsSalesMonthlyTable = Omit<InsightsSalesHourlyTable, 'local_date'> & { month: string };
export type InsightsProductMonthlyTable = Omit<InsightsProductDailyTable, 'local_date'> & { month: string };
export interface InsightsProductDailyTable {
  tenant_id: string;
  store_id: string;
  local_date: string;
  variant_id: string;
  category_id: string | null;
  qty_milli: number;
  revenue: number;
  lines: number;
}
export interface InsightsPaymentDailyTable {
  tenant_id: string;
  store_id: string;
  local_date: string;
  kind: string;
  payments: number;
  amount: number;
}
export interface InsightsWatermarkTable {
  tenant_id: string;
  name: string;
  value: string;
}
export interface InsightsRuleTable {
  tenant_id: string;
  rule_no: number;
  /** left-hand side variant ids, sorted, joined by ',' */
  lhs_key: string;
  rhs: string;
  support: number;
  confidence: number;
  lift: number;
  count: number;
  mined_at: string;
}
export interface InsightsRfmTable {
  tenant_id: string;
  customer_id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: string;
  computed_at: string;
}
export interface InsightsLowStockTable {
  tenant_id: string;
  store_id: string;
  variant_id: string;
  flagged_at: string;
}
export interface PurchaseOrderTable {
  id: string;
  tenant_id: string;
  store_id: string;
  status: 'draft' | 'received' | 'cancelled';
  created_by: string;
  created_at: string;
  received_by: string | null;
  received_at: string | null;
}
export interface PurchaseOrderLineTable {
  tenant_id: string;
  purchase_order_id: string;
  line_no: number;
  variant_id: string;
  quantity_milli: number;
}

export interface DB {
  tenants: TenantTable;
  stores: StoreTable;
  registers: RegisterTable;
  staff: StaffTable;
  sessions: SessionTable;
  tax_classes: TaxClassTable;
  tax_rates: TaxRateTable;
  categories: CategoryTable;
  products: ProductTable;
  variants: VariantTable;
  variant_grams: VariantGramTable;
  barcodes: BarcodeTable;
  prices: PriceTable;
  stock_levels: StockLevelTable;
  stock_movements: StockMovementTable;
  orders: OrderTable;
  order_lines: OrderLineTable;
  payments: PaymentTable;
  refunds: RefundTable;
  refund_lines: RefundLineTable;
  refund_tenders: RefundTenderTable;
  cash_sessions: CashSessionTable;
  cash_movements: CashMovementTable;
  idempotency_keys: IdempotencyTable;
  outbox: OutboxTable;
  audit_log: AuditTable;
  insights_sales_hourly: InsightsSalesHourlyTable;
  insights_product_daily: InsightsProductDailyTable;
  insights_sales_daily: InsightsSalesDailyTable;
  insights_sales_monthly: InsightsSalesMonthlyTable;
  insights_product_monthly: InsightsProductMonthlyTable;
  insights_payment_daily: InsightsPaymentDailyTable;
  insights_watermarks: InsightsWatermarkTable;
  insights_rules: InsightsRuleTable;
  insights_rfm: InsightsRfmTable;
  insights_low_stock: InsightsLowStockTable;
  purchase_orders: PurchaseOrderTable;
  purchase_order_lines: PurchaseOrderLineTable;
}
