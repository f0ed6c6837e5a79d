import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { startTestApp, type TestApp } from '../../test/harness';
import { CSP, registerSecurityHeaders, securityOptionsFromEnv } from './security-headers';

describe('security headers on the real app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('sets CSP, nosniff, referrer policy and framing rules on API answers, errors and pages; no HSTS over plain HTTP', async () => {
    for (const [url, headers] of [
      ['/api/v1/stores', t.auth('owner')],
      ['/api/v1/stores', {}],
      ['/api/v1/nope', {}],
      ['/admin', {}],
      ['/health', {}],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.headers['content-security-policy'], url).toBe(CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(CSP).toContain("frame-ancestors 'none'");
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('is closed to other origins by default: no CORS headers, preflights get nothing to allow', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/stores',
      headers: { ...t.auth('owner'), origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orders',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('keeps CORS off the web apps: no Vary on Origin, which would break the offline cache', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/register-page',
      headers: { origin: 'http://localhost' },
    });
    expect(res.headers.vary ?? '').not.toMatch(/origin/i);
    const api = await t.app.inject({
      method: 'GET',
      url: '/api/v1/stores',
      headers: { ...t.auth('owner'), origin: 'http://x.example' },
    });
    expect(api.headers.vary).toMatch(/origin/i);
  });
});

describe('security headers by configuration', () => {
  async function appWith(env: NodeJS.ProcessEnv, trustProxy = false) {
    const app = Fastify({ trustProxy });
    registerSecurityHeaders(app, securityOptionsFromEnv(env));
    app.get('/api/v1/x', async () => ({ ok: true }));
    await app.ready();
    return app;
  }

  it('allows exactly the listed origins, without credentials', async () => {
    const app = await appWith({ OPENTILL_CORS_ORIGINS: 'https://shop.example, https://ops.example/' });
    const ok = await app.inject({
      method: 'GET',
      url: '/api/v1/x',
      headers: { origin: 'https://ops.example' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example');
    expect(ok.headers.vary).toMatch(/Origin/);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/x',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'PATCH' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toContain('PATCH');
    expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    const other = await app.inject({
      method: 'GET',
      url: '/api/v1/x',
      headers: { origin: 'https://shop.example.evil.test' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('sends HSTS behind TLS (a trusted proxy saying https) or when forced, never over plain HTTP', async () => {
    const proxied = await appWith({}, true);
    const https = await proxied.inject({
      method: 'GET',
      url: '/api/v1/x',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const http = await proxied.inject({ method: 'GET', url: '/api/v1/x' });
    expect(http.headers['strict-transport-security']).toBeUndefined();
    await proxied.close();
    // an untrusted X-Forwarded-Proto is ignored
    const direct = await appWith({});
    const spoofed = await direct.inject({
      method: 'GET',
      url: '/api/v1/x',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
    await direct.close();
    const forced = await appWith({ OPENTILL_HSTS: '1' });
    expect(
      (await forced.inject({ method: 'GET', url: '/api/v1/x' })).headers['strict-transport-security'],
    ).toMatch(/max-age=31536000/);
    await forced.close();
  });
});
