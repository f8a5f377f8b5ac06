import { defaultAlertRules } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import type { AlertDelivery, AlertEpisode } from '@/lib/api/types';
import {
  alertCounts,
  comparisonText,
  deliveriesInOrder,
  deliverySummary,
  durationText,
  episodeContextLink,
  filterEpisodes,
  parseScope,
  readAlertFilters,
  readEpisodeValues,
  ruleTitle,
  scopeText,
} from '@/lib/shape/alerts';

const rules = defaultAlertRules();

function episode(overrides: Partial<AlertEpisode> = {}): AlertEpisode {
  return {
    episodeId: 'e1',
    rule: 'dailySpendSpike',
    scope: 'project',
    status: 'firing',
    severity: 'warning',
    startedAt: '2026-11-29T12:00:52.990Z',
    resolvedAt: null,
    lastNotifiedAt: '2026-11-29T12:00:52.990Z',
    values: {},
    deliveries: [],
    ...overrides,
  };
}

function delivery(overrides: Partial<AlertDelivery> = {}): AlertDelivery {
  return {
    deliveryId: 'k:webhook',
    deliveryKey: 'k',
    channel: 'webhook',
    messageKind: 'fired',
    status: 'sent',
    attempts: 1,
    error: null,
    providerMessageId: null,
    createdAt: '2026-11-29T12:00:53.000Z',
    updatedAt: '2026-11-29T12:00:53.000Z',
    ...overrides,
  };
}

describe(ruleTitle.name, () => {
  it('says each rule in words with the project’s thresholds', () => {
    expect(ruleTitle('dailySpendSpike', rules)).toBe('Daily spend over 120% of the 7-day average');
    expect(ruleTitle('featureAllocation', rules)).toBe('Feature over its monthly allocation');
    expect(ruleTitle('errorRate', rules)).toBe('Error rate over 2%');
    expect(ruleTitle('outputTokenDrift', rules)).toBe('Output tokens per call drifting up');
    expect(ruleTitle('inputTokenOutlier', rules)).toBe('A request over 50,000 input tokens');
    const changed = { ...rules, dailySpendSpike: { ...rules.dailySpendSpike, thresholdPercent: 150, baselineDays: 14 } };
    expect(ruleTitle('dailySpendSpike', changed)).toBe('Daily spend over 150% of the 14-day average');
  });

  it('shows a rule it does not know by its id', () => {
    expect(ruleTitle('someFutureRule', rules)).toBe('someFutureRule');
  });
});

describe(parseScope.name, () => {
  it('reads the server’s scope keys, URL-encoded values included', () => {
    expect(parseScope('project')).toEqual({});
    expect(parseScope('feature=search&endpoint=%2Fapi%2Fsearch')).toEqual({ feature: 'search', endpoint: '/api/search' });
    expect(parseScope('feature=a%26b&model=gpt-5')).toEqual({ feature: 'a&b', model: 'gpt-5' });
    expect(parseScope('user=u-42')).toEqual({ user: 'u-42' });
  });

  it('words the scope', () => {
    expect(scopeText({})).toBe('Whole project');
    expect(scopeText(parseScope('feature=search&endpoint=%2Fapi%2Fsearch'))).toBe('feature search · endpoint /api/search');
  });
});

describe(readEpisodeValues.name, () => {
  it('reads the reason and the comparison the scheduler stores', () => {
    const values = {
      reason: '115.1% of the monthly allocation used',
      comparison: { unit: 'usd', value: '13.8087633', reference: '12.00', valueLabel: 'month to date', referenceLabel: 'monthly allocation' },
      scope: { feature: 'summarizer' },
    };
    expect(readEpisodeValues(values)).toEqual({
      reason: '115.1% of the monthly allocation used',
      comparison: { unit: 'usd', value: '13.8087633', reference: '12.00', valueLabel: 'month to date', referenceLabel: 'monthly allocation' },
    });
  });

  it('treats anything it cannot read as absent instead of failing the page', () => {
    expect(readEpisodeValues(null)).toEqual({ reason: null, comparison: null });
    expect(readEpisodeValues({ reason: 42, comparison: { unit: 'usd', value: 13.8, reference: '12' } })).toEqual({ reason: null, comparison: null });
    expect(readEpisodeValues({ reason: 'x', comparison: { unit: 'furlongs', value: 1, reference: 2 } })).toEqual({ reason: 'x', comparison: null });
  });
});

describe(comparisonText.name, () => {
  it('shows money exactly with the share of the reference, rounded from atto-dollars', () => {
    expect(comparisonText({ unit: 'usd', value: '13.8087633', reference: '12.00', valueLabel: 'month to date', referenceLabel: 'monthly allocation' })).toEqual({
      value: '$13.81',
      valueLabel: 'month to date',
      reference: '$12.00',
      referenceLabel: 'monthly allocation',
      ratio: '115%',
    });
    expect(comparisonText({ unit: 'usd', value: '1210', reference: '1000', valueLabel: 'today', referenceLabel: '7-day average' }).ratio).toBe('121%');
    // Below a dollar, money keeps two significant digits rather than reading $0.00.
    expect(comparisonText({ unit: 'usd', value: '0.0042', reference: '0', valueLabel: 'a', referenceLabel: 'b' })).toMatchObject({ value: '$0.0042', ratio: null });
  });

  it('shows percentages without a ratio and tokens with one', () => {
    expect(comparisonText({ unit: 'percent', value: 9.87, reference: 2, valueLabel: 'of 152 calls failed (last 60 min)', referenceLabel: 'threshold' })).toMatchObject({
      value: '9.87%',
      reference: '2%',
      ratio: null,
    });
    expect(comparisonText({ unit: 'tokens', value: 2177, reference: 344, valueLabel: 'x', referenceLabel: 'y' })).toMatchObject({
      value: '2,177 tokens',
      reference: '344 tokens',
      ratio: '633%',
    });
  });
});

describe(durationText.name, () => {
  it('reads as a person says it', () => {
    expect(durationText('2026-11-29T12:00:00Z', '2026-11-29T12:00:30Z')).toBe('under a minute');
    expect(durationText('2026-11-29T12:00:00Z', '2026-11-29T12:45:00Z')).toBe('45 min');
    expect(durationText('2026-11-29T12:00:00Z', '2026-11-29T15:20:00Z')).toBe('3 h 20 min');
    expect(durationText('2026-11-29T12:00:00Z', '2026-12-01T16:00:00Z')).toBe('2 d 4 h');
  });
});

describe('deliveries', () => {
  it('sums up the outcomes, and says when nothing was sent', () => {
    expect(deliverySummary([])).toMatch(/No message sent/);
    expect(deliverySummary([delivery(), delivery({ channel: 'email', status: 'failed', attempts: 5 }), delivery({ status: 'pending' })])).toBe('1 sent, 1 failed, 1 pending');
  });

  it('lists them oldest first, so an episode reads as its story', () => {
    const resolved = delivery({ messageKind: 'resolved', createdAt: '2026-11-29T14:00:00.000Z' });
    const fired = delivery({ createdAt: '2026-11-29T12:00:00.000Z' });
    expect(deliveriesInOrder([resolved, fired]).map((d) => d.messageKind)).toEqual(['fired', 'resolved']);
  });
});

describe('filters', () => {
  it('reads known filters from the URL and ignores the rest', () => {
    expect(readAlertFilters({ status: 'firing', rule: 'errorRate' })).toEqual({ status: 'firing', rule: 'errorRate' });
    expect(readAlertFilters({ status: 'open', rule: 'DROP TABLE' })).toEqual({});
  });

  it('filters by rule and status, and counts', () => {
    const episodes = [
      episode({ episodeId: 'a', rule: 'errorRate', severity: 'critical' }),
      episode({ episodeId: 'b', status: 'resolved', resolvedAt: '2026-11-29T13:00:00Z', deliveries: [delivery({ status: 'failed' })] }),
    ];
    expect(filterEpisodes(episodes, { rule: 'errorRate' }).map((e) => e.episodeId)).toEqual(['a']);
    expect(filterEpisodes(episodes, { status: 'resolved' }).map((e) => e.episodeId)).toEqual(['b']);
    expect(alertCounts(episodes)).toEqual({ total: 2, firing: 1, resolved: 1, critical: 1, failedDeliveries: 1 });
  });
});

describe(episodeContextLink.name, () => {
  const now = new Date('2026-11-29T15:00:00Z');

  it('opens the feature’s page over the baseline days and the day it fired', () => {
    const link = episodeContextLink(episode({ rule: 'outputTokenDrift', scope: 'feature=support-chat&model=gpt-5' }), 'UTC', now);
    expect(link.href).toBe('/features/support-chat?from=2026-11-21&to=2026-11-30&model=gpt-5');
    expect(link.label).toBe('Feature support-chat, Nov 21 – Nov 29');
    expect(link).toMatchObject({ from: '2026-11-21', to: '2026-11-30', filters: { feature: ['support-chat'], model: ['gpt-5'] } });
  });

  it('opens the overview for the whole project, and covers the days until it resolved', () => {
    const link = episodeContextLink(episode({ startedAt: '2026-11-20T10:00:00Z', resolvedAt: '2026-11-23T08:00:00Z' }), 'UTC', now);
    expect(link.href).toBe('/?from=2026-11-13&to=2026-11-24');
  });

  it('opens the month for an allocation, and encodes names that are not URL-safe', () => {
    const link = episodeContextLink(episode({ rule: 'featureAllocation', scope: 'feature=a%2Fb%20c' }), 'UTC', now);
    expect(link.href).toBe('/features/a%2Fb%20c?from=2026-11-01&to=2026-11-30');
  });

  it('uses the project’s days: 23:30 UTC is already tomorrow in Tokyo', () => {
    const link = episodeContextLink(episode({ rule: 'errorRate', scope: 'feature=search&endpoint=%2Fapi%2Fsearch', startedAt: '2026-11-28T23:30:00Z' }), 'Asia/Tokyo', new Date('2026-11-29T10:00:00Z'));
    expect(link.href).toBe('/features/search?from=2026-11-28&to=2026-11-30&endpoint=%2Fapi%2Fsearch');
  });

  it('opens the users page for a user’s spend', () => {
    expect(episodeContextLink(episode({ rule: 'userSpendSpike', scope: 'user=u-42' }), 'UTC', now).href).toBe('/users?from=2026-11-22&to=2026-11-30&user=u-42');
  });
});
