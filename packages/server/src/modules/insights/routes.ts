import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError, sendResult, type Result } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id } from '../../http/schemas';
import { formatCsv } from './csv';
import type { InsightsService, RangeQuery, SalesBy } from './service';

const tags = ['insights'];
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const format = { type: 'string', enum: ['json', 'csv'] } as const;
const rangeProps = { storeId: id, from: date, to: date, format } as const;
const rangeQuery = (extra: object = {}, required: string[] = []) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { ...rangeProps, ...extra },
    required: ['storeId', 'from', 'to', ...required],
  }) as const;

function validDate(d: string) {
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}

/** JSON `{ items }`, or the same rows as CSV (one column per field) with `format=csv`. */
function sendTable(reply: FastifyReply, result: Result<object[]>, csv: boolean, name: string) {
  if (!result.ok) return sendError(reply, result.error);
  if (!csv) return reply.send({ items: result.value });
  const rows = result.value as Record<string, unknown>[];
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(
      formatCsv(
        header,
        rows.map((r) =>
          header.map((h) => (r[h] === null || r[h] === undefined ? '' : (r[h] as string | number | boolean))),
        ),
      ),
    );
}

export function insightsRoutes(insights: InsightsService, guard: Guard) {
  return async (app: FastifyInstance) => {
    const range = (q: RangeQuery) =>
      validDate(q.from) && validDate(q.to)
        ? null
        : ({
            ok: false,
            error: { code: 'invalid_date_range', message: 'from and to must be real dates (YYYY-MM-DD).' },
          } as const);

    app.get(
      '/insights/summary',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary:
            'Orders, sales, basket size and value, discounts, refunds and voids over a range of local dates',
          security: bearer,
          querystring: rangeQuery(),
        },
      },
      async (request, reply) => {
        const q = request.query as RangeQuery & { format?: string };
        const bad = range(q);
        if (bad) return sendError(reply, bad.error);
        const r = await insights.summary(authOf(request).tenantId, q);
        return q.format === 'csv'
          ? sendTable(reply, r.ok ? { ok: true, value: [r.value] } : r, true, 'summary')
          : sendResult(reply, r);
      },
    );

    app.get(
      '/insights/sales',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Sales by hour, day, week, weekday, register or staff (store-local dates)',
          security: bearer,
          querystring: rangeQuery({
            by: { type: 'string', enum: ['hour', 'day', 'week', 'weekday', 'register', 'staff'] },
          }),
        },
      },
      async (request, reply) => {
        const q = request.query as RangeQuery & { by?: SalesBy; format?: string };
        const bad = range(q);
        if (bad) return sendError(reply, bad.error);
        const by = q.by ?? 'day';
        return sendTable(
          reply,
          await insights.sales(authOf(request).tenantId, { ...q, by }),
          q.format === 'csv',
          `sales-by-${by}`,
        );
      },
    );

    app.get(
      '/insights/payments',
      {
        preHandler: guard('insights.read'),
        schema: { tags, summary: 'Payment mix by tender kind', security: bearer, querystring: rangeQuery() },
      },
      async (request, reply) => {
        const q = request.query as RangeQuery & { format?: string };
        const bad = range(q);
        if (bad) return sendError(reply, bad.error);
        return sendTable(
          reply,
          await insights.payments(authOf(request).tenantId, q),
          q.format === 'csv',
          'payments',
        );
      },
    );

    app.get(
      '/insights/products',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Top or bottom products or categories by net revenue (sold less refunded), refunds beside',
          security: bearer,
          querystring: rangeQuery({
            by: { type: 'string', enum: ['product', 'category'] },
            order: { type: 'string', enum: ['top', 'bottom'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          }),
        },
      },
      async (request, reply) => {
        const q = request.query as RangeQuery & {
          by?: 'product' | 'category';
          order?: 'top' | 'bottom';
          limit?: number;
          format?: string;
        };
        const bad = range(q);
        if (bad) return sendError(reply, bad.error);
        const by = q.by ?? 'product';
        const order = q.order ?? 'top';
        return sendTable(
          reply,
          await insights.products(authOf(request).tenantId, { ...q, by, order, limit: q.limit ?? 20 }),
          q.format === 'csv',
          `${order}-${by}`,
        );
      },
    );

    app.get(
      '/insights/stock',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Stock turnover and days of cover per item',
          security: bearer,
          querystring: rangeQuery({ limit: { type: 'integer', minimum: 1, maximum: 5000 } }),
        },
      },
      async (request, reply) => {
        const q = request.query as RangeQuery & { limit?: number; format?: string };
        const bad = range(q);
        if (bad) return sendError(reply, bad.error);
        return sendTable(
          reply,
          await insights.stockCover(authOf(request).tenantId, { ...q, limit: q.limit ?? 100 }),
          q.format === 'csv',
          'stock-cover',
        );
      },
    );

    app.post(
      '/insights/refresh',
      {
        preHandler: guard('insights.write'),
        schema: {
          tags,
          summary: 'Run the rollup job now (it also runs on a schedule); full=true rebuilds every day',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { full: { type: 'boolean' } },
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await insights.refresh(authOf(request).tenantId, {
            full: (request.query as { full?: boolean }).full === true,
          }),
        ),
    );

    app.post(
      '/insights/rules/mine',
      {
        preHandler: guard('insights.write'),
        schema: {
          tags,
          summary: 'Mine association rules from recent baskets (replaces the stored rules)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              days: { type: 'integer', minimum: 1, maximum: 3650 },
              minSupport: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
              minConfidence: { type: 'number', minimum: 0, maximum: 1 },
            },
          },
        },
      },
      async (request, reply) => {
        const b = (request.body ?? {}) as { days?: number; minSupport?: number; minConfidence?: number };
        return sendResult(
          reply,
          await insights.mineRules(authOf(request).tenantId, {
            days: b.days ?? 90,
            minSupport: b.minSupport ?? 0.002,
            minConfidence: b.minConfidence ?? 0.1,
          }),
        );
      },
    );

    app.get(
      '/insights/recommendations',
      {
        preHandler: guard('insights.recommend'),
        schema: {
          tags,
          summary: 'Frequently bought together with a cart (comma-separated variant ids), from mined rules',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              variantIds: { type: 'string', maxLength: 4000 },
              limit: { type: 'integer', minimum: 1, maximum: 50 },
            },
            required: ['variantIds'],
          },
        },
      },
      async (request, reply) => {
        const q = request.query as { variantIds: string; limit?: number };
        const ids = q.variantIds
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const r = await insights.forCart(authOf(request).tenantId, ids, q.limit ?? 5);
        return r.ok ? reply.send({ items: r.value }) : sendError(reply, r.error);
      },
    );

    app.get(
      '/insights/recommendations/customers/:customerId',
      {
        preHandler: guard('insights.recommend'),
        schema: {
          tags,
          summary: 'You may also like: for a member, from their purchase history',
          security: bearer,
          params: {
            type: 'object',
            additionalProperties: false,
            properties: { customerId: id },
            required: ['customerId'],
          },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { limit: { type: 'integer', minimum: 1, maximum: 50 } },
          },
        },
      },
      async (request, reply) => {
        const r = await insights.forCustomer(
          authOf(request).tenantId,
          (request.params as { customerId: string }).customerId,
          (request.query as { limit?: number }).limit ?? 5,
        );
        return r.ok ? reply.send({ items: r.value }) : sendError(reply, r.error);
      },
    );

    app.post(
      '/insights/segments/refresh',
      {
        preHandler: guard('insights.write'),
        schema: {
          tags,
          summary: 'Recompute RFM scores and segments for every customer with orders',
          security: bearer,
        },
      },
      async (request, reply) => sendResult(reply, await insights.refreshRfm(authOf(request).tenantId)),
    );
    app.get(
      '/insights/segments',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Customers and spend per RFM segment and currency (RFM is scored per currency)',
          security: bearer,
          querystring: { type: 'object', additionalProperties: false, properties: { format } },
        },
      },
      async (request, reply) =>
        sendTable(
          reply,
          await insights.segments(authOf(request).tenantId),
          (request.query as { format?: string }).format === 'csv',
          'segments',
        ),
    );

    app.get(
      '/insights/reorder',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Items at or below their reorder point, with suggested quantities',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              storeId: id,
              days: { type: 'integer', minimum: 7, maximum: 365 },
              leadTimeDays: { type: 'number', minimum: 0, maximum: 365 },
              leadTimeSdDays: { type: 'number', minimum: 0, maximum: 365 },
              serviceLevel: { type: 'number', minimum: 0.5, maximum: 0.9999 },
              orderCost: { type: 'integer', minimum: 0, maximum: 1e9 },
              holdingRate: { type: 'number', minimum: 0, maximum: 10 },
              format,
            },
            required: ['storeId'],
          },
        },
      },
      async (request, reply) => {
        const q = request.query as {
          storeId: string;
          days?: number;
          leadTimeDays?: number;
          leadTimeSdDays?: number;
          serviceLevel?: number;
          orderCost?: number;
          holdingRate?: number;
          format?: string;
        };
        const r = await insights.reorderList(authOf(request).tenantId, {
          storeId: q.storeId,
          days: q.days ?? 28,
          leadTimeDays: q.leadTimeDays ?? 3,
          leadTimeSdDays: q.leadTimeSdDays ?? 0,
          serviceLevel: q.serviceLevel ?? 0.95,
          orderCost: q.orderCost ?? 2000,
          holdingRate: q.holdingRate ?? 0.25,
        });
        return sendTable(reply, r, q.format === 'csv', 'reorder');
      },
    );

    const lineSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { variantId: id, quantity: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 } },
      required: ['variantId', 'quantity'],
    } as const;
    app.post(
      '/insights/purchase-orders',
      {
        preHandler: guard('insights.write'),
        schema: {
          tags,
          summary: 'Create a draft purchase order (from the reorder list when no lines are given)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, lines: { type: 'array', maxItems: 5000, items: lineSchema } },
            required: ['storeId'],
          },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        const b = request.body as { storeId: string; lines?: { variantId: string; quantity: number }[] };
        let lines = b.lines;
        if (!lines) {
          const list = await insights.reorderList(a.tenantId, {
            storeId: b.storeId,
            days: 28,
            leadTimeDays: 3,
            leadTimeSdDays: 0,
            serviceLevel: 0.95,
            orderCost: 2000,
            holdingRate: 0.25,
          });
          if (!list.ok) return sendError(reply, list.error);
          lines = list.value
            .filter((i) => i.quantity > 0)
            .map((i) => ({ variantId: i.variantId, quantity: i.quantity }));
        }
        return sendResult(
          reply,
          await insights.createPurchaseOrder(a.tenantId, a.staffId, { storeId: b.storeId, lines }),
          201,
        );
      },
    );
    app.get(
      '/insights/purchase-orders',
      {
        preHandler: guard('insights.read'),
        schema: {
          tags,
          summary: 'Purchase orders, newest first',
          security: bearer,
          querystring: { type: 'object', additionalProperties: false, properties: { storeId: id } },
        },
      },
      async (request, reply) => {
        const r = await insights.listPurchaseOrders(
          authOf(request).tenantId,
          (request.query as { storeId?: string }).storeId,
        );
        return r.ok ? reply.send({ items: r.value }) : sendError(reply, r.error);
      },
    );
    const poParams = {
      type: 'object',
      additionalProperties: false,
      properties: { id },
      required: ['id'],
    } as const;
    app.get(
      '/insights/purchase-orders/:id',
      {
        preHandler: guard('insights.read'),
        schema: { tags, summary: 'One purchase order', security: bearer, params: poParams },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await insights.getPurchaseOrder(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/insights/purchase-orders/:id/receive',
      {
        preHandler: guard('insights.write'),
        schema: {
          tags,
          summary: 'Receive a draft purchase order into stock (through the stock module)',
          security: bearer,
          params: poParams,
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        return sendResult(
          reply,
          await insights.receivePurchaseOrder(a.tenantId, a.staffId, (request.params as { id: string }).id),
        );
      },
    );
  };
}
