import { CostscopeUsageError } from '../errors.js';

/**
 * One call's tokens in the GenAI conventions' shape, which every provider's usage is turned into
 * before pricing:
 * - `inputTokens` counts every input token, cache reads and cache writes included;
 * - `outputTokens` counts every output token, reasoning included (reasoning bills as output).
 */
export type TokenUsage = {
  inputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of `inputTokens`). */
  cacheReadInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (a subset of `inputTokens`). */
  cacheWriteInputTokens?: number;
  outputTokens: number;
  /** Reasoning tokens (a subset of `outputTokens`), kept for display. */
  reasoningTokens?: number;
};

/** OpenAI Chat Completions `usage`: `prompt_tokens` already includes `cached_tokens`. */
export type OpenAIChatUsage = {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
};

/** OpenAI Responses API `usage`. */
export type OpenAIResponsesUsage = {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
};

/** Anthropic Messages `usage`: `input_tokens` excludes cache reads and cache writes. */
export type AnthropicUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
};

export function usageFromOpenAIChat(usage: OpenAIChatUsage): TokenUsage {
  return checkedUsage({
    inputTokens: usage.prompt_tokens,
    cacheReadInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteInputTokens: 0,
    outputTokens: usage.completion_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  });
}

export function usageFromOpenAIResponses(usage: OpenAIResponsesUsage): TokenUsage {
  return checkedUsage({
    inputTokens: usage.input_tokens,
    cacheReadInputTokens: usage.input_tokens_details?.cached_tokens ?? 0,
    cacheWriteInputTokens: 0,
    outputTokens: usage.output_tokens,
    reasoningTokens: usage.output_tokens_details?.reasoning_tokens ?? 0,
  });
}

export function usageFromAnthropic(usage: AnthropicUsage): TokenUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return checkedUsage({
    inputTokens: usage.input_tokens + cacheRead + cacheWrite,
    cacheReadInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    outputTokens: usage.output_tokens,
    reasoningTokens: 0,
  });
}

/** The counts in the order they are checked (and named in errors). */
const USAGE_FIELDS = ['inputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens', 'outputTokens', 'reasoningTokens'] as const;

/**
 * Throws `CostscopeUsageError` naming the field when the counts cannot describe a real call:
 * negative, fractional or unsafe integers, or cached/reasoning parts larger than their whole.
 */
export function checkedUsage(usage: TokenUsage): Required<TokenUsage> {
  const complete: Required<TokenUsage> = {
    inputTokens: usage.inputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.reasoningTokens ?? 0,
  };
  // A loop over the field names, not `Object.entries`: the server prices every ingested call
  // through here, and the entries arrays were most of this check's cost.
  for (const field of USAGE_FIELDS) {
    const value = complete[field];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new CostscopeUsageError(`${field} must be a whole number of tokens ≥ 0, got ${String(value)}`);
    }
  }
  if (complete.cacheReadInputTokens + complete.cacheWriteInputTokens > complete.inputTokens) {
    throw new CostscopeUsageError(
      `cache reads (${complete.cacheReadInputTokens}) plus cache writes (${complete.cacheWriteInputTokens}) exceed inputTokens (${complete.inputTokens}); inputTokens must include them`,
    );
  }
  if (complete.reasoningTokens > complete.outputTokens) {
    throw new CostscopeUsageError(
      `reasoningTokens (${complete.reasoningTokens}) exceed outputTokens (${complete.outputTokens}); outputTokens must include them`,
    );
  }
  return complete;
}
