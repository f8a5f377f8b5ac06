import { describe, expect, it } from 'vitest';
import {
  alertRulesSchema,
  costPerSuccess,
  dailySpendSpike,
  defaultAlertRules,
  errorRate,
  featureAllocation,
  featureAllocationsSchema,
  forecastMonthEnd,
  inputTokenOutlier,
  outputTokenDrift,
  parseUsd,
  userSpendSpike,
} from '../../src/index.js';

const rules = defaultAlertRules();
const usd = (amount: string) => parseUsd(amount);
const week = (daily: string) => Array.from({ length: 7 }, () => usd(daily));

describe('daily spend over 120% of the trailing 7-day average', () => {
  it('does not fire at 119%', () => {
    expect(dailySpendSpike({ todayUsd: usd('119'), trailingDailyUsd: week('100') }, rules.dailySpendSpike)).toEqual({
      state: 'ok',
    });
  });

  it('does not fire at exactly 120%: the rule says over', () => {
    expect(dailySpendSpike({ todayUsd: usd('120'), trailingDailyUsd: week('100') }, rules.dailySpendSpike).state).toBe('ok');
  });

  it('fires at 121%, saying by how much', () => {
    expect(dailySpendSpike({ todayUsd: usd('121'), trailingDailyUsd: week('100') }, rules.dailySpendSpike)).toEqual({
      state: 'firing',
      severity: 'warning',
      reason: "today's spend is 121.0% of the 7-day average (threshold 120%)",
    });
  });

  it('compares exactly, even a hair over the threshold', () => {
    const trailing = [usd('10'), usd('20'), usd('30'), usd('0'), usd('5'), usd('5'), usd('0')]; // average $10
    expect(dailySpendSpike({ todayUsd: usd('12.000000000000000001'), trailingDailyUsd: trailing }, rules.dailySpendSpike).state).toBe('firing');
    expect(dailySpendSpike({ todayUsd: usd('12'), trailingDailyUsd: trailing }, rules.dailySpendSpike).state).toBe('ok');
  });

  it('does not page anyone over a feature with $0.02 of history', () => {
    const outcome = dailySpendSpike({ todayUsd: usd('0.50'), trailingDailyUsd: week('0.02') }, rules.dailySpendSpike);
    expect(outcome).toEqual({ state: 'insufficient_data', reason: 'trailing daily average below $1.00' });
  });

  it('follows a configured threshold', () => {
    const stricter = alertRulesSchema.parse({ dailySpendSpike: { thresholdPercent: 110 } }).dailySpendSpike;
    expect(dailySpendSpike({ todayUsd: usd('111'), trailingDailyUsd: week('100') }, stricter).state).toBe('firing');
  });
});

describe('a feature over its monthly allocation', () => {
  const allocationUsd = usd('1000');
  const check = (spent: string, forecast: string | null = null) =>
    featureAllocation({ monthToDateUsd: usd(spent), forecastUsd: forecast === null ? null : usd(forecast), allocationUsd }, rules.featureAllocation);

  it('stays quiet below the warning share', () => {
    expect(check('799.99', '900')).toEqual({ state: 'ok' });
  });

  it('warns at 80% of the allocation', () => {
    expect(check('800')).toEqual({ state: 'firing', severity: 'warning', reason: '80.0% of the monthly allocation used' });
  });

  it('fires as critical at 100%', () => {
    expect(check('1000')).toMatchObject({ state: 'firing', severity: 'critical' });
  });

  it('warns early when the month-end forecast exceeds the allocation', () => {
    expect(check('400', '1240')).toEqual({
      state: 'firing',
      severity: 'warning',
      reason: 'month-end forecast is 124.0% of the allocation',
    });
    expect(check('400', '1000')).toEqual({ state: 'ok' });
  });

  it('forecasts the month in a straight line, and not before three days have passed', () => {
    const day = 86_400_000;
    expect(forecastMonthEnd({ monthToDateUsd: usd('400'), elapsedMs: 10 * day, monthMs: 31 * day, minDays: 3 })).toBe(usd('1240'));
    expect(forecastMonthEnd({ monthToDateUsd: usd('400'), elapsedMs: 2 * day, monthMs: 31 * day, minDays: 3 })).toBeNull();
  });

  it('rejects allocations that list a feature twice', () => {
    const parsed = featureAllocationsSchema.safeParse([
      { feature: 'search', monthlyUsd: '100' },
      { feature: 'search', monthlyUsd: '200' },
    ]);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('feature "search" is listed twice');
  });
});

describe('error rate over 2%', () => {
  it('does not fire at exactly 2% of calls', () => {
    expect(errorRate({ calls: 1000, errors: 20 }, rules.errorRate)).toEqual({ state: 'ok' });
  });

  it('fires at 2.1% of calls', () => {
    expect(errorRate({ calls: 1000, errors: 21 }, rules.errorRate)).toEqual({
      state: 'firing',
      severity: 'critical',
      reason: '21 of 1,000 calls failed (2.1%, threshold 2%)',
    });
  });

  it('waits for the minimum number of calls', () => {
    expect(errorRate({ calls: 99, errors: 50 }, rules.errorRate)).toEqual({
      state: 'insufficient_data',
      reason: '99 calls, fewer than 100',
    });
    expect(errorRate({ calls: 100, errors: 3 }, rules.errorRate).state).toBe('firing');
  });
});

describe('output tokens per call drifting up', () => {
  it('fires when the recent average is more than 20% over the baseline', () => {
    const outcome = outputTokenDrift(
      { recent: { calls: 100, total: 36_100 }, baseline: { calls: 1_000, total: 300_000 } },
      rules.outputTokenDrift,
    );
    expect(outcome).toEqual({ state: 'firing', severity: 'warning', reason: 'output tokens per call rose to 361 from 300 (+20.3%)' });
  });

  it('does not fire at exactly +20%', () => {
    const outcome = outputTokenDrift(
      { recent: { calls: 100, total: 36_000 }, baseline: { calls: 1_000, total: 300_000 } },
      rules.outputTokenDrift,
    );
    expect(outcome.state).toBe('ok');
  });

  it('needs enough calls in both windows', () => {
    const outcome = outputTokenDrift(
      { recent: { calls: 10, total: 100_000 }, baseline: { calls: 1_000, total: 300_000 } },
      rules.outputTokenDrift,
    );
    expect(outcome.state).toBe('insufficient_data');
  });
});

describe('beyond the article’s list', () => {
  it('flags one request with more input tokens than the limit (the pasted 50,000-word document)', () => {
    expect(inputTokenOutlier({ maxInputTokens: 65_000 }, rules.inputTokenOutlier)).toMatchObject({ state: 'firing' });
    expect(inputTokenOutlier({ maxInputTokens: 50_000 }, rules.inputTokenOutlier)).toEqual({ state: 'ok' });
  });

  it('flags a user whose spend today is over five times their usual day', () => {
    expect(userSpendSpike({ todayUsd: usd('51'), trailingDailyUsd: week('10') }, rules.userSpendSpike)).toEqual({
      state: 'firing',
      severity: 'warning',
      reason: 'spend today is 5.1× the usual day',
    });
    expect(userSpendSpike({ todayUsd: usd('50'), trailingDailyUsd: week('10') }, rules.userSpendSpike).state).toBe('ok');
    expect(userSpendSpike({ todayUsd: usd('4'), trailingDailyUsd: week('0') }, rules.userSpendSpike).state).toBe('ok');
    expect(userSpendSpike({ todayUsd: usd('6'), trailingDailyUsd: week('0') }, rules.userSpendSpike).state).toBe('firing');
  });

  it('flags cost per successful response rising more than 25%', () => {
    const baseline = { costUsd: usd('100'), successes: 1_000 }; // $0.10 each
    expect(costPerSuccess({ recent: { costUsd: usd('13'), successes: 100 }, baseline }, rules.costPerSuccess)).toMatchObject({
      state: 'firing',
      reason: 'cost per successful response rose 30.0%',
    });
    expect(costPerSuccess({ recent: { costUsd: usd('12.5'), successes: 100 }, baseline }, rules.costPerSuccess).state).toBe('ok');
  });
});

describe('rule settings', () => {
  it('default to the article’s rules', () => {
    expect(rules.dailySpendSpike.thresholdPercent).toBe(120);
    expect(rules.dailySpendSpike.baselineDays).toBe(7);
    expect(rules.errorRate.thresholdPercent).toBe(2);
    expect(rules.featureAllocation.warnAtPercent).toBe(80);
    expect(rules.repeatIntervalMinutes).toBe(240);
  });

  it('reject a bad value with its path', () => {
    const parsed = alertRulesSchema.safeParse({ errorRate: { thresholdPercent: -1 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['errorRate', 'thresholdPercent']);
  });
});
