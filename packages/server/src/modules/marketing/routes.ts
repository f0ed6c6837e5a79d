import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, isoInstant, listOf, nullableText, text } from '../../http/schemas';
import type { CampaignInput, FeedbackInput, MarketingService } from './service';

const obj = { type: 'object', additionalProperties: true } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;
const minutes = { type: ['integer', 'null'], minimum: 0, maximum: 1440 } as const;
const url = { type: ['string', 'null'], maxLength: 2000, pattern: '^(https?://|/)' } as const;

const campaignProps = {
  name: text(120),
  storeId: { type: ['string', 'null'], maxLength: 100 },
  mediaKind: { type: 'string', enum: ['image', 'video', 'text'] },
  mediaUrl: url,
  text: nullableText(500),
  textZh: nullableText(500),
  hint: nullableText(200),
  hintZh: nullableText(200),
  variantIds: { type: 'array', maxItems: 200, items: id },
  startsAt: isoInstant,
  endsAt: isoInstant,
  dailyFrom: minutes,
  dailyTo: minutes,
  active: { type: 'boolean' },
} as const;

const tokenParams = {
  type: 'object',
  additionalProperties: false,
  properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,64}$' } },
  required: ['token'],
} as const;

export function marketingRoutes(marketing: MarketingService, guard: Guard) {
  return async (app: FastifyInstance) => {
    const tags = ['marketing'];
    app.post(
      '/campaigns',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Schedule a customer-display campaign (image, video or text) for a store or all stores',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: campaignProps,
            required: ['name', 'mediaKind', 'startsAt', 'endsAt'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await marketing.createCampaign(authOf(request), request.body as CampaignInput),
          201,
        ),
    );
    app.get(
      '/campaigns',
      {
        preHandler: guard('customers.read'),
        schema: { tags, summary: 'All campaigns', security: bearer, response: { 200: listOf(obj) } },
      },
      async (request) => ({ items: await marketing.listCampaigns(authOf(request).tenantId) }),
    );
    app.patch(
      '/campaigns/:id',
      {
        preHandler: guard('marketing.write'),
        schema: {
          tags,
          summary: 'Change a campaign',
          security: bearer,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: campaignProps },
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await marketing.updateCampaign(
            authOf(request),
            (request.params as { id: string }).id,
            request.body as Partial<CampaignInput>,
          ),
        ),
    );
    app.get(
      '/campaigns/showing',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags,
          summary: "What a store's customer displays show now (idle slides and cart hints)",
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { storeId: id },
            required: ['storeId'],
          },
          response: { 200: listOf(obj) },
        },
      },
      async (request, reply) => {
        const r = await marketing.showing(
          authOf(request).tenantId,
          (request.query as { storeId: string }).storeId,
        );
        return sendResult(reply, r.ok ? { ok: true, value: { items: r.value } } : r);
      },
    );
    app.get(
      '/campaigns/:id/uplift',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags,
          summary: 'Units and revenue per day of the promoted items during the campaign vs a baseline window',
          security: bearer,
          params: idParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { baselineFrom: isoInstant, baselineTo: isoInstant },
          },
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await marketing.uplift(
            authOf(request).tenantId,
            (request.params as { id: string }).id,
            request.query as { baselineFrom?: string; baselineTo?: string },
          ),
        ),
    );
    app.post(
      '/orders/:id/receipt-link',
      {
        preHandler: guard('orders.create'),
        schema: {
          tags: ['orders'],
          summary: 'The unguessable e-receipt link of an order (made on first ask)',
          security: bearer,
          params: idParams,
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await marketing.receiptLink(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.get(
      '/e-receipts/:token',
      {
        schema: {
          tags: ['e-receipt'],
          summary: 'The e-receipt behind a link (no sign-in: the token is the key)',
          params: tokenParams,
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(reply, await marketing.receipt((request.params as { token: string }).token)),
    );
    app.post(
      '/e-receipts/:token/feedback',
      {
        schema: {
          tags: ['e-receipt'],
          summary:
            'Rate the purchase 1–5 with a comment (and NPS 0–10), from the customer display or the e-receipt',
          params: tokenParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              rating: { type: 'integer', minimum: 1, maximum: 5 },
              nps: { type: ['integer', 'null'], minimum: 0, maximum: 10 },
              comment: nullableText(1000),
              source: { type: 'string', enum: ['display', 'receipt'] },
            },
            required: ['rating', 'source'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await marketing.giveFeedback(
            (request.params as { token: string }).token,
            request.body as FeedbackInput,
          ),
          201,
        ),
    );
    app.post(
      '/display/feedback',
      {
        preHandler: guard('display.interact'),
        schema: {
          tags,
          summary: 'Feedback from a paired customer display (its device token) on a sale of its register',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              receiptToken: { type: 'string', minLength: 1, maxLength: 200 },
              rating: { type: 'integer', minimum: 1, maximum: 5 },
              nps: { type: ['integer', 'null'], minimum: 0, maximum: 10 },
              comment: nullableText(1000),
            },
            required: ['receiptToken', 'rating'],
          },
          response: { 201: obj },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const { receiptToken, ...input } = request.body as Omit<FeedbackInput, 'source'> & {
          receiptToken: string;
        };
        return sendResult(
          reply,
          await marketing.giveFeedback(
            receiptToken,
            { ...input, source: 'display' },
            { tenantId: ctx.tenantId, registerId: ctx.registerId },
          ),
          201,
        );
      },
    );
    app.get(
      '/feedback',
      {
        preHandler: guard('orders.read'),
        schema: {
          tags,
          summary: 'Feedback with averages and NPS by store, staff member and day',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              storeId: id,
              staffId: id,
              from: isoInstant,
              to: isoInstant,
              limit: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
          response: { 200: obj },
        },
      },
      async (request) =>
        marketing.listFeedback(authOf(request).tenantId, request.query as Record<string, string | undefined>),
    );
  };
}
