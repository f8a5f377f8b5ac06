import { parseUsd, usdToExactString, type LlmCallRecord } from '@costscope/core';
import { z } from 'zod';

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
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new CallLineError('not JSON');
  }
  const parsed = exportedCallSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue?.path.join('.') || 'line';
    throw new CallLineError(`${field}: ${issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid')}`);
  }
  const call = parsed.data;
  if (call.cacheReadInputTokens + call.cacheWriteInputTokens > call.inputTokens) {
    throw new CallLineError('cacheReadInputTokens + cacheWriteInputTokens is more than inputTokens, which includes them');
  }
  if (call.reasoningTokens > call.outputTokens) throw new CallLineError('reasoningTokens is more than outputTokens, which includes them');
  const parts = [call.freshInputCostUsd, call.cacheReadCostUsd, call.cacheWriteCostUsd, call.outputCostUsd].map((amount) => parseUsd(amount));
  const total = parseUsd(call.totalCostUsd);
  if (call.costStatus === 'priced' && parts.reduce((sum, part) => sum + part, 0n) !== total) {
    throw new CallLineError('totalCostUsd is not the sum of the four cost parts');
  }
  if (call.costStatus === 'unpriced' && total !== 0n) throw new CallLineError('an unpriced call has no cost: totalCostUsd must be 0');
  const [freshInputCostUsd, cacheReadCostUsd, cacheWriteCostUsd, outputCostUsd] = parts as [bigint, bigint, bigint, bigint];
  return { ...call, projectId, time: new Date(call.time), freshInputCostUsd, cacheReadCostUsd, cacheWriteCostUsd, outputCostUsd, totalCostUsd: total };
}
