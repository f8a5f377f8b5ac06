import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailChannel, SlackBotChannel, anyAddress, sendAlertGroup, sendWeeklyReview, type DeliveryOutcome } from '../../../src/alerts/channels/index.js';
import { SlackPeer } from '../../support/slack-peer.js';
import { SmtpPeer } from '../../support/smtp-peer.js';
import { DASHBOARD, alertGroup, dailySpendAlert, outputDriftResolved, slackTextOf, weeklyDigest } from '../messages/alert-fixtures.js';
import { testClock } from './delivery-clock.js';

let slack: SlackPeer;
let smtp: SmtpPeer;
let email: EmailChannel;
beforeEach(async () => {
  slack = await SlackPeer.start();
  smtp = await SmtpPeer.start();
  email = new EmailChannel({ smtpUrl: smtp.url, from: 'alerts@costs.example.com', to: ['team@example.com'], addressPolicy: anyAddress });
});
afterEach(async () => {
  email.close();
  await slack.stop();
  await smtp.stop();
});

const slackBot = () => new SlackBotChannel({ botToken: 'xoxb-test', channel: 'C0COSTS', slackApiUrl: slack.apiUrl });

describe(sendWeeklyReview.name, () => {
  it('delivers the Monday digest to Slack and email with the movers in order, once per week', async () => {
    const { clock } = testClock();
    const first = await sendWeeklyReview(weeklyDigest(), [slackBot(), email], { dashboardUrl: DASHBOARD, clock });

    expect(first.outcomes.map((outcome) => outcome.status)).toEqual(['delivered', 'delivered']);
    const mail = smtp.received[0]!.mail;
    expect(mail.subject).toBe('[Costscope] Weekly cost review 2026-W48 for project default');
    expect(mail.text).toMatch(/Top movers:\n {2}- "search": \$1,200\.00, \+\$400\.00 \(\+50\.0%\)\n {2}- "tagging<b>"[^\n]*\n {2}- "summarize"[^\n]*\n {2}- "onboarding"/);
    expect(mail.html).toContain('<code>tagging&lt;b&gt;</code>');
    expect(slackTextOf(slack.postMessages[0]!.blocks)).toContain('*Top movers*\n• `search`: $1,200.00, +$400.00 (+50.0%)\n• `tagging&lt;b&gt;`');

    // A restarted scheduler sends the same week again with what storage recorded: nothing goes out.
    const recorded: DeliveryOutcome[] = first.outcomes;
    const again = await sendWeeklyReview(weeklyDigest(), [slackBot(), email], { dashboardUrl: DASHBOARD, clock, previousOutcomes: recorded });
    expect(again.deliveryKey).toBe(first.deliveryKey);
    expect(slack.postMessages).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });
});

describe(sendAlertGroup.name, () => {
  it('sends one message for a project’s alerts and a resolved message when they clear', async () => {
    const { clock } = testClock();
    const fired = await sendAlertGroup(alertGroup([dailySpendAlert()]), [email], { dashboardUrl: DASHBOARD, clock });
    const resolvedGroup = { ...alertGroup([outputDriftResolved()]), notifiedAt: new Date('2026-11-28T13:05:00Z') };
    const resolved = await sendAlertGroup(resolvedGroup, [email], { dashboardUrl: DASHBOARD, clock });

    expect(resolved.deliveryKey).not.toBe(fired.deliveryKey);
    expect(smtp.received.map((received) => received.mail.subject)).toEqual([
      '[Costscope] Daily spend spike firing in project default (whole project)',
      '[Costscope] Resolved: Output tokens per call rising in project default (feature summarize · model gpt-5)',
    ]);
    expect(smtp.received[1]!.envelopeTo).toEqual(['team@example.com']);
    expect(smtp.received[1]!.mail.text).toContain('310 tokens per call (last 24 h) vs 305 tokens 7-day baseline, 102%');
  });
});
