import type { AttributeValue, ReceivedSpan } from './otlp-receiver.js';

/** Token attributes exactly as the GenAI conventions want them (input includes cache reads and writes). */
export function tokens(input: number, output: number, cacheRead = 0, cacheWrite = 0, reasoning = 0) {
  return {
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'gen_ai.usage.cache_read.input_tokens': cacheRead,
    'gen_ai.usage.cache_creation.input_tokens': cacheWrite,
    'gen_ai.usage.reasoning.output_tokens': reasoning,
  };
}

export function request(provider: 'openai' | 'anthropic', operation: string, model: string, feature: string) {
  return {
    'gen_ai.provider.name': provider,
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': model,
    'costscope.feature': feature,
  };
}

export function response(model: string, id: string, finishReasons?: string[]) {
  return {
    'gen_ai.response.model': `${model}-2026-01-15`,
    'gen_ai.response.id': id,
    ...(finishReasons === undefined ? {} : { 'gen_ai.response.finish_reasons': finishReasons }),
  };
}

/** The spans of one scenario (its `costscope.feature`), in the order they started. */
export function spansOf(spans: ReceivedSpan[], feature: string): ReceivedSpan[] {
  return spans
    .filter((span) => span.attributes['costscope.feature'] === feature)
    .sort((a, b) => (a.startNanos < b.startNanos ? -1 : a.startNanos > b.startNanos ? 1 : 0));
}

export function attributesOf(spans: ReceivedSpan[]): Record<string, AttributeValue>[] {
  return spans.map((span) => span.attributes);
}
