import { addLocalDays, formatUsdChange, parseUsd } from '@costscope/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { AlertEpisode, CostsAnswer, WeeklyReportAnswer } from '@/lib/api/types';
import { money } from '@/lib/format';
import { comparisonText, episodeContextLink, readEpisodeValues } from '@/lib/shape/alerts';
import { isoWeekMonday, shiftWeek, WEEKLY_CSV_HEADER } from '@/lib/shape/weekly';
import { api, openPage, signedInPage, stack } from './support/harness';
import { sendSeedSpans } from './support/seed-calls';

/**
 * The weekly review shows `/api/v1/reports/weekly`'s figures to the cent (the Monday digest's),
 * its week picker changes the URL and the figures, and its CSV and Markdown exports carry the same
 * figures; the alerts pages list the episodes `/api/v1/alerts` answers, with their figures, and an
 * alert message's link opens the episode. The stack's time zone is UTC.
 */

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

/** Unpriced calls per feature over a week, which the report does not carry. */
async function unpricedByFeature(week: string): Promise<Map<string, { requests: number; unpriced: number }>> {
  const monday = isoWeekMonday(week)!;
  const costs = await api<CostsAnswer>(`/api/v1/costs?groupBy=feature&from=${monday}&to=${addLocalDays(monday, 7)}`);
  return new Map(costs.rows.map((row) => [row.feature ?? '', { requests: row.requests, unpriced: row.unpricedRequests }]));
}

/** "+$0.23 (+2.7%)" → ["+$0.23", "+2.7%"]: core's change, as the page splits it. */
function change(current: string, previous: string): [string, string] {
  const [amount, percent] = formatUsdChange(parseUsd(current), parseUsd(previous)).split(' (');
  return [amount!, percent!.slice(0, -1)];
}

async function expectWeek(page: Page, report: WeeklyReportAnswer): Promise<void> {
  await expect.poll(() => textOf(page, 'weekly-week'), { timeout: 30_000 }).toBe(report.week);
  expect(await textOf(page, 'weekly-this-week')).toBe(money(report.thisWeekUsd));
  expect(await textOf(page, 'weekly-last-week')).toBe(money(report.lastWeekUsd));
  expect(await textOf(page, 'weekly-change')).toBe(formatUsdChange(parseUsd(report.thisWeekUsd), parseUsd(report.lastWeekUsd)));
  const unpriced = await unpricedByFeature(report.week);
  for (const feature of report.features) {
    const calls = unpriced.get(feature.feature);
    const unpricedOnly = calls !== undefined && calls.unpriced > 0 && calls.unpriced >= calls.requests;
    const name = feature.feature;
    expect(await textOf(page, `weekly-feature-this-week-${name}`), name).toBe(
      feature.thisWeekRequests === 0 ? 'no calls' : unpricedOnly ? 'Unpriced' : money(feature.thisWeekUsd),
    );
    if (feature.lastWeekRequests > 0 && !unpricedOnly) expect(await textOf(page, `weekly-feature-last-week-${name}`), name).toBe(money(feature.lastWeekUsd));
    if (!unpricedOnly) {
      const [amount, percent] = change(feature.thisWeekUsd, feature.lastWeekUsd);
      expect(await textOf(page, `weekly-feature-change-${name}`), name).toBe(amount);
      expect(await textOf(page, `weekly-feature-change-percent-${name}`), name).toBe(percent);
    }
  }
  expect(await page.locator('tbody tr[data-testid^="weekly-feature-"]').count()).toBe(report.features.length);
}

describe('weekly review', () => {
  it('opens on the last complete week with the report’s figures, to the cent', async () => {
    const page = await signedInPage();
    await openPage(page, '/weekly');
    const report = await api<WeeklyReportAnswer>('/api/v1/reports/weekly');
    await expectWeek(page, report);
    // The top movers in the report's order.
    const movers = await page.getByTestId('weekly-top-movers').locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-testid')));
    expect(movers).toEqual(report.topMovers.map((mover) => `weekly-mover-${mover.feature}`));
    // The headline names the spend and the change.
    const headline = await textOf(page, 'weekly-headline');
    expect(headline).toContain(money(report.thisWeekUsd));
    expect(headline).toContain(change(report.thisWeekUsd, report.lastWeekUsd)[1]);
    expect(await textOf(page, 'weekly-alert-count')).toBe(String(report.alerts.length));
    await page.context().close();
  });

  it('the week picker changes the URL and the figures', async () => {
    const page = await signedInPage();
    await openPage(page, '/weekly');
    const current = await api<WeeklyReportAnswer>('/api/v1/reports/weekly');
    const previous = shiftWeek(current.week, -1);
    await page.getByTestId('weekly-previous').click();
    await page.waitForURL((url) => url.searchParams.get('week') === previous);
    await expectWeek(page, await api<WeeklyReportAnswer>(`/api/v1/reports/weekly?week=${previous}`));

    await page.locator('#weekly-week').selectOption(current.week);
    await page.waitForURL((url) => url.searchParams.get('week') === current.week);
    await expectWeek(page, current);
    await page.context().close();
  });

  it('exports the same figures as CSV and Markdown, as downloads', async () => {
    const page = await signedInPage();
    await openPage(page, '/weekly');
    const report = await api<WeeklyReportAnswer>('/api/v1/reports/weekly');

    const csv = await page.request.get(`${stack().dashboardUrl}/weekly/export?week=${report.week}&format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers()['content-disposition']).toBe(`attachment; filename="costscope-weekly-${report.week}.csv"`);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(WEEKLY_CSV_HEADER.join(','));
    const column = (name: (typeof WEEKLY_CSV_HEADER)[number]) => WEEKLY_CSV_HEADER.indexOf(name);
    // The seed's feature names have no comma or quote, so a plain split reads them.
    const rows = lines.slice(1).map((line) => line.split(','));
    const total = rows.find((row) => row[0] === 'total')!;
    expect(total[column('this_week_usd')]).toBe(report.thisWeekUsd);
    expect(total[column('last_week_usd')]).toBe(report.lastWeekUsd);
    for (const feature of report.features) {
      const row = rows.find((cells) => cells[0] === 'feature' && cells[1] === feature.feature)!;
      expect(row[column('this_week_usd')], feature.feature).toBe(feature.thisWeekUsd);
      expect(row[column('change_usd')], feature.feature).toBe(feature.changeUsd);
      expect(Number(row[column('this_week_calls')]), feature.feature).toBe(feature.thisWeekRequests);
    }
    expect(rows.filter((row) => row[0] === 'feature')).toHaveLength(report.features.length);

    const markdown = await page.request.get(`${stack().dashboardUrl}/weekly/export?week=${report.week}&format=md`);
    expect(markdown.status()).toBe(200);
    expect(markdown.headers()['content-type']).toBe('text/markdown; charset=utf-8');
    const text = await markdown.text();
    expect(text).toContain(`# Weekly cost review ${report.week}`);
    expect(text).toContain(`Spend was **${money(report.thisWeekUsd)}**`);
    for (const feature of report.features.slice(0, 5)) expect(text).toContain(`| ${feature.feature}`);

    expect((await page.request.get(`${stack().dashboardUrl}/weekly/export?week=${report.week}&format=xls`)).status()).toBe(400);
    expect((await page.request.get(`${stack().dashboardUrl}/weekly/export?week=2999-W01&format=csv`)).status()).toBe(400);
    await page.context().close();
  });

  it('prints without the navigation and the controls', async () => {
    const page = await signedInPage();
    await openPage(page, '/weekly');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav[aria-label="Main"]').isVisible()).toBe(false);
    expect(await page.locator('#weekly-week').isVisible()).toBe(false);
    expect(await page.getByTestId('weekly-headline').isVisible()).toBe(true);
    // The page takes the paper's width once the sidebar is gone.
    const mainWidth = await page.locator('main').evaluate((main) => main.getBoundingClientRect().width);
    expect(mainWidth).toBeGreaterThan(1000);
    expect((await page.pdf({ format: 'A4' })).subarray(0, 4).toString()).toBe('%PDF');
    await page.context().close();
  });
});

let oversizedSent = false;

/**
 * An alert episode to look at. Whether the seed's hot day trips the daily-spend rule depends on
 * the hour the tests run, so when nothing has fired yet this sends one request over the
 * oversized-request rule's 50,000 input tokens (on the cheapest seeded model, a fraction of a
 * cent, by a seeded user), which the scheduler (every 10 s) turns into an episode at any hour.
 */
async function anEpisode(): Promise<AlertEpisode> {
  const episodes = async () => (await api<{ alerts: AlertEpisode[] }>('/api/v1/alerts')).alerts;
  const existing = await episodes();
  if (existing[0]) return existing[0];
  if (!oversizedSent) {
    oversizedSent = true;
    const at = new Date(Date.parse(stack().seededAt) - 5 * 60_000);
    await sendSeedSpans(stack().serverUrl, stack().apiKey, [
      {
        traceId: 'e2e0a1e7000000000000000000000001',
        spanId: 'e2e0a1e700000001',
        start: at,
        error: false,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-5-nano',
          'gen_ai.response.model': 'gpt-5-nano',
          'gen_ai.usage.input_tokens': 60_000,
          'gen_ai.usage.output_tokens': 20,
          'costscope.feature': 'classifier',
          'costscope.endpoint': '/api/classify',
          'costscope.user.tier': 'free',
          'user.id': 'free-user-1',
        },
      },
    ]);
  }
  let found: AlertEpisode | undefined;
  await expect
    .poll(
      async () => {
        found = (await episodes())[0];
        return found !== undefined;
      },
      { timeout: 90_000, interval: 2_000 },
    )
    .toBe(true);
  return found!;
}

describe('alerts', () => {
  it('lists the episodes the API answers for the range, with their figures', async () => {
    await anEpisode();
    const page = await signedInPage();
    const today = stack().seededAt.slice(0, 10);
    const inRange = async () => (await api<{ alerts: AlertEpisode[] }>(`/api/v1/alerts?from=${addLocalDays(today, -29)}&to=${addLocalDays(today, 1)}`)).alerts;
    // The scheduler keeps evaluating: take a page whose episodes did not change while it loaded.
    let alerts: AlertEpisode[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await inRange();
      await openPage(page, '/alerts?range=30d');
      alerts = await inRange();
      if (before.length === alerts.length && before.every((alert, i) => alert.status === alerts[i]!.status)) break;
    }
    expect(alerts.length).toBeGreaterThan(0);
    expect(await textOf(page, 'alerts-total')).toBe(String(alerts.length));
    expect(await textOf(page, 'alerts-firing')).toBe(String(alerts.filter((alert) => alert.status === 'firing').length));
    for (const alert of alerts) {
      expect(await page.getByTestId(`alert-${alert.episodeId}`).count(), alert.episodeId).toBe(1);
      const { comparison } = readEpisodeValues(alert.values);
      if (comparison) expect(await textOf(page, `alert-figures-${alert.episodeId}`)).toContain(comparisonText(comparison).value);
    }
    await page.context().close();
  });

  it('a filter goes into the URL and the list follows it', async () => {
    const page = await signedInPage();
    await openPage(page, '/alerts?range=30d');
    await page.locator('#alert-status').selectOption('resolved');
    await page.waitForURL((url) => url.searchParams.get('status') === 'resolved');
    const { alerts } = await api<{ alerts: AlertEpisode[] }>('/api/v1/alerts?status=resolved');
    await expect.poll(() => textOf(page, 'alerts-firing'), { timeout: 30_000 }).toBe('0');
    expect(await textOf(page, 'alerts-total')).toBe(String(alerts.length));

    await page.locator('#alert-rule').selectOption('errorRate');
    await page.waitForURL((url) => url.searchParams.get('rule') === 'errorRate' && url.searchParams.get('status') === 'resolved');
    await expect.poll(() => textOf(page, 'alerts-total'), { timeout: 30_000 }).toBe(String(alerts.filter((alert) => alert.rule === 'errorRate').length));
    await page.context().close();
  });

  it('an alert message’s link opens its episode with the figures and the page to look at', async () => {
    const episode = await anEpisode();
    const page = await signedInPage();
    await openPage(page, `/alerts/${episode.episodeId}?project=default`);
    const { reason, comparison } = readEpisodeValues(episode.values);
    // The text as sent; the page only capitalises its first letter with CSS.
    if (reason) expect(await page.getByTestId('alert-reason').textContent()).toBe(reason);
    if (comparison) {
      const figures = comparisonText(comparison);
      expect(await textOf(page, 'alert-value')).toBe(figures.value);
      expect(await textOf(page, 'alert-reference')).toBe(figures.reference);
    }
    const link = episodeContextLink(episode, 'UTC', new Date());
    expect(await page.getByTestId('alert-context-link').getAttribute('href')).toBe(link.href);
    await page.context().close();
  });

  it('an unknown episode says so', async () => {
    const page = await signedInPage();
    await page.goto(`${stack().dashboardUrl}/alerts/no-such-episode?project=default`);
    await expect.poll(() => page.getByTestId('alert-not-found').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.context().close();
  });
});
