import type { TokenUsage } from '@costscope/core';

export type ProviderName = 'openai' | 'anthropic';

/** What the SDK reads from a request before it is sent. */
export interface LlmRequest {
  provider: ProviderName;
  operation: string;
  requestModel: string | undefined;
  /** The output limit that applies, after `defaultMaxTokens`. */
  maxTokens: number | undefined;
  stream: boolean;
  prefixHash: string | undefined;
  /** `costscope.request.hash` of the request as the app wrote it. */
  requestHash: string;
  defaultMaxTokensApplied: boolean;
  batch: boolean;
  /** JSON of the request's messages; only filled when the app opted in to content capture. */
  promptContent: string | undefined;
}

export interface UsageReported {
  cacheRead: boolean;
  cacheWrite: boolean;
  reasoning: boolean;
}

/** What the SDK read from a response (or from the part of a stream that was read). */
export interface LlmResult {
  responseModel?: string | undefined;
  usage?: Required<TokenUsage> | undefined;
  /** Which optional counts the provider reported: only those are exported (a 0 it sent is kept). */
  usageReported?: UsageReported | undefined;
  finishReasons?: string[] | undefined;
  completionContent?: string | undefined;
}

/**
 * Reads one kind of stream (OpenAI chat chunks, Responses events, Anthropic events) as the app
 * consumes it. `read` returns false for an item the app did not ask for (the usage-only chunk
 * Costscope requested), which is then not passed on.
 */
export interface StreamReader {
  read(item: unknown): boolean;
  result(): LlmResult;
}

/** A Stainless `APIPromise` (openai 4+, @anthropic-ai/sdk 0.x–1.x), as far as the SDK uses it. */
export interface ProviderPromise extends Promise<unknown> {
  _thenUnwrap(transform: (data: unknown, props?: unknown) => unknown): ProviderPromise;
  responsePromise?: Promise<unknown>;
  parseResponse?: (...args: unknown[]) => unknown;
}

/** The Stainless client, as far as the SDK uses it. */
export interface ProviderClient {
  fetch?: (...args: unknown[]) => Promise<{ status: number }>;
}

export type CreateMethod = (this: { _client?: ProviderClient }, body: unknown, options?: unknown) => unknown;
