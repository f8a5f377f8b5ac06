import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/running-server.js';
import {
  attach,
  createProject,
  evaluateAt,
  getAlerts,
  messagesFor,
  onlyRule,
  postCalls,
  startAlertServer,
  type AlertServer,
} from './support/alert-harness.js';

/**
 * The episode lifecycle as people see it: alerts that fire together arrive as one message,
 * repeat every 4 hours while they hold (not sooner), survive a restart without a duplicate, and a
 * channel that was down gets the message exactly once when it is back — even across a restart.
 */
let alerts: AlertServer;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const tokensFor = (cents: number) => cents * 5_000;
// Noon yesterday (UTC): "today" for the rules is yesterday, so every call is in the past.
const dayStart = Math.floor(Date.now() / DAY) * DAY - DAY;
const T = new Date(dayStart + 12 * HOUR);
const at = (ms: number) => new Date(T.getTime() + ms);

/** Seven days at $10 for feature chat, then $20 on the evaluated day: 200% project-wide and for chat. */
async function seedSpike(projectId: string): Promise<{ Authorization: string }> {
  const auth = await createProject(alerts.server, projectId);
  await onlyRule(alerts.server, auth, 'dailySpendSpike', { perFeature: true });
  await postCalls(alerts.server, auth, [
    ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), feature: 'chat', outputTokens: tokensFor(1000) })),
    { start: new Date(dayStart + HOUR), feature: 'chat', outputTokens: tokensFor(2000) },
  ]);
  return auth;
}

beforeAll(async () => {
  alerts = await startAlertServer();
});

afterAll(async () => {
  await alerts?.close();
});

/** Restarts the server on the same data directory, the peers staying where they are. */
async function restart(): Promise<void> {
  await alerts.server.close({ keepData: true });
  alerts = attach(await startServer({ ...alerts.env, COSTSCOPE_DATA_DIR: alerts.server.config.dataDir }), alerts.slack, alerts.smtp, alerts.env);
}

describe('an episode from firing to resolved', () => {
  const project = 'p-life';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await seedSpike(project);
  });

  it('groups the alerts that fire together into one message', async () => {
    await evaluateAt(alerts, T);
    const sent = messagesFor(alerts, project);
    expect(sent.email.map((mail) => mail.mail.subject)).toEqual([`[Costscope] 2 alerts firing in project ${project}`]);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    expect(sent.email[0]?.mail.text).toContain('$20.00 today');
    const { alerts: episodes } = await getAlerts(alerts.server, auth, T);
    expect(episodes.map((e) => e.scope).sort()).toEqual(['feature=chat', 'project']);
    // One message: both episodes' deliveries carry the same delivery key.
    expect(new Set(episodes.flatMap((e) => e.deliveries.map((d) => d.deliveryKey))).size).toBe(1);
  });

  it('repeats once the 4-hour interval has passed, not a minute before', async () => {
    await evaluateAt(alerts, at(4 * HOUR - 60_000));
    expect(messagesFor(alerts, project).email).toHaveLength(1);
    await evaluateAt(alerts, at(4 * HOUR));
    const sent = messagesFor(alerts, project);
    expect(sent.email).toHaveLength(2);
    expect(sent.slack).toHaveLength(2);
    expect(sent.slack[1]?.text).toContain('Still firing');
    const { alerts: episodes } = await getAlerts(alerts.server, auth, T);
    expect(episodes[0]?.deliveries.filter((d) => d.messageKind === 'repeat' && d.status === 'sent')).toHaveLength(3);
  });

  it('after a restart mid-episode sends no duplicate and forgets nothing', async () => {
    await restart();
    // The term of +4 h was claimed by the process before the restart: the new one stays out of it.
    alerts.clock.set(at(4 * HOUR + 30 * 60_000));
    expect((await alerts.scheduler.evaluateNow()).evaluated).toBe(false);
    await evaluateAt(alerts, at(5 * HOUR));
    expect(messagesFor(alerts, project).email).toHaveLength(2);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, T);
    expect(episodes.map((e) => e.status)).toEqual(['firing', 'firing']);
    // The next repeat is due 4 h after the last one (at +4 h), not 4 h after the restart.
    await evaluateAt(alerts, at(8 * HOUR));
    expect(messagesFor(alerts, project).email).toHaveLength(3);
  });

  it('sends one resolved message when the day is over', async () => {
    const nextDay = new Date(dayStart + DAY + 60_000);
    await evaluateAt(alerts, nextDay);
    await evaluateAt(alerts, new Date(nextDay.getTime() + HOUR));
    const sent = messagesFor(alerts, project);
    expect(sent.email.map((mail) => mail.mail.subject).at(-1)).toBe(`[Costscope] Resolved: 2 alerts in project ${project}`);
    expect(sent.email).toHaveLength(4);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, nextDay);
    expect(episodes.map((e) => e.status)).toEqual(['resolved', 'resolved']);
    // Later tests move the clock back into this day: this project's part is over.
    await onlyRule(alerts.server, auth, 'none');
  });
});

describe('a channel down, then up', () => {
  const project = 'p-down';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await seedSpike(project);
  });

  it('records the failure, keeps email flowing, and delivers to Slack exactly once when it is back — across a restart', async () => {
    // Terms (hours, with a 1 h interval) the restarted scheduler has not claimed before.
    await alerts.slack.stop();
    await evaluateAt(alerts, at(HOUR));
    let sent = messagesFor(alerts, project);
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(0);

    const down = (await getAlerts(alerts.server, auth, T)).alerts[0]!;
    const byChannel = Object.fromEntries(down.deliveries.map((d) => [d.channel, d]));
    expect(byChannel.email).toMatchObject({ status: 'sent', attempts: 1, error: null });
    expect(byChannel.slack).toMatchObject({ status: 'failed', attempts: 5 });
    expect(byChannel.slack?.error).toMatch(/will retry/);
    expect(byChannel.webhook).toMatchObject({ status: 'failed', attempts: 5 });

    await restart();
    await alerts.slack.start();
    await evaluateAt(alerts, at(2 * HOUR));
    await evaluateAt(alerts, at(2 * HOUR + 30 * 60_000));
    sent = messagesFor(alerts, project);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    expect(sent.email).toHaveLength(1);
    // The message that went out is the original one: the first evaluation's figures and time.
    expect(sent.slack[0]?.text).toContain('$20.00');

    const up = (await getAlerts(alerts.server, auth, T)).alerts[0]!;
    expect(Object.fromEntries(up.deliveries.map((d) => [d.channel, [d.status, d.attempts]]))).toEqual({
      email: ['sent', 1],
      slack: ['sent', 6],
      webhook: ['sent', 6],
    });
  });
});

describe('Slack and SMTP down during an alert, then back', () => {
  const project = 'p-all-down';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await seedSpike(project);
  });

  it('delivers the alert exactly once to each channel when they return', async () => {
    await alerts.slack.stop();
    await alerts.smtp.stop();
    try {
      // Each channel retries within the run (the test clock's sleeps pass at once), then gives up for now.
      // A term no earlier test's scheduler claimed (each restart is a new lease holder).
      const report = await evaluateAt(alerts, at(10 * HOUR));
      expect(report.messages.filter((message) => message.projectId === project)).toEqual([expect.objectContaining({ kind: 'alert', status: 'pending' })]);
    } finally {
      await alerts.slack.start();
      await alerts.smtp.start();
    }
    expect(messagesFor(alerts, project)).toEqual({ slack: [], webhook: [], email: [] });

    await evaluateAt(alerts, at(11 * HOUR));
    await evaluateAt(alerts, at(11 * HOUR + 30 * 60_000));
    const sent = messagesFor(alerts, project);
    expect([sent.slack.length, sent.webhook.length, sent.email.length]).toEqual([1, 1, 1]);
    expect(sent.email[0]?.mail.subject).toContain(project);

    const episode = (await getAlerts(alerts.server, auth, T)).alerts[0]!;
    expect(Object.fromEntries(episode.deliveries.map((d) => [d.channel, [d.status, d.attempts]]))).toEqual({
      slack: ['sent', 6],
      webhook: ['sent', 6],
      email: ['sent', 6],
    });
  });
});

describe('POST /api/v1/settings/channels/test', () => {
  const send = (body: unknown) =>
    fetch(`${alerts.server.baseUrl}/api/v1/settings/channels/test`, {
      method: 'POST',
      headers: { ...alerts.server.auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('sends a test email to the configured recipients and answers the outcome', async () => {
    const before = alerts.smtp.received.length;
    const response = await send({ channel: 'email' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ channel: 'email', status: 'delivered', attempts: 1, error: null });
    const mail = alerts.smtp.received[before]!;
    expect(mail.mail.subject).toBe('[Costscope] Costscope test message for project default');
    expect(mail.envelopeTo).toEqual(['oncall@costscope.test', 'finance@costscope.test']);
  });

  it('answers a Slack that is down as failed, with the error, after one attempt', async () => {
    await alerts.slack.stop();
    try {
      const response = await send({ channel: 'slack' });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ channel: 'slack', status: 'failed', attempts: 1, error: { retryable: true } });
    } finally {
      await alerts.slack.start();
    }
  });

  it('refuses an unknown channel with a 400 naming the field, and requires a key', async () => {
    const response = await send({ channel: 'sms' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('body.channel');
    const anonymous = await fetch(`${alerts.server.baseUrl}/api/v1/settings/channels/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'email' }),
    });
    expect(anonymous.status).toBe(401);
  });
});
