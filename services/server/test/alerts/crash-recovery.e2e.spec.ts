import { alertRulesSchema } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertDeliveryKey } from '../../src/alerts/channels/delivery-key.js';
import type { AlertGroup } from '../../src/alerts/messages/notification-types.js';
import { encodePayload } from '../../src/alerts/scheduler/alert-payload.js';
import { ALERTS_LEASE } from '../../src/alerts/scheduler/alert-scheduler.js';
import { evaluateRules } from '../../src/alerts/scheduler/evaluate-rules.js';
import { planNotifications } from '../../src/alerts/scheduler/plan-notifications.js';
import { claimAlertLease } from '../../src/storage/alert-lease.js';
import { saveAlertMessage } from '../../src/storage/alert-messages.js';
import { startServer } from '../support/running-server.js';
import { attach, createProject, evaluateAt, getAlerts, messagesFor, onlyRule, postCalls, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * A scheduler that died right after storing its message (step 1 of the outbox) — before the
 * episode states were written and before anything was sent. The next process finishes that
 * message, once, with its original figures and time, instead of opening the episode again.
 */
let alerts: AlertServer;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayStart = Math.floor(Date.now() / DAY) * DAY - DAY;
const T = new Date(dayStart + 12 * HOUR);
/** The crash: a minute before the term of T begins. */
const C = new Date(T.getTime() - 60_000);
const project = 'p-crash';
let auth: { Authorization: string };

beforeAll(async () => {
  alerts = await startAlertServer();
  auth = await createProject(alerts.server, project);
  await onlyRule(alerts.server, auth, 'dailySpendSpike', { perFeature: false });
  await postCalls(alerts.server, auth, [
    ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), outputTokens: 5_000_000 })),
    { start: new Date(dayStart + HOUR), outputTokens: 6_500_000 },
  ]);
});

afterAll(async () => {
  await alerts?.close();
});

describe('a scheduler that crashed mid-message', () => {
  it('leaves a prepared message that the next process sends exactly once', async () => {
    // What the crashed process did at C: claim the term, evaluate, store the message — and die.
    const { transport } = alerts.server;
    await claimAlertLease(transport, { name: ALERTS_LEASE, term: Math.floor(C.getTime() / HOUR), holder: 'crashed-process', claimedAt: C });
    const rules = alertRulesSchema.parse({ dailySpendSpike: { perFeature: false }, errorRate: { enabled: false }, outputTokenDrift: { enabled: false }, inputTokenOutlier: { enabled: false }, userSpendSpike: { enabled: false }, costPerSuccess: { enabled: false } });
    const evaluated = await evaluateRules(transport, { projectId: project, now: C, timezone: 'UTC', rules, allocations: [] });
    const plan = planNotifications({ projectId: project, now: C, rules, evaluated, firing: [] });
    expect(plan.notices).toHaveLength(1);
    const group: AlertGroup = { projectId: project, projectName: project, notifiedAt: C, alerts: plan.notices };
    await saveAlertMessage(transport, {
      projectId: project,
      deliveryKey: alertDeliveryKey(group),
      kind: 'alert',
      status: 'prepared',
      revision: 1,
      payload: encodePayload({ group, episodes: plan.episodes }),
      outcomes: [],
      createdAt: C,
      updatedAt: C,
    });
    expect((await getAlerts(alerts.server, auth, T)).alerts).toEqual([]);

    // A new process on the same data, in the next term.
    await alerts.server.close({ keepData: true });
    alerts = attach(await startServer({ ...alerts.env, COSTSCOPE_DATA_DIR: alerts.server.config.dataDir }), alerts.slack, alerts.smtp, alerts.env);
    // Two minutes after the crash the message could still be in a live process's hands: the
    // project is left alone (evaluating it now could open the same episode a second time).
    await evaluateAt(alerts, new Date(T.getTime() + 60_000));
    expect(messagesFor(alerts, project).email).toHaveLength(0);
    expect((await getAlerts(alerts.server, auth, T)).alerts).toEqual([]);
    await evaluateAt(alerts, new Date(T.getTime() + HOUR));
    await evaluateAt(alerts, new Date(T.getTime() + 2 * HOUR));

    const sent = messagesFor(alerts, project);
    expect(sent.email.map((mail) => mail.mail.subject)).toEqual([`[Costscope] Daily spend spike firing in project ${project} (whole project)`]);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    // The original message: 130% and the crashed evaluation's time.
    expect(sent.email[0]?.mail.text).toContain("today's spend is 130.0% of the 7-day average");
    expect(sent.email[0]?.mail.text).toContain('11:59 UTC');

    const { alerts: episodes } = await getAlerts(alerts.server, auth, T);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ status: 'firing', startedAt: C.toISOString() });
    expect(episodes[0]?.deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'sent'],
      ['slack', 'sent'],
      ['webhook', 'sent'],
    ]);
  });
});
