import { parseUsd } from '@costscope/core';
import type { AlertGroup, AlertNotice, WeeklyReviewDigest } from '../../../src/alerts/messages/index.js';

export const DASHBOARD = 'https://costs.example.com';
export const NOTIFIED_AT = new Date('2026-11-28T09:05:00Z');

/** The article's first rule: $1,210 today against a $1,000 7-day average. */
export function dailySpendAlert(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    episodeId: 'ep-daily-1',
    action: 'open',
    rule: 'dailySpendSpike',
    scope: {},
    severity: 'warning',
    reason: "today's spend is 121.0% of the 7-day average (threshold 120%)",
    comparison: { unit: 'usd', value: parseUsd('1210'), reference: parseUsd('1000'), valueLabel: 'today', referenceLabel: '7-day average' },
    trend: {
      label: 'last 8 days',
      unit: 'usd',
      points: ['980', '1010', '995', '1020', '990', '1005', '1000', '1210'].map((usd) => parseUsd(usd)),
    },
    startedAt: NOTIFIED_AT,
    ...overrides,
  };
}

/** Error rate over 2% on a feature whose name tries to inject markup and a Slack mention. */
export const HOSTILE_FEATURE = 'search<script>alert(1)</script> & <!channel>';

export function errorRateAlert(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    episodeId: 'ep-errors-7',
    action: 'escalate',
    rule: 'errorRate',
    scope: { feature: HOSTILE_FEATURE, endpoint: '/v1/chat' },
    severity: 'critical',
    reason: '31 of 1,000 calls failed (3.1%, threshold 2%)',
    comparison: { unit: 'percent', value: 3.1, reference: 2, valueLabel: 'of calls failed (last 60 min)', referenceLabel: 'threshold' },
    failureCost: { failedCalls: 31, failedCallsUsd: parseUsd('12.40'), retries: 12, retriesUsd: parseUsd('4.10') },
    startedAt: new Date('2026-11-28T08:05:00Z'),
    ...overrides,
  };
}

export function outputDriftResolved(overrides: Partial<AlertNotice> = {}): AlertNotice {
  return {
    episodeId: 'ep-drift-3',
    action: 'resolve',
    rule: 'outputTokenDrift',
    scope: { feature: 'summarize', model: 'gpt-5' },
    severity: 'warning',
    reason: 'output tokens per call back to 310 from 305',
    comparison: { unit: 'tokens', value: 310, reference: 305, valueLabel: 'per call (last 24 h)', referenceLabel: '7-day baseline' },
    startedAt: new Date('2026-11-27T14:00:00Z'),
    ...overrides,
  };
}

export function alertGroup(alerts: AlertNotice[] = [dailySpendAlert(), errorRateAlert(), outputDriftResolved()]): AlertGroup {
  return { projectId: 'default', projectName: 'default', notifiedAt: NOTIFIED_AT, alerts };
}

export function weeklyDigest(overrides: Partial<WeeklyReviewDigest> = {}): WeeklyReviewDigest {
  return {
    projectId: 'default',
    projectName: 'default',
    week: '2026-W48',
    weekStartDay: '2026-11-23',
    thisWeekUsd: parseUsd('2450'),
    lastWeekUsd: parseUsd('2000'),
    costPerSuccess: { thisWeekUsd: parseUsd('0.0245'), lastWeekUsd: parseUsd('0.0210') },
    features: [
      { feature: 'onboarding', thisWeekUsd: parseUsd('300'), lastWeekUsd: parseUsd('320'), thisWeekCostPerSuccessUsd: parseUsd('0.012') },
      { feature: 'search', thisWeekUsd: parseUsd('1200'), lastWeekUsd: parseUsd('800'), thisWeekCostPerSuccessUsd: parseUsd('0.04') },
      { feature: 'summarize', thisWeekUsd: parseUsd('650'), lastWeekUsd: parseUsd('830'), thisWeekCostPerSuccessUsd: null },
      { feature: 'tagging<b>', thisWeekUsd: parseUsd('250'), lastWeekUsd: parseUsd('50') },
      { feature: 'steady', thisWeekUsd: parseUsd('50'), lastWeekUsd: parseUsd('50') },
    ],
    alerts: [
      {
        rule: 'dailySpendSpike',
        scope: {},
        severity: 'warning',
        startedAt: new Date('2026-11-25T10:00:00Z'),
        resolvedAt: new Date('2026-11-26T00:10:00Z'),
      },
      { rule: 'errorRate', scope: { feature: 'search' }, severity: 'critical', startedAt: new Date('2026-11-28T08:05:00Z'), resolvedAt: null },
    ],
    ...overrides,
  };
}

/** Every string in a Block Kit payload, joined: what a reader of the Slack message could see. */
export function slackTextOf(blocks: readonly unknown[]): string {
  const texts: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(blocks);
  return texts.join('\n');
}
