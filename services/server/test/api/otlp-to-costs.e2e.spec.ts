import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/storage/api-keys.js';
import { exportSpans, type SpanToExport } from '../ingest/support/export-spans.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * The whole path a user relies on: an app's real OTLP exporter → the running server (auth,
 * decode, normalize, price, durable write, embedded ClickHouse) → `/api/v1/costs`. Every expected
 * cost is worked out by hand from the catalog's prices.
 */
let server: RunningServer;
const recent = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000);

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

async function costsBy(groupBy: string, auth = server.auth): Promise<Record<string, Record<string, unknown>>> {
  const response = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=${groupBy}`, { headers: auth });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { rows: Array<Record<string, unknown>> };
  return Object.fromEntries(body.rows.map((row) => [String(row[groupBy]), row]));
}

function postTraces(body: Buffer | string, headers: Record<string, string>) {
  return fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', body, headers });
}

const gpt5Cached: SpanToExport = {
  name: 'chat gpt-5',
  attributes: {
    'gen_ai.provider.name': 'openai',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-5',
    'gen_ai.response.model': 'gpt-5-2025-08-07',
    'gen_ai.usage.input_tokens': 2000,
    'gen_ai.usage.cache_read.input_tokens': 1536,
    'gen_ai.usage.output_tokens': 500,
    'costscope.feature': 'search',
    'costscope.endpoint': '/search',
  },
  startTime: recent(120),
  durationMs: 800,
};

const sonnetCacheWrite: SpanToExport = {
  name: 'chat claude-sonnet-4-6',
  attributes: {
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'claude-sonnet-4-6',
    'gen_ai.usage.input_tokens': 3050,
    'gen_ai.usage.cache_read.input_tokens': 2000,
    'gen_ai.usage.cache_creation.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 200,
    'costscope.feature': 'support',
  },
  startTime: recent(110),
  durationMs: 1200,
};

const batchReview: SpanToExport = {
  name: 'chat gpt-5 (batch)',
  attributes: {
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-5',
    'gen_ai.usage.input_tokens': 200,
    'gen_ai.usage.output_tokens': 100,
    'costscope.batch': true,
    'costscope.feature': 'reviews',
  },
  startTime: recent(100),
  durationMs: 50,
};

const unknownModel: SpanToExport = {
  name: 'chat llama',
  attributes: {
    'gen_ai.provider.name': 'meta',
    'gen_ai.request.model': 'llama-9-ultra',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 10,
    'costscope.feature': 'experiments',
  },
  startTime: recent(90),
  durationMs: 50,
};

const httpSpan: SpanToExport = { name: 'GET /health', attributes: { 'http.request.method': 'GET' }, startTime: recent(80), durationMs: 5 };

describe('spans sent by the real OTLP exporters', () => {
  beforeAll(async () => {
    await exportSpans(`${server.baseUrl}/v1/traces`, [gpt5Cached, sonnetCacheWrite, httpSpan], {
      encoding: 'protobuf',
      gzip: true,
      serviceName: 'search-api',
      headers: server.auth,
    });
    await exportSpans(`${server.baseUrl}/v1/traces`, [batchReview, unknownModel], {
      encoding: 'json',
      gzip: false,
      serviceName: 'batch-jobs',
      headers: server.auth,
    });
  });

  it('cost exactly the catalog prices × tokens, part by part', async () => {
    const byFeature = await costsBy('feature');
    // GPT-5: 464 fresh × $1.25/M + 1,536 cached × $0.125/M + 500 × $10/M = $0.005772
    expect(byFeature.search).toMatchObject({ costUsd: '0.005772', requests: 1, inputTokens: 2000, cachedInputTokens: 1536, outputTokens: 500 });
    // Sonnet 4.6: 50 × $3 + 2,000 × $0.30 + 1,000 × $3.75 + 200 × $15, per million = $0.0075
    expect(byFeature.support).toMatchObject({ costUsd: '0.0075', requests: 1 });
    // Batch GPT-5: (200 × $1.25 + 100 × $10) / 1M × 50% = $0.000625
    expect(byFeature.reviews).toMatchObject({ costUsd: '0.000625', requests: 1 });
  });

  it('store an unknown model unpriced, not as a cost', async () => {
    const byFeature = await costsBy('feature');
    expect(byFeature.experiments).toMatchObject({ costUsd: '0.00', requests: 1, unpricedRequests: 1 });
    expect(byFeature.search).toMatchObject({ unpricedRequests: 0 });
    const prices = (await (await fetch(`${server.baseUrl}/api/v1/prices`, { headers: server.auth })).json()) as {
      prices: Array<{ model: string }>;
      unpricedModels: Array<{ model: string; requests: number }>;
    };
    expect(prices.prices.map((p) => p.model)).not.toContain('llama-9-ultra');
    // …and listed, so the team knows which price override to add.
    expect(prices.unpricedModels).toMatchObject([{ model: 'llama-9-ultra', requests: 1 }]);
  });

  it('group by service and model, and skip spans that are not LLM calls', async () => {
    expect(Object.keys(await costsBy('service')).sort()).toEqual(['batch-jobs', 'search-api']);
    const byModel = await costsBy('model');
    expect(byModel['gpt-5-2025-08-07']).toMatchObject({ costUsd: '0.005772' });
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^costscope_spans_skipped_total\{reason="[a-z_-]+"\} 1$/m);
    expect(metrics).toMatch(/^costscope_spans_accepted_total 4$/m);
  });
});

describe('a resent export (an OTLP retry)', () => {
  const body = otlpJsonBody(
    [
      {
        traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        spanId: 'bbbbbbbbbbbbbbbb',
        name: 'chat gpt-5-mini',
        start: recent(60),
        durationMs: 1000,
        attributes: {
          'gen_ai.request.model': 'gpt-5-mini',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 1_000_000,
          'costscope.feature': 'retried',
        },
      },
    ],
    { 'service.name': 'retry-demo' },
  );

  it('is counted once', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await postTraces(body, { ...server.auth, 'content-type': 'application/json' });
      expect(response.status).toBe(200);
    }
    // GPT-5 mini: 1M × $0.25 + 1M × $2.00
    expect((await costsBy('feature')).retried).toMatchObject({ costUsd: '2.25', requests: 1 });
  });
});

describe('bad input', () => {
  const validSpan = (spanId: string, feature: string, inputTokens: number): JsonSpan => ({
    traceId: 'cccccccccccccccccccccccccccccccc',
    spanId,
    name: 'chat gpt-5-nano',
    start: recent(30),
    attributes: {
      'gen_ai.request.model': 'gpt-5-nano',
      'gen_ai.usage.input_tokens': inputTokens,
      'gen_ai.usage.output_tokens': 1_000_000,
      'costscope.feature': feature,
    },
  });
  const request = (spans: JsonSpan[]) => otlpJsonBody(spans);

  it('refuses a request without a key, or with a wrong key, with 401 and stores nothing', async () => {
    const body = request([validSpan('1000000000000001', 'no-key', 1)]);
    expect((await postTraces(body, { 'content-type': 'application/json' })).status).toBe(401);
    const wrong = await postTraces(body, { 'content-type': 'application/json', Authorization: 'Bearer cs_not_a_real_key_at_all' });
    expect(wrong.status).toBe(401);
    expect((await costsBy('feature'))['no-key']).toBeUndefined();
  });

  it('files spans under the project of the key that sent them, invisible to other projects', async () => {
    const otherKey = 'cs_other_project_key_000000001';
    await createApiKey(server.transport, { projectId: 'other-project', key: otherKey, name: 'test', scope: 'admin' });
    const other = { Authorization: `Bearer ${otherKey}` };
    const response = await postTraces(request([validSpan('2000000000000002', 'other-feature', 1_000_000)]), {
      ...other,
      'content-type': 'application/json',
    });
    expect(response.status).toBe(200);
    expect((await costsBy('feature', other))['other-feature']).toMatchObject({ costUsd: '0.45', requests: 1 });
    expect((await costsBy('feature'))['other-feature']).toBeUndefined();
  });

  it('answers 415 to another content type and 400 to garbage or a truncated body', async () => {
    expect((await postTraces('hello', { ...server.auth, 'content-type': 'text/plain' })).status).toBe(415);
    const garbage = await postTraces(Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]), { ...server.auth, 'content-type': 'application/x-protobuf' });
    expect(garbage.status).toBe(400);
    const truncated = await postTraces(request([validSpan('3000000000000003', 'truncated', 1)]).slice(0, 40), {
      ...server.auth,
      'content-type': 'application/json',
    });
    expect(truncated.status).toBe(400);
    expect(await truncated.text()).toMatch(/JSON/i);
  });

  it('answers 413 to a gzip body that inflates past 20 MiB, without inflating it all', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const response = await postTraces(bomb, { ...server.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
  });

  it('stores the valid spans of a request and rejects the invalid ones through partial success', async () => {
    const body = request([
      validSpan('4000000000000004', 'mixed', 1_000_000),
      validSpan('4000000000000005', 'mixed', -5),
      validSpan('4000000000000006', 'mixed', 1_000_000),
    ]);
    const response = await postTraces(body, { ...server.auth, 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toMatch(/input/i);
    // Two GPT-5 nano calls of 1M input ($0.05) and 1M output ($0.40) each.
    expect((await costsBy('feature')).mixed).toMatchObject({ costUsd: '0.90', requests: 2 });
  });
});
