import { PRICE_CATALOG, createPriceCatalog, parseUsd, priceCall } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import type { CostRow } from '@/lib/api/types';
import {
  ARTICLE_EXAMPLES,
  cachedSharePercent,
  cachedTokensForShare,
  compareModels,
  featureUsageFromCosts,
  parseCount,
  scaleCallCost,
  scenarioProblems,
  type CalculatorScenario,
} from '@/lib/shape/calculator';

const at = new Date('2026-11-20T12:00:00Z');
const catalog = createPriceCatalog();
const example = (id: string): CalculatorScenario => {
  const found = ARTICLE_EXAMPLES.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no example ${id}`);
  return found.scenario;
};
const rowOf = (scenario: CalculatorScenario, modelId: string, pricing = catalog) => {
  const row = compareModels(pricing, scenario, at).rows.find((candidate) => candidate.modelId === modelId);
  if (!row) throw new Error(`no row for ${modelId}`);
  return row;
};

describe('the article’s worked examples', () => {
  it('1M reviews a month on GPT-5 (200 in / 100 out): $1,250 real-time, $625 on the Batch API', () => {
    const gpt5 = rowOf(example('batch-reviews'), 'gpt-5');
    expect(gpt5.perCallUsd).toBe('0.00125');
    expect(gpt5.perMonthUsd).toBe('1250.00');
    expect(gpt5.batchPerMonthUsd).toBe('625.00');
  });

  it('the support chatbot all on GPT-5 (100K × 500 in / 300 out): $362.50 a month, the article’s $362', () => {
    const comparison = compareModels(catalog, example('support-chatbot'), at);
    expect(comparison.baseline).toMatchObject({ model: 'gpt-5', status: 'priced', perMonthUsd: '362.50' });
    const gpt5 = comparison.rows.find((row) => row.modelId === 'gpt-5');
    expect(gpt5).toMatchObject({ perMonthUsd: '362.50', changePerMonthUsd: '0.00' });
    // GPT-5 nano at $0.05/$0.40: 100K × (500 × 0.05 + 300 × 0.40) / 10⁶ = $14.50, $348 less.
    expect(comparison.rows.find((row) => row.modelId === 'gpt-5-nano')).toMatchObject({ perMonthUsd: '14.50', changePerMonthUsd: '-348.00' });
  });

  it('a 2,000-token cached prompt at 50,000 calls a day on Claude Sonnet 4.6: $30 a day instead of $300, $8,100 a month saved', () => {
    const sonnet = rowOf(example('cached-prompt'), 'claude-sonnet-4-6');
    expect(sonnet.perDayUsd).toBe('30.00');
    expect(sonnet.perMonthUsd).toBe('900.00');
    expect(sonnet.uncachedPerMonthUsd).toBe('9000.00');
    expect(sonnet.cachingSavesPerMonthUsd).toBe('8100.00');
  });
});

describe(compareModels.name, () => {
  const scenario: CalculatorScenario = { inputTokens: 1800, cachedTokens: 720, outputTokens: 350, calls: 1234, per: 'day', compareWith: 'gpt-5-mini' };

  it('prices every catalog model exactly as core prices one call, scaled by whole calls', () => {
    const { rows } = compareModels(catalog, scenario, at);
    expect(rows).toHaveLength(PRICE_CATALOG.length);
    for (const row of rows) {
      const call = priceCall(catalog, {
        model: row.modelId,
        usage: { inputTokens: 1800, cacheReadInputTokens: 720, outputTokens: 350 },
        at,
      });
      if (call.status !== 'priced') throw new Error(`${row.modelId} unpriced`);
      expect(parseUsd(row.perCallUsd)).toBe(call.breakdown.totalUsd);
      expect(parseUsd(row.perDayUsd)).toBe(call.breakdown.totalUsd * 1234n);
      expect(parseUsd(row.perMonthUsd)).toBe(call.breakdown.totalUsd * 1234n * 30n);
    }
  });

  it('sorts by the month, cheapest first, and marks the cheapest model of each tier', () => {
    const { rows } = compareModels(catalog, scenario, at);
    const months = rows.map((row) => parseUsd(row.perMonthUsd));
    expect([...months].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(months);
    const cheapest = rows.filter((row) => row.cheapestInTier);
    expect(new Set(cheapest.map((row) => row.tier)).size).toBe(cheapest.length);
    for (const row of cheapest) {
      const sameTier = rows.filter((other) => other.tier === row.tier);
      expect(sameTier[0]).toBe(row);
    }
  });

  it('shows no batch figure for a model without a batch API, and the same month when nothing is cached', () => {
    const noBatch = PRICE_CATALOG.find((model) => model.prices.at(-1)?.batchDiscountPercent === null);
    const uncachedScenario = { ...scenario, cachedTokens: 0 };
    for (const row of compareModels(catalog, uncachedScenario, at).rows) {
      expect(row.uncachedPerMonthUsd).toBe(row.perMonthUsd);
      if (row.modelId === noBatch?.id) expect(row.batchPerMonthUsd).toBeNull();
    }
  });

  it('applies the project’s price overrides, and lists a model only an override knows', () => {
    const overridden = createPriceCatalog({
      overrides: [
        { model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1.00', outputPerMillion: '8.00', batchDiscountPercent: 50 },
        { model: 'acme-llm-1', effectiveFrom: '2026-01-01', inputPerMillion: '0.10', outputPerMillion: '0.20' },
      ],
    });
    const chatbot = example('support-chatbot');
    // 100K × (500 × 1.00 + 300 × 8.00) / 10⁶ = $290.
    expect(rowOf(chatbot, 'gpt-5', overridden)).toMatchObject({ perMonthUsd: '290.00', source: 'override' });
    expect(rowOf(chatbot, 'acme-llm-1', overridden)).toMatchObject({ perMonthUsd: '11.00', tier: null, cheapestInTier: true, batchPerMonthUsd: null });
  });

  it('says the compared model is unpriced instead of comparing with $0', () => {
    const comparison = compareModels(catalog, { ...scenario, compareWith: 'acme-llm-1' }, at);
    expect(comparison.baseline).toEqual({ model: 'acme-llm-1', status: 'unpriced' });
    expect(comparison.rows.every((row) => row.changePerMonthUsd === null)).toBe(true);
  });
});

describe(scaleCallCost.name, () => {
  it('scales calls per day to a 30-day month, and a month of calls back to a day', () => {
    expect(scaleCallCost(7n, 10, 'day')).toEqual({ perDay: 70n, perMonth: 2100n });
    expect(scaleCallCost(7n, 3000, 'month')).toEqual({ perDay: 700n, perMonth: 21000n });
  });
});

describe('scenario input', () => {
  it('reads counts with thousands separators and refuses anything else', () => {
    expect(parseCount('1,000,000')).toBe(1_000_000);
    expect(parseCount(' 250 ')).toBe(250);
    expect(parseCount('12.5')).toBeUndefined();
    expect(parseCount('-3')).toBeUndefined();
    expect(parseCount('')).toBeUndefined();
  });

  it('names the field that stops the pricing', () => {
    expect(scenarioProblems({ inputTokens: 100, cachedTokens: 200, outputTokens: 0, calls: 1 })).toEqual([
      { field: 'cachedTokens', message: expect.stringContaining('at most the input tokens') },
    ]);
    expect(scenarioProblems({ inputTokens: Number.NaN, cachedTokens: 0, outputTokens: 0, calls: 1 })[0]?.field).toBe('inputTokens');
    expect(scenarioProblems({ inputTokens: 1, cachedTokens: 0, outputTokens: 1, calls: 1 })).toEqual([]);
  });

  it('turns a cached share into whole tokens and back', () => {
    expect(cachedTokensForShare(1800, 40)).toBe(720);
    expect(cachedTokensForShare(1800, 140)).toBe(1800);
    expect(cachedSharePercent(1800, 720)).toBe(40);
    expect(cachedSharePercent(0, 0)).toBe(0);
  });
});

describe(featureUsageFromCosts.name, () => {
  const figures = { errors: 0, unpricedRequests: 0, costPerSuccessUsd: null };
  const byFeature: CostRow[] = [
    { feature: 'search', costUsd: '1.50', requests: 900, inputTokens: 1_080_450, cachedInputTokens: 216_000, outputTokens: 108_100, ...figures },
    { feature: 'support-chat', costUsd: '12.25', requests: 1200, inputTokens: 2_160_000, cachedInputTokens: 864_000, outputTokens: 420_000, ...figures },
    { feature: '', costUsd: '0.10', requests: 5, inputTokens: 500, cachedInputTokens: 0, outputTokens: 50, ...figures },
  ];
  const byFeatureAndModel: CostRow[] = [
    { feature: 'support-chat', model: 'gpt-5', costUsd: '8.00', requests: 360, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, ...figures },
    { feature: 'support-chat', model: 'gpt-5-mini', costUsd: '4.25', requests: 840, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, ...figures },
    { feature: 'search', model: 'gpt-4.1-mini', costUsd: '1.50', requests: 900, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, ...figures },
  ];

  it('averages tokens per call in whole tokens, counts a month of calls, and picks the model most calls used', () => {
    expect(featureUsageFromCosts(byFeature, byFeatureAndModel)).toEqual([
      { feature: 'support-chat', inputTokens: 1800, cachedTokens: 720, outputTokens: 350, callsPerMonth: 1200, topModel: 'gpt-5-mini', costUsd: '12.25', unpricedRequests: 0 },
      { feature: 'search', inputTokens: 1201, cachedTokens: 240, outputTokens: 120, callsPerMonth: 900, topModel: 'gpt-4.1-mini', costUsd: '1.50', unpricedRequests: 0 },
    ]);
  });
});
