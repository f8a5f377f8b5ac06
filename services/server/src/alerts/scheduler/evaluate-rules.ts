import {
  costPerSuccess,
  dailySpendSpike,
  errorRate,
  featureAllocation,
  inputTokenOutlier,
  outputTokenDrift,
  parseUsd,
  userSpendSpike,
  type AlertRules,
  type FeatureAllocation,
  type RuleOutcome,
  type UsdAtto,
} from '@costscope/core';
import {
  getCostPerSuccessWindows,
  getErrorRatesByEndpoint,
  getOutputTokenWindowsByModel,
  getUserDailySpend,
} from '../../storage/alert-rule-inputs.js';
import { getDailySpendBaselines, getInputTokenOutliers, getMonthToDateSpend } from '../../storage/rule-inputs.js';
import { divideUsd } from '../../storage/query-support.js';
import type { ClickHouseTransport } from '../../storage/transport.js';
import type { AlertComparison, AlertRuleId, AlertScope, AlertTrend, FailureCost } from '../messages/notification-types.js';
import { localTime } from '@costscope/core';

/** One rule's verdict on one scope, with the figures a message shows. */
export type EvaluatedScope = {
  rule: AlertRuleId;
  /** Stable text key of `scope` (`project`, `feature=search&endpoint=%2Fv1`): what episodes are keyed by. */
  scopeKey: string;
  scope: AlertScope;
  outcome: RuleOutcome;
  comparison: AlertComparison;
  trend?: AlertTrend;
  failureCost?: FailureCost;
};

/** `project` for the whole project, else the scope's dimensions in a fixed order, URL-encoded. */
export function scopeKeyOf(scope: AlertScope): string {
  const params = new URLSearchParams();
  if (scope.feature !== undefined) params.set('feature', scope.feature);
  if (scope.endpoint !== undefined) params.set('endpoint', scope.endpoint);
  if (scope.model !== undefined) params.set('model', scope.model);
  if (scope.userId !== undefined) params.set('user', scope.userId);
  const key = params.toString();
  return key === '' ? 'project' : key;
}

export function scopeFromKey(key: string): AlertScope {
  if (key === 'project') return {};
  const params = new URLSearchParams(key);
  const scope: AlertScope = {};
  const feature = params.get('feature');
  const endpoint = params.get('endpoint');
  const model = params.get('model');
  const userId = params.get('user');
  if (feature !== null) scope.feature = feature;
  if (endpoint !== null) scope.endpoint = endpoint;
  if (model !== null) scope.model = model;
  if (userId !== null) scope.userId = userId;
  return scope;
}

/**
 * When a firing episode's scope has no row at all this evaluation (no calls in the window):
 * spend rules read that as spend 0 — the episode resolves; rate rules cannot judge without calls,
 * and a quiet hour is not a recovery — the episode stays open.
 */
export const MISSING_SCOPE_MEANS_OK: Readonly<Record<AlertRuleId, boolean>> = {
  dailySpendSpike: true,
  featureAllocation: true,
  errorRate: false,
  outputTokenDrift: false,
  inputTokenOutlier: true,
  userSpendSpike: true,
  costPerSuccess: false,
};

/** The window the oversized-request rule looks back over: one such request keeps it open a day. */
export const INPUT_TOKEN_OUTLIER_WINDOW_MS = 86_400_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}

/** Every enabled rule on every scope it applies to, at `now`. */
export async function evaluateRules(
  transport: ClickHouseTransport,
  input: {
    projectId: string;
    now: Date;
    timezone: string;
    rules: AlertRules;
    allocations: readonly FeatureAllocation[];
    /** The project's monthly budget (the `budget` setting); none when absent or null. */
    projectBudgetUsd?: UsdAtto | null;
  },
): Promise<EvaluatedScope[]> {
  const { projectId, now, timezone, rules } = input;
  const projectBudgetUsd = input.projectBudgetUsd ?? null;
  const results: EvaluatedScope[] = [];
  const today = localTime(now, timezone).day;

  if (rules.dailySpendSpike.enabled) {
    const rule = rules.dailySpendSpike;
    const scopes: Array<'project' | 'feature'> = rule.perFeature ? ['project', 'feature'] : ['project'];
    for (const scope of scopes) {
      const baselines = await getDailySpendBaselines(transport, { projectId, day: today, timezone, scope, trailingDays: rule.baselineDays });
      for (const baseline of baselines) {
        // The untagged remainder ('' feature) is covered by the project-wide evaluation.
        if (scope === 'feature' && baseline.feature === '') continue;
        const alertScope: AlertScope = scope === 'feature' ? { feature: baseline.feature } : {};
        results.push({
          rule: 'dailySpendSpike',
          scopeKey: scopeKeyOf(alertScope),
          scope: alertScope,
          outcome: dailySpendSpike({ todayUsd: baseline.todayUsd, trailingDailyUsd: baseline.trailingDailyUsd }, rule),
          comparison: {
            unit: 'usd',
            value: baseline.todayUsd,
            reference: baseline.trailingAverageUsd,
            valueLabel: 'today',
            referenceLabel: `${rule.baselineDays}-day average`,
          },
          trend: { label: `last ${rule.baselineDays + 1} days`, unit: 'usd', points: [...baseline.trailingDailyUsd, baseline.todayUsd] },
        });
      }
    }
  }

  if (rules.featureAllocation.enabled && (input.allocations.length > 0 || projectBudgetUsd !== null)) {
    const rule = rules.featureAllocation;
    const spend = await getMonthToDateSpend(transport, { projectId, now, timezone, minDaysForForecast: rule.forecastMinDays, source: 'raw' });
    const allocationScope = (
      scope: AlertScope,
      figures: { monthToDateUsd: UsdAtto; forecastUsd: UsdAtto | null; allocationUsd: UsdAtto; of: 'feature' | 'project' },
    ): EvaluatedScope => {
      const { monthToDateUsd, forecastUsd, allocationUsd } = figures;
      const outcome = featureAllocation(figures, rule);
      const belowWarning = monthToDateUsd * 10_000n < allocationUsd * BigInt(Math.round(rule.warnAtPercent * 100));
      const byForecast = outcome.state === 'firing' && belowWarning && forecastUsd !== null;
      const referenceLabel = figures.of === 'project' ? 'project monthly budget' : 'monthly allocation';
      return {
        rule: 'featureAllocation',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome,
        comparison: byForecast
          ? { unit: 'usd', value: forecastUsd, reference: allocationUsd, valueLabel: 'month-end forecast', referenceLabel }
          : { unit: 'usd', value: monthToDateUsd, reference: allocationUsd, valueLabel: 'month to date', referenceLabel },
      };
    };
    for (const allocation of input.allocations) {
      const row = spend.find((item) => item.feature === allocation.feature);
      results.push(
        allocationScope(
          { feature: allocation.feature },
          { monthToDateUsd: row?.monthToDateUsd ?? 0n, forecastUsd: row?.forecastUsd ?? null, allocationUsd: parseUsd(allocation.monthlyUsd), of: 'feature' },
        ),
      );
    }
    if (projectBudgetUsd !== null) {
      // Every call of the month counts, untagged ones too. Each feature's forecast is the same
      // straight line, so their sum is the project's (to the atto-dollar of rounding).
      const monthToDateUsd = spend.reduce((total, row) => total + row.monthToDateUsd, 0n);
      const forecasts = spend.map((row) => row.forecastUsd);
      const forecastUsd = spend.length === 0 || forecasts.includes(null) ? null : forecasts.reduce<UsdAtto>((total, value) => total + (value ?? 0n), 0n);
      results.push(allocationScope({}, { monthToDateUsd, forecastUsd, allocationUsd: projectBudgetUsd, of: 'project' }));
    }
  }

  if (rules.errorRate.enabled) {
    const rule = rules.errorRate;
    const rates = await getErrorRatesByEndpoint(transport, { projectId, from: new Date(now.getTime() - rule.windowMinutes * 60_000), to: now });
    for (const rate of rates) {
      const scope: AlertScope = { feature: rate.feature, endpoint: rate.endpoint };
      results.push({
        rule: 'errorRate',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome: errorRate({ calls: rate.calls, errors: rate.errors }, rule),
        comparison: {
          unit: 'percent',
          value: percent(rate.errors, rate.calls),
          reference: rule.thresholdPercent,
          valueLabel: `of ${rate.calls.toLocaleString('en-US')} calls failed (last ${rule.windowMinutes} min)`,
          referenceLabel: 'threshold',
        },
        failureCost: { failedCalls: rate.errors, failedCallsUsd: rate.errorCostUsd, retries: rate.retries, retriesUsd: rate.retryCostUsd },
      });
    }
  }

  if (rules.outputTokenDrift.enabled) {
    const rule = rules.outputTokenDrift;
    const recentFrom = new Date(now.getTime() - rule.recentHours * HOUR_MS);
    const windows = await getOutputTokenWindowsByModel(transport, {
      projectId,
      recent: { from: recentFrom, to: now },
      baseline: { from: new Date(recentFrom.getTime() - rule.baselineDays * DAY_MS), to: recentFrom },
    });
    for (const window of windows) {
      const scope: AlertScope = { feature: window.feature, model: window.model };
      const average = (w: { calls: number; total: number }) => (w.calls === 0 ? 0 : Math.round(w.total / w.calls));
      results.push({
        rule: 'outputTokenDrift',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome: outputTokenDrift({ recent: window.recent, baseline: window.baseline }, rule),
        comparison: {
          unit: 'tokens',
          value: average(window.recent),
          reference: average(window.baseline),
          valueLabel: `output tokens per call (last ${rule.recentHours} h)`,
          referenceLabel: `${rule.baselineDays}-day baseline`,
        },
      });
    }
  }

  if (rules.inputTokenOutlier.enabled) {
    const rule = rules.inputTokenOutlier;
    const peaks = await getInputTokenOutliers(transport, { projectId, from: new Date(now.getTime() - INPUT_TOKEN_OUTLIER_WINDOW_MS), to: now, limit: 1 });
    for (const peak of peaks.features) {
      const scope: AlertScope = { feature: peak.feature };
      results.push({
        rule: 'inputTokenOutlier',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome: inputTokenOutlier({ maxInputTokens: peak.maxInputTokens }, rule),
        comparison: {
          unit: 'tokens',
          value: peak.maxInputTokens,
          reference: rule.maxInputTokens,
          valueLabel: 'largest request (last 24 h)',
          referenceLabel: 'limit',
        },
      });
    }
  }

  if (rules.userSpendSpike.enabled) {
    const rule = rules.userSpendSpike;
    const users = await getUserDailySpend(transport, { projectId, day: today, trailingDays: rule.baselineDays, timezone });
    for (const user of users) {
      const scope: AlertScope = { userId: user.userId };
      const trailingSum = user.trailingDailyUsd.reduce((sum, day) => sum + day, 0n);
      results.push({
        rule: 'userSpendSpike',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome: userSpendSpike(user, rule),
        comparison: {
          unit: 'usd',
          value: user.todayUsd,
          reference: divideUsd(trailingSum, user.trailingDailyUsd.length) ?? 0n,
          valueLabel: 'today',
          referenceLabel: `usual day (${rule.baselineDays}-day average)`,
        },
        trend: { label: `last ${rule.baselineDays + 1} days`, unit: 'usd', points: [...user.trailingDailyUsd, user.todayUsd] },
      });
    }
  }

  if (rules.costPerSuccess.enabled) {
    const rule = rules.costPerSuccess;
    const recentFrom = new Date(now.getTime() - rule.recentHours * HOUR_MS);
    const windows = await getCostPerSuccessWindows(transport, {
      projectId,
      recent: { from: recentFrom, to: now },
      baseline: { from: new Date(recentFrom.getTime() - rule.baselineDays * DAY_MS), to: recentFrom },
    });
    for (const window of windows) {
      const scope: AlertScope = { feature: window.feature };
      const perSuccess = (w: { costUsd: UsdAtto; successes: number }) => divideUsd(w.costUsd, w.successes) ?? 0n;
      results.push({
        rule: 'costPerSuccess',
        scopeKey: scopeKeyOf(scope),
        scope,
        outcome: costPerSuccess(window, rule),
        comparison: {
          unit: 'usd',
          value: perSuccess(window.recent),
          reference: perSuccess(window.baseline),
          valueLabel: `per successful response (last ${rule.recentHours} h)`,
          referenceLabel: `${rule.baselineDays}-day baseline`,
        },
      });
    }
  }
  return results;
}
