import type { ModelPrice, PriceCatalog } from '../catalog/price-catalog.js';
import { MODEL_TIERS } from '../catalog/types.js';
import { formatMoney } from '../pricing/format-money.js';
import { usdToExactString as exact, type UsdAtto } from '../pricing/money.js';
import { priceUsage } from '../pricing/price-call.js';
import { MONTH_MS, divideRounded, perMonth } from './monthly.js';
import { projectSavings } from './project-savings.js';
import type {
  FeatureModelUsage,
  Insight,
  InsightInputs,
  InsightStrategy,
  PromptPrefixUsage,
  RepeatedRequestUsage,
  SavingsInsights,
  UsageTotals,
} from './types.js';

/**
 * Thresholds of the insights, from the article where it gives one. Each is a reason an insight
 * appears or not, so each is named here rather than buried in a condition.
 */
export const INSIGHT_THRESHOLDS = {
  /** Batching: a feature with this share of its calls at night has a batch-like rhythm. */
  nightlySharePercent: 80,
  /** Batching: a nightly rhythm needs at least this many calls to be a rhythm. */
  nightlyMinCalls: 10,
  /** Output caps: "far above the median". */
  p95OverMedian: 3,
  /** Output caps: the suggested cap, as a multiple of the median (the article: a 100-word answer, `max_tokens: 200`). */
  capOverMedian: 2,
  /** Response caching: repeats below this are noise, not a pattern. */
  minRepeatCalls: 10,
  /** Prompt trimming: input per call grown by at least this share between the range's halves. */
  inputGrowthPercent: 25,
  /** Prompt trimming: calls needed in each half. */
  trendMinCalls: 10,
  /** Fine-tuning, the article's criteria: 10,000+ requests a month… */
  fineTuningMinMonthlyCalls: 10_000,
  /** …an elaborate prompt (its example: 1,500 tokens with examples)… */
  fineTuningMinInputPerCall: 1_000,
  /** …a well-defined, consistent task (classification, extraction): answers of steady length, p95 within this multiple of the median. */
  fineTuningMaxP95OverMedian: 2,
  /** The article's fine-tuned model and the prompt it needs once the examples are learned. */
  fineTunedModel: 'gpt-4.1-mini',
  fineTunedInputPerCall: 200,
} as const;

const TOKENS_PER_MILLION = 1_000_000n;

type Context = { catalog: PriceCatalog; at: Date; from: string; to: string; rangeMs: number };

/**
 * Finds where a project's own calls waste money, by the seed article's seven strategies, and
 * what applying them in the article's order would leave of the monthly bill. Pure: storage's
 * figures in, insights out. Savings are priced with the catalog (and the project's overrides,
 * when the catalog carries them) at the prices in force at the end of the range, scaled to 30
 * days, exact to the atto-dollar.
 */
export function findSavingsInsights(inputs: InsightInputs, catalog: PriceCatalog): SavingsInsights {
  const rangeMs = inputs.to.getTime() - inputs.from.getTime();
  if (!(rangeMs > 0)) throw new RangeError('the range must end after it starts');
  const context: Context = {
    catalog,
    at: new Date(inputs.to.getTime() - 1),
    from: inputs.from.toISOString(),
    to: inputs.to.toISOString(),
    rangeMs,
  };
  const insights: Insight[] = [];
  const push = (insight: Insight | undefined): void => {
    if (insight !== undefined && insight.monthlySavingUsd > 0n) insights.push(insight);
  };
  for (const usage of inputs.usage) {
    const price = catalog.resolve(usage.model, context.at);
    if (price === undefined) continue;
    push(modelRouting(context, usage, price));
    push(batching(context, usage, price));
    push(outputCaps(context, usage, price));
    push(promptTrimming(context, usage, price));
    push(fineTuning(context, usage, price));
  }
  for (const [, prefixes] of groupBy(inputs.prefixes, (prefix) => `${prefix.feature}\u0000${prefix.model}`)) {
    const first = prefixes[0] as PromptPrefixUsage;
    const price = catalog.resolve(first.model, context.at);
    if (price !== undefined) push(promptCaching(context, first.feature, first.model, prefixes, price));
  }
  for (const repeats of inputs.repeats) push(responseCaching(context, repeats));

  insights.sort((a, b) => (a.monthlySavingUsd === b.monthlySavingUsd ? a.id.localeCompare(b.id) : a.monthlySavingUsd > b.monthlySavingUsd ? -1 : 1));
  const monthlySpendUsd = perMonth(inputs.spendUsd, rangeMs);
  const monthlySpendByGroup = new Map(inputs.usage.map((usage) => [groupKey(usage.feature, usage.model), perMonth(usage.costUsd, rangeMs)]));
  return { monthlySpendUsd, insights, projection: projectSavings(monthlySpendUsd, monthlySpendByGroup, insights) };
}

export function groupKey(feature: string, model: string): string {
  return `${feature}\u0000${model}`;
}

function modelRouting(context: Context, usage: FeatureModelUsage, price: ModelPrice): Insight | undefined {
  const alternative = nextCheaperTier(context, price);
  if (alternative === undefined) return undefined;
  const current = costOf(price, usage.realTime) + costOf(price, usage.batched, true);
  const routed = costOf(alternative, usage.realTime) + costOf(alternative, usage.batched, true);
  const calls = usage.realTime.calls + usage.batched.calls;
  return insight(context, 'model-routing', usage, {
    title: `Route ${featureName(usage.feature)} from ${price.displayName} to ${alternative.displayName}`,
    summary: `${count(calls)} calls on ${price.displayName} (${price.tier}) would cost ${formatMoney(routed)} instead of ${formatMoney(current)} on ${alternative.displayName} (${alternative.tier})`,
    figures: {
      calls,
      currentTier: price.tier ?? '',
      alternativeModel: alternative.modelId,
      alternativeTier: alternative.tier ?? '',
      currentCostUsd: exact(current),
      alternativeCostUsd: exact(routed),
    },
    saving: perMonth(current - routed, context.rangeMs),
    confidence: 'medium',
    caveat: `Same tokens priced on ${alternative.displayName}; its tokenizer may count differently, and its quality on this feature is unmeasured: run a quality evaluation on 50–100 representative prompts before routing.`,
  });
}

/** The article's routing table, one tier down; the same provider's model when it has one there. */
function nextCheaperTier(context: Context, price: ModelPrice): ModelPrice | undefined {
  if (price.tier === null) return undefined;
  const tierIndex = MODEL_TIERS.indexOf(price.tier);
  if (tierIndex <= 0) return undefined;
  const tier = MODEL_TIERS[tierIndex - 1];
  const candidates = context.catalog.models().filter((model) => model.tier === tier);
  const ranked = [
    ...candidates.filter((model) => model.provider === price.provider && model.tierSource === 'article'),
    ...candidates.filter((model) => model.provider === price.provider),
    ...candidates.filter((model) => model.tierSource === 'article'),
  ];
  for (const model of ranked) {
    const found = context.catalog.resolve(model.id, context.at);
    if (found !== undefined) return found;
  }
  return undefined;
}

function batching(context: Context, usage: FeatureModelUsage, price: ModelPrice): Insight | undefined {
  if (price.batchDiscountPercent === null) return undefined;
  const { nightlySharePercent, nightlyMinCalls } = INSIGHT_THRESHOLDS;
  const allCalls = usage.realTime.calls + usage.batched.calls;
  const nightly = allCalls >= nightlyMinCalls && usage.nightlyCalls * 100 >= nightlySharePercent * allCalls;
  const target = nightly ? usage.realTime : usage.deferrable;
  if (target.calls === 0) return undefined;
  const realTimeCost = costOf(price, target);
  const batchCost = costOf(price, target, true);
  const reason = nightly
    ? `${percent(usage.nightlyCalls, allCalls)} of its calls run between 00:00 and 06:00`
    : `${count(target.calls)} real-time calls are tagged important or optional`;
  return insight(context, 'batching', usage, {
    title: `Send the ${nightly ? 'nightly' : 'deferrable'} calls of ${featureName(usage.feature)} through the Batch API`,
    summary: `${reason}; at the ${price.batchDiscountPercent}% batch discount they would cost ${formatMoney(batchCost)} instead of ${formatMoney(realTimeCost)}`,
    figures: {
      calls: target.calls,
      nightlyCalls: usage.nightlyCalls,
      batchDiscountPercent: price.batchDiscountPercent,
      realTimeCostUsd: exact(realTimeCost),
      batchCostUsd: exact(batchCost),
    },
    saving: perMonth(realTimeCost - batchCost, context.rangeMs),
    confidence: nightly ? 'medium' : 'high',
    caveat: 'Batch results arrive within 24 hours: only for work no one waits on.',
  });
}

function promptCaching(
  context: Context,
  feature: string,
  model: string,
  prefixes: readonly PromptPrefixUsage[],
  price: ModelPrice,
): Insight | undefined {
  // A model without a cached-read price gives nothing back for a cache hit.
  if (price.cachedInputPerMillion === null) return undefined;
  const readDiscount = price.inputPerMillion - price.cachedInputPerMillion;
  const writeSurcharge = (price.cacheWritePerMillion ?? price.inputPerMillion) - price.inputPerMillion;
  let saving = 0n;
  let calls = 0;
  let uncachedCalls = 0;
  let uncachedPrefixTokens = 0;
  let cacheWrites = 0;
  let sharedPrefixes = 0;
  for (const prefix of prefixes) {
    if (prefix.uncachedCalls < 2) continue;
    // The first call of each five-minute window writes the cache (at the write price where the
    // provider bills writes); the others read it. A prefix whose writes cost more than its
    // reads save is one a team would leave uncached.
    const reads = BigInt(Math.max(0, prefix.uncachedCalls - prefix.cacheWindows));
    const writes = BigInt(Math.min(prefix.uncachedCalls, prefix.cacheWindows));
    const tokens = BigInt(prefix.minInputTokens);
    const prefixSaving = (reads * tokens * readDiscount - writes * tokens * writeSurcharge) / TOKENS_PER_MILLION;
    if (prefixSaving <= 0n) continue;
    saving += prefixSaving;
    sharedPrefixes += 1;
    calls += prefix.calls;
    uncachedCalls += prefix.uncachedCalls;
    uncachedPrefixTokens += prefix.uncachedCalls * prefix.minInputTokens;
    cacheWrites += Number(writes);
  }
  if (sharedPrefixes === 0) return undefined;
  return insight(context, 'prompt-caching', { feature, model }, {
    title: `Cache the shared prompt prefix of ${featureName(feature)}`,
    summary: `${count(uncachedCalls)} calls share ${count(sharedPrefixes)} prompt prefix${sharedPrefixes === 1 ? '' : 'es'} without reading them from the cache: ${count(uncachedPrefixTokens)} prefix tokens billed at ${formatMoney(price.inputPerMillion)}/M instead of ${formatMoney(price.cachedInputPerMillion)}/M`,
    figures: { calls, uncachedCalls, sharedPrefixes, uncachedPrefixTokens, cacheWrites, cachedInputPerMillionUsd: exact(price.cachedInputPerMillion) },
    saving: perMonth(saving, context.rangeMs),
    confidence: 'medium',
    caveat: 'The prefix length is taken as the shortest input among its calls (an upper bound); assumes the prefix stays identical and calls come within the cache lifetime (5 minutes), one cache write per five-minute window.',
  });
}

function outputCaps(context: Context, usage: FeatureModelUsage, price: ModelPrice): Insight | undefined {
  const { p95OverMedian, capOverMedian } = INSIGHT_THRESHOLDS;
  const median = usage.outputTokensMedian;
  if (median <= 0 || usage.outputTokensAboveCap <= 0) return undefined;
  const calls = usage.realTime.calls + usage.batched.calls;
  const longTail = usage.outputTokensP95 >= p95OverMedian * median;
  const mostlyUncapped = usage.callsWithoutMaxTokens * 2 >= calls;
  if (!longTail && !mostlyUncapped) return undefined;
  const cap = capOverMedian * median;
  const saving = (BigInt(usage.outputTokensAboveCap) * price.outputPerMillion) / TOKENS_PER_MILLION;
  const why = longTail
    ? `p95 output is ${count(usage.outputTokensP95)} tokens against a median of ${count(median)}`
    : `${percent(usage.callsWithoutMaxTokens, calls)} of calls set no max_tokens`;
  return insight(context, 'output-caps', usage, {
    title: `Cap the output of ${featureName(usage.feature)} at ${count(cap)} tokens`,
    summary: `${why}; ${count(usage.callsAboveCap)} calls wrote ${count(usage.outputTokensAboveCap)} tokens beyond ${count(cap)}`,
    figures: {
      calls,
      outputTokensMedian: median,
      outputTokensP95: usage.outputTokensP95,
      callsWithoutMaxTokens: usage.callsWithoutMaxTokens,
      suggestedMaxTokens: cap,
      callsAboveCap: usage.callsAboveCap,
      outputTokensAboveCap: usage.outputTokensAboveCap,
    },
    saving: perMonth(saving, context.rangeMs),
    confidence: 'low',
    caveat: `A cap cuts answers short: check the long answers are padding, not content (finish reason "length" will rise), or ask for structured or shorter output instead.`,
  });
}

function promptTrimming(context: Context, usage: FeatureModelUsage, price: ModelPrice): Insight | undefined {
  const { inputGrowthPercent, trendMinCalls } = INSIGHT_THRESHOLDS;
  const { firstHalf, secondHalf } = usage;
  if (firstHalf.calls < trendMinCalls || secondHalf.calls < trendMinCalls) return undefined;
  // Compared per call without dividing: second/secondCalls ≥ (1 + growth) × first/firstCalls.
  const grown = BigInt(secondHalf.inputTokens) * BigInt(firstHalf.calls) * 100n;
  const baseline = BigInt(firstHalf.inputTokens) * BigInt(secondHalf.calls) * BigInt(100 + inputGrowthPercent);
  if (grown < baseline || firstHalf.inputTokens === 0) return undefined;
  // Tokens the second half sent beyond the first half's input per call, at the fresh input price.
  const extraTokensTimesFirstCalls =
    BigInt(secondHalf.inputTokens) * BigInt(firstHalf.calls) - BigInt(firstHalf.inputTokens) * BigInt(secondHalf.calls);
  const halfSaving = divideRounded(extraTokensTimesFirstCalls * price.inputPerMillion, BigInt(firstHalf.calls) * TOKENS_PER_MILLION);
  const before = Math.round(firstHalf.inputTokens / firstHalf.calls);
  const after = Math.round(secondHalf.inputTokens / secondHalf.calls);
  return insight(context, 'prompt-trimming', usage, {
    title: `Trim the growing prompts of ${featureName(usage.feature)}`,
    summary: `Input per call grew from ${count(before)} to ${count(after)} tokens between the range's halves`,
    figures: {
      firstHalfCalls: firstHalf.calls,
      firstHalfInputPerCall: before,
      secondHalfCalls: secondHalf.calls,
      secondHalfInputPerCall: after,
      extraInputTokens: Number(divideRounded(extraTokensTimesFirstCalls, BigInt(firstHalf.calls))),
    },
    // The saving was measured over half the range.
    saving: perMonth(halfSaving * 2n, context.rangeMs),
    confidence: 'low',
    caveat: 'Assumes the growth is conversation history or retrieved context the answers do not need: summarize history after a few turns, pass only the top retrieved chunks.',
  });
}

function fineTuning(context: Context, usage: FeatureModelUsage, price: ModelPrice): Insight | undefined {
  const t = INSIGHT_THRESHOLDS;
  if (price.tier !== 'flagship' && price.tier !== 'reasoning') return undefined;
  const calls = usage.realTime.calls + usage.batched.calls;
  const inputTokens = usage.realTime.inputTokens + usage.batched.inputTokens;
  const outputTokens = usage.realTime.outputTokens + usage.batched.outputTokens;
  if (calls * MONTH_MS < t.fineTuningMinMonthlyCalls * context.rangeMs) return undefined;
  if (inputTokens < t.fineTuningMinInputPerCall * calls) return undefined;
  if (usage.outputTokensMedian <= 0 || usage.outputTokensP95 > t.fineTuningMaxP95OverMedian * usage.outputTokensMedian) return undefined;
  // Stable: the task ran through the whole range, not a one-off burst.
  if (usage.firstHalf.calls === 0 || usage.secondHalf.calls === 0) return undefined;
  const tuned = context.catalog.resolve(t.fineTunedModel, context.at);
  if (tuned === undefined || tuned.modelId === price.modelId) return undefined;
  const current = costOf(price, usage.realTime) + costOf(price, usage.batched, true);
  const tunedCost = fineTunedCost(tuned, calls, outputTokens);
  return insight(context, 'fine-tuning', usage, {
    title: `Fine-tune ${tuned.displayName} for ${featureName(usage.feature)}`,
    summary: `${count(calls)} calls of ${count(Math.round(inputTokens / calls))} input tokens with a median answer of ${count(usage.outputTokensMedian)} tokens on ${price.displayName}: a fine-tuned ${tuned.displayName} with ${t.fineTunedInputPerCall}-token prompts would cost ${formatMoney(tunedCost)} instead of ${formatMoney(current)}`,
    figures: {
      calls,
      inputTokensPerCall: Math.round(inputTokens / calls),
      outputTokensMedian: usage.outputTokensMedian,
      fineTunedModel: tuned.modelId,
      fineTunedInputPerCall: t.fineTunedInputPerCall,
      currentCostUsd: exact(current),
      fineTunedCostUsd: exact(tunedCost),
    },
    saving: perMonth(current - tunedCost, context.rangeMs),
    confidence: 'low',
    caveat: 'Needs 500+ labeled examples and a one-time training cost ($15–$100); locks the feature to one model version, to be retrained as its data shifts.',
  });
}

/**
 * The article's fine-tuning economics: the fine-tuned model at its base price, with a short
 * prompt (the examples are learned, not sent) and the same answers.
 */
export function fineTunedCost(tuned: ModelPrice, calls: number, outputTokens: number): UsdAtto {
  return priceUsage(tuned, { inputTokens: calls * INSIGHT_THRESHOLDS.fineTunedInputPerCall, outputTokens }).breakdown.totalUsd;
}

function responseCaching(context: Context, repeats: RepeatedRequestUsage): Insight | undefined {
  if (repeats.repeatCalls < INSIGHT_THRESHOLDS.minRepeatCalls || repeats.repeatCostUsd <= 0n) return undefined;
  return insight(context, 'response-caching', repeats, {
    title: `Cache the responses to repeated requests of ${featureName(repeats.feature)}`,
    summary: `${count(repeats.repeatCalls)} of ${count(repeats.hashedCalls)} successful calls repeated ${count(repeats.repeatedRequests)} identical requests already answered in the range, costing ${formatMoney(repeats.repeatCostUsd)}`,
    figures: {
      hashedCalls: repeats.hashedCalls,
      repeatedRequests: repeats.repeatedRequests,
      repeatCalls: repeats.repeatCalls,
      repeatCostUsd: exact(repeats.repeatCostUsd),
    },
    saving: perMonth(repeats.repeatCostUsd, context.rangeMs),
    confidence: 'high',
    caveat: 'Only where the same request should get the same answer (no time- or user-dependent content); the cache’s own cost is left out.',
  });
}

type InsightParts = {
  title: string;
  summary: string;
  figures: Record<string, number | string>;
  saving: UsdAtto;
  confidence: Insight['confidence'];
  caveat: string;
};

function insight(context: Context, strategy: InsightStrategy, about: { feature: string; model: string }, parts: InsightParts): Insight {
  return {
    id: `${strategy}:${about.feature}:${about.model}`,
    strategy,
    title: parts.title,
    feature: about.feature,
    endpoint: '',
    model: about.model,
    evidence: { summary: parts.summary, figures: parts.figures, from: context.from, to: context.to },
    monthlySavingUsd: parts.saving,
    confidence: parts.confidence,
    caveat: parts.caveat,
  };
}

function costOf(price: ModelPrice, usage: UsageTotals, batch = false): UsdAtto {
  if (usage.calls === 0) return 0n;
  return priceUsage(price, usage, { batch }).breakdown.totalUsd;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}

function featureName(feature: string): string {
  return feature === '' ? 'untagged calls' : feature;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function percent(part: number, whole: number): string {
  return `${Math.round((part * 100) / whole)}%`;
}
