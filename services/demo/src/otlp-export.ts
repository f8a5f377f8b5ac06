import { semconv } from '@costscope/core';
import { DEMO_SERVICE_NAME } from './example-app.js';
import type { HistorySpan } from './history.js';

type AttributeValue = string | number | boolean | readonly string[];

function anyValue(value: AttributeValue) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return { intValue: String(value) };
  return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
}

/** OTLP span kind CLIENT and status ERROR, as the SDK's spans carry them. */
const SPAN_KIND_CLIENT = 3;
const STATUS_CODE_ERROR = 2;

/**
 * The attributes the SDK writes on an attempt's span (GenAI semantic conventions, then
 * Costscope's tags): the history is what the app's own spans would have been.
 */
export function spanAttributes(span: HistorySpan): Record<string, AttributeValue> {
  const { call } = span;
  const attributes: Record<string, AttributeValue> = {
    [semconv.ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_CHAT,
    [semconv.ATTR_GEN_AI_REQUEST_MODEL]: call.model,
    [semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS]: call.maxTokens,
    [semconv.ATTR_COSTSCOPE_FEATURE]: call.feature,
    [semconv.ATTR_COSTSCOPE_ENDPOINT]: call.endpoint,
    [semconv.ATTR_COSTSCOPE_PRIORITY]: call.priority,
    [semconv.ATTR_COSTSCOPE_ATTEMPT]: span.attempt,
  };
  if (call.batch) attributes[semconv.ATTR_COSTSCOPE_BATCH] = true;
  if (call.user) {
    attributes[semconv.ATTR_USER_ID] = call.user.id;
    attributes[semconv.ATTR_COSTSCOPE_USER_TIER] = call.user.tier;
  }
  if (span.errorType !== undefined) {
    attributes[semconv.ATTR_ERROR_TYPE] = span.errorType;
    attributes[semconv.ATTR_HTTP_RESPONSE_STATUS_CODE] = Number(span.errorType);
    return attributes;
  }
  const { usage } = call;
  attributes[semconv.ATTR_GEN_AI_RESPONSE_MODEL] = call.responseModel;
  attributes[semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [call.finishReason];
  attributes[semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  attributes[semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  if (usage.cacheReadInputTokens > 0) attributes[semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheReadInputTokens;
  if (usage.cacheWriteInputTokens > 0) attributes[semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = usage.cacheWriteInputTokens;
  return attributes;
}

function nanos(ms: number): string {
  return String(BigInt(ms) * 1_000_000n);
}

/** An OTLP/JSON `ExportTraceServiceRequest`: one resource (the app), one scope per provider as the SDK names them. */
export function otlpExportBody(spans: readonly HistorySpan[]): string {
  const byProvider = new Map<string, HistorySpan[]>();
  for (const span of spans) {
    const list = byProvider.get(span.call.provider) ?? [];
    list.push(span);
    byProvider.set(span.call.provider, list);
  }
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: semconv.ATTR_SERVICE_NAME, value: { stringValue: DEMO_SERVICE_NAME } }] },
        scopeSpans: [...byProvider].map(([provider, providerSpans]) => ({
          scope: { name: `@costscope/sdk/${provider}` },
          spans: providerSpans.map((span) => ({
            traceId: span.traceId,
            spanId: span.spanId,
            name: `chat ${span.call.model}`,
            kind: SPAN_KIND_CLIENT,
            startTimeUnixNano: nanos(span.start.getTime()),
            endTimeUnixNano: nanos(span.start.getTime() + span.durationMs),
            attributes: Object.entries(spanAttributes(span)).map(([key, value]) => ({ key, value: anyValue(value) })),
            ...(span.errorType === undefined ? {} : { status: { code: STATUS_CODE_ERROR, message: `HTTP ${span.errorType}` } }),
          })),
        })),
      },
    ],
  });
}
