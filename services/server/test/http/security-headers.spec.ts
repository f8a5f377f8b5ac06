import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * Every kind of answer the server gives — public probes, the API, OTLP, refusals, unknown paths,
 * errors — carries the same security headers, because a header set only on the happy path protects
 * nothing an attacker can reach by asking wrongly.
 */
describe('security headers', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  const requests: Array<[string, () => Promise<Response>, number]> = [
    ['liveness', () => fetch(`${server.baseUrl}/healthz`), 200],
    ['the OpenAPI document', () => fetch(`${server.baseUrl}/api/docs`), 200],
    ['an API answer', () => fetch(`${server.baseUrl}/api/v1/project`, { headers: server.auth }), 200],
    ['a 400 naming a parameter', () => fetch(`${server.baseUrl}/api/v1/costs?from=yesterday`, { headers: server.auth }), 400],
    ['a refused key', () => fetch(`${server.baseUrl}/api/v1/costs`, { headers: { Authorization: 'Bearer cs_wrong_key_000000000000' } }), 401],
    ['an unknown path', () => fetch(`${server.baseUrl}/wp-admin`), 404],
    [
      'an OTLP export',
      () =>
        fetch(`${server.baseUrl}/v1/traces`, {
          method: 'POST',
          headers: { ...server.auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ resourceSpans: [] }),
        }),
      200,
    ],
    [
      'an OTLP body that does not parse',
      () => fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', headers: { ...server.auth, 'Content-Type': 'application/json' }, body: '{' }),
      400,
    ],
  ];

  it.each(requests)('are on %s', async (_name, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});
