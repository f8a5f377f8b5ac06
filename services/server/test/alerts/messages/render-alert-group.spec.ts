import { describe, expect, it } from 'vitest';
import { MAX_ALERTS_IN_SLACK, renderAlertGroup } from '../../../src/alerts/messages/index.js';
import {
  DASHBOARD,
  HOSTILE_FEATURE,
  alertGroup,
  dailySpendAlert,
  errorRateAlert,
  outputDriftResolved,
  slackTextOf,
} from './alert-fixtures.js';

const options = { dashboardUrl: DASHBOARD };

describe(renderAlertGroup.name, () => {
  it('names how many alerts fire and resolve in the subject', () => {
    expect(renderAlertGroup(alertGroup(), options).subject).toBe('[Costscope] 2 alerts firing in project default, 1 resolved');
    expect(renderAlertGroup(alertGroup([dailySpendAlert()]), options).subject).toBe(
      '[Costscope] Daily spend spike firing in project default (whole project)',
    );
    const resolvedOnly = renderAlertGroup(alertGroup([outputDriftResolved()]), options);
    expect(resolvedOnly.subject).toBe('[Costscope] Resolved: Output tokens per call rising in project default (feature summarize · model gpt-5)');
    expect(resolvedOnly.kind).toBe('resolved');
    expect(renderAlertGroup(alertGroup([outputDriftResolved(), outputDriftResolved({ episodeId: 'x' })]), options).subject).toBe(
      '[Costscope] Resolved: 2 alerts in project default',
    );
  });

  it('shows rule, scope, value against the 7-day average, trend and a dashboard link in Slack blocks', () => {
    const message = renderAlertGroup(alertGroup([dailySpendAlert()]), options);
    const [header, context, divider, section, trend, actions] = message.slack.blocks;
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Daily spend spike firing', emoji: true },
    });
    expect(slackTextOf([context])).toContain('Project `default` · 1 firing · 0 resolved · evaluated 09:05 UTC, Nov 28');
    expect(divider).toEqual({ type: 'divider' });
    expect(section).toMatchObject({ type: 'section' });
    const sectionText = slackTextOf([section]);
    expect(sectionText).toContain('*Firing* · *Daily spend spike* — whole project');
    expect(sectionText).toContain('*Value*\n$1,210.00 today');
    expect(sectionText).toContain('*Compared with*\n$1,000.00 7-day average (121%)');
    expect(sectionText).toContain('*Severity*\nWarning');
    const trendText = slackTextOf([trend]);
    expect(trendText).toContain('Trend (last 8 days): ▁▂▁▂▁▂▂█ $980.00 → $1,210.00');
    expect(trendText).toContain(`<${DASHBOARD}/alerts/ep-daily-1?project=default|Open this alert>`);
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [{ type: 'button', url: `${DASHBOARD}/alerts?project=default`, text: { text: 'Open alerts in Costscope' } }],
    });
    expect(message.slack.text).toContain('$1,210.00 today vs $1,000.00 7-day average, 121%');
  });

  it('puts escalations first and states what failed calls and retries cost', () => {
    const message = renderAlertGroup(alertGroup(), options);
    const sections = message.slack.blocks.filter((block) => block.type === 'section').map((block) => slackTextOf([block]));
    expect(sections[0]).toContain('*Escalated* · *Error rate*');
    expect(sections[0]).toContain('*Failed calls cost*\n$12.40 (31 calls)');
    expect(sections[0]).toContain('*Retries cost*\n$4.10 (12 retries)');
    expect(sections[0]).toContain('*Value*\n3.1% of calls failed (last 60 min)');
    expect(sections[0]).toContain('*Since*\n08:05 UTC, Nov 28');
    expect(sections[1]).toContain('*Firing* · *Daily spend spike*');
    expect(sections[2]).toContain('*Resolved* · *Output tokens per call rising* — feature `summarize` · model `gpt-5`');
    expect(message.email.text).toMatch(/ESCALATED · Error rate[\s\S]*FIRING · Daily spend spike[\s\S]*RESOLVED · Output tokens/);
    expect(message.email.text).toContain('Failed calls cost: $12.40 (31 calls)');
  });

  it('escapes a hostile feature name for Slack and for HTML, and cannot ping the channel', () => {
    const message = renderAlertGroup(alertGroup([errorRateAlert()]), options);
    const slack = `${slackTextOf(message.slack.blocks)}\n${message.slack.text}`;
    expect(slack).not.toContain('<script>');
    expect(slack).not.toContain('<!channel>');
    expect(slack).toContain('`search&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;`');
    expect(message.email.html).not.toContain('<script>');
    expect(message.email.html).toContain('<code>search&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;</code>');
    // Plain text shows the name as it is: nothing interprets it there.
    expect(message.email.text).toContain(`feature "${HOSTILE_FEATURE}"`);
  });

  it('keeps a subject on one line and a header within Slack limits whatever the project is called', () => {
    const group = { ...alertGroup([dailySpendAlert()]), projectName: `evil\r\nBcc: everyone@example.com ${'x'.repeat(300)}` };
    const message = renderAlertGroup(group, options);
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.subject.length).toBeLessThanOrEqual(200);
    // The plain-text header carries no name at all (plain text cannot be escaped for Slack);
    // the project is in the escaped context line under it.
    expect(message.slack.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Daily spend spike firing' } });
    expect(slackTextOf([message.slack.blocks[1]])).toContain('Project `evil Bcc: everyone@example.com xxx');
  });

  it('stays within 50 Slack blocks for a large group and points to the rest', () => {
    const alerts = Array.from({ length: 40 }, (_, index) => dailySpendAlert({ episodeId: `ep-${index}`, scope: { feature: `f${index}` } }));
    const message = renderAlertGroup(alertGroup(alerts), options);
    expect(message.slack.blocks.length).toBeLessThanOrEqual(50);
    expect(slackTextOf(message.slack.blocks)).toContain(`…and ${40 - MAX_ALERTS_IN_SLACK} more alerts`);
    // Email has room for all of them.
    expect(message.email.text.match(/FIRING · Daily spend spike/g)).toHaveLength(40);
  });

  it('writes an email with the same figures in HTML and plain text', () => {
    const message = renderAlertGroup(alertGroup([dailySpendAlert()]), options);
    expect(message.email.text).toContain('$1,210.00 today vs $1,000.00 7-day average, 121%');
    expect(message.email.text).toContain(`${DASHBOARD}/alerts/ep-daily-1?project=default`);
    expect(message.email.html).toContain('$1,210.00 today');
    expect(message.email.html).toContain('$1,000.00 7-day average (121%)');
    expect(message.email.html).toContain(`href="${DASHBOARD}/alerts/ep-daily-1?project=default"`);
  });

  it('refuses an empty group rather than sending an empty message', () => {
    expect(() => renderAlertGroup(alertGroup([]), options)).toThrow(RangeError);
  });
});
