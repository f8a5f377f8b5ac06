import type { LlmCallRecord, PriceCatalog } from '@costscope/core';
import { catalogCosts } from './price-normalized-call.js';

export type RepricedRecords = {
  /** Every input record, re-priced; same order. */
  records: LlmCallRecord[];
  /** How many records' cost or price version changed (what a re-price of a range reports). */
  changed: number;
  unpricedModels: string[];
};

/**
 * Applies current prices (catalog + the project's overrides, as `catalog`) to stored calls, e.g.
 * after an override for past dates is saved. Caller-reported costs are the caller's figure and
 * stay as they were. Pure: storage reads the date range, calls this, and writes back the records
 * (same trace and span ids, so its dedup replaces the old rows).
 */
export function repriceRecords(records: readonly LlmCallRecord[], catalog: PriceCatalog): RepricedRecords {
  const unpriced = new Set<string>();
  let changed = 0;
  const repriced = records.map((record) => {
    if (record.costStatus === 'reported') return record;
    const { costs, unpricedModel } = catalogCosts(record, (model, at) => catalog.resolve(model, at));
    if (unpricedModel !== null) unpriced.add(unpricedModel);
    if (costs.totalCostUsd !== record.totalCostUsd || costs.priceVersion !== record.priceVersion || costs.costStatus !== record.costStatus) {
      changed += 1;
    }
    return { ...record, ...costs };
  });
  return { records: repriced, changed, unpricedModels: [...unpriced].sort() };
}
