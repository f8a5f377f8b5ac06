import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/running-server.js';
import { attach, createProject, evaluateAt, messagesFor, onlyRule, postCalls, putSetting, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * No relay: the operator's channels (Slack, webhook, email recipients) serve the `default` project
 * only unless COSTSCOPE_ENV_CHANNELS_FOR names others, and a project that sends email through the
 * operator's SMTP_URL does so from ALERT_EMAIL_FROM, to its own recipients only.
 */
let alerts: AlertServer;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayStart = Math.floor(Date.now() / DAY) * DAY - DAY;
const tenant = 'tenant-b';
let tenantAuth: { Authorization: string };

async function testSend(channel: string, auth: { Authorization: string }) {
  const response = await fetch(`${alerts.server.baseUrl}/api/v1/settings/channels/test`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ channel }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Restarts on the same data directory with other environment variables, the peers staying up. */
async function restartWith(env: Record<string, string>): Promise<void> {
  await alerts.server.close({ keepData: true });
  const merged = { ...alerts.env, ...env };
  alerts = attach(await startServer({ ...merged, COSTSCOPE_DATA_DIR: alerts.server.config.dataDir }), alerts.slack, alerts.smtp, merged);
}

/** A project whose daily spend doubles today: the spike rule fires at its first evaluation. */
async function seedSpike(projectId: string): Promise<{ Authorization: string }> {
  const auth = await createProject(alerts.server, projectId);
  await onlyRule(alerts.server, auth, 'dailySpendSpike', { perFeature: false });
  await postCalls(alerts.server, auth, [
    ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), outputTokens: 5_000_000 })),
    { start: new Date(dayStart + HOUR), outputTokens: 10_000_000 },
  ]);
  return auth;
}

beforeAll(async () => {
  // The operator's default: environment channels for the default project only.
  alerts = await startAlertServer({ COSTSCOPE_ENV_CHANNELS_FOR: 'default' });
  tenantAuth = await seedSpike(tenant);
});

afterAll(async () => {
  await alerts?.close();
});

describe('environment channels and another project', () => {
  it('keeps another project’s alerts and test sends away from the operator’s Slack, webhook and mailbox', async () => {
    await evaluateAt(alerts, new Date(dayStart + 12 * HOUR));
    expect(messagesFor(alerts, tenant)).toEqual({ slack: [], webhook: [], email: [] });
    for (const channel of ['slack', 'webhook', 'email']) {
      const sent = await testSend(channel, tenantAuth);
      expect(sent.status, channel).toBe(400);
      expect(JSON.stringify(sent.body)).toContain('not configured for this project');
    }
    expect(alerts.slack.postMessages).toHaveLength(0);
    expect(alerts.slack.webhookPosts).toHaveLength(0);
    expect(alerts.smtp.received).toHaveLength(0);
    // The default project still has them.
    expect((await testSend('slack', alerts.server.auth)).body).toMatchObject({ status: 'delivered' });
  });

  it('sends a project’s email through SMTP_URL from ALERT_EMAIL_FROM, whatever it asked for, to its own recipients only', async () => {
    await putSetting(alerts.server, tenantAuth, 'channels', { email: { from: 'Payroll <ceo@bank.example>', to: ['team@tenant-b.example'] } });
    const before = alerts.smtp.received.length;
    expect((await testSend('email', tenantAuth)).body).toMatchObject({ status: 'delivered' });
    const mail = alerts.smtp.received[before]!;
    expect(mail.envelopeFrom).toBe('alerts@costscope.test');
    expect(mail.mail.from?.value.map((sender) => sender.address)).toEqual(['alerts@costscope.test']);
    expect(mail.envelopeTo).toEqual(['team@tenant-b.example']);
    expect(JSON.stringify(mail.mail.headers)).not.toContain('bank.example');
    expect(alerts.smtp.received).toHaveLength(before + 1);
    await putSetting(alerts.server, tenantAuth, 'channels', {});
  });

  it('serves the projects COSTSCOPE_ENV_CHANNELS_FOR names: their alerts and test sends arrive', async () => {
    await restartWith({ COSTSCOPE_ENV_CHANNELS_FOR: `default,${tenant},tenant-c` });
    await seedSpike('tenant-c');
    await evaluateAt(alerts, new Date(dayStart + 13 * HOUR));
    const sent = messagesFor(alerts, 'tenant-c');
    expect([sent.slack.length, sent.webhook.length, sent.email.length]).toEqual([1, 1, 1]);
    for (const channel of ['slack', 'webhook', 'email']) expect((await testSend(channel, tenantAuth)).body, channel).toMatchObject({ status: 'delivered' });
    expect(alerts.slack.postMessages.filter((post) => post.text.includes(tenant))).toHaveLength(1);
  });
});
