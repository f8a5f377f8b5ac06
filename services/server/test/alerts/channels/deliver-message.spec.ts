import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EmailChannel,
  SlackBotChannel,
  SlackWebhookChannel,
  alertDeliveryKey,
  anyAddress,
  deliverMessage,
  isRetryableFailure,
  type DeliveryOutcome,
} from '../../../src/alerts/channels/index.js';
import { renderAlertGroup } from '../../../src/alerts/messages/index.js';
import { SlackPeer } from '../../support/slack-peer.js';
import { SmtpPeer } from '../../support/smtp-peer.js';
import { DASHBOARD, HOSTILE_FEATURE, alertGroup, dailySpendAlert, errorRateAlert, slackTextOf } from '../messages/alert-fixtures.js';
import { testClock } from './delivery-clock.js';

const group = alertGroup([dailySpendAlert(), errorRateAlert()]);
const message = renderAlertGroup(group, { dashboardUrl: DASHBOARD });
const key = alertDeliveryKey({ projectId: group.projectId, notifiedAt: group.notifiedAt, alerts: group.alerts });
const noJitter = () => 0.5;

let slack: SlackPeer;
let smtp: SmtpPeer;
const channels: Array<{ close?(): unknown }> = [];

function slackChannel(): SlackBotChannel {
  return new SlackBotChannel({ botToken: 'xoxb-test-token', channel: '#cost-alerts', slackApiUrl: slack.apiUrl, timeoutMs: 5_000 });
}
function webhookChannel(): SlackWebhookChannel {
  return new SlackWebhookChannel({ url: slack.webhookUrl, addressPolicy: anyAddress, timeoutMs: 5_000 });
}
function emailChannel(smtpUrl = smtp.url): EmailChannel {
  const channel = new EmailChannel({ smtpUrl, from: 'Costscope <alerts@costs.example.com>', to: ['oncall@example.com', 'finance@example.com'], addressPolicy: anyAddress, timeoutMs: 5_000 });
  channels.push(channel);
  return channel;
}

beforeEach(async () => {
  slack = await SlackPeer.start();
  smtp = await SmtpPeer.start({ user: 'alerts', pass: 's3cret:pass' });
});

afterEach(async () => {
  for (const channel of channels.splice(0)) channel.close?.();
  await slack.stop();
  await smtp.stop();
});

describe(deliverMessage.name, () => {
  it('posts the alert group to Slack with chat.postMessage: rule, scope, value against threshold, link', async () => {
    const { clock } = testClock();
    const [outcome] = await deliverMessage(message, [slackChannel()], key, { clock });

    expect(outcome).toMatchObject({ channel: 'slack', status: 'delivered', attempts: 1, lastError: null, deliveryKey: key });
    expect(outcome?.providerMessageId).toMatch(/^\d+\.000100$/);
    expect(slack.postMessages).toHaveLength(1);
    const post = slack.postMessages[0]!;
    expect(post.authorization).toBe('Bearer xoxb-test-token');
    expect(post.channel).toBe('#cost-alerts');
    expect(post.fields['unfurl_links']).toBe('false');
    const shown = slackTextOf(post.blocks);
    expect(shown).toContain('*Daily spend spike*');
    expect(shown).toContain('*Error rate*');
    expect(shown).toContain('*Value*\n$1,210.00 today');
    expect(shown).toContain('*Compared with*\n$1,000.00 7-day average (121%)');
    expect(shown).toContain('feature `search&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt;` · endpoint `/v1/chat`');
    expect(shown).toContain(`<${DASHBOARD}/alerts/ep-daily-1?project=default|Open this alert>`);
    expect(shown).not.toContain('<!channel>');
    expect(post.text).toBe(message.slack.text);
  });

  it('posts the same blocks and fallback text to an incoming webhook as JSON', async () => {
    const [outcome] = await deliverMessage(message, [webhookChannel()], key, { clock: testClock().clock });

    expect(outcome).toMatchObject({ channel: 'webhook', status: 'delivered', attempts: 1, detail: 'ok' });
    expect(slack.webhookPosts).toHaveLength(1);
    expect(slack.webhookPosts[0]!.path).toBe('/services/T0001/B0001/webhooksecret');
    expect(slack.webhookPosts[0]!.contentType).toContain('application/json');
    expect(slack.webhookPosts[0]!.payload.blocks).toEqual(message.slack.blocks);
    expect(slack.webhookPosts[0]!.payload.text).toBe(message.slack.text);
  });

  it('emails subject, recipients and figures in HTML and text over SMTP with the URL credentials', async () => {
    const [outcome] = await deliverMessage(message, [emailChannel()], key, { clock: testClock().clock });

    expect(outcome).toMatchObject({ channel: 'email', status: 'delivered', attempts: 1 });
    expect(smtp.received).toHaveLength(1);
    const { mail, envelopeTo, envelopeFrom, user } = smtp.received[0]!;
    expect(user).toBe('alerts');
    expect(envelopeFrom).toBe('alerts@costs.example.com');
    expect(envelopeTo).toEqual(['oncall@example.com', 'finance@example.com']);
    expect(mail.subject).toBe('[Costscope] 2 alerts firing in project default');
    expect(mail.from?.value).toEqual([{ name: 'Costscope', address: 'alerts@costs.example.com' }]);
    expect([mail.to].flat().flatMap((to) => to?.value.map((address) => address.address))).toEqual(['oncall@example.com', 'finance@example.com']);
    expect(mail.text).toContain('$1,210.00 today vs $1,000.00 7-day average, 121%');
    expect(mail.text).toContain('Failed calls cost: $12.40 (31 calls)');
    expect(mail.text).toContain(`feature "${HOSTILE_FEATURE}"`);
    expect(mail.html).toContain('$1,000.00 7-day average (121%)');
    expect(mail.html).toContain('search&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    // Same key, same Message-ID: a duplicate (crash before recording) is recognisable.
    expect(mail.messageId).toBe(outcome?.providerMessageId);
    expect(mail.messageId).toMatch(/^<costscope\.[0-9a-f]{32}@costs\.example\.com>$/);
  });

  it('retries Slack while it is down and delivers exactly once when it is back', async () => {
    await slack.stop();
    const { clock, sleeps } = testClock(async () => {
      if (sleeps.length === 2) await slack.start();
    });
    const [outcome] = await deliverMessage(message, [slackChannel()], key, { clock, random: noJitter });

    expect(outcome).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(slack.postMessages).toHaveLength(1);
    // Exponential backoff: 2 s then 4 s steps, each three quarters with the jitter fixed at 0.5.
    expect(sleeps).toEqual([1_500, 3_000]);
  });

  it('retries an SMTP server that is down, then delivers the email once', async () => {
    await smtp.stop();
    const { clock } = testClock(() => smtp.start());
    const [outcome] = await deliverMessage(message, [emailChannel()], key, { clock, random: noJitter });

    expect(outcome).toMatchObject({ channel: 'email', status: 'delivered', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
  });

  it('retries a 500 and a temporary SMTP 451, counting attempts', async () => {
    slack.replyToPostMessage({ status: 500, body: 'oops' });
    smtp.rejectNext(451);
    const { clock } = testClock();
    const outcomes = await deliverMessage(message, [slackChannel(), emailChannel()], key, { clock, random: noJitter });

    expect(outcomes.map((outcome) => [outcome.channel, outcome.status, outcome.attempts])).toEqual([
      ['slack', 'delivered', 2],
      ['email', 'delivered', 2],
    ]);
    expect(slack.postMessages).toHaveLength(2);
    expect(smtp.refused).toBe(1);
    expect(smtp.received).toHaveLength(1);
  });

  it('waits exactly as long as Retry-After says on a 429', async () => {
    slack.replyToPostMessage({ status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } });
    slack.replyToWebhook({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });
    const { clock, sleeps } = testClock();
    const outcomes = await deliverMessage(message, [slackChannel(), webhookChannel()], key, { clock, random: noJitter });

    expect(outcomes.map((outcome) => [outcome.status, outcome.attempts])).toEqual([
      ['delivered', 2],
      ['delivered', 2],
    ]);
    expect([...sleeps].sort((a, b) => a - b)).toEqual([3_000, 7_000]);
  });

  it('gives up at once on a permanent failure: invalid_auth, a 404 webhook, SMTP 550, a wrong SMTP password', async () => {
    slack.replyToPostMessage({ status: 200, body: { ok: false, error: 'invalid_auth' } });
    slack.replyToWebhook({ status: 404, body: 'no_service' });
    smtp.rejectNext(550, 'No such user here');
    const { clock, sleeps } = testClock();
    const outcomes = await deliverMessage(message, [slackChannel(), webhookChannel(), emailChannel()], key, { clock });
    const wrongPassword = await deliverMessage(message, [emailChannel(smtp.urlWithWrongPassword)], key, { clock });

    const summary = (outcome: DeliveryOutcome) => [outcome.channel, outcome.status, outcome.attempts, outcome.lastError?.kind, outcome.lastError?.code];
    expect([...outcomes, ...wrongPassword].map(summary)).toEqual([
      ['slack', 'failed', 1, 'auth', 'invalid_auth'],
      ['webhook', 'failed', 1, 'rejected', 'no_service'],
      ['email', 'failed', 1, 'rejected', 'smtp_550'],
      ['email', 'failed', 1, 'auth', 'smtp_535'],
    ]);
    expect(outcomes.some(isRetryableFailure)).toBe(false);
    expect(sleeps).toEqual([]);
    expect(slack.postMessages).toHaveLength(1);
  });

  it('treats channel_not_found as permanent and says so', async () => {
    slack.replyToPostMessage({ status: 200, body: { ok: false, error: 'channel_not_found' } });
    const [outcome] = await deliverMessage(message, [slackChannel()], key, { clock: testClock().clock });
    expect(outcome?.lastError).toEqual({ kind: 'rejected', code: 'channel_not_found', message: 'slack: Slack answered channel_not_found', retryable: false });
  });

  it('does not let a channel that is down hold back the others', async () => {
    slack.replyToPostMessage(...Array.from({ length: 3 }, () => ({ status: 503, body: 'down' })));
    const recorded: DeliveryOutcome[] = [];
    let releaseSlack: (() => void) | undefined;
    const slackHeld = new Promise<void>((resolve) => (releaseSlack = resolve));
    const { clock } = testClock(() => slackHeld);

    const delivery = deliverMessage(message, [slackChannel(), webhookChannel(), emailChannel()], key, {
      clock,
      retry: { maxAttempts: 3 },
      onOutcome: (outcome) => {
        recorded.push(outcome);
        // Both other channels are recorded while Slack is still waiting to retry.
        if (recorded.length === 2) releaseSlack?.();
      },
    });
    const outcomes = await delivery;

    expect(recorded.map((outcome) => outcome.channel)).toEqual(expect.arrayContaining(['webhook', 'email']));
    expect(recorded.slice(0, 2).map((outcome) => outcome.channel).sort()).toEqual(['email', 'webhook']);
    expect(recorded[2]).toMatchObject({ channel: 'slack', status: 'failed', attempts: 3 });
    expect(outcomes.map((outcome) => [outcome.channel, outcome.status])).toEqual([
      ['slack', 'failed'],
      ['webhook', 'delivered'],
      ['email', 'delivered'],
    ]);
    expect(isRetryableFailure(outcomes[0]!)).toBe(true);
    expect(outcomes[0]!.lastError?.message).toContain('gave up after 3 attempts');
    expect(slack.webhookPosts).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });

  it('skips channels already delivered under the same key and carries attempts on for the rest', async () => {
    const { clock } = testClock();
    slack.replyToPostMessage({ status: 503, body: 'down' });
    const first = await deliverMessage(message, [slackChannel(), webhookChannel()], key, { clock, retry: { maxAttempts: 1 } });
    expect(first.map((outcome) => outcome.status)).toEqual(['failed', 'delivered']);

    // The scheduler's next run: same key, the outcomes storage recorded.
    const second = await deliverMessage(message, [slackChannel(), webhookChannel()], key, { clock, previousOutcomes: first });

    expect(second[0]).toMatchObject({ channel: 'slack', status: 'delivered', attempts: 2 });
    expect(second[0]!.firstAttemptAt).toEqual(first[0]!.firstAttemptAt);
    expect(second[1]).toBe(first[1]);
    expect(slack.webhookPosts).toHaveLength(1);
    expect(slack.postMessages).toHaveLength(2);
  });

  it('records as failed, without sleeping, a Retry-After longer than one run waits', async () => {
    slack.replyToWebhook({ status: 429, headers: { 'retry-after': '3600' }, body: 'rate_limited' });
    const { clock, sleeps } = testClock();
    const [outcome] = await deliverMessage(message, [webhookChannel()], key, { clock });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(isRetryableFailure(outcome!)).toBe(true);
    expect(sleeps).toEqual([]);
  });

  it('reports a failure to record an outcome after every channel has finished', async () => {
    const delivery = deliverMessage(message, [webhookChannel(), emailChannel()], key, {
      clock: testClock().clock,
      onOutcome: (outcome) => {
        if (outcome.channel === 'webhook') throw new Error('storage down');
      },
    });
    await expect(delivery).rejects.toThrow(AggregateError);
    expect(smtp.received).toHaveLength(1);
  });
});
