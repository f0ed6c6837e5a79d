import type { FastifyInstance } from 'fastify';
import { sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import { bearer, id, listOf, MAX_SAFE, money, signedMoney, text } from '../../http/schemas';
import type { CashService, CountedTender, MovementKind } from './service';

const tenderKinds = ['cash', 'card', 'wallet', 'gift_card', 'store_credit', 'other'] as const;
const positiveMoney = { type: 'integer', minimum: 1, maximum: MAX_SAFE } as const;
const nullableString = { type: ['string', 'null'] } as const;
const count = { type: 'integer' } as const;

const xReportProps = {
  sessionId: { type: 'string' },
  storeId: { type: 'string' },
  registerId: { type: 'string' },
  currency: { type: 'string' },
  status: { type: 'string', enum: ['open', 'closed'] },
  openedAt: { type: 'string' },
  openedBy: { type: 'string' },
  generatedAt: { type: 'string' },
  orders: {
    type: 'object',
    properties: { count, voided: count, total: signedMoney, changeGiven: signedMoney },
  },
  refunds: { type: 'object', properties: { count, total: signedMoney } },
  tenders: {
    type: 'array',
    items: {
      type: 'object',
      properties: { kind: { type: 'string' }, sales: signedMoney, refunds: signedMoney, net: signedMoney },
    },
  },
  cash: {
    type: 'object',
    properties: {
      openingFloat: signedMoney,
      sales: signedMoney,
      refunds: signedMoney,
      paidIn: signedMoney,
      paidInCount: count,
      paidOut: signedMoney,
      paidOutCount: count,
      expected: signedMoney,
    },
  },
  totals: { type: 'object', properties: { sales: signedMoney, refunds: signedMoney, net: signedMoney } },
  cashRounding: signedMoney,
} as const;

const xReportSchema = { type: 'object', properties: xReportProps } as const;

const zReportSchema = {
  type: 'object',
  properties: {
    ...xReportProps,
    closedAt: { type: 'string' },
    closedBy: { type: 'string' },
    reconciliation: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          expected: signedMoney,
          counted: { type: ['integer', 'null'] },
          overShort: { type: ['integer', 'null'] },
        },
      },
    },
    overShortTotal: signedMoney,
  },
} as const;

const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    storeId: { type: 'string' },
    registerId: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
    openingFloat: money,
    openedBy: { type: 'string' },
    openedAt: { type: 'string' },
    closedBy: nullableString,
    closedAt: nullableString,
    zReport: { anyOf: [{ type: 'null' }, zReportSchema] },
  },
} as const;

const movementSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    cashSessionId: { type: 'string' },
    kind: { type: 'string', enum: ['paid_in', 'paid_out'] },
    amount: money,
    reason: { type: 'string' },
    staffId: { type: 'string' },
    createdAt: { type: 'string' },
  },
} as const;

const idParams = {
  type: 'object',
  additionalProperties: false,
  properties: { id },
  required: ['id'],
} as const;
const tags = ['cash'];

export function cashRoutes(cash: CashService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.post(
      '/cash-sessions',
      {
        preHandler: guard('cash.operate'),
        schema: {
          tags,
          summary: 'Open a cash session on a register with an opening float',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { registerId: id, openingFloat: money },
            required: ['registerId', 'openingFloat'],
          },
          response: { 201: sessionSchema },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        return sendResult(
          reply,
          await cash.open(
            a.tenantId,
            a.staffId,
            request.body as { registerId: string; openingFloat: number },
          ),
          201,
        );
      },
    );
    app.get(
      '/cash-sessions',
      {
        preHandler: guard('cash.read'),
        schema: {
          tags,
          summary: 'Cash sessions, newest first, optionally of one register or in one state',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              registerId: id,
              status: { type: 'string', enum: ['open', 'closed'] },
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
          response: { 200: listOf(sessionSchema) },
        },
      },
      async (request) => ({
        items: await cash.list(
          authOf(request).tenantId,
          request.query as { registerId?: string; status?: 'open' | 'closed'; limit?: number },
        ),
      }),
    );
    app.get(
      '/cash-sessions/:id',
      {
        preHandler: guard('cash.read'),
        schema: {
          tags,
          summary: 'One cash session (with its Z report once closed)',
          security: bearer,
          params: idParams,
          response: { 200: sessionSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await cash.get(authOf(request).tenantId, (request.params as { id: string }).id)),
    );
    app.get(
      '/registers/:id/cash-session',
      {
        preHandler: guard('cash.read'),
        schema: {
          tags,
          summary: "The register's open cash session",
          security: bearer,
          params: idParams,
          response: { 200: sessionSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await cash.currentForRegister(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/cash-sessions/:id/movements',
      {
        preHandler: guard('cash.operate'),
        schema: {
          tags,
          summary: 'Record cash paid into or out of the drawer',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['paid_in', 'paid_out'] },
              amount: positiveMoney,
              reason: text(500),
            },
            required: ['kind', 'amount', 'reason'],
          },
          response: { 201: movementSchema },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        return sendResult(
          reply,
          await cash.addMovement(
            a.tenantId,
            a.staffId,
            (request.params as { id: string }).id,
            request.body as { kind: MovementKind; amount: number; reason: string },
          ),
          201,
        );
      },
    );
    app.post(
      '/cash-sessions/:id/drawer-open',
      {
        preHandler: guard('cash.operate'),
        schema: {
          tags,
          summary:
            'Open the drawer without a sale (audited; may need a manager: 403 approval_required, then x-approval-id)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { reason: text(500) },
            required: ['reason'],
          },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        return sendResult(
          reply,
          await cash.drawerOpen(a.tenantId, a.staffId, (request.params as { id: string }).id, {
            reason: (request.body as { reason: string }).reason,
          }),
          201,
        );
      },
    );
    app.get(
      '/cash-sessions/:id/x-report',
      {
        preHandler: guard('cash.read'),
        schema: {
          tags,
          summary: 'X report: the session so far, without closing it',
          security: bearer,
          params: idParams,
          response: { 200: xReportSchema },
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await cash.xReport(authOf(request).tenantId, (request.params as { id: string }).id),
        ),
    );
    app.post(
      '/cash-sessions/:id/close',
      {
        preHandler: guard('cash.operate'),
        schema: {
          tags,
          summary:
            'Close the session with the counted tenders; returns the Z report (over/short is recorded, never refused)',
          security: bearer,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              counted: {
                type: 'array',
                maxItems: tenderKinds.length,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { kind: { type: 'string', enum: tenderKinds }, amount: money },
                  required: ['kind', 'amount'],
                },
              },
            },
            required: ['counted'],
          },
          response: { 200: zReportSchema },
        },
      },
      async (request, reply) => {
        const a = authOf(request);
        return sendResult(
          reply,
          await cash.close(
            a.tenantId,
            a.staffId,
            (request.params as { id: string }).id,
            request.body as { counted: CountedTender[] },
          ),
        );
      },
    );
  };
}
