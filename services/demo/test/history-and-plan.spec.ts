import { describe, expect, it } from 'vitest';
import { AlertBaselineCounter, DRIFT_MODEL, type AlertBaselines } from '../src/alert-baselines.js';
import { CallTally, callCost } from '../src/call-tally.js';
import { DemoUsageError, parseDemoOptions } from '../src/demo-options.js';
import { historyHours, historyWindow, talliedAttempt, type HistorySpan } from '../src/history.js';
import { planLiveTraffic, type LivePlan } from '../src/live-plan.js';
import { createPriceCatalog } from '@costscope/core';

const DAY_MS = 86_400_000;
// A Wednesday afternoon: most of a weekday's traffic is already in today's spend.
const now = new Date('2026-11-25T19:30:00Z');

function spansOf(seed: number, at: Date, days: number): HistorySpan[] {
  return [...historyHours(historyWindow(seed, at, days))].flat();
}

function baselinesOf(spans: readonly HistorySpan[], at: Date): AlertBaselines {
  const tally = new CallTally();
  const counter = new AlertBaselineCounter(at, 'UTC');
  for (const span of spans) counter.add(span, tally.add(talliedAttempt(span)));
  return counter.baselines();
}

/** The rules' own arithmetic (docs/alerts.md), on the history plus everything the live phase makes. */
function rulesAfter(baselines: AlertBaselines, plan: LivePlan | undefined) {
  const catalog = createPriceCatalog();
  const calls = plan?.requests.flatMap((request) => request.calls) ?? [];
  const liveUsd = calls.reduce((sum, call) => sum + callCost(catalog, { model: call.responseModel, batch: call.batch, at: now, usage: call.usage }), 0n);
  const answers = calls.filter((call) => call.feature === 'support-chat' && call.endpoint === 'answer');
  const refused = answers.filter((call) => call.failFirstWith !== undefined).length;
  const drifting = calls.filter((call) => call.feature === 'support-chat' && call.responseModel === DRIFT_MODEL);
  const answerSpans = baselines.lastHourAnswers.calls + answers.length + refused;
  const recentCalls = baselines.driftRecent.calls + drifting.length;
  const recentTokens = baselines.driftRecent.outputTokens + drifting.reduce((sum, call) => sum + call.usage.outputTokens, 0);
  return {
    spendSpike: (baselines.todayUsd + liveUsd) * 7n * 100n > baselines.previousSevenDaysUsd * 120n,
    errorRate: answerSpans >= 100 && (baselines.lastHourAnswers.errors + refused) * 100 > answerSpans * 2,
    outputTokenDrift: recentTokens * baselines.driftBaseline.calls * 100 > baselines.driftBaseline.outputTokens * recentCalls * 120,
  };
}

describe('the history', () => {
  it('is the same for the same seed, and different for another', () => {
    const first = spansOf(7, now, 1);
    expect(spansOf(7, now, 1)).toEqual(first);
    const other = new Set(spansOf(8, now, 1).map((span) => span.spanId));
    expect(first.some((span) => other.has(span.spanId))).toBe(false);
  });

  it('run again later resends the same spans (same ids, same content) and adds only the calls since', () => {
    const earlier = spansOf(7, now, 2);
    const later = new Map(spansOf(7, new Date(now.getTime() + 40 * 60_000), 2).map((span) => [`${span.traceId}/${span.spanId}`, span]));
    for (const span of earlier) expect(later.get(`${span.traceId}/${span.spanId}`)).toEqual(span);
    expect(later.size).toBeGreaterThan(earlier.length);
  });

  it('run on the next day gives every span it shares with the first run the same content', () => {
    const first = spansOf(7, now, 3);
    const nextDay = new Map(spansOf(7, new Date(now.getTime() + DAY_MS), 4).map((span) => [`${span.traceId}/${span.spanId}`, span]));
    let shared = 0;
    for (const span of first) {
      const again = nextDay.get(`${span.traceId}/${span.spanId}`);
      if (again === undefined) continue;
      shared += 1;
      expect(again).toEqual(span);
    }
    // Growth is counted from the last day: a day later every hour has about 0.7% more requests, so nearly all are shared.
    expect(shared / first.length).toBeGreaterThan(0.97);
  });

  it('has a weekly rhythm, nightly batch calls and growth', () => {
    const spans = spansOf(1, now, 28);
    const perDay = new Map<number, number>();
    for (const span of spans) perDay.set(Math.floor(span.start.getTime() / DAY_MS), (perDay.get(Math.floor(span.start.getTime() / DAY_MS)) ?? 0) + 1);
    const day = (iso: string) => perDay.get(Date.parse(iso) / DAY_MS) ?? 0;
    // Saturdays are quieter than Wednesdays, and a month of growth shows.
    expect(day('2026-11-21')).toBeLessThan(day('2026-11-18'));
    expect(day('2026-11-18')).toBeGreaterThan(day('2026-10-28') * 1.1);
    const batch = spans.filter((span) => span.call.batch);
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.every((span) => span.start.getUTCHours() === 2)).toBe(true);
  });
});

describe('the live plan', () => {
  const baselines = baselinesOf(spansOf(3, now, 30), now);

  it('starts from a history on which none of the three rules fires', () => {
    expect(rulesAfter(baselines, undefined)).toEqual({ spendSpike: false, errorRate: false, outputTokenDrift: false });
  });

  it.each([10_000, 120_000, 600_000])('makes each of the three rules fire, live for %i ms', (durationMs) => {
    const plan = planLiveTraffic(3, durationMs, baselines, now);
    expect(rulesAfter(baselines, plan)).toEqual({ spendSpike: true, errorRate: true, outputTokenDrift: true });
    expect(plan.requests.every((request) => request.atMs >= 0 && request.atMs <= durationMs)).toBe(true);
  });

  it('fires them on an empty project too (a key that may not read, no history)', () => {
    const empty: AlertBaselines = { todayUsd: 0n, previousSevenDaysUsd: 0n, lastHourAnswers: { calls: 0, errors: 0 }, driftRecent: { calls: 0, outputTokens: 0 }, driftBaseline: { calls: 0, outputTokens: 0 } };
    const rules = rulesAfter(empty, planLiveTraffic(3, 20_000, empty, now));
    // Without a baseline there is no drift to measure; the other two fire.
    expect(rules).toEqual({ spendSpike: true, errorRate: true, outputTokenDrift: false });
  });
});

describe('demo options', () => {
  it('reads the live phase as minutes or as a duration', () => {
    expect(parseDemoOptions([]).liveMs).toBe(120_000);
    expect(parseDemoOptions(['--live-minutes', '0.5']).liveMs).toBe(30_000);
    expect(parseDemoOptions(['--live', '20s']).liveMs).toBe(20_000);
    expect(parseDemoOptions(['--live-minutes', '0']).liveMs).toBe(0);
    expect(parseDemoOptions(['--days', '3', '--seed', '42'])).toMatchObject({ days: 3, seed: 42 });
  });

  it.each([
    [['--days', 'x'], '--days must be a whole number'],
    [['--days', '400'], '--days must be a whole number from 0 to 365'],
    [['--live', '20'], '--live must be a duration'],
    [['--live', '20s', '--live-minutes', '1'], 'not both'],
    [['--now', 'yesterday'], '--now must be an ISO 8601 instant'],
    [['--verbose'], "Unknown option '--verbose'"],
  ])('refuses %j with a message naming the option', (argv, message) => {
    expect(() => parseDemoOptions(argv)).toThrow(DemoUsageError);
    expect(() => parseDemoOptions(argv)).toThrow(message);
  });
});
