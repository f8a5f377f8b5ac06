import {
  MODEL_TIERS,
  parseUsd,
  priceUsageAs,
  usdToExactString,
  usdToNumber,
  type ModelTier,
  type PriceCatalog,
  type TokenUsage,
  type UsdAtto,
} from '@costscope/core';
import type { CostRow } from '@/lib/api/types';

/**
 * The cost calculator's arithmetic (the article's closing advice: plug in real token counts and
 * compare every model before you scale). Pure, so the page can run it in the browser on every
 * keystroke and the tests can check it against the article's worked examples.
 *
 * Every figure is core's what-if pricing (`priceUsageAs`) of one call, scaled by whole numbers of
 * calls: exact atto-dollars, turned into the API's exact strings only at the end.
 */

/** The article's "per month" and the API's default window are both 30 days. */
export const DAYS_PER_MONTH = 30;

export const CALLS_PER = ['day', 'month'] as const;
export type CallsPer = (typeof CALLS_PER)[number];

export type CalculatorScenario = {
  /** Every input token of one call, cached ones included (the GenAI conventions' count). */
  inputTokens: number;
  /** Of those, the tokens read from the provider's prompt cache. */
  cachedTokens: number;
  outputTokens: number;
  /** Whole calls, per day or per month (a feature's last 30 days are a month of calls). */
  calls: number;
  per: CallsPer;
  /** The model the others are compared with ("what it runs on today"). */
  compareWith: string;
};

export type ScenarioField = 'inputTokens' | 'cachedTokens' | 'outputTokens' | 'calls';
export type ScenarioProblem = { field: ScenarioField; message: string };

/** Large enough for any real workload, small enough that every count stays a safe integer. */
export const MAX_TOKENS_PER_CALL = 10_000_000;
export const MAX_CALLS = 1_000_000_000_000;

/**
 * A count typed into the calculator: digits, with the thousands separators people paste
 * ("1,000,000"); `undefined` for anything else, so the field can say what is wrong.
 */
export function parseCount(text: string): number | undefined {
  const cleaned = text.trim().replace(/[,_\s]/g, '');
  if (!/^\d+$/.test(cleaned)) return undefined;
  const value = Number(cleaned);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** What stops a scenario from being priced, field by field. */
export function scenarioProblems(scenario: Omit<CalculatorScenario, 'per' | 'compareWith'>): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const whole = (field: ScenarioField, value: number, max: number, what: string) => {
    if (!Number.isSafeInteger(value) || value < 0) problems.push({ field, message: `Enter ${what} as a whole number, 0 or more.` });
    else if (value > max) problems.push({ field, message: `At most ${max.toLocaleString('en-US')}.` });
  };
  whole('inputTokens', scenario.inputTokens, MAX_TOKENS_PER_CALL, 'input tokens');
  whole('cachedTokens', scenario.cachedTokens, MAX_TOKENS_PER_CALL, 'cached tokens');
  whole('outputTokens', scenario.outputTokens, MAX_TOKENS_PER_CALL, 'output tokens');
  whole('calls', scenario.calls, MAX_CALLS, 'calls');
  if (problems.length === 0 && scenario.cachedTokens > scenario.inputTokens) {
    problems.push({ field: 'cachedTokens', message: 'Cached tokens are part of the input: at most the input tokens.' });
  }
  return problems;
}

/** Cached tokens for a share of the input, in whole tokens (what the share field sets). */
export function cachedTokensForShare(inputTokens: number, sharePercent: number): number {
  const share = Math.min(100, Math.max(0, sharePercent));
  return Math.round((inputTokens * share) / 100);
}

/** The cached share of the input, in percent with one decimal (what the share field shows). */
export function cachedSharePercent(inputTokens: number, cachedTokens: number): number {
  if (inputTokens <= 0) return 0;
  return Math.round((cachedTokens / inputTokens) * 1000) / 10;
}

export type CalculatorRow = {
  modelId: string;
  displayName: string;
  provider: string;
  /** The article's routing tier; `null` for a model only a price override knows. */
  tier: ModelTier | null;
  source: 'catalog' | 'override';
  perCallUsd: string;
  perDayUsd: string;
  perMonthUsd: string;
  /** The month on the provider's batch API; `null` when the model has none. */
  batchPerMonthUsd: string | null;
  /** The month with every cached token billed as fresh input: what caching saves is the difference. */
  uncachedPerMonthUsd: string;
  /** `uncachedPerMonthUsd` − `perMonthUsd`: what the prompt cache saves this model's month. */
  cachingSavesPerMonthUsd: string;
  /** This model's month minus the compared model's: negative saves. `null` when that one is unpriced. */
  changePerMonthUsd: string | null;
  /** The cheapest month of its tier (custom models form their own group). */
  cheapestInTier: boolean;
  /** For sorting only (a float); the figures above are the exact ones. */
  perMonthSort: number;
};

export type CalculatorComparison = {
  rows: CalculatorRow[];
  /** The compared model as priced for this scenario, or why it could not be. */
  baseline:
    | { model: string; status: 'priced'; displayName: string; perCallUsd: string; perDayUsd: string; perMonthUsd: string }
    | { model: string; status: 'unpriced' };
};

type Scaled = { perDay: UsdAtto; perMonth: UsdAtto };

/**
 * One call's cost, scaled to a day and a 30-day month. Calls are whole numbers, so the month is
 * exact; a day from a monthly count is the month over 30, exact to the atto-dollar.
 */
export function scaleCallCost(perCall: UsdAtto, calls: number, per: CallsPer): Scaled {
  const count = BigInt(calls);
  const days = BigInt(DAYS_PER_MONTH);
  if (per === 'day') return { perDay: perCall * count, perMonth: perCall * count * days };
  const perMonth = perCall * count;
  return { perDay: perMonth / days, perMonth };
}

function usageOf(scenario: CalculatorScenario, cached: boolean): TokenUsage {
  return {
    inputTokens: scenario.inputTokens,
    cacheReadInputTokens: cached ? scenario.cachedTokens : 0,
    cacheWriteInputTokens: 0,
    outputTokens: scenario.outputTokens,
  };
}

/**
 * Every model with a price at `at` (the catalog and the project's overrides), priced for the
 * scenario, cheapest month first. Throws core's usage error when the scenario has problems:
 * check `scenarioProblems` first.
 */
export function compareModels(catalog: PriceCatalog, scenario: CalculatorScenario, at: Date): CalculatorComparison {
  const usage = usageOf(scenario, true);
  const uncachedUsage = usageOf(scenario, false);
  const scale = (amount: UsdAtto) => scaleCallCost(amount, scenario.calls, scenario.per);

  const compared = priceUsageAs(catalog, { model: scenario.compareWith, usage, at }, scenario.compareWith).current;
  const comparedPrice = catalog.resolve(scenario.compareWith, at);
  let baseline: CalculatorComparison['baseline'] = { model: scenario.compareWith, status: 'unpriced' };
  if (compared.status === 'priced') {
    const scaled = scale(compared.breakdown.totalUsd);
    baseline = {
      model: scenario.compareWith,
      status: 'priced',
      displayName: comparedPrice?.displayName ?? scenario.compareWith,
      perCallUsd: usdToExactString(compared.breakdown.totalUsd),
      perDayUsd: usdToExactString(scaled.perDay),
      perMonthUsd: usdToExactString(scaled.perMonth),
    };
  }

  const priced: Array<{ row: CalculatorRow; perMonth: UsdAtto }> = [];
  for (const price of catalog.effectivePrices(at)) {
    const standard = priceUsageAs(catalog, { model: scenario.compareWith, usage, at }, price.modelId);
    const batch = priceUsageAs(catalog, { model: scenario.compareWith, usage, at, batch: true }, price.modelId);
    const uncached = priceUsageAs(catalog, { model: scenario.compareWith, usage: uncachedUsage, at }, price.modelId);
    // Every model listed has a price at `at`, so the alternative side is always priced.
    if (standard.alternative.status !== 'priced' || batch.alternative.status !== 'priced' || uncached.alternative.status !== 'priced') continue;

    const { perDay, perMonth } = scale(standard.alternative.breakdown.totalUsd);
    const uncachedPerMonth = scale(uncached.alternative.breakdown.totalUsd).perMonth;
    priced.push({
      perMonth,
      row: {
        modelId: price.modelId,
        displayName: price.displayName,
        provider: price.provider,
        tier: price.tier,
        source: price.source,
        perCallUsd: usdToExactString(standard.alternative.breakdown.totalUsd),
        perDayUsd: usdToExactString(perDay),
        perMonthUsd: usdToExactString(perMonth),
        batchPerMonthUsd: batch.alternative.batchDiscountApplied ? usdToExactString(scale(batch.alternative.breakdown.totalUsd).perMonth) : null,
        uncachedPerMonthUsd: usdToExactString(uncachedPerMonth),
        cachingSavesPerMonthUsd: usdToExactString(uncachedPerMonth - perMonth),
        // savings = compared − this model, so this model's change is its negation.
        changePerMonthUsd: standard.savingsUsd === null ? null : usdToExactString(-scale(standard.savingsUsd).perMonth),
        cheapestInTier: false,
        perMonthSort: usdToNumber(perMonth),
      },
    });
  }

  priced.sort((a, b) => (a.perMonth < b.perMonth ? -1 : a.perMonth > b.perMonth ? 1 : a.row.displayName.localeCompare(b.row.displayName)));
  const seenTiers = new Set<string>();
  for (const { row } of priced) {
    const tier = row.tier ?? 'custom';
    if (!seenTiers.has(tier)) {
      row.cheapestInTier = true;
      seenTiers.add(tier);
    }
  }
  return { rows: priced.map(({ row }) => row), baseline };
}

/** The tiers in the article's order, custom models last: the order the tier legend reads in. */
export const TIER_ORDER: readonly (ModelTier | 'custom')[] = [...MODEL_TIERS, 'custom'];

export const TIER_LABELS: Record<ModelTier | 'custom', string> = {
  'ultra-budget': 'Ultra-budget',
  efficient: 'Efficient',
  flagship: 'Flagship',
  reasoning: 'Reasoning',
  custom: 'Custom',
};

/**
 * A feature's real usage of the last 30 days, as the calculator loads it: tokens per call
 * (averages, rounded to whole tokens, since a call cannot have a fraction of one) and the calls
 * of those 30 days, which are a month of calls.
 */
export type FeatureUsage = {
  feature: string;
  inputTokens: number;
  cachedTokens: number;
  outputTokens: number;
  callsPerMonth: number;
  /** The model that answered most of its calls: what the others are compared with. */
  topModel: string | null;
  /** What the 30 days actually cost (exact), and how many calls had no price. */
  costUsd: string;
  unpricedRequests: number;
};

/**
 * Shapes `GET /api/v1/costs` over the last 30 days, grouped by feature and by feature × model,
 * into the calculator's feature choices, most costly first. Calls without a feature tag are left
 * out: there is no feature to name.
 */
export function featureUsageFromCosts(byFeature: readonly CostRow[], byFeatureAndModel: readonly CostRow[]): FeatureUsage[] {
  const topModels = new Map<string, { model: string; requests: number }>();
  for (const row of byFeatureAndModel) {
    if (!row.feature || !row.model) continue;
    const best = topModels.get(row.feature);
    if (!best || row.requests > best.requests || (row.requests === best.requests && row.model < best.model)) {
      topModels.set(row.feature, { model: row.model, requests: row.requests });
    }
  }
  return byFeature
    .filter((row): row is CostRow & { feature: string } => Boolean(row.feature) && row.requests > 0)
    .map((row) => ({
      feature: row.feature,
      inputTokens: Math.round(row.inputTokens / row.requests),
      cachedTokens: Math.round(row.cachedInputTokens / row.requests),
      outputTokens: Math.round(row.outputTokens / row.requests),
      callsPerMonth: row.requests,
      topModel: topModels.get(row.feature)?.model ?? null,
      costUsd: row.costUsd,
      unpricedRequests: row.unpricedRequests,
    }))
    .sort((a, b) => {
      const difference = parseUsd(b.costUsd) - parseUsd(a.costUsd);
      return difference > 0n ? 1 : difference < 0n ? -1 : a.feature.localeCompare(b.feature);
    });
}

/** The calculator's opening figures: the article's support chatbot. */
export const DEFAULT_SCENARIO: CalculatorScenario = { inputTokens: 500, cachedTokens: 0, outputTokens: 300, calls: 100_000, per: 'month', compareWith: 'gpt-5' };

/** The article's worked examples, one click away: the calculator reproduces their figures. */
export const ARTICLE_EXAMPLES: ReadonlyArray<{ id: string; label: string; detail: string; scenario: CalculatorScenario }> = [
  {
    id: 'support-chatbot',
    label: 'Support chatbot',
    detail: '100K requests a month, 500 input / 300 output tokens: $362 a month all on GPT-5 (strategy 3).',
    scenario: DEFAULT_SCENARIO,
  },
  {
    id: 'batch-reviews',
    label: 'Batch reviews',
    detail: '1M customer reviews a month, 200 input / 100 output tokens: $1,250 on GPT-5, $625 on the Batch API (strategy 2).',
    scenario: { inputTokens: 200, cachedTokens: 0, outputTokens: 100, calls: 1_000_000, per: 'month', compareWith: 'gpt-5' },
  },
  {
    id: 'cached-prompt',
    label: 'Cached system prompt',
    detail: 'A 2,000-token cached prefix, 50,000 requests a day: $30 a day instead of $300 on Claude Sonnet 4.6 (strategy 1).',
    scenario: { inputTokens: 2000, cachedTokens: 2000, outputTokens: 0, calls: 50_000, per: 'day', compareWith: 'claude-sonnet-4-6' },
  },
];
