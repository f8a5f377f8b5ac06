import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/running-server.js';
import { fuzzParameters } from './fuzz-settings.js';

/**
 * Property-based fuzzing of every API parameter on the real server: each GET operation of the
 * OpenAPI document (which a test keeps equal to the mounted routes) with its own query
 * parameters and unknown ones, set to random, unicode, huge or repeated values, and random path
 * parameters; and the settings PUTs with random JSON bodies. Never a 5xx, never a hang.
 */
let server: RunningServer;
type Operation = { method: 'get' | 'put'; path: string; queryNames: string[] };
const operations: Operation[] = [];

beforeAll(async () => {
  // The per-key rate limit would answer 429 long before the fuzzing ends.
  server = await startServer({ COSTSCOPE_API_RATE_LIMIT: '1000000' });
  const document = (await (await fetch(`${server.baseUrl}/api/docs`)).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
  };
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (method !== 'get' && !(method === 'put' && path.startsWith('/api/v1/settings/'))) continue;
      const queryNames = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
      operations.push({ method, path, queryNames });
    }
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Values a client could send: plain, unicode (any code point, lone surrogates included), huge, look-alikes of valid ones. */
const parameterValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.nat({ max: 20_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(
    '',
    '2026-01-01',
    '2026-02-30',
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '-1',
    '0',
    '1e309',
    'NaN',
    '2026-W53',
    '2026-W00',
    'feature,model,user,userTier,service,status,provider,endpoint',
    'hour',
    'Europe/Paris',
    'Mars/Olympus',
    '%00',
    "'; DROP TABLE llm_calls; --",
    '{projectId:String}',
    '__proto__',
  ),
);

function pathWith(template: string, values: string[]): string {
  let i = 0;
  return template.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++] ?? 'x'));
}

describe('every API parameter', () => {
  it('never answers 5xx to random, unicode, huge or repeated query and path parameters', async () => {
    expect(operations.length).toBeGreaterThan(5);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(
          fc.tuple(fc.oneof(fc.nat({ max: 20 }), fc.string({ maxLength: 12 })), parameterValue),
          { maxLength: 6 },
        ),
        fc.array(parameterValue, { minLength: 2, maxLength: 2 }),
        async (pick, pairs, pathValues) => {
          const operation = operations.filter((candidate) => candidate.method === 'get')[pick % operations.filter((o) => o.method === 'get').length];
          if (!operation) return;
          const search = new URLSearchParams();
          // A number picks one of the operation's own names (so they repeat); a string is any name.
          for (const [name, value] of pairs) {
            search.append(typeof name === 'number' ? (operation.queryNames[name % Math.max(1, operation.queryNames.length)] ?? 'from') : name, value);
          }
          const url = `${server.baseUrl}${pathWith(operation.path, pathValues)}?${search.toString()}`;
          const response = await fetch(url, { headers: server.auth });
          await response.arrayBuffer();
          expect(response.status, `${operation.path}?${search.toString().slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      fuzzParameters(400),
    );
  }, 120_000);

  it('never answers 5xx to random JSON bodies on the settings', async () => {
    const puts = operations.filter((operation) => operation.method === 'put');
    expect(puts.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.oneof(fc.jsonValue({ maxDepth: 5 }), fc.string({ unit: 'binary', maxLength: 200 })), async (pick, body) => {
        const operation = puts[pick % puts.length];
        if (!operation) return;
        const response = await fetch(`${server.baseUrl}${operation.path}`, {
          method: 'PUT',
          headers: { ...server.auth, 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        await response.arrayBuffer();
        expect(response.status, operation.path).toBeLessThan(500);
      }),
      fuzzParameters(),
    );
  }, 120_000);
});
