import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT_FROM,
  ALERT_TO,
  createProject,
  evaluateAt,
  getAlerts,
  messagesFor,
  onlyRule,
  postCalls,
  putSetting,
  startAlertServer,
  type AlertServer,
} from './support/alert-harness.js';

/**
 * Each rule at its boundary, with history sent through `/v1/traces` and the scheduler driven by
 * its clock: one side of the threshold sends nothing, the other side fires one message that
 * arrives at Slack, the webhook and the SMTP server; then the episode resolves.
 * gpt-5-mini output costs $2.00 per million tokens: 500,000 output tokens are exactly $1.00.
 */
let alerts: AlertServer;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const tokensFor = (cents: number) => cents * 5_000;

beforeAll(async () => {
  alerts = await startAlertServer();
});

afterAll(async () => {
  await alerts?.close();
});

describe('daily spend over 120% of the trailing 7-day average', () => {
  const project = 'p-daily';
  // Now, frozen; calls of "today" fall between the start of the UTC day and now.
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const dayStart = Math.floor(now.getTime() / DAY) * DAY;
  const todayAt = (fraction: number) => new Date(dayStart + Math.max(1, Math.floor((now.getTime() - dayStart) * fraction)));
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'dailySpendSpike', { perFeature: false });
    // Seven trailing days at $10.00 each: the average is $10.00.
    await postCalls(
      alerts.server,
      auth,
      [1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), outputTokens: tokensFor(1000) })),
    );
  });

  it('sends nothing at 119% ($11.90 today)', async () => {
    await postCalls(alerts.server, auth, [{ start: todayAt(0.25), outputTokens: tokensFor(1190) }]);
    await evaluateAt(alerts, now);
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);
    expect(messagesFor(alerts, project).email).toHaveLength(0);
  });

  it('fires once at 121% ($12.10 today): Slack, webhook and email carry the figures', async () => {
    await postCalls(alerts.server, auth, [{ start: todayAt(0.5), outputTokens: tokensFor(20) }]);
    await evaluateAt(alerts, new Date(now.getTime() + 1));
    await evaluateAt(alerts, new Date(now.getTime() + 2)); // still holds: no repeat before 4 h

    const { alerts: episodes } = await getAlerts(alerts.server, auth, now);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'dailySpendSpike', scope: 'project', status: 'firing', severity: 'warning' });
    expect(episodes[0]?.values.reason).toBe("today's spend is 121.0% of the 7-day average (threshold 120%)");
    expect(episodes[0]?.deliveries.map((d) => [d.channel, d.messageKind, d.status, d.attempts]).sort()).toEqual([
      ['email', 'fired', 'sent', 1],
      ['slack', 'fired', 'sent', 1],
      ['webhook', 'fired', 'sent', 1],
    ]);
    const providerIds = Object.fromEntries(episodes[0]!.deliveries.map((d) => [d.channel, d.providerMessageId]));
    expect(providerIds.webhook).toBeNull();

    const sent = messagesFor(alerts, project);
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(1);
    expect(sent.webhook).toHaveLength(1);
    const mail = sent.email[0]!;
    expect(mail.mail.subject).toBe(`[Costscope] Daily spend spike firing in project ${project} (whole project)`);
    expect(mail.envelopeTo.sort()).toEqual([...ALERT_TO].sort());
    expect(mail.mail.from?.text).toContain('alerts@costscope.test');
    expect(ALERT_FROM).toContain(mail.mail.from?.value[0]?.address);
    expect(mail.mail.text).toContain('$12.10 today');
    expect(mail.mail.text).toContain('$10.00 7-day average');
    expect(mail.mail.html).toContain('$12.10');
    // The ids the providers gave back are the ones recorded: Slack's ts, the email's Message-ID.
    expect(providerIds.email).toBe(mail.mail.messageId);
    expect(providerIds.slack).toMatch(/^\d+\.000100$/);
    expect(sent.slack[0]!.channel).toBe('#cost-alerts');
    expect(sent.slack[0]!.authorization).toBe('Bearer xoxb-test-token-0001');
    expect(JSON.stringify(sent.slack[0]!.blocks)).toContain('$12.10');
    expect(JSON.stringify(sent.webhook[0]!.payload.blocks)).toContain('$10.00');
  });

  it('resolves with one resolved message when the next day is back under the threshold', async () => {
    const tomorrow = new Date(dayStart + DAY + 2 * 60_000);
    await evaluateAt(alerts, tomorrow);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, tomorrow);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ status: 'resolved', resolvedAt: tomorrow.toISOString() });
    const sent = messagesFor(alerts, project);
    expect(sent.email.map((mail) => mail.mail.subject)).toEqual([
      `[Costscope] Daily spend spike firing in project ${project} (whole project)`,
      `[Costscope] Resolved: Daily spend spike in project ${project} (whole project)`,
    ]);
    expect(sent.slack).toHaveLength(2);
  });
});

describe('error rate over 2% per feature and endpoint, with a minimum number of calls', () => {
  const project = 'p-errors';
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
  let auth: { Authorization: string };
  const call = (failed: boolean, minute: number) => ({ start: minutesAgo(minute), feature: 'search', endpoint: '/v1/search', outputTokens: 500, failed });

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'errorRate');
  });

  it('sends nothing for 5 failures in 99 calls: fewer than the 100-call minimum', async () => {
    await postCalls(alerts.server, auth, [...Array.from({ length: 5 }, () => call(true, 30)), ...Array.from({ length: 94 }, () => call(false, 30))]);
    await evaluateAt(alerts, now);
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);
  });

  it('fires at the 100th call (5% of 100), stating what the failures cost', async () => {
    await postCalls(alerts.server, auth, [call(false, 29)]);
    const at = new Date(now.getTime() + 1);
    await evaluateAt(alerts, at);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, at);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'errorRate', scope: 'feature=search&endpoint=%2Fv1%2Fsearch', status: 'firing', severity: 'critical' });
    const mail = messagesFor(alerts, project).email[0]!;
    expect(mail.mail.subject).toBe(`[Costscope] Error rate firing in project ${project} (feature search · endpoint /v1/search)`);
    expect(mail.mail.text).toContain('5 of 100 calls failed');
    // 5 failed calls × 500 output tokens × $2/M = $0.005
    expect(mail.mail.text).toContain('$0.005');
  });

  it('at 2.0% exactly stays quiet, at 2.97% fires (a second endpoint)', async () => {
    const other = (failed: boolean) => ({ start: minutesAgo(20), feature: 'search', endpoint: '/v1/suggest', outputTokens: 10, failed });
    await postCalls(alerts.server, auth, [other(true), other(true), ...Array.from({ length: 98 }, () => other(false))]);
    const at = new Date(now.getTime() + 2);
    await evaluateAt(alerts, at);
    expect((await getAlerts(alerts.server, auth, at)).alerts.filter((a) => a.scope.includes('suggest'))).toEqual([]);
    await postCalls(alerts.server, auth, [other(true)]);
    const later = new Date(now.getTime() + 3);
    await evaluateAt(alerts, later);
    const suggest = (await getAlerts(alerts.server, auth, later)).alerts.filter((a) => a.scope.includes('suggest'));
    expect(suggest).toHaveLength(1);
    expect(suggest[0]?.values.reason).toBe('3 of 101 calls failed (3.0%, threshold 2%)');
  });

  it('stays open through a quiet hour and resolves once calls succeed again', async () => {
    const quiet = new Date(now.getTime() + 2 * HOUR);
    await evaluateAt(alerts, quiet);
    expect((await getAlerts(alerts.server, auth, quiet)).alerts.every((a) => a.status === 'firing')).toBe(true);
    // Back to real time for the data: 100 good calls in the last hour on each endpoint.
    const good = (endpoint: string) => Array.from({ length: 100 }, () => ({ start: minutesAgo(5), feature: 'search', endpoint, outputTokens: 10 }));
    await postCalls(alerts.server, auth, [...good('/v1/search'), ...good('/v1/suggest')]);
    const recovered = new Date(now.getTime() + 4);
    // The 60-minute window holds the failures and the good calls: 5 of 200 (2.5%) still fires,
    // 3 of 201 (1.5%) is back under the threshold.
    await evaluateAt(alerts, recovered);
    const statuses = (at: Date) =>
      getAlerts(alerts.server, auth, at).then((answer) => Object.fromEntries(answer.alerts.map((a) => [a.scope, a.status])));
    expect(await statuses(recovered)).toEqual({ 'feature=search&endpoint=%2Fv1%2Fsearch': 'firing', 'feature=search&endpoint=%2Fv1%2Fsuggest': 'resolved' });
    expect(messagesFor(alerts, project).email.at(-1)?.mail.subject).toBe(
      `[Costscope] Resolved: Error rate in project ${project} (feature search · endpoint /v1/suggest)`,
    );
    // 50 minutes on, the failures (30 and 20 minutes before \`now\`) have left the window.
    const afterWindow = new Date(now.getTime() + 50 * 60_000);
    await evaluateAt(alerts, afterWindow);
    expect(await statuses(afterWindow)).toEqual({ 'feature=search&endpoint=%2Fv1%2Fsearch': 'resolved', 'feature=search&endpoint=%2Fv1%2Fsuggest': 'resolved' });
    expect(messagesFor(alerts, project).email.map((mail) => mail.mail.subject)).toEqual([
      `[Costscope] Error rate firing in project ${project} (feature search · endpoint /v1/search)`,
      `[Costscope] Error rate firing in project ${project} (feature search · endpoint /v1/suggest)`,
      `[Costscope] Resolved: Error rate in project ${project} (feature search · endpoint /v1/suggest)`,
      `[Costscope] Resolved: Error rate in project ${project} (feature search · endpoint /v1/search)`,
    ]);
  });
});

describe('monthly allocation: the month-end forecast warning', () => {
  const project = 'p-allocation';
  let auth: { Authorization: string };
  // Ten days into a month that is over (or nearly): the linear forecast is spend × days-in-month / 10.
  const real = new Date();
  let monthStart = Date.UTC(real.getUTCFullYear(), real.getUTCMonth(), 1);
  if (real.getTime() < monthStart + 10 * DAY + HOUR) monthStart = Date.UTC(real.getUTCFullYear(), real.getUTCMonth() - 1, 1);
  const start = new Date(monthStart);
  const daysInMonth = (Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) - monthStart) / DAY;
  const at = new Date(monthStart + 10 * DAY);
  // Largest spend in cents whose forecast stays at or under $100: cents × days / 10 ≤ 10,000.
  const quietCents = Math.floor(100_000 / daysInMonth);

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'featureAllocation');
    await putSetting(alerts.server, auth, 'allocations', [{ feature: 'reports', monthlyUsd: '100' }]);
  });

  it(`forecast at or under the allocation: quiet; one cent more: a warning`, async () => {
    await postCalls(alerts.server, auth, [{ start: new Date(monthStart + 2 * DAY), feature: 'reports', outputTokens: tokensFor(quietCents) }]);
    await evaluateAt(alerts, at);
    expect((await getAlerts(alerts.server, auth, at)).alerts).toEqual([]);

    await postCalls(alerts.server, auth, [{ start: new Date(monthStart + 3 * DAY), feature: 'reports', outputTokens: tokensFor(1) }]);
    const later = new Date(at.getTime() + 1);
    await evaluateAt(alerts, later);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, later);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'featureAllocation', scope: 'feature=reports', status: 'firing', severity: 'warning' });
    expect(episodes[0]?.values.reason).toMatch(/^month-end forecast is 100\.\d% of the allocation$/);
    expect(episodes[0]?.values.comparison).toMatchObject({ valueLabel: 'month-end forecast', reference: '100.00' });
    const mail = messagesFor(alerts, project).email[0]!;
    expect(mail.mail.subject).toBe(`[Costscope] Monthly allocation firing in project ${project} (feature reports)`);
    expect(mail.mail.text).toContain('$100.00 monthly allocation');
  });

  it('resolves when the allocation is raised', async () => {
    await putSetting(alerts.server, auth, 'allocations', [{ feature: 'reports', monthlyUsd: '200' }]);
    const later = new Date(at.getTime() + 2);
    await evaluateAt(alerts, later);
    const { alerts: episodes } = await getAlerts(alerts.server, auth, later);
    expect(episodes[0]).toMatchObject({ status: 'resolved' });
    expect(messagesFor(alerts, project).email.at(-1)?.mail.subject).toBe(`[Costscope] Resolved: Monthly allocation in project ${project} (feature reports)`);
  });
});

describe('the project’s monthly budget: every feature’s spend together, a warning at 80%, critical at 100%', () => {
  const project = 'p-project-budget';
  let auth: { Authorization: string };
  // Within the current month, before now (the forecast warning is off here).
  const real = new Date();
  const monthStart = Date.UTC(real.getUTCFullYear(), real.getUTCMonth(), 1);
  const spentAt = new Date(Math.max(monthStart, real.getTime() - 3 * HOUR));
  const now = new Date(Math.floor(real.getTime() / 60_000) * 60_000 + 60_000);
  let tick = 0;
  const later = () => new Date(now.getTime() + ++tick);
  const spend = (feature: string, cents: number) => postCalls(alerts.server, auth, [{ start: spentAt, feature, outputTokens: tokensFor(cents) }]);

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'featureAllocation', { forecastWarning: false });
    // "exports" stays far within its own allocation: only the project's budget can fire.
    await putSetting(alerts.server, auth, 'allocations', [{ feature: 'exports', monthlyUsd: '1000' }]);
    await putSetting(alerts.server, auth, 'budget', { monthlyUsd: '100' });
  });

  it('is quiet at $79.99 of $100 over two features, warns at $80.00 and escalates at $100.00, naming the project', async () => {
    await spend('exports', 5000);
    await spend('chat', 2999);
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);

    await spend('chat', 1);
    await evaluateAt(alerts, later());
    let episodes = (await getAlerts(alerts.server, auth, now)).alerts;
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'featureAllocation', scope: 'project', status: 'firing', severity: 'warning' });
    expect(episodes[0]?.values.reason).toBe("80.0% of the project's monthly budget used");
    expect(episodes[0]?.values.comparison).toMatchObject({ value: '80.00', reference: '100.00', referenceLabel: 'project monthly budget' });

    await spend('exports', 2000);
    await evaluateAt(alerts, later());
    episodes = (await getAlerts(alerts.server, auth, now)).alerts;
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ scope: 'project', status: 'firing', severity: 'critical' });
    expect(episodes[0]?.values.reason).toBe("100.0% of the project's monthly budget used");
    const mail = messagesFor(alerts, project).email.at(-1)!;
    expect(mail.mail.subject).toBe(`[Costscope] Monthly allocation escalated in project ${project} (whole project)`);
    expect(mail.mail.text).toContain('$100.00 project monthly budget');
  });

  it('resolves when the budget is removed', async () => {
    await putSetting(alerts.server, auth, 'budget', { monthlyUsd: null });
    await evaluateAt(alerts, later());
    const { alerts: episodes } = await getAlerts(alerts.server, auth, now);
    expect(episodes[0]).toMatchObject({ scope: 'project', status: 'resolved' });
  });
});

describe('monthly allocation: a warning at 80%, critical at 100%', () => {
  const project = 'p-allocation-share';
  let auth: { Authorization: string };
  // Within the current month, before now (the forecast warning is off here).
  const real = new Date();
  const monthStart = Date.UTC(real.getUTCFullYear(), real.getUTCMonth(), 1);
  const spentAt = new Date(Math.max(monthStart, real.getTime() - 3 * HOUR));
  const now = new Date(Math.floor(real.getTime() / 60_000) * 60_000 + 60_000);
  let tick = 0;
  const later = () => new Date(now.getTime() + ++tick);
  const spend = (cents: number) => postCalls(alerts.server, auth, [{ start: spentAt, feature: 'exports', outputTokens: tokensFor(cents) }]);

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'featureAllocation', { forecastWarning: false });
    await putSetting(alerts.server, auth, 'allocations', [{ feature: 'exports', monthlyUsd: '100' }]);
  });

  it('is quiet at $79.99 of $100, warns at $80.00 and escalates at $100.00', async () => {
    await spend(7999);
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);

    await spend(1);
    await evaluateAt(alerts, later());
    let episodes = (await getAlerts(alerts.server, auth, now)).alerts;
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ status: 'firing', severity: 'warning' });
    expect(episodes[0]?.values.reason).toBe('80.0% of the monthly allocation used');

    await spend(1999);
    await evaluateAt(alerts, later());
    expect(messagesFor(alerts, project).email).toHaveLength(1);
    await spend(1);
    await evaluateAt(alerts, later());
    episodes = (await getAlerts(alerts.server, auth, now)).alerts;
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ status: 'firing', severity: 'critical' });
    expect(episodes[0]?.deliveries.filter((d) => d.messageKind === 'escalated').map((d) => d.status)).toEqual(['sent', 'sent', 'sent']);
    const mail = messagesFor(alerts, project).email.at(-1)!;
    expect(mail.mail.subject).toBe(`[Costscope] Monthly allocation escalated in project ${project} (feature exports)`);
    expect(mail.mail.text).toContain('$100.00 month to date');
  });
});
