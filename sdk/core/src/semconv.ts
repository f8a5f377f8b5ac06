/**
 * Span attribute names Costscope writes and reads, in one place.
 *
 * The GenAI semantic conventions are still "development" status upstream, so — like the
 * OpenTelemetry instrumentations do — we keep our own copies rather than depend on an unstable
 * export. `costscope.*` names are ours. The foreign dialects below are what real apps already
 * emit (older GenAI names, OpenLLMetry, OpenInference, Vercel AI SDK); the ingest reads them so a
 * team can point an existing instrumentation at Costscope without changing code.
 */

// --- GenAI semantic conventions (current) -------------------------------------------------------
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name' as const;
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name' as const;
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model' as const;
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model' as const;
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id' as const;
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens' as const;
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream' as const;
/** Includes cached reads and cache writes (the conventions' rule), whatever the provider reported. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens' as const;
/** Includes reasoning tokens: they bill as output. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens' as const;
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens' as const;
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens' as const;
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons' as const;
export const ATTR_ERROR_TYPE = 'error.type' as const;
export const ATTR_USER_ID = 'user.id' as const;
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code' as const;
export const ATTR_SERVICE_NAME = 'service.name' as const;

/** Values of `gen_ai.provider.name` for the providers the SDK instruments. */
export const GEN_AI_PROVIDER_OPENAI = 'openai' as const;
export const GEN_AI_PROVIDER_ANTHROPIC = 'anthropic' as const;

/** Values of `gen_ai.operation.name`. */
export const GEN_AI_OPERATION_CHAT = 'chat' as const;
export const GEN_AI_OPERATION_TEXT_COMPLETION = 'text_completion' as const;
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings' as const;
export const GEN_AI_OPERATION_GENERATE_CONTENT = 'generate_content' as const;

// --- Costscope's own tags -----------------------------------------------------------------------
export const ATTR_COSTSCOPE_FEATURE = 'costscope.feature' as const;
export const ATTR_COSTSCOPE_ENDPOINT = 'costscope.endpoint' as const;
export const ATTR_COSTSCOPE_USER_TIER = 'costscope.user.tier' as const;
/** `critical|important|optional`: the article's load-shedding tiers (strategy 6). */
export const ATTR_COSTSCOPE_PRIORITY = 'costscope.priority' as const;
/** `true` for Batch API work, priced with the provider's batch discount. */
export const ATTR_COSTSCOPE_BATCH = 'costscope.batch' as const;
/** 1 for the first try; 2, 3… for the client's or the app's retries, so retry cost can be counted. */
export const ATTR_COSTSCOPE_ATTEMPT = 'costscope.attempt' as const;
/** A hash of the stable prompt prefix (system prompt + tools), never the text. */
export const ATTR_COSTSCOPE_PROMPT_PREFIX_HASH = 'costscope.prompt.prefix_hash' as const;
/**
 * A hash of the whole request (model, messages, parameters), never the text: identical requests
 * share it, which is what a response cache would have answered.
 */
export const ATTR_COSTSCOPE_REQUEST_HASH = 'costscope.request.hash' as const;
/** Only when the caller knows the cost better than the catalog (a negotiated price, say). */
export const ATTR_COSTSCOPE_COST_USD = 'costscope.cost.usd' as const;
/** Set when an SDK guard stopped the call before it was sent (e.g. `max_input_tokens`). */
export const ATTR_COSTSCOPE_GUARD_BLOCKED = 'costscope.guard.blocked' as const;
/** Milliseconds from request start to the first streamed chunk. */
export const ATTR_COSTSCOPE_TIME_TO_FIRST_TOKEN_MS = 'costscope.time_to_first_token_ms' as const;

export const COSTSCOPE_PRIORITIES = ['critical', 'important', 'optional'] as const;
export type CostscopePriority = (typeof COSTSCOPE_PRIORITIES)[number];

// --- Older GenAI names (semantic conventions before 1.28) --------------------------------------
export const ATTR_LEGACY_GEN_AI_SYSTEM = 'gen_ai.system' as const;
export const ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens' as const;
export const ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens' as const;
/** Underscore spellings used before the dotted `cache_read.` names (OpenLLMetry emits these). */
export const ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens' as const;
export const ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens' as const;

// --- OpenLLMetry (Traceloop) ---------------------------------------------------------------------
export const ATTR_OPENLLMETRY_REQUEST_TYPE = 'llm.request.type' as const;
export const ATTR_OPENLLMETRY_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens' as const;
export const ATTR_OPENLLMETRY_IS_STREAMING = 'llm.is_streaming' as const;
/** Prefix of the association properties Traceloop's `withAssociationProperties` sets. */
export const OPENLLMETRY_ASSOCIATION_PROPERTIES_PREFIX = 'traceloop.association.properties.' as const;
export const ATTR_OPENLLMETRY_WORKFLOW_NAME = 'traceloop.workflow.name' as const;
export const ATTR_OPENLLMETRY_ENTITY_NAME = 'traceloop.entity.name' as const;

// --- OpenInference (Arize Phoenix) ---------------------------------------------------------------
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind' as const;
export const ATTR_OPENINFERENCE_MODEL_NAME = 'llm.model_name' as const;
export const ATTR_OPENINFERENCE_PROVIDER = 'llm.provider' as const;
export const ATTR_OPENINFERENCE_SYSTEM = 'llm.system' as const;
/** OpenInference's prompt count includes cache reads and writes, like the GenAI conventions. */
export const ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt' as const;
export const ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion' as const;
export const ATTR_OPENINFERENCE_TOKEN_COUNT_TOTAL = 'llm.token_count.total' as const;
export const ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ = 'llm.token_count.prompt_details.cache_read' as const;
export const ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write' as const;
export const ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING = 'llm.token_count.completion_details.reasoning' as const;
export const ATTR_OPENINFERENCE_METADATA = 'metadata' as const;
export const OPENINFERENCE_SPAN_KIND_LLM = 'LLM' as const;

// --- Vercel AI SDK -------------------------------------------------------------------------------
export const ATTR_VERCEL_AI_OPERATION_ID = 'ai.operationId' as const;
export const ATTR_VERCEL_AI_MODEL_ID = 'ai.model.id' as const;
export const ATTR_VERCEL_AI_MODEL_PROVIDER = 'ai.model.provider' as const;
export const ATTR_VERCEL_AI_RESPONSE_MODEL = 'ai.response.model' as const;
export const ATTR_VERCEL_AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason' as const;
/** AI SDK 4.x names. */
export const ATTR_VERCEL_AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens' as const;
export const ATTR_VERCEL_AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens' as const;
/** AI SDK 5.x names. */
export const ATTR_VERCEL_AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens' as const;
export const ATTR_VERCEL_AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens' as const;
export const ATTR_VERCEL_AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens' as const;
export const ATTR_VERCEL_AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens' as const;
/** Prefix of `experimental_telemetry.metadata` entries. */
export const VERCEL_AI_TELEMETRY_METADATA_PREFIX = 'ai.telemetry.metadata.' as const;

// --- Appended for @costscope/sdk ---------------------------------------------------------------
/** The SDK's estimate of a blocked request's input tokens (characters / 4), never billed. */
export const ATTR_COSTSCOPE_GUARD_ESTIMATED_INPUT_TOKENS = 'costscope.guard.estimated_input_tokens' as const;
/** The `maxInputTokens` limit that blocked the request. */
export const ATTR_COSTSCOPE_GUARD_MAX_INPUT_TOKENS = 'costscope.guard.max_input_tokens' as const;
/** Value of `costscope.guard.blocked` when `maxInputTokens` stopped the call. */
export const COSTSCOPE_GUARD_MAX_INPUT_TOKENS = 'max_input_tokens' as const;
/** `true` when the app stopped reading a stream before its end: usage may be missing or partial. */
export const ATTR_COSTSCOPE_STREAM_ABANDONED = 'costscope.stream.abandoned' as const;
/** `true` when the SDK applied `defaultMaxTokens` because the call set no output limit. */
export const ATTR_COSTSCOPE_GUARD_DEFAULT_MAX_TOKENS_APPLIED = 'costscope.guard.default_max_tokens_applied' as const;
/** Opt-in only (`captureContent`): the request's messages and the response's text, as JSON. */
export const ATTR_COSTSCOPE_PROMPT_CONTENT = 'costscope.prompt.content' as const;
export const ATTR_COSTSCOPE_COMPLETION_CONTENT = 'costscope.completion.content' as const;

// --- Further dialect names the ingest reads (sources cited where each dialect is read) ----------
/** OpenLLMetry (`SpanAttributes.LLM_USAGE_REASONING_TOKENS`). */
export const ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens' as const;
/** OpenLLMetry writes the finish reason under the completion prefix. */
export const ATTR_OPENLLMETRY_FIRST_FINISH_REASON = 'gen_ai.completion.0.finish_reason' as const;
export const ATTR_OPENLLMETRY_SPAN_KIND = 'traceloop.span.kind' as const;
export const ATTR_OPENINFERENCE_INVOCATION_PARAMETERS = 'llm.invocation_parameters' as const;
/** Vercel AI SDK 6 (LanguageModelV3 usage). */
export const ATTR_VERCEL_AI_USAGE_INPUT_NO_CACHE_TOKENS = 'ai.usage.inputTokenDetails.noCacheTokens' as const;
export const ATTR_VERCEL_AI_USAGE_INPUT_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens' as const;
export const ATTR_VERCEL_AI_USAGE_INPUT_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens' as const;
export const ATTR_VERCEL_AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens' as const;
/** Embedding calls (`ai.embed.doEmbed`, `ai.embedMany.doEmbed`). */
export const ATTR_VERCEL_AI_USAGE_TOKENS = 'ai.usage.tokens' as const;
export const ATTR_VERCEL_AI_PROVIDER_METADATA = 'ai.response.providerMetadata' as const;
export const ATTR_VERCEL_AI_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk' as const;
/** `maxOutputTokens` (AI SDK 5+) and `maxTokens` (AI SDK 4). */
export const ATTR_VERCEL_AI_SETTINGS_MAX_OUTPUT_TOKENS = 'ai.settings.maxOutputTokens' as const;
export const ATTR_VERCEL_AI_SETTINGS_MAX_TOKENS = 'ai.settings.maxTokens' as const;
