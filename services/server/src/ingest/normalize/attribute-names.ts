/**
 * Attribute names the ingest reads that `@costscope/core`'s `semconv.ts` does not (yet) hold.
 * They live here rather than in core because they are read only by the ingest; the sources are
 * cited where each dialect is read.
 */

// GenAI conventions and OpenLLMetry.
/** OpenLLMetry (`SpanAttributes.LLM_USAGE_REASONING_TOKENS`). */
export const ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';
/** OpenLLMetry writes the finish reason under the completion prefix: `gen_ai.completion.0.finish_reason`. */
export const ATTR_OPENLLMETRY_FIRST_FINISH_REASON = 'gen_ai.completion.0.finish_reason';
export const ATTR_OPENLLMETRY_SPAN_KIND = 'traceloop.span.kind';

// Costscope SDK names appended to core's semconv by the SDK work (kept here until that lands).
export const ATTR_COSTSCOPE_PROMPT_CONTENT = 'costscope.prompt.content';
export const ATTR_COSTSCOPE_COMPLETION_CONTENT = 'costscope.completion.content';

// OpenInference.
export const ATTR_OPENINFERENCE_INVOCATION_PARAMETERS = 'llm.invocation_parameters';
export const ATTR_OPENINFERENCE_SESSION_ID = 'session.id';

// Vercel AI SDK 6 (LanguageModelV3 usage, `packages/ai/core/generate-text/generate-text.ts`).
export const ATTR_VERCEL_AI_USAGE_INPUT_NO_CACHE_TOKENS = 'ai.usage.inputTokenDetails.noCacheTokens';
export const ATTR_VERCEL_AI_USAGE_INPUT_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const ATTR_VERCEL_AI_USAGE_INPUT_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const ATTR_VERCEL_AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens';
/** Embedding calls (`ai.embed.doEmbed`, `ai.embedMany.doEmbed`). */
export const ATTR_VERCEL_AI_USAGE_TOKENS = 'ai.usage.tokens';
export const ATTR_VERCEL_AI_PROVIDER_METADATA = 'ai.response.providerMetadata';
export const ATTR_VERCEL_AI_MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
/** `maxOutputTokens` (AI SDK 5+) and `maxTokens` (AI SDK 4). */
export const ATTR_VERCEL_AI_SETTINGS_MAX_OUTPUT_TOKENS = 'ai.settings.maxOutputTokens';
export const ATTR_VERCEL_AI_SETTINGS_MAX_TOKENS = 'ai.settings.maxTokens';

// Resource attributes worth keeping with each call.
export const KEPT_RESOURCE_ATTRIBUTES = [
  'service.version',
  'service.namespace',
  'deployment.environment',
  'deployment.environment.name',
] as const;
