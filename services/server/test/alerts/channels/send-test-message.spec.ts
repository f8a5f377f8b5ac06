import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackBotChannel, SlackWebhookChannel, anyAddress, sendTestMessage } from '../../../src/alerts/channels/index.js';
import { SlackPeer } from '../../support/slack-peer.js';
import { slackTextOf } from '../messages/alert-fixtures.js';
import { testClock } from './delivery-clock.js';

let slack: SlackPeer;
beforeEach(async () => {
  slack = await SlackPeer.start();
});
afterEach(() => slack.stop());

const project = { projectId: 'default', projectName: 'default', dashboardUrl: 'http://localhost:3000' };

describe(sendTestMessage.name, () => {
  it('sends "Costscope test message" and answers with the outcome', async () => {
    const outcome = await sendTestMessage(new SlackWebhookChannel({ url: slack.webhookUrl, addressPolicy: anyAddress }), project, { clock: testClock().clock });
    expect(outcome).toMatchObject({ channel: 'webhook', status: 'delivered', attempts: 1 });
    expect(slack.webhookPosts[0]!.payload.text).toBe('Costscope test message for project `default`');
    expect(slackTextOf(slack.webhookPosts[0]!.payload.blocks)).toContain('<http://localhost:3000/settings?project=default#channels|Channel settings>');
  });

  it('reports a wrong token at once instead of retrying', async () => {
    slack.replyToPostMessage({ status: 200, body: { ok: false, error: 'invalid_auth' } }, { status: 500, body: 'x' });
    const { clock, sleeps } = testClock();
    const channel = new SlackBotChannel({ botToken: 'xoxb-wrong', channel: 'C1', slackApiUrl: slack.apiUrl });
    const outcome = await sendTestMessage(channel, project, { clock });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'invalid_auth', retryable: false } });
    expect(sleeps).toEqual([]);

    // A server error is reported too, after the one attempt a test send makes.
    const second = await sendTestMessage(channel, project, { clock });
    expect(second).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'http_500', retryable: true } });
    expect(slack.postMessages).toHaveLength(2);
  });
});
