import type { UsdAtto } from '../pricing/money.js';

/** The seed article's seven strategies, as the insights API names them. */
export const INSIGHT_STRATEGIES = [
  'prompt-caching',
  'response-caching',
  'batching',
  'model-routing',
  'output-caps',
  'prompt-trimming',
  'fine-tuning',
] as const;
export type InsightStrategy = (typeof INSIGHT_STRATEGIES)[number];

/**
 * The order of the article's "putting it all together" table (routing first: the highest impact
 * and lowest effort), then the two strategies the table leaves out. The projection applies them
 * in this order, each to what the previous ones left.
 */
export const PROJECTION_ORDER: readonly InsightStrategy[] = [
  'model-routing',
  'prompt-caching',
  'output-caps',
  'batching',
  'response-caching',
  'prompt-trimming',
  'fine-tuning',
];

export type InsightConfidence = 'high' | 'medium' | 'low';

/** Token counts summed over calls, in the GenAI conventions' shape (input includes cache reads and writes). */
export type UsageTotals = {
  calls: number;
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
};

/** What storage measured for one feature on one model over the range: the insights' main input. */
export type FeatureModelUsage = {
  feature: string;
  /** The model as stored (`gpt-5-2025-08-07`); the catalog resolves dated names and aliases. */
  model: string;
  /** What the calls were stored as costing, every call included. */
  costUsd: UsdAtto;
  /** Calls not sent through a batch API. */
  realTime: UsageTotals;
  /** Calls sent through a batch API (already discounted). */
  batched: UsageTotals;
  /** Real-time calls tagged `important` or `optional`: the work the article says may wait. */
  deferrable: UsageTotals;
  /** Calls that started between 00:00 and 06:00 in the project's time zone. */
  nightlyCalls: number;
  /** Calls whose request set no `max_tokens`. */
  callsWithoutMaxTokens: number;
  outputTokensMedian: number;
  outputTokensP95: number;
  /** Output tokens beyond twice the median, summed over calls: what a cap at 2× the median cuts. */
  outputTokensAboveCap: number;
  /** Calls whose output went beyond twice the median. */
  callsAboveCap: number;
  /** Input per call in the range's first and second halves, for the trend. */
  firstHalf: { calls: number; inputTokens: number };
  secondHalf: { calls: number; inputTokens: number };
};

/** Calls of one feature and model that carried one prompt prefix hash. */
export type PromptPrefixUsage = {
  feature: string;
  model: string;
  prefixHash: string;
  calls: number;
  /** Calls that read nothing from the provider's cache. */
  uncachedCalls: number;
  /** The shortest input among the calls: the shared prefix is at most this long. */
  minInputTokens: number;
  /** Five-minute windows with uncached calls: each would write the cache once. */
  cacheWindows: number;
};

/** Successful calls of one feature and model that repeated a request already answered in the range. */
export type RepeatedRequestUsage = {
  feature: string;
  model: string;
  /** Successful calls carrying a request hash. */
  hashedCalls: number;
  /** Distinct requests that were sent more than once. */
  repeatedRequests: number;
  /** Calls after the first of each repeated request. */
  repeatCalls: number;
  /** What those repeat calls were stored as costing: a response cache would have answered them. */
  repeatCostUsd: UsdAtto;
};

export type InsightInputs = {
  from: Date;
  to: Date;
  /** Every call's stored cost in the range. */
  spendUsd: UsdAtto;
  usage: readonly FeatureModelUsage[];
  prefixes: readonly PromptPrefixUsage[];
  repeats: readonly RepeatedRequestUsage[];
};

export type InsightEvidence = {
  summary: string;
  figures: Record<string, number | string>;
  from: string;
  to: string;
};

export type Insight = {
  /** Stable: `strategy:feature:model`. */
  id: string;
  strategy: InsightStrategy;
  title: string;
  feature: string;
  endpoint: string;
  model: string;
  evidence: InsightEvidence;
  monthlySavingUsd: UsdAtto;
  confidence: InsightConfidence;
  caveat: string;
};

export type ProjectionStep = { strategy: InsightStrategy; savingUsd: UsdAtto; remainingUsd: UsdAtto };

export type SavingsProjection = { startUsd: UsdAtto; steps: ProjectionStep[]; endUsd: UsdAtto };

export type SavingsInsights = {
  monthlySpendUsd: UsdAtto;
  insights: Insight[];
  projection: SavingsProjection;
};
