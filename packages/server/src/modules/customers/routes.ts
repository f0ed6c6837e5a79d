import type { FastifyInstance } from 'fastify';
import { sendError, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, nullableText } from '../../http/schemas';
import type { LoyaltyService } from '../loyalty/service';
import type { CustomerInput, CustomersService } from './service';

const tags = ['customers'];
const obj = { type: 'object', additionalProperties: true } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;

const customerBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: nullableText(200),
    phone: nullableText(40),
    email: nullableText(254),
    birthday: { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    cardNo: nullableText(40),
    note: nullableText(1000),
    consents: {
      type: 'object',
      additionalProperties: false,
      properties: { marketing: { type: 'boolean' }, processing: { type: 'boolean' } },
    },
    consentSource: { type: 'string', enum: ['register', 'back_office', 'e_receipt', 'import'] },
  },
} as const;

export function customersRoutes(customers: CustomersService, loyalty: LoyaltyService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.post(
      '/customers',
      {
        preHandler: guard('customers.write'),
        schema: {
          tags,
          summary: 'Create a customer (personal data is encrypted per field)',
          security: bearer,
          body: customerBody,
          response: { 201: obj },
        },
      },
      async (request, reply) =>
        sendResult(reply, await customers.create(authOf(request), request.body as CustomerInput), 201),
    );
    app.get(
      '/customers',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: 'Customers, newest first; q finds one by exact phone, e-mail, card number or member QR',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              q: { type: 'string', maxLength: 254 },
              limit: { type: 'integer', minimum: 1, maximum: 200 },
              before: id,
            },
          },
          response: { 200: listOf(obj) },
        },
      },
      async (request) => ({
        items: await customers.list(
          authOf(request).tenantId,
          request.query as { q?: string; limit?: number; before?: string },
        ),
      }),
    );
    app.get(
      '/customers/lookup',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary:
            'Till lookup by phone number, member QR (OTM:…), card number or e-mail, with the points balance',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { q: { type: 'string', minLength: 1, maxLength: 254 } },
            required: ['q'],
          },
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const found = await customers.lookup(tenantId, (request.query as { q: string }).q);
        if (!found.ok) return sendError(reply, found.error);
        return { ...found.value, loyalty: await loyalty.account(tenantId, found.value.id) };
      },
    );
    app.get(
      '/customers/:id',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: 'One customer with consents and points',
          security: bearer,
          params: idParams,
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const { id: cid } = request.params as { id: string };
        const c = await customers.get(tenantId, cid);
        if (!c.ok) return sendError(reply, c.error);
        return { ...c.value, loyalty: await loyalty.account(tenantId, cid) };
      },
    );
    app.patch(
      '/customers/:id',
      {
        preHandler: guard('customers.write'),
        schema: {
          tags,
          summary: 'Change a customer or their consents (time and source are recorded)',
          security: bearer,
          params: idParams,
          body: customerBody,
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await customers.update(
            authOf(request),
            (request.params as { id: string }).id,
            request.body as CustomerInput,
          ),
        ),
    );
    app.get(
      '/customers/:id/orders',
      {
        preHandler: guard('customers.read'),
        schema: {
          tags,
          summary: "A customer's purchase history, newest first",
          security: bearer,
          params: idParams,
          response: { 200: listOf(obj) },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const { id: cid } = request.params as { id: string };
        // another tenant's customer answers like a missing one, not as an empty history
        const known = await customers.get(tenantId, cid);
        if (!known.ok) return sendError(reply, known.error);
        return { items: await customers.history(tenantId, cid) };
      },
    );
    app.get(
      '/customers/:id/export',
      {
        preHandler: guard('customers.privacy'),
        schema: {
          tags,
          summary: 'Everything held about one customer, as JSON (privacy access request)',
          security: bearer,
          params: idParams,
          response: { 200: obj },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const { id: cid } = request.params as { id: string };
        const c = await customers.get(ctx.tenantId, cid);
        if (!c.ok) return sendError(reply, c.error);
        await customers.auditExport(ctx, cid);
        reply.header('content-disposition', `attachment; filename="customer-${cid}.json"`);
        return {
          exportedAt: new Date().toISOString(),
          customer: c.value,
          loyalty: {
            account: await loyalty.account(ctx.tenantId, cid),
            ledger: await loyalty.ledger(ctx.tenantId, cid),
          },
          orders: await customers.history(ctx.tenantId, cid, 10_000),
        };
      },
    );
    app.post(
      '/customers/:id/erase',
      {
        preHandler: guard('customers.privacy'),
        schema: {
          tags,
          summary: 'Erase a customer: their key is destroyed, sales stay as anonymous facts',
          security: bearer,
          params: idParams,
          response: { 200: obj },
        },
      },
      async (request, reply) =>
        sendResult(reply, await customers.erase(authOf(request), (request.params as { id: string }).id)),
    );
  };
}
