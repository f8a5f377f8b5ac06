import { describe, expect, it } from 'vitest';
import type { CostFigures } from '@/lib/api/types';
import { callsPerTier, listedUsersSpend, tierRows, tiersByUser, topUserRows, userExploreHref, usersWithoutTier } from '@/lib/shape/users';

const figures = (costUsd: string, requests: number, unpricedRequests = 0): CostFigures => ({
  costUsd,
  requests,
  errors: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  unpricedRequests,
  costPerSuccessUsd: costUsd,
});

describe(tiersByUser.name, () => {
  it('gives each user their tiers, most calls first (a user who upgraded has two)', () => {
    const tiers = tiersByUser([
      { user: 'u1', userTier: 'free', ...figures('1', 3) },
      { user: 'u1', userTier: 'paid', ...figures('1', 9) },
      { user: 'u2', userTier: '', ...figures('1', 1) },
    ]);
    expect(tiers.get('u1')).toEqual(['paid', 'free']);
    expect(tiers.get('u2')).toEqual([]);
  });

  it('names the top users the tier answer did not reach, to ask for them again', () => {
    const tiers = tiersByUser([{ user: 'u1', userTier: 'free', ...figures('1', 1) }]);
    expect(usersWithoutTier([{ user: 'u1', ...figures('1', 1) }, { user: 'u2', ...figures('1', 1) }, { user: '', ...figures('1', 1) }], tiers)).toEqual(['u2']);
  });
});

describe(topUserRows.name, () => {
  it('gives each user cost per call, share of spend and a link to their cost by feature over the same range', () => {
    const [row] = topUserRows([{ user: 'paid-user-1', ...figures('0.30', 3) }], new Map([['paid-user-1', ['paid']]]), figures('1.20', 10), { range: '7d' });
    expect(row).toMatchObject({ tiers: ['paid'], costPerCallUsd: '0.10', costShare: 0.25, exploreHref: '/explore?range=7d&groupBy=feature&user=paid-user-1' });
  });

  it('links no explore view for calls without a user id', () => {
    expect(userExploreHref('', { range: '7d' })).toBeNull();
    expect(userExploreHref('a b', { from: '2026-11-01', to: '2026-11-08' })).toBe('/explore?from=2026-11-01&to=2026-11-08&groupBy=feature&user=a+b');
  });

  it('sums the listed users exactly and gives their share of all spend', () => {
    expect(listedUsersSpend([{ user: 'a', ...figures('0.1', 1) }, { user: 'b', ...figures('0.2', 2) }], figures('1.2', 10))).toEqual({ costUsd: '0.30', requests: 3, share: 0.25 });
  });
});

describe(tierRows.name, () => {
  it('orders tiers by cost and never shows an all-unpriced tier a cost per call', () => {
    const rows = tierRows(
      [
        { userTier: 'free', ...figures('2.00', 100) },
        { userTier: 'enterprise', ...figures('0.00', 5, 5) },
        { userTier: 'paid', ...figures('6.00', 50) },
      ],
      figures('8.00', 155, 5),
    );
    expect(rows.map((r) => [r.tier, r.costPerCallUsd, r.costShare])).toEqual([
      ['paid', '0.12', 0.75],
      ['free', '0.02', 0.25],
      ['enterprise', null, 0],
    ]);
  });
});

describe(callsPerTier.name, () => {
  it('draws calls per day per tier, a day without calls as a gap', () => {
    const { series, points } = callsPerTier(
      [
        { userTier: 'free', bucket: '2026-11-01T00:00:00.000Z', ...figures('1', 30) },
        { userTier: 'paid', bucket: '2026-11-01T00:00:00.000Z', ...figures('9', 10) },
      ],
      { interval: 'day', timezone: 'UTC', buckets: ['2026-11-01', '2026-11-02'] },
    );
    expect(series.map((s) => [s.key, s.label])).toEqual([
      ['s0', 'free'],
      ['s1', 'paid'],
    ]);
    expect(points).toEqual([
      { bucket: '2026-11-01', s0: 30, s1: 10 },
      { bucket: '2026-11-02', s0: null, s1: null },
    ]);
  });
});
