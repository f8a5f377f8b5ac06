import { parseUsd, usdToExactString, type LlmCallRecord } from '@costscope/core';
import { z } from 'zod';
import type { SpanDialect } from '../ingest/normalize/call-reading.js';
import { MAX_TOKENS_PER_CALL } from '../ingest/normalize/normalize-span.js';
import type { NormalizedCall } from '../ingest/normalize/normalized-call.js';

/**
 * One stored call as a line of the export (and of what the import takes): every stored field in
 * the API's words, money as exact decimal strings with the price version that gave it, so an
 * import stores the call exactly as it was. The project is not in the line: an import stores
 * into the project of the key that sends it.
 */
const money = z
  .string()
  .regex(/^\d{1,20}(\.\d{1,18})?$/, 'an exact decimal USD string (at most 20 digits, 18 decimals), e.g. "0.0015"');
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().max(max);

export const exportedCallSchema = z
  .object({
    time: z.iso.datetime({ offset: true }).describe('The span’s start time'),
    traceId: z.string().min(1).max(128),
    spanId: z.string().min(1).max(64),
    service: text(500),
    feature: text(500),
    endpoint: text(500),
    userId: text(500),
    userTier: text(500),
    priority: text(100),
    provider: text(100),
    requestModel: text(500),
    responseModel: text(500),
    operation: text(100),
    inputTokens: count,
    cacheReadInputTokens: count,
    cacheWriteInputTokens: count,
    outputTokens: count,
    reasoningTokens: count,
    costStatus: z.enum(['priced', 'reported', 'unpriced']),
    pricedModel: text(500),
    priceVersion: text(500),
    freshInputCostUsd: money,
    cacheReadCostUsd: money,
    cacheWriteCostUsd: money,
    outputCostUsd: money,
    totalCostUsd: money,
    status: z.enum(['ok', 'error']),
    errorType: text(500),
    attempt: z.number().int().min(0).max(65_535),
    batch: z.boolean(),
    maxTokens: z.number().int().min(0).max(4_294_967_295).nullable(),
    finishReason: text(100),
    promptPrefixHash: text(200),
    latencyMs: z.number().int().min(0).max(4_294_967_295),
    timeToFirstTokenMs: z.number().int().min(0).max(4_294_967_295).nullable(),
    attributes: z.record(z.string().max(200), z.string().max(10_000)),
  })
  .strict();

export type ExportedCall = z.output<typeof exportedCallSchema>;

/**
 * How an import prices its calls: `given` stores each line's costs and price version as they are
 * (an export moved to another server); `catalog` has the server price each call the way the
 * ingest prices a span, with the catalog and the project's price overrides (a backfill, the demo).
 */
export const IMPORT_PRICINGS = ['given', 'catalog'] as const;
export type ImportPricing = (typeof IMPORT_PRICINGS)[number];

/** The line's fields the server fills in when it prices the call (`pricing=catalog`). */
const SERVER_PRICED_FIELDS = {
  costStatus: true,
  pricedModel: true,
  priceVersion: true,
  freshInputCostUsd: true,
  cacheReadCostUsd: true,
  cacheWriteCostUsd: true,
  outputCostUsd: true,
  totalCostUsd: true,
} as const;

/**
 * A line of a `pricing=catalog` import: the export's line with every cost field optional. Given
 * costs are replaced by the server's price, except a `reported` cost (the caller's own figure, as
 * `costscope.cost.usd` on a span), which is kept.
 */
export const catalogPricedCallSchema = exportedCallSchema.partial(SERVER_PRICED_FIELDS);

/** The export's line for a stored call (without its newline). */
export function callToNdjson(call: LlmCallRecord): string {
  // The project is the export's, not the line's: an import stores into the importing key's project.
  const { projectId: _project, time, freshInputCostUsd, cacheReadCostUsd, cacheWriteCostUsd, outputCostUsd, totalCostUsd, ...fields } = call;
  const line: ExportedCall = {
    ...fields,
    time: time.toISOString(),
    freshInputCostUsd: usdToExactString(freshInputCostUsd),
    cacheReadCostUsd: usdToExactString(cacheReadCostUsd),
    cacheWriteCostUsd: usdToExactString(cacheWriteCostUsd),
    outputCostUsd: usdToExactString(outputCostUsd),
    totalCostUsd: usdToExactString(totalCostUsd),
  };
  return JSON.stringify(line);
}

/** A line of an import that cannot be stored: the answer names it and says why. */
export class CallLineError extends Error {
  override readonly name = 'CallLineError';
}

/**
 * Reads one import line into the call to store in `projectId`. Checks what storage would
 * otherwise refuse or store wrongly: the shape, the token categories adding up, and the cost
 * parts adding up to the total (a hand-edited total would disagree with every breakdown).
 */
export function callFromNdjson(line: string, projectId: string): LlmCallRecord {
  const parsed = exportedCallSchema.safeParse(jsonOf(line));
  if (!parsed.success) throw lineErrorOf(parsed.error);
  const call = parsed.data;
  checkTokenCategories(call);
  const parts = [call.freshInputCostUsd, call.cacheReadCostUsd, call.cacheWriteCostUsd, call.outputCostUsd].map((amount) => parseUsd(amount));
  const total = parseUsd(call.totalCostUsd);
  if (call.costStatus === 'priced' && parts.reduce((sum, part) => sum + part, 0n) !== total) {
    throw new CallLineError('totalCostUsd is not the sum of the four cost parts');
  }
  if (call.costStatus === 'unpriced' && total !== 0n) throw new CallLineError('an unpriced call has no cost: totalCostUsd must be 0');
  const [freshInputCostUsd, cacheReadCostUsd, cacheWriteCostUsd, outputCostUsd] = parts as [bigint, bigint, bigint, bigint];
  return { ...call, projectId, time: new Date(call.time), freshInputCostUsd, cacheReadCostUsd, cacheWriteCostUsd, outputCostUsd, totalCostUsd: total };
}

/**
 * Reads one line of a `pricing=catalog` import into the call the ingest's pricing takes (what a
 * span becomes once normalized): the same checks as `callFromNdjson`, plus the ingest's bound on
 * a call's tokens, since the server computes the cost from them. Cost fields may be left out; a
 * `reported` line must give its `totalCostUsd`, which is kept as the caller's cost.
 */
export function unpricedCallFromNdjson(text: string): NormalizedCall {
  const parsed = catalogPricedCallSchema.safeParse(jsonOf(text));
  if (!parsed.success) throw lineErrorOf(parsed.error);
  const line = parsed.data;
  checkTokenCategories(line);
  for (const field of ['inputTokens', 'outputTokens'] as const) {
    if (line[field] > MAX_TOKENS_PER_CALL) throw new CallLineError(`${field}: above the ${MAX_TOKENS_PER_CALL} tokens one call can use`);
  }
  let reportedCostUsd: bigint | null = null;
  if (line.costStatus === 'reported') {
    if (line.totalCostUsd === undefined) throw new CallLineError('totalCostUsd: a reported call gives its cost');
    reportedCostUsd = parseUsd(line.totalCostUsd);
  }
  // Field by field rather than rest and spread, which cost as much as the schema's whole check
  // (a runtime copy each); the type checker keeps the list complete.
  return {
    time: new Date(line.time),
    traceId: line.traceId,
    spanId: line.spanId,
    service: line.service,
    feature: line.feature,
    endpoint: line.endpoint,
    userId: line.userId,
    userTier: line.userTier,
    priority: line.priority,
    provider: line.provider,
    requestModel: line.requestModel,
    responseModel: line.responseModel,
    operation: line.operation,
    inputTokens: line.inputTokens,
    cacheReadInputTokens: line.cacheReadInputTokens,
    cacheWriteInputTokens: line.cacheWriteInputTokens,
    outputTokens: line.outputTokens,
    reasoningTokens: line.reasoningTokens,
    status: line.status,
    errorType: line.errorType,
    attempt: line.attempt,
    batch: line.batch,
    maxTokens: line.maxTokens,
    finishReason: line.finishReason,
    promptPrefixHash: line.promptPrefixHash,
    latencyMs: line.latencyMs,
    timeToFirstTokenMs: line.timeToFirstTokenMs,
    attributes: line.attributes,
    reportedCostUsd,
    dialect: dialectOf(line.attributes),
  };
}

const SPAN_DIALECTS: ReadonlySet<string> = new Set<SpanDialect>(['genai', 'openllmetry', 'openinference', 'vercel-ai']);

/**
 * How the call's span was read, as the ingest keeps it in `costscope.dialect`; pricing does not
 * depend on it. A line without one reads as the GenAI conventions, whose fields the line has.
 */
function dialectOf(attributes: Record<string, string>): SpanDialect {
  const kept = attributes['costscope.dialect'];
  return kept !== undefined && SPAN_DIALECTS.has(kept) ? (kept as SpanDialect) : 'genai';
}

function jsonOf(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new CallLineError('not JSON');
  }
}

function lineErrorOf(error: z.ZodError): CallLineError {
  const issue = error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue?.path.join('.') || 'line';
  return new CallLineError(`${field}: ${issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid')}`);
}

/** Storage keeps the categories nested: cached input is part of input, reasoning part of output. */
function checkTokenCategories(call: Pick<ExportedCall, 'inputTokens' | 'cacheReadInputTokens' | 'cacheWriteInputTokens' | 'outputTokens' | 'reasoningTokens'>): void {
  if (call.cacheReadInputTokens + call.cacheWriteInputTokens > call.inputTokens) {
    throw new CallLineError('cacheReadInputTokens + cacheWriteInputTokens is more than inputTokens, which includes them');
  }
  if (call.reasoningTokens > call.outputTokens) throw new CallLineError('reasoningTokens is more than outputTokens, which includes them');
}
