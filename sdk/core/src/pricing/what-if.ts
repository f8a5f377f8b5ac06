import type { PriceCatalog } from '../catalog/price-catalog.js';
import type { UsdAtto } from './money.js';
import { priceCall, type CallCost, type CallToPrice } from './price-call.js';

export type WhatIfComparison = {
  current: CallCost;
  alternative: CallCost;
  /** current − alternative; `null` when either side is unpriced. Negative: the switch costs more. */
  savingsUsd: UsdAtto | null;
};

/**
 * Prices the same usage under another model, as a routing insight asks: "these calls on GPT-5,
 * what would they have cost on GPT-5 mini?". Tokens are taken as they are — the alternative's
 * tokenizer may count differently, which the caller should say when it shows the figure. Cache
 * reads keep their cached price when the alternative lists one, else they bill as input.
 */
export function priceUsageAs(catalog: PriceCatalog, call: CallToPrice, alternativeModel: string): WhatIfComparison {
  const current = priceCall(catalog, call);
  const alternative = priceCall(catalog, { ...call, model: alternativeModel });
  const savingsUsd =
    current.status === 'priced' && alternative.status === 'priced'
      ? current.breakdown.totalUsd - alternative.breakdown.totalUsd
      : null;
  return { current, alternative, savingsUsd };
}
