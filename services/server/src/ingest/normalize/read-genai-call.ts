import { semconv } from '@costscope/core';
import type { CallReading, CallTags, TokenCounts, TokenSources } from './call-reading.js';
import type { SpanAttributeReader } from './span-attribute-reader.js';
import { tagsFromMap } from './tags-from-map.js';

const USAGE_KEYS = [
  semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS,
];
const MODEL_KEYS = [semconv.ATTR_GEN_AI_REQUEST_MODEL, semconv.ATTR_GEN_AI_RESPONSE_MODEL];
const SYSTEM_KEYS = [
  semconv.ATTR_GEN_AI_OPERATION_NAME,
  semconv.ATTR_GEN_AI_PROVIDER_NAME,
  semconv.ATTR_LEGACY_GEN_AI_SYSTEM,
  semconv.ATTR_OPENLLMETRY_REQUEST_TYPE,
];

/** GenAI operations that are not one model call: agent and tool spans may carry summed usage. */
const NON_MODEL_OPERATIONS = new Set(['invoke_agent', 'create_agent', 'execute_tool', 'invoke_workflow']);

/** OpenLLMetry's `llm.request.type` → the GenAI operation name. */
const OPERATION_BY_REQUEST_TYPE: Record<string, string> = {
  chat: semconv.GEN_AI_OPERATION_CHAT,
  completion: semconv.GEN_AI_OPERATION_TEXT_COMPLETION,
  embedding: semconv.GEN_AI_OPERATION_EMBEDDINGS,
  rerank: 'rerank',
};

/** Whether the span is a model call in the GenAI dialects (ours, older names, OpenLLMetry). */
export function genAiCallKind(reader: SpanAttributeReader): 'call' | 'agent_or_tool_span' | 'none' {
  const looksLikeCall = hasAny(reader, USAGE_KEYS) || (hasAny(reader, MODEL_KEYS) && hasAny(reader, SYSTEM_KEYS));
  if (!looksLikeCall) return 'none';
  return NON_MODEL_OPERATIONS.has(reader.string(semconv.ATTR_GEN_AI_OPERATION_NAME)) ? 'agent_or_tool_span' : 'call';
}

function hasAny(reader: SpanAttributeReader, keys: readonly string[]): boolean {
  for (const key of keys) if (reader.has(key)) return true;
  return false;
}

/**
 * Reads a call in the GenAI conventions: our SDK's names first, then the older names
 * (`gen_ai.system`, `gen_ai.usage.prompt_tokens|completion_tokens`) that OpenLLMetry writes.
 *
 * Token conventions, checked against the instrumentations' source:
 * - Ours and the current conventions: `gen_ai.usage.input_tokens` includes cache reads and writes.
 * - OpenLLMetry, OpenAI spans: `prompt_tokens` is OpenAI's own, which includes cached tokens.
 * - OpenLLMetry (Python, traceloop/openllmetry
 *   `packages/opentelemetry-instrumentation-anthropic/.../__init__.py`, `_set_token_usage`):
 *   `gen_ai.usage.prompt_tokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens`,
 *   with the two cache counts under `gen_ai.usage.cache_read_input_tokens` and
 *   `gen_ai.usage.cache_creation_input_tokens` — inclusive, as we store it.
 * - OpenLLMetry JS (traceloop/openllmetry-js `packages/instrumentation-anthropic/src/instrumentation.ts`,
 *   `_endSpan`): `prompt_tokens = result.usage.input_tokens`, Anthropic's count *without* cache
 *   tokens, and no cache attributes at all. Those cache tokens are invisible to any backend; the
 *   call is priced on what the span says (fresh input only), which under-counts cached Anthropic
 *   calls from that instrumentation. Nothing on the span can recover them.
 * So in every case the input count read here is already inclusive of whatever cache counts the
 * span carries, and cache counts above it are refused as invalid.
 */
export function readGenAiCall(reader: SpanAttributeReader): CallReading {
  const inputKey = reader.firstPresent(semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS, semconv.ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS);
  const outputKey = reader.firstPresent(semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, semconv.ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS);
  const cacheReadKey = reader.firstPresent(
    semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    semconv.ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  );
  const cacheWriteKey = reader.firstPresent(
    semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    semconv.ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  );
  const reasoningKey = reader.firstPresent(
    semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    semconv.ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS,
  );
  const tokens: TokenCounts = {
    input: countAt(reader, inputKey),
    cacheRead: countAt(reader, cacheReadKey),
    cacheWrite: countAt(reader, cacheWriteKey),
    output: countAt(reader, outputKey),
    reasoning: countAt(reader, reasoningKey),
  };
  const tokenSources: TokenSources = {
    input: inputKey ?? semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    cacheRead: cacheReadKey ?? semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    cacheWrite: cacheWriteKey ?? semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
    output: outputKey ?? semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
    reasoning: reasoningKey ?? semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  };

  const associationProperties = reader.withPrefix(semconv.OPENLLMETRY_ASSOCIATION_PROPERTIES_PREFIX);
  const openLlmetry =
    associationProperties.size > 0 ||
    reader.has(semconv.ATTR_LEGACY_GEN_AI_SYSTEM) ||
    reader.has(semconv.ATTR_OPENLLMETRY_REQUEST_TYPE) ||
    reader.has(semconv.ATTR_OPENLLMETRY_SPAN_KIND);

  // Our own tags win; OpenLLMetry's association properties fill what ours left empty.
  const tags = associationProperties.size > 0 ? tagsFromMap(associationProperties) : {};
  setTag(tags, 'feature', reader.string(semconv.ATTR_COSTSCOPE_FEATURE));
  setTag(tags, 'endpoint', reader.string(semconv.ATTR_COSTSCOPE_ENDPOINT));
  setTag(tags, 'userId', reader.string(semconv.ATTR_USER_ID));
  setTag(tags, 'userTier', reader.string(semconv.ATTR_COSTSCOPE_USER_TIER));
  setTag(tags, 'priority', reader.string(semconv.ATTR_COSTSCOPE_PRIORITY));
  const maxTokens = reader.integer(semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS);

  return {
    dialect: openLlmetry ? 'openllmetry' : 'genai',
    provider: reader.string(semconv.ATTR_GEN_AI_PROVIDER_NAME, semconv.ATTR_LEGACY_GEN_AI_SYSTEM).toLowerCase(),
    requestModel: reader.string(semconv.ATTR_GEN_AI_REQUEST_MODEL),
    responseModel: reader.string(semconv.ATTR_GEN_AI_RESPONSE_MODEL),
    operation:
      reader.string(semconv.ATTR_GEN_AI_OPERATION_NAME) ||
      OPERATION_BY_REQUEST_TYPE[reader.string(semconv.ATTR_OPENLLMETRY_REQUEST_TYPE)] ||
      semconv.GEN_AI_OPERATION_CHAT,
    tokens,
    tokenSources,
    tags,
    maxTokens: maxTokens ?? null,
    finishReason: reader.firstOf(semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS, semconv.ATTR_OPENLLMETRY_FIRST_FINISH_REASON),
    timeToFirstTokenMs: null,
  };
}

/** A count, 0 when the span has none (a module function: a closure per span was measurable garbage). */
function countAt(reader: SpanAttributeReader, key: string | undefined): number {
  return key === undefined ? 0 : (reader.integer(key) ?? 0);
}

/** Sets a tag when the value is not empty (an empty one leaves the association property's). */
function setTag(tags: Partial<CallTags>, name: keyof CallTags, value: string): void {
  if (value !== '') tags[name] = value;
}
