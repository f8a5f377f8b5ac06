import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_OPERATIONS, openApiDocument } from '../../src/query/openapi-document.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * The OpenAPI document against the routes Nest really mounted in a server with every role: a
 * route added without documenting it, or documented but gone, fails here.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

type ExpressLayer = { route?: { path: string; methods: Record<string, boolean> } };

/** `METHOD /path/:param` of every route in the Express router Nest registered its handlers on. */
function mountedRoutes(): string[] {
  const express = server.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  return express.router.stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route?.path}`) : [],
  );
}

/** Does a documented path (`/api/v1/settings/prices`, `/api/v1/alerts/{episodeId}`) fall under a mounted one? */
function served(documented: string, mounted: string): boolean {
  const [method, pattern = ''] = mounted.split(' ');
  const [documentedMethod, documentedPath = ''] = documented.split(' ');
  if (method !== documentedMethod) return false;
  const regex = new RegExp(`^${pattern.replace(/:[A-Za-z]\w*/g, '[^/]+')}$`);
  return regex.test(documentedPath.replace(/\{[A-Za-z]\w*\}/g, 'x'));
}

describe('the OpenAPI document at /api/docs', () => {
  it('is what the server serves, without a key', async () => {
    const response = await fetch(`${server.baseUrl}/api/docs`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('lists every route Nest mounted, and only those', () => {
    const mounted = mountedRoutes();
    const documented = API_OPERATIONS.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
    expect(mounted.length).toBeGreaterThan(10);
    expect(mounted.filter((route) => !documented.some((operation) => served(operation, route)))).toEqual([]);
    expect(documented.filter((operation) => !mounted.some((route) => served(operation, route)))).toEqual([]);
    expect(documented).toContain('POST /api/v1/settings/channels/test');
  });

  it('names the scope of every operation and gives every JSON answer a schema', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, Record<string, unknown>>>;
    for (const operation of API_OPERATIONS) {
      const documented = paths[operation.path]?.[operation.method];
      expect(documented?.['x-costscope-scope'], `${operation.method} ${operation.path}`).toBe(operation.access);
      expect(documented?.security).toEqual(operation.access === 'public' ? [] : [{ projectKey: [operation.access] }]);
      if (operation.path.startsWith('/api/v1/')) {
        const responses = documented?.responses as Record<string, { content?: Record<string, { schema: { type?: string } }> }>;
        const success = responses[String(operation.successStatus ?? 200)];
        const contentType = operation.responseLine ? 'application/x-ndjson' : 'application/json';
        expect(success?.content?.[contentType]?.schema.type, `${operation.method} ${operation.path}`).toBe('object');
      }
    }
  });
});
