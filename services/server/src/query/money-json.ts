import { usdToExactString, type UsdAtto } from '@costscope/core';
import type { CostFigures } from '../storage/costs.js';

/** Figures as the API answers them: money as exact decimal strings (JSON numbers would round). */
export function costFiguresJson(figures: CostFigures) {
  return {
    costUsd: usdToExactString(figures.costUsd),
    requests: figures.requests,
    errors: figures.errors,
    inputTokens: figures.inputTokens,
    cachedInputTokens: figures.cachedInputTokens,
    outputTokens: figures.outputTokens,
    unpricedRequests: figures.unpricedRequests,
    costPerSuccessUsd: figures.costPerSuccessUsd === null ? null : usdToExactString(figures.costPerSuccessUsd),
  };
}

export function usdJson(amount: UsdAtto): string {
  return usdToExactString(amount);
}
