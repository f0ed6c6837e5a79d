import type { FastifyReply } from 'fastify';

/**
 * Every expected failure has a snake_case code, and this one table maps each code to its HTTP
 * status. The type `ErrorCode` is the table's keys, so a code without a status cannot exist.
 */
export const errorStatus = {
  // request shape
  validation_failed: 400,
  unknown_field: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  idempotency_key_required: 400,
  route_not_found: 404,
  // auth
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_pin: 401,
  forbidden: 403,
  // generic
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  // catalog
  unknown_store: 404,
  unknown_register: 404,
  unknown_variant: 422,
  unknown_barcode: 422,
  unknown_product: 404,
  unknown_category: 422,
  unknown_tax_class: 422,
  unknown_staff: 404,
  no_price: 422,
  invalid_barcode: 422,
  duplicate_sku: 409,
  duplicate_barcode: 409,
  duplicate_username: 409,
  invalid_currency: 422,
  invalid_time_zone: 422,
  // pricing and tenders
  invalid_quantity: 422,
  fractional_quantity: 422,
  amount_out_of_range: 422,
  invalid_discount: 422,
  discount_exceeds_amount: 422,
  empty_cart: 422,
  price_mismatch: 409,
  currency_mismatch: 422,
  insufficient_tender: 422,
  overpayment_not_cash: 422,
  invalid_tender_amount: 422,
  no_tenders: 422,
  // orders
  order_exists: 409,
  unknown_order: 404,
  illegal_transition: 409,
  insufficient_stock: 409,
  register_store_mismatch: 422,
  unsupported_tender: 422,
  card_data_not_allowed: 422,
  // refunds and voids
  unknown_line: 422,
  refund_exceeds_quantity: 422,
  refund_exceeds_payment: 422,
  nothing_to_refund: 422,
  void_not_allowed: 409,
  // stock
  invalid_reason: 422,
  same_store_transfer: 422,
  // cash sessions
  no_open_session: 409,
  session_already_open: 409,
  session_closed: 409,
  unknown_session: 404,
  // customer display pairing
  unknown_pairing_code: 404,
  pairing_expired: 410,
  too_many_attempts: 429,
  invalid_display_token: 401,
  // device credentials
  unknown_device: 404,
  register_not_paired: 403,
  device_kind_mismatch: 422,
  // identity: passwords, lockout, sessions, second factors, approvals (issue 5)
  weak_password: 422,
  account_locked: 423,
  rate_limited: 429,
  token_expired: 401,
  session_idle: 401,
  mfa_required: 403,
  mfa_enrolment_required: 403,
  invalid_code: 401,
  invalid_passkey: 401,
  unknown_factor: 404,
  unknown_challenge: 404,
  challenge_expired: 410,
  last_factor: 409,
  sms_failed: 502,
  unknown_api_key: 404,
  approval_required: 403,
  invalid_approval: 403,
  unknown_approval: 404,
  approval_not_pending: 409,
  // compliance
  unknown_case: 404,
  reason_required: 422,
  invalid_rules: 422,
  unknown_jurisdiction: 404,
  unknown_screening: 404,
  screening_already_decided: 409,
  sanctions_hold: 409,
  invalid_list_file: 422,
  unknown_privacy_request: 404,
  unknown_subject: 404,
  // payments: stored value, cards, wallets
  unknown_stored_value: 422,
  stored_value_blocked: 422,
  stored_value_expired: 422,
  gift_card_pin_required: 422,
  invalid_gift_card_pin: 422,
  insufficient_balance: 409,
  offline_limit_exceeded: 422,
  unknown_terminal: 422,
  payment_in_progress: 409,
  payment_cancelled: 409,
  payment_declined: 402,
  payment_partially_approved: 402,
  payment_unavailable: 503,
  payment_timeout: 504,
  unknown_wallet_provider: 422,
  unknown_wallet_payment: 422,
  wallet_payment_not_completed: 409,
  invalid_callback_signature: 401,
  // customers, loyalty, coupons, feedback
  unknown_customer: 404,
  customer_erased: 410,
  duplicate_customer: 409,
  invalid_phone: 422,
  invalid_email: 422,
  customer_required: 422,
  loyalty_not_configured: 422,
  invalid_program: 422,
  invalid_points_amount: 422,
  insufficient_points: 409,
  offline_allowance_exceeded: 422,
  unknown_coupon: 422,
  coupon_not_valid: 422,
  coupon_used_up: 409,
  duplicate_coupon: 409,
  unknown_campaign: 404,
  unknown_receipt: 404,
  feedback_exists: 409,
  // promotions
  unknown_promotion: 404,
  invalid_promotion: 422,
  // insights
  invalid_date_range: 400,
  nothing_to_order: 422,
  unknown_purchase_order: 404,
  purchase_order_not_draft: 409,
  // coupon batches to an RFM segment
  unknown_segment: 422,
  empty_segment: 422,
  // server
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ApiError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const fail = (
  code: ErrorCode,
  message: string,
  details?: unknown,
): { ok: false; error: ApiError } => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Thrown only at the HTTP edge (hooks, parsers); services return `Result` instead. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.status(errorStatus[error.code]).send({
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  });
}

/** Sends a result: `value` with `status` on success, the error body otherwise. */
export function sendResult<T>(reply: FastifyReply, result: Result<T>, status = 200): FastifyReply {
  return result.ok ? reply.status(status).send(result.value) : sendError(reply, result.error);
}

/** JSON schema for the error body, shared by every route's responses. */
export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
