import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLocalDays, isoWeekOfDay, localTime, startOfLocalDay } from '@costscope/core';
import { ALERT_TO, createProject, evaluateAt, messagesFor, onlyRule, postCalls, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * The Monday review in Europe/Paris: weeks start Monday 00:00 Paris time, the digest goes out at
 * Monday 09:00 Paris time to Slack and email, once, and `/api/v1/reports/weekly` answers the
 * same figures. gpt-5-mini output: 500,000 tokens = $1.00.
 */
const TZ = 'Europe/Paris';
const HOUR = 3_600_000;
let alerts: AlertServer;
let auth: { Authorization: string };
const project = 'p-weekly';

const today = localTime(new Date(), TZ);
const thisMonday = addLocalDays(today.day, 1 - today.isoWeekday);
const reviewMonday = addLocalDays(thisMonday, -7);
const previousMonday = addLocalDays(thisMonday, -14);
const week = isoWeekOfDay(reviewMonday);
const sendAt = new Date(startOfLocalDay(thisMonday, TZ).getTime() + 9 * HOUR);
/** Local `day` + `hours` in Paris, as an instant. */
const paris = (day: string, offsetDays: number, hours: number) => new Date(startOfLocalDay(addLocalDays(day, offsetDays), TZ).getTime() + hours * HOUR);
const dollars = (amount: number) => amount * 500_000;

beforeAll(async () => {
  alerts = await startAlertServer({ COSTSCOPE_TIMEZONE: TZ, COSTSCOPE_WEEKLY_REVIEW: 'mon 09:00' });
  auth = await createProject(alerts.server, project);
  await onlyRule(alerts.server, auth, 'none');
  await postCalls(alerts.server, auth, [
    // The reviewed week: search $30 (the last call Sunday 23:30 Paris, 22:30 UTC), chat $4 + a failed $1.
    { start: paris(reviewMonday, 1, 10), feature: 'search', outputTokens: dollars(10) },
    { start: paris(reviewMonday, 2, 10), feature: 'search', outputTokens: dollars(10) },
    { start: paris(reviewMonday, 6, 23.5), feature: 'search', outputTokens: dollars(10) },
    { start: paris(reviewMonday, 3, 10), feature: 'chat', outputTokens: dollars(4) },
    { start: paris(reviewMonday, 3, 11), feature: 'chat', outputTokens: dollars(1), failed: true },
    // The week before: search $20, chat $8.
    { start: paris(previousMonday, 0, 8), feature: 'search', outputTokens: dollars(20) },
    { start: paris(previousMonday, 4, 8), feature: 'chat', outputTokens: dollars(8) },
    // Monday 00:30 Paris is still Sunday in UTC, but it belongs to the current week, not the review.
    { start: paris(thisMonday, 0, 0.5), feature: 'chat', outputTokens: dollars(100) },
  ]);
});

afterAll(async () => {
  await alerts?.close();
});

describe(`the weekly review (${week})`, () => {
  it('is not sent before Monday 09:00 Paris time', async () => {
    await evaluateAt(alerts, new Date(sendAt.getTime() - 60_000));
    expect(messagesFor(alerts, project).email).toHaveLength(0);
  });

  it('goes out at Monday 09:00 to email and Slack with the week’s figures', async () => {
    await evaluateAt(alerts, sendAt);
    const sent = messagesFor(alerts, project);
    expect(sent.email).toHaveLength(1);
    expect(sent.slack).toHaveLength(1);
    const mail = sent.email[0]!;
    expect(mail.mail.subject).toBe(`[Costscope] Weekly cost review ${week} for project ${project}`);
    expect(mail.envelopeTo.sort()).toEqual([...ALERT_TO].sort());
    const text = mail.mail.text ?? '';
    expect(text).toContain('$35.00');
    expect(text).toContain('$28.00, +$7.00 (+25.0%)');
    expect(text).toContain('"search": $30.00, +$10.00 (+50.0%)');
    expect(text).toContain('"chat": $5.00, −$3.00 (−37.5%)');
    // Cost per successful response: $35 over 4 successful calls; last week $28 over 2.
    expect(text).toContain('Cost per successful response: $8.75 (last week $14.00)');
    expect(text).toContain('"chat": $5.00 (last week $8.00), $5.00 per successful response');
    expect(mail.mail.html).toContain(`https://costs.example.com/weekly?week=${week}&amp;project=${project}`);
    expect(JSON.stringify(sent.slack[0]!.blocks)).toContain('$35.00');
  });

  it('is sent once: later evaluations that Monday send nothing more', async () => {
    await evaluateAt(alerts, new Date(sendAt.getTime() + 10 * 60_000));
    await evaluateAt(alerts, new Date(sendAt.getTime() + 5 * HOUR));
    expect(messagesFor(alerts, project).email).toHaveLength(1);
  });

  it('/api/v1/reports/weekly answers the same figures', async () => {
    const response = await fetch(`${alerts.server.baseUrl}/api/v1/reports/weekly?week=${week}`, { headers: auth });
    expect(response.status).toBe(200);
    const report = (await response.json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      week,
      weekStartDay: reviewMonday,
      timezone: TZ,
      thisWeekUsd: '35.00',
      lastWeekUsd: '28.00',
      costPerSuccess: { thisWeekUsd: '8.75', lastWeekUsd: '14.00' },
      topMovers: [
        { feature: 'search', changeUsd: '10.00' },
        { feature: 'chat', changeUsd: '-3.00' },
      ],
    });
    expect(report.features).toEqual([
      { feature: 'search', thisWeekUsd: '30.00', lastWeekUsd: '20.00', changeUsd: '10.00', thisWeekRequests: 3, lastWeekRequests: 1, thisWeekCostPerSuccessUsd: '10.00' },
      { feature: 'chat', thisWeekUsd: '5.00', lastWeekUsd: '8.00', changeUsd: '-3.00', thisWeekRequests: 2, lastWeekRequests: 1, thisWeekCostPerSuccessUsd: '5.00' },
    ]);
  });
});
