import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthContext, AuthService, RequestMeta } from '../modules/auth/service';
import { can, type Permission } from '../modules/auth/permissions';
import { HttpError } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

/** The signed-in staff of a request that passed `requirePermission`. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new HttpError('unauthenticated', 'Sign in first.');
  return request.auth;
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1] ?? null;
}

/** Address, browser and origin of a request (rate limits, session list, passkey origin). */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const origin = request.headers.origin;
  return {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    origin: typeof origin === 'string' ? origin : null,
  };
}

/** May this caller do this? API keys by their scopes, staff by their role. */
export function allowed(ctx: AuthContext, permission: Permission): boolean {
  return ctx.scopes ? ctx.scopes.has(permission) : can(ctx.role, permission);
}

/**
 * A pre-handler that authenticates the bearer token and checks one permission. The tenant of
 * every query comes from here, never from the request body. A session that still owes a second
 * factor passes only guards made with `{ pending: true }` (enrolment and the second step itself).
 */
export function makeGuard(auth: AuthService, devices: DeviceTokens) {
  return (
    permission: Permission | null,
    opts: { pending?: boolean; device?: boolean } = {},
  ): preHandlerAsyncHookHandler =>
    async function guard(request: FastifyRequest, _reply: FastifyReply) {
      const token = bearerToken(request);
      if (!token)
        throw new HttpError('unauthenticated', 'Send a bearer token: Authorization: Bearer <token>.');
      const r = token.startsWith('odt_') ? await devices.check(token) : await auth.check(token);
      // a device passes only routes that need one of its kind's permissions, or that take devices
      if ('ctx' in r && r.ctx.device && !opts.device && (!permission || !allowed(r.ctx, permission)))
        throw new HttpError('forbidden', `A ${r.ctx.device.kind} device may not do this.`);
      if (!('ctx' in r)) {
        if (r.reason === 'expired')
          throw new HttpError('token_expired', 'The token has expired; refresh it or sign in again.');
        if (r.reason === 'idle')
          throw new HttpError('session_idle', 'The session was idle too long; sign in again.');
        throw new HttpError('unauthenticated', 'The token is unknown, expired or revoked; sign in again.');
      }
      const ctx = r.ctx;
      if ((ctx.level ?? 'full') !== 'full' && !opts.pending) {
        if (ctx.level === 'enrol')
          throw new HttpError(
            'mfa_enrolment_required',
            'Your role needs a second factor: enrol a passkey, an authenticator app or a phone first.',
          );
        throw new HttpError('mfa_required', 'Confirm the sign-in with your second factor first.');
      }
      if (permission && !allowed(ctx, permission)) {
        throw new HttpError(
          'forbidden',
          ctx.device
            ? `A ${ctx.device.kind} device may not do this (needs ${permission}).`
            : ctx.scopes
              ? `This API key may not do this (needs ${permission}).`
              : `The ${ctx.role} role may not do this (needs ${permission}).`,
        );
      }
      request.auth = ctx;
    };
}

/** How the guard reads a device token (the devices module). */
export interface DeviceTokens {
  check(token: string): Promise<{ ctx: AuthContext; expiresAt: string } | { reason: 'unknown' | 'expired' }>;
  /** revocations in this process, by device id */
  onRevoke(listener: (deviceId: string) => void): () => void;
}

export type Guard = ReturnType<typeof makeGuard>;
