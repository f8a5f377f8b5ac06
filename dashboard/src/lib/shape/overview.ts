import {
  addLocalDays,
  dailySpendSpike,
  forecastMonthEnd,
  localTime,
  parseUsd,
  startOfLocalDay,
  usdToExactString,
  usdToNumber,
  type AlertRules,
  type RuleOutcome,
  type UsdAtto,
} from '@costscope/core';
import type { AlertEpisode, FeatureAllocationSetting } from '../api/types';
import { cumulativeWithForecast, onceEach } from '../chart-data';
import { usdShare } from './features';
import { isAlertRuleId, parseScope, readEpisodeValues, RULE_SHORT_NAMES, ruleTitle, scopeText, type RuleThresholds } from './alerts';

/**
 * The overview's figures, shaped from API answers by plain functions (unit-tested in
 * test/overview.spec.ts). Money stays exact (bigint atto-dollars, exact strings out); the floats
 * here are for drawing only.
 */

/** Rows of `/api/v1/costs?interval=day` (any grouping) → exact spend per local day. */
export function spendByLocalDay(rows: ReadonlyArray<{ bucket?: string; costUsd: string }>, timezone: string): Map<string, UsdAtto> {
  const byDay = new Map<string, UsdAtto>();
  // Buckets are the instants local days start at ("2026-11-26T23:00:00Z" in Paris), not dates.
  const dayOf = onceEach((bucket: string) => localTime(new Date(bucket), timezone).day);
  for (const row of rows) {
    if (!row.bucket) continue;
    const day = dayOf(row.bucket);
    byDay.set(day, (byDay.get(day) ?? 0n) + parseUsd(row.costUsd));
  }
  return byDay;
}

/** The first local day of the month `day` is in, and of the month after it. */
export function monthBounds(day: string): { first: string; next: string } {
  const first = `${day.slice(0, 8)}01`;
  // 32 days after the 1st is always in the next month.
  const next = `${addLocalDays(first, 32).slice(0, 8)}01`;
  return { first, next };
}

/** "November 2026" for any local day of that month. */
export function monthLabel(day: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(new Date(`${day.slice(0, 8)}01T00:00:00Z`));
}

/** Local days from `first` up to, not including, `end`. */
export function daysBetween(first: string, end: string): string[] {
  const days: string[] = [];
  for (let day = first; day < end && days.length < 1000; day = addLocalDays(day, 1)) days.push(day);
  return days;
}

export type TodayVsAverage = {
  today: string;
  todayUsd: string;
  /** The trailing `baselineDays` full days' average (days without calls count as $0, as the rule counts them). */
  averageUsd: string;
  /** `thresholdPercent` of the average: the line today's spend must stay under. */
  thresholdUsd: string;
  thresholdPercent: number;
  baselineDays: number;
  /** Today as a share of the average (1.34 = 134%); `null` when the average is $0. */
  shareOfAverage: number | null;
  /** The alert rule's own verdict on these figures (firing, ok, or too small a baseline to judge). */
  outcome: RuleOutcome;
  /** The trailing days then today, for the bar chart; a day without calls is a gap. */
  bars: Array<{ day: string; costUsd: number | null; today: boolean }>;
};

/**
 * The article's first alert rule as a picture: today's spend so far against the average of the
 * `baselineDays` full days before it, and the threshold line (120% by default).
 */
export function todayVsAverage(byDay: ReadonlyMap<string, UsdAtto>, today: string, rule: AlertRules['dailySpendSpike']): TodayVsAverage {
  const trailingDays = Array.from({ length: rule.baselineDays }, (_, i) => addLocalDays(today, i - rule.baselineDays));
  const trailing = trailingDays.map((day) => byDay.get(day) ?? 0n);
  const todayUsd = byDay.get(today) ?? 0n;
  const days = BigInt(rule.baselineDays);
  const sum = trailing.reduce((total, day) => total + day, 0n);
  const thresholdHundredths = BigInt(Math.round(rule.thresholdPercent * 100));
  return {
    today,
    todayUsd: usdToExactString(todayUsd),
    averageUsd: usdToExactString(sum / days),
    thresholdUsd: usdToExactString((sum * thresholdHundredths) / (days * 10_000n)),
    thresholdPercent: rule.thresholdPercent,
    baselineDays: rule.baselineDays,
    shareOfAverage: sum === 0n ? null : Number((todayUsd * days * 1_000_000n) / sum) / 1_000_000,
    outcome: dailySpendSpike({ todayUsd, trailingDailyUsd: trailing }, rule),
    bars: [...trailingDays, today].map((day) => {
      const spend = byDay.get(day);
      return { day, costUsd: spend === undefined ? null : usdToNumber(spend), today: day === today };
    }),
  };
}

export type MonthToDate = {
  /** "November 2026". */
  monthLabel: string;
  monthToDateUsd: string;
  /** Sum of every feature's monthly allocation; `null` when none is set. */
  allocationUsd: string | null;
  /** Month to date ÷ allocation (0.8 = 80%). */
  allocationShare: number | null;
  /** Straight-line month-end forecast (core's `forecastMonthEnd`); `null` in the first days of the month. */
  forecastUsd: string | null;
  forecastShare: number | null;
  /** The project's monthly budget (the `budget` setting); `null` when none is set. */
  budgetUsd: string | null;
  /** Month to date ÷ the project's budget. */
  budgetShare: number | null;
  /** Cumulative spend per day of the month: `actual` up to today, then the `forecast` (dashed) to month end. */
  points: Array<{ day: string; actual: number | null; forecast: number | null }>;
};

export function sumAllocations(allocations: readonly FeatureAllocationSetting[]): UsdAtto | null {
  if (allocations.length === 0) return null;
  return allocations.reduce((total, allocation) => total + parseUsd(allocation.monthlyUsd), 0n);
}

/**
 * The month's spend so far against the total allocation, with the month-end forecast the
 * allocation rule uses. The chart's dashed line ends exactly at that forecast, so the line and
 * the figure beside it never disagree.
 */
export function monthToDate(input: {
  byDay: ReadonlyMap<string, UsdAtto>;
  now: Date;
  timezone: string;
  allocationUsd: UsdAtto | null;
  budgetUsd?: UsdAtto | null;
  forecastMinDays: number;
}): MonthToDate {
  const { byDay, now, timezone, allocationUsd } = input;
  const budgetUsd = input.budgetUsd ?? null;
  const today = localTime(now, timezone).day;
  const { first, next } = monthBounds(today);
  const days = daysBetween(first, next);
  const total = days.filter((day) => day <= today).reduce((sum, day) => sum + (byDay.get(day) ?? 0n), 0n);
  const monthStart = startOfLocalDay(first, timezone).getTime();
  const forecast = forecastMonthEnd({
    monthToDateUsd: total,
    elapsedMs: now.getTime() - monthStart,
    monthMs: startOfLocalDay(next, timezone).getTime() - monthStart,
    minDays: input.forecastMinDays,
  });

  const cumulative = cumulativeWithForecast(
    days.map((day) => ({ day, costUsd: byDay.has(day) ? usdToNumber(byDay.get(day) ?? 0n) : null })),
    today,
  );
  // cumulativeWithForecast projects at the average of whole days; the rule's forecast counts the
  // time elapsed. The dashed part is redrawn from today to the rule's figure, the one shown.
  const actualToday = usdToNumber(total);
  const remaining = days.filter((day) => day > today).length;
  let step = 0;
  const points = cumulative.map((point) => {
    if (point.day < today) return point;
    if (forecast === null) return { ...point, forecast: null };
    if (point.day === today) return point;
    step++;
    return { ...point, forecast: actualToday + ((usdToNumber(forecast) - actualToday) * step) / remaining };
  });

  return {
    monthLabel: monthLabel(first),
    monthToDateUsd: usdToExactString(total),
    allocationUsd: allocationUsd === null ? null : usdToExactString(allocationUsd),
    allocationShare: usdShare(total, allocationUsd),
    forecastUsd: forecast === null ? null : usdToExactString(forecast),
    forecastShare: forecast === null ? null : usdShare(forecast, allocationUsd),
    budgetUsd: budgetUsd === null ? null : usdToExactString(budgetUsd),
    budgetShare: usdShare(total, budgetUsd),
    points,
  };
}

/** One mark per local day an alert started in, for the daily chart ("2 alerts: Daily spend spike, Error rate"). */
export function alertMarkers(alerts: readonly AlertEpisode[], timezone: string, days: readonly string[]): Array<{ bucket: string; label: string }> {
  const inRange = new Set(days);
  const byDay = new Map<string, string[]>();
  for (const alert of alerts) {
    const day = localTime(new Date(alert.startedAt), timezone).day;
    if (!inRange.has(day)) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), isAlertRuleId(alert.rule) ? RULE_SHORT_NAMES[alert.rule] : alert.rule]);
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, titles]) => ({ bucket, label: `${titles.length} alert${titles.length === 1 ? '' : 's'}: ${[...new Set(titles)].join(', ')}` }));
}

export type AlertItem = {
  episodeId: string;
  title: string;
  scope: string;
  severity: 'warning' | 'critical';
  status: 'firing' | 'resolved';
  startedAt: string;
  reason: string | null;
};

/** Episodes as a list shows them: firing before resolved, critical first, then the newest. */
export function alertItems(alerts: readonly AlertEpisode[], rules: RuleThresholds): AlertItem[] {
  const rank = (alert: AlertEpisode) => (alert.status === 'firing' ? 0 : 2) + (alert.severity === 'critical' ? 0 : 1);
  return [...alerts]
    .sort((a, b) => rank(a) - rank(b) || b.startedAt.localeCompare(a.startedAt))
    .map((alert) => ({
      episodeId: alert.episodeId,
      title: ruleTitle(alert.rule, rules),
      scope: scopeText(parseScope(alert.scope)),
      severity: alert.severity,
      status: alert.status,
      startedAt: alert.startedAt,
      reason: readEpisodeValues(alert.values).reason,
    }));
}

/** Firing episodes, critical first, then the newest. */
export function firingAlerts(alerts: readonly AlertEpisode[], rules: RuleThresholds): AlertItem[] {
  return alertItems(
    alerts.filter((alert) => alert.status === 'firing'),
    rules,
  );
}

/** Error rate of a set of calls; `null` when there were none (not 0%). */
export function errorRate(figures: { requests: number; errors: number }): number | null {
  return figures.requests === 0 ? null : figures.errors / figures.requests;
}
