import {
  createPriceCatalog,
  findSavingsInsights,
  INSIGHT_THRESHOLDS,
  usdToExactString,
  type Insight,
  type PriceOverrideInput,
  type SavingsInsights,
} from '@costscope/core';
import { getFeatureModelUsage, getPromptPrefixUsage, getRepeatedRequestUsage } from '../storage/insight-inputs.js';
import { getSetting } from '../storage/settings.js';
import type { ClickHouseTransport } from '../storage/transport.js';

/**
 * A project's savings insights over [from, to): storage's figures through core's insight math,
 * priced with the catalog and the project's price overrides. `/api/v1/insights` and the weekly
 * review both call this, so the two never disagree on a dollar.
 */
export async function buildSavingsInsights(
  transport: ClickHouseTransport,
  input: { projectId: string; from: Date; to: Date; timezone: string },
): Promise<SavingsInsights> {
  const range = { projectId: input.projectId, from: input.from, to: input.to };
  const [usage, prefixes, repeats, prices] = await Promise.all([
    getFeatureModelUsage(transport, { ...range, timezone: input.timezone, capOverMedian: INSIGHT_THRESHOLDS.capOverMedian }),
    getPromptPrefixUsage(transport, range),
    getRepeatedRequestUsage(transport, range),
    getSetting(transport, { projectId: input.projectId, kind: 'prices' }),
  ]);
  const overrides = (prices?.value as PriceOverrideInput[] | undefined) ?? [];
  const spendUsd = usage.reduce((sum, row) => sum + row.costUsd, 0n);
  return findSavingsInsights({ from: input.from, to: input.to, spendUsd, usage, prefixes, repeats }, createPriceCatalog({ overrides }));
}

/** One insight as the API answers it (the contract in docs/insights.md): money as exact strings. */
export function insightJson(insight: Insight) {
  return {
    id: insight.id,
    strategy: insight.strategy,
    title: insight.title,
    feature: insight.feature,
    endpoint: insight.endpoint,
    model: insight.model,
    evidence: { ...insight.evidence, figures: { ...insight.evidence.figures } },
    monthlySavingUsd: usdToExactString(insight.monthlySavingUsd),
    confidence: insight.confidence,
    caveat: insight.caveat,
  };
}

export type InsightJson = ReturnType<typeof insightJson>;

/** `GET /api/v1/insights`'s answer. */
export function savingsInsightsJson(found: SavingsInsights, range: { from: Date; to: Date }) {
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    monthlySpendUsd: usdToExactString(found.monthlySpendUsd),
    insights: found.insights.map(insightJson),
    projection: {
      startUsd: usdToExactString(found.projection.startUsd),
      steps: found.projection.steps.map((step) => ({
        strategy: step.strategy,
        savingUsd: usdToExactString(step.savingUsd),
        remainingUsd: usdToExactString(step.remainingUsd),
      })),
      endUsd: usdToExactString(found.projection.endUsd),
    },
  };
}
