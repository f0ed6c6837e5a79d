import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthContext, AuthService } from '../modules/auth/service';
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

/**
 * A pre-handler that authenticates the bearer token and checks one permission. The tenant of
 * every query comes from here, never from the request body.
 */
export function makeGuard(auth: AuthService) {
  return (permission: Permission | null): preHandlerAsyncHookHandler =>
    async function guard(request: FastifyRequest, _reply: FastifyReply) {
      const token = bearerToken(request);
      if (!token)
        throw new HttpError('unauthenticated', 'Send a bearer token: Authorization: Bearer <token>.');
      const ctx = await auth.authenticate(token);
      if (!ctx)
        throw new HttpError('unauthenticated', 'The token is unknown, expired or revoked; sign in again.');
      if (permission && !can(ctx.role, permission)) {
        throw new HttpError('forbidden', `The ${ctx.role} role may not do this (needs ${permission}).`);
      }
      request.auth = ctx;
    };
}

export type Guard = ReturnType<typeof makeGuard>;
