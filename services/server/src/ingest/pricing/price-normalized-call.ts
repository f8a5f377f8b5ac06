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
  const { reportedCostUsd, dialect: _dialect, ...fields } = call;
  const base = { projectId, ...fields };
  if (reportedCostUsd !== null) {
    return {
      record: {
        ...base,
        costStatus: 'reported',
        pricedModel: '',
        priceVersion: 'reported',
        freshInputCostUsd: 0n,
        cacheReadCostUsd: 0n,
        cacheWriteCostUsd: 0n,
        outputCostUsd: 0n,
        totalCostUsd: reportedCostUsd,
      },
      unpricedModel: null,
    };
  }
  const { costs, unpricedModel } = catalogCosts(call, resolvePrice);
  return { record: { ...base, ...costs }, unpricedModel };
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
  const usage = {
    inputTokens: call.inputTokens,
    cacheReadInputTokens: call.cacheReadInputTokens,
    cacheWriteInputTokens: call.cacheWriteInputTokens,
    outputTokens: call.outputTokens,
    reasoningTokens: call.reasoningTokens,
  };
  // The response names the snapshot that actually ran; the request's alias is the fallback
  // (a failed call has no response model).
  const candidates = [call.responseModel, call.requestModel].filter((model) => model !== '');
  for (const model of candidates) {
    const price = resolvePrice(model, call.time);
    if (price) {
      const cost = priceUsage(price, usage, { batch: call.batch });
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
  }
  return { costs: { costStatus: 'unpriced', ...UNPRICED }, unpricedModel: candidates[0] ?? '(no model)' };
}
