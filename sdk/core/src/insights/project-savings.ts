import type { UsdAtto } from '../pricing/money.js';
import { divideRounded } from './monthly.js';
import { PROJECTION_ORDER, type Insight, type InsightStrategy, type SavingsProjection } from './types.js';

/**
 * The article's "putting it all together": from the monthly spend, each strategy in order takes
 * its share of what the previous ones left. Each insight is measured alone on its feature and
 * model's spend; here it saves the same share of that spend's remainder, so two strategies on
 * the same calls never save the same dollars twice (routing a feature to a cheaper model leaves
 * less for caching its prompt to save). Strategies without an insight take no step.
 */
export function projectSavings(
  startUsd: UsdAtto,
  monthlySpendByGroup: ReadonlyMap<string, UsdAtto>,
  insights: readonly Insight[],
): SavingsProjection {
  const remainingByGroup = new Map(monthlySpendByGroup);
  const steps: SavingsProjection['steps'] = [];
  let remaining = startUsd;
  for (const strategy of PROJECTION_ORDER) {
    const ofStrategy = insights.filter((insight) => insight.strategy === strategy);
    if (ofStrategy.length === 0) continue;
    let saving = 0n;
    for (const insight of ofStrategy) saving += applyToGroup(remainingByGroup, monthlySpendByGroup, insight);
    remaining -= saving;
    steps.push({ strategy: strategy satisfies InsightStrategy, savingUsd: saving, remainingUsd: remaining });
  }
  return { startUsd, steps, endUsd: remaining };
}

function applyToGroup(remainingByGroup: Map<string, UsdAtto>, spendByGroup: ReadonlyMap<string, UsdAtto>, insight: Insight): UsdAtto {
  const key = `${insight.feature}\u0000${insight.model}`;
  const spend = spendByGroup.get(key) ?? 0n;
  const left = remainingByGroup.get(key) ?? 0n;
  if (spend <= 0n || left <= 0n) return 0n;
  // An insight priced at catalog prices above what the calls were stored at may exceed the spend: capped.
  const share = divideRounded(left * insight.monthlySavingUsd, spend);
  const saving = share > left ? left : share;
  remainingByGroup.set(key, left - saving);
  return saving;
}
