import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema';
import type { LightMyRequestResponse } from 'fastify';
import { engines, newOrderId, signInFull, startTestApp, TEST_PASSWORD, type TestApp } from './harness';
import { seedDemo } from '../src/seed/seed';

/**
 * Tenant isolation over the whole route table: tenant B is seeded and used (sales, a refund, a
 * cash session, a display pairing, an extra barcode), then every route is called with tenant A's
 * owner token and B's ids in the path, the query and the body. No answer may be 2xx and carry
 * anything of B's; a B id in the path must be 404; a write naming B's records must be refused;
 * and B's rows in every tenant table are byte-for-byte the same afterwards.
 *
 * A route the table below does not know fails the test: a new route needs its case here.
 */

interface BIds {
  store: string;
  otherStore: string;
  register: string;
  product: string;
  variant: string;
  barcode: string;
  order: string;
  line: string;
  session: string;
  category: string;
  taxClass: string;
  staff: string;
  cashierUsername: string;
  authSession: string;
  factor: string;
  apiKey: string;
  approval: string;
  customer: string;
  coupon: string;
  couponCode: string;
  campaign: string;
  promotion: string;
  storedValue: string;
  giftCode: string;
  wallet: string;
  purchaseOrder: string;
  complianceCase: string;
  screening: string;
  privacyRequest: string;
  cardAuth: string;
  device: string;
  receiptToken: string;
}

interface Call {
  query?: Record<string, string>;
  body?: unknown;
}

/** Routes that take no tenant input from the caller (or a secret, not an id): called for leaks only. */
const tenantFree = new Set([
  'GET /health',
  'GET /api/v1/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'GET /api/v1/staff',
  'GET /api/v1/display/session',
  'GET /api/v1/display/stream',
  // the 6-digit code is the secret (no sign-in); B's live code is never sent
  'POST /api/v1/display/pairings/:code/claim',
  // the caller's own account: credentials, second factors, sessions (secrets, not ids)
  'POST /api/v1/auth/refresh',
  'GET /api/v1/auth/sessions',
  'GET /api/v1/auth/mfa',
  'POST /api/v1/auth/mfa/totp',
  'POST /api/v1/auth/mfa/sms/send',
  'POST /api/v1/auth/mfa/passkey/options',
  'POST /api/v1/auth/mfa/passkey',
  'POST /api/v1/auth/mfa/challenge',
  'POST /api/v1/auth/mfa/verify',
  'POST /api/v1/auth/mfa/recovery-codes',
  'POST /api/v1/auth/passkey/options',
  'POST /api/v1/auth/passkey/login',
  // a device pairs with its code and trades its credential for a token: secrets, not ids
  // (B's live pairing codes are never sent)
  'POST /api/v1/devices/pair',
  'POST /api/v1/devices/token',
  // the public e-receipt page and its feedback form: the unguessable token is the credential
  // (no sign-in); B's token is never sent, only a made-up one
  'GET /api/v1/e-receipts/:token',
  'POST /api/v1/e-receipts/:token/feedback',
  // a wallet provider's server calls this, authenticated by the provider's signature, not a token
  'POST /api/v1/payments/wallet/callback/:provider',
  // the wallet providers configured on this server, the same for every tenant
  'GET /api/v1/payments/wallet/providers',
  // imported sanctions lists are public data shared by all tenants (screenings are per tenant)
  'GET /api/v1/compliance/sanctions/lists',
]);

/** Query and body per route, naming B's records wherever the route accepts an id. */
function cases(b: BIds, a: { store: string; register: string; variant: string }): Record<string, Call[]> {
  const lines = [{ variantId: b.variant, quantity: 1 }];
  return {
    'GET /api/v1/stores': [{}],
    'POST /api/v1/stores': [
      { body: { id: b.store, name: 'Clash', currency: 'USD', timeZone: 'UTC', taxMode: 'exclusive' } },
    ],
    'GET /api/v1/stores/:id': [{}],
    'PATCH /api/v1/stores/:id': [{ body: { name: 'Taken over' } }],
    'GET /api/v1/registers': [{}, { query: { storeId: b.store } }],
    'POST /api/v1/registers': [{ body: { storeId: b.store, name: 'Intruder' } }],
    'PATCH /api/v1/registers/:id': [{ body: { name: 'Taken over', active: false } }],
    'POST /api/v1/staff': [
      {
        body: {
          username: `x${randomBytes(3).toString('hex')}`,
          displayName: 'X',
          role: 'cashier',
          password: 'long-enough-pass-1',
          tenantId: 'x',
        },
      },
    ],
    'GET /api/v1/products': [{}, { query: { categoryId: b.category } }, { query: { q: 'a' } }],
    'POST /api/v1/products': [
      {
        body: {
          name: 'Stolen class',
          categoryId: b.category,
          variants: [{ sku: 'ISO-1', taxClassId: b.taxClass }],
        },
      },
      {
        body: {
          name: 'Priced in B',
          variants: [{ sku: 'ISO-2', taxClassId: b.taxClass, prices: { [b.store]: 100 } }],
        },
      },
    ],
    'GET /api/v1/products/:id': [{}],
    'PATCH /api/v1/products/:id': [{ body: { name: 'Taken over' } }],
    'DELETE /api/v1/products/:id': [{}],
    'GET /api/v1/variants/:id': [{}],
    'GET /api/v1/barcodes/:code': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/catalog/changes': [{}, { query: { since: '1970-01-01T00:00:00.000Z' } }],
    'GET /api/v1/categories': [{}],
    'POST /api/v1/categories': [{ body: { name: 'Child of B', parentId: b.category } }],
    'PATCH /api/v1/categories/:id': [{ body: { name: 'Taken over' } }],
    'GET /api/v1/tax-classes': [{}],
    'POST /api/v1/tax-classes': [
      { body: { code: 'ISO', name: 'B rates', rates: [{ storeId: b.store, ratePpm: 1 }] } },
    ],
    'PATCH /api/v1/tax-classes/:id': [{ body: { name: 'Taken over' } }],
    'GET /api/v1/stock': [{}, { query: { storeId: b.store } }, { query: { variantId: b.variant } }],
    'GET /api/v1/stock/movements': [{}, { query: { storeId: b.store } }, { query: { variantId: b.variant } }],
    'POST /api/v1/stock/receive': [
      { body: { storeId: b.store, lines } },
      { body: { storeId: a.store, lines } },
    ],
    'POST /api/v1/stock/adjust': [
      { body: { storeId: b.store, lines, reason: 'correction' } },
      { body: { storeId: a.store, lines, reason: 'correction' } },
    ],
    'POST /api/v1/stock/counts': [
      { body: { storeId: b.store, lines: [{ variantId: b.variant, counted: 0 }] } },
      { body: { storeId: a.store, lines: [{ variantId: b.variant, counted: 0 }] } },
    ],
    'POST /api/v1/stock/transfers': [
      { body: { fromStoreId: a.store, toStoreId: b.store, lines: [{ variantId: a.variant, quantity: 1 }] } },
      { body: { fromStoreId: b.store, toStoreId: b.otherStore, lines } },
    ],
    'POST /api/v1/orders': [
      {
        body: {
          id: newOrderId(),
          storeId: b.store,
          registerId: b.register,
          lines: [{ variantId: b.variant, quantity: 1 }],
          tenders: [{ kind: 'cash', amount: 100000 }],
        },
      },
      {
        body: {
          id: newOrderId(),
          storeId: a.store,
          registerId: a.register,
          lines: [{ variantId: b.variant, quantity: 1 }],
          tenders: [{ kind: 'cash', amount: 100000 }],
        },
      },
      {
        // B's order id reused as a new order of A's
        body: {
          id: b.order,
          storeId: a.store,
          registerId: a.register,
          lines: [{ variantId: a.variant, quantity: 1 }],
          tenders: [{ kind: 'cash', amount: 100000 }],
        },
      },
    ],
    'POST /api/v1/orders/quote': [
      { body: { storeId: b.store, registerId: b.register, lines: [{ variantId: b.variant, quantity: 1 }] } },
      { body: { storeId: a.store, registerId: a.register, lines: [{ variantId: b.variant, quantity: 1 }] } },
    ],
    'GET /api/v1/orders/:id': [{}],
    'GET /api/v1/orders': [{}, { query: { storeId: b.store } }, { query: { registerId: b.register } }],
    'POST /api/v1/orders/:id/refunds': [
      { body: { reason: 'mine now' } },
      { body: { lines: [{ lineId: b.line, quantity: 1 }], reason: 'mine now' } },
    ],
    'POST /api/v1/orders/:id/void': [{ body: { reason: 'mine now' } }],
    'GET /api/v1/orders/:id/receipt': [{}, { query: { format: 'html' } }],
    'POST /api/v1/cash-sessions': [{ body: { registerId: b.register, openingFloat: 0 } }],
    'GET /api/v1/cash-sessions': [{}, { query: { registerId: b.register } }],
    'GET /api/v1/cash-sessions/:id': [{}],
    'GET /api/v1/registers/:id/cash-session': [{}],
    'POST /api/v1/cash-sessions/:id/drawer-open': [{ body: { reason: 'isolation' } }],
    'POST /api/v1/cash-sessions/:id/movements': [{ body: { kind: 'paid_in', amount: 100, reason: 'float' } }],
    'GET /api/v1/cash-sessions/:id/x-report': [{}],
    'POST /api/v1/cash-sessions/:id/close': [{ body: { counted: [{ kind: 'cash', amount: 0 }] } }],
    'POST /api/v1/display/pairings': [{ body: { registerId: b.register } }],
    'DELETE /api/v1/display/:registerId/pairings': [{}],
    'POST /api/v1/display/:registerId/state': [{ body: { at: 1, state: { kind: 'idle', storeName: 'x' } } }],
    'GET /api/v1/display/:registerId/tip': [{}],
    // A's paired customer display (see asDevice): its own register only, whatever it sends
    'POST /api/v1/display/tip': [{ body: { tip: 100 } }],
    'POST /api/v1/display/feedback': [{ body: { receiptToken: b.receiptToken, rating: 1 } }],
    // ---- devices
    'GET /api/v1/devices': [{}],
    'POST /api/v1/devices': [
      { body: { kind: 'register', name: 'Intruder', storeId: b.store, registerId: b.register } },
      { body: { kind: 'payment_terminal', name: 'Intruder', storeId: a.store, registerId: b.register } },
      { body: { kind: 'kiosk', name: 'Intruder', storeId: b.store } },
    ],
    'POST /api/v1/devices/:id/pairing-code': [{}],
    'DELETE /api/v1/devices/:id': [{}],
    'POST /api/v1/auth/pin': [{ body: { registerId: a.register, username: b.cashierUsername, pin: '1234' } }],
    'POST /api/v1/auth/password': [
      { body: { currentPassword: 'not-the-password-1', newPassword: 'another-long-pass-1' } },
    ],
    'GET /api/v1/staff/:id/sessions': [{}],
    'DELETE /api/v1/auth/sessions/:id': [{}],
    'POST /api/v1/staff/:id/unlock': [{}],
    'POST /api/v1/staff/:id/erase': [{}],
    'POST /api/v1/auth/mfa/totp/confirm': [{ body: { factorId: b.factor, code: '123456' } }],
    'POST /api/v1/auth/mfa/sms': [{ body: { phone: '+8613800138000' } }],
    'POST /api/v1/auth/mfa/sms/confirm': [
      { body: { factorId: b.factor, challengeId: b.factor, code: '123456' } },
    ],
    'DELETE /api/v1/auth/mfa/:id': [{}],
    'GET /api/v1/api-keys': [{}],
    'POST /api/v1/api-keys': [{ body: { name: 'isolation', scopes: ['stores.read'] } }],
    'DELETE /api/v1/api-keys/:id': [{}],
    'GET /api/v1/approvals/policy': [{}],
    'PUT /api/v1/approvals/policy': [
      {
        body: {
          refundAbove: {},
          void: false,
          priceOverride: false,
          discountAboveBp: null,
          drawerOpen: false,
          paidOutAbove: {},
          offlineLimitRaise: false,
        },
      },
    ],
    // a request describes an action of the caller's own tenant; the action itself is checked when used
    'POST /api/v1/approvals': [{ body: { kind: 'drawer_open' } }],
    'GET /api/v1/approvals': [{}, { query: { wait: '1', known: b.approval } }],
    'GET /api/v1/approvals/:id': [{}, { query: { wait: '1' } }],
    'POST /api/v1/approvals/:id/challenge': [{ body: {} }],
    'POST /api/v1/approvals/:id/approve': [{ body: { method: 'totp', code: '123456' } }],
    'POST /api/v1/approvals/:id/deny': [{}],
    'POST /api/v1/approvals/:id/consume': [{ body: { kind: 'void', entityId: b.order } }],
    'GET /api/v1/audit': [{}, { query: { staffId: b.staff } }],
    'GET /api/v1/audit/verify': [{}],
    'GET /api/v1/audit/export': [
      { query: { format: 'json' } },
      { query: { format: 'csv', staffId: b.staff } },
    ],
    // ---- payments: stored value, cards, wallets
    'POST /api/v1/stored-value': [
      { body: { kind: 'gift_card', storeId: b.store, amount: 100 } },
      { body: { kind: 'store_credit', storeId: a.store, amount: 100, customerId: b.customer } },
    ],
    'POST /api/v1/stored-value/load': [{ body: { code: b.giftCode, amount: 100 } }],
    'POST /api/v1/stored-value/balance': [{ body: { code: b.giftCode } }],
    'GET /api/v1/stored-value/:id': [{}],
    'GET /api/v1/payments/card/authorizations/:id': [{}],
    'GET /api/v1/payments/card/exceptions': [{}],
    // A's paired terminal (see asDevice) naming B's register: 404, and B's next card sale is approved (below)
    'POST /api/v1/payments/terminals/:id/present': [{ body: { card: 'declined', entryMode: 'contactless' } }],
    // an offline read handed over on B's register id: 404, like a register that does not exist
    'POST /api/v1/payments/terminals/:id/offline-reads': [
      { body: { reference: 'sf_isolation01', card: 'declined', entryMode: 'contactless' } },
    ],
    'POST /api/v1/payments/wallet': [
      {
        body: {
          provider: 'sandbox',
          storeId: b.store,
          registerId: b.register,
          amount: 100,
          mode: 'merchant_presented',
        },
      },
      {
        body: {
          provider: 'sandbox',
          storeId: a.store,
          registerId: b.register,
          amount: 100,
          mode: 'merchant_presented',
        },
      },
    ],
    'GET /api/v1/payments/wallet/:id': [{}],
    'POST /api/v1/payments/wallet/:id/cancel': [{}],
    'POST /api/v1/payments/wallet/:id/sandbox-approve': [{}],
    // ---- customers, loyalty, coupons
    'POST /api/v1/customers': [{ body: { name: 'Isolation', phone: '13900008888' } }],
    'GET /api/v1/customers': [{}, { query: { q: 'B' } }],
    'GET /api/v1/customers/lookup': [{ query: { phone: '13900007777' } }, { query: { code: b.customer } }],
    'GET /api/v1/customers/:id': [{}],
    'PATCH /api/v1/customers/:id': [{ body: { name: 'Taken over' } }],
    'GET /api/v1/customers/:id/orders': [{}],
    'GET /api/v1/customers/:id/export': [{}],
    'POST /api/v1/customers/:id/erase': [{}],
    'GET /api/v1/loyalty/program': [{}],
    'PUT /api/v1/loyalty/program': [{ body: { programs: [] } }],
    'GET /api/v1/customers/:id/loyalty': [{}],
    'POST /api/v1/customers/:id/loyalty/adjustments': [{ body: { points: 1000, note: 'mine now' } }],
    'POST /api/v1/customers/:id/loyalty/rewards': [
      { body: { points: 1, coupon: { name: 'Reward', kind: 'amount', value: 100, currency: 'CNY' } } },
    ],
    'POST /api/v1/loyalty/expire': [{}],
    'GET /api/v1/loyalty/ledger-check': [{}],
    'POST /api/v1/coupons': [
      { body: { name: 'Clash', kind: 'amount', value: 100, currency: 'CNY', code: b.couponCode } },
      { body: { name: 'For B', kind: 'amount', value: 100, currency: 'CNY', customerId: b.customer } },
    ],
    'POST /api/v1/coupons/batches': [
      { body: { name: 'For B', kind: 'amount', value: 100, currency: 'CNY', customerIds: [b.customer] } },
    ],
    'GET /api/v1/coupons': [{}],
    'GET /api/v1/coupons/check': [{ query: { code: b.couponCode } }],
    'PATCH /api/v1/coupons/:id': [{ body: { active: false } }],
    // ---- marketing: campaigns, e-receipts, feedback
    'POST /api/v1/campaigns': [
      {
        body: {
          name: 'Into B',
          storeId: b.store,
          mediaKind: 'text',
          text: 'x',
          startsAt: '2026-01-01T00:00:00Z',
          endsAt: '2026-02-01T00:00:00Z',
        },
      },
    ],
    'GET /api/v1/campaigns': [{}],
    'PATCH /api/v1/campaigns/:id': [{ body: { name: 'Taken over' } }],
    'GET /api/v1/campaigns/showing': [
      {},
      { query: { storeId: b.store } },
      { query: { registerId: b.register } },
    ],
    'GET /api/v1/campaigns/:id/uplift': [{}],
    'POST /api/v1/orders/:id/receipt-link': [{}],
    'GET /api/v1/feedback': [{}],
    // ---- promotions
    'GET /api/v1/promotions': [{}],
    'GET /api/v1/promotions/active': [{}, { query: { storeId: b.store } }],
    'POST /api/v1/promotions': [
      {
        body: {
          name: 'B scoped',
          storeIds: [b.store],
          action: { kind: 'amount_off', amount: 100, target: 'order' },
        },
      },
    ],
    'GET /api/v1/promotions/:id': [{}],
    'PATCH /api/v1/promotions/:id': [{ body: { active: false } }],
    'DELETE /api/v1/promotions/:id': [{}],
    // ---- insights
    'GET /api/v1/insights/summary': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/insights/sales': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/insights/payments': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/insights/products': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/insights/stock': [{}, { query: { storeId: b.store } }],
    'POST /api/v1/insights/refresh': [{}],
    'POST /api/v1/insights/rules/mine': [{}],
    'GET /api/v1/insights/recommendations': [{}, { query: { variantId: b.variant } }],
    'GET /api/v1/insights/recommendations/customers/:customerId': [{}],
    'POST /api/v1/insights/segments/refresh': [{}],
    'GET /api/v1/insights/segments': [{}],
    'GET /api/v1/insights/reorder': [{}, { query: { storeId: b.store } }],
    'POST /api/v1/insights/purchase-orders': [
      { body: { storeId: b.store } },
      { body: { storeId: a.store, lines: [{ variantId: b.variant, quantity: 1 }] } },
    ],
    'GET /api/v1/insights/purchase-orders': [{}, { query: { storeId: b.store } }],
    'GET /api/v1/insights/purchase-orders/:id': [{}],
    'POST /api/v1/insights/purchase-orders/:id/receive': [{}],
    // ---- compliance
    'GET /api/v1/compliance/cases': [{}],
    'GET /api/v1/compliance/cases/:id': [{}],
    'POST /api/v1/compliance/cases/:id/transition': [{ body: { to: 'investigating' } }],
    'POST /api/v1/compliance/cases/:id/assign': [{ body: { assigneeId: null } }],
    'POST /api/v1/compliance/cases/:id/notes': [{ body: { body: 'mine now' } }],
    'POST /api/v1/compliance/cases/:id/evidence': [{ body: { kind: 'order', refId: b.order } }],
    'GET /api/v1/compliance/cases/:id/report': [{}],
    'GET /api/v1/compliance/alerts': [{}],
    'GET /api/v1/compliance/rules': [{}],
    'PUT /api/v1/compliance/rules/:jurisdiction': [{ body: { rules: [] } }],
    'GET /api/v1/compliance/settings': [{}],
    'PUT /api/v1/compliance/settings': [{ body: {} }],
    'POST /api/v1/compliance/sanctions/screen': [{ body: { name: 'Nobody In Particular' } }],
    'POST /api/v1/compliance/sanctions/screen-sale': [
      { body: { orderId: b.order, amount: 100, currency: 'CNY', party: { name: 'Nobody In Particular' } } },
    ],
    'GET /api/v1/compliance/sanctions/screenings/:id/status': [{}],
    'GET /api/v1/compliance/sanctions/screenings': [{}],
    'GET /api/v1/compliance/sanctions/screenings/:id': [{}],
    'POST /api/v1/compliance/sanctions/screenings/:id/decision': [
      { body: { decision: 'clear', reason: 'mine' } },
    ],
    'POST /api/v1/compliance/pci/check': [{}],
    'GET /api/v1/compliance/pci/reports': [{}],
    'GET /api/v1/compliance/privacy/requests': [{}],
    'POST /api/v1/compliance/privacy/requests': [{ body: { kind: 'erasure', subjectId: b.customer } }],
    'GET /api/v1/compliance/privacy/requests/:id': [{}],
    'POST /api/v1/compliance/privacy/requests/:id/start': [{}],
    'POST /api/v1/compliance/privacy/requests/:id/reject': [{ body: { reason: 'mine' } }],
    'POST /api/v1/compliance/privacy/requests/:id/fulfil': [{}],
    'GET /api/v1/compliance/retention': [{}],
    'PUT /api/v1/compliance/retention/:kind': [{ body: { keepDays: 1 } }],
  };
}

/**
 * Routes that answer B's id in the path the same as a missing id, without B's data, but not 404.
 * Listed so that the test fails if one is fixed or another appears. None today: keep it so.
 */
const knownNot404 = new Map<string, number>([]);

/** Routes only a device calls: A's paired device of this kind calls them instead of A's owner. */
const asDevice: Record<string, 'payment_terminal' | 'customer_display'> = {
  'POST /api/v1/payments/terminals/:id/present': 'payment_terminal',
  'POST /api/v1/display/tip': 'customer_display',
  'POST /api/v1/display/feedback': 'customer_display',
};

/**
 * Writes that record an id exactly as the caller gave it, without looking it up: a data-subject
 * request may arrive before the subject is identified. Carrying it out reads only the caller's
 * tenant (an unknown subject is 404 unknown_subject), so B's id gains A nothing; the answer
 * echoes A's own input.
 */
const recordsAsGiven = new Set(['POST /api/v1/compliance/privacy/requests']);

/** Path parameters that name the caller's own configuration, not a record: A's value, no 404 expected. */
const ownParams: Record<string, string> = { jurisdiction: 'CN', kind: 'orders' };
const seenNot404 = new Map<string, number>();

/** B's id for a path parameter, by the resource the path names. */
function pathParam(url: string, name: string, b: BIds): string | undefined {
  const segments = url.split('/');
  const resource = segments[segments.indexOf(`:${name}`) - 1];
  if (name === 'registerId') return b.register;
  if (name === 'customerId') return b.customer;
  if (name === 'code' && resource === 'barcodes') return b.barcode;
  if (name !== 'id') return undefined;
  const byResource: Record<string, string> = {
    stores: b.store,
    registers: b.register,
    products: b.product,
    variants: b.variant,
    orders: b.order,
    'cash-sessions': b.session,
    categories: b.category,
    'tax-classes': b.taxClass,
    staff: b.staff,
    sessions: b.authSession,
    mfa: b.factor,
    'api-keys': b.apiKey,
    approvals: b.approval,
    customers: b.customer,
    coupons: b.coupon,
    campaigns: b.campaign,
    promotions: b.promotion,
    'stored-value': b.storedValue,
    wallet: b.wallet,
    // the simulated terminal named like B's register (terminals carry no tenant record)
    terminals: b.register,
    authorizations: b.cardAuth,
    'purchase-orders': b.purchaseOrder,
    cases: b.complianceCase,
    screenings: b.screening,
    requests: b.privacyRequest,
    devices: b.device,
  };
  return resource === undefined ? undefined : byResource[resource];
}

/** An id of the same shape that exists nowhere. */
function ghostOf(value: string): string {
  if (/^\d+$/.test(value)) return '4006381333948'.slice(0, value.length);
  const [prefix] = value.split('_');
  return `${prefix}_00000000-0000-7000-8000-000000000000`;
}

/** Tables of this database (on PostgreSQL: of the current schema only, not other tests' schemas). */
async function ownTables(kdb: Kysely<DB>) {
  const tables = await kdb.introspection.getTables();
  if (tables.every((tb) => tb.schema === undefined)) return tables;
  const current = (await sql<{ s: string }>`select current_schema() as s`.execute(kdb)).rows[0]?.s;
  return tables.filter((tb) => tb.schema === current);
}

/** Every table with a tenant_id column, B's rows as text in a stable order. */
async function snapshot(t: TestApp, tenantId: string): Promise<Record<string, string>> {
  const db = t.deps.database.db;
  const tables = await ownTables(db);
  const out: Record<string, string> = {};
  for (const table of tables) {
    if (!table.columns.some((c) => c.name === 'tenant_id')) continue;
    const rows = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(table.name)} where tenant_id = ${tenantId}`.execute(db);
    out[table.name] = rows.rows
      .map((r) =>
        JSON.stringify(
          Object.keys(r)
            .sort()
            .map((k) => [k, r[k]]),
        ),
      )
      .sort()
      .join('\n');
  }
  return out;
}

describe.each(engines)('tenant isolation on %s', (engine) => {
  let t: TestApp;
  let b: BIds;
  let bSecrets: string[];
  let aIds: { store: string; register: string; variant: string };
  let bSale: { headers: Record<string, string>; due: number };

  beforeAll(async () => {
    t = await startTestApp(engine);
    const prefix = `b${randomBytes(3).toString('hex')}_`;
    const seedB = await seedDemo(t.deps, {
      password: TEST_PASSWORD,
      usernamePrefix: prefix,
      tenantName: 'Tenant B',
    });
    const db = t.deps.database.db;
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: `${prefix}cashier`, password: TEST_PASSWORD },
    });
    expect(login.statusCode, login.body).toBe(200);
    const bCashier = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
    const store = seedB.stores.sh.id;
    const register = seedB.stores.sh.registers[0] ?? '';
    const variant = await db
      .selectFrom('variants')
      .select(['id', 'product_id'])
      .where('tenant_id', '=', seedB.tenantId)
      .where('unit', '=', 'each')
      .orderBy('sku')
      .executeTakeFirstOrThrow();
    const barcode = '4006381333931';
    await db
      .insertInto('barcodes')
      .values({ tenant_id: seedB.tenantId, code: `0${barcode}`, variant_id: variant.id })
      .execute();

    const session = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cash-sessions',
      headers: bCashier,
      payload: { registerId: register, openingFloat: 10000 },
    });
    expect(session.statusCode, session.body).toBe(201);
    const sale = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        headers: { ...bCashier, 'idempotency-key': randomBytes(8).toString('hex') },
        payload: {
          id: newOrderId(),
          storeId: store,
          registerId: register,
          lines: [{ variantId: variant.id, quantity: 1 }],
          tenders: [{ kind: 'cash', amount: 100000 }],
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; lines: { lineId: string }[] };
    };
    const order = await sale();
    const refunded = await sale();
    const refund = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orders/${refunded.id}/refunds`,
      headers: bCashier,
      payload: { reason: 'changed mind' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    const pairing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/display/pairings',
      headers: bCashier,
      payload: { registerId: register },
    });
    expect(pairing.statusCode, pairing.body).toBe(201);
    // B's owner signs in with a second factor and makes an API key
    const bOwner = { authorization: `Bearer ${await signInFull(t.app, `${prefix}owner`, TEST_PASSWORD)}` };
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bOwner,
      payload: { name: 'B integration', scopes: ['orders.read'] },
    });
    expect(key.statusCode, key.body).toBe(201);
    const approval = await t.app.inject({
      method: 'POST',
      url: '/api/v1/approvals',
      headers: bCashier,
      payload: { kind: 'void', entityId: order.id },
    });
    expect(approval.statusCode, approval.body).toBe(201);
    // one entity of every kind the later modules keep, made by B's own staff
    const bMake = async (url: string, payload: object, headers = bOwner, status = 201) => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
      expect(res.statusCode, `${url} ${res.body}`).toBe(status);
      return res.json() as { id: string; code?: string; token?: string };
    };
    const customer = await bMake('/customers', { name: 'B Member', phone: '13900007777' }, bCashier);
    await bMake(
      `/customers/${customer.id}/loyalty/adjustments`,
      { points: 50, note: 'welcome' },
      bOwner,
      200,
    );
    const coupon = await bMake('/coupons', {
      name: 'B coupon',
      kind: 'amount',
      value: 100,
      currency: 'CNY',
      code: 'BSECRETCPN1',
      customerId: customer.id,
    });
    const campaign = await bMake('/campaigns', {
      name: 'B campaign',
      storeId: store,
      mediaKind: 'text',
      text: 'B only',
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '2027-01-01T00:00:00Z',
    });
    const promotion = await bMake('/promotions', {
      name: 'B promotion',
      action: { kind: 'amount_off', amount: 100, target: 'order' },
    });
    const gift = await bMake('/stored-value', { kind: 'gift_card', storeId: store, amount: 500 });
    const wallet = await bMake(
      '/payments/wallet',
      { provider: 'sandbox', storeId: store, registerId: register, amount: 100, mode: 'merchant_presented' },
      bCashier,
    );
    const receiptLink = await bMake(`/orders/${order.id}/receipt-link`, {}, bCashier, 200);
    const feedback = await t.app.inject({
      method: 'POST',
      url: `/api/v1/e-receipts/${receiptLink.token ?? ''}/feedback`,
      payload: { rating: 4, source: 'receipt', comment: 'B feedback' },
    });
    expect(feedback.statusCode, feedback.body).toBe(201);
    // a card sale on B's register through the simulated terminal and the sandbox acquirer
    const quote = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders/quote',
      headers: bCashier,
      payload: { storeId: store, registerId: register, lines: [{ variantId: variant.id, quantity: 1 }] },
    });
    expect(quote.statusCode, quote.body).toBe(200);
    const cardSale = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...bCashier, 'idempotency-key': randomBytes(8).toString('hex') },
      payload: {
        id: newOrderId(),
        storeId: store,
        registerId: register,
        lines: [{ variantId: variant.id, quantity: 1 }],
        tenders: [{ kind: 'card', amount: (quote.json() as { total: number }).total, terminalId: register }],
      },
    });
    expect(cardSale.statusCode, cardSale.body).toBe(201);
    bSale = { headers: bCashier, due: (quote.json() as { total: number }).total };
    const cardAuth = await db
      .selectFrom('card_authorizations')
      .select('id')
      .where('tenant_id', '=', seedB.tenantId)
      .executeTakeFirstOrThrow();
    const po = await bMake('/insights/purchase-orders', {
      storeId: store,
      lines: [{ variantId: variant.id, quantity: 1 }],
    });
    const screening = await bMake('/compliance/sanctions/screen', { name: 'B Screened Party' });
    const privacy = await bMake('/compliance/privacy/requests', { kind: 'access', subjectId: customer.id });
    // an AML case as the monitor files it (a large cash sale is not needed to prove isolation)
    const caseId = `cas_${randomUUID()}`;
    const at = new Date().toISOString();
    await db
      .insertInto('compliance_cases')
      .values({
        id: caseId,
        tenant_id: seedB.tenantId,
        kind: 'aml',
        subject: customer.id,
        title: 'B case',
        severity: 'high',
        state: 'open',
        assignee_id: null,
        state_reason: null,
        store_id: store,
        currency: 'CNY',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await db.updateTable('stores').set({ name: 'Tenant-B-Secret-Store' }).where('id', '=', store).execute();

    const one = async (table: 'categories' | 'tax_classes' | 'staff') =>
      (
        await db
          .selectFrom(table)
          .select('id')
          .where('tenant_id', '=', seedB.tenantId)
          .executeTakeFirstOrThrow()
      ).id;
    b = {
      store,
      otherStore: seedB.stores.sf.id,
      register,
      product: variant.product_id,
      variant: variant.id,
      barcode,
      order: order.id,
      line: order.lines[0]?.lineId ?? '',
      session: (session.json() as { id: string }).id,
      authSession: (
        await db
          .selectFrom('auth_sessions')
          .select('id')
          .where('tenant_id', '=', seedB.tenantId)
          .executeTakeFirstOrThrow()
      ).id,
      factor: (
        await db
          .selectFrom('mfa_factors')
          .select('id')
          .where('tenant_id', '=', seedB.tenantId)
          .executeTakeFirstOrThrow()
      ).id,
      apiKey: (key.json() as { id: string }).id,
      approval: (approval.json() as { id: string }).id,
      category: await one('categories'),
      taxClass: await one('tax_classes'),
      staff: await one('staff'),
      cashierUsername: `${prefix}cashier`,
      customer: customer.id,
      coupon: coupon.id,
      couponCode: 'BSECRETCPN1',
      campaign: campaign.id,
      promotion: promotion.id,
      storedValue: gift.id,
      giftCode: gift.code ?? '',
      wallet: wallet.id,
      purchaseOrder: po.id,
      complianceCase: caseId,
      screening: screening.id,
      privacyRequest: privacy.id,
      cardAuth: cardAuth.id,
      device: seedB.devices[0]?.id ?? '',
      receiptToken: receiptLink.token ?? '',
    };
    // every id of B's, in every tenant table, plus what only B has
    const ids = new Set<string>();
    for (const table of await ownTables(db)) {
      if (!table.columns.some((c) => c.name === 'tenant_id')) continue;
      for (const col of table.columns.filter((c) => c.name === 'id' || c.name.endsWith('_id'))) {
        if (col.name === 'tenant_id') continue;
        const rows = await sql<{
          v: unknown;
        }>`select ${sql.ref(col.name)} as v from ${sql.table(table.name)} where tenant_id = ${seedB.tenantId}`.execute(
          db,
        );
        for (const r of rows.rows) if (typeof r.v === 'string' && /^[a-z]+_/.test(r.v)) ids.add(r.v);
      }
    }
    bSecrets = [
      ...ids,
      seedB.tenantId,
      'Tenant-B-Secret-Store',
      (pairing.json() as { code: string }).code,
      b.giftCode,
      receiptLink.token ?? '',
      ...seedB.devices.map((d) => d.code),
      'B Member',
      'B Screened Party',
    ];
    aIds = {
      store: t.seed.stores.sh.id,
      register: t.seed.stores.sh.registers[0] ?? '',
      variant: (
        await db
          .selectFrom('variants')
          .select('id')
          .where('tenant_id', '=', t.seed.tenantId)
          .where('unit', '=', 'each')
          .orderBy('sku')
          .executeTakeFirstOrThrow()
      ).id,
    };
    (t as TestApp & { bTenant: string }).bTenant = seedB.tenantId;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it("an owner of tenant A can neither read nor change anything of tenant B's, on every route", async () => {
    const bTenant = (t as TestApp & { bTenant: string }).bTenant;
    const before = await snapshot(t, bTenant);
    const table = cases(b, aIds);
    // the API; the rest are public files (the built web apps, the API docs) and /health
    const routes = t.app.routeTable.filter(
      (r) =>
        r.method !== 'HEAD' && r.method !== 'OPTIONS' && (r.url.startsWith('/api/') || r.url === '/health'),
    );
    const uncovered = routes
      .map((r) => `${r.method} ${r.url}`)
      .filter((k) => !tenantFree.has(k) && !(k in table));
    expect(uncovered, 'routes without a tenant-isolation case').toEqual([]);
    // and no stale cases for routes that are gone
    const known = new Set(routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(table).filter((k) => !known.has(k))).toEqual([]);

    const failures: string[] = [];
    const leaks = (res: LightMyRequestResponse) => bSecrets.filter((s) => res.body.includes(s));
    let calls = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      if (key === 'POST /api/v1/auth/logout') continue; // would end A's own session; takes no input
      const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');
      let url = route.url;
      let ghostUrl = route.url;
      let bInPath = false;
      for (const p of params) {
        const own = tenantFree.has(key) ? undefined : ownParams[p];
        if (own !== undefined) {
          url = url.replace(`:${p}`, own);
          ghostUrl = ghostUrl.replace(`:${p}`, own);
          continue;
        }
        const value = tenantFree.has(key) ? '000000' : pathParam(route.url, p, b);
        if (value === undefined) {
          failures.push(`${key}: no B value for path parameter :${p}`);
          continue;
        }
        bInPath = !tenantFree.has(key);
        url = url.replace(`:${p}`, encodeURIComponent(value));
        ghostUrl = ghostUrl.replace(`:${p}`, encodeURIComponent(ghostOf(value)));
      }
      for (const c of tenantFree.has(key) ? [{}] : (table[key] ?? [])) {
        const call = c as Call;
        const qs = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
        const payload = call.body ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: `${url}${qs}`,
          headers: {
            ...(asDevice[key] ? t.deviceAuth(asDevice[key]) : t.auth('owner')),
            ...(key === 'POST /api/v1/orders' ? { 'idempotency-key': randomBytes(8).toString('hex') } : {}),
          },
          ...(payload !== undefined ? { payload: payload as object } : {}),
        });
        calls += 1;
        const what = `${key}${qs} ${JSON.stringify(call.body ?? '')} → ${res.statusCode}`;
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        const sent = JSON.stringify(call.body ?? {});
        const leaked = ok ? leaks(res).filter((x) => !(recordsAsGiven.has(key) && sent.includes(x))) : [];
        if (leaked.length > 0) failures.push(`${what}: answer carries B's ${leaked.slice(0, 3).join(', ')}`);
        if (bInPath) {
          // B's record must look exactly like one that does not exist: 404 (422 unknown_barcode
          // for a scanned code), with the same error code as a made-up id
          const ghost = await t.app.inject({
            method: route.method as 'GET',
            url: `${ghostUrl}${qs}`,
            headers: asDevice[key] ? t.deviceAuth(asDevice[key]) : t.auth('owner'),
            ...(payload !== undefined ? { payload: payload as object } : {}),
          });
          // a 204 has no body to carry a code
          const code = (r: LightMyRequestResponse) =>
            r.body === '' ? undefined : (r.json() as { error?: { code?: string } }).error?.code;
          if (knownNot404.has(key)) seenNot404.set(key, res.statusCode);
          else if (res.statusCode !== 404 && !(route.url.includes('/barcodes/') && res.statusCode === 422))
            failures.push(`${what}: B's id in the path must be 404`);
          if (res.statusCode !== ghost.statusCode || code(res) !== code(ghost))
            failures.push(`${what}: B's id answers unlike a missing id (${ghost.statusCode} ${code(ghost)})`);
        }
        const namesB = JSON.stringify(call.body ?? {})
          .match(/[a-z]{3}_[0-9a-f-]{36}/g)
          ?.some((id) => bSecrets.includes(id));
        if (!bInPath && ok && route.method !== 'GET' && namesB && !recordsAsGiven.has(key))
          failures.push(`${what}: a write naming B's records was accepted`);
        if (res.statusCode >= 500) failures.push(`${what}: ${res.body}`);
      }
    }
    expect(failures).toEqual([]);
    expect(seenNot404).toEqual(knownNot404);
    expect(calls).toBeGreaterThan(routes.length);
    expect(await snapshot(t, bTenant)).toEqual(before);

    // the card A presented on B's register id waits for A's sales only: B's next card sale is approved
    const bCard = await t.app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { ...bSale.headers, 'idempotency-key': randomBytes(8).toString('hex') },
      payload: {
        id: newOrderId(),
        storeId: b.store,
        registerId: b.register,
        lines: [{ variantId: b.variant, quantity: 1 }],
        tenders: [{ kind: 'card', amount: bSale.due, terminalId: b.register }],
      },
    });
    expect(bCard.statusCode, bCard.body).toBe(201);
  }, 120_000);
});
