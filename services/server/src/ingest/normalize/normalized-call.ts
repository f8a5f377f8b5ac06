import type { LlmCallRecord, UsdAtto } from '@costscope/core';
import type { SpanDialect } from './call-reading.js';

/** The fields of `LlmCallRecord` that pricing fills in. */
export type CallPricingFields =
  | 'projectId'
  | 'costStatus'
  | 'pricedModel'
  | 'priceVersion'
  | 'freshInputCostUsd'
  | 'cacheReadCostUsd'
  | 'cacheWriteCostUsd'
  | 'outputCostUsd'
  | 'totalCostUsd';

/** One LLM call read from a span, everything but its project and its price. */
export type NormalizedCall = Omit<LlmCallRecord, CallPricingFields> & {
  /** `costscope.cost.usd`, when the caller knows the cost better than the catalog. */
  reportedCostUsd: UsdAtto | null;
  dialect: SpanDialect;
};
