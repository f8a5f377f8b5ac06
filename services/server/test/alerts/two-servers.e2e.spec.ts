import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontProcess, type RunningFront } from '../support/front-process.js';
import { createProject, getAlerts, messagesFor, onlyRule, postCalls, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * Two Costscope servers, both with the scheduler role, sharing one ClickHouse (the test HTTP
 * front over chDB in its own process) and the same Slack and SMTP: evaluating at the same moment,
 * one of them holds the term and one message goes out.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'two-schedulers' };
const HOUR = 3_600_000;
const DAY = 86_400_000;
const dayStart = Math.floor(Date.now() / DAY) * DAY - DAY;
const T = new Date(dayStart + 12 * HOUR);
const project = 'p-two-servers';
let workDir: string;
let front: RunningFront;
let first: AlertServer;
let second: AlertServer;

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-two-schedulers-'));
  front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse') });
  const storage = {
    CLICKHOUSE_URL: front.url,
    CLICKHOUSE_USER: FRONT.user,
    CLICKHOUSE_PASSWORD: FRONT.password,
    CLICKHOUSE_DATABASE: FRONT.database,
  };
  first = await startAlertServer(storage);
  second = await startAlertServer(storage, { slack: first.slack, smtp: first.smtp });
}, 60_000);

afterAll(async () => {
  await second?.server.close();
  await first?.close();
  await front?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('two servers running the scheduler on one ClickHouse', () => {
  it('send one message when both evaluate at the same moment', async () => {
    const auth = await createProject(first.server, project);
    await onlyRule(first.server, auth, 'dailySpendSpike', { perFeature: false });
    await postCalls(first.server, auth, [
      ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), outputTokens: 5_000_000 })),
      { start: new Date(dayStart + HOUR), outputTokens: 7_500_000 },
    ]);

    first.clock.set(T);
    second.clock.set(T);
    const reports = await Promise.all([first.scheduler.evaluateNow(), second.scheduler.evaluateNow()]);
    expect(reports.map((report) => report.evaluated).sort()).toEqual([false, true]);

    const sent = messagesFor(first, project);
    expect(sent.email.map((mail) => mail.mail.subject)).toEqual([`[Costscope] Daily spend spike firing in project ${project} (whole project)`]);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    // Both servers answer the same single episode.
    expect((await getAlerts(second.server, auth, T)).alerts).toHaveLength(1);
  });
});
