import { semconv } from '@costscope/core';
import type { CallReading, TokenCounts, TokenSources } from './call-reading.js';
import type { SpanAttributeReader } from './span-attribute-reader.js';
import { tagsFromMap } from './tags-from-map.js';

/**
 * Whether an `ai.operationId` names a provider call. Only the inner `ai.<fn>.doGenerate`,
 * `.doStream` and `.doEmbed` spans carry one call's usage; the outer `ai.generateText` /
 * `ai.streamText` span carries the *sum* of its steps, so counting it too would double the cost.
 */
export function isVercelAiProviderCall(operationId: string): boolean {
  return /\.do(?:Generate|Stream|Embed)$/.test(operationId);
}

/**
 * Reads a Vercel AI SDK provider-call span. The SDK's usage shape changed across majors, and
 * with it what `inputTokens` means (checked in vercel/ai):
 * - AI SDK 6 (`packages/ai/core/generate-text/generate-text.ts`) writes
 *   `ai.usage.inputTokens = usage.inputTokens.total`, and `convertAnthropicMessagesUsage` makes
 *   that total `input_tokens + cache_creation + cache_read` — inclusive — with the parts in
 *   `ai.usage.inputTokenDetails.{noCacheTokens,cacheReadTokens,cacheWriteTokens}`.
 * - AI SDK 5 (`anthropic-messages-language-model.ts`, LanguageModelV2):
 *   `inputTokens: response.usage.input_tokens` (Anthropic's count, *excluding* cache),
 *   `cachedInputTokens: cache_read_input_tokens`, and the cache writes only in
 *   `providerMetadata.anthropic.cacheCreationInputTokens`. OpenAI's `inputTokens` is its
 *   `prompt_tokens`, which includes cached tokens.
 * - AI SDK 4: `ai.usage.promptTokens|completionTokens` with the same per-provider meaning, cache
 *   counts only in `ai.response.providerMetadata` (`anthropic.cacheReadInputTokens`,
 *   `anthropic.cacheCreationInputTokens`, `openai.cachedPromptTokens`).
 * So for 4 and 5, Anthropic-family providers' counts are made inclusive here by adding the cache
 * counts; every other provider's are taken as inclusive already.
 */
export function readVercelAiCall(reader: SpanAttributeReader): CallReading {
  const operationId = reader.string(semconv.ATTR_VERCEL_AI_OPERATION_ID);
  const providerId = reader.string(semconv.ATTR_VERCEL_AI_MODEL_PROVIDER).toLowerCase();
  const embedding = operationId.endsWith('.doEmbed');
  const { tokens, tokenSources } = embedding ? embeddingTokens(reader) : generationTokens(reader, providerId);
  const metadata = reader.withPrefix(semconv.VERCEL_AI_TELEMETRY_METADATA_PREFIX);
  const ttft = reader.number(semconv.ATTR_VERCEL_AI_MS_TO_FIRST_CHUNK);

  return {
    dialect: 'vercel-ai',
    // `openai.chat`, `anthropic.messages`, `google.generative-ai`: the provider is the first part.
    provider: providerId.split('.')[0] ?? '',
    requestModel: reader.string(semconv.ATTR_VERCEL_AI_MODEL_ID),
    responseModel: reader.string(semconv.ATTR_VERCEL_AI_RESPONSE_MODEL),
    operation: embedding ? semconv.GEN_AI_OPERATION_EMBEDDINGS : semconv.GEN_AI_OPERATION_CHAT,
    tokens,
    tokenSources,
    tags: tagsFromMap(metadata),
    maxTokens: reader.integer(semconv.ATTR_VERCEL_AI_SETTINGS_MAX_OUTPUT_TOKENS, semconv.ATTR_VERCEL_AI_SETTINGS_MAX_TOKENS) ?? null,
    finishReason: reader.string(semconv.ATTR_VERCEL_AI_RESPONSE_FINISH_REASON),
    timeToFirstTokenMs: ttft === undefined ? null : Math.round(ttft),
  };
}

function embeddingTokens(reader: SpanAttributeReader): { tokens: TokenCounts; tokenSources: TokenSources } {
  return {
    tokens: { input: reader.integer(semconv.ATTR_VERCEL_AI_USAGE_TOKENS) ?? 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 },
    tokenSources: {
      input: semconv.ATTR_VERCEL_AI_USAGE_TOKENS,
      cacheRead: '(none)',
      cacheWrite: '(none)',
      output: '(none)',
      reasoning: '(none)',
    },
  };
}

function generationTokens(
  reader: SpanAttributeReader,
  providerId: string,
): { tokens: TokenCounts; tokenSources: TokenSources } {
  const inputKey = reader.firstPresent(semconv.ATTR_VERCEL_AI_USAGE_INPUT_TOKENS, semconv.ATTR_VERCEL_AI_USAGE_PROMPT_TOKENS);
  const outputKey = reader.firstPresent(
    semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_TOKENS,
    semconv.ATTR_VERCEL_AI_USAGE_COMPLETION_TOKENS,
  );
  const input = inputKey === undefined ? 0 : (reader.integer(inputKey) ?? 0);
  const output = outputKey === undefined ? 0 : (reader.integer(outputKey) ?? 0);
  const reasoningKey = reader.firstPresent(
    semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_REASONING_TOKENS,
    semconv.ATTR_VERCEL_AI_USAGE_REASONING_TOKENS,
  );
  const metadata = reader.jsonObject(semconv.ATTR_VERCEL_AI_PROVIDER_METADATA) ?? {};
  const anthropicMeta = objectAt(metadata, 'anthropic');
  const openAiMeta = objectAt(metadata, 'openai');
  const reasoning = reasoningKey === undefined ? (integerAt(openAiMeta, 'reasoningTokens') ?? 0) : (reader.integer(reasoningKey) ?? 0);

  const v6 =
    reader.has(semconv.ATTR_VERCEL_AI_USAGE_INPUT_NO_CACHE_TOKENS) ||
    reader.has(semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_READ_TOKENS) ||
    reader.has(semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_WRITE_TOKENS);
  if (v6) {
    return {
      tokens: {
        input,
        cacheRead: reader.integer(semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_READ_TOKENS) ?? 0,
        cacheWrite: reader.integer(semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_WRITE_TOKENS) ?? 0,
        output,
        reasoning,
      },
      tokenSources: {
        input: inputKey ?? semconv.ATTR_VERCEL_AI_USAGE_INPUT_TOKENS,
        cacheRead: semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_READ_TOKENS,
        cacheWrite: semconv.ATTR_VERCEL_AI_USAGE_INPUT_CACHE_WRITE_TOKENS,
        output: outputKey ?? semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_TOKENS,
        reasoning: reasoningKey ?? semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_REASONING_TOKENS,
      },
    };
  }

  const cacheRead =
    reader.integer(semconv.ATTR_VERCEL_AI_USAGE_CACHED_INPUT_TOKENS) ??
    integerAt(anthropicMeta, 'cacheReadInputTokens') ??
    integerAt(openAiMeta, 'cachedPromptTokens') ??
    0;
  const cacheWrite = integerAt(anthropicMeta, 'cacheCreationInputTokens') ?? 0;
  const cacheExclusive = providerId.split('.').includes('anthropic');
  const inputSource = inputKey ?? semconv.ATTR_VERCEL_AI_USAGE_INPUT_TOKENS;
  return {
    tokens: { input: cacheExclusive ? input + cacheRead + cacheWrite : input, cacheRead, cacheWrite, output, reasoning },
    tokenSources: {
      input: cacheExclusive ? `${inputSource} + cache reads + cache writes` : inputSource,
      cacheRead: reader.has(semconv.ATTR_VERCEL_AI_USAGE_CACHED_INPUT_TOKENS)
        ? semconv.ATTR_VERCEL_AI_USAGE_CACHED_INPUT_TOKENS
        : `${semconv.ATTR_VERCEL_AI_PROVIDER_METADATA} cache reads`,
      cacheWrite: `${semconv.ATTR_VERCEL_AI_PROVIDER_METADATA} anthropic.cacheCreationInputTokens`,
      output: outputKey ?? semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_TOKENS,
      reasoning: reasoningKey ?? semconv.ATTR_VERCEL_AI_USAGE_REASONING_TOKENS,
    },
  };
}

function objectAt(from: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = from[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function integerAt(from: Record<string, unknown>, key: string): number | undefined {
  const value = from[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}
