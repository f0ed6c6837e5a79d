import type { FastifyInstance, FastifyRequest, RouteOptions, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema';
import { HttpError, sendError, sendResult } from '../../http/errors';
import { authOf, requestMeta, type Guard } from '../../http/auth';
import { parseProof } from '../auth/routes';
import { can } from '../auth/permissions';
import {
  approvalKinds,
  MAX_WAIT_S,
  needsApproval,
  type ApprovalAction,
  type ApprovalPolicy,
  type ApprovalsService,
} from './service';

const bearer = [{ bearer: [] }];
const tags = ['approvals'];
const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const money = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
/** currency code → minor units; codes are checked against the currency table (unknown: 422) */
const thresholds = {
  type: 'object',
  maxProperties: 200,
  propertyNames: { type: 'string', minLength: 1, maxLength: 10 },
  additionalProperties: money,
} as const;
const waitS = { type: 'integer', minimum: 0, maximum: MAX_WAIT_S } as const;
const actionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: approvalKinds },
    amount: money,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    percentBp: { type: 'integer', minimum: 0, maximum: 10_000 },
    entityId: id,
  },
  required: ['kind'],
} as const;
const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    refundAbove: thresholds,
    void: { type: 'boolean' },
    priceOverride: { type: 'boolean' },
    discountAboveBp: { anyOf: [{ type: 'integer', minimum: 0, maximum: 10_000 }, { type: 'null' }] },
    drawerOpen: { type: 'boolean' },
    paidOutAbove: thresholds,
    offlineLimitRaise: { type: 'boolean' },
  },
  required: [
    'refundAbove',
    'void',
    'priceOverride',
    'discountAboveBp',
    'drawerOpen',
    'paidOutAbove',
    'offlineLimitRaise',
  ],
} as const;

export function approvalsRoutes(approvals: ApprovalsService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.get(
      '/approvals/policy',
      {
        preHandler: guard('stores.read'),
        schema: { tags, summary: 'Which actions need a manager', security: bearer },
      },
      async (request) => approvals.policyOf(authOf(request).tenantId),
    );
    app.put(
      '/approvals/policy',
      {
        preHandler: guard('stores.write'),
        schema: { tags, summary: 'Set the approval thresholds', security: bearer, body: policySchema },
      },
      async (request, reply) =>
        sendResult(reply, await approvals.setPolicy(authOf(request), request.body as ApprovalPolicy)),
    );

    app.post(
      '/approvals',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary:
            'Ask a manager to approve an action (managers are told through the outbox: approval.requested)',
          security: bearer,
          body: actionSchema,
        },
      },
      async (request, reply) =>
        sendResult(reply, await approvals.request(authOf(request), request.body as ApprovalAction), 201),
    );

    app.get(
      '/approvals',
      {
        preHandler: guard('approvals.grant'),
        schema: {
          tags,
          summary:
            'Approvals waiting for a manager. With `wait` (seconds) it is a long poll: it answers when the pending list differs from `known` (comma-separated ids) or when the time is up',
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { wait: waitS, known: { type: 'string', maxLength: 4000 } },
          },
        },
      },
      async (request) => {
        const q = request.query as { wait?: number; known?: string };
        const tenantId = authOf(request).tenantId;
        if (!q.wait) return { items: await approvals.pending(tenantId) };
        const known = (q.known ?? '').split(',').filter((x) => x !== '');
        return { items: await approvals.waitPending(tenantId, known, q.wait) };
      },
    );

    app.get(
      '/approvals/:id',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary:
            'One approval. Its requester long-polls it with `wait` (seconds): the answer comes as soon as it is decided',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          querystring: { type: 'object', additionalProperties: false, properties: { wait: waitS } },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const approvalId = (request.params as { id: string }).id;
        const wait = (request.query as { wait?: number }).wait ?? 0;
        // only its requester or a manager may see it (and wait on it)
        const first = await approvals.get(ctx.tenantId, approvalId);
        if (first.ok && first.value.requestedBy !== ctx.staffId && !can(ctx.role, 'approvals.grant'))
          return sendError(reply, { code: 'unknown_approval', message: 'That approval does not exist.' });
        const r = wait > 0 && first.ok ? await approvals.waitFor(ctx.tenantId, approvalId, wait) : first;
        if (r.ok && r.value.requestedBy !== ctx.staffId && !can(ctx.role, 'approvals.grant'))
          return sendError(reply, { code: 'unknown_approval', message: 'That approval does not exist.' });
        return sendResult(reply, r);
      },
    );

    app.post(
      '/approvals/:id/challenge',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary: 'Passkey options for approving (the challenge covers the action)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: { type: 'object', additionalProperties: false, properties: { username: id } },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const body = (request.body ?? {}) as { username?: string };
        return sendResult(
          reply,
          await approvals.challenge(
            ctx.tenantId,
            (request.params as { id: string }).id,
            body.username ?? null,
            ctx,
            requestMeta(request),
          ),
        );
      },
    );

    app.post(
      '/approvals/:id/approve',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary:
            'Approve: on the register with the manager’s username + PIN + passkey or TOTP, or signed in as the manager with a passkey or TOTP',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              username: id,
              pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
              method: { type: 'string', enum: ['totp', 'passkey', 'sms', 'recovery'] },
              code: { type: 'string', minLength: 4, maxLength: 20 },
              challengeId: id,
              response: { type: 'object' },
            },
            required: ['method'],
          },
        },
      },
      async (request, reply) => {
        const b = request.body as {
          username?: string;
          pin?: string;
          method: string;
          code?: string;
          challengeId?: string;
          response?: unknown;
        };
        const proof = parseProof(b);
        if (typeof proof === 'string') return sendError(reply, { code: 'validation_failed', message: proof });
        return sendResult(
          reply,
          await approvals.approve(
            authOf(request),
            (request.params as { id: string }).id,
            { username: b.username, pin: b.pin, proof },
            requestMeta(request),
          ),
        );
      },
    );

    app.post(
      '/approvals/:id/deny',
      {
        preHandler: guard('approvals.grant'),
        schema: {
          tags,
          summary: 'Refuse an approval',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) =>
        sendResult(reply, await approvals.deny(authOf(request), (request.params as { id: string }).id)),
    );

    app.post(
      '/approvals/:id/consume',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary:
            'Use an approval for an action the register carries out itself (drawer open, discount, price override)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
          body: actionSchema,
        },
      },
      async (request, reply) =>
        sendResult(
          reply,
          await approvals.consume(
            authOf(request),
            (request.params as { id: string }).id,
            request.body as ApprovalAction,
          ),
        ),
    );
  };
}

type Derive = (db: Kysely<DB>, tenantId: string, request: FastifyRequest) => Promise<ApprovalAction | null>;

async function orderOf(db: Kysely<DB>, tenantId: string, orderId: string) {
  return db
    .selectFrom('orders')
    .select(['id', 'currency', 'total', 'refunded_total'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', orderId)
    .executeTakeFirst();
}

async function storeCurrency(db: Kysely<DB>, tenantId: string, storeId: string) {
  const s = await db
    .selectFrom('stores')
    .select('currency')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', storeId)
    .executeTakeFirst();
  return s?.currency;
}

/**
 * The routes that carry out sensitive actions, and how each one's action is read from the
 * request. The same reading gives the `approval_required` details and checks the approval, so a
 * register that asks for exactly what it was told always matches.
 */
const gated: { method: string; suffix: string; derive: Derive }[] = [
  {
    method: 'POST',
    suffix: '/orders/:id/refunds',
    derive: async (db, tenantId, request) => {
      const orderId = (request.params as { id: string }).id;
      const order = await orderOf(db, tenantId, orderId);
      if (!order) return null;
      const body = (request.body ?? {}) as {
        amount?: number;
        lines?: { lineId: string; quantity: number }[];
      };
      let amount = order.total - order.refunded_total;
      if (body.amount !== undefined) amount = body.amount;
      else if (body.lines) {
        const lines = await db
          .selectFrom('order_lines')
          .select(['line_id', 'total', 'quantity_milli'])
          .where('tenant_id', '=', tenantId)
          .where('order_id', '=', orderId)
          .execute();
        amount = 0;
        for (const l of body.lines) {
          const line = lines.find((x) => x.line_id === l.lineId);
          if (line && line.quantity_milli > 0)
            amount += Math.round((line.total * Math.round(l.quantity * 1000)) / line.quantity_milli);
        }
      }
      return { kind: 'refund', amount, currency: order.currency, entityId: orderId };
    },
  },
  {
    method: 'POST',
    suffix: '/orders/:id/void',
    derive: async (db, tenantId, request) => {
      const order = await orderOf(db, tenantId, (request.params as { id: string }).id);
      return order
        ? { kind: 'void', amount: order.total, currency: order.currency, entityId: order.id }
        : null;
    },
  },
  {
    method: 'POST',
    suffix: '/cash-sessions/:id/movements',
    derive: async (db, tenantId, request) => {
      const body = (request.body ?? {}) as { kind?: string; amount?: number };
      if (body.kind !== 'paid_out') return null;
      const sessionId = (request.params as { id: string }).id;
      const s = await db
        .selectFrom('cash_sessions')
        .select(['store_id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', sessionId)
        .executeTakeFirst();
      if (!s) return null;
      return {
        kind: 'paid_out',
        amount: body.amount ?? 0,
        currency: await storeCurrency(db, tenantId, s.store_id),
        entityId: sessionId,
      };
    },
  },
  {
    method: 'POST',
    suffix: '/cash-sessions/:id/drawer-open',
    derive: async (db, tenantId, request) => {
      const sessionId = (request.params as { id: string }).id;
      const s = await db
        .selectFrom('cash_sessions')
        .select(['id'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', sessionId)
        .executeTakeFirst();
      return s ? { kind: 'drawer_open', entityId: sessionId } : null;
    },
  },
  {
    method: 'PATCH',
    suffix: '/registers/:id',
    derive: async (db, tenantId, request) => {
      const body = (request.body ?? {}) as { offlineCardLimit?: number };
      if (body.offlineCardLimit === undefined) return null;
      const registerId = (request.params as { id: string }).id;
      const r = await db
        .selectFrom('registers')
        .select(['store_id', 'offline_card_limit'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', registerId)
        .executeTakeFirst();
      // lowering the limit is always allowed
      if (!r || body.offlineCardLimit <= r.offline_card_limit) return null;
      return {
        kind: 'offline_limit',
        amount: body.offlineCardLimit,
        currency: await storeCurrency(db, tenantId, r.store_id),
        entityId: registerId,
      };
    },
  },
];

/**
 * An `onRoute` hook that puts the approval check after the permission guard of each gated route.
 * The approval travels in the `x-approval-id` header, so the routes' own bodies stay as they are.
 */
export function approvalGate(approvals: ApprovalsService, db: () => Kysely<DB>) {
  return (route: RouteOptions) => {
    const methods = [route.method].flat();
    const rule = gated.find((g) => methods.includes(g.method as never) && route.url.endsWith(g.suffix));
    if (!rule) return;
    const check: preHandlerAsyncHookHandler = async function approvalCheck(request) {
      const ctx = request.auth;
      if (!ctx) return;
      const action = await rule.derive(db(), ctx.tenantId, request);
      if (!action || !needsApproval(await approvals.policyOf(ctx.tenantId), action)) return;
      const header = request.headers['x-approval-id'];
      const approvalId = typeof header === 'string' ? header : null;
      if (!approvalId)
        throw new HttpError('approval_required', 'A manager must approve this first.', { action });
      const r = await approvals.consume(ctx, approvalId, action);
      if (!r.ok)
        throw new HttpError(
          r.error.code === 'unknown_approval' ? 'invalid_approval' : r.error.code,
          r.error.message,
          r.error.details,
        );
    };
    const existing = route.preHandler;
    route.preHandler = [...(existing ? [existing].flat() : []), check];
  };
}
