import { featureAllocationsSchema, parseUsd, projectBudgetSchema, type UsdAtto } from '@costscope/core';
import { getMonthToDateSpend } from './rule-inputs.js';
import { getSetting } from './settings.js';
import type { ClickHouseTransport } from './transport.js';

/** One feature with a monthly allocation: what the SDK's load shedding needs to decide. */
export type FeatureBudget = {
  feature: string;
  monthToDateUsd: UsdAtto;
  allocationUsd: UsdAtto;
  /** Month-to-date spend has reached the allocation. */
  spent: boolean;
};

/** The whole project against its monthly budget (the `budget` setting). */
export type ProjectBudgetState = {
  /** Every call of the month so far, features with and without an allocation and untagged ones. */
  monthToDateUsd: UsdAtto;
  budgetUsd: UsdAtto;
  /** Month-to-date spend has reached the budget: every feature is shed. */
  spent: boolean;
};

export type BudgetState = {
  features: FeatureBudget[];
  /** `null` when the project has no monthly budget. */
  project: ProjectBudgetState | null;
};

/**
 * Month-to-date spend against each feature's monthly allocation (the `allocations` setting) and
 * the project's against its monthly budget (the `budget` setting), in the server's time zone.
 * Features without an allocation are left out: nothing limits them but the project's budget. The
 * spend is read from the raw calls so a budget spent a minute ago shows as spent now.
 */
export async function getBudgetState(
  transport: ClickHouseTransport,
  input: { projectId: string; now: Date; timezone: string },
): Promise<BudgetState> {
  const [storedAllocations, storedBudget] = await Promise.all([
    getSetting(transport, { projectId: input.projectId, kind: 'allocations' }),
    getSetting(transport, { projectId: input.projectId, kind: 'budget' }),
  ]);
  const allocations = featureAllocationsSchema.parse(storedAllocations?.value ?? []);
  const budget = projectBudgetSchema.parse(storedBudget?.value ?? { monthlyUsd: null });
  if (allocations.length === 0 && budget.monthlyUsd === null) return { features: [], project: null };
  const spend = await getMonthToDateSpend(transport, { projectId: input.projectId, now: input.now, timezone: input.timezone, source: 'raw' });
  const spentByFeature = new Map(spend.map((row) => [row.feature, row.monthToDateUsd]));
  const features = allocations.map((allocation) => {
    const allocationUsd = parseUsd(allocation.monthlyUsd);
    const monthToDateUsd = spentByFeature.get(allocation.feature) ?? 0n;
    return { feature: allocation.feature, monthToDateUsd, allocationUsd, spent: monthToDateUsd >= allocationUsd };
  });
  if (budget.monthlyUsd === null) return { features, project: null };
  const budgetUsd = parseUsd(budget.monthlyUsd);
  const monthToDateUsd = spend.reduce((total, row) => total + row.monthToDateUsd, 0n);
  return { features, project: { monthToDateUsd, budgetUsd, spent: monthToDateUsd >= budgetUsd } };
}
