import type { IdentityTables } from './schema-identity';
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
  /** consecutive failed sign-ins (password, PIN or code); reset by a success (003) */
  failed_logins?: number;
  locked_until?: string | null;
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
  /** the sign-in session this access token belongs to (003) */
  auth_session_id?: string | null;
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
  /** this line's share of the promotion discounts (migration 005; absent in rows written before) */
  promotion_discount?: number;
}

export interface PaymentTable {
  id: string;
  tenant_id: string;
  order_id: string;
  /** position of the tender within its order */
  seq: number;
  kind: 'cash' | 'card' | 'wallet' | 'gift_card' | 'store_credit' | 'loyalty_points' | 'other';
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
  /** place in the tenant's hash chain; null until the sealer reaches the row (migration 004) */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** The last sealed link of a tenant's audit chain (migration 004). */
export interface AuditChainHeadTable {
  tenant_id: string;
  seq: number;
  hash: string;
  sealed_at: string;
}

/** A tenant key wrapped by a master key (migration 004, modules/keys). */
export interface KeyTenantKeyTable {
  key_id: string;
  tenant_id: string;
  purpose: 'data' | 'index';
  version: number;
  master_key_id: string;
  wrapped: string;
  status: 'active' | 'retired';
  created_at: string;
  rewrapped_at: string | null;
}

/** One data subject's key wrapped by a tenant data key; `wrapped` null once shredded. */
export interface KeySubjectKeyTable {
  tenant_id: string;
  subject_id: string;
  key_id: string;
  tenant_key_id: string | null;
  wrapped: string | null;
  created_at: string;
  shredded_at: string | null;
}

// ---- compliance (migration 008)
export interface EventConsumerTable {
  name: string;
  cursor_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  updated_at: string;
}

export interface EventProcessedTable {
  consumer: string;
  event_id: string;
  tenant_id: string;
  processed_at: string;
}

export interface ComplianceSettingsTable {
  tenant_id: string;
  /** JSON ComplianceSettings */
  settings: string;
  updated_at: string;
}

export interface AmlRuleSetTable {
  id: string;
  tenant_id: string;
  jurisdiction: string;
  /** JSON AmlRule[] */
  rules: string;
  version: number;
  updated_by: string | null;
  updated_at: string;
}

export interface AmlFactTable {
  id: string;
  tenant_id: string;
  event_id: string;
  kind: 'sale' | 'refund' | 'void';
  ref_id: string;
  order_id: string;
  store_id: string;
  register_id: string | null;
  staff_id: string | null;
  customer_id: string | null;
  currency: string;
  total: number;
  cash: number;
  details: string;
  occurred_at: string;
}

export interface AmlFactInstrumentTable {
  tenant_id: string;
  /** `card:<token>`, `wallet:<reference>`, `gift_card:<id>` */
  instrument: string;
  fact_id: string;
  occurred_at: string;
}

export interface AmlAlertTable {
  id: string;
  tenant_id: string;
  dedupe_key: string;
  rule_id: string;
  rule_kind: string;
  severity: 'low' | 'medium' | 'high';
  subject: string;
  event_id: string;
  amount: number;
  currency: string;
  details: string;
  case_id: string;
  occurred_at: string;
  created_at: string;
}

export interface ComplianceCaseTable {
  id: string;
  tenant_id: string;
  kind: 'aml' | 'sanctions';
  subject: string;
  title: string;
  severity: 'low' | 'medium' | 'high';
  state: 'open' | 'investigating' | 'escalated' | 'reported' | 'dismissed';
  assignee_id: string | null;
  state_reason: string | null;
  store_id: string | null;
  currency: string | null;
  created_at: string;
  updated_at: string;
}

export interface CaseNoteTable {
  id: string;
  tenant_id: string;
  case_id: string;
  staff_id: string | null;
  body: string;
  created_at: string;
}

export interface CaseEvidenceTable {
  tenant_id: string;
  case_id: string;
  kind: string;
  ref_id: string;
  note: string | null;
  added_by: string | null;
  created_at: string;
}

export interface SanctionsListVersionTable {
  id: string;
  source: 'ofac_sdn' | 'un_consolidated';
  published_on: string | null;
  imported_at: string;
  sha256: string;
  entry_count: number;
  origin: string;
  active: number;
}

export interface SanctionsEntryTable {
  version_id: string;
  external_id: string;
  kind: string;
  party: string;
}

export interface SanctionsScreeningTable {
  id: string;
  tenant_id: string;
  subject_type: 'customer' | 'sale' | 'manual';
  subject_id: string | null;
  query_cipher: string;
  list_versions: string;
  threshold: number;
  top_score: number;
  matches: string;
  status: 'clear' | 'potential_match' | 'confirmed' | 'cleared';
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  created_at: string;
}

export interface PciReportTable {
  id: string;
  tenant_id: string;
  trigger: 'scheduled' | 'on_demand';
  overall: 'pass' | 'fail' | 'needs_manual_evidence';
  items: string;
  created_at: string;
}

export interface PrivacyRequestTable {
  id: string;
  tenant_id: string;
  kind: 'access' | 'correction' | 'erasure' | 'withdraw_consent';
  subject_id: string;
  regime: 'gdpr' | 'pipl';
  state: 'received' | 'in_progress' | 'completed' | 'rejected';
  details: string;
  result: string | null;
  state_reason: string | null;
  received_at: string;
  due_at: string;
  completed_at: string | null;
  created_by: string | null;
  updated_at: string;
}

export interface RetentionRuleTable {
  tenant_id: string;
  data_kind: string;
  keep_days: number;
  updated_at: string;
}

// ---- payments (migration 002) ----
export interface StoredValueAccountTable {
  id: string;
  tenant_id: string;
  kind: 'gift_card' | 'store_credit';
  code_hash: string;
  code_last4: string;
  pin_hash: string | null;
  currency: string;
  /** projection of the entries; CHECK balance >= 0 */
  balance: number;
  status: 'active' | 'blocked';
  customer_id: string | null;
  expires_at: string | null;
  pin_failures: number;
  created_at: string;
  updated_at: string;
}

export interface StoredValueEntryTable {
  id: string;
  tenant_id: string;
  account_id: string;
  kind: 'issue' | 'load' | 'redeem' | 'refund';
  /** signed: + adds to the balance, − spends it */
  amount: number;
  order_id: string | null;
  payment_id: string | null;
  refund_id: string | null;
  staff_id: string | null;
  created_at: string;
}

export type CardAuthorizationStatus =
  | 'pending'
  | 'approved'
  | 'committed'
  | 'declined'
  | 'error'
  | 'timeout'
  | 'reversed'
  | 'forward_pending'
  | 'forward_declined'
  | 'refunded';

export interface CardAuthorizationTable {
  id: string;
  tenant_id: string;
  attempt_key: string;
  checkout_key: string | null;
  order_id: string | null;
  payment_id: string | null;
  register_id: string | null;
  terminal_id: string | null;
  amount: number;
  approved_amount: number;
  currency: string;
  status: CardAuthorizationStatus;
  stan: string | null;
  rrn: string | null;
  /** DE 7 of the original request (MMDDhhmmss UTC): a reversal names it */
  transmitted_at: string | null;
  auth_code: string | null;
  response_code: string | null;
  token: string | null;
  masked_pan: string | null;
  brand: string | null;
  entry_mode: string | null;
  offline: number;
  created_at: string;
  updated_at: string;
}

export interface CardReversalTable {
  id: string;
  tenant_id: string;
  authorization_id: string;
  reason: string;
  status: 'pending' | 'done';
  attempts: number;
  next_at: string;
  last_result: string | null;
  created_at: string;
  updated_at: string;
}

export interface WalletPaymentTable {
  id: string;
  tenant_id: string;
  store_id: string;
  register_id: string;
  provider: string;
  mode: 'merchant_presented' | 'customer_presented';
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'used';
  provider_ref: string | null;
  qr: string | null;
  order_id: string | null;
  refunded: number;
  created_at: string;
  updated_at: string;
}

export interface WalletCallbackTable {
  id: string;
  provider: string;
  nonce: string;
  wallet_payment_id: string | null;
  outcome: 'accepted' | 'replayed' | 'bad_signature' | 'stale' | 'unknown_payment';
  created_at: string;
}

// --- customers, loyalty, coupons, marketing, feedback (migration 006) ---
export interface CustomerTable {
  id: string;
  tenant_id: string;
  card_no: string | null;
  member_code: string | null;
  name_enc: string | null;
  phone_enc: string | null;
  email_enc: string | null;
  birthday_enc: string | null;
  phone_idx: string | null;
  email_idx: string | null;
  note: string | null;
  consent_marketing: number;
  consent_marketing_at: string | null;
  consent_marketing_source: string | null;
  consent_processing: number;
  consent_processing_at: string | null;
  consent_processing_source: string | null;
  erased_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface LoyaltyProgramTable {
  tenant_id: string;
  config: string;
  updated_at: string;
}

export interface LoyaltyAccountTable {
  tenant_id: string;
  customer_id: string;
  balance: number;
  lifetime_earned: number;
  updated_at: string;
}

export interface LoyaltyLedgerTable {
  id: string;
  tenant_id: string;
  customer_id: string;
  kind: 'earn' | 'redeem' | 'reward' | 'refund' | 'reverse' | 'expire' | 'adjust';
  points: number;
  balance_after: number;
  order_id: string | null;
  refund_id: string | null;
  store_id: string | null;
  register_id: string | null;
  offline: number;
  allow_negative: number;
  expires_at: string | null;
  available_at: string | null;
  /** negative entries: the lot (earn entry id) they take from first */
  lot_id: string | null;
  note: string | null;
  created_at: string;
}

export interface CouponTable {
  id: string;
  tenant_id: string;
  code: string;
  batch_id: string | null;
  name: string;
  /** `promotion`: the code only unlocks promotions with a coupon condition (modules/promotions) */
  kind: 'amount' | 'percent' | 'promotion';
  value: number;
  currency: string | null;
  min_spend: number;
  max_uses: number | null;
  per_customer_limit: number | null;
  customer_id: string | null;
  segment: string | null;
  valid_from: string | null;
  valid_to: string | null;
  active: number;
  created_at: string;
}

export interface CouponRedemptionTable {
  id: string;
  tenant_id: string;
  coupon_id: string;
  use_no: number;
  customer_id: string | null;
  customer_use_no: number | null;
  order_id: string;
  amount: number;
  created_at: string;
}

export interface CampaignTable {
  id: string;
  tenant_id: string;
  store_id: string | null;
  name: string;
  media_kind: 'image' | 'video' | 'text';
  media_url: string | null;
  text: string | null;
  text_zh: string | null;
  hint: string | null;
  hint_zh: string | null;
  /** JSON array of promoted variant ids */
  variant_ids: string;
  starts_at: string;
  ends_at: string;
  /** minutes after local midnight; null = all day */
  daily_from: number | null;
  daily_to: number | null;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface FeedbackTable {
  id: string;
  tenant_id: string;
  order_id: string;
  store_id: string;
  register_id: string;
  staff_id: string;
  rating: number;
  nps: number | null;
  comment: string | null;
  source: 'display' | 'receipt';
  created_at: string;
}

export interface ReceiptLinkTable {
  token: string;
  tenant_id: string;
  order_id: string;
  created_at: string;
}

/** A promotion rule; `conditions` and `action` are JSON in @opentill/core's shapes. */
export interface PromotionTable {
  id: string;
  tenant_id: string;
  name: string;
  name_zh: string | null;
  priority: number;
  exclusive: number;
  conflict_group: string | null;
  /** JSON PromotionCondition[] */
  conditions: string;
  /** JSON PromotionAction */
  action: string;
  max_applications: number | null;
  active: number;
  created_at: string;
  updated_at: string;
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
  /** Refunded on this day (lines of earlier or same-day sales), beside what was sold. */
  refund_qty_milli: number;
  refund_amount: number;
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
  /** RFM is scored per currency: monetary never adds different currencies. */
  currency: string;
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

/** The identity tables (auth, approvals; migration 003) are declared in schema-identity.ts. */
/** A device with its own credential (register, customer display, payment terminal, kiosk). */
export interface DeviceTable {
  id: string;
  tenant_id: string;
  kind: 'register' | 'customer_display' | 'payment_terminal' | 'kiosk';
  name: string;
  store_id: string;
  register_id: string | null;
  secret_hash: string | null;
  paired_at: string | null;
  last_seen_at: string | null;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

/** A single-use pairing code of a device, by the code's SHA-256. */
export interface DevicePairingTable {
  code_hash: string;
  tenant_id: string;
  device_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A short device token, by the token's SHA-256. */
export interface DeviceTokenTable {
  id: string;
  tenant_id: string;
  device_id: string;
  created_at: string;
  expires_at: string;
}

export interface DB extends IdentityTables {
  devices: DeviceTable;
  device_pairings: DevicePairingTable;
  device_tokens: DeviceTokenTable;
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
  audit_chain_heads: AuditChainHeadTable;
  key_tenant_keys: KeyTenantKeyTable;
  key_subject_keys: KeySubjectKeyTable;
  // compliance (migration 008)
  event_consumers: EventConsumerTable;
  event_processed: EventProcessedTable;
  compliance_settings: ComplianceSettingsTable;
  aml_rule_sets: AmlRuleSetTable;
  aml_facts: AmlFactTable;
  aml_fact_instruments: AmlFactInstrumentTable;
  aml_alerts: AmlAlertTable;
  compliance_cases: ComplianceCaseTable;
  case_notes: CaseNoteTable;
  case_evidence: CaseEvidenceTable;
  sanctions_list_versions: SanctionsListVersionTable;
  sanctions_entries: SanctionsEntryTable;
  sanctions_screenings: SanctionsScreeningTable;
  pci_reports: PciReportTable;
  privacy_requests: PrivacyRequestTable;
  retention_rules: RetentionRuleTable;
  // payments (migration 002)
  stored_value_accounts: StoredValueAccountTable;
  stored_value_entries: StoredValueEntryTable;
  card_authorizations: CardAuthorizationTable;
  card_reversals: CardReversalTable;
  wallet_payments: WalletPaymentTable;
  wallet_callbacks: WalletCallbackTable;
  customers: CustomerTable;
  loyalty_programs: LoyaltyProgramTable;
  loyalty_accounts: LoyaltyAccountTable;
  loyalty_ledger: LoyaltyLedgerTable;
  coupons: CouponTable;
  coupon_redemptions: CouponRedemptionTable;
  campaigns: CampaignTable;
  feedback: FeedbackTable;
  receipt_links: ReceiptLinkTable;
  promotions: PromotionTable;
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
