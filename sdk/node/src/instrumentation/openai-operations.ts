import { diag } from '@opentelemetry/api';
import { semconv, usageFromOpenAIChat, usageFromOpenAIResponses } from '@costscope/core';
import type { OpenAIChatUsage, OpenAIResponsesUsage, TokenUsage } from '@costscope/core';
import type { LlmOperation } from './llm-operation.js';
import type { LlmResult, StreamReader, UsageReported } from './types.js';
import { contentText, isRecord, numberOrUndefined, stringOrUndefined } from './utils.js';

/** OpenAI `chat.completions.create`. */
export const openAIChatCompletions: LlmOperation = {
  provider: semconv.GEN_AI_PROVIDER_OPENAI,
  operation: semconv.GEN_AI_OPERATION_CHAT,
  // `max_tokens` is deprecated and refused by reasoning models; `max_completion_tokens` works everywhere.
  maxTokensField: 'max_completion_tokens',
  readMaxTokens: (body) => numberOrUndefined(body['max_completion_tokens']) ?? numberOrUndefined(body['max_tokens']),
  stablePrefix: (body) => ({ system: leadingSystemText(body['messages']), tools: body['tools'] }),
  inputParts: (body) => [body['messages'], body['tools']],
  promptContent: (body) => body['messages'],
  askForStreamUsage(body) {
    const streamOptions = body['stream_options'];
    if (isRecord(streamOptions) && streamOptions['include_usage'] !== undefined) return undefined;
    return { ...body, stream_options: { ...(isRecord(streamOptions) ? streamOptions : {}), include_usage: true } };
  },
  readResponse(data, captureContent) {
    if (!isRecord(data)) return {};
    const choices = Array.isArray(data['choices']) ? (data['choices'] as unknown[]) : [];
    const finishReasons: string[] = [];
    for (const choice of choices) {
      if (isRecord(choice) && typeof choice['finish_reason'] === 'string') finishReasons.push(choice['finish_reason']);
    }
    const result: LlmResult = {
      responseModel: stringOrUndefined(data['model']),
      usage: chatUsage(data['usage']),
      usageReported: chatUsageReported(data['usage']),
      finishReasons,
    };
    if (captureContent) {
      result.completionContent = choices
        .map((choice) => (isRecord(choice) && isRecord(choice['message']) ? contentText(choice['message']['content']) : ''))
        .join('\n');
    }
    return result;
  },
  streamReader: (dropUsageChunk, captureContent) => new ChatChunkReader(dropUsageChunk, captureContent),
};

/** OpenAI `responses.create`. */
export const openAIResponses: LlmOperation = {
  provider: semconv.GEN_AI_PROVIDER_OPENAI,
  operation: semconv.GEN_AI_OPERATION_CHAT,
  maxTokensField: 'max_output_tokens',
  readMaxTokens: (body) => numberOrUndefined(body['max_output_tokens']),
  stablePrefix: (body) => ({
    system: (stringOrUndefined(body['instructions']) ?? '') + leadingSystemText(body['input']),
    tools: body['tools'],
  }),
  inputParts: (body) => [body['instructions'], body['input'], body['tools']],
  promptContent: (body) => ({ instructions: body['instructions'], input: body['input'] }),
  // The Responses API always reports usage in `response.completed`.
  askForStreamUsage: () => undefined,
  readResponse: (data, captureContent) => readResponseObject(data, captureContent),
  streamReader: (_dropUsageChunk, captureContent) => new ResponsesEventReader(captureContent),
};

/** OpenAI `embeddings.create`: input tokens only. */
export const openAIEmbeddings: LlmOperation = {
  provider: semconv.GEN_AI_PROVIDER_OPENAI,
  operation: semconv.GEN_AI_OPERATION_EMBEDDINGS,
  maxTokensField: undefined,
  readMaxTokens: () => undefined,
  stablePrefix: () => undefined,
  inputParts: (body) => [body['input']],
  promptContent: (body) => body['input'],
  askForStreamUsage: () => undefined,
  readResponse(data) {
    if (!isRecord(data)) return {};
    const usage = data['usage'];
    const inputTokens = isRecord(usage) ? numberOrUndefined(usage['prompt_tokens']) : undefined;
    return {
      responseModel: stringOrUndefined(data['model']),
      usage:
        inputTokens === undefined
          ? undefined
          : { inputTokens, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      usageReported: NOTHING_MORE_REPORTED,
    };
  },
  streamReader: () => ({ read: () => true, result: () => ({}) }),
};

class ChatChunkReader implements StreamReader {
  private model: string | undefined;
  private usage: Required<TokenUsage> | undefined;
  private usageReported: UsageReported | undefined;
  private readonly finishReasons: string[] = [];
  private text = '';

  constructor(
    private readonly dropUsageChunk: boolean,
    private readonly captureContent: boolean,
  ) {}

  read(chunk: unknown): boolean {
    if (!isRecord(chunk)) return true;
    this.model ??= stringOrUndefined(chunk['model']);
    const choices = chunk['choices'];
    if (Array.isArray(choices)) {
      for (const choice of choices as unknown[]) {
        if (!isRecord(choice)) continue;
        const finishReason = choice['finish_reason'];
        if (typeof finishReason === 'string') this.finishReasons[numberOrUndefined(choice['index']) ?? 0] = finishReason;
        if (this.captureContent && isRecord(choice['delta'])) this.text += contentText(choice['delta']['content']);
      }
    }
    const usage = chunk['usage'];
    if (isRecord(usage)) {
      this.usage = chatUsage(usage);
      this.usageReported = chatUsageReported(usage);
    }
    if (this.dropUsageChunk) {
      // The app did not ask for usage: hide the usage-only chunk and the `usage: null` field
      // that `include_usage` adds to every other chunk.
      if (Array.isArray(choices) && choices.length === 0 && isRecord(usage)) return false;
      if ('usage' in chunk && chunk['usage'] === null) delete chunk['usage'];
    }
    return true;
  }

  result(): LlmResult {
    return {
      responseModel: this.model,
      usage: this.usage,
      usageReported: this.usageReported,
      finishReasons: this.finishReasons.filter((reason) => typeof reason === 'string'),
      completionContent: this.captureContent ? this.text : undefined,
    };
  }
}

class ResponsesEventReader implements StreamReader {
  private latest: LlmResult = {};
  private text = '';

  constructor(private readonly captureContent: boolean) {}

  read(event: unknown): boolean {
    if (!isRecord(event)) return true;
    const type = event['type'];
    if (this.captureContent && type === 'response.output_text.delta') this.text += stringOrUndefined(event['delta']) ?? '';
    // `response.created` names the model; `completed` / `incomplete` / `failed` carry usage.
    if (isRecord(event['response'])) {
      const read = readResponseObject(event['response'], false);
      this.latest = { ...this.latest, ...definedOnly(read) };
    }
    return true;
  }

  result(): LlmResult {
    return this.captureContent ? { ...this.latest, completionContent: this.text } : this.latest;
  }
}

function readResponseObject(data: unknown, captureContent: boolean): LlmResult {
  if (!isRecord(data)) return {};
  const status = stringOrUndefined(data['status']);
  const incomplete = isRecord(data['incomplete_details']) ? stringOrUndefined(data['incomplete_details']['reason']) : undefined;
  const finishReason = incomplete ?? status;
  const result: LlmResult = {
    responseModel: stringOrUndefined(data['model']),
    usage: isRecord(data['usage']) ? checked(() => usageFromOpenAIResponses(data['usage'] as OpenAIResponsesUsage)) : undefined,
    usageReported: isRecord(data['usage'])
      ? {
          cacheRead: isNumberAt(data['usage'], 'input_tokens_details', 'cached_tokens'),
          cacheWrite: false,
          reasoning: isNumberAt(data['usage'], 'output_tokens_details', 'reasoning_tokens'),
        }
      : undefined,
    finishReasons: finishReason === undefined || finishReason === 'in_progress' ? undefined : [finishReason],
  };
  if (captureContent) result.completionContent = stringOrUndefined(data['output_text']);
  return result;
}

const NOTHING_MORE_REPORTED: UsageReported = { cacheRead: false, cacheWrite: false, reasoning: false };

function chatUsageReported(usage: unknown): UsageReported | undefined {
  if (!isRecord(usage)) return undefined;
  return {
    cacheRead: isNumberAt(usage, 'prompt_tokens_details', 'cached_tokens'),
    cacheWrite: false,
    reasoning: isNumberAt(usage, 'completion_tokens_details', 'reasoning_tokens'),
  };
}

function isNumberAt(record: Record<string, unknown>, outer: string, inner: string): boolean {
  const details = record[outer];
  return isRecord(details) && typeof details[inner] === 'number';
}

function chatUsage(usage: unknown): Required<TokenUsage> | undefined {
  if (!isRecord(usage)) return undefined;
  return checked(() => usageFromOpenAIChat(usage as OpenAIChatUsage));
}

/** Usage the provider sent that cannot be read is left out (and logged), never guessed. */
export function checked(read: () => TokenUsage): Required<TokenUsage> | undefined {
  try {
    const usage = read();
    // The core adapters validate and return every field; the defaults only satisfy the type.
    return {
      inputTokens: usage.inputTokens,
      cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
      cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
      outputTokens: usage.outputTokens,
      reasoningTokens: usage.reasoningTokens ?? 0,
    };
  } catch (error) {
    diag.warn('costscope: the provider reported usage that cannot be read; the call is recorded without tokens', error);
    return undefined;
  }
}

/** The text of the leading `system` / `developer` messages: the part of a prompt that repeats. */
function leadingSystemText(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  let text = '';
  for (const message of messages as unknown[]) {
    if (!isRecord(message) || (message['role'] !== 'system' && message['role'] !== 'developer')) break;
    text += contentText(message['content']);
  }
  return text;
}

function definedOnly(result: LlmResult): LlmResult {
  const defined: LlmResult = {};
  for (const [key, value] of Object.entries(result)) {
    if (value !== undefined) (defined as Record<string, unknown>)[key] = value;
  }
  return defined;
}
