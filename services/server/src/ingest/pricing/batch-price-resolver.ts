import type { ModelPrice, PriceCatalog } from '@costscope/core';
import type { ResolvePrice } from './price-normalized-call.js';

/**
 * `catalog.resolve` memoized for one batch of calls between `from` and `to`. Resolving a model
 * name (normalizing its spelling, walking its price timeline) is the most expensive step of
 * pricing, and a request's hundreds of calls name a handful of models within seconds.
 *
 * Why the shortcut is exact: the price in force is the latest version (override first, else
 * catalog) whose start is ≤ the call's time, and versions never end, only get superseded. So when
 * the same version is in force at both ends of the batch's time range, no other version starts
 * inside it and every call in between gets that version too. Otherwise (a price change inside the
 * range, or no price at one end) each call is resolved on its own.
 */
export function batchPriceResolver(catalog: PriceCatalog, from: Date, to: Date): ResolvePrice {
  const steady = new Map<string, ModelPrice | null>();
  return (model, at) => {
    let price = steady.get(model);
    if (price === undefined) {
      const first = catalog.resolve(model, from);
      const last = catalog.resolve(model, to);
      price = first && last && first.priceVersion === last.priceVersion ? first : null;
      steady.set(model, price);
    }
    if (price && at.getTime() >= from.getTime() && at.getTime() <= to.getTime()) return price;
    return catalog.resolve(model, at);
  };
}
