import type { FastifyInstance } from 'fastify';

/**
 * Security headers, CORS and cookie settings, chosen once for every response.
 *
 * - CSP: the SPA is built to files served from this origin (no inline script), so scripts,
 *   connections (fetch, Server-Sent Events), workers and the service worker are `'self'` only.
 *   Inline styles stay allowed: the receipt HTML page carries its own `<style>`; images may be
 *   `data:` (QR codes). Nobody may frame us (`frame-ancestors 'none'`: click-jacking on the
 *   register). The API docs page (/docs) gets the same policy plus inline script for Swagger UI.
 * - HSTS only when the request arrived over TLS (directly, or per X-Forwarded-Proto when
 *   OPENTILL_TRUST_PROXY is set), or always with OPENTILL_HSTS=1: a plain-HTTP LAN install must
 *   not pin itself to HTTPS.
 * - CORS is closed: the web apps are same-origin. OPENTILL_CORS_ORIGINS (comma-separated exact
 *   origins) opens the API to those origins only, without credentials (bearer tokens are sent
 *   explicitly, never by cookie).
 * - Cookies: the API sets none (bearer tokens). Any future cookie uses `sessionCookie` below.
 */
export interface SecurityOptions {
  corsOrigins: ReadonlySet<string>;
  hsts: 'auto' | 'always';
}

export function securityOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SecurityOptions {
  const origins = (env.OPENTILL_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter((o) => o !== '');
  return { corsOrigins: new Set(origins), hsts: env.OPENTILL_HSTS === '1' ? 'always' : 'auto' };
}

const baseCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const docsCsp = baseCsp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");

export const CSP = baseCsp;

/** Attributes for any cookie the server sets: never readable by script, never cross-site. */
export const sessionCookie = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: '/api/',
  /** the __Host- prefix makes browsers refuse it without Secure, with a Domain, or off path / */
  prefix: '__Host-',
} as const;

const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const CORS_HEADERS = 'authorization, content-type, idempotency-key, accept-language';

export function registerSecurityHeaders(app: FastifyInstance, options: SecurityOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    reply.header('content-security-policy', path.startsWith('/docs') ? docsCsp : baseCsp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header(
      'permissions-policy',
      'camera=(self), microphone=(), geolocation=(), payment=(), usb=(self)',
    );
    if (options.hsts === 'always' || request.protocol === 'https') {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
    const origin = request.headers.origin;
    // CORS is for the API only: a `Vary: Origin` on the web apps' files would make the service
    // worker's cache miss module scripts (they carry an Origin header) and break offline start
    if (origin === undefined || !path.startsWith('/api/')) return;
    reply.header('vary', 'Origin');
    const allowed = options.corsOrigins.has(origin);
    if (allowed) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', 'idempotent-replayed, content-disposition');
      // the resource policy would otherwise stop the allowed origin reading the answer
      reply.header('cross-origin-resource-policy', 'cross-origin');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      // a preflight: answered here for every path; without the allow headers the browser stops
      if (allowed) {
        reply.header('access-control-allow-methods', CORS_METHODS);
        reply.header('access-control-allow-headers', CORS_HEADERS);
        reply.header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    }
  });
}
