import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseUsd, usdToDecimalString } from '@costscope/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpBody } from '../../src/ingest/otlp/decode-otlp-body.js';
import { readOtlpBody } from '../../src/ingest/otlp/read-otlp-body.js';
import { processTraceRequest } from '../../src/ingest/process-trace-request.js';
import { startCaptureReceiver, type CapturedRequest } from './support/capture-receiver.js';
import { exportSpans, type SpanToExport } from './support/export-spans.js';

type DialectFixture = {
  dialect: string;
  name: string;
  error?: boolean;
  attributes: SpanToExport['attributes'];
  expected: Record<string, unknown> & { totalCostUsd?: string; skipped?: string };
};

const fixtures = (
  JSON.parse(readFileSync(new URL('./fixtures/dialect-spans.json', import.meta.url), 'utf8')) as { spans: DialectFixture[] }
).spans;

const RUN_AT = new Date(Date.now() - 5 * 60_000);

async function captureExport(encoding: 'protobuf' | 'json', gzip: boolean) {
  const receiver = await startCaptureReceiver();
  try {
    const ids = await exportSpans(
      receiver.url,
      fixtures.map((fixture, i) => ({
        name: fixture.name,
        attributes: fixture.attributes,
        startTime: new Date(RUN_AT.getTime() + i * 1000),
        durationMs: 1500 + i,
        error: fixture.error ?? false,
      })),
      { encoding, gzip, serviceName: 'checkout-api' },
    );
    return { ids, requests: receiver.requests };
  } finally {
    await receiver.close();
  }
}

// SimpleSpanProcessor exports span by span, and concurrent requests may arrive in any order:
// everything below is put back in fixture order by start time (fixture i starts i seconds in).
const byStart = <T extends { startTimeUnixNano: bigint }>(a: T, b: T) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1);

async function decodeCaptured(request: CapturedRequest) {
  const body = await readOtlpBody(request.body, {
    contentType: request.headers['content-type'],
    contentEncoding: request.headers['content-encoding'],
  });
  return decodeOtlpBody(body);
}

describe.each([
  { encoding: 'protobuf' as const, gzip: false, exporter: '@opentelemetry/exporter-trace-otlp-proto' },
  { encoding: 'protobuf' as const, gzip: true, exporter: '@opentelemetry/exporter-trace-otlp-proto' },
  { encoding: 'json' as const, gzip: false, exporter: '@opentelemetry/exporter-trace-otlp-http' },
  { encoding: 'json' as const, gzip: true, exporter: '@opentelemetry/exporter-trace-otlp-http' },
])('the real $exporter exporter ($encoding, gzip: $gzip)', ({ encoding, gzip }) => {
  let captured: Awaited<ReturnType<typeof captureExport>>;

  beforeAll(async () => {
    captured = await captureExport(encoding, gzip);
  });

  it('sends bodies the decoder reads back span for span', async () => {
    expect(captured.requests.length).toBeGreaterThan(0);
    expect(captured.requests[0]?.headers['content-type']).toBe(encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json');
    expect(captured.requests[0]?.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);

    const decoded = await Promise.all(captured.requests.map(decodeCaptured));
    const spans = decoded.flatMap((request) =>
      request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ span, rs, ss })))),
    );
    spans.sort((a, b) => byStart(a.span, b.span));
    expect(spans.map(({ span }) => span.name)).toEqual(fixtures.map((f) => f.name));
    expect(spans.map(({ span }) => ({ traceId: span.traceId, spanId: span.spanId }))).toEqual(captured.ids);

    const first = spans[0];
    expect(first?.rs.resource.get('service.name')).toBe('checkout-api');
    expect(first?.ss.scope).toEqual({ name: 'costscope-ingest-test', version: '1.0.0' });
    // Every AnyValue kind the SDK writes comes back typed: strings, ints, arrays.
    expect(first?.span.attributes.get('gen_ai.usage.input_tokens')).toBe(12000);
    expect(first?.span.attributes.get('gen_ai.response.finish_reasons')).toEqual(['stop']);
    expect(first?.span.startTimeUnixNano).toBe(BigInt(RUN_AT.getTime()) * 1_000_000n);
    expect(first?.span.endTimeUnixNano).toBe(BigInt(RUN_AT.getTime() + 1500) * 1_000_000n);
    const batch = spans[2]?.span.attributes.get('costscope.batch');
    expect(batch).toBe(true);
    const ttft = spans[8]?.span.attributes.get('ai.response.msToFirstChunk');
    expect(ttft).toBe(312.5);
    const failed = spans.find(({ span }) => span.attributes.get('error.type') === 'RateLimitError');
    expect(failed?.span.status.code).toBe(2);
  });

  it('prices each dialect exactly as computed by hand from the catalog', async () => {
    const decoded = await Promise.all(captured.requests.map(decodeCaptured));
    const records = decoded
      .flatMap((request) => processTraceRequest(request, { projectId: 'p-1', now: new Date(), retentionDays: 30 }).records)
      .sort((a, b) => a.time.getTime() - b.time.getTime());
    const calls = fixtures.filter((fixture) => fixture.expected.skipped === undefined);
    expect(records).toHaveLength(calls.length);
    calls.forEach((fixture, i) => {
      const record = records[i];
      const { totalCostUsd, $math: _math, ...fields } = fixture.expected;
      expect({ dialect: fixture.dialect, ...pick(record as unknown as Record<string, unknown>, Object.keys(fields)) }).toEqual({
        dialect: fixture.dialect,
        ...fields,
      });
      expect(record?.projectId).toBe('p-1');
      expect(record?.service).toBe('checkout-api');
      if (totalCostUsd !== undefined) {
        expect(usdToDecimalString(record?.totalCostUsd ?? -1n), fixture.dialect).toBe(usdToDecimalString(parseUsd(totalCostUsd)));
      }
    });
  });

  it('never stores prompt or completion text', async () => {
    const decoded = await Promise.all(captured.requests.map(decodeCaptured));
    const records = decoded
      .flatMap((request) => processTraceRequest(request, { projectId: 'p-1', now: new Date(), retentionDays: 30 }).records)
      .sort((a, b) => a.time.getTime() - b.time.getTime());
    const stored = JSON.stringify(records, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(stored).not.toMatch(/secret/);
    // What is not content and has no column stays, e.g. the workflow name and the function id.
    expect(records[4]?.attributes['traceloop.workflow.name']).toBe('daily-digest');
    expect(records[6]?.attributes['ai.telemetry.functionId']).toBe('draft-reply');
    expect(records[0]?.attributes['deployment.environment.name']).toBe('test');
  });

  it('counts the skipped spans by reason', async () => {
    const decoded = await Promise.all(captured.requests.map(decodeCaptured));
    const skipped: Record<string, number> = {};
    for (const request of decoded) {
      const result = processTraceRequest(request, { projectId: 'p-1', now: new Date(), retentionDays: 30 });
      for (const [reason, count] of Object.entries(result.skipped)) skipped[reason] = (skipped[reason] ?? 0) + count;
      expect(result.partialSuccess).toEqual({ rejectedSpans: 0, errorMessage: '' });
      expect(result.unpricedModels).toEqual(result.records.some((r) => r.costStatus === 'unpriced') ? ['acme-llm-1'] : []);
    }
    expect(skipped).toEqual({ vercel_ai_outer_span: 1, not_llm_call: 1 });
  });

  if (gzip) {
    it('was really compressed on the wire', () => {
      const body = captured.requests[0]?.body ?? Buffer.alloc(0);
      expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(gunzipSync(body).length).toBeGreaterThan(body.length);
    });
  }
});

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, from[key]]));
}
