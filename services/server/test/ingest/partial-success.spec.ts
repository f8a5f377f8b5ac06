import { usdToDecimalString } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../src/ingest/otlp/decode-otlp-json.js';
import { MAX_TOKENS_PER_CALL } from '../../src/ingest/normalize/normalize-span.js';
import { processTraceRequest } from '../../src/ingest/process-trace-request.js';

const NOW = new Date('2026-11-28T10:00:00Z');
const nanos = (date: Date) => (BigInt(date.getTime()) * 1_000_000n).toString();
let nextSpan = 1;

type Attr = [string, string | number];

function span(attributes: Attr[], options: { start?: Date; traceId?: string; spanId?: string } = {}) {
  const start = options.start ?? new Date(NOW.getTime() - 60_000);
  const id = (nextSpan++).toString(16).padStart(16, '0');
  return {
    traceId: options.traceId ?? '0af7651916cd43dd8448eb211c80319c',
    spanId: options.spanId ?? id,
    name: 'chat',
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(new Date(start.getTime() + 800)),
    attributes: attributes.map(([key, value]) => ({
      key,
      value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) },
    })),
  };
}

const gpt5 = (input: number, output: number, extra: Attr[] = []): Attr[] => [
  ['gen_ai.provider.name', 'openai'],
  ['gen_ai.request.model', 'gpt-5'],
  ['gen_ai.usage.input_tokens', input],
  ['gen_ai.usage.output_tokens', output],
  ...extra,
];

function requestOf(spans: unknown[]) {
  return decodeOtlpJson(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeSpans: [{ spans }],
        },
      ],
    }),
  );
}

describe('invalid spans mixed with valid ones', () => {
  const valid = [span(gpt5(1000, 100)), span(gpt5(2000, 200)), span(gpt5(3000, 300))];
  const invalid = [
    span(gpt5(-5, 10)),
    span(gpt5(4_294_967_295, 10)),
    span(gpt5(1000, 10, [['gen_ai.usage.cache_read.input_tokens', 1500]])),
    span(gpt5(1000, 10), { start: new Date(NOW.getTime() - 31 * 86_400_000) }),
    span(gpt5(1000, 10), { start: new Date(NOW.getTime() + 2 * 3_600_000) }),
    span(gpt5(1000, 10), { traceId: '' }),
    span(gpt5(1000, 10), { spanId: '0000000000000000' }),
  ];
  const result = processTraceRequest(requestOf([valid[0], ...invalid.slice(0, 4), valid[1], ...invalid.slice(4), valid[2]]), {
    projectId: 'p-1',
    now: NOW,
    retentionDays: 30,
  });

  it('stores every valid span and only those', () => {
    expect(result.records.map((r) => r.inputTokens)).toEqual([1000, 2000, 3000]);
    // 1000 × $1.25/M + 100 × $10/M = $0.00225, and so on: pricing is unaffected by the bad neighbours.
    expect(result.records.map((r) => usdToDecimalString(r.totalCostUsd))).toEqual([
      '0.002250000000000000',
      '0.004500000000000000',
      '0.006750000000000000',
    ]);
  });

  it('reports each refused span through partial success with its reason', () => {
    expect(result.partialSuccess.rejectedSpans).toBe(7);
    const message = result.partialSuccess.errorMessage;
    expect(message).toMatch(/^7 spans rejected — /);
    expect(message).toMatch(/gen_ai\.usage\.input_tokens is -5; token counts cannot be negative/);
    expect(message).toMatch(new RegExp(`gen_ai\\.usage\\.input_tokens is 4294967295, above the ${MAX_TOKENS_PER_CALL} tokens`));
    expect(message).toMatch(/cached input \(gen_ai\.usage\.cache_read\.input_tokens 1500 .*\) exceeds input/);
    expect(message).toMatch(/older than the 30-day retention window/);
    // Only the first five reasons are spelled out; the count covers all of them.
    expect(message).toMatch(/; and 2 more$/);
    expect(result.rejected).toEqual({ invalid_tokens: 3, time_outside_window: 2, missing_ids: 2 });
  });

  it('names future and id problems when they come first', () => {
    const only = processTraceRequest(requestOf(invalid.slice(4)), { projectId: 'p-1', now: NOW, retentionDays: 30 });
    expect(only.records).toEqual([]);
    expect(only.partialSuccess.errorMessage).toMatch(/more than 1 hour in the future/);
    expect(only.partialSuccess.errorMessage).toMatch(/trace id "" is not 16 non-zero bytes/);
    expect(only.partialSuccess.errorMessage).toMatch(/span id "0000000000000000" is not 8 non-zero bytes/);
  });

  it('accepts a span 59 minutes in the future and one 29 days old', () => {
    const edge = processTraceRequest(
      requestOf([
        span(gpt5(10, 1), { start: new Date(NOW.getTime() + 59 * 60_000) }),
        span(gpt5(10, 1), { start: new Date(NOW.getTime() - 29 * 86_400_000) }),
      ]),
      { projectId: 'p-1', now: NOW, retentionDays: 30 },
    );
    expect(edge.partialSuccess.rejectedSpans).toBe(0);
    expect(edge.records.map((r) => r.time.toISOString())).toEqual(['2026-11-28T10:59:00.000Z', '2026-10-30T10:00:00.000Z']);
  });

  it('refuses counts that are not whole numbers, naming the attribute', () => {
    const bad = processTraceRequest(requestOf([span([...gpt5(10, 1), ['gen_ai.usage.output_tokens', 'lots']])]), {
      projectId: 'p-1',
      now: NOW,
      retentionDays: 30,
    });
    // The later duplicate key wins (last value), and it is not a count.
    expect(bad.partialSuccess.errorMessage).toMatch(/gen_ai\.usage\.output_tokens must be a whole number, got "lots"/);
  });
});

describe('what a call is', () => {
  const run = (attributes: Attr[]) =>
    processTraceRequest(requestOf([span(attributes)]), { projectId: 'p-1', now: NOW, retentionDays: 30 });

  it('skips agent and tool spans that may carry summed usage', () => {
    expect(run([...gpt5(10, 1), ['gen_ai.operation.name', 'invoke_agent']]).skipped).toEqual({ agent_or_tool_span: 1 });
  });

  it('skips OpenInference spans that are not LLM calls', () => {
    expect(run([['openinference.span.kind', 'CHAIN'], ['llm.token_count.prompt', 10]]).skipped).toEqual({
      openinference_non_llm_span: 1,
    });
  });

  it('skips requests an SDK guard blocked before sending', () => {
    expect(run([...gpt5(10, 1), ['costscope.guard.blocked', 'max_input_tokens']]).skipped).toEqual({ guard_blocked: 1 });
  });

  it('refuses values its columns cannot hold, so a stored batch can always be inserted', () => {
    expect(run([...gpt5(10, 1), ['costscope.attempt', 70_000]]).partialSuccess.errorMessage).toMatch(
      /costscope\.attempt must be 1 to 65535, got 70000/,
    );
    expect(run([...gpt5(10, 1), ['gen_ai.request.max_tokens', 5_000_000_000]]).partialSuccess.errorMessage).toMatch(
      /max tokens must be 0 to 4294967295/,
    );
    expect(run([...gpt5(10, 1), ['costscope.time_to_first_token_ms', -4]]).records[0]?.timeToFirstTokenMs).toBeNull();
  });

  it('keeps a call with an unknown priority, with the column empty and the value in attributes', () => {
    const result = run([...gpt5(10, 1), ['costscope.priority', 'urgent']]);
    expect(result.records[0]?.priority).toBe('');
    expect(result.records[0]?.attributes['costscope.priority']).toBe('urgent');
  });

  it('stores a Vercel AI SDK embedding call with its token count', () => {
    const result = run([
      ['ai.operationId', 'ai.embedMany.doEmbed'],
      ['ai.model.id', 'text-embedding-3-small'],
      ['ai.model.provider', 'openai.embedding'],
      ['ai.usage.tokens', 420],
    ]);
    expect(result.records[0]).toMatchObject({ operation: 'embeddings', inputTokens: 420, outputTokens: 0, costStatus: 'unpriced' });
    expect(result.unpricedModels).toEqual(['text-embedding-3-small']);
  });
});
