import type { LlmResult, ProviderName, StreamReader } from './types.js';

/** How one provider method (e.g. OpenAI `chat.completions.create`) is read. */
export interface LlmOperation {
  provider: ProviderName;
  /** `gen_ai.operation.name`. */
  operation: string;
  /** The request field that limits output, set by `defaultMaxTokens` when the call sets none. */
  maxTokensField: string | undefined;
  readMaxTokens(body: Record<string, unknown>): number | undefined;
  /** System prompt and tools: the stable prefix that `costscope.prompt.prefix_hash` identifies. */
  stablePrefix(body: Record<string, unknown>): { system: string; tools: unknown } | undefined;
  /** The parts of the request that count as input, for the `maxInputTokens` estimate. */
  inputParts(body: Record<string, unknown>): unknown[];
  /** The text a user would call the prompt, exported only with `captureContent`. */
  promptContent(body: Record<string, unknown>): unknown;
  /**
   * For streams: a copy of the body that asks the provider for usage, or undefined when the
   * body already does (or the provider always sends it).
   */
  askForStreamUsage(body: Record<string, unknown>): Record<string, unknown> | undefined;
  readResponse(data: unknown, captureContent: boolean): LlmResult;
  streamReader(dropUsageChunk: boolean, captureContent: boolean): StreamReader;
  /** Batch API work (`costscope.batch=true`). */
  isBatch?: boolean;
}
