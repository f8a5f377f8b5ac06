export { CostscopeError, CostscopeUsageError, CostscopeCatalogError } from './errors.js';

export { MODEL_TIERS } from './catalog/types.js';
export type { CatalogModel, CatalogPriceVersion, ModelProvider, ModelTier } from './catalog/types.js';
export { PRICE_CATALOG } from './catalog/price-catalog.data.js';
export { createPriceCatalog } from './catalog/price-catalog.js';
export type { ModelPrice, PriceCatalog, PriceCatalogOptions } from './catalog/price-catalog.js';
export { modelNameKey } from './catalog/model-name.js';
export { priceOverrideSchema } from './catalog/price-override.js';
export type { PriceOverride, PriceOverrideInput } from './catalog/price-override.js';

export {
  ATTO_PER_USD,
  MAX_PRICE_DECIMALS,
  CostscopeMoneyError,
  formatUsd,
  parseUsd,
  sumUsd,
  usdToDecimalString,
  usdToExactString,
  usdToNumber,
} from './pricing/money.js';
export type { UsdAtto } from './pricing/money.js';
export { checkedUsage, usageFromAnthropic, usageFromOpenAIChat, usageFromOpenAIResponses } from './pricing/token-usage.js';
export type { AnthropicUsage, OpenAIChatUsage, OpenAIResponsesUsage, TokenUsage } from './pricing/token-usage.js';
export { priceCall, priceUsage } from './pricing/price-call.js';
export type { CallCost, CallToPrice, CostBreakdown, PricedCall, UnpricedCall } from './pricing/price-call.js';
export { priceUsageAs } from './pricing/what-if.js';
export type { WhatIfComparison } from './pricing/what-if.js';

export * as semconv from './semconv.js';

export type { CallStatus, CostStatus, LlmCallRecord } from './call-record.js';

export { alertRulesSchema, defaultAlertRules, featureAllocationSchema, featureAllocationsSchema, projectBudgetSchema } from './alerts/rule-settings.js';
export type { AlertRules, AlertRulesInput, FeatureAllocation, ProjectBudget } from './alerts/rule-settings.js';
export {
  costPerSuccess,
  dailySpendSpike,
  errorRate,
  featureAllocation,
  forecastMonthEnd,
  inputTokenOutlier,
  outputTokenDrift,
  userSpendSpike,
} from './alerts/rule-evaluation.js';
export type { AllocationFigures, DailySpendFigures, ErrorRateFigures, RuleOutcome, WindowAverage } from './alerts/rule-evaluation.js';
export { nextEpisodeAction } from './alerts/episode-lifecycle.js';
export type { AlertEpisodeState, EpisodeAction } from './alerts/episode-lifecycle.js';

export { addLocalDays, isoWeekOfDay, localTime, previousIsoWeek, startOfLocalDay } from './time/zoned-time.js';
export type { LocalTime } from './time/zoned-time.js';
export { formatMoney, formatUsdChange } from './pricing/format-money.js';

export { findSavingsInsights, fineTunedCost, INSIGHT_THRESHOLDS } from './insights/find-savings-insights.js';
export { projectSavings } from './insights/project-savings.js';
export { MONTH_MS, perMonth } from './insights/monthly.js';
export { INSIGHT_STRATEGIES, PROJECTION_ORDER } from './insights/types.js';
export type {
  FeatureModelUsage,
  Insight,
  InsightConfidence,
  InsightEvidence,
  InsightInputs,
  InsightStrategy,
  ProjectionStep,
  PromptPrefixUsage,
  RepeatedRequestUsage,
  SavingsInsights,
  SavingsProjection,
  UsageTotals,
} from './insights/types.js';
