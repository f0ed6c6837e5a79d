import type { FastifyRequest } from 'fastify';

/**
 * What the logs may say about a request. Secrets travel in a few URLs (the customer display's
 * EventSource cannot send headers, so its token is a query parameter; a pairing code is part of
 * the claim path): request logs show those as `[redacted]`. Bodies and headers are never logged,
 * and the redact paths catch secrets that a log call passes by name.
 */
const SECRET_PARAMS = /^(token|access_?token|refresh_?token|key|api_?key|password|pin|code|secret|otp)$/i;

export function redactUrl(url: string): string {
  const path = url.replace(/\/pairings\/[^/?]+\/claim/, '/pairings/[redacted]/claim');
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  for (const k of new Set(params.keys())) if (SECRET_PARAMS.test(k)) params.set(k, '[redacted]');
  return `${path.slice(0, q + 1)}${params.toString()}`;
}

export const logSerializers = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
    };
  },
};

export const logRedact = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    '*.password',
    '*.newPassword',
    '*.currentPassword',
    '*.pin',
    '*.token',
    '*.refreshToken',
    '*.secret',
    '*.key',
  ],
  censor: '[redacted]',
};
