import { parseUsd, type UsdAtto } from '../pricing/money.js';
import type { AlertRules } from './rule-settings.js';

/**
 * The alert rules' decisions, as pure functions of figures the storage layer computes. Each takes
 * exact inputs (atto-dollars, whole counts) and compares exactly, so a rule fires at 121% and not
 * at 119% — and not at exactly its threshold, since the article's rules say "over".
 */

/** What a rule concluded for one scope (the project, a feature, a feature × model…). */
export type RuleOutcome =
  | { state: 'firing'; severity: 'warning' | 'critical'; reason: string }
  | { state: 'ok' }
  /** The figures cannot support a judgement (too few calls, too small a baseline). */
  | { state: 'insufficient_data'; reason: string };

const OK: RuleOutcome = { state: 'ok' };

/** Percent as basis points of a percent (2.5% → 250), so comparisons stay in integers. */
function percentToHundredths(percent: number): bigint {
  return BigInt(Math.round(percent * 100));
}

/** Is `value` over `percent`% of `base`?  value / base > percent / 100, without division. */
function isOverPercentOf(value: bigint, base: bigint, percent: number): boolean {
  return value * 10_000n > base * percentToHundredths(percent);
}

function percentOf(value: bigint, base: bigint): string {
  if (base === 0n) return '∞';
  return (Number((value * 10_000n) / base) / 100).toFixed(1);
}

export type DailySpendFigures = {
  /** Spend of the current day (in the project's time zone) so far. */
  todayUsd: UsdAtto;
  /** Spend of each of the trailing full days before today, most recent last; missing days are 0. */
  trailingDailyUsd: readonly UsdAtto[];
};

/** Rule 1: daily spend over 120% of the trailing 7-day average. */
export function dailySpendSpike(figures: DailySpendFigures, rule: AlertRules['dailySpendSpike']): RuleOutcome {
  const days = BigInt(figures.trailingDailyUsd.length);
  if (days === 0n) return { state: 'insufficient_data', reason: 'no trailing days' };
  const trailingSum = figures.trailingDailyUsd.reduce((sum, day) => sum + day, 0n);
  // Compare against the minimum with the sum: average < min  ⇔  sum < min × days.
  if (trailingSum < parseUsd(rule.minBaselineUsd) * days) {
    return { state: 'insufficient_data', reason: `trailing daily average below $${rule.minBaselineUsd}` };
  }
  // today / (sum / days) > threshold%  ⇔  today × days / sum > threshold%
  if (!isOverPercentOf(figures.todayUsd * days, trailingSum, rule.thresholdPercent)) return OK;
  return {
    state: 'firing',
    severity: 'warning',
    reason: `today's spend is ${percentOf(figures.todayUsd * days, trailingSum)}% of the ${days}-day average (threshold ${rule.thresholdPercent}%)`,
  };
}

export type AllocationFigures = {
  monthToDateUsd: UsdAtto;
  /** Linear month-end forecast (see `forecastMonthEnd`); `null` when too early to forecast. */
  forecastUsd: UsdAtto | null;
  allocationUsd: UsdAtto;
  /** Whose budget this is: a feature's allocation (the default) or the project's monthly budget. */
  of?: 'feature' | 'project';
};

/**
 * Rule 2: a feature over its monthly allocation, or the whole project over its monthly budget —
 * critical at 100%, a warning at `warnAtPercent`, and an early warning when the month-end forecast
 * is over.
 */
export function featureAllocation(figures: AllocationFigures, rule: AlertRules['featureAllocation']): RuleOutcome {
  const { monthToDateUsd, forecastUsd, allocationUsd } = figures;
  if (allocationUsd <= 0n) return { state: 'insufficient_data', reason: 'no allocation' };
  const project = figures.of === 'project';
  const used = `${percentOf(monthToDateUsd, allocationUsd)}% of ${project ? "the project's monthly budget" : 'the monthly allocation'} used`;
  if (monthToDateUsd >= allocationUsd) return { state: 'firing', severity: 'critical', reason: used };
  // "A warning at 80%": reaching the share warns, unlike the rules that fire only when over.
  if (monthToDateUsd * 10_000n >= allocationUsd * percentToHundredths(rule.warnAtPercent)) {
    return { state: 'firing', severity: 'warning', reason: used };
  }
  if (rule.forecastWarning && forecastUsd !== null && forecastUsd > allocationUsd) {
    return {
      state: 'firing',
      severity: 'warning',
      reason: `month-end forecast is ${percentOf(forecastUsd, allocationUsd)}% of ${project ? "the project's monthly budget" : 'the allocation'}`,
    };
  }
  return OK;
}

/**
 * Straight-line month-end forecast: spend so far ÷ elapsed share of the month. `null` before
 * `minDays` have passed, when one busy morning would project an absurd month.
 */
export function forecastMonthEnd(input: {
  monthToDateUsd: UsdAtto;
  elapsedMs: number;
  monthMs: number;
  minDays: number;
}): UsdAtto | null {
  const { monthToDateUsd, elapsedMs, monthMs, minDays } = input;
  if (elapsedMs <= 0 || elapsedMs < minDays * 86_400_000) return null;
  if (elapsedMs >= monthMs) return monthToDateUsd;
  return (monthToDateUsd * BigInt(Math.round(monthMs))) / BigInt(Math.round(elapsedMs));
}

export type ErrorRateFigures = { calls: number; errors: number };

/** Rule 3: error rate over 2% of calls, once there are enough calls for a rate to mean something. */
export function errorRate(figures: ErrorRateFigures, rule: AlertRules['errorRate']): RuleOutcome {
  if (figures.calls < rule.minCalls) {
    return { state: 'insufficient_data', reason: `${count(figures.calls)} calls, fewer than ${count(rule.minCalls)}` };
  }
  if (!isOverPercentOf(BigInt(figures.errors), BigInt(figures.calls), rule.thresholdPercent)) return OK;
  return {
    state: 'firing',
    severity: 'critical',
    reason: `${count(figures.errors)} of ${count(figures.calls)} calls failed (${percentOf(BigInt(figures.errors), BigInt(figures.calls))}%, threshold ${rule.thresholdPercent}%)`,
  };
}

export type WindowAverage = { calls: number; total: number };

/** Rule 4: average output tokens per call rising — a recent window against the trailing baseline. */
export function outputTokenDrift(
  figures: { recent: WindowAverage; baseline: WindowAverage },
  rule: AlertRules['outputTokenDrift'],
): RuleOutcome {
  const { recent, baseline } = figures;
  if (recent.calls < rule.minCalls || baseline.calls < rule.minCalls) {
    return { state: 'insufficient_data', reason: `fewer than ${count(rule.minCalls)} calls in a window` };
  }
  // (recent.total / recent.calls) > (baseline.total / baseline.calls) × (100 + threshold)%
  const recentScaled = BigInt(recent.total) * BigInt(baseline.calls);
  const baselineScaled = BigInt(baseline.total) * BigInt(recent.calls);
  if (!isOverPercentOf(recentScaled, baselineScaled, 100 + rule.thresholdPercent)) return OK;
  const average = (w: WindowAverage) => (w.total / w.calls).toFixed(0);
  return {
    state: 'firing',
    severity: 'warning',
    reason: `output tokens per call rose to ${average(recent)} from ${average(baseline)} (+${(Number(percentOf(recentScaled, baselineScaled)) - 100).toFixed(1)}%)`,
  };
}

/** Beyond the article's list: one request with more input tokens than the limit. */
export function inputTokenOutlier(figures: { maxInputTokens: number }, rule: AlertRules['inputTokenOutlier']): RuleOutcome {
  if (figures.maxInputTokens <= rule.maxInputTokens) return OK;
  return {
    state: 'firing',
    severity: 'warning',
    reason: `a request sent ${count(figures.maxInputTokens)} input tokens (limit ${count(rule.maxInputTokens)})`,
  };
}

/** Beyond the article's list: a user whose spend today is far above their usual day. */
export function userSpendSpike(
  figures: { todayUsd: UsdAtto; trailingDailyUsd: readonly UsdAtto[] },
  rule: AlertRules['userSpendSpike'],
): RuleOutcome {
  if (figures.todayUsd < parseUsd(rule.minUsd)) return OK;
  const days = BigInt(Math.max(figures.trailingDailyUsd.length, 1));
  const trailingSum = figures.trailingDailyUsd.reduce((sum, day) => sum + day, 0n);
  // A user with no history who spends over the minimum on day one is the spike.
  if (trailingSum > 0n && !isOverPercentOf(figures.todayUsd * days, trailingSum, rule.multiple * 100)) return OK;
  return {
    state: 'firing',
    severity: 'warning',
    reason:
      trailingSum === 0n
        ? 'spend today with no spend in the trailing days'
        : `spend today is ${(Number(percentOf(figures.todayUsd * days, trailingSum)) / 100).toFixed(1)}× the usual day`,
  };
}

/** Beyond the article's list: cost per successful response rising (a silent retry storm, longer prompts…). */
export function costPerSuccess(
  figures: { recent: { costUsd: UsdAtto; successes: number }; baseline: { costUsd: UsdAtto; successes: number } },
  rule: AlertRules['costPerSuccess'],
): RuleOutcome {
  const { recent, baseline } = figures;
  if (recent.successes < rule.minSuccesses || baseline.successes < rule.minSuccesses) {
    return { state: 'insufficient_data', reason: `fewer than ${count(rule.minSuccesses)} successful responses in a window` };
  }
  const recentScaled = recent.costUsd * BigInt(baseline.successes);
  const baselineScaled = baseline.costUsd * BigInt(recent.successes);
  if (baselineScaled === 0n || !isOverPercentOf(recentScaled, baselineScaled, 100 + rule.thresholdPercent)) return OK;
  return {
    state: 'firing',
    severity: 'warning',
    reason: `cost per successful response rose ${(Number(percentOf(recentScaled, baselineScaled)) - 100).toFixed(1)}%`,
  };
}

/** A count as people read it in a message: 60,000, not 60000 (fixed locale: the same on every server). */
function count(value: number | bigint): string {
  return value.toLocaleString('en-US');
}
