import { parseUsd, semconv } from '@costscope/core';
import type { OtlpAttributes, OtlpSpan } from '../otlp/types.js';
import { OTLP_STATUS_CODE_ERROR } from '../otlp/types.js';
import { attributeLimitViolation, resourceLimitViolation } from './attribute-limit-violation.js';
import type { CallReading, SkipReason } from './call-reading.js';
import { isContentAttribute } from './content-attributes.js';
import { InvalidSpanError, type InvalidSpanCode } from './invalid-span-error.js';
import type { NormalizedCall } from './normalized-call.js';
import { genAiCallKind, readGenAiCall } from './read-genai-call.js';
import { readOpenInferenceCall } from './read-openinference-call.js';
import { isVercelAiProviderCall, readVercelAiCall } from './read-vercel-ai-call.js';
import { SpanAttributeReader, stringify } from './span-attribute-reader.js';

/** Resource attributes worth keeping with each call (the rest of the resource is the service's). */
const KEPT_RESOURCE_ATTRIBUTES = ['service.version', 'service.namespace', 'deployment.environment', 'deployment.environment.name'] as const;

/**
 * The largest token count one call may report. The largest context windows today are 1–2 million
 * tokens; 100 million leaves 50× headroom for growth and for summed multi-step usage, while still
 * catching the garbage that does occur (unsigned overflows such as 4294967295, 2^63 − 1, counters
 * that were never reset), which would otherwise turn into absurd costs.
 */
export const MAX_TOKENS_PER_CALL = 100_000_000;
/** DESIGN.md: spans more than an hour in the future are refused. */
export const MAX_FUTURE_SKEW_MS = 60 * 60 * 1000;
/** The `attributes` map is bounded so one chatty instrumentation cannot bloat every row. */
export const MAX_KEPT_ATTRIBUTES = 64;
export const MAX_ATTRIBUTE_VALUE_CHARS = 1024;
/**
 * Column ranges of `llm_calls` (UInt16 attempt, UInt32 max tokens, latency and time to first
 * token). A value outside them would make storage refuse the whole insert — and a batch that
 * can never be inserted would sit in the spool forever — so they are checked here, per span.
 */
const MAX_ATTEMPT = 65_535;
const MAX_UINT32 = 4_294_967_295;
/** Tags are grouping keys, not documents: longer values are cut. */
export const MAX_TAG_CHARS = 256;
const PRIORITIES: ReadonlySet<string> = new Set(semconv.COSTSCOPE_PRIORITIES);

export type NormalizeOptions = {
  /** The server's clock, passed in so normalization stays a pure function. */
  now: Date;
  /** `COSTSCOPE_RETENTION_DAYS`: older spans are refused. */
  retentionDays: number;
};

export type SpanOutcome =
  | { kind: 'call'; call: NormalizedCall }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'invalid'; code: InvalidSpanCode; reason: string };

const NANOS_PER_MILLI = 1_000_000n;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Turns one decoded span into an LLM call, a counted skip (not an LLM call), or an invalid
 * outcome with a reason for OTLP partial success. Never throws for anything a client sent.
 *
 * A span over the attribute caps is refused first, whatever it is, through partial success
 * rather than a 400 of the whole export: OTLP exporters do not retry a 400, so one oversized
 * span would otherwise lose the costs of every good span sent with it.
 */
export function normalizeSpan(span: OtlpSpan, resource: OtlpAttributes, options: NormalizeOptions): SpanOutcome {
  const overLimit = attributeLimitViolation(span.attributes, 'span') ?? resourceLimitViolation(resource);
  if (overLimit !== undefined) return { kind: 'invalid', code: 'attribute_limit', reason: overLimit };
  const reader = new SpanAttributeReader(span.attributes);
  if (reader.has(semconv.ATTR_COSTSCOPE_GUARD_BLOCKED) && reader.boolean(semconv.ATTR_COSTSCOPE_GUARD_BLOCKED) !== false) {
    // An SDK guard stopped the request before it was sent: nothing was billed.
    return { kind: 'skipped', reason: 'guard_blocked' };
  }
  try {
    const detected = detectCall(reader);
    if (detected.kind === 'skipped') return detected;
    return { kind: 'call', call: buildCall(span, resource, reader, readCall(reader, detected.dialect), options) };
  } catch (error) {
    if (error instanceof InvalidSpanError) return { kind: 'invalid', code: error.code, reason: error.message };
    throw error;
  }
}

/** The dialect a call span is read in. A tag, not a closure: a function made per span is garbage, and tsx names each one. */
type CallDialect = 'vercel-ai' | 'openinference' | 'genai';

function detectCall(reader: SpanAttributeReader): { kind: 'call'; dialect: CallDialect } | { kind: 'skipped'; reason: SkipReason } {
  // Vercel first: its provider-call spans (AI SDK 6) also carry gen_ai.* usage.
  const operationId = reader.string(semconv.ATTR_VERCEL_AI_OPERATION_ID);
  if (operationId !== '') {
    return isVercelAiProviderCall(operationId) ? CALL_IN.vercelAi : { kind: 'skipped', reason: 'vercel_ai_outer_span' };
  }
  const openInferenceKind = reader.string(semconv.ATTR_OPENINFERENCE_SPAN_KIND);
  if (openInferenceKind !== '') {
    return openInferenceKind.toUpperCase() === semconv.OPENINFERENCE_SPAN_KIND_LLM
      ? CALL_IN.openInference
      : { kind: 'skipped', reason: 'openinference_non_llm_span' };
  }
  const genAi = genAiCallKind(reader);
  if (genAi === 'call') return CALL_IN.genAi;
  return { kind: 'skipped', reason: genAi === 'agent_or_tool_span' ? 'agent_or_tool_span' : 'not_llm_call' };
}

const CALL_IN = {
  vercelAi: { kind: 'call', dialect: 'vercel-ai' },
  openInference: { kind: 'call', dialect: 'openinference' },
  genAi: { kind: 'call', dialect: 'genai' },
} as const;

function readCall(reader: SpanAttributeReader, dialect: CallDialect): CallReading {
  if (dialect === 'vercel-ai') return readVercelAiCall(reader);
  if (dialect === 'openinference') return readOpenInferenceCall(reader);
  return readGenAiCall(reader);
}

function buildCall(
  span: OtlpSpan,
  resource: OtlpAttributes,
  reader: SpanAttributeReader,
  reading: CallReading,
  options: NormalizeOptions,
): NormalizedCall {
  const ids = checkedIds(span);
  const time = checkedTime(span, options);
  checkTokens(reading);

  const errorType = reader.string(semconv.ATTR_ERROR_TYPE);
  const failed = span.status.code === OTLP_STATUS_CODE_ERROR || errorType !== '';
  const attempt = reader.integer(semconv.ATTR_COSTSCOPE_ATTEMPT) ?? 1;
  if (attempt < 1 || attempt > MAX_ATTEMPT) {
    throw new InvalidSpanError('invalid_attribute', `${semconv.ATTR_COSTSCOPE_ATTEMPT} must be 1 to ${MAX_ATTEMPT}, got ${attempt}`);
  }
  if (reading.maxTokens !== null && (reading.maxTokens < 0 || reading.maxTokens > MAX_UINT32)) {
    throw new InvalidSpanError('invalid_attribute', `max tokens must be 0 to ${MAX_UINT32}, got ${reading.maxTokens}`);
  }
  const ownTtft = reader.number(semconv.ATTR_COSTSCOPE_TIME_TO_FIRST_TOKEN_MS);
  const ttft = ownTtft === undefined ? reading.timeToFirstTokenMs : Math.round(ownTtft);
  const endMs = Number(span.endTimeUnixNano / NANOS_PER_MILLI);
  // Durations are display data: an absurd one is clamped, not a reason to lose the call's cost.
  const latencyMs = span.endTimeUnixNano === 0n ? 0 : Math.min(MAX_UINT32, Math.max(0, endMs - time.getTime()));

  return {
    time,
    traceId: ids.traceId,
    spanId: ids.spanId,
    service: stringify(resource.get(semconv.ATTR_SERVICE_NAME) ?? null),
    feature: tag(reading.tags.feature),
    endpoint: tag(reading.tags.endpoint),
    userId: tag(reading.tags.userId),
    userTier: tag(reading.tags.userTier),
    // An unknown priority is a tagging mistake, not a reason to lose the call's cost: the column
    // stays empty and the value is kept in `attributes` (see keptAttributes).
    priority: PRIORITIES.has(reading.tags.priority ?? '') ? (reading.tags.priority ?? '') : '',
    provider: reading.provider,
    requestModel: reading.requestModel,
    responseModel: reading.responseModel,
    operation: reading.operation,
    inputTokens: reading.tokens.input,
    cacheReadInputTokens: reading.tokens.cacheRead,
    cacheWriteInputTokens: reading.tokens.cacheWrite,
    outputTokens: reading.tokens.output,
    reasoningTokens: reading.tokens.reasoning,
    status: failed ? 'error' : 'ok',
    errorType: failed ? errorType || httpStatusOf(reader) || '_OTHER' : '',
    attempt,
    batch: reader.boolean(semconv.ATTR_COSTSCOPE_BATCH) ?? false,
    maxTokens: reading.maxTokens,
    finishReason: reading.finishReason,
    promptPrefixHash: reader.string(semconv.ATTR_COSTSCOPE_PROMPT_PREFIX_HASH),
    latencyMs,
    timeToFirstTokenMs: ttft === null || ttft < 0 || ttft > MAX_UINT32 ? null : ttft,
    attributes: keptAttributes(span.attributes, resource, reading),
    reportedCostUsd: reportedCost(reader),
    dialect: reading.dialect,
  };
}

function tag(value: string | undefined): string {
  if (value === undefined) return '';
  return value.length > MAX_TAG_CHARS ? value.slice(0, MAX_TAG_CHARS) : value;
}

function checkedIds(span: OtlpSpan): { traceId: string; spanId: string } {
  // Storage makes resends count once by (trace id, span id): without both, a call cannot be kept.
  if (span.traceId.length !== 32 || span.traceId === ZERO_TRACE_ID) {
    throw new InvalidSpanError('missing_ids', `trace id "${span.traceId}" is not 16 non-zero bytes`);
  }
  if (span.spanId.length !== 16 || span.spanId === ZERO_SPAN_ID) {
    throw new InvalidSpanError('missing_ids', `span id "${span.spanId}" is not 8 non-zero bytes`);
  }
  return { traceId: span.traceId, spanId: span.spanId };
}

function checkedTime(span: OtlpSpan, options: NormalizeOptions): Date {
  const startMs = Number(span.startTimeUnixNano / NANOS_PER_MILLI);
  const oldest = options.now.getTime() - options.retentionDays * 86_400_000;
  const newest = options.now.getTime() + MAX_FUTURE_SKEW_MS;
  if (span.startTimeUnixNano === 0n) throw new InvalidSpanError('time_outside_window', 'the span has no start time');
  if (startMs < oldest) {
    throw new InvalidSpanError(
      'time_outside_window',
      `start time ${new Date(startMs).toISOString()} is older than the ${options.retentionDays}-day retention window`,
    );
  }
  if (startMs > newest) {
    throw new InvalidSpanError('time_outside_window', `start time ${new Date(startMs).toISOString()} is more than 1 hour in the future`);
  }
  if (span.endTimeUnixNano !== 0n && span.endTimeUnixNano < span.startTimeUnixNano) {
    throw new InvalidSpanError('time_outside_window', 'the span ends before it starts');
  }
  return new Date(startMs);
}

const TOKEN_FIELDS = ['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning'] as const;

function checkTokens(reading: CallReading): void {
  const { tokens, tokenSources } = reading;
  for (const field of TOKEN_FIELDS) {
    const count = tokens[field];
    if (count < 0) throw new InvalidSpanError('invalid_tokens', `${tokenSources[field]} is ${count}; token counts cannot be negative`);
    if (count > MAX_TOKENS_PER_CALL) {
      throw new InvalidSpanError(
        'invalid_tokens',
        `${tokenSources[field]} is ${count}, above the ${MAX_TOKENS_PER_CALL} tokens one call can use`,
      );
    }
  }
  if (tokens.cacheRead + tokens.cacheWrite > tokens.input) {
    throw new InvalidSpanError(
      'invalid_tokens',
      `cached input (${tokenSources.cacheRead} ${tokens.cacheRead} + ${tokenSources.cacheWrite} ${tokens.cacheWrite}) exceeds input (${tokenSources.input} ${tokens.input}), which must include it`,
    );
  }
  if (tokens.reasoning > tokens.output) {
    throw new InvalidSpanError(
      'invalid_tokens',
      `reasoning tokens (${tokenSources.reasoning} ${tokens.reasoning}) exceed output (${tokenSources.output} ${tokens.output}), which must include them`,
    );
  }
}

function reportedCost(reader: SpanAttributeReader): bigint | null {
  const key = semconv.ATTR_COSTSCOPE_COST_USD;
  if (!reader.has(key)) return null;
  const value = reader.attributes.get(key);
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error('not a number');
    const amount = parseUsd(value);
    if (amount < 0n) throw new Error('negative');
    return amount;
  } catch {
    throw new InvalidSpanError('invalid_attribute', `${key} must be a non-negative dollar amount, got ${JSON.stringify(value)}`);
  }
}

function httpStatusOf(reader: SpanAttributeReader): string {
  return reader.string(semconv.ATTR_HTTP_RESPONSE_STATUS_CODE);
}

/** Attributes already stored in their own columns are not repeated in the map. */
const COLUMN_ATTRIBUTES = new Set<string>([
  semconv.ATTR_GEN_AI_PROVIDER_NAME,
  semconv.ATTR_GEN_AI_OPERATION_NAME,
  semconv.ATTR_GEN_AI_REQUEST_MODEL,
  semconv.ATTR_GEN_AI_RESPONSE_MODEL,
  semconv.ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  semconv.ATTR_ERROR_TYPE,
  semconv.ATTR_USER_ID,
  semconv.ATTR_COSTSCOPE_FEATURE,
  semconv.ATTR_COSTSCOPE_ENDPOINT,
  semconv.ATTR_COSTSCOPE_USER_TIER,
  semconv.ATTR_COSTSCOPE_PRIORITY,
  semconv.ATTR_COSTSCOPE_BATCH,
  semconv.ATTR_COSTSCOPE_ATTEMPT,
  semconv.ATTR_COSTSCOPE_PROMPT_PREFIX_HASH,
  semconv.ATTR_COSTSCOPE_COST_USD,
  semconv.ATTR_COSTSCOPE_TIME_TO_FIRST_TOKEN_MS,
  semconv.ATTR_LEGACY_GEN_AI_SYSTEM,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  semconv.ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  semconv.ATTR_OPENINFERENCE_MODEL_NAME,
  semconv.ATTR_OPENINFERENCE_PROVIDER,
  semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT,
  semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION,
  semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ,
  semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE,
  semconv.ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING,
  semconv.ATTR_VERCEL_AI_MODEL_ID,
  semconv.ATTR_VERCEL_AI_MODEL_PROVIDER,
  semconv.ATTR_VERCEL_AI_RESPONSE_MODEL,
  semconv.ATTR_VERCEL_AI_RESPONSE_FINISH_REASON,
  semconv.ATTR_VERCEL_AI_USAGE_PROMPT_TOKENS,
  semconv.ATTR_VERCEL_AI_USAGE_COMPLETION_TOKENS,
  semconv.ATTR_VERCEL_AI_USAGE_INPUT_TOKENS,
  semconv.ATTR_VERCEL_AI_USAGE_OUTPUT_TOKENS,
  semconv.ATTR_VERCEL_AI_USAGE_CACHED_INPUT_TOKENS,
  semconv.ATTR_VERCEL_AI_USAGE_REASONING_TOKENS,
  semconv.ATTR_OPENINFERENCE_INVOCATION_PARAMETERS,
]);

/**
 * Whether an attribute key is left out of the map (content, or stored in its own column), by key.
 * Keys come from a small vocabulary repeated on every span, and the content check walks each
 * key's dot-separated prefixes, so the answer is remembered — up to a bound, since the keys are
 * the client's to choose.
 */
const leftOutByKey = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;

function isLeftOut(key: string): boolean {
  let leftOut = leftOutByKey.get(key);
  if (leftOut === undefined) {
    // Never prompt or completion text, whatever the dialect calls it.
    leftOut = key === '' || isContentAttribute(key) || COLUMN_ATTRIBUTES.has(key);
    if (leftOutByKey.size < MAX_REMEMBERED_KEYS) leftOutByKey.set(key, leftOut);
  }
  return leftOut;
}

function keptAttributes(attributes: OtlpAttributes, resource: OtlpAttributes, reading: CallReading): Record<string, string> {
  const kept: Record<string, string> = { 'costscope.dialect': reading.dialect };
  let count = 1;
  if (reading.tags.priority !== undefined && !PRIORITIES.has(reading.tags.priority)) {
    kept['costscope.priority'] = reading.tags.priority.slice(0, MAX_TAG_CHARS);
    count += 1;
  }
  // The response-caching insight groups calls by it: kept first, so a span's many other
  // attributes never push it past the cap.
  const requestHash = attributes.get(semconv.ATTR_COSTSCOPE_REQUEST_HASH);
  if (typeof requestHash === 'string' && requestHash !== '') {
    kept[semconv.ATTR_COSTSCOPE_REQUEST_HASH] = capped(requestHash);
    count += 1;
  }
  for (const key of attributes.keys()) {
    if (count >= MAX_KEPT_ATTRIBUTES) break;
    if (isLeftOut(key) || key in kept) continue;
    kept[key] = capped(stringify(attributes.get(key) ?? null));
    count += 1;
  }
  for (const key of KEPT_RESOURCE_ATTRIBUTES) {
    if (count >= MAX_KEPT_ATTRIBUTES) break;
    const value = resource.get(key);
    if (value === undefined || value === null || key in kept) continue;
    kept[key] = capped(stringify(value));
    count += 1;
  }
  return kept;
}

function capped(value: string): string {
  return value.length > MAX_ATTRIBUTE_VALUE_CHARS ? value.slice(0, MAX_ATTRIBUTE_VALUE_CHARS) : value;
}
