import type { FastifyInstance } from 'fastify';
import { sendError, sendResult } from '../../http/errors';
import { authOf, type Guard } from '../../http/auth';
import type { AuthService } from './service';

const staffSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'manager', 'cashier', 'auditor'] },
    hasPin: { type: 'boolean' },
    active: { type: 'boolean' },
  },
  required: ['id', 'username', 'displayName', 'role', 'hasPin', 'active'],
} as const;

const tokenSchema = {
  type: 'object',
  properties: { token: { type: 'string' }, staff: staffSchema, expiresInSeconds: { type: 'integer' } },
  required: ['token', 'staff', 'expiresInSeconds'],
} as const;

export function authRoutes(auth: AuthService, guard: Guard) {
  return async (app: FastifyInstance) => {
    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with username and password',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              username: { type: 'string', minLength: 1, maxLength: 100 },
              password: { type: 'string', minLength: 1, maxLength: 200 },
            },
            required: ['username', 'password'],
          },
          response: { 200: tokenSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { username: string; password: string };
        return sendResult(reply, await auth.login(body.username, body.password));
      },
    );

    app.post(
      '/auth/pin',
      {
        preHandler: guard(null),
        schema: {
          tags: ['auth'],
          summary: 'Switch staff on a register with a PIN (the register is already signed in)',
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              registerId: { type: 'string', minLength: 1, maxLength: 100 },
              username: { type: 'string', minLength: 1, maxLength: 100 },
              pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
            },
            required: ['registerId', 'username', 'pin'],
          },
          response: { 200: tokenSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { registerId: string; username: string; pin: string };
        return sendResult(
          reply,
          await auth.pinSwitch(authOf(request), body.registerId, body.username, body.pin),
        );
      },
    );

    app.post(
      '/auth/logout',
      {
        preHandler: guard(null),
        schema: { tags: ['auth'], summary: 'Revoke this token', security: [{ bearer: [] }] },
      },
      async (request, reply) => {
        await auth.logout(authOf(request));
        return reply.status(204).send();
      },
    );

    app.get(
      '/auth/me',
      {
        preHandler: guard(null),
        schema: { tags: ['auth'], summary: 'Who this token belongs to', security: [{ bearer: [] }] },
      },
      async (request) => {
        const ctx = authOf(request);
        return {
          staffId: ctx.staffId,
          username: ctx.username,
          displayName: ctx.displayName,
          role: ctx.role,
          tenantId: ctx.tenantId,
          registerId: ctx.registerId,
        };
      },
    );

    app.get(
      '/staff',
      {
        preHandler: guard('staff.write'),
        schema: { tags: ['staff'], summary: 'List staff', security: [{ bearer: [] }] },
      },
      async (request) => ({ items: await auth.listStaff(authOf(request).tenantId) }),
    );

    app.post(
      '/staff',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags: ['staff'],
          summary: 'Create a staff member',
          security: [{ bearer: [] }],
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              username: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{2,64}$' },
              displayName: { type: 'string', minLength: 1, maxLength: 100 },
              role: { type: 'string', enum: ['owner', 'manager', 'cashier', 'auditor'] },
              password: { type: 'string', minLength: 8, maxLength: 200 },
              pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
            },
            required: ['username', 'displayName', 'role', 'password'],
          },
          response: { 201: staffSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as {
          username: string;
          displayName: string;
          role: 'owner' | 'manager' | 'cashier' | 'auditor';
          password: string;
          pin?: string;
        };
        const ctx = authOf(request);
        if (body.role === 'owner' && ctx.role !== 'owner') {
          return sendError(reply, { code: 'forbidden', message: 'Only an owner can create an owner.' });
        }
        return sendResult(reply, await auth.createStaff(ctx.tenantId, body), 201);
      },
    );
  };
}
