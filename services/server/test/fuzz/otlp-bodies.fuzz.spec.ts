import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTRIBUTE_KEY_CHARS } from '../../src/ingest/otlp/attribute-limits.js';
import { otlpType } from '../../src/ingest/otlp/otlp-schema.js';
import { jsonToProtobuf } from '../limits/support/otlp-wire.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { fuzzParameters } from './fuzz-settings.js';

/**
 * Property-based fuzzing of `POST /v1/traces` on the real server (embedded ClickHouse): random
 * bytes, mutated protobuf encodings, random and mutated JSON never get a 5xx, never crash or hang
 * the server; and in a body mixing valid and invalid spans, every valid span is stored — exactly
 * the valid ones, whatever the mix and the encoding.
 */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

type Encoding = 'application/json' | 'application/x-protobuf';

async function post(body: Uint8Array | string, contentType: Encoding, gzip = false): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    body: gzip ? Buffer.from(await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer()) : body,
    headers: { ...server.auth, 'content-type': contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
  });
}

/** What the ingest may answer a client: never a 5xx (429/503 would be load, not the body). */
function expectClientAnswer(status: number): void {
  expect([200, 400, 413]).toContain(status);
}

let spanCounter = 0;
const nextSpanId = (): string => (++spanCounter).toString(16).padStart(16, '0');
const TRACE_ID = '0123456789abcdef0123456789abcdef';
const recent = (): Date => new Date(Date.now() - 3_600_000);

/** A valid LLM call span of `feature`: counts within every rule, a known or unknown model. */
const validCall = (feature: string) =>
  fc
    .record({
      model: fc.constantFrom('gpt-5', 'gpt-4o-mini', 'claude-sonnet-4-5', 'some-unknown-model'),
      input: fc.integer({ min: 0, max: 2_000_000 }),
      cachedShare: fc.double({ min: 0, max: 1, noNaN: true }),
      output: fc.integer({ min: 0, max: 100_000 }),
      endpoint: fc.string({ maxLength: 40 }),
      userId: fc.string({ unit: 'grapheme', maxLength: 20 }),
      failed: fc.boolean(),
    })
    .map(
      (call): JsonSpan => ({
        traceId: TRACE_ID,
        spanId: nextSpanId(),
        start: recent(),
        error: call.failed,
        attributes: {
          'gen_ai.request.model': call.model,
          'gen_ai.usage.input_tokens': call.input,
          'gen_ai.usage.cache_read.input_tokens': Math.floor(call.input * call.cachedShare),
          'gen_ai.usage.output_tokens': call.output,
          'costscope.feature': feature,
          'costscope.endpoint': call.endpoint,
          'user.id': call.userId,
        },
      }),
    );

/** A span that looks like an LLM call but breaks one rule: partial success refuses it. */
const invalidCall = (feature: string) =>
  fc.constantFrom('zero-span-id', 'too-old', 'negative-tokens', 'cached-above-input', 'long-key', 'text-tokens', 'bad-cost').map(
    (flaw): JsonSpan => {
      const attributes: JsonSpan['attributes'] = {
        'gen_ai.request.model': 'gpt-5',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.output_tokens': 10,
        'costscope.feature': feature,
      };
      const span: JsonSpan = { traceId: TRACE_ID, spanId: nextSpanId(), start: recent(), attributes };
      if (flaw === 'zero-span-id') span.spanId = '0'.repeat(16);
      if (flaw === 'too-old') span.start = new Date(Date.now() - 400 * 86_400_000);
      if (flaw === 'negative-tokens') attributes['gen_ai.usage.output_tokens'] = -5;
      if (flaw === 'cached-above-input') attributes['gen_ai.usage.cache_read.input_tokens'] = 101;
      if (flaw === 'long-key') attributes[`app.${'k'.repeat(MAX_ATTRIBUTE_KEY_CHARS)}`] = 'x';
      if (flaw === 'text-tokens') attributes['gen_ai.usage.input_tokens'] = 'a hundred';
      if (flaw === 'bad-cost') attributes['costscope.cost.usd'] = '-1';
      return span;
    },
  );

/** A span that is not an LLM call at all (an HTTP span): accepted, not stored, not refused. */
const otherSpan = fc.string({ maxLength: 30 }).map(
  (route): JsonSpan => ({ traceId: TRACE_ID, spanId: nextSpanId(), start: recent(), name: 'GET', attributes: { 'http.route': route } }),
);

async function storedRequests(feature: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/api/v1/costs?feature=${encodeURIComponent(feature)}&from=${new Date(Date.now() - 2 * 86_400_000).toISOString()}`, {
    headers: server.auth,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { totals: { requests: number } }).totals.requests;
}

/** A valid protobuf body to mutate: a few calls, as an exporter would send them. */
const validProtobuf = fc.array(validCall('fuzz-mutated'), { minLength: 1, maxLength: 4 }).map((spans) => jsonToProtobuf(otlpJsonBody(spans, { 'service.name': 'fuzz' })));

const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('varint' as const), at: fc.nat() }),
);

type ByteMutation = { kind: 'flip' | 'truncate' | 'insert' | 'varint'; at: number; value?: number; bytes?: Uint8Array };

function mutate(body: Buffer, mutations: readonly ByteMutation[]): Buffer {
  let bytes = Buffer.from(body);
  for (const mutation of mutations) {
    const at = bytes.length === 0 ? 0 : mutation.at % bytes.length;
    if (mutation.kind === 'flip') bytes[at] = mutation.value ?? 0;
    else if (mutation.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (mutation.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(mutation.bytes ?? []), bytes.subarray(at)]);
    // A length prefix blown up to the largest varint: the classic "length past the end".
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), bytes.subarray(at + 1)]);
  }
  return bytes;
}

describe('OTLP protobuf bodies', () => {
  it('never answers 5xx to random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, gzip) => {
        expectClientAnswer((await post(bytes, 'application/x-protobuf', gzip)).status);
      }),
      fuzzParameters(),
    );
  });

  it('never answers 5xx to valid encodings with bytes flipped, cut, inserted or a length blown up', async () => {
    await fc.assert(
      fc.asyncProperty(validProtobuf, fc.array(byteMutation, { minLength: 1, maxLength: 4 }), async (body, mutations) => {
        expectClientAnswer((await post(mutate(body, mutations), 'application/x-protobuf')).status);
      }),
      fuzzParameters(),
    );
  });
});

/** A valid body as a JSON value, with one node somewhere replaced by a random JSON value. */
const mutatedJson = fc
  .tuple(fc.array(validCall('fuzz-json'), { minLength: 1, maxLength: 3 }), fc.nat(), fc.jsonValue({ maxDepth: 4 }))
  .map(([spans, pick, replacement]) => {
    const root = JSON.parse(otlpJsonBody(spans, { 'service.name': 'fuzz' })) as unknown;
    const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
    const walk = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
      for (const [key, item] of entries) {
        nodes.push({ parent: value as Record<string, unknown>, key });
        walk(item);
      }
    };
    walk(root);
    const node = nodes[pick % nodes.length];
    if (node) (node.parent as Record<string | number, unknown>)[node.key] = replacement;
    return JSON.stringify(root);
  });

describe('OTLP JSON bodies', () => {
  it('never answers 5xx to random JSON values or random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 6 }), fc.string({ unit: 'binary', maxLength: 500 })), async (body) => {
        expectClientAnswer((await post(body, 'application/json')).status);
      }),
      fuzzParameters(),
    );
  });

  it('never answers 5xx to a valid body with any one node replaced by a random value', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedJson, async (body) => {
        expectClientAnswer((await post(body, 'application/json')).status);
      }),
      fuzzParameters(),
    );
  });
});

describe('a body mixing valid and invalid spans', () => {
  let run = 0;
  it('stores every valid span and refuses exactly the invalid ones, in either encoding', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom<Encoding>('application/json', 'application/x-protobuf'),
        fc.boolean(),
        fc.nat(),
        async (validCount, invalidCount, otherCount, encoding, gzip, order) => {
          const feature = `fuzz-mixed-${(run += 1)}`;
          const spans = [
            ...fc.sample(validCall(feature), { numRuns: validCount, seed: order }),
            ...fc.sample(invalidCall(feature), { numRuns: invalidCount, seed: order + 1 }),
            ...fc.sample(otherSpan, { numRuns: otherCount, seed: order + 2 }),
          ];
          // Shuffled, so valid spans are not always first.
          spans.sort((a, b) => ((a.spanId.charCodeAt(15) * (order + 1)) % 7) - ((b.spanId.charCodeAt(15) * (order + 1)) % 7));
          const json = otlpJsonBody(spans);
          const response = await post(encoding === 'application/json' ? json : jsonToProtobuf(json), encoding, gzip);
          expect(response.status).toBe(200);
          const bytes = Buffer.from(await response.arrayBuffer());
          const answer =
            encoding === 'application/json'
              ? (JSON.parse(bytes.toString('utf8')) as { partialSuccess?: { rejectedSpans?: number | string } })
              : (otlpType('ExportTraceServiceResponse').toObject(otlpType('ExportTraceServiceResponse').decode(bytes)) as {
                  partialSuccess?: { rejectedSpans?: number | string };
                });
          expect(Number(answer.partialSuccess?.rejectedSpans ?? 0)).toBe(invalidCount);
          expect(await storedRequests(feature)).toBe(validCount);
        },
      ),
      fuzzParameters(60),
    );
  }, 120_000);
});
