import { parseUsd, sumUsd, usdToExactString } from '@costscope/core';
import type { CostFigures, CostRow } from '../api/types';
import type { StackedSeries } from '../chart-data';
import { costShare, exploreSearch, exploreSeries, isFilterable, type Interval } from './explore';
import { costPerPricedCall } from './models';

/**
 * The Users page's shaping: the users who cost the most, with their tier, and the user tiers'
 * cost and calls over time.
 */

export const TOP_USERS = 50;

/** Each user's tiers, most calls first (a user who upgraded mid-range has two). */
export function tiersByUser(rows: readonly CostRow[]): Map<string, string[]> {
  const calls = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (row.user === undefined) continue;
    const tiers = calls.get(row.user) ?? new Map<string, number>();
    const tier = row.userTier ?? '';
    tiers.set(tier, (tiers.get(tier) ?? 0) + row.requests);
    calls.set(row.user, tiers);
  }
  return new Map(
    [...calls].map(([user, tiers]) => [
      user,
      [...tiers]
        .filter(([tier]) => tier !== '')
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([tier]) => tier),
    ]),
  );
}

/** Top users the tier answer did not reach (it is cut at a limit too): asked again, filtered to them. */
export function usersWithoutTier(users: readonly CostRow[], tiers: ReadonlyMap<string, string[]>): string[] {
  return users.flatMap((row) => (row.user !== undefined && isFilterable(row.user) && !tiers.has(row.user) ? [row.user] : []));
}

/** Explore for one user: their cost by feature, over the same range. */
export function userExploreHref(user: string, range: Record<string, string>): string | null {
  if (!isFilterable(user)) return null;
  return `/explore${exploreSearch({ groupBy: ['feature'], filters: { user: [user] }, metric: 'cost', range })}`;
}

export type UserRow = {
  user: string;
  tiers: string[];
  costUsd: string;
  requests: number;
  errors: number;
  unpricedRequests: number;
  costPerCallUsd: string | null;
  costPerSuccessUsd: string | null;
  costShare: number | null;
  exploreHref: string | null;
};

export function topUserRows(users: readonly CostRow[], tiers: ReadonlyMap<string, string[]>, totals: CostFigures, range: Record<string, string>): UserRow[] {
  return users.map((row) => {
    const user = row.user ?? '';
    return {
      user,
      tiers: tiers.get(user) ?? [],
      costUsd: row.costUsd,
      requests: row.requests,
      errors: row.errors,
      unpricedRequests: row.unpricedRequests,
      costPerCallUsd: costPerPricedCall(row.costUsd, row.requests, row.unpricedRequests),
      costPerSuccessUsd: row.costPerSuccessUsd,
      costShare: costShare(row.costUsd, totals.costUsd),
      exploreHref: userExploreHref(user, range),
    };
  });
}

/** What the listed users cost together, and their share of all spend ("top 50 users: 38%"). */
export function listedUsersSpend(users: readonly CostRow[], totals: CostFigures): { costUsd: string; requests: number; share: number | null } {
  const costUsd = usdToExactString(sumUsd(users.map((row) => parseUsd(row.costUsd))));
  return { costUsd, requests: users.reduce((sum, row) => sum + row.requests, 0), share: costShare(costUsd, totals.costUsd) };
}

export type TierRow = {
  tier: string;
  costUsd: string;
  requests: number;
  errors: number;
  unpricedRequests: number;
  costPerCallUsd: string | null;
  costPerSuccessUsd: string | null;
  costShare: number | null;
};

/** Rows of `/api/v1/costs?groupBy=userTier` → the tier table, most costly first. */
export function tierRows(rows: readonly CostRow[], totals: CostFigures): TierRow[] {
  return rows
    .map((row) => ({
      tier: row.userTier ?? '',
      costUsd: row.costUsd,
      requests: row.requests,
      errors: row.errors,
      unpricedRequests: row.unpricedRequests,
      costPerCallUsd: costPerPricedCall(row.costUsd, row.requests, row.unpricedRequests),
      costPerSuccessUsd: row.costPerSuccessUsd,
      costShare: costShare(row.costUsd, totals.costUsd),
    }))
    .sort((a, b) => {
      const byCost = parseUsd(b.costUsd) - parseUsd(a.costUsd);
      return byCost === 0n ? a.tier.localeCompare(b.tier) : byCost > 0n ? 1 : -1;
    });
}

/** Calls per bucket per user tier (`groupBy=userTier&interval=…`), every bucket of the range, gaps as gaps. */
export function callsPerTier(rows: readonly CostRow[], options: { interval: Interval; timezone: string; buckets: readonly string[] }): StackedSeries {
  return exploreSeries(rows, { ...options, groupBy: ['userTier'], metric: 'calls' });
}
