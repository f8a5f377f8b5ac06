import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ANY_VALUE_DEPTH, MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_TEXT_CHARS, MAX_ATTRIBUTES_PER_SPAN } from '../../src/ingest/otlp/attribute-limits.js';
import { otlpType } from '../../src/ingest/otlp/otlp-schema.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { deepSpanProtobuf, jsonToProtobuf, nestedJsonValue } from './support/otlp-wire.js';

/**
 * The caps on what one span may carry (attribute key length, text per value, attributes per span,
 * AnyValue nesting), through the real server: nesting past the cap is a 400 with a reason in
 * both encodings — never a 500 or a stack overflow — and a span over the other caps is refused
 * through partial success while the good spans of the same export are stored.
 */
let server: RunningServer;
const STARTED = new Date(Date.now() - 60_000);

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await server?.close();
});

async function post(body: string | Buffer, contentType: 'application/json' | 'application/x-protobuf') {
  const response = await fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', body, headers: { ...server.auth, 'content-type': contentType } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const decoded =
    contentType === 'application/json'
      ? (JSON.parse(bytes.toString('utf8') || '{}') as Record<string, unknown>)
      : (otlpType(response.status === 200 ? 'ExportTraceServiceResponse' : 'Status').toObject(
          otlpType(response.status === 200 ? 'ExportTraceServiceResponse' : 'Status').decode(bytes),
        ) as Record<string, unknown>);
  return { status: response.status, body: decoded };
}

async function requestsOf(feature: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature&feature=${feature}`, { headers: server.auth });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { totals: { requests: number } };
  return body.totals.requests;
}

function call(spanId: string, feature: string, extra: JsonSpan['attributes'] = {}): JsonSpan {
  return {
    traceId: 'abcdefabcdefabcdefabcdefabcdef01',
    spanId,
    start: STARTED,
    attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, 'costscope.feature': feature, ...extra },
  };
}

function withDeepAttribute(depth: number): string {
  const body = JSON.parse(otlpJsonBody([call('1000000000000001', 'deep')])) as {
    resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ attributes: unknown[] }> }> }>;
  };
  body.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes.push({ key: 'deep', value: 'DEEP' });
  // As text: JSON.stringify itself would overflow the stack on the deepest values.
  return JSON.stringify(body).replace('"DEEP"', nestedJsonValue(depth));
}

describe('AnyValue nesting', () => {
  it(`accepts values nested ${MAX_ANY_VALUE_DEPTH} levels deep, in JSON and protobuf`, async () => {
    expect((await post(withDeepAttribute(MAX_ANY_VALUE_DEPTH), 'application/json')).status).toBe(200);
    expect((await post(deepSpanProtobuf(MAX_ANY_VALUE_DEPTH, STARTED), 'application/x-protobuf')).status).toBe(200);
  });

  it('answers 400 with the reason one level deeper, in JSON and protobuf', async () => {
    const json = await post(withDeepAttribute(MAX_ANY_VALUE_DEPTH + 1), 'application/json');
    expect(json.status).toBe(400);
    expect(String(json.body.message)).toMatch(new RegExp(`deeper than ${MAX_ANY_VALUE_DEPTH} levels`));
    const protobuf = await post(deepSpanProtobuf(MAX_ANY_VALUE_DEPTH + 1, STARTED), 'application/x-protobuf');
    expect(protobuf.status).toBe(400);
    expect(String(protobuf.body.message)).toMatch(new RegExp(`deeper than ${MAX_ANY_VALUE_DEPTH} levels`));
  });

  it('answers 400, not a stack overflow, to nesting a hundred thousand levels deep', async () => {
    const json = await post(withDeepAttribute(100_000), 'application/json');
    expect(json.status).toBe(400);
    const protobuf = await post(deepSpanProtobuf(10_000, STARTED), 'application/x-protobuf');
    expect(protobuf.status).toBe(400);
    expect(String(protobuf.body.message)).toMatch(/nested deeper than/);
    // The server is still there and still stores calls.
    expect((await post(otlpJsonBody([call('1000000000000009', 'after-deep')]), 'application/json')).status).toBe(200);
    expect(await requestsOf('after-deep')).toBe(1);
  });
});

describe('per-span caps, refused through partial success', () => {
  const attributesOver = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTES_PER_SPAN + 1 }, (_, i) => [`app.field_${i}`, i]));
  const mixed = (prefix: string): JsonSpan[] => [
    call(`${prefix}00000000000001`, `${prefix}-good`),
    call(`${prefix}00000000000002`, `${prefix}-long-key`, { ['app.' + 'k'.repeat(MAX_ATTRIBUTE_KEY_CHARS)]: 'x' }),
    call(`${prefix}00000000000003`, `${prefix}-long-text`, { 'app.note': 'n'.repeat(MAX_ATTRIBUTE_TEXT_CHARS + 1) }),
    call(`${prefix}00000000000004`, `${prefix}-many`, attributesOver),
    // Prompt text is dropped unread: a long prompt never costs the call its cost.
    call(`${prefix}00000000000005`, `${prefix}-long-prompt`, { 'gen_ai.prompt.0.content': 'p'.repeat(MAX_ATTRIBUTE_TEXT_CHARS * 2) }),
    call(`${prefix}00000000000006`, `${prefix}-long-array`, { 'app.tags': Array.from({ length: 3 }, () => 't'.repeat(MAX_ATTRIBUTE_TEXT_CHARS / 2)) }),
  ];

  for (const [encoding, prefix] of [
    ['application/json', 'a1'],
    ['application/x-protobuf', 'b2'],
  ] as const) {
    it(`stores the good spans of a mixed ${encoding} export and names why the others were refused`, async () => {
      const json = otlpJsonBody(mixed(prefix));
      const answer = await post(encoding === 'application/json' ? json : jsonToProtobuf(json), encoding);
      expect(answer.status).toBe(200);
      const partial = answer.body.partialSuccess as { rejectedSpans: number | string; errorMessage: string };
      expect(Number(partial.rejectedSpans)).toBe(4);
      expect(partial.errorMessage).toMatch(new RegExp(`is ${MAX_ATTRIBUTE_KEY_CHARS + 4} characters, above the ${MAX_ATTRIBUTE_KEY_CHARS} allowed`));
      expect(partial.errorMessage).toMatch(new RegExp(`app.note holds ${MAX_ATTRIBUTE_TEXT_CHARS + 1} characters of text`));
      expect(partial.errorMessage).toMatch(new RegExp(`has ${MAX_ATTRIBUTES_PER_SPAN + 5} attributes, above the ${MAX_ATTRIBUTES_PER_SPAN} allowed`));
      expect(partial.errorMessage).toMatch(/app.tags holds/);
      expect(await requestsOf(`${prefix}-good`)).toBe(1);
      expect(await requestsOf(`${prefix}-long-prompt`)).toBe(1);
      for (const refused of ['long-key', 'long-text', 'many', 'long-array']) expect(await requestsOf(`${prefix}-${refused}`)).toBe(0);
    });
  }

  it('refuses every span of a resource over the caps, naming the resource', async () => {
    const answer = await post(
      otlpJsonBody([call('c300000000000001', 'resource-over')], { ['service.' + 'r'.repeat(MAX_ATTRIBUTE_KEY_CHARS)]: 'x' }),
      'application/json',
    );
    expect(answer.status).toBe(200);
    expect((answer.body.partialSuccess as { errorMessage: string }).errorMessage).toMatch(/resource attribute key/);
    expect(await requestsOf('resource-over')).toBe(0);
  });
});
