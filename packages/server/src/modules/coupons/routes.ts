import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, text } from '../../http/schemas';
import { couponTermsSchema } from '../loyalty/routes';
import type { CouponsService, CouponTerms } from './service';

const tags = ['coupons'];
const obj = { type: 'object', additionalProperties: true } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;

export function couponsRoutes(coupons: CouponsService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.post(
      '/coupons',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Create one coupon (a chosen code, or a random one)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...couponTermsSchema,
              code: { type: 'string', minLength: 4, maxLength: 40 },
              customerId: { type: ['string', 'null'], maxLength: 100 },
              segment: { type: ['string', 'null'], maxLength: 100 },
            },
            required: ['name', 'kind', 'value'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await coupons.create(
            authOf(request),
            request.body as CouponTerms & {
              code?: string;
              customerId?: string | null;
              segment?: string | null;
            },
          ),
          201,
        ),
    );
    app.post(
      '/coupons/batches',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Generate a batch of unguessable codes, anonymous or one per customer of a segment',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...couponTermsSchema,
              count: { type: 'integer', minimum: 1, maximum: 10000 },
              length: { type: 'integer', minimum: 8, maximum: 24 },
              prefix: { type: 'string', pattern: '^[A-Za-z0-9]{0,8}$' },
              customerIds: { type: 'array', maxItems: 10000, items: id },
              segment: { type: ['string', 'null'], maxLength: 100 },
            },
            required: ['name', 'kind', 'value'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await coupons.generate(authOf(request), request.body as Parameters<CouponsService['generate']>[1]),
          201,
        ),
    );
    app.get(
      '/coupons',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: 'Coupons with their use counts, newest first',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              batchId: id,
              customerId: id,
              limit: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
          response: { 200: listOf(obj) },
        },
      },
      async (request) => ({
        items: await coupons.list(
          authOf(request).tenantId,
          request.query as { batchId?: string; customerId?: string; limit?: number },
        ),
      }),
    );
    app.get(
      '/coupons/check',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: 'Whether a code can be used in a sale now (nothing is reserved; checkout decides)',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              code: text(60),
              customerId: id,
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
            },
            required: ['code', 'currency'],
          },
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const q = request.query as { code: string; customerId?: string; currency: string };
        return sendResult(
          reply,
          await coupons.check(authOf(request).tenantId, q.code, q.customerId ?? null, q.currency),
        );
      },
    );
    app.patch(
      '/coupons/:id',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Switch a coupon on or off',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { active: { type: 'boolean' } },
            required: ['active'],
          },
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await coupons.setActive(
            authOf(request),
            (request.params as { id: string }).id,
            (request.body as { active: boolean }).active,
          ),
        ),
    );
  };
}
