import { featureAllocationsSchema, parseUsd, type UsdAtto } from '@costscope/core';
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

/**
 * Month-to-date spend against each feature's monthly allocation (the `allocations` setting), in
 * the server's time zone. Features without an allocation are left out: nothing limits them. The
 * spend is read from the raw calls so a budget spent a minute ago shows as spent now.
 */
export async function getBudgetState(
  transport: ClickHouseTransport,
  input: { projectId: string; now: Date; timezone: string },
): Promise<FeatureBudget[]> {
  const stored = await getSetting(transport, { projectId: input.projectId, kind: 'allocations' });
  const allocations = featureAllocationsSchema.parse(stored?.value ?? []);
  const spend = await getMonthToDateSpend(transport, { projectId: input.projectId, now: input.now, timezone: input.timezone, source: 'raw' });
  const spentByFeature = new Map(spend.map((row) => [row.feature, row.monthToDateUsd]));
  return allocations.map((allocation) => {
    const allocationUsd = parseUsd(allocation.monthlyUsd);
    const monthToDateUsd = spentByFeature.get(allocation.feature) ?? 0n;
    return { feature: allocation.feature, monthToDateUsd, allocationUsd, spent: monthToDateUsd >= allocationUsd };
  });
}
