import { createPriceCatalog, priceCall, type PriceCatalog, type UsdAtto } from '@costscope/core';
import type { CallUsage } from './example-app.js';

/** What the demo sent for one model (and batch flag): the figures Costscope should show for it. */
export type ModelTally = {
  /** The model Costscope groups by: the one that answered, or the one asked for when the attempt failed. */
  model: string;
  batch: boolean;
  calls: number;
  errors: number;
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  costUsd: UsdAtto;
};

/** One attempt as a span records it: usage only when the provider answered. */
export type TalliedAttempt = { model: string; batch: boolean; at: Date; usage: CallUsage | undefined };

/**
 * Counts and prices what the demo sends, by the same catalog the server prices with, so the demo
 * can say what it sent in dollars (the end-to-end test prices the same counts on its own).
 */
export class CallTally {
  private readonly byModel = new Map<string, ModelTally>();
  private readonly catalog: PriceCatalog;

  constructor(catalog: PriceCatalog = createPriceCatalog()) {
    this.catalog = catalog;
  }

  /** Adds one attempt; returns what it cost (zero for a refused attempt, which is not billed). */
  add(attempt: TalliedAttempt): UsdAtto {
    const key = `${attempt.model}\u0000${attempt.batch}`;
    let tally = this.byModel.get(key);
    if (!tally) {
      tally = { model: attempt.model, batch: attempt.batch, calls: 0, errors: 0, inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0, costUsd: 0n };
      this.byModel.set(key, tally);
    }
    tally.calls += 1;
    if (attempt.usage === undefined) {
      tally.errors += 1;
      return 0n;
    }
    tally.inputTokens += attempt.usage.inputTokens;
    tally.cacheReadInputTokens += attempt.usage.cacheReadInputTokens;
    tally.cacheWriteInputTokens += attempt.usage.cacheWriteInputTokens;
    tally.outputTokens += attempt.usage.outputTokens;
    const cost = callCost(this.catalog, attempt);
    tally.costUsd += cost;
    return cost;
  }

  models(): ModelTally[] {
    return [...this.byModel.values()].sort((a, b) => a.model.localeCompare(b.model) || Number(a.batch) - Number(b.batch));
  }

  get calls(): number {
    return this.models().reduce((sum, tally) => sum + tally.calls, 0);
  }

  get costUsd(): UsdAtto {
    return this.models().reduce((sum, tally) => sum + tally.costUsd, 0n);
  }
}

export function callCost(catalog: PriceCatalog, attempt: TalliedAttempt): UsdAtto {
  if (attempt.usage === undefined) return 0n;
  const priced = priceCall(catalog, { model: attempt.model, usage: attempt.usage, at: attempt.at, batch: attempt.batch });
  // Every model of the example app is in the catalog; an unpriced one would be a bug here.
  if (priced.status !== 'priced') throw new Error(`the demo's model ${attempt.model} has no price in the catalog`);
  return priced.breakdown.totalUsd;
}
