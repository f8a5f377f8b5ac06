import { SpanKind, SpanStatusCode, context, diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { semconv, usageFromAnthropic, usageFromOpenAIChat, usageFromOpenAIResponses } from '@costscope/core';
import type { AnthropicUsage, OpenAIChatUsage, OpenAIResponsesUsage, TokenUsage } from '@costscope/core';
import { sdkState } from './sdk-state.js';
import { isRecord, numberOrUndefined, stringOrUndefined } from './instrumentation/utils.js';

/**
 * Records Batch API results as calls marked `costscope.batch=true`, priced at the provider's batch
 * discount. A batch's tokens are only known from its results, which the app reads anyway:
 * - OpenAI: the lines of the output file (`{ custom_id, response: { status_code, body } }`, body
 *   a chat completion, a response or an embeddings list);
 * - Anthropic: the items of `client.messages.batches.results(id)`
 *   (`{ custom_id, result: { type: 'succeeded', message } }`).
 * Takes the parsed items (an array or an async iterable) and returns how many were recorded; the
 * tags of the surrounding `withTags` apply. Never throws: unreadable items go to the diag logger.
 */
export async function recordBatchResults(results: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  let recorded = 0;
  try {
    for await (const item of results) {
      try {
        if (recordBatchResult(item)) recorded += 1;
      } catch (error) {
        diag.warn('costscope: could not record a batch result', error);
      }
    }
  } catch (error) {
    diag.error('costscope: could not read batch results', error);
  }
  return recorded;
}

function recordBatchResult(item: unknown): boolean {
  const state = sdkState();
  const tracer = state.tracer;
  if (tracer === undefined || state.settings === undefined || !isRecord(item)) return false;
  const read = isRecord(item['result']) ? readAnthropicResult(item['result']) : readOpenAIResult(item);
  if (read === undefined) return false;

  const scoped = state.tagStore.getStore();
  const tags = scoped === undefined ? state.settings.defaults : { ...state.settings.defaults, ...scoped };
  const attributes: Attributes = {
    [semconv.ATTR_GEN_AI_PROVIDER_NAME]: read.provider,
    [semconv.ATTR_GEN_AI_OPERATION_NAME]: read.operation,
    [semconv.ATTR_COSTSCOPE_BATCH]: true,
    [semconv.ATTR_COSTSCOPE_ATTEMPT]: 1,
  };
  if (read.model !== undefined) {
    attributes[semconv.ATTR_GEN_AI_REQUEST_MODEL] = read.model;
    attributes[semconv.ATTR_GEN_AI_RESPONSE_MODEL] = read.model;
  }
  if (tags.feature !== undefined) attributes[semconv.ATTR_COSTSCOPE_FEATURE] = tags.feature;
  if (tags.endpoint !== undefined) attributes[semconv.ATTR_COSTSCOPE_ENDPOINT] = tags.endpoint;
  if (tags.userId !== undefined) attributes[semconv.ATTR_USER_ID] = tags.userId;
  if (tags.userTier !== undefined) attributes[semconv.ATTR_COSTSCOPE_USER_TIER] = tags.userTier;
  if (tags.priority !== undefined) attributes[semconv.ATTR_COSTSCOPE_PRIORITY] = tags.priority;
  if (read.finishReason !== undefined) attributes[semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [read.finishReason];
  if (read.usage !== undefined) {
    attributes[semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = read.usage.inputTokens;
    attributes[semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = read.usage.outputTokens;
    attributes[semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = read.usage.cacheReadInputTokens ?? 0;
    if (read.provider === semconv.GEN_AI_PROVIDER_ANTHROPIC) {
      attributes[semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = read.usage.cacheWriteInputTokens ?? 0;
    }
  }
  if (read.errorType !== undefined) attributes[semconv.ATTR_ERROR_TYPE] = read.errorType;

  const span = tracer.startSpan(
    read.model === undefined ? read.operation : `${read.operation} ${read.model}`,
    { kind: SpanKind.CLIENT, attributes },
    context.active(),
  );
  if (read.errorType !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: read.errorType });
  span.end();
  return true;
}

interface BatchResult {
  provider: string;
  operation: string;
  model: string | undefined;
  usage: TokenUsage | undefined;
  finishReason: string | undefined;
  errorType: string | undefined;
}

function readAnthropicResult(result: Record<string, unknown>): BatchResult | undefined {
  const type = stringOrUndefined(result['type']);
  if (type === undefined) return undefined;
  const message = isRecord(result['message']) ? result['message'] : {};
  return {
    provider: semconv.GEN_AI_PROVIDER_ANTHROPIC,
    operation: semconv.GEN_AI_OPERATION_CHAT,
    model: stringOrUndefined(message['model']),
    usage: isRecord(message['usage']) ? usageFromAnthropic(message['usage'] as AnthropicUsage) : undefined,
    finishReason: stringOrUndefined(message['stop_reason']),
    // `errored`, `canceled`, `expired`: nothing billed.
    errorType: type === 'succeeded' ? undefined : type,
  };
}

function readOpenAIResult(line: Record<string, unknown>): BatchResult | undefined {
  const response = line['response'];
  if (!isRecord(response)) {
    return isRecord(line['error'])
      ? {
          provider: semconv.GEN_AI_PROVIDER_OPENAI,
          operation: semconv.GEN_AI_OPERATION_CHAT,
          model: undefined,
          usage: undefined,
          finishReason: undefined,
          errorType: stringOrUndefined(line['error']['code']) ?? 'batch_error',
        }
      : undefined;
  }
  const status = numberOrUndefined(response['status_code']) ?? 200;
  const body = isRecord(response['body']) ? response['body'] : {};
  const usage = isRecord(body['usage']) ? body['usage'] : undefined;
  const object = stringOrUndefined(body['object']);
  let tokens: TokenUsage | undefined;
  let operation: string = semconv.GEN_AI_OPERATION_CHAT;
  if (usage !== undefined) {
    if (object === 'list') {
      operation = semconv.GEN_AI_OPERATION_EMBEDDINGS;
      tokens = { inputTokens: numberOrUndefined(usage['prompt_tokens']) ?? 0, outputTokens: 0 };
    } else if (object === 'response') {
      tokens = usageFromOpenAIResponses(usage as OpenAIResponsesUsage);
    } else {
      tokens = usageFromOpenAIChat(usage as OpenAIChatUsage);
    }
  }
  const choices = Array.isArray(body['choices']) ? (body['choices'] as unknown[]) : [];
  const first = choices[0];
  return {
    provider: semconv.GEN_AI_PROVIDER_OPENAI,
    operation,
    model: stringOrUndefined(body['model']),
    usage: status < 400 ? tokens : undefined,
    finishReason: isRecord(first) ? stringOrUndefined(first['finish_reason']) : stringOrUndefined(body['status']),
    errorType: status >= 400 ? String(status) : undefined,
  };
}
