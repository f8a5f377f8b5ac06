import { createPriceCatalog, type LlmCallRecord, type PriceOverrideInput } from '@costscope/core';
import type { NormalizedCall } from '../normalize/normalized-call.js';
import { batchPriceResolver } from './batch-price-resolver.js';
import { priceNormalizedCall } from './price-normalized-call.js';

export type PricedCalls = {
  records: LlmCallRecord[];
  /** Model names no price applied to, sorted, so the server can expose and count them. */
  unpricedModels: string[];
};

/**
 * Prices a request's calls with the catalog and this project's overrides (as stored in its
 * settings). Overrides are validated by `createPriceCatalog`; a bad one throws
 * `CostscopeCatalogError`, which is a server-side settings problem, not the client's.
 */
export function priceCalls(
  calls: readonly NormalizedCall[],
  project: { projectId: string; overrides?: readonly PriceOverrideInput[] },
): PricedCalls {
  const catalog = createPriceCatalog({ overrides: project.overrides ?? [] });
  const unpriced = new Set<string>();
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const call of calls) {
    from = Math.min(from, call.time.getTime());
    to = Math.max(to, call.time.getTime());
  }
  const resolvePrice = batchPriceResolver(catalog, new Date(from), new Date(to));
  const records = calls.map((call) => {
    const { record, unpricedModel } = priceNormalizedCall(call, project.projectId, catalog, resolvePrice);
    if (unpricedModel !== null) unpriced.add(unpricedModel);
    return record;
  });
  return { records, unpricedModels: [...unpriced].sort() };
}
