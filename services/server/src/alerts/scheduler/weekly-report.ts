import { usdToExactString, type Insight, type UsdAtto } from '@costscope/core';
import { buildSavingsInsights, insightJson } from '../../insights/savings-insights.js';
import { listAlertEpisodes, type AlertEpisodeRecord } from '../../storage/alert-episodes.js';
import { getCosts } from '../../storage/costs.js';
import type { ClickHouseTransport } from '../../storage/transport.js';
import { getWeeklyReview } from '../../storage/weekly-review.js';
import type { AlertRuleId, WeeklyFeatureFigures, WeeklyReviewDigest } from '../messages/notification-types.js';
import { topMovers } from '../messages/weekly-movers.js';
import { scopeFromKey } from './evaluate-rules.js';
import { addLocalDays, startOfLocalDay } from '@costscope/core';

export type WeeklyReportFeature = WeeklyFeatureFigures & {
  changeUsd: UsdAtto;
  thisWeekRequests: number;
  lastWeekRequests: number;
};

/** The weekly review as both the Monday digest and `/api/v1/reports/weekly` give it. */
export type WeeklyReport = Omit<WeeklyReviewDigest, 'features'> & {
  timezone: string;
  features: readonly WeeklyReportFeature[];
  /** The episodes behind `alerts`, for the API's fuller view of each. */
  episodes: readonly AlertEpisodeRecord[];
  topInsights: readonly Insight[];
};

/** Insights need volume: the digest's come from the 30 days ending with the week, not the week alone. */
const INSIGHT_DAYS = 30;
const TOP_INSIGHTS = 3;

/**
 * Assembles the weekly review of `week` (weeks start Monday 00:00 in `timezone`): per feature this
 * week against last with cost per successful response, the totals, and the alerts open at any
 * time in the week. The scheduler's digest and the report endpoint both call this, so the two
 * cannot disagree on a figure.
 */
export async function buildWeeklyReport(
  transport: ClickHouseTransport,
  input: { projectId: string; projectName?: string; week: string; timezone: string },
): Promise<WeeklyReport> {
  const { projectId, week, timezone } = input;
  const review = await getWeeklyReview(transport, { projectId, week, timezone });
  const weekStart = startOfLocalDay(review.weekStartDay, timezone);
  const lastWeekStart = startOfLocalDay(addLocalDays(review.weekStartDay, -7), timezone);
  const nextWeekStart = startOfLocalDay(addLocalDays(review.weekStartDay, 7), timezone);
  const insightsFrom = startOfLocalDay(addLocalDays(review.weekStartDay, 7 - INSIGHT_DAYS), timezone);
  const [thisWeek, lastWeek, episodes, insights] = await Promise.all([
    getCosts(transport, { projectId, from: weekStart, to: nextWeekStart, groupBy: ['feature'], timezone }),
    getCosts(transport, { projectId, from: lastWeekStart, to: weekStart, timezone }),
    listAlertEpisodes(transport, { projectId, from: weekStart, to: nextWeekStart }),
    buildSavingsInsights(transport, { projectId, from: insightsFrom, to: nextWeekStart, timezone }),
  ]);
  const perSuccess = new Map(thisWeek.rows.map((row) => [row.keys.feature ?? '', row.costPerSuccessUsd]));
  return {
    projectId,
    projectName: input.projectName ?? projectId,
    week: review.week,
    weekStartDay: review.weekStartDay,
    timezone,
    thisWeekUsd: review.thisWeekUsd,
    lastWeekUsd: review.lastWeekUsd,
    costPerSuccess: { thisWeekUsd: thisWeek.totals.costPerSuccessUsd, lastWeekUsd: lastWeek.totals.costPerSuccessUsd },
    features: review.features.map((feature) => ({
      feature: feature.feature,
      thisWeekUsd: feature.thisWeekUsd,
      lastWeekUsd: feature.lastWeekUsd,
      changeUsd: feature.changeUsd,
      thisWeekRequests: feature.thisWeekRequests,
      lastWeekRequests: feature.lastWeekRequests,
      thisWeekCostPerSuccessUsd: perSuccess.get(feature.feature) ?? null,
    })),
    alerts: episodes.map((episode) => ({
      rule: episode.rule as AlertRuleId,
      scope: scopeFromKey(episode.scope),
      severity: episode.severity,
      startedAt: episode.startedAt,
      resolvedAt: episode.resolvedAt,
    })),
    episodes,
    topInsights: insights.insights.slice(0, TOP_INSIGHTS),
  };
}

const usd = (amount: UsdAtto | null | undefined) => (amount === null || amount === undefined ? null : usdToExactString(amount));

/** `/api/v1/reports/weekly`'s answer: the report's figures, money as exact decimal strings. */
export function weeklyReportJson<EpisodeJson>(report: WeeklyReport, episodeJson: (episode: AlertEpisodeRecord) => EpisodeJson) {
  return {
    week: report.week,
    weekStartDay: report.weekStartDay,
    timezone: report.timezone,
    thisWeekUsd: usdToExactString(report.thisWeekUsd),
    lastWeekUsd: usdToExactString(report.lastWeekUsd),
    costPerSuccess: { thisWeekUsd: usd(report.costPerSuccess.thisWeekUsd), lastWeekUsd: usd(report.costPerSuccess.lastWeekUsd) },
    features: report.features.map((feature) => ({
      feature: feature.feature,
      thisWeekUsd: usdToExactString(feature.thisWeekUsd),
      lastWeekUsd: usdToExactString(feature.lastWeekUsd),
      changeUsd: usdToExactString(feature.changeUsd),
      thisWeekRequests: feature.thisWeekRequests,
      lastWeekRequests: feature.lastWeekRequests,
      thisWeekCostPerSuccessUsd: usd(feature.thisWeekCostPerSuccessUsd),
    })),
    // The same ordering the digest renders (`topMovers`).
    topMovers: topMovers(report.features).map((feature) => ({ feature: feature.feature, changeUsd: usdToExactString(feature.changeUsd) })),
    alerts: report.episodes.map(episodeJson),
    topInsights: report.topInsights.map(insightJson),
  };
}
