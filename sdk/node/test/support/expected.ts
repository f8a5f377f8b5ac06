import { expect } from 'vitest';
import type { AttributeValue, ReceivedSpan } from './otlp-receiver.js';

/**
 * OpenAI's token attributes: input includes the cached part; cache reads and reasoning are
 * exported because OpenAI reports them (even as 0); cache writes are not (OpenAI has none).
 */
export function openAITokens(input: number, output: number, cacheRead = 0, reasoning = 0) {
  return {
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'gen_ai.usage.cache_read.input_tokens': cacheRead,
    'gen_ai.usage.reasoning.output_tokens': reasoning,
  };
}

/** Anthropic's: input is the sum of uncached input, cache reads and cache writes (GenAI conventions). */
export function anthropicTokens(input: number, output: number, cacheRead = 0, cacheWrite = 0) {
  return {
    'gen_ai.usage.input_tokens': input,
    'gen_ai.usage.output_tokens': output,
    'gen_ai.usage.cache_read.input_tokens': cacheRead,
    'gen_ai.usage.cache_creation.input_tokens': cacheWrite,
  };
}

export function request(provider: 'openai' | 'anthropic', operation: string, model: string, feature: string) {
  return {
    'gen_ai.provider.name': provider,
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': model,
    'costscope.feature': feature,
    'costscope.request.hash': expect.stringMatching(/^[0-9a-f]{16}$/),
  };
}

export function response(model: string, finishReasons?: string[]) {
  return {
    'gen_ai.response.model': `${model}-2026-01-15`,
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
