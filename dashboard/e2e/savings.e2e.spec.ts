import { addLocalDays, isoWeekOfDay } from '@costscope/core';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CostsAnswer, InsightsAnswer, WeeklyReportAnswer } from '@/lib/api/types';
import { money } from '@/lib/format';
import { insightsBySaving, topSavings } from '@/lib/shape/savings';
import { api, openPage, signedInPage, stack } from './support/harness';
import { seededRandom, sendSeedSpans, type SeedSpan } from './support/seed-calls';

/**
 * `/savings` shows `/api/v1/insights`' figures to the cent: every insight's monthly saving, in the
 * API's order, and the projection's every step; a range without calls says what each strategy
 * needs, a range the API refuses says why; the weekly review lists the report's top three. Its calls are its own: three weeks well before the
 * shared seed's month (past "last month", inside raw retention), so no other test's figures move,
 * made to carry the evidence of several strategies at once: an expensive model on simple work
 * (model routing), work marked optional that runs nightly (batching), a shared prompt prefix never
 * read from cache (prompt caching) and the same request asked again and again (response caching).
 */

const today = stack().seededAt.slice(0, 10);
const from = addLocalDays(today, -84);
const to = addLocalDays(today, -63);
const range = `from=${from}&to=${to}`;
const apiRange = `from=${from}T00:00:00.000Z&to=${to}T00:00:00.000Z`;

type SavingsFeature = {
  feature: string;
  provider: string;
  model: string;
  callsPerDay: number;
  inputTokens: number;
  outputTokens: number;
  /** Hours of the day (UTC) the calls run in: [start, length]. */
  hours: [number, number];
  attributes: (call: number) => Record<string, string | number | boolean>;
};

const FEATURES: readonly SavingsFeature[] = [
  // Short answers to simple questions on a flagship model: the next cheaper tier would do.
  { feature: 'savings-routing', provider: 'openai', model: 'gpt-5', callsPerDay: 120, inputTokens: 2500, outputTokens: 300, hours: [0, 24], attributes: () => ({}) },
  // Marked optional, every night between 01:00 and 03:00: the Batch API's half price.
  {
    feature: 'savings-digest',
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    callsPerDay: 60,
    inputTokens: 5000,
    outputTokens: 800,
    hours: [1, 2],
    attributes: () => ({ 'costscope.priority': 'optional' }),
  },
  // Three long system prompts shared by every call, never read from cache.
  {
    feature: 'savings-tickets',
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    callsPerDay: 100,
    inputTokens: 6000,
    outputTokens: 250,
    hours: [0, 24],
    attributes: (call) => ({ 'costscope.prompt.prefix_hash': ['a1b2c3d4e5f60718', '0918f7e6d5c4b3a2', '5a5a5a5a5a5a5a5a'][call % 3]! }),
  },
  // The same twenty questions asked over and over.
  {
    feature: 'savings-faq',
    provider: 'openai',
    model: 'gpt-4.1-mini',
    callsPerDay: 150,
    inputTokens: 900,
    outputTokens: 200,
    hours: [0, 24],
    attributes: (call) => ({ 'costscope.request.hash': (call % 20).toString(16).padStart(16, '0') }),
  },
];

function savingsSpans(): SeedSpan[] {
  const random = seededRandom(12);
  const hex = (length: number) => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const spans: SeedSpan[] = [];
  for (let day = from; day < to; day = addLocalDays(day, 1)) {
    const dayStart = Date.parse(`${day}T00:00:00.000Z`);
    for (const feature of FEATURES) {
      for (let call = 0; call < feature.callsPerDay; call++) {
        const [startHour, hours] = feature.hours;
        const jitter = 0.8 + random() * 0.4;
        spans.push({
          traceId: hex(32),
          spanId: hex(16),
          start: new Date(dayStart + (startHour + random() * hours) * 3_600_000),
          error: false,
          attributes: {
            'gen_ai.provider.name': feature.provider,
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': feature.model,
            'gen_ai.response.model': feature.model,
            'gen_ai.usage.input_tokens': Math.round(feature.inputTokens * jitter),
            'gen_ai.usage.output_tokens': Math.round(feature.outputTokens * jitter),
            'costscope.feature': feature.feature,
            'costscope.endpoint': `/api/${feature.feature}`,
            'costscope.user.tier': 'paid',
            'user.id': `paid-user-${call % 40}`,
            ...feature.attributes(call),
          },
        });
      }
    }
  }
  return spans;
}

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

beforeAll(async () => {
  const spans = savingsSpans();
  await sendSeedSpans(stack().serverUrl, stack().apiKey, spans);
  // `/v1/traces` answers once the calls are stored: every one is there to read.
  expect((await api<CostsAnswer>(`/api/v1/costs?${apiRange}`)).totals.requests).toBe(spans.length);
}, 120_000);

describe('savings', () => {
  it('shows every insight’s monthly saving as the API answers it, largest first', async () => {
    const answer = await api<InsightsAnswer>(`/api/v1/insights?${apiRange}`);
    // The seed carries the evidence of four strategies: at least two must be found in it.
    expect(answer.insights.length).toBeGreaterThanOrEqual(2);
    const page = await signedInPage();
    await openPage(page, `/savings?${range}`);

    const cards = await page.getByTestId('savings-insights').locator(':scope > li > [data-testid^="insight-"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-testid')));
    expect(cards).toEqual(answer.insights.map((insight) => `insight-${insight.id}`));
    // The API orders by saving; so does the page, on the exact amounts.
    expect(insightsBySaving(answer.insights).map((insight) => insight.id)).toEqual(answer.insights.map((insight) => insight.id));
    for (const insight of answer.insights) {
      expect(await textOf(page, `insight-saving-${insight.id}`), insight.id).toBe(money(insight.monthlySavingUsd));
      const card = page.getByTestId(`insight-${insight.id}`);
      expect(await card.innerText()).toContain(insight.title);
      expect(await card.innerText()).toContain(insight.evidence.summary);
      if (insight.caveat) expect(await card.innerText()).toContain(insight.caveat);
    }
    expect(await textOf(page, 'savings-monthly-spend')).toBe(money(answer.monthlySpendUsd));
    expect(await textOf(page, 'savings-count')).toBe(String(answer.insights.length));
    await page.context().close();
  });

  it('shows the projection, strategy after strategy, with the API’s figures to the cent', async () => {
    const { projection } = await api<InsightsAnswer>(`/api/v1/insights?${apiRange}`);
    expect(projection.steps.length).toBeGreaterThanOrEqual(2);
    const page = await signedInPage();
    await openPage(page, `/savings?${range}`);
    expect(await textOf(page, 'projection-remaining-start')).toBe(money(projection.startUsd));
    for (const step of projection.steps) {
      expect(await textOf(page, `projection-saving-${step.strategy}`), step.strategy).toBe(`−${money(step.savingUsd)}`);
      expect(await textOf(page, `projection-remaining-${step.strategy}`), step.strategy).toBe(money(step.remainingUsd));
    }
    expect(await textOf(page, 'projection-end')).toBe(money(projection.endUsd));
    expect(await textOf(page, 'savings-projected-spend')).toBe(money(projection.endUsd));
    // The chart (drawn after the figures) has a bar for the start, one per step and one for the end.
    await expect.poll(() => page.locator('.recharts-bar-rectangle').count()).toBe(projection.steps.length + 2);
    await page.context().close();
  });

  it('says no savings were found, and what each strategy needs, in a range without calls', async () => {
    const quiet = `from=${addLocalDays(today, -89)}&to=${addLocalDays(today, -86)}`;
    const answer = await api<InsightsAnswer>(`/api/v1/insights?from=${addLocalDays(today, -89)}T00:00:00.000Z&to=${addLocalDays(today, -86)}T00:00:00.000Z`);
    expect(answer.insights).toEqual([]);
    const page = await signedInPage();
    await openPage(page, `/savings?${quiet}`);
    const empty = await textOf(page, 'savings-empty');
    expect(empty).toContain('No savings found in this range');
    expect(empty).toContain('Prompt caching');
    expect(empty).toContain('costscope.prompt.prefix_hash');
    expect(await page.getByTestId('savings-insights').count()).toBe(0);
    expect(await textOf(page, 'savings-count')).toBe('0');
    await page.context().close();
  });

  it('says why the figures are missing, and keeps the range picker, when the API refuses the range', async () => {
    const page = await signedInPage();
    // Longer than the API reads at once (366 days): it answers 400, and the page shows its reason.
    await openPage(page, `/savings?from=${addLocalDays(today, -400)}&to=${today}`);
    const banner = await page.getByRole('alert').first().innerText();
    expect(banner).toContain('Costscope could not load this page’s figures.');
    expect(banner).toContain('366 days');
    expect(await page.locator('#range-preset').count()).toBe(1);
    expect(await page.getByTestId('savings-insights').count()).toBe(0);
    await page.context().close();
  });

  it('puts the week’s three largest savings in the weekly review, with their dollars', async () => {
    // A week inside the seeded weeks, so its calls carry the same evidence.
    const week = isoWeekOfDay(addLocalDays(from, 7));
    const report = await api<WeeklyReportAnswer>(`/api/v1/reports/weekly?week=${week}`);
    expect(report.topInsights.length).toBeGreaterThanOrEqual(1);
    expect(report.topInsights.length).toBeLessThanOrEqual(3);
    const page = await signedInPage();
    await openPage(page, `/weekly?week=${week}`);
    const items = await page.getByTestId('weekly-top-savings').locator(':scope > li').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid')));
    const top = topSavings(report.topInsights);
    expect(items).toEqual(top.map((insight) => `weekly-saving-${insight.id}`));
    for (const insight of top) {
      expect(await textOf(page, `weekly-saving-usd-${insight.id}`), insight.id).toBe(`${money(insight.monthlySavingUsd)} a month`);
    }
    await page.context().close();
  });
});
