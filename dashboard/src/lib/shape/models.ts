import { modelNameKey, parseUsd, usdToExactString } from '@costscope/core';
import type { CostRow, PriceAnswer, PricesAnswer } from '../api/types';

/**
 * The Models page's shaping: cost per model and provider beside the prices in force, with the
 * models no price applied to first (their calls are stored with no cost: never a plain $0).
 */

/**
 * What one priced call cost on average, exact: the cost over the calls a price applied to.
 * Unpriced calls are left out of the denominator (they carry no cost, and would pull the average
 * down); null when no call was priced.
 */
export function costPerPricedCall(costUsd: string, requests: number, unpricedRequests: number): string | null {
  const priced = requests - unpricedRequests;
  if (priced <= 0) return null;
  return usdToExactString(parseUsd(costUsd) / BigInt(priced));
}

/** Settings' price form, told which model to prefill. */
export function addPriceHref(model: string): string {
  return `/settings?model=${encodeURIComponent(model)}#prices`;
}

export type PricingState = 'unpriced' | 'partly-unpriced' | 'priced';

export type ModelCostRow = {
  model: string;
  provider: string;
  costUsd: string;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  unpricedRequests: number;
  costPerCallUsd: string | null;
  costPerSuccessUsd: string | null;
  pricing: PricingState;
  /** The price version in force now for this model, when the catalog or an override has one. */
  priceVersion: string | null;
  priceSource: string | null;
  addPriceHref: string;
};

function pricingState(row: Pick<CostRow, 'requests' | 'unpricedRequests'>): PricingState {
  if (row.unpricedRequests <= 0) return 'priced';
  return row.unpricedRequests >= row.requests ? 'unpriced' : 'partly-unpriced';
}

const PRICING_ORDER: Record<PricingState, number> = { unpriced: 0, 'partly-unpriced': 1, priced: 2 };

/** A model's price, matched as the pricing does (`gpt-5-2025-08-07` and `openai/gpt-5` are GPT-5). */
export function priceIndex(prices: readonly PriceAnswer[]): (model: string) => PriceAnswer | undefined {
  const byKey = new Map(prices.map((price) => [modelNameKey(price.model), price]));
  return (model) => byKey.get(modelNameKey(model));
}

/**
 * Rows of `/api/v1/costs?groupBy=model,provider` → the models table: models with unpriced calls
 * first (wholly unpriced, then partly; most unpriced calls first), then by cost, highest first.
 */
export function modelCostRows(rows: readonly CostRow[], prices: readonly PriceAnswer[]): ModelCostRow[] {
  const priceOf = priceIndex(prices);
  const shaped = rows.map((row): ModelCostRow => {
    const model = row.model ?? '';
    const price = model ? priceOf(model) : undefined;
    return {
      model,
      provider: row.provider ?? '',
      costUsd: row.costUsd,
      requests: row.requests,
      errors: row.errors,
      inputTokens: row.inputTokens,
      cachedInputTokens: row.cachedInputTokens,
      outputTokens: row.outputTokens,
      unpricedRequests: row.unpricedRequests,
      costPerCallUsd: costPerPricedCall(row.costUsd, row.requests, row.unpricedRequests),
      costPerSuccessUsd: row.costPerSuccessUsd,
      pricing: pricingState(row),
      priceVersion: price?.priceVersion ?? null,
      priceSource: price?.source ?? null,
      addPriceHref: addPriceHref(model),
    };
  });
  return shaped.sort((a, b) => {
    const byPricing = PRICING_ORDER[a.pricing] - PRICING_ORDER[b.pricing];
    if (byPricing !== 0) return byPricing;
    if (a.unpricedRequests !== b.unpricedRequests) return b.unpricedRequests - a.unpricedRequests;
    const byCost = parseUsd(b.costUsd) - parseUsd(a.costUsd);
    if (byCost !== 0n) return byCost > 0n ? 1 : -1;
    return a.model.localeCompare(b.model);
  });
}

export type UnpricedModel = {
  model: string;
  provider: string | null;
  /** Calls in the page's range no price applied to (0 when only seen earlier in the last 30 days). */
  unpricedInRange: number;
  /** Calls of the last 30 days no price applied to, as `/api/v1/prices` counts them. */
  unpricedLast30Days: number | null;
  lastSeen: string | null;
  addPriceHref: string;
};

/**
 * Every model that needs a price: those with unpriced calls in the range, and those the prices
 * endpoint lists for the last 30 days (a model may be missing from a short range and still need
 * a price). Most unpriced calls first.
 */
export function unpricedModels(rows: readonly CostRow[], listed: PricesAnswer['unpricedModels']): UnpricedModel[] {
  const byModel = new Map<string, UnpricedModel>();
  for (const row of rows) {
    if (!row.model || row.unpricedRequests <= 0) continue;
    const entry = byModel.get(row.model);
    if (entry) entry.unpricedInRange += row.unpricedRequests;
    else {
      byModel.set(row.model, {
        model: row.model,
        provider: row.provider ?? null,
        unpricedInRange: row.unpricedRequests,
        unpricedLast30Days: null,
        lastSeen: null,
        addPriceHref: addPriceHref(row.model),
      });
    }
  }
  for (const { model, requests, lastSeen } of listed) {
    const entry = byModel.get(model) ?? { model, provider: null, unpricedInRange: 0, unpricedLast30Days: null, lastSeen: null, addPriceHref: addPriceHref(model) };
    entry.unpricedLast30Days = requests;
    entry.lastSeen = lastSeen;
    byModel.set(model, entry);
  }
  return [...byModel.values()].sort(
    (a, b) => b.unpricedInRange - a.unpricedInRange || (b.unpricedLast30Days ?? 0) - (a.unpricedLast30Days ?? 0) || a.model.localeCompare(b.model),
  );
}

export type PriceRow = PriceAnswer & {
  /** Whether the model had calls in the page's range (those prices are listed first). */
  usedInRange: boolean;
  isOverride: boolean;
};

/** The prices in force: models used in the range first, then by provider and model. */
export function priceRows(prices: readonly PriceAnswer[], rows: readonly CostRow[]): PriceRow[] {
  const used = new Set(rows.flatMap((row) => (row.model ? [modelNameKey(row.model)] : [])));
  return prices
    .map((price) => ({ ...price, usedInRange: used.has(modelNameKey(price.model)), isOverride: price.source !== 'catalog' }))
    .sort((a, b) => Number(b.usedInRange) - Number(a.usedInRange) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

/**
 * Whether a range starts within the raw retention (`retentionDays` back from now): only calls
 * still stored one by one can be re-priced, and the API refuses a range starting earlier.
 */
export function repriceWindow(range: { from: Date; to: Date }, retentionDays: number, now: Date): { retainedFrom: Date; startsBeforeRetention: boolean } {
  const retainedFrom = new Date(now.getTime() - retentionDays * 86_400_000);
  return { retainedFrom, startsBeforeRetention: range.from < retainedFrom };
}
