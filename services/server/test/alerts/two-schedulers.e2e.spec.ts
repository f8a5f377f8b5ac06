import { SchedulerRegistry } from '@nestjs/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectChannels } from '../../src/alerts/channels/project-channels.js';
import { AlertClock } from '../../src/alerts/scheduler/alert-clock.js';
import { ALERTS_INTERVAL, AlertScheduler } from '../../src/alerts/scheduler/alert-scheduler.js';
import { createProject, getAlerts, messagesFor, onlyRule, postCalls, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * Several scheduler processes against one storage: each term, exactly one evaluates. The second
 * scheduler is a second `AlertScheduler` with its own identity and clock on the same transport —
 * what a second process would be, minus the process (chDB binds one data dir per process).
 */
let alerts: AlertServer;
let second: AlertScheduler;
let secondClock: AlertClock;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayStart = Math.floor(Date.now() / DAY) * DAY - DAY;
const T = new Date(dayStart + 12 * HOUR);

beforeAll(async () => {
  alerts = await startAlertServer();
  secondClock = new AlertClock();
  second = new AlertScheduler(
    alerts.server.transport,
    alerts.server.config,
    alerts.server.config.alertDelivery,
    secondClock,
    alerts.server.app.get(ProjectChannels),
    new SchedulerRegistry(),
  );
});

afterAll(async () => {
  await second?.onApplicationShutdown();
  await alerts?.close();
});

describe('the schedule', () => {
  it("is an interval in @nestjs/schedule's registry, one per process", () => {
    expect(alerts.server.app.get(SchedulerRegistry).getIntervals()).toEqual([ALERTS_INTERVAL]);
  });
});

describe('two schedulers evaluating at the same time', () => {
  const project = 'p-pair';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'dailySpendSpike', { perFeature: false });
    await postCalls(alerts.server, auth, [
      ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), outputTokens: 5_000_000 })),
      { start: new Date(dayStart + HOUR), outputTokens: 7_500_000 },
    ]);
  });

  it('send one message: one of them holds the term, the other stands aside', async () => {
    alerts.clock.set(T);
    secondClock.set(T);
    const reports = await Promise.all([alerts.scheduler.evaluateNow(), second.evaluateNow()]);
    expect(reports.map((report) => report.evaluated).sort()).toEqual([false, true]);
    // Both read back the same holder: the first claim stored.
    expect(reports[0]?.holder).toBe(reports[1]?.holder);

    const sent = messagesFor(alerts, project);
    expect(sent.email.map((mail) => mail.mail.subject)).toEqual([`[Costscope] Daily spend spike firing in project ${project} (whole project)`]);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    expect((await getAlerts(alerts.server, auth, T)).alerts).toHaveLength(1);
  });

  it('hand over: in the next term whichever claims first evaluates, and still nothing is sent twice', async () => {
    const next = new Date(T.getTime() + HOUR);
    alerts.clock.set(next);
    secondClock.set(next);
    const reports = await Promise.all([second.evaluateNow(), alerts.scheduler.evaluateNow()]);
    expect(reports.filter((report) => report.evaluated)).toHaveLength(1);
    // The episode still holds and its repeat is not due for 3 more hours.
    expect(messagesFor(alerts, project).email).toHaveLength(1);
  });
});
