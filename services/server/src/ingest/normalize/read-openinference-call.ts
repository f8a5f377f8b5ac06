import { semconv } from '@costscope/core';
import type { CallReading } from './call-reading.js';
import type { SpanAttributeReader } from './span-attribute-reader.js';
import { tagsFromMap } from './tags-from-map.js';

/**
 * Reads an OpenInference `LLM` span (Arize Phoenix instrumentations).
 *
 * Token convention: the OpenInference semantic conventions define `llm.token_count.prompt` as the
 * whole prompt, with `llm.token_count.prompt_details.cache_read|cache_write` as parts of it —
 * the GenAI rule, read as is. Checked against Arize-ai/openinference
 * `js/packages/openinference-instrumentation-anthropic/src/instrumentation.ts`
 * (`getAnthropicUsageAttributes`): that instrumentation writes `llm.token_count.prompt =
 * usage.input_tokens` and no cache details, so, as with OpenLLMetry's JS Anthropic spans, its
 * cache tokens never reach any backend and the call is priced on the fresh input it reports.
 *
 * Tags come from the `metadata` JSON attribute (`using_metadata`) and `user.id`.
 */
export function readOpenInferenceCall(reader: SpanAttributeReader): CallReading {
  const count = (key: string): number => reader.integer(key) ?? 0;
  const invocation = reader.jsonObject(semconv.ATTR_OPENINFERENCE_INVOCATION_PARAMETERS) ?? {};
  const maxTokens = [invocation['max_tokens'], invocation['max_completion_tokens'], invocation['max_output_tokens']].find(isWholeNumber);
  const metadata = reader.jsonObject(semconv.ATTR_OPENINFERENCE_METADATA) ?? {};
  const modelName = reader.string(semconv.ATTR_OPENINFERENCE_MODEL_NAME);
  const invokedModel = typeof invocation['model'] === 'string' ? invocation['model'] : '';
  const userId = reader.string(semconv.ATTR_USER_ID);

  return {
    dialect: 'openinference',
    provider: reader.string(semconv.ATTR_OPENINFERENCE_PROVIDER, semconv.ATTR_OPENINFERENCE_SYSTEM).toLowerCase(),
    // `llm.model_name` is what the provider answered with (often a dated snapshot).
    requestModel: invokedModel || modelName,
    responseModel: modelName,
    operation: semconv.GEN_AI_OPERATION_CHAT,
    tokens: {
      input: count(semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT),
      cacheRead: count(semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ),
      cacheWrite: count(semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE),
      output: count(semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION),
      reasoning: count(semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING),
    },
    tokenSources: {
      input: semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT,
      cacheRead: semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ,
      cacheWrite: semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE,
      output: semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION,
      reasoning: semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING,
    },
    tags: { ...tagsFromMap(Object.entries(metadata)), ...(userId ? { userId } : {}) },
    maxTokens: maxTokens ?? null,
    finishReason: '',
    timeToFirstTokenMs: null,
  };
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}
