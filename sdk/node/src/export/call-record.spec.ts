import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Attributes, Context, Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OtlpReceiver, decodeTraces } from '../../test/support/otlp-receiver.js';
import type { ReceivedSpan } from '../../test/support/otlp-receiver.js';
import { CostscopeSpanProcessor } from '../costscope-span-processor.js';
import { resolveSettings } from '../settings.js';
import { CallRecordTracerProvider } from './call-record.js';

const RESOURCE = { 'service.name': 'support-bot', 'telemetry.sdk.language': 'nodejs', 'process.pid': 4242 };
const APP_PARENT = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };

let receiver: OtlpReceiver;
let endpoint: string;

beforeAll(async () => {
  receiver = new OtlpReceiver();
  endpoint = await receiver.start();
});
afterAll(() => receiver.stop());
beforeEach(() => receiver.clear());

/** Costscope's own provider: its spans are call records. */
function recordProvider(url = endpoint) {
  const processor = new CostscopeSpanProcessor(resolveSettings({ endpoint: url }, {}));
  processor.useRecordResource(RESOURCE);
  const provider = new CallRecordTracerProvider(processor);
  return { processor, tracer: provider.getTracer('@costscope/sdk/openai', '1.2.3') };
}

/** An app's OpenTelemetry provider with Costscope's processor: real spans, OpenTelemetry's exporter. */
function openTelemetryProvider() {
  const processor = new CostscopeSpanProcessor(resolveSettings({ endpoint }, {}));
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(RESOURCE), spanProcessors: [processor] });
  return { processor, tracer: provider.getTracer('@costscope/sdk/openai', '1.2.3') };
}

/** The spans of a failed attempt then a successful one, as the instrumentation makes them. */
function makeCall(tracer: Tracer, parent: Context) {
  const request: Attributes = {
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.request.max_tokens': 100,
    'gen_ai.request.stream': true,
    'costscope.request.hash': '9f86d081884c7d65',
    'costscope.prompt.content': 'é€😀 '.repeat(5000),
  };
  const failed = tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: request }, parent);
  failed.setAttribute('costscope.attempt', 1);
  failed.setAttribute('http.response.status_code', 429);
  failed.setAttribute('error.type', '429');
  failed.setStatus({ code: SpanStatusCode.ERROR, message: '429' });
  failed.end();
  const succeeded = tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: request }, parent);
  succeeded.setAttribute('costscope.attempt', 2);
  succeeded.setAttributes({
    'gen_ai.response.finish_reasons': ['stop', 'length'],
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.cache_read.input_tokens': 0,
    'costscope.time_to_first_token_ms': 412.125,
    'costscope.guard.shedding_waits': -3,
    // Set again: the later value is the one sent, once.
    'gen_ai.request.max_tokens': 256,
  });
  succeeded.end();
  succeeded.setAttribute('after.end', 'ignored');
}

/** What must match between the two paths: everything but the span's own id and its times. */
const comparable = ({ spanId: _spanId, startNanos: _start, endNanos: _end, ...span }: ReceivedSpan) => span;

describe('call records', () => {
  it('export what OpenTelemetry exports for the same spans, under the app span they ran in', async () => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, APP_PARENT);
    const records = recordProvider();
    makeCall(records.tracer, parent);
    await records.processor.forceFlush();
    const fromRecords = receiver.spans.splice(0);
    const spans = openTelemetryProvider();
    makeCall(spans.tracer, parent);
    await spans.processor.forceFlush();
    const fromOpenTelemetry = receiver.spans.splice(0);

    expect(fromRecords).toHaveLength(2);
    expect(fromRecords.map(comparable)).toEqual(fromOpenTelemetry.map(comparable));
    expect(fromRecords[1]?.attributes['gen_ai.request.max_tokens']).toBe(256);
    expect(fromRecords[1]?.attributes['after.end']).toBeUndefined();
    expect(fromRecords.map((span) => span.parentSpanId)).toEqual([APP_PARENT.spanId, APP_PARENT.spanId]);
    expect(fromRecords.map((span) => span.traceId)).toEqual([APP_PARENT.traceId, APP_PARENT.traceId]);
    const [first, second] = fromRecords as [ReceivedSpan, ReceivedSpan];
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(first.spanId).not.toBe(second.spanId);
    // Unix nanoseconds of now: the first attempt ends before the second starts.
    const now = BigInt(Date.now()) * 1_000_000n;
    expect(now - first.startNanos).toBeLessThan(60_000_000_000n);
    expect(first.startNanos <= first.endNanos && first.endNanos <= second.startNanos && second.startNanos <= second.endNanos).toBe(true);
  });

  it('give each call without an app span a trace of its own, and none to an app span not sampled', async () => {
    const { processor, tracer } = recordProvider();
    tracer.startSpan('chat a', { kind: SpanKind.CLIENT }, ROOT_CONTEXT).end();
    tracer.startSpan('chat b', { kind: SpanKind.CLIENT }).end();
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, { ...APP_PARENT, traceFlags: TraceFlags.NONE });
    const dropped = tracer.startSpan('chat unsampled', { kind: SpanKind.CLIENT }, unsampled);
    expect(dropped.isRecording()).toBe(false);
    dropped.end();
    await processor.forceFlush();
    expect(receiver.spans.map((span) => [span.name, span.parentSpanId, span.kind, span.scope])).toEqual([
      ['chat a', '', 3, '@costscope/sdk/openai'],
      ['chat b', '', 3, '@costscope/sdk/openai'],
    ]);
    expect(new Set(receiver.spans.map((span) => span.traceId)).size).toBe(2);
    expect(receiver.spans[0]?.resource).toEqual(RESOURCE);
  });

  it('carry the ids spanContext() gave out, asked before or after the end, and each scope its own spans', async () => {
    const processor = new CostscopeSpanProcessor(resolveSettings({ endpoint }, {}));
    processor.useRecordResource(RESOURCE);
    const provider = new CallRecordTracerProvider(processor);
    const openai = provider.getTracer('@costscope/sdk/openai', '1.2.3');
    const anthropic = provider.getTracer('@costscope/sdk/anthropic', '1.2.3');
    const askedBefore = openai.startSpan('chat before');
    const before = askedBefore.spanContext();
    askedBefore.end();
    const askedAfter = anthropic.startSpan('messages after');
    askedAfter.end();
    const after = askedAfter.spanContext();
    openai.startSpan('chat never asked').end();
    await processor.forceFlush();
    expect(receiver.exports).toHaveLength(1);
    expect(receiver.spans.map((span) => [span.scope, span.name])).toEqual([
      ['@costscope/sdk/openai', 'chat before'],
      ['@costscope/sdk/openai', 'chat never asked'],
      ['@costscope/sdk/anthropic', 'messages after'],
    ]);
    const exported = (name: string) => receiver.spans.find((span) => span.name === name);
    expect([exported('chat before')?.traceId, exported('chat before')?.spanId]).toEqual([before.traceId, before.spanId]);
    expect([exported('messages after')?.traceId, exported('messages after')?.spanId]).toEqual([after.traceId, after.spanId]);
    expect(new Set(receiver.spans.map((span) => span.spanId)).size).toBe(3);
  });

  it('leave in batches of 512 and arrive once each', async () => {
    const { processor, tracer } = recordProvider();
    for (let i = 0; i < 1100; i += 1) tracer.startSpan(`chat ${i}`, { attributes: { 'costscope.attempt': 1 } }).end();
    await processor.forceFlush();
    expect(receiver.exports).toHaveLength(3);
    expect(receiver.spans.map((span) => span.name)).toEqual(Array.from({ length: 1100 }, (_, i) => `chat ${i}`));
  });

  it('are sent again when the server answers 503, and arrive once', async () => {
    const answers: number[] = [];
    const received: ReceivedSpan[] = [];
    const flaky = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const status = answers.length === 0 ? 503 : 200;
        answers.push(status);
        if (status === 200) received.push(...decodeTraces(Buffer.concat(chunks)));
        response.writeHead(status, { 'retry-after': '0' }).end();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const { processor, tracer } = recordProvider(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}`);
      tracer.startSpan('chat gpt-4o-mini').end();
      await processor.forceFlush();
      expect(answers).toEqual([503, 200]);
      expect(received.map((span) => span.name)).toEqual(['chat gpt-4o-mini']);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });
});
