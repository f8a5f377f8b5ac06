import { priceUsage, type LlmCallRecord, type ModelPrice, type PriceCatalog } from '@costscope/core';
import type { NormalizedCall } from '../normalize/normalized-call.js';

export type PricedCallResult = {
  record: LlmCallRecord;
  /** The model name that found no price (so the server can list it), or `null`. */
  unpricedModel: string | null;
};

/**
 * Prices one normalized call for a project:
 * - `costscope.cost.usd` from the caller wins: `reported`, the caller's total, parts zero;
 * - else the catalog (with the project's overrides) by the response model, falling back to the
 *   requested one, at the call's time: `priced` with the exact breakdown and the price version;
 * - else `unpriced` with zero cost, never a silent $0 — the model is returned to be listed.
 */
export function priceNormalizedCall(
  call: NormalizedCall,
  projectId: string,
  catalog: PriceCatalog,
  resolvePrice: ResolvePrice = (model, at) => catalog.resolve(model, at),
): PricedCallResult {
  if (call.reportedCostUsd !== null) {
    return {
      record: recordOf(call, projectId, {
        costStatus: 'reported',
        pricedModel: '',
        priceVersion: 'reported',
        freshInputCostUsd: 0n,
        cacheReadCostUsd: 0n,
        cacheWriteCostUsd: 0n,
        outputCostUsd: 0n,
        totalCostUsd: call.reportedCostUsd,
      }),
      unpricedModel: null,
    };
  }
  const { costs, unpricedModel } = catalogCosts(call, resolvePrice);
  return { record: recordOf(call, projectId, costs), unpricedModel };
}

/**
 * The record, field by field. Spelled out rather than `{ projectId, ...rest, ...costs }`: copying
 * a 37-field object through rest and spread was the largest single cost of pricing (a runtime
 * call per copy, and two copies per call). The type checker keeps this list complete.
 */
function recordOf(call: NormalizedCall, projectId: string, costs: CostFields): LlmCallRecord {
  return {
    projectId,
    time: call.time,
    traceId: call.traceId,
    spanId: call.spanId,
    service: call.service,
    feature: call.feature,
    endpoint: call.endpoint,
    userId: call.userId,
    userTier: call.userTier,
    priority: call.priority,
    provider: call.provider,
    requestModel: call.requestModel,
    responseModel: call.responseModel,
    operation: call.operation,
    inputTokens: call.inputTokens,
    cacheReadInputTokens: call.cacheReadInputTokens,
    cacheWriteInputTokens: call.cacheWriteInputTokens,
    outputTokens: call.outputTokens,
    reasoningTokens: call.reasoningTokens,
    status: call.status,
    errorType: call.errorType,
    attempt: call.attempt,
    batch: call.batch,
    maxTokens: call.maxTokens,
    finishReason: call.finishReason,
    promptPrefixHash: call.promptPrefixHash,
    latencyMs: call.latencyMs,
    timeToFirstTokenMs: call.timeToFirstTokenMs,
    attributes: call.attributes,
    costStatus: costs.costStatus,
    pricedModel: costs.pricedModel,
    priceVersion: costs.priceVersion,
    freshInputCostUsd: costs.freshInputCostUsd,
    cacheReadCostUsd: costs.cacheReadCostUsd,
    cacheWriteCostUsd: costs.cacheWriteCostUsd,
    outputCostUsd: costs.outputCostUsd,
    totalCostUsd: costs.totalCostUsd,
  };
}

/** `PriceCatalog.resolve`, possibly memoized for a batch (see `batchPriceResolver`). */
export type ResolvePrice = (model: string, at: Date) => ModelPrice | undefined;

type CostFields = Pick<
  LlmCallRecord,
  'costStatus' | 'pricedModel' | 'priceVersion' | 'freshInputCostUsd' | 'cacheReadCostUsd' | 'cacheWriteCostUsd' | 'outputCostUsd' | 'totalCostUsd'
>;

type PriceableCall = Pick<
  LlmCallRecord,
  | 'responseModel'
  | 'requestModel'
  | 'time'
  | 'batch'
  | 'inputTokens'
  | 'cacheReadInputTokens'
  | 'cacheWriteInputTokens'
  | 'outputTokens'
  | 'reasoningTokens'
>;

const UNPRICED: Omit<CostFields, 'costStatus'> = {
  pricedModel: '',
  priceVersion: '',
  freshInputCostUsd: 0n,
  cacheReadCostUsd: 0n,
  cacheWriteCostUsd: 0n,
  outputCostUsd: 0n,
  totalCostUsd: 0n,
};

/** Catalog costs of a call; shared by ingest and re-pricing so both apply the same rule. */
export function catalogCosts(call: PriceableCall, resolvePrice: ResolvePrice): { costs: CostFields; unpricedModel: string | null } {
  // The response names the snapshot that actually ran; the request's alias is the fallback
  // (a failed call has no response model).
  const price =
    (call.responseModel !== '' ? resolvePrice(call.responseModel, call.time) : undefined) ??
    (call.requestModel !== '' ? resolvePrice(call.requestModel, call.time) : undefined);
  if (price) {
    const cost = priceUsage(
      price,
      {
        inputTokens: call.inputTokens,
        cacheReadInputTokens: call.cacheReadInputTokens,
        cacheWriteInputTokens: call.cacheWriteInputTokens,
        outputTokens: call.outputTokens,
        reasoningTokens: call.reasoningTokens,
      },
      { batch: call.batch },
    );
    return {
      costs: {
        costStatus: 'priced',
        pricedModel: cost.modelId,
        priceVersion: cost.priceVersion,
        freshInputCostUsd: cost.breakdown.freshInputUsd,
        cacheReadCostUsd: cost.breakdown.cacheReadUsd,
        cacheWriteCostUsd: cost.breakdown.cacheWriteUsd,
        outputCostUsd: cost.breakdown.outputUsd,
        totalCostUsd: cost.breakdown.totalUsd,
      },
      unpricedModel: null,
    };
  }
  const unpricedModel = call.responseModel || call.requestModel || '(no model)';
  return { costs: { costStatus: 'unpriced', ...UNPRICED }, unpricedModel };
}
