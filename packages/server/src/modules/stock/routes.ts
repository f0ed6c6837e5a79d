import type { FastifyInstance } from 'fastify';
import { errorBodySchema, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, nullableText } from '../../http/schemas';
import type { AdjustInput, CountInput, ReceiveInput, StockService, TransferInput } from './service';

/** A quantity as a JS number with at most 3 decimals (checked by the service against the unit). */
const quantity = { type: 'number', minimum: -1e12, maximum: 1e12 } as const;

const levelSchema = {
  type: 'object',
  properties: {
    storeId: { type: 'string' },
    variantId: { type: 'string' },
    sku: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    unit: { type: 'string' },
    onHand: { type: 'number' },
    flaggedNegative: { type: 'boolean' },
  },
} as const;

const movementSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    storeId: { type: 'string' },
    variantId: { type: 'string' },
    kind: {
      type: 'string',
      enum: ['receive', 'adjust', 'count', 'transfer_out', 'transfer_in', 'sale', 'return'],
    },
    quantity: { type: 'number' },
    reason: { type: ['string', 'null'] },
    refId: { type: ['string', 'null'] },
    staffId: { type: ['string', 'null'] },
    wentNegative: { type: 'boolean' },
    createdAt: { type: 'string' },
  },
} as const;

const onHandSchema = {
  type: 'object',
  properties: { storeId: { type: 'string' }, variantId: { type: 'string' }, onHand: { type: 'number' } },
} as const;

const writeProps = {
  movements: { type: 'array', items: movementSchema },
  levels: { type: 'array', items: onHandSchema },
} as const;

const writeResponse = { type: 'object', properties: writeProps } as const;

const errors = {
  400: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};

const lines = (qtyField: 'quantity' | 'counted', maxItems: number) =>
  ({
    type: 'array',
    minItems: 1,
    maxItems,
    items: {
      type: 'object',
      additionalProperties: false,
      properties: { variantId: id, [qtyField]: quantity },
      required: ['variantId', qtyField],
    },
  }) as const;

const page = {
  limit: { type: 'integer', minimum: 1, maximum: 500 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
} as const;

export function stockRoutes(stock: StockService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/stock',
      {
        preHandler: guard('stock.read'),
        schema: {
          tags: ['stock'],
          summary: 'On-hand levels of a store (or of one variant across stores), paginated by SKU',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, variantId: id, ...page },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: levelSchema },
                total: { type: 'integer' },
                limit: { type: 'integer' },
                offset: { type: 'integer' },
              },
              required: ['items'],
            },
            ...errors,
          },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await stock.listLevels(
            authOf(request).tenantId,
            request.query as { storeId?: string; variantId?: string; limit?: number; offset?: number },
          ),
        ),
    );

    app.get(
      '/stock/movements',
      {
        preHandler: guard('stock.read'),
        schema: {
          tags: ['stock'],
          summary: 'Stock movement history, newest first',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, variantId: id, ...page },
          },
          response: { 200: listOf(movementSchema), ...errors },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await stock.listMovements(
            authOf(request).tenantId,
            request.query as { storeId?: string; variantId?: string; limit?: number; offset?: number },
          ),
        ),
    );

    app.post(
      '/stock/receive',
      {
        preHandler: guard('stock.write'),
        schema: {
          tags: ['stock'],
          summary: 'Receive goods into a store',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, lines: lines('quantity', 1000), reference: nullableText(100) },
            required: ['storeId', 'lines'],
          },
          response: { 201: writeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const { tenantId, staffId } = authOf(request);
        return sendResult(
          reply,
          await stock.receive({ tenantId, staffId }, request.body as ReceiveInput),
          201,
        );
      },
    );

    app.post(
      '/stock/adjust',
      {
        preHandler: guard('stock.write'),
        schema: {
          tags: ['stock'],
          summary: 'Adjust on-hand by signed quantities, with a reason',
          description:
            'reason is one of damaged, expired, theft, correction, other (other needs a note). A missing or unknown reason is 422 invalid_reason.',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              storeId: id,
              lines: lines('quantity', 1000),
              reason: { type: 'string', maxLength: 50 },
              note: nullableText(500),
            },
            required: ['storeId', 'lines'],
          },
          response: { 201: writeResponse, ...errors },
        },
      },
      async (request, reply) => {
        const { tenantId, staffId } = authOf(request);
        return sendResult(reply, await stock.adjust({ tenantId, staffId }, request.body as AdjustInput), 201);
      },
    );

    app.post(
      '/stock/counts',
      {
        preHandler: guard('stock.write'),
        schema: {
          tags: ['stock'],
          summary: 'Record a cycle count; each difference from on-hand becomes a count movement',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id, lines: lines('counted', 2000) },
            required: ['storeId', 'lines'],
          },
          response: {
            201: {
              type: 'object',
              properties: {
                storeId: { type: 'string' },
                lines: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      variantId: { type: 'string' },
                      previous: { type: 'number' },
                      counted: { type: 'number' },
                      difference: { type: 'number' },
                    },
                  },
                },
                ...writeProps,
              },
            },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { tenantId, staffId } = authOf(request);
        return sendResult(reply, await stock.count({ tenantId, staffId }, request.body as CountInput), 201);
      },
    );

    app.post(
      '/stock/transfers',
      {
        preHandler: guard('stock.write'),
        schema: {
          tags: ['stock'],
          summary: 'Transfer stock between two stores of this tenant',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { fromStoreId: id, toStoreId: id, lines: lines('quantity', 1000) },
            required: ['fromStoreId', 'toStoreId', 'lines'],
          },
          response: {
            201: {
              type: 'object',
              properties: {
                transferId: { type: 'string' },
                fromStoreId: { type: 'string' },
                toStoreId: { type: 'string' },
                ...writeProps,
              },
            },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { tenantId, staffId } = authOf(request);
        return sendResult(
          reply,
          await stock.transfer({ tenantId, staffId }, request.body as TransferInput),
          201,
        );
      },
    );
  };
}
