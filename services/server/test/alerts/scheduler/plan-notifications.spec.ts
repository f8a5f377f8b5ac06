import { alertRulesSchema, parseUsd, type RuleOutcome } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import type { EvaluatedScope } from '../../../src/alerts/scheduler/evaluate-rules.js';
import { episodeIdOf, planNotifications } from '../../../src/alerts/scheduler/plan-notifications.js';
import type { AlertEpisodeRecord } from '../../../src/storage/alert-episodes.js';

const NOW = new Date('2026-11-28T09:05:00Z');
const rules = alertRulesSchema.parse({});
const firingOutcome: RuleOutcome = { state: 'firing', severity: 'warning', reason: "today's spend is 121.0% of the 7-day average (threshold 120%)" };

function evaluated(rule: EvaluatedScope['rule'], scopeKey: string, outcome: RuleOutcome, todayUsd = '12.10'): EvaluatedScope {
  return {
    rule,
    scopeKey,
    scope: scopeKey === 'project' ? {} : { feature: scopeKey.replace('feature=', '') },
    outcome,
    comparison: { unit: 'usd', value: parseUsd(todayUsd), reference: parseUsd('10'), valueLabel: 'today', referenceLabel: '7-day average' },
  };
}

function episode(rule: string, scope: string, overrides: Partial<AlertEpisodeRecord> = {}): AlertEpisodeRecord {
  const started = new Date('2026-11-28T08:00:00Z');
  return {
    projectId: 'p',
    episodeId: `ep-${rule}-${scope}`,
    rule,
    scope,
    status: 'firing',
    severity: 'warning',
    startedAt: started,
    resolvedAt: null,
    lastNotifiedAt: started,
    values: {
      reason: 'was firing',
      scope: scope === 'project' ? {} : { feature: 'search' },
      comparison: { unit: 'percent', value: 3.1, reference: 2, valueLabel: 'of calls failed', referenceLabel: 'threshold' },
    },
    updatedAt: started,
    ...overrides,
  };
}

describe(planNotifications.name, () => {
  it('opens an episode with an id derived from project, rule, scope and time, money kept exact in its values', () => {
    const plan = planNotifications({ projectId: 'p', now: NOW, rules, evaluated: [evaluated('dailySpendSpike', 'project', firingOutcome)], firing: [] });
    expect(plan.notices).toHaveLength(1);
    expect(plan.notices[0]).toMatchObject({ action: 'open', rule: 'dailySpendSpike', severity: 'warning', startedAt: NOW });
    expect(plan.episodes[0]).toMatchObject({ episodeId: episodeIdOf('p', 'dailySpendSpike', 'project', NOW), status: 'firing', lastNotifiedAt: NOW });
    expect(plan.episodes[0]?.values).toMatchObject({ comparison: { value: '12.10', reference: '10.00' } });
  });

  it('sends nothing while an episode holds within its repeat interval', () => {
    const plan = planNotifications({
      projectId: 'p',
      now: NOW,
      rules,
      evaluated: [evaluated('dailySpendSpike', 'project', firingOutcome)],
      firing: [episode('dailySpendSpike', 'project')],
    });
    expect(plan).toEqual({ notices: [], episodes: [] });
  });

  it('resolves a spend episode whose scope has no calls at all, but keeps an error-rate one open', () => {
    const plan = planNotifications({
      projectId: 'p',
      now: NOW,
      rules,
      evaluated: [],
      firing: [episode('dailySpendSpike', 'feature=search'), episode('errorRate', 'feature=search')],
    });
    expect(plan.notices.map((notice) => [notice.rule, notice.action])).toEqual([['dailySpendSpike', 'resolve']]);
    expect(plan.episodes[0]).toMatchObject({ status: 'resolved', resolvedAt: NOW, values: { reason: 'was firing' } });
    expect(plan.notices[0]?.reason).toBe('no calls in the evaluated window any more');
  });

  it('resolves the episodes of a rule that was switched off', () => {
    const off = alertRulesSchema.parse({ errorRate: { enabled: false } });
    const plan = planNotifications({ projectId: 'p', now: NOW, rules: off, evaluated: [], firing: [episode('errorRate', 'feature=search')] });
    expect(plan.notices.map((notice) => [notice.action, notice.reason])).toEqual([['resolve', 'the rule was switched off']]);
  });

  it('says how far back within the rule a resolved episode is, with the fresh figures', () => {
    const plan = planNotifications({
      projectId: 'p',
      now: NOW,
      rules,
      evaluated: [evaluated('dailySpendSpike', 'project', { state: 'ok' }, '9.50')],
      firing: [episode('dailySpendSpike', 'project')],
    });
    expect(plan.notices[0]).toMatchObject({ action: 'resolve', reason: 'back within the rule: $9.50 today vs $10.00 7-day average, 95%' });
  });

  it('escalates a warning that became critical at once, and keeps its version growing under a still clock', () => {
    const firing = episode('featureAllocation', 'feature=search', { updatedAt: NOW });
    const critical: RuleOutcome = { state: 'firing', severity: 'critical', reason: '100.0% of the monthly allocation used' };
    const plan = planNotifications({ projectId: 'p', now: NOW, rules, evaluated: [evaluated('featureAllocation', 'feature=search', critical)], firing: [firing] });
    expect(plan.notices[0]).toMatchObject({ action: 'escalate', severity: 'critical' });
    expect(plan.episodes[0]?.updatedAt.getTime()).toBe(NOW.getTime() + 1);
  });
});
