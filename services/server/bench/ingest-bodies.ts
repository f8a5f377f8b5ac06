/**
 * Synthetic OTLP export bodies for the ingest benchmark: protobuf or OTLP/JSON, gzip, 512 spans each, every
 * span unique (its own trace and span id), shaped like the SDK's spans: 200 features, 20 catalog
 * models and spellings, 100 000 users, cached input on a third of the calls.
 */
import { gzipSync } from 'node:zlib';
import { otlpType } from '../src/ingest/otlp/otlp-schema.js';
import { seededRandom } from './seeded-random.js';

export const SPANS_PER_REQUEST = 512;

export type BenchEncoding = 'protobuf' | 'json';

/** The `content-type` an exporter sends with a body of that encoding. */
export const CONTENT_TYPE: Record<BenchEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

const MODELS = [
  'gpt-5', 'gpt-5-2025-08-07', 'gpt-5-mini', 'gpt-5-mini-2025-08-07', 'gpt-5-nano', 'gpt-5.2', 'gpt-4.1-mini',
  'o3', 'o4-mini', 'openai/gpt-5', 'claude-sonnet-4-6', 'claude-sonnet-4-6-20260217', 'claude-opus-4-6',
  'anthropic/claude-sonnet-4-6', 'mistral-small-2506', 'deepseek-chat', 'deepseek-reasoner', 'GPT-5',
  'claude-opus-4-6-20260205', 'o4-mini-2025-04-16',
];


type KeyValue = { key: string; value: { stringValue?: string; intValue?: number | string; arrayValue?: { values: Array<{ stringValue: string }> } } };
const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: value } });

/**
 * The OTLP/JSON mapping of the same request, as OpenTelemetry's JSON exporters write it: ids in
 * hex, 64-bit integers (times, int attributes) as decimal strings.
 */
function otlpJson(request: { resourceSpans: Array<{ resource: unknown; scopeSpans: Array<{ scope: unknown; spans: Array<Record<string, unknown>> }> }> }): string {
  const hex = (bytes: unknown) => Buffer.from(bytes as Uint8Array).toString('hex');
  const attributes = (list: unknown) =>
    (list as KeyValue[]).map((kv) => (kv.value.intValue === undefined ? kv : { key: kv.key, value: { intValue: String(kv.value.intValue) } }));
  return JSON.stringify({
    resourceSpans: request.resourceSpans.map((resourceSpans) => ({
      resource: resourceSpans.resource,
      scopeSpans: resourceSpans.scopeSpans.map((scopeSpans) => ({
        scope: scopeSpans.scope,
        spans: scopeSpans.spans.map((span) => ({
          ...span,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          startTimeUnixNano: String(span.startTimeUnixNano),
          endTimeUnixNano: String(span.endTimeUnixNano),
          attributes: attributes(span.attributes),
        })),
      })),
    })),
  });
}

/**
 * `count` gzipped protobuf bodies; span start times spread over the last `spreadMs` (a minute by
 * default: live traffic). Encoded with the same OTLP schema the server decodes — which the ingest
 * tests prove against the real exporters' bytes — because building 512 SDK spans per body is
 * slower than the server under test.
 */
export function buildOtlpBodies(count: number, options: { seed?: number; spreadMs?: number; encoding?: BenchEncoding } = {}): Buffer[] {
  const next = seededRandom(options.seed ?? 42);
  const spreadMs = options.spreadMs ?? 60_000;
  const nowNs = Date.now() * 1e6;
  const id = (bytes: number) => Uint8Array.from({ length: bytes }, () => Math.floor(next() * 256));
  const type = otlpType('ExportTraceServiceRequest');
  const bodies: Buffer[] = [];
  for (let b = 0; b < count; b++) {
    const spans = Array.from({ length: SPANS_PER_REQUEST }, () => {
      const model = MODELS[Math.floor(next() * MODELS.length)]!;
      const input = 200 + Math.floor(next() * 4000);
      const startNs = nowNs - Math.floor(next() * spreadMs) * 1e6;
      return {
        traceId: id(16),
        spanId: id(8),
        name: `chat ${model}`,
        kind: 3,
        startTimeUnixNano: startNs,
        endTimeUnixNano: startNs + (200 + Math.floor(next() * 3000)) * 1e6,
        attributes: [
          str('gen_ai.provider.name', model.includes('claude') ? 'anthropic' : 'openai'),
          str('gen_ai.operation.name', 'chat'),
          str('gen_ai.request.model', model),
          str('gen_ai.response.model', model),
          int('gen_ai.usage.input_tokens', input),
          int('gen_ai.usage.cache_read.input_tokens', next() < 0.33 ? Math.floor(input / 2) : 0),
          int('gen_ai.usage.output_tokens', 50 + Math.floor(next() * 800)),
          int('gen_ai.request.max_tokens', 1024),
          { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
          str('costscope.feature', `feature-${Math.floor(next() * 200)}`),
          str('costscope.endpoint', `/api/endpoint-${Math.floor(next() * 40)}`),
          str('costscope.user.tier', ['free', 'pro', 'enterprise'][Math.floor(next() * 3)]!),
          str('user.id', `user-${Math.floor(next() * 100_000)}`),
          int('costscope.attempt', 1),
        ],
      };
    });
    const request = {
      resourceSpans: [{ resource: { attributes: [str('service.name', 'bench-app')] }, scopeSpans: [{ scope: { name: 'costscope-bench' }, spans }] }],
    };
    const raw = options.encoding === 'json' ? Buffer.from(otlpJson(request)) : type.encode(type.fromObject(request)).finish();
    bodies.push(gzipSync(raw, { level: 1 }));
  }
  return bodies;
}
