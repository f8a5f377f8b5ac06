import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, evaluateAt, getAlerts, messagesFor, onlyRule, postCalls, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * The other rules at their boundaries, history sent through `/v1/traces`: output tokens per call
 * rising, an oversized request, a user's spend jumping, cost per successful response rising.
 * gpt-5-mini: input $0.25 and output $2.00 per million tokens.
 */
let alerts: AlertServer;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ago = (ms: number) => new Date(now.getTime() - ms);
let tick = 0;
/** A later instant each time, within the same hour-long term. */
const later = () => new Date(now.getTime() + ++tick);

beforeAll(async () => {
  alerts = await startAlertServer();
});

afterAll(async () => {
  await alerts?.close();
});

describe('output tokens per call rising over 20% (per feature and model)', () => {
  const project = 'p-drift';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'outputTokenDrift', { minCalls: 2 });
    const call = (start: Date, outputTokens: number) => ({ start, feature: 'summarize', outputTokens });
    // Baseline (the 7 days before the last 24 h): 1,000 output tokens per call.
    await postCalls(alerts.server, auth, [call(ago(3 * DAY), 1000), call(ago(4 * DAY), 1000)]);
    // Last 24 h: 1,200 per call, exactly +20%.
    await postCalls(alerts.server, auth, [call(ago(2 * HOUR), 1200), call(ago(HOUR), 1200)]);
  });

  it('stays quiet at +20% and fires above it', async () => {
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);
    // A third recent call of 1,203 tokens: 3,603 / 3 = 1,201 per call.
    await postCalls(alerts.server, auth, [{ start: ago(30 * 60_000), feature: 'summarize', outputTokens: 1203 }]);
    await evaluateAt(alerts, later());
    const { alerts: episodes } = await getAlerts(alerts.server, auth, now);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'outputTokenDrift', scope: 'feature=summarize&model=gpt-5-mini', status: 'firing' });
    expect(episodes[0]?.values.reason).toBe('output tokens per call rose to 1201 from 1000 (+20.1%)');
    expect(messagesFor(alerts, project).email[0]?.mail.subject).toBe(
      `[Costscope] Output tokens per call rising firing in project ${project} (feature summarize · model gpt-5-mini)`,
    );
  });

  it('resolves when recent calls come back near the baseline', async () => {
    // Three more recent calls of 1,000 tokens: 6,603 / 6 ≈ 1,100 per call, +10%.
    await postCalls(alerts.server, auth, [1, 2, 3].map((minutes) => ({ start: ago(minutes * 60_000), feature: 'summarize', outputTokens: 1000 })));
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts[0]).toMatchObject({ status: 'resolved' });
    expect(messagesFor(alerts, project).email.at(-1)?.mail.subject).toBe(
      `[Costscope] Resolved: Output tokens per call rising in project ${project} (feature summarize · model gpt-5-mini)`,
    );
  });
});

describe('one request over the input-token limit (50,000)', () => {
  const project = 'p-outlier';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'inputTokenOutlier');
  });

  it('ignores a request of exactly 50,000 tokens, fires for 50,001, and resolves a day later', async () => {
    await postCalls(alerts.server, auth, [{ start: ago(HOUR), feature: 'upload', inputTokens: 50_000 }]);
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);

    await postCalls(alerts.server, auth, [{ start: ago(HOUR), feature: 'upload', inputTokens: 50_001 }]);
    await evaluateAt(alerts, later());
    const firing = (await getAlerts(alerts.server, auth, now)).alerts;
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ rule: 'inputTokenOutlier', scope: 'feature=upload', status: 'firing' });
    expect(messagesFor(alerts, project).email[0]?.mail.text).toContain('50,001 tokens');

    // The oversized call leaves the 24-hour window.
    const nextDay = new Date(now.getTime() + DAY);
    await evaluateAt(alerts, nextDay);
    expect((await getAlerts(alerts.server, auth, nextDay)).alerts[0]).toMatchObject({ status: 'resolved' });
    expect(messagesFor(alerts, project).email.at(-1)?.mail.subject).toBe(
      `[Costscope] Resolved: Oversized request in project ${project} (feature upload)`,
    );
  });
});

describe("a user's spend today over 5× their usual day", () => {
  const project = 'p-user';
  const dayStart = Math.floor(now.getTime() / DAY) * DAY - DAY;
  const evaluatedAt = new Date(dayStart + 20 * HOUR);
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'userSpendSpike');
    // $2.00 a day for 7 days (1,000,000 output tokens), then $10.00 on the evaluated day: exactly 5×.
    await postCalls(alerts.server, auth, [
      ...[1, 2, 3, 4, 5, 6, 7].map((daysAgo) => ({ start: new Date(dayStart - daysAgo * DAY + 12 * HOUR), userId: 'u-42', outputTokens: 1_000_000 })),
      { start: new Date(dayStart + 10 * HOUR), userId: 'u-42', outputTokens: 5_000_000 },
    ]);
  });

  it('stays quiet at 5× and fires above it', async () => {
    await evaluateAt(alerts, evaluatedAt);
    expect((await getAlerts(alerts.server, auth, evaluatedAt)).alerts).toEqual([]);
    // One more cent: 5,000 output tokens.
    await postCalls(alerts.server, auth, [{ start: new Date(dayStart + 11 * HOUR), userId: 'u-42', outputTokens: 5_000 }]);
    await evaluateAt(alerts, new Date(evaluatedAt.getTime() + 1));
    const { alerts: episodes } = await getAlerts(alerts.server, auth, evaluatedAt);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'userSpendSpike', scope: 'user=u-42', status: 'firing' });
    const mail = messagesFor(alerts, project).email[0]!;
    expect(mail.mail.subject).toBe(`[Costscope] User spend spike firing in project ${project} (user u-42)`);
    expect(mail.mail.text).toContain('$10.01 today');
  });

  it('resolves the next day, when the user is back under the minimum', async () => {
    const nextDay = new Date(evaluatedAt.getTime() + DAY);
    await evaluateAt(alerts, nextDay);
    expect((await getAlerts(alerts.server, auth, nextDay)).alerts[0]).toMatchObject({ status: 'resolved' });
    expect(messagesFor(alerts, project).email.map((m) => m.mail.subject)).toEqual([
      `[Costscope] User spend spike firing in project ${project} (user u-42)`,
      `[Costscope] Resolved: User spend spike in project ${project} (user u-42)`,
    ]);
  });
});

describe('cost per successful response rising over 25%', () => {
  const project = 'p-success';
  let auth: { Authorization: string };

  beforeAll(async () => {
    auth = await createProject(alerts.server, project);
    await onlyRule(alerts.server, auth, 'costPerSuccess', { minSuccesses: 2 });
    // Baseline: $1.00 per successful call. Last 24 h: $1.25 per successful call, exactly +25%.
    await postCalls(alerts.server, auth, [
      ...[2, 3, 4, 5].map((days) => ({ start: ago(days * DAY), feature: 'answer', outputTokens: 500_000 })),
      { start: ago(2 * HOUR), feature: 'answer', outputTokens: 625_000 },
      { start: ago(HOUR), feature: 'answer', outputTokens: 625_000 },
    ]);
  });

  it('stays quiet at +25% and fires when a failed call pushes it over', async () => {
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts).toEqual([]);
    // A failed call of $0.01 counts in the cost, not in the successes: $2.51 / 2 = $1.255.
    await postCalls(alerts.server, auth, [{ start: ago(30 * 60_000), feature: 'answer', outputTokens: 5_000, failed: true }]);
    await evaluateAt(alerts, later());
    const { alerts: episodes } = await getAlerts(alerts.server, auth, now);
    expect(episodes).toHaveLength(1);
    expect(episodes[0]).toMatchObject({ rule: 'costPerSuccess', scope: 'feature=answer', status: 'firing' });
    expect(episodes[0]?.values.reason).toBe('cost per successful response rose 25.5%');
    expect(episodes[0]?.values.comparison).toMatchObject({ value: '1.255', reference: '1.00' });
  });

  it('resolves when cheaper successful calls bring it back', async () => {
    // Two successful $1.00 calls: $4.51 / 4 = $1.1275, +12.75%.
    await postCalls(alerts.server, auth, [1, 2].map((minutes) => ({ start: ago(minutes * 60_000), feature: 'answer', outputTokens: 500_000 })));
    await evaluateAt(alerts, later());
    expect((await getAlerts(alerts.server, auth, now)).alerts[0]).toMatchObject({ status: 'resolved' });
    expect(messagesFor(alerts, project).email.at(-1)?.mail.subject).toBe(
      `[Costscope] Resolved: Cost per successful response rising in project ${project} (feature answer)`,
    );
  });
});
