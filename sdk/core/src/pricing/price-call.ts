import type { ModelPrice, PriceCatalog } from '../catalog/price-catalog.js';
import type { UsdAtto } from './money.js';
import { checkedUsage, type TokenUsage } from './token-usage.js';

/** What one call cost, part by part. `totalUsd` is the exact sum of the four parts. */
export type CostBreakdown = {
  freshInputUsd: UsdAtto;
  cacheReadUsd: UsdAtto;
  cacheWriteUsd: UsdAtto;
  outputUsd: UsdAtto;
  totalUsd: UsdAtto;
};

export type PricedCall = {
  status: 'priced';
  modelId: string;
  priceVersion: string;
  batch: boolean;
  /** Whether the batch discount was applied (false when the model has no batch API). */
  batchDiscountApplied: boolean;
  breakdown: CostBreakdown;
};

export type UnpricedCall = {
  status: 'unpriced';
  model: string;
  /** Why no price applies; stored and listed so a team can add an override. */
  reason: 'unknown_model' | 'no_price_at_time';
};

export type CallCost = PricedCall | UnpricedCall;

export type CallToPrice = {
  model: string;
  usage: TokenUsage;
  /** The call's time: it picks the price version in force. */
  at: Date;
  batch?: boolean;
};

const TOKENS_PER_MILLION = 1_000_000n;
const TOKENS_PER_MILLION_TIMES_100 = TOKENS_PER_MILLION * 100n;

/**
 * Prices one call by the money rules: fresh input at the input price, cache reads at the cached
 * price (the input price when the model lists none), cache writes at the cache-write price (the
 * input price when the provider does not bill writes), output (reasoning included) at the output
 * price, and the batch discount on every part of a batch call.
 *
 * Exact: prices carry at most nine decimals per million tokens, so each part is a whole number of
 * atto-dollars and no division here leaves a remainder.
 */
export function priceUsage(price: ModelPrice, usage: TokenUsage, options: { batch?: boolean } = {}): PricedCall {
  const tokens = checkedUsage(usage);
  const batch = options.batch ?? false;
  const batchDiscountApplied = batch && price.batchDiscountPercent !== null;
  const payablePercent = BigInt(100 - (batchDiscountApplied ? (price.batchDiscountPercent ?? 0) : 0));
  // At the full price (the common case) the percentage cancels out: (n × p × 100) / (10⁶ × 100)
  // is exactly (n × p) / 10⁶, with two bigint operations fewer per part. A zero count costs zero.
  const cost =
    payablePercent === 100n
      ? (count: number, perMillion: UsdAtto): UsdAtto => (count === 0 ? 0n : (BigInt(count) * perMillion) / TOKENS_PER_MILLION)
      : (count: number, perMillion: UsdAtto): UsdAtto => (BigInt(count) * perMillion * payablePercent) / TOKENS_PER_MILLION_TIMES_100;

  const freshInputTokens = tokens.inputTokens - tokens.cacheReadInputTokens - tokens.cacheWriteInputTokens;
  const freshInputUsd = cost(freshInputTokens, price.inputPerMillion);
  const cacheReadUsd = cost(tokens.cacheReadInputTokens, price.cachedInputPerMillion ?? price.inputPerMillion);
  const cacheWriteUsd = cost(tokens.cacheWriteInputTokens, price.cacheWritePerMillion ?? price.inputPerMillion);
  const outputUsd = cost(tokens.outputTokens, price.outputPerMillion);

  return {
    status: 'priced',
    modelId: price.modelId,
    priceVersion: price.priceVersion,
    batch,
    batchDiscountApplied,
    breakdown: {
      freshInputUsd,
      cacheReadUsd,
      cacheWriteUsd,
      outputUsd,
      totalUsd: freshInputUsd + cacheReadUsd + cacheWriteUsd + outputUsd,
    },
  };
}

/** Resolves the price in force for the call's model and time, then prices it. */
export function priceCall(catalog: PriceCatalog, call: CallToPrice): CallCost {
  // Validate before resolving, so bad counts fail the same way for known and unknown models.
  checkedUsage(call.usage);
  const price = catalog.resolve(call.model, call.at);
  if (!price) {
    const knownLater = catalog.resolve(call.model, new Date(8.64e15));
    return { status: 'unpriced', model: call.model, reason: knownLater ? 'no_price_at_time' : 'unknown_model' };
  }
  return priceUsage(price, call.usage, { batch: call.batch ?? false });
}
