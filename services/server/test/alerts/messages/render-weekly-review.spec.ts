import { parseUsd } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { renderWeeklyReview, topMovers } from '../../../src/alerts/messages/index.js';
import { DASHBOARD, slackTextOf, weeklyDigest } from './alert-fixtures.js';

const options = { dashboardUrl: DASHBOARD };

describe(renderWeeklyReview.name, () => {
  it('titles the digest with the ISO week and project', () => {
    const message = renderWeeklyReview(weeklyDigest(), options);
    expect(message.subject).toBe('[Costscope] Weekly cost review 2026-W48 for project default');
    expect(message.kind).toBe('weekly_review');
    expect(message.slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Weekly cost review 2026-W48', emoji: true } });
  });

  it('lists top movers by dollars moved, up or down, leaving out features that did not move', () => {
    const message = renderWeeklyReview(weeklyDigest(), options);
    const slack = slackTextOf(message.slack.blocks);
    const movers = slack.slice(slack.indexOf('*Top movers*'), slack.indexOf('*Cost per feature*'));
    // search +$400, tagging +$200, summarize −$180, onboarding −$20; steady is not a mover.
    expect(movers.split('\n').slice(1, 5)).toEqual([
      '• `search`: $1,200.00, +$400.00 (+50.0%)',
      '• `tagging&lt;b&gt;`: $250.00, +$200.00 (+400.0%)',
      '• `summarize`: $650.00, −$180.00 (−21.7%)',
      '• `onboarding`: $300.00, −$20.00 (−6.3%)',
    ]);
    expect(movers).not.toContain('steady');
    expect(message.email.text).toMatch(/Top movers:\n {2}- "search"[^\n]*\n {2}- "tagging<b>"[^\n]*\n {2}- "summarize"[^\n]*\n {2}- "onboarding"/);
  });

  it('shows totals, cost per successful response, cost per feature and the alerts of the week', () => {
    const message = renderWeeklyReview(weeklyDigest(), options);
    const slack = slackTextOf(message.slack.blocks);
    expect(slack).toContain('*Spend this week*\n$2,450.00');
    expect(slack).toContain('*Against last week*\n$2,000.00, +$450.00 (+22.5%)');
    expect(slack).toContain('*Cost per successful response*\n$0.025 (last week $0.021)');
    expect(slack).toContain('*Alerts this week*\n2 (1 still firing)');
    expect(slack).toContain('• `search`: $1,200.00 (last week $800.00), $0.04 per successful response');
    expect(slack).toContain('Error rate (critical) — feature `search`: since 08:05 UTC, Nov 28, still firing');
    expect(slack).toContain('Daily spend spike (warning) — whole project: since 10:00 UTC, Nov 25, resolved 00:10 UTC, Nov 26');
    expect(message.slack.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ url: `${DASHBOARD}/weekly?week=2026-W48&project=default` }],
    });
    expect(message.email.html).toContain('<td style="padding:4px 12px 4px 0;border-bottom:1px solid #eaecf0"><code>tagging&lt;b&gt;</code></td>');
    expect(message.email.html).toContain(`href="${DASHBOARD}/weekly?week=2026-W48&amp;project=default"`);
    expect(message.email.text).toContain('Cost per successful response: $0.025 (last week $0.021)');
  });

  it('says "new" for a feature with no spend last week instead of dividing by zero', () => {
    const digest = weeklyDigest({ features: [{ feature: 'launch', thisWeekUsd: parseUsd('75'), lastWeekUsd: 0n }] });
    expect(renderWeeklyReview(digest, options).email.text).toContain('"launch": $75.00, +$75.00 (new)');
  });

  it('renders an empty week without breaking', () => {
    const digest = weeklyDigest({ features: [], alerts: [], thisWeekUsd: 0n, lastWeekUsd: 0n, costPerSuccess: { thisWeekUsd: null, lastWeekUsd: null } });
    const message = renderWeeklyReview(digest, options);
    expect(message.email.text).toContain('No spend this week.');
    expect(message.email.text).toContain('Cost per successful response: no successful responses');
  });
});

describe(topMovers.name, () => {
  it('breaks ties by this week’s spend, then by name', () => {
    const features = [
      { feature: 'b', thisWeekUsd: parseUsd('20'), lastWeekUsd: parseUsd('10') },
      { feature: 'a', thisWeekUsd: parseUsd('20'), lastWeekUsd: parseUsd('10') },
      { feature: 'c', thisWeekUsd: parseUsd('40'), lastWeekUsd: parseUsd('50') },
    ];
    expect(topMovers(features).map((feature) => feature.feature)).toEqual(['c', 'a', 'b']);
    expect(topMovers(features, 1)).toHaveLength(1);
  });
});

describe('Slack limits', () => {
  it('keeps every section under 3,000 characters even when escaping swells hostile names', () => {
    const hostile = '&<>'.repeat(40);
    const features = Array.from({ length: 30 }, (_, index) => ({ feature: `${hostile}${index}`, thisWeekUsd: parseUsd(String(index + 1)), lastWeekUsd: 0n }));
    const alerts = Array.from({ length: 30 }, () => ({
      rule: 'errorRate' as const,
      scope: { feature: hostile, endpoint: hostile, model: hostile, userId: hostile },
      severity: 'critical' as const,
      startedAt: new Date('2026-11-28T08:05:00Z'),
      resolvedAt: null,
    }));
    const message = renderWeeklyReview(weeklyDigest({ features, alerts }), options);
    for (const block of message.slack.blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    const alertsSection = message.slack.blocks.find((block) => block.type === 'section' && block.text?.text.startsWith('*Alerts of the week*'));
    expect(alertsSection?.type === 'section' && alertsSection.text?.text.endsWith('\n…')).toBe(true);
    // Text is escaped; a button's URL is a plain JSON field, where `&` separates query parameters.
    const text = slackTextOf(message.slack.blocks).split('\n').filter((line) => !/^https?:\/\//.test(line));
    expect(text.join('\n')).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });
});
