import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRICE_CATALOG, createPriceCatalog, priceCall, priceUsage, type PricedCall, type TokenUsage } from '../src/index.js';

const catalog = createPriceCatalog();
const at = new Date('2026-11-01T00:00:00Z');
const modelIds = PRICE_CATALOG.map((m) => m.id);

/** Usage shaped like real calls: cached and reasoning parts are subsets of their wholes. */
const usageArb: fc.Arbitrary<TokenUsage> = fc
  .record({
    inputTokens: fc.integer({ min: 0, max: 2_000_000_000 }),
    readShare: fc.double({ min: 0, max: 1, noNaN: true }),
    writeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    outputTokens: fc.integer({ min: 0, max: 500_000_000 }),
    reasoningShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ inputTokens, readShare, writeShare, outputTokens, reasoningShare }) => {
    const cacheReadInputTokens = Math.floor(inputTokens * readShare);
    const cacheWriteInputTokens = Math.floor((inputTokens - cacheReadInputTokens) * writeShare);
    return {
      inputTokens,
      cacheReadInputTokens,
      cacheWriteInputTokens,
      outputTokens,
      reasoningTokens: Math.floor(outputTokens * reasoningShare),
    };
  });

function total(model: string, usage: TokenUsage, batch = false): bigint {
  const cost = priceCall(catalog, { model, usage, at, batch }) as PricedCall;
  expect(cost.status).toBe('priced');
  return cost.breakdown.totalUsd;
}

describe('cost math properties', () => {
  it('never prices a call below zero, and the parts add up to the total', () => {
    fc.assert(
      fc.property(fc.constantFrom(...modelIds), usageArb, fc.boolean(), (model, usage, batch) => {
        const cost = priceCall(catalog, { model, usage, at, batch }) as PricedCall;
        const { freshInputUsd, cacheReadUsd, cacheWriteUsd, outputUsd, totalUsd } = cost.breakdown;
        for (const part of [freshInputUsd, cacheReadUsd, cacheWriteUsd, outputUsd]) expect(part >= 0n).toBe(true);
        expect(freshInputUsd + cacheReadUsd + cacheWriteUsd + outputUsd).toBe(totalUsd);
      }),
    );
  });

  it('costs more (or the same) with more input or output tokens', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...modelIds),
        usageArb,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (model, usage, extraInput, extraOutput) => {
          const more = { ...usage, inputTokens: usage.inputTokens + extraInput, outputTokens: usage.outputTokens + extraOutput };
          expect(total(model, more) >= total(model, usage)).toBe(true);
        },
      ),
    );
  });

  it('never charges more for a cached read than for the same token fresh', () => {
    fc.assert(
      fc.property(fc.constantFrom(...modelIds), usageArb, (model, usage) => {
        const uncached = { ...usage, cacheReadInputTokens: 0 };
        expect(total(model, usage) <= total(model, uncached)).toBe(true);
      }),
    );
  });

  it('halves every part of a batch call where the provider gives the 50% discount', () => {
    fc.assert(
      fc.property(fc.constantFrom(...modelIds), usageArb, (model, usage) => {
        const price = catalog.resolve(model, at)!;
        const realTime = priceUsage(price, usage);
        const batch = priceUsage(price, usage, { batch: true });
        const expected = price.batchDiscountPercent === 50 ? realTime.breakdown.totalUsd / 2n : realTime.breakdown.totalUsd;
        expect(batch.breakdown.totalUsd).toBe(expected);
      }),
    );
  });

  it('is exact: N calls cost N times one call, with no rounding left over', () => {
    fc.assert(
      fc.property(fc.constantFrom(...modelIds), usageArb, fc.integer({ min: 1, max: 10_000 }), (model, usage, n) => {
        const scale = (tokens = 0) => tokens * n;
        const scaled: TokenUsage = {
          inputTokens: scale(usage.inputTokens),
          cacheReadInputTokens: scale(usage.cacheReadInputTokens),
          cacheWriteInputTokens: scale(usage.cacheWriteInputTokens),
          outputTokens: scale(usage.outputTokens),
          reasoningTokens: scale(usage.reasoningTokens),
        };
        expect(total(model, scaled)).toBe(total(model, usage) * BigInt(n));
      }),
    );
  });
});
