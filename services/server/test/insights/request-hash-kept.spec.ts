import { describe, expect, it } from 'vitest';
import { MAX_KEPT_ATTRIBUTES, normalizeSpan } from '../../src/ingest/normalize/normalize-span.js';
import type { OtlpAttributeValue, OtlpSpan } from '../../src/ingest/otlp/types.js';

const now = new Date('2026-11-29T12:00:00Z');

function span(attributes: Array<[string, OtlpAttributeValue]>): OtlpSpan {
  const start = BigInt(now.getTime() - 60_000) * 1_000_000n;
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'chat gpt-5-mini',
    kind: 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    attributes: new Map([
      ['gen_ai.provider.name', 'openai'],
      ['gen_ai.operation.name', 'chat'],
      ['gen_ai.request.model', 'gpt-5-mini'],
      ['gen_ai.usage.input_tokens', 100],
      ['gen_ai.usage.output_tokens', 10],
      ...attributes,
    ]),
    status: { code: 0, message: '' },
  } as OtlpSpan;
}

describe('the request hash at the ingest', () => {
  it('is kept with the call even when the span carries more attributes than are kept', () => {
    // The app's own attributes come first and would fill the cap on their own.
    const many = Array.from({ length: MAX_KEPT_ATTRIBUTES + 10 }, (_, i): [string, OtlpAttributeValue] => [`app.attribute.${i}`, 'x']);
    const outcome = normalizeSpan(span([...many, ['costscope.request.hash', '00000000000000f1']]), new Map(), { now, retentionDays: 90 });
    if (outcome.kind !== 'call') throw new Error(`expected a call, got ${JSON.stringify(outcome)}`);
    expect(outcome.call.attributes['costscope.request.hash']).toBe('00000000000000f1');
    expect(Object.keys(outcome.call.attributes)).toHaveLength(MAX_KEPT_ATTRIBUTES);
  });

  it('stores the prompt prefix hash and whether max_tokens was set in their columns', () => {
    const outcome = normalizeSpan(
      span([['costscope.prompt.prefix_hash', '00000000000000a1'], ['gen_ai.request.max_tokens', 200]]),
      new Map(),
      { now, retentionDays: 90 },
    );
    if (outcome.kind !== 'call') throw new Error(`expected a call, got ${JSON.stringify(outcome)}`);
    expect(outcome.call.promptPrefixHash).toBe('00000000000000a1');
    expect(outcome.call.maxTokens).toBe(200);
    const bare = normalizeSpan(span([]), new Map(), { now, retentionDays: 90 });
    expect(bare.kind === 'call' && bare.call.maxTokens).toBeNull();
  });
});
