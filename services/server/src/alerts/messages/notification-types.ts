import type { AlertRules, EpisodeAction, UsdAtto } from '@costscope/core';

/** A rule of `alertRulesSchema` (every key but the repeat interval). */
export type AlertRuleId = Exclude<keyof AlertRules, 'repeatIntervalMinutes'>;

/** The episode actions that send a message (`none` sends nothing). */
export type NotifiedAction = Exclude<EpisodeAction, 'none'>;

/**
 * What an alert is about inside its project. No dimension set means the whole project; a rule
 * evaluated per feature and model sets both.
 */
export type AlertScope = {
  feature?: string;
  endpoint?: string;
  model?: string;
  userId?: string;
};

/**
 * The figure that made the rule fire, against what it was compared with, in one unit. Money stays
 * exact (`UsdAtto`) until rendering.
 * Examples: $1,210.00 `today` vs $1,000.00 `7-day average`; 3.1% `of calls failed` vs 2% `threshold`.
 */
export type AlertComparison =
  | ({ unit: 'usd'; value: UsdAtto; reference: UsdAtto } & ComparisonLabels)
  | ({ unit: 'percent'; value: number; reference: number } & ComparisonLabels)
  | ({ unit: 'tokens'; value: number; reference: number } & ComparisonLabels);

type ComparisonLabels = {
  /** What the value is: `today`, `month to date`, `of calls failed (last 60 min)`. */
  valueLabel: string;
  /** What it is compared with: `7-day average`, `monthly allocation`, `threshold`. */
  referenceLabel: string;
};

/** Recent values of the figure, oldest first, drawn as a sparkline. */
export type AlertTrend =
  | { label: string; unit: 'usd'; points: readonly UsdAtto[] }
  | { label: string; unit: 'percent' | 'tokens'; points: readonly number[] };

/** For the error-rate rule: what the failures cost (the article: track retry costs separately). */
export type FailureCost = {
  failedCalls: number;
  failedCallsUsd: UsdAtto;
  /** Calls with `costscope.attempt` > 1. */
  retries: number;
  retriesUsd: UsdAtto;
};

/** One episode's part of a message. */
export type AlertNotice = {
  episodeId: string;
  action: NotifiedAction;
  rule: AlertRuleId;
  scope: AlertScope;
  severity: 'warning' | 'critical';
  /** The rule's own sentence (`RuleOutcome.reason`), e.g. "today's spend is 121.0% of the 7-day average". */
  reason: string;
  comparison: AlertComparison;
  trend?: AlertTrend;
  failureCost?: FailureCost;
  /** When the episode opened (shown on repeats and resolutions). */
  startedAt: Date;
};

/**
 * Alerts of one project that fire, repeat, escalate or resolve in the same evaluation: one
 * message, so a bad day is one notification and not ten.
 */
export type AlertGroup = {
  projectId: string;
  /** Shown to people; the id when the project has no other name. */
  projectName: string;
  /** The evaluation time this message belongs to. */
  notifiedAt: Date;
  alerts: readonly AlertNotice[];
};

/** A feature's cost in the weekly review (`/api/v1/reports/weekly` answers the same figures). */
export type WeeklyFeatureFigures = {
  feature: string;
  thisWeekUsd: UsdAtto;
  lastWeekUsd: UsdAtto;
  /** Total spend ÷ successful responses; `null` when the feature had no successful response. */
  thisWeekCostPerSuccessUsd?: UsdAtto | null;
};

/** An alert episode that was open at some point during the week. */
export type WeeklyAlertSummary = {
  rule: AlertRuleId;
  scope: AlertScope;
  severity: 'warning' | 'critical';
  startedAt: Date;
  /** `null` while it still fires. */
  resolvedAt: Date | null;
};

/** The Monday digest: the article's weekly review of cost per feature. */
export type WeeklyReviewDigest = {
  projectId: string;
  projectName: string;
  /** ISO week, `2026-W48`. */
  week: string;
  /** Monday of the week in the project time zone, `YYYY-MM-DD`, for the reader. */
  weekStartDay: string;
  thisWeekUsd: UsdAtto;
  lastWeekUsd: UsdAtto;
  costPerSuccess: { thisWeekUsd: UsdAtto | null; lastWeekUsd: UsdAtto | null };
  features: readonly WeeklyFeatureFigures[];
  alerts: readonly WeeklyAlertSummary[];
  /**
   * The three largest savings insights of the 30 days ending with the week. Optional: a digest
   * queued before insights existed is still sent, without them.
   */
  topInsights?: readonly WeeklyInsightSummary[];
};

/** A savings insight as the digest shows it: what to do, for which feature, and the dollars. */
export type WeeklyInsightSummary = {
  title: string;
  feature: string;
  monthlySavingUsd: UsdAtto;
};
