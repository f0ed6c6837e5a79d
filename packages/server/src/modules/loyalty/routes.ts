import type { FastifyInstance } from 'fastify';
import { sendError, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, text } from '../../http/schemas';
import type { CouponsService, CouponTerms } from '../coupons/service';
import type { LoyaltyConfig, LoyaltyService } from './service';

const tags = ['loyalty'];
const obj = { type: 'object', additionalProperties: true } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;
const int = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const positive = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

const program = {
  type: 'object',
  additionalProperties: false,
  properties: {
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    earnPoints: int,
    earnPerMinor: positive,
    earnOnTax: { type: 'boolean' },
    categoryMultipliersBp: { type: 'object', additionalProperties: int },
    tiers: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { id: text(40), name: text(80), nameZh: text(80), minPoints: int, multiplierBp: int },
        required: ['id', 'name', 'minPoints', 'multiplierBp'],
      },
    },
    pointsPerUnit: positive,
    minorPerUnit: positive,
    expiryDays: positive,
    pendingDays: int,
    offlineAllowancePoints: int,
  },
  required: ['currency', 'earnPoints', 'earnPerMinor', 'pointsPerUnit', 'minorPerUnit'],
} as const;

export const couponTermsSchema = {
  name: text(120),
  kind: { type: 'string', enum: ['amount', 'percent', 'promotion'] },
  value: int,
  currency: { type: ['string', 'null'], pattern: '^[A-Z]{3}$' },
  minSpend: int,
  maxUses: { type: ['integer', 'null'], minimum: 1 },
  perCustomerLimit: { type: ['integer', 'null'], minimum: 1 },
  validFrom: { type: ['string', 'null'], format: 'date-time' },
  validTo: { type: ['string', 'null'], format: 'date-time' },
} as const;

export function loyaltyRoutes(loyalty: LoyaltyService, coupons: CouponsService, guard: Guard) {
  // another tenant's customer id answers like a missing one, and no points are written for it
  const unknown = (cid: string) => ({ code: 'unknown_customer' as const, message: `No customer ${cid}.` });
  return async (app: FastifyInstance) => {
    app.get(
      '/loyalty/program',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: 'The points programmes (one per currency)',
          security: bearer,
          response: { 200: obj },
        },
      },
      async (request) => loyalty.config(authOf(request).tenantId),
    );
    app.put(
      '/loyalty/program',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary:
            'Set the points programmes: earn rate, category multipliers, tiers, expiry, offline allowance',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { programs: { type: 'array', maxItems: 20, items: program } },
            required: ['programs'],
          },
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(reply, await loyalty.setConfig(authOf(request), request.body as LoyaltyConfig)),
    );
    app.get(
      '/customers/:id/loyalty',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: "A customer's points: balance, spendable, pending, tier, and the ledger",
          security: bearer,
          params: idParams,
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const { id: cid } = request.params as { id: string };
        if (!(await loyalty.knows(tenantId, cid))) return sendError(reply, unknown(cid));
        return { account: await loyalty.account(tenantId, cid), ledger: await loyalty.ledger(tenantId, cid) };
      },
    );
    app.post(
      '/customers/:id/loyalty/adjustments',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Add or take points by hand (audited)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              points: { type: 'integer', minimum: -1_000_000_000, maximum: 1_000_000_000 },
              note: text(500),
            },
            required: ['points', 'note'],
          },
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const b = request.body as { points: number; note: string };
        const cid = (request.params as { id: string }).id;
        if (!(await loyalty.knows(authOf(request).tenantId, cid))) return sendError(reply, unknown(cid));
        return sendResult(
          reply,
          await loyalty.adjust(authOf(request), (request.params as { id: string }).id, b.points, b.note),
        );
      },
    );
    app.post(
      '/customers/:id/loyalty/rewards',
      {
        preHandler: guard('customers.write'),
        schema: {
          tags,
          summary: 'Spend points on a reward coupon issued to the customer (the reward never earns points)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              points: positive,
              coupon: {
                type: 'object',
                additionalProperties: false,
                properties: couponTermsSchema,
                required: ['name', 'kind', 'value'],
              },
            },
            required: ['points', 'coupon'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) => {
        const b = request.body as { points: number; coupon: CouponTerms };
        const cid = (request.params as { id: string }).id;
        if (!(await loyalty.knows(authOf(request).tenantId, cid))) return sendError(reply, unknown(cid));
        return sendResult(
          reply,
          await coupons.rewardCoupon(authOf(request), (request.params as { id: string }).id, {
            points: b.points,
            terms: b.coupon,
          }),
          201,
        );
      },
    );
    app.post(
      '/loyalty/expire',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Write expiry entries for points past their date (also run by a daily job)',
          security: bearer,
          response: { 200: obj },
        },
      },
      async (request) => loyalty.expire(authOf(request).tenantId),
    );
    app.get(
      '/loyalty/ledger-check',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Rebuild the balances from the ledger; reports how many were wrong',
          security: bearer,
          response: { 200: listOf(obj) },
        },
      },
      async (request) => {
        const r = await loyalty.rebuildAccounts(authOf(request).tenantId);
        return { items: [r] };
      },
    );
  };
}
