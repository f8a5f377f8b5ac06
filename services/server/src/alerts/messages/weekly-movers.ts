import type { WeeklyFeatureFigures } from './notification-types.js';

/**
 * The features whose weekly cost moved most, up or down, by absolute dollars: a $400 rise on a
 * big feature matters more than +300% on a $2 one. Ties go to the bigger spender this week, then
 * by name, so the order is stable. Features that did not move are left out.
 */
export function topMovers<T extends WeeklyFeatureFigures>(features: readonly T[], limit = 5): T[] {
  const abs = (value: bigint): bigint => (value < 0n ? -value : value);
  return features
    .filter((feature) => feature.thisWeekUsd !== feature.lastWeekUsd)
    .sort((a, b) => {
      const moveA = abs(a.thisWeekUsd - a.lastWeekUsd);
      const moveB = abs(b.thisWeekUsd - b.lastWeekUsd);
      if (moveA !== moveB) return moveA > moveB ? -1 : 1;
      if (a.thisWeekUsd !== b.thisWeekUsd) return a.thisWeekUsd > b.thisWeekUsd ? -1 : 1;
      return a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0;
    })
    .slice(0, limit);
}
