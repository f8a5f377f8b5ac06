import { semconv, usageFromAnthropic } from '@costscope/core';
import type { AnthropicUsage, TokenUsage } from '@costscope/core';
import type { LlmOperation } from './llm-operation.js';
import { checked } from './openai-operations.js';
import type { LlmResult, StreamReader, UsageReported } from './types.js';
import { contentText, isRecord, numberOrUndefined, stringOrUndefined } from './utils.js';

/** Anthropic `messages.create` (and `beta.messages.create`). */
export const anthropicMessages: LlmOperation = {
  provider: semconv.GEN_AI_PROVIDER_ANTHROPIC,
  operation: semconv.GEN_AI_OPERATION_CHAT,
  maxTokensField: 'max_tokens',
  readMaxTokens: (body) => numberOrUndefined(body['max_tokens']),
  stablePrefix: (body) => ({ system: contentText(body['system']), tools: body['tools'] }),
  inputParts: (body) => [body['system'], body['messages'], body['tools']],
  promptContent: (body) => ({ system: body['system'], messages: body['messages'] }),
  // Anthropic always streams usage (`message_start`, `message_delta`).
  askForStreamUsage: () => undefined,
  readResponse(data, captureContent) {
    if (!isRecord(data)) return {};
    const stopReason = stringOrUndefined(data['stop_reason']);
    const result: LlmResult = {
      responseModel: stringOrUndefined(data['model']),
      usage: anthropicUsage(data['usage']),
      usageReported: anthropicUsageReported(data['usage']),
      finishReasons: stopReason === undefined ? undefined : [stopReason],
    };
    if (captureContent) result.completionContent = contentText(data['content']);
    return result;
  },
  streamReader: (_dropUsageChunk, captureContent) => new MessageEventReader(captureContent),
};

class MessageEventReader implements StreamReader {
  private model: string | undefined;
  private stopReason: string | undefined;
  // `message_start` has input and cache counts; `message_delta` has the cumulative output count
  // (and, on newer API versions, final input counts too), so later non-null fields win.
  private usage: Record<string, unknown> | undefined;
  private text = '';

  constructor(private readonly captureContent: boolean) {}

  read(event: unknown): boolean {
    if (!isRecord(event)) return true;
    switch (event['type']) {
      case 'message_start': {
        const message = event['message'];
        if (isRecord(message)) {
          this.model = stringOrUndefined(message['model']);
          if (isRecord(message['usage'])) this.mergeUsage(message['usage']);
        }
        break;
      }
      case 'message_delta': {
        if (isRecord(event['delta'])) this.stopReason = stringOrUndefined(event['delta']['stop_reason']) ?? this.stopReason;
        if (isRecord(event['usage'])) this.mergeUsage(event['usage']);
        break;
      }
      case 'content_block_delta': {
        if (this.captureContent && isRecord(event['delta'])) this.text += stringOrUndefined(event['delta']['text']) ?? '';
        break;
      }
    }
    return true;
  }

  result(): LlmResult {
    return {
      responseModel: this.model,
      usage: anthropicUsage(this.usage),
      usageReported: anthropicUsageReported(this.usage),
      finishReasons: this.stopReason === undefined ? undefined : [this.stopReason],
      completionContent: this.captureContent ? this.text : undefined,
    };
  }

  private mergeUsage(usage: Record<string, unknown>): void {
    this.usage ??= {};
    for (const [key, value] of Object.entries(usage)) {
      if (value !== null && value !== undefined) this.usage[key] = value;
    }
  }
}

function anthropicUsageReported(usage: unknown): UsageReported | undefined {
  if (!isRecord(usage)) return undefined;
  return {
    cacheRead: typeof usage['cache_read_input_tokens'] === 'number',
    cacheWrite: typeof usage['cache_creation_input_tokens'] === 'number',
    reasoning: false,
  };
}

function anthropicUsage(usage: unknown): Required<TokenUsage> | undefined {
  if (!isRecord(usage) || typeof usage['input_tokens'] !== 'number') return undefined;
  return checked(() => usageFromAnthropic(usage as AnthropicUsage));
}
