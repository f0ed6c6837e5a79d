import type { FastifyInstance, FastifyReply } from 'fastify';
import { fail, sendError, sendResult, type Result } from '../../http/errors';
import { allowed, authOf, requestMeta, type Guard } from '../../http/auth';
import type { AuthService, SecondFactorProof } from './service';
import type { Permission } from './permissions';
import { rolePermissions } from './permissions';

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
  properties: {
    token: { type: 'string' },
    refreshToken: { type: 'string' },
    expiresInSeconds: { type: 'integer' },
    sessionId: { type: 'string' },
    level: { type: 'string', enum: ['full', 'mfa', 'enrol'] },
    methods: { type: 'array', items: { type: 'string' } },
    staff: staffSchema,
  },
  required: ['token', 'refreshToken', 'staff', 'expiresInSeconds', 'level', 'methods'],
} as const;

const bearer = [{ bearer: [] }];
const tags = ['auth'];
const id = { type: 'string', minLength: 1, maxLength: 100 } as const;
const code = { type: 'string', minLength: 4, maxLength: 20 } as const;
const label = { type: 'string', minLength: 1, maxLength: 100 } as const;
/** A WebAuthn response as JSON from the browser; the library checks its inside. */
const credential = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  properties: {
    id: { type: 'string', maxLength: 2000 },
    rawId: { type: 'string', maxLength: 2000 },
    type: { type: 'string', enum: ['public-key'] },
    response: { type: 'object' },
    clientExtensionResults: { type: 'object' },
    authenticatorAttachment: { type: 'string' },
  },
} as const;
const proofBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    method: { type: 'string', enum: ['totp', 'recovery', 'sms', 'passkey'] },
    code,
    challengeId: id,
    response: credential,
  },
  required: ['method'],
} as const;

/** Turns a proof body into the typed proof, or says what is missing. */
export function parseProof(body: {
  method: string;
  code?: string;
  challengeId?: string;
  response?: unknown;
}): SecondFactorProof | string {
  switch (body.method) {
    case 'totp':
    case 'recovery':
      return body.code ? { method: body.method, code: body.code } : 'Send the code.';
    case 'sms':
      return body.code && body.challengeId
        ? { method: 'sms', code: body.code, challengeId: body.challengeId }
        : 'Send the code and the challengeId of the SMS.';
    case 'passkey':
      return body.response && body.challengeId
        ? { method: 'passkey', challengeId: body.challengeId, response: body.response as never }
        : 'Send the passkey response and its challengeId.';
    default:
      return 'Unknown method.';
  }
}

function send<T>(reply: FastifyReply, r: Result<T>, status = 200) {
  if (!r.ok && r.error.code === 'rate_limited') {
    const wait = (r.error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (wait) void reply.header('retry-after', String(wait));
  }
  return sendResult(reply, r, status);
}

export function authRoutes(
  auth: AuthService,
  guard: Guard,
  registers: { registerPaired(tenantId: string, registerId: string): Promise<boolean> },
) {
  return async (app: FastifyInstance) => {
    app.post(
      '/auth/login',
      {
        schema: {
          tags,
          summary: 'Sign in with username and password',
          description:
            'Answers tokens. `level` says whether a second factor is still owed (`mfa`: verify at /auth/mfa/verify; `enrol`: enrol one first). Owners, managers and auditors always owe one.',
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
        return send(reply, await auth.login(body.username, body.password, requestMeta(request)));
      },
    );

    app.post(
      '/auth/refresh',
      {
        schema: {
          tags,
          summary: 'Trade a refresh token for new tokens (each refresh token works once)',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
            required: ['refreshToken'],
          },
          response: { 200: tokenSchema },
        },
      },
      async (request, reply) =>
        send(
          reply,
          await auth.refresh((request.body as { refreshToken: string }).refreshToken, requestMeta(request)),
        ),
    );

    app.post(
      '/auth/pin',
      {
        preHandler: guard(null, { device: true }),
        schema: {
          tags,
          summary: 'Sign a cashier in on a paired register with username and PIN',
          description:
            'The caller is the register itself (its device token: the register is the device’s own, `registerId` may be left out) or someone signed in on it (a PIN switch, `registerId` required). Only a paired register (a live register device) takes PINs: otherwise 403 `register_not_paired`.',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              registerId: id,
              username: id,
              pin: { type: 'string', pattern: '^[0-9]{4,8}$' },
            },
            required: ['username', 'pin'],
          },
          response: { 200: tokenSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { registerId?: string; username: string; pin: string };
        const ctx = authOf(request);
        if (ctx.device && ctx.device.kind !== 'register')
          return sendError(reply, {
            code: 'forbidden',
            message: `A ${ctx.device.kind} device takes no PINs.`,
          });
        if (!ctx.device && ctx.scopes)
          return sendError(reply, { code: 'forbidden', message: 'API keys take no PINs.' });
        if (ctx.device && body.registerId && body.registerId !== ctx.registerId)
          return sendError(reply, {
            code: 'forbidden',
            message: `This device is register ${ctx.registerId ?? ''}, not ${body.registerId}.`,
          });
        const registerId = ctx.device ? ctx.registerId : (body.registerId ?? null);
        if (!registerId)
          return sendError(reply, {
            code: 'validation_failed',
            message: 'Send the registerId to sign in on.',
          });
        return send(
          reply,
          await auth.pinSwitch(ctx, registerId, body.username, body.pin, requestMeta(request), async () =>
            (await registers.registerPaired(ctx.tenantId, registerId))
              ? { ok: true, value: null }
              : fail(
                  'register_not_paired',
                  'This register is not paired (or its pairing was revoked): pair it in the back office first.',
                ),
          ),
        );
      },
    );

    app.post(
      '/auth/logout',
      {
        preHandler: guard(null, { pending: true }),
        schema: { tags, summary: 'End this sign-in', security: bearer },
      },
      async (request, reply) => {
        await auth.logout(authOf(request));
        return reply.status(204).send();
      },
    );

    app.get(
      '/auth/me',
      {
        preHandler: guard(null, { pending: true }),
        schema: { tags, summary: 'Who this token belongs to', security: bearer },
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
          sessionId: ctx.authSessionId,
          level: ctx.level,
          method: ctx.method,
        };
      },
    );

    app.post(
      '/auth/password',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary: 'Change my password (at least 12 characters, letters and a digit or symbol)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              currentPassword: { type: 'string', minLength: 1, maxLength: 200 },
              newPassword: { type: 'string', minLength: 1, maxLength: 200 },
            },
            required: ['currentPassword', 'newPassword'],
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { currentPassword: string; newPassword: string };
        const r = await auth.changePassword(authOf(request), b.currentPassword, b.newPassword);
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    // ---- sessions ----

    app.get(
      '/auth/sessions',
      { preHandler: guard(null), schema: { tags, summary: 'My active sign-in sessions', security: bearer } },
      async (request) => {
        const ctx = authOf(request);
        return { items: await auth.listSessions(ctx.tenantId, ctx.staffId), current: ctx.authSessionId };
      },
    );

    app.get(
      '/staff/:id/sessions',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags: ['staff'],
          summary: "A staff member's active sessions",
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const tenantId = authOf(request).tenantId;
        const staffId = (request.params as { id: string }).id;
        // another tenant's staff id (or none) is 404, as everywhere else
        if (!(await auth.findTenantStaff(tenantId, staffId)))
          return sendError(reply, { code: 'unknown_staff', message: `Staff ${staffId} does not exist.` });
        return { items: await auth.listSessions(tenantId, staffId) };
      },
    );

    app.delete(
      '/auth/sessions/:id',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary: 'End a session (mine, or anyone’s with staff.write)',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const r = await auth.revokeSession(
          ctx,
          (request.params as { id: string }).id,
          allowed(ctx, 'staff.write'),
        );
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    app.post(
      '/staff/:id/unlock',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags: ['staff'],
          summary: 'Lift a lockout after repeated failures',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const r = await auth.unlock(authOf(request), (request.params as { id: string }).id);
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    // ---- second factors ----

    const pending = guard(null, { pending: true });

    app.get(
      '/auth/mfa',
      { preHandler: pending, schema: { tags, summary: 'My second factors', security: bearer } },
      async (request) => auth.factors(authOf(request)),
    );

    /** Enrolment is open to a full session and to one that must enrol; not to one that owes a code. */
    const enrolling = async (request: Parameters<typeof authOf>[0], reply: FastifyReply) => {
      const ctx = authOf(request);
      if (ctx.level === 'mfa') {
        sendError(reply, {
          code: 'mfa_required',
          message: 'Confirm the sign-in with your second factor first.',
        });
        return false;
      }
      if (ctx.scopes) {
        sendError(reply, { code: 'forbidden', message: 'API keys have no second factors.' });
        return false;
      }
      return true;
    };

    app.post(
      '/auth/mfa/totp',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'Start enrolling an authenticator app (answers the secret and otpauth URI)',
          security: bearer,
          body: { type: 'object', additionalProperties: false, properties: { label } },
        },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        const body = (request.body ?? {}) as { label?: string };
        return reply
          .status(201)
          .send(await auth.totpBegin(authOf(request), body.label ?? 'Authenticator app'));
      },
    );

    app.post(
      '/auth/mfa/totp/confirm',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'Finish enrolling an authenticator app with a code from it',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { factorId: id, code },
            required: ['factorId', 'code'],
          },
        },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        const b = request.body as { factorId: string; code: string };
        return send(reply, await auth.totpConfirm(authOf(request), b.factorId, b.code, requestMeta(request)));
      },
    );

    app.post(
      '/auth/mfa/sms',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'Start enrolling a phone for SMS codes (sends a code)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { phone: { type: 'string', pattern: '^\\+?[0-9]{6,16}$' } },
            required: ['phone'],
          },
        },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        return send(
          reply,
          await auth.smsBegin(authOf(request), (request.body as { phone: string }).phone),
          201,
        );
      },
    );

    app.post(
      '/auth/mfa/sms/confirm',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'Finish enrolling a phone with the code it received',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { factorId: id, challengeId: id, code },
            required: ['factorId', 'challengeId', 'code'],
          },
        },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        const b = request.body as { factorId: string; challengeId: string; code: string };
        return send(
          reply,
          await auth.smsConfirm(authOf(request), b.factorId, b.challengeId, b.code, requestMeta(request)),
        );
      },
    );

    app.post(
      '/auth/mfa/sms/send',
      {
        preHandler: pending,
        schema: { tags, summary: 'Send a sign-in code to my enrolled phone', security: bearer },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const limit = auth.limited(requestMeta(request), ctx.username, 'sms');
        if (limit) return send(reply, limit);
        return send(reply, await auth.smsSend(ctx.tenantId, ctx.staffId), 201);
      },
    );

    app.post(
      '/auth/mfa/passkey/options',
      {
        preHandler: pending,
        schema: { tags, summary: 'Options to register a passkey on this device', security: bearer },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        return auth.passkeyRegisterOptions(authOf(request), requestMeta(request));
      },
    );

    app.post(
      '/auth/mfa/passkey',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'Register a passkey (fingerprint, face or device PIN on this device)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { challengeId: id, response: credential, label },
            required: ['challengeId', 'response'],
          },
        },
      },
      async (request, reply) => {
        if (!(await enrolling(request, reply))) return reply;
        const b = request.body as { challengeId: string; response: never; label?: string };
        return send(
          reply,
          await auth.passkeyRegister(
            authOf(request),
            b.challengeId,
            b.response,
            b.label ?? 'Passkey',
            requestMeta(request),
          ),
          201,
        );
      },
    );

    app.post(
      '/auth/mfa/challenge',
      {
        preHandler: pending,
        schema: { tags, summary: 'Passkey options for the second step of my sign-in', security: bearer },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        return send(reply, await auth.passkeyOptions(ctx, 'login', requestMeta(request)));
      },
    );

    app.post(
      '/auth/mfa/verify',
      {
        preHandler: pending,
        schema: {
          tags,
          summary: 'The second step of a sign-in: a TOTP, SMS or recovery code, or a passkey',
          security: bearer,
          body: proofBody,
        },
      },
      async (request, reply) => {
        const proof = parseProof(request.body as never);
        if (typeof proof === 'string') return sendError(reply, { code: 'validation_failed', message: proof });
        return send(reply, await auth.verifySecondFactor(authOf(request), proof, requestMeta(request)));
      },
    );

    app.post(
      '/auth/mfa/recovery-codes',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary: 'New one-time recovery codes (the old ones stop working)',
          security: bearer,
        },
      },
      async (request, reply) => reply.status(201).send(await auth.regenerateRecoveryCodes(authOf(request))),
    );

    app.delete(
      '/auth/mfa/:id',
      {
        preHandler: guard(null),
        schema: {
          tags,
          summary: 'Remove one of my second factors',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const r = await auth.removeFactor(authOf(request), (request.params as { id: string }).id);
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    // ---- passkey sign-in (no password) ----

    app.post(
      '/auth/passkey/options',
      { schema: { tags, summary: 'Options for signing in with a passkey' } },
      async (request, reply) => {
        // unauthenticated and it writes a challenge row: limit it per address
        const meta = requestMeta(request);
        const limit = auth.limited(meta, `ip:${meta.ip}`, 'passkey-options');
        if (limit) return send(reply, limit);
        return send(reply, await auth.passkeyOptions(null, 'passwordless', meta));
      },
    );

    app.post(
      '/auth/passkey/login',
      {
        schema: {
          tags,
          summary: 'Sign in with a passkey (user verification required)',
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { challengeId: id, response: credential },
            required: ['challengeId', 'response'],
          },
          response: { 200: tokenSchema },
        },
      },
      async (request, reply) => {
        const b = request.body as { challengeId: string; response: never };
        return send(reply, await auth.passkeyLogin(b.challengeId, b.response, requestMeta(request)));
      },
    );

    // ---- API keys ----

    const permissionNames = [...rolePermissions.owner];
    app.get(
      '/api-keys',
      {
        preHandler: guard('staff.write'),
        schema: { tags, summary: 'Integration API keys', security: bearer },
      },
      async (request) => ({ items: await auth.listApiKeys(authOf(request).tenantId) }),
    );
    app.post(
      '/api-keys',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags,
          summary: 'Create an API key with scopes (the key is shown once)',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: label,
              scopes: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', enum: permissionNames },
              },
            },
            required: ['name', 'scopes'],
          },
        },
      },
      async (request, reply) => {
        const ctx = authOf(request);
        const b = request.body as { name: string; scopes: Permission[] };
        // a key never holds more than its creator
        const beyond = b.scopes.filter((s) => !allowed(ctx, s));
        if (beyond.length)
          return sendError(reply, { code: 'forbidden', message: `You may not grant ${beyond.join(', ')}.` });
        return reply.status(201).send(await auth.createApiKey(ctx, b.name, b.scopes));
      },
    );
    app.delete(
      '/api-keys/:id',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags,
          summary: 'Revoke an API key',
          security: bearer,
          params: { type: 'object', properties: { id }, required: ['id'] },
        },
      },
      async (request, reply) => {
        const r = await auth.revokeApiKey(authOf(request), (request.params as { id: string }).id);
        return r.ok ? reply.status(204).send() : sendResult(reply, r);
      },
    );

    // ---- staff ----

    app.get(
      '/staff',
      {
        preHandler: guard('staff.write'),
        schema: { tags: ['staff'], summary: 'List staff', security: bearer },
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
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              username: { type: 'string', pattern: '^[a-zA-Z0-9_.-]{2,64}$' },
              displayName: { type: 'string', minLength: 1, maxLength: 100 },
              role: { type: 'string', enum: ['owner', 'manager', 'cashier', 'auditor'] },
              password: { type: 'string', minLength: 1, maxLength: 200 },
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
        return sendResult(reply, await auth.createStaff(ctx.tenantId, body, ctx.staffId), 201);
      },
    );

    app.post(
      '/staff/:id/erase',
      {
        preHandler: guard('staff.write'),
        schema: {
          tags: ['staff'],
          summary:
            'Erase a staff member: the name’s key is destroyed (reads as “—”), username replaced, factors and sessions ended; sales and audit keep the anonymous id',
          security: bearer,
          params: {
            type: 'object',
            properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
            required: ['id'],
          },
          response: { 200: staffSchema },
        },
      },
      async (request, reply) =>
        sendResult(reply, await auth.eraseStaff(authOf(request), (request.params as { id: string }).id)),
    );
  };
}
