import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyScope } from '../../src/auth/key-scope.js';
import { API_OPERATIONS, type ApiOperation } from '../../src/query/openapi-document.js';
import { createApiKey, generateApiKey } from '../../src/storage/api-keys.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * Walks every operation of the OpenAPI document with no key, an unknown key, an ingest, a read
 * and an admin key of project A, and an admin key of project B: 401 and 403 exactly where they
 * should be, and where a key is allowed, neither (a 400 for the empty body we send is fine).
 */
let server: RunningServer;
const keys = {} as Record<KeyScope, string>;
let otherProjectKey: string;

async function createKey(scope: KeyScope): Promise<{ key: string; keyId: string; scope: string }> {
  const response = await fetch(`${server.baseUrl}/api/v1/keys`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${scope} key`, scope }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { key: string; keyId: string; scope: string };
}

beforeAll(async () => {
  // Enough wrong-key attempts for the walk below without the per-address slowdown stepping in.
  server = await startServer({ COSTSCOPE_AUTH_FAILURE_LIMIT: '1000' });
  for (const scope of ['ingest', 'read', 'admin'] as const) keys[scope] = (await createKey(scope)).key;
  otherProjectKey = generateApiKey();
  await createApiKey(server.transport, { projectId: 'project-b', key: otherProjectKey, name: 'B admin', scope: 'admin' });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function call(operation: ApiOperation, key: string | undefined): Promise<{ status: number; body: unknown }> {
  let route = operation.path;
  for (const [name, { example }] of Object.entries(operation.pathParams ?? {})) route = route.replace(`{${name}}`, encodeURIComponent(example));
  const sendsBody = operation.method === 'post' || operation.method === 'put';
  const response = await fetch(`${server.baseUrl}${route}`, {
    method: operation.method.toUpperCase(),
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(sendsBody ? { 'content-type': 'application/json' } : {}) },
    body: sendsBody ? '{}' : undefined,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Metrics and OTLP answers need not be JSON.
  }
  return { status: response.status, body };
}

const RANK: Record<KeyScope, number> = { ingest: 0, read: 1, admin: 2 };
const guarded = API_OPERATIONS.filter((operation) => operation.access !== 'public');

describe.each(guarded.map((operation) => ({ name: `${operation.method.toUpperCase()} ${operation.path} (${operation.access})`, operation })))(
  '$name',
  ({ operation }) => {
    it('answers 401 without a key and with an unknown one', async () => {
      expect((await call(operation, undefined)).status).toBe(401);
      expect((await call(operation, 'cs_not_a_key_of_anyone_at_all_000')).status).toBe(401);
    });

    it.each(['ingest', 'read', 'admin'] as const)('with a %s key of the project: 403 exactly when the scope is too low', async (scope) => {
      const { status, body } = await call(operation, keys[scope]);
      const required = operation.access as KeyScope;
      if (RANK[scope] < RANK[required]) {
        expect(status).toBe(403);
        expect((body as { message: string }).message).toContain(`needs a key with the ${required} scope`);
      } else {
        expect([401, 403]).not.toContain(status);
        expect(status).toBeLessThan(500);
        // A success answers what the document says it answers.
        if (status === (operation.successStatus ?? 200) && operation.response) operation.response.parse(body);
      }
    });

    it('lets another project’s admin key in, to its own project only', async () => {
      const { status } = await call(operation, otherProjectKey);
      expect([401, 403]).not.toContain(status);
      expect(status).toBeLessThan(500);
    });
  },
);

describe('another project’s key', () => {
  it('neither lists nor revokes this project’s keys', async () => {
    const target = await createKey('ingest');
    const listed = await fetch(`${server.baseUrl}/api/v1/keys`, { headers: { Authorization: `Bearer ${otherProjectKey}` } });
    const { keys: otherKeys } = (await listed.json()) as { keys: Array<{ keyId: string; name: string }> };
    expect(otherKeys.map((key) => key.name)).toEqual(['B admin']);
    const revoke = await fetch(`${server.baseUrl}/api/v1/keys/${target.keyId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${otherProjectKey}` } });
    expect(revoke.status).toBe(404);
    const traces = await fetch(`${server.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(traces.status).toBe(200);
  });
});
