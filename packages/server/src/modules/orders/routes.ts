import type { FastifyInstance } from 'fastify';
import { HttpError, sendError, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, isoInstant, money, text } from '../../http/schemas';
import { can } from '../auth/permissions';
import type { StoresService } from '../stores/service';
import {
  printerProfiles,
  renderReceiptEscPos,
  renderReceiptHtml,
  type ReceiptData,
} from '../receipts/render';
import type { CheckoutBody } from './checkout';
import type { OrdersService, RefundBody } from './service';
import type { OrderView } from './view';
import type { AuthService } from '../auth/service';

const tenderKinds = [
  'cash',
  'card',
  'wallet',
  'gift_card',
  'store_credit',
  'loyalty_points',
  'other',
] as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 } as const;

const discount = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['amount', 'percent'] },
    amount: money,
    percentBp: { type: 'integer', minimum: 1, maximum: 10000 },
    reason: text(200),
  },
  required: ['kind', 'reason'],
  oneOf: [
    { properties: { kind: { const: 'amount' } }, required: ['amount'] },
    { properties: { kind: { const: 'percent' } }, required: ['percentBp'] },
  ],
} as const;

const checkoutBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^ord_[A-Za-z0-9-]{8,64}$' },
    storeId: id,
    registerId: id,
    customerId: { type: ['string', 'null'], maxLength: 100 },
    couponCode: { type: 'string', minLength: 1, maxLength: 60 },
    offline: { type: 'boolean' },
    receiptToken: { type: 'string', pattern: '^[A-Za-z0-9_-]{22,64}$' },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          lineId: { type: 'string', minLength: 1, maxLength: 64 },
          variantId: id,
          barcode: { type: 'string', pattern: '^[0-9]{8,14}$' },
          quantity,
          discount,
          priceOverride: money,
        },
      },
    },
    orderDiscounts: { type: 'array', maxItems: 10, items: discount },
    tenders: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: tenderKinds },
          amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          reference: { type: 'string', maxLength: 100 },
          pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
          terminalId: id,
          offline: { type: 'boolean' },
        },
        required: ['kind', 'amount'],
      },
    },
    tip: money,
    total: money,
    createdAt: isoInstant,
  },
  required: ['id', 'storeId', 'registerId', 'lines', 'tenders'],
} as const;

const orderSchema = { type: 'object', additionalProperties: true } as const;

export function ordersRoutes(orders: OrdersService, stores: StoresService, auth: AuthService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.post(
      '/orders',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['orders'],
          summary: 'Checkout: price, take tenders and record a sale atomically',
          description:
            'Requires an `Idempotency-Key` header. The same key with the same body returns the first response and writes nothing; with another body it is 409 idempotency_conflict.',
          security: bearer,
          headers: {
            type: 'object',
            properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } },
          },
          body: checkoutBody,
          response: { 200: orderSchema, 201: orderSchema },
        },
      },
      async (request, reply) => {
        const key = request.headers['idempotency-key'];
        if (typeof key !== 'string' || key.length === 0) {
          throw new HttpError(
            'idempotency_key_required',
            'Send an Idempotency-Key header with every checkout.',
          );
        }
        const ctx = authOf(request);
        const body = request.body as CheckoutBody;
        const discounted = (body.orderDiscounts?.length ?? 0) > 0 || body.lines.some((l) => l.discount);
        if (discounted && !can(ctx.role, 'discounts.apply')) {
          return sendError(reply, { code: 'forbidden', message: 'Your role may not give discounts.' });
        }
        if (body.lines.some((l) => l.priceOverride !== undefined) && !can(ctx.role, 'discounts.apply')) {
          return sendError(reply, { code: 'forbidden', message: 'Your role may not change prices.' });
        }
        // step-up approvals for price overrides and discounts: one or more ids, comma-separated
        const header = request.headers['x-approval-id'];
        const approvalIds = (typeof header === 'string' ? header : '')
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '')
          .slice(0, 5);
        const result = await orders.checkout(ctx, key, body, approvalIds);
        if (!result.ok) return sendError(reply, result.error);
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return reply
          .status(result.status === 200 ? 200 : 201)
          .type('application/json; charset=utf-8')
          .send(result.json);
      },
    );

    app.post(
      '/orders/quote',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['orders'],
          summary: 'Price a basket exactly as checkout would, without recording anything',
          security: bearer,
          body: { ...checkoutBody, required: ['storeId', 'registerId', 'lines'] },
          response: { 200: orderSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as Partial<CheckoutBody> & Omit<CheckoutBody, 'id' | 'tenders'>;
        const result = await orders.quote(authOf(request), {
          ...body,
          id: body.id ?? 'ord_quote',
          tenders: body.tenders ?? [],
        });
        return result.ok
          ? reply.status(200).type('application/json; charset=utf-8').send(result.json)
          : sendError(reply, result.error);
      },
    );

    app.get(
      '/orders/:id',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['orders'],
          summary: 'One order with lines, payments and refunds',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          response: { 200: orderSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await orders.get(authOf(request).tenantId, (request.params as { id: string }).id)),
    );

    app.get(
      '/orders',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['orders'],
          summary: 'Orders, newest first; page with `before`',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              storeId: id,
              registerId: id,
              status: { type: 'string', enum: ['open', 'paid', 'partially_refunded', 'refunded', 'voided'] },
              from: isoInstant,
              to: isoInstant,
              before: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
                description: 'nextBefore of the previous page',
              },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            },
          },
        },
      },
      async (request) =>
        orders.list(authOf(request).tenantId, request.query as Parameters<OrdersService['list']>[1]),
    );

    app.post(
      '/orders/:id/refunds',
      {
        preHandler: guard('orders.refund'),
        schema: {
          tags: ['orders'],
          summary: 'Refund all, some lines, or an amount; to the original tenders by default',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              lines: {
                type: 'array',
                minItems: 1,
                maxItems: 500,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    lineId: { type: 'string', minLength: 1, maxLength: 64 },
                    quantity,
                    restock: { type: 'boolean' },
                  },
                  required: ['lineId', 'quantity'],
                },
              },
              amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
              toTender: { type: 'string', enum: tenderKinds },
              restock: { type: 'boolean' },
              reason: text(500),
            },
            required: ['reason'],
          },
          response: { 201: orderSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as RefundBody;
        if (body.lines && body.amount !== undefined) {
          return sendError(reply, {
            code: 'validation_failed',
            message: 'Refund either lines or an amount, not both.',
          });
        }
        return sendResult(
          reply,
          await orders.refund(authOf(request), (request.params as { id: string }).id, body),
          201,
        );
      },
    );

    app.post(
      '/orders/:id/void',
      {
        preHandler: guard('orders.void'),
        schema: {
          tags: ['orders'],
          summary: 'Void a paid order while nothing is settled (no refunds, cash session open)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { reason: text(500) },
            required: ['reason'],
          },
          response: { 200: orderSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await orders.void(
            authOf(request),
            (request.params as { id: string }).id,
            (request.body as { reason: string }).reason,
          ),
        ),
    );

    app.get(
      '/orders/:id/receipt',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags: ['orders'],
          summary: 'The receipt as JSON, printable HTML, or ESC/POS bytes for a 58/80 mm printer',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              format: { type: 'string', enum: ['json', 'html', 'escpos'], default: 'json' },
              printer: { type: 'string', enum: Object.keys(printerProfiles) },
              locale: { type: 'string', enum: ['zh-CN', 'en-US'] },
            },
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const q = request.query as {
          format: 'json' | 'html' | 'escpos';
          printer?: string;
          locale?: 'zh-CN' | 'en-US';
        };
        const found = await orders.get(ctx.tenantId, (request.params as { id: string }).id);
        if (!found.ok) return sendError(reply, found.error);
        const order = found.value;
        const store = await stores.get(ctx.tenantId, order.storeId);
        const register = await stores.getRegister(ctx.tenantId, order.registerId);
        if (!store.ok || !register.ok)
          return sendError(reply, { code: 'unknown_store', message: 'The order’s store is gone.' });
        const staff = (await auth.listStaff(ctx.tenantId)).find((s) => s.id === order.staffId);
        const locale = q.locale ?? (store.value.currency === 'CNY' ? 'zh-CN' : 'en-US');
        const data = receiptData(order, store.value, register.value.name, staff?.displayName ?? '', locale);
        if (q.format === 'html') return reply.type('text/html; charset=utf-8').send(renderReceiptHtml(data));
        if (q.format === 'escpos') {
          const profile = printerProfiles[q.printer ?? (locale === 'zh-CN' ? 'zh-80' : 'generic-80')];
          if (!profile)
            return sendError(reply, { code: 'validation_failed', message: 'Unknown printer profile.' });
          return reply.type('application/octet-stream').send(Buffer.from(renderReceiptEscPos(data, profile)));
        }
        return data;
      },
    );
  };
}

function receiptData(
  order: OrderView,
  store: {
    name: string;
    nameZh: string | null;
    address: string | null;
    currency: string;
    taxMode: 'inclusive' | 'exclusive';
    timeZone: string;
  },
  registerName: string,
  cashierName: string,
  locale: 'zh-CN' | 'en-US',
): ReceiptData {
  return {
    orderId: order.id,
    receiptNumber: order.id.slice(-12).toUpperCase(),
    createdAt: order.createdAt,
    timeZone: store.timeZone,
    locale,
    store: {
      name: store.name,
      ...(store.nameZh ? { nameZh: store.nameZh } : {}),
      ...(store.address ? { address: store.address } : {}),
      currency: store.currency,
      taxMode: store.taxMode,
    },
    registerName,
    cashierName,
    lines: order.lines.map((l) => ({
      name: l.name,
      ...(l.nameZh ? { nameZh: l.nameZh } : {}),
      quantity: l.quantity,
      unit: l.unit,
      unitPrice: l.unitPrice,
      total: l.total,
      discount: l.lineDiscount + (l.promotionDiscount ?? 0) + l.orderDiscount,
    })),
    promotions: (order.promotions ?? []).map((p) => ({ name: p.name, nameZh: p.nameZh, amount: p.amount })),
    subtotal: order.subtotal,
    discountTotal: order.discountTotal,
    taxTotal: order.taxTotal,
    total: order.total,
    cashRounding: order.cashRounding,
    taxes: order.taxes.map((t) => ({
      name: `${t.ratePpm / 10000}%`,
      ratePpm: t.ratePpm,
      taxable: t.taxable,
      tax: t.tax,
    })),
    tenders: order.payments.map((p) => ({
      kind: p.kind,
      amount: p.amount,
      tendered: p.tendered,
      ...(p.reference ? { reference: p.reference } : {}),
    })),
    change: order.change,
    refunds: order.refunds.map((r) => ({ id: r.id, createdAt: r.createdAt, total: r.total })),
    status: order.status,
  };
}
