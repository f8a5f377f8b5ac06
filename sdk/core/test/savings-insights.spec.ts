import { describe, expect, it } from 'vitest';
import {
  createPriceCatalog,
  findSavingsInsights,
  fineTunedCost,
  formatUsd,
  parseUsd,
  projectSavings,
  usdToExactString,
  type FeatureModelUsage,
  type Insight,
  type InsightInputs,
  type UsageTotals,
} from '../src/index.js';

const catalog = createPriceCatalog();
const DAY_MS = 86_400_000;
const to = new Date('2026-11-29T00:00:00.000Z');
/** Thirty days: a month's figures come out as they went in. */
const from = new Date(to.getTime() - 30 * DAY_MS);

const noCalls: UsageTotals = { calls: 0, inputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0 };

function totals(calls: number, inputPerCall: number, outputPerCall: number): UsageTotals {
  return { calls, inputTokens: calls * inputPerCall, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: calls * outputPerCall };
}

/** A feature whose every call is alike, with nothing that would raise an insight but what the test sets. */
function usage(feature: string, model: string, realTime: UsageTotals, more: Partial<FeatureModelUsage> = {}): FeatureModelUsage {
  const outputPerCall = realTime.calls === 0 ? 0 : realTime.outputTokens / realTime.calls;
  return {
    feature,
    model,
    costUsd: 0n,
    realTime,
    batched: noCalls,
    deferrable: noCalls,
    nightlyCalls: 0,
    callsWithoutMaxTokens: 0,
    outputTokensMedian: outputPerCall,
    outputTokensP95: outputPerCall,
    outputTokensAboveCap: 0,
    callsAboveCap: 0,
    firstHalf: { calls: 0, inputTokens: 0 },
    secondHalf: { calls: 0, inputTokens: 0 },
    ...more,
  };
}

function inputs(more: Partial<InsightInputs>): InsightInputs {
  return { from, to, spendUsd: 0n, usage: [], prefixes: [], repeats: [], ...more };
}

function only(found: Insight[], strategy: Insight['strategy']): Insight {
  const matching = found.filter((insight) => insight.strategy === strategy);
  expect(matching).toHaveLength(1);
  return matching[0] as Insight;
}

describe('savings insights: the article’s worked examples', () => {
  it('prompt caching: a 2,000-token prefix at 50,000 requests a day on Claude Sonnet 4.6 saves $8,100 a month', () => {
    const calls = 50_000 * 30;
    const { insights } = findSavingsInsights(
      inputs({ prefixes: [{ feature: 'support', model: 'claude-sonnet-4-6', prefixHash: 'a1', calls, uncachedCalls: calls, minInputTokens: 2_000, cacheWindows: 0 }] }),
      catalog,
    );
    const insight = only(insights, 'prompt-caching');
    expect(formatUsd(insight.monthlySavingUsd)).toBe('$8,100.00');
    expect(insight.evidence.figures['uncachedPrefixTokens']).toBe(3_000_000_000);
    expect(insight.id).toBe('prompt-caching:support:claude-sonnet-4-6');
  });

  it('prompt caching counts the cache writes: one per five-minute window, at $3.75/M instead of read at $0.30/M', () => {
    const calls = 50_000 * 30;
    const windows = 288 * 30;
    const { insights } = findSavingsInsights(
      inputs({ prefixes: [{ feature: 'support', model: 'claude-sonnet-4-6', prefixHash: 'a1', calls, uncachedCalls: calls, minInputTokens: 2_000, cacheWindows: windows }] }),
      catalog,
    );
    // (1,500,000 − 8,640) reads × 2,000 × $2.70/M − 8,640 writes × 2,000 × $0.75/M = 8,053.344 − 12.96
    expect(usdToExactString(only(insights, 'prompt-caching').monthlySavingUsd)).toBe('8040.384');
  });

  it('batching: 1M reviews a month on GPT-5 (200 in / 100 out) cost $1,250 real-time, $625 through the Batch API', () => {
    const reviews = totals(1_000_000, 200, 100);
    const { insights } = findSavingsInsights(inputs({ usage: [usage('reviews', 'gpt-5', reviews, { deferrable: reviews })] }), catalog);
    const insight = only(insights, 'batching');
    expect(insight.evidence.figures).toMatchObject({ realTimeCostUsd: '1250.00', batchCostUsd: '625.00', batchDiscountPercent: 50 });
    expect(formatUsd(insight.monthlySavingUsd)).toBe('$625.00');
  });

  it('model routing: 100K support requests (500 in / 300 out) cost $362.50 on GPT-5 and $72.50 one tier down, on GPT-5 mini', () => {
    const { insights } = findSavingsInsights(inputs({ usage: [usage('support', 'gpt-5-2025-08-07', totals(100_000, 500, 300))] }), catalog);
    const insight = only(insights, 'model-routing');
    expect(insight.evidence.figures).toMatchObject({
      alternativeModel: 'gpt-5-mini',
      currentTier: 'flagship',
      alternativeTier: 'efficient',
      currentCostUsd: '362.50',
      alternativeCostUsd: '72.50',
    });
    expect(usdToExactString(insight.monthlySavingUsd)).toBe('290.00');
    expect(insight.caveat).toMatch(/quality/);
  });

  it('fine-tuning: 50K classifications a month cost $562 on GPT-5 (1,500 in) and $20 on a fine-tuned GPT-4.1 mini (200 in / 200 out)', () => {
    // The article's $562 needs about 937 output tokens per call on GPT-5; its $20 prices 200 out.
    const onGpt5 = totals(50_000, 1_500, 937);
    const tuned = catalog.resolve('gpt-4.1-mini', to);
    if (tuned === undefined) throw new Error('gpt-4.1-mini is in the catalog');
    expect(formatUsd(fineTunedCost(tuned, 50_000, 50_000 * 200))).toBe('$20.00');

    const { insights } = findSavingsInsights(
      inputs({ usage: [usage('classify', 'gpt-5', onGpt5, { firstHalf: { calls: 25_000, inputTokens: 37_500_000 }, secondHalf: { calls: 25_000, inputTokens: 37_500_000 } })] }),
      catalog,
    );
    const insight = only(insights, 'fine-tuning');
    // Same answers on the fine-tuned model: 10M × $0.40/M + 46.85M × $1.60/M = $78.96.
    expect(insight.evidence.figures).toMatchObject({ currentCostUsd: '562.25', fineTunedCostUsd: '78.96' });
    expect(usdToExactString(insight.monthlySavingUsd)).toBe('483.29');
  });

  it('output caps: 500 extra output tokens per request at 10,000 requests a day on GPT-5 waste $1,500 a month', () => {
    const calls = 10_000 * 30;
    const { insights } = findSavingsInsights(
      inputs({
        usage: [
          usage('onboarding', 'gpt-5', totals(calls, 300, 700), {
            outputTokensMedian: 200,
            outputTokensP95: 700,
            outputTokensAboveCap: calls * 500,
            callsAboveCap: calls,
          }),
        ],
      }),
      catalog,
    );
    const insight = only(insights, 'output-caps');
    expect(insight.evidence.figures['suggestedMaxTokens']).toBe(400);
    expect(formatUsd(insight.monthlySavingUsd)).toBe('$1,500.00');
  });

  it('the projection: $3,000 a month through routing, caching, output control, batching and semantic caching leaves $1,140', () => {
    const insight = (strategy: Insight['strategy'], saving: string): Insight => ({
      id: `${strategy}:app:gpt-5`,
      strategy,
      title: '',
      feature: 'app',
      endpoint: '',
      model: 'gpt-5',
      evidence: { summary: '', figures: {}, from: from.toISOString(), to: to.toISOString() },
      monthlySavingUsd: parseUsd(saving),
      confidence: 'medium',
      caveat: '',
    });
    // Each measured alone on the whole $3,000: 40%, 15%, 10%, 8%, 10%.
    const projection = projectSavings(parseUsd('3000'), new Map([['app\u0000gpt-5', parseUsd('3000')]]), [
      insight('response-caching', '300'),
      insight('batching', '240'),
      insight('output-caps', '300'),
      insight('prompt-caching', '450'),
      insight('model-routing', '1200'),
    ]);
    expect(projection.steps.map((step) => [step.strategy, usdToExactString(step.savingUsd), usdToExactString(step.remainingUsd)])).toEqual([
      ['model-routing', '1200.00', '1800.00'],
      ['prompt-caching', '270.00', '1530.00'],
      ['output-caps', '153.00', '1377.00'],
      ['batching', '110.16', '1266.84'],
      ['response-caching', '126.684', '1140.156'],
    ]);
    expect(formatUsd(projection.endUsd)).toBe('$1,140.16');
  });
});

describe('savings insights: present exactly when they should be', () => {
  it('finds nothing, and projects nothing, without calls', () => {
    const found = findSavingsInsights(inputs({}), catalog);
    expect(found).toEqual({ monthlySpendUsd: 0n, insights: [], projection: { startUsd: 0n, steps: [], endUsd: 0n } });
  });

  it('does not route a feature already on the cheapest tier, nor one on a model the catalog does not know', () => {
    const { insights } = findSavingsInsights(
      inputs({ usage: [usage('tags', 'gpt-5-nano', totals(1_000, 500, 50)), usage('mystery', 'in-house-llm', totals(1_000, 500, 50))] }),
      catalog,
    );
    expect(insights).toEqual([]);
  });

  it('routes Claude Sonnet, whose provider has no efficient model, to the article’s efficient example', () => {
    const { insights } = findSavingsInsights(inputs({ usage: [usage('chat', 'claude-sonnet-4-6', totals(1_000, 1_000, 100))] }), catalog);
    expect(only(insights, 'model-routing').evidence.figures['alternativeModel']).toBe('gpt-5-mini');
  });

  it('batches neither critical daytime work nor a model without a batch API', () => {
    const work = totals(1_000, 200, 100);
    const { insights } = findSavingsInsights(
      inputs({ usage: [usage('checkout', 'gpt-5-mini', work, { nightlyCalls: 700 }), usage('nightly', 'deepseek-v3.2', work, { nightlyCalls: 1_000, deferrable: work })] }),
      catalog,
    );
    expect(insights.filter((insight) => insight.strategy === 'batching')).toEqual([]);
  });

  it('batches a feature whose calls run at night, priority or not', () => {
    const work = totals(1_000, 200, 100);
    const { insights } = findSavingsInsights(inputs({ usage: [usage('digest', 'gpt-5-mini', work, { nightlyCalls: 800 })] }), catalog);
    // 1,000 × (200 × $0.25 + 100 × $2.00)/M = $0.25, half off.
    expect(usdToExactString(only(insights, 'batching').monthlySavingUsd)).toBe('0.125');
  });

  it('caps output neither when answers are steady and capped nor when the cap would cut nothing', () => {
    const steady = usage('steady', 'gpt-5-mini', totals(1_000, 100, 200), { outputTokensMedian: 200, outputTokensP95: 500, outputTokensAboveCap: 10_000, callsAboveCap: 100 });
    const uncappedButShort = usage('short', 'gpt-5-mini', totals(1_000, 100, 200), { callsWithoutMaxTokens: 1_000 });
    const { insights } = findSavingsInsights(inputs({ usage: [steady, uncappedButShort] }), catalog);
    expect(insights.filter((insight) => insight.strategy === 'output-caps')).toEqual([]);
  });

  it('caps the output of a feature that sets no max_tokens, at the output price', () => {
    const uncapped = usage('essay', 'gpt-5-mini', totals(1_000, 100, 200), { callsWithoutMaxTokens: 600, outputTokensMedian: 200, outputTokensP95: 500, outputTokensAboveCap: 10_000, callsAboveCap: 100 });
    const { insights } = findSavingsInsights(inputs({ usage: [uncapped] }), catalog);
    expect(usdToExactString(only(insights, 'output-caps').monthlySavingUsd)).toBe('0.02');
  });

  it('does not suggest caching a prefix sent once per window, nor on a model with no cached price', () => {
    const { insights } = findSavingsInsights(
      inputs({
        prefixes: [
          { feature: 'rare', model: 'claude-sonnet-4-6', prefixHash: 'r', calls: 50, uncachedCalls: 50, minInputTokens: 3_000, cacheWindows: 50 },
          { feature: 'mistral', model: 'mistral-small-3.2', prefixHash: 'm', calls: 500, uncachedCalls: 500, minInputTokens: 3_000, cacheWindows: 1 },
        ],
      }),
      catalog,
    );
    expect(insights).toEqual([]);
  });

  it('suggests a response cache only past ten repeats', () => {
    const repeats = { feature: 'faq', model: 'gpt-5-mini', hashedCalls: 100, repeatedRequests: 3, repeatCostUsd: parseUsd('0.30') };
    expect(findSavingsInsights(inputs({ repeats: [{ ...repeats, repeatCalls: 9 }] }), catalog).insights).toEqual([]);
    const { insights } = findSavingsInsights(inputs({ repeats: [{ ...repeats, repeatCalls: 10 }] }), catalog);
    expect(usdToExactString(only(insights, 'response-caching').monthlySavingUsd)).toBe('0.30');
  });

  it('finds prompt trimming when input per call grew by a quarter, priced at the input price for the second half', () => {
    const grown = usage('assistant', 'gpt-5-mini', totals(200, 1_250, 100), {
      firstHalf: { calls: 100, inputTokens: 100_000 },
      secondHalf: { calls: 100, inputTokens: 125_000 },
    });
    // 25,000 extra tokens × $0.25/M = $0.00625 over half of 30 days: $0.0125 a month.
    expect(usdToExactString(only(findSavingsInsights(inputs({ usage: [grown] }), catalog).insights, 'prompt-trimming').monthlySavingUsd)).toBe('0.0125');
    const flat = { ...grown, secondHalf: { calls: 100, inputTokens: 124_000 } };
    expect(findSavingsInsights(inputs({ usage: [flat] }), catalog).insights.filter((i) => i.strategy === 'prompt-trimming')).toEqual([]);
  });

  it('scales the range to 30 days and orders insights by saving', () => {
    const week = new Date(to.getTime() - 7 * DAY_MS);
    const found = findSavingsInsights(
      {
        from: week,
        to,
        spendUsd: parseUsd('70'),
        usage: [],
        prefixes: [],
        repeats: [
          { feature: 'a', model: 'gpt-5-mini', hashedCalls: 100, repeatedRequests: 1, repeatCalls: 10, repeatCostUsd: parseUsd('7') },
          { feature: 'b', model: 'gpt-5-mini', hashedCalls: 100, repeatedRequests: 1, repeatCalls: 10, repeatCostUsd: parseUsd('14') },
        ],
      },
      catalog,
    );
    expect(usdToExactString(found.monthlySpendUsd)).toBe('300.00');
    expect(found.insights.map((insight) => [insight.feature, usdToExactString(insight.monthlySavingUsd)])).toEqual([
      ['b', '60.00'],
      ['a', '30.00'],
    ]);
  });
});
