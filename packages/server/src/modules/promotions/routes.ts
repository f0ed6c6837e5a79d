import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, MAX_SAFE, money, nullableText, text } from '../../http/schemas';
import type { PromotionInput, PromotionPatch, PromotionsService } from './service';

const ids = { type: 'array', minItems: 1, maxItems: 500, items: id } as const;
const selector = {
  type: 'object',
  additionalProperties: false,
  properties: { variantIds: ids, productIds: ids, categoryIds: ids },
} as const;
const quantity = { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 } as const;
const wholeQuantity = { type: 'integer', minimum: 1, maximum: 10_000 } as const;
const percentBp = { type: 'integer', minimum: 0, maximum: 10_000 } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const minute = { type: 'integer', minimum: 0, maximum: 1440 } as const;

/** One shape per condition kind would repeat itself; the core's promotionProblem checks each kind's fields. */
const condition = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: {
      type: 'string',
      enum: ['items', 'categories', 'quantity', 'spend', 'member_tier', 'segment', 'store', 'time', 'coupon'],
    },
    selector,
    minQuantity: quantity,
    minAmount: money,
    categoryIds: ids,
    tierIds: ids,
    segmentIds: ids,
    storeIds: ids,
    days: { type: 'array', maxItems: 7, items: { type: 'integer', minimum: 1, maximum: 7 } },
    fromMinute: minute,
    toMinute: minute,
    fromDate: date,
    toDate: date,
    codes: { type: 'array', maxItems: 100, items: text(64) },
  },
  required: ['kind'],
} as const;

const action = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: {
      type: 'string',
      enum: [
        'percent_off',
        'amount_off',
        'bundle_price',
        'buy_x_get_y',
        'nth_item',
        'free_item',
        'bonus_points',
      ],
    },
    percentBp,
    amount: money,
    target: { type: 'string', enum: ['line', 'lines', 'order'] },
    selector,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { selector, quantity: wholeQuantity },
        required: ['selector', 'quantity'],
      },
    },
    price: money,
    buy: {
      type: 'object',
      additionalProperties: false,
      properties: { selector, quantity: wholeQuantity },
      required: ['selector', 'quantity'],
    },
    get: {
      type: 'object',
      additionalProperties: false,
      properties: { selector, quantity: wholeQuantity },
      required: ['selector', 'quantity'],
    },
    n: { type: 'integer', minimum: 2, maximum: 100 },
    variantId: id,
    quantity: wholeQuantity,
    points: { type: 'integer', minimum: 1, maximum: MAX_SAFE },
  },
  required: ['kind'],
} as const;

const inputProps = {
  name: text(200),
  nameZh: nullableText(200),
  priority: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000 },
  exclusive: { type: 'boolean' },
  group: nullableText(100),
  conditions: { type: 'array', maxItems: 20, items: condition },
  action,
  maxApplications: { type: ['integer', 'null'], minimum: 1, maximum: 10_000 },
  active: { type: 'boolean' },
} as const;

const promotionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameZh: { type: ['string', 'null'] },
    priority: { type: 'integer' },
    exclusive: { type: 'boolean' },
    group: { type: ['string', 'null'] },
    conditions: { type: 'array', items: { type: 'object', additionalProperties: true } },
    action: { type: 'object', additionalProperties: true },
    maxApplications: { type: ['integer', 'null'] },
    active: { type: 'boolean' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const activeSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          nameZh: { type: ['string', 'null'] },
          priority: { type: 'integer' },
          exclusive: { type: 'boolean' },
          group: { type: ['string', 'null'] },
          conditions: { type: 'array', items: { type: 'object', additionalProperties: true } },
          action: { type: 'object', additionalProperties: true },
          maxApplications: { type: ['integer', 'null'] },
        },
      },
    },
  },
  required: ['items'],
} as const;

const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;
const tags = ['promotions'];

export function promotionsRoutes(promotions: PromotionsService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/promotions',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'Promotions, highest priority first',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { active: { type: 'boolean' } },
          },
          response: { 200: listOf(promotionSchema) },
        },
      },
      async (request) => ({
        items: await promotions.list(authOf(request).tenantId, request.query as { active?: boolean }),
      }),
    );
    app.get(
      '/promotions/active',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'The active promotions in the engine’s shape, for registers to cache and price offline',
          security: bearer,
          response: { 200: activeSchema },
        },
      },
      async (request) => ({ items: await promotions.active(authOf(request).tenantId) }),
    );
    app.post(
      '/promotions',
      {
        preHandler: guard('promotions.write'),
        schema: {
          tags,
          summary: 'Create a promotion',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: inputProps,
            required: ['name', 'action'],
          },
          response: { 201: promotionSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await promotions.create(authOf(request), request.body as PromotionInput), 201),
    );
    app.get(
      '/promotions/:id',
      {
        preHandler: guard('catalog.read'),
        schema: {
          tags,
          summary: 'One promotion',
          security: bearer,
          params: idParams,
          response: { 200: promotionSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await promotions.get(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.patch(
      '/promotions/:id',
      {
        preHandler: guard('promotions.write'),
        schema: {
          tags,
          summary: 'Change a promotion (any of its fields; active false pauses it)',
          security: bearer,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: inputProps, minProperties: 1 },
          response: { 200: promotionSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await promotions.update(
            authOf(request),
            (request.params as { id: string }).id,
            request.body as PromotionPatch,
          ),
        ),
    );
    app.delete(
      '/promotions/:id',
      {
        preHandler: guard('promotions.write'),
        schema: {
          tags,
          summary: 'Delete a promotion (orders keep its name)',
          security: bearer,
          params: idParams,
          response: { 200: { type: 'object', properties: { id: { type: 'string' } } } },
        },
      },
      async (request, reply) =>
        sendResult(reply, await promotions.remove(authOf(request), (request.params as { id: string }).id)),
    );
  };
}
