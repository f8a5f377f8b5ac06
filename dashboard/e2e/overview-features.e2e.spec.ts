import { addLocalDays, parseUsd, usdToExactString } from '@costscope/core';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertEpisode, CostRow, CostsAnswer, FeatureAllocationSetting, SettingAnswer } from '@/lib/api/types';
import { count, money, moneyFloor, moneyWithUnpriced, percent } from '@/lib/format';
import { api, newPage, openPage, signedInPage, stack } from './support/harness';

/**
 * The overview, the features table, a feature's page and the features CSV show the figures the
 * API answers for the same range, to the cent; changing the range or a filter changes the URL and
 * the figures. The stack's time zone is UTC, so a date in the URL is the same midnight for the
 * dashboard and the API.
 */
const today = stack().seededAt.slice(0, 10);
const tomorrow = addLocalDays(today, 1);
// Two weeks of the seeded month, ending with today (the API's `to` is exclusive).
const from = addLocalDays(today, -13);
const range = `from=${from}&to=${tomorrow}`;

/** A cost cell's amount (`CostCell`): "Unpriced" when no call had a price, else the amount, its unpriced calls said below it. */
function costCell(row: Pick<CostRow, 'costUsd' | 'requests' | 'unpricedRequests'>): string {
  return row.unpricedRequests > 0 && row.unpricedRequests >= row.requests ? 'Unpriced' : money(row.costUsd);
}

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

function costs(query: string): Promise<CostsAnswer> {
  return api<CostsAnswer>(`/api/v1/costs?${query}`);
}

function sumUsd(rows: readonly CostRow[]): bigint {
  return rows.reduce((sum, row) => sum + parseUsd(row.costUsd), 0n);
}

describe('overview', () => {
  it('shows the range’s spend, calls, cost per successful call and error rate as the API answers them', async () => {
    const page = await signedInPage();
    await openPage(page, `/?${range}`);
    const { totals } = await costs(range);
    expect(totals.requests).toBeGreaterThan(0);
    expect(await textOf(page, 'overview-spend')).toBe(money(totals.costUsd));
    expect(await textOf(page, 'overview-calls')).toBe(count(totals.requests));
    expect(await textOf(page, 'overview-cost-per-success')).toBe(money(totals.costPerSuccessUsd));
    expect(await textOf(page, 'overview-error-rate')).toBe(percent(totals.errors / totals.requests, 2));
    await page.context().close();
  });

  it('sets today against the trailing 7-day average and month to date as the API’s daily figures give them', async () => {
    const page = await signedInPage();
    await openPage(page, `/?${range}`);
    const daily = await costs(`interval=day&from=${addLocalDays(today, -7)}&to=${tomorrow}`);
    const dayCost = (day: string) => sumUsd(daily.rows.filter((row) => row.bucket?.startsWith(day)));
    const trailing = Array.from({ length: 7 }, (_, i) => dayCost(addLocalDays(today, i - 7))).reduce((sum, day) => sum + day, 0n);
    expect(await textOf(page, 'today-spend')).toBe(money(usdToExactString(dayCost(today))));
    expect(await textOf(page, 'trailing-average')).toBe(money(usdToExactString(trailing / 7n)));
    expect(await textOf(page, 'spike-threshold')).toBe(money(usdToExactString((trailing * 120n) / 700n)));
    const month = await costs(`from=${today.slice(0, 8)}01&to=${tomorrow}`);
    expect(await textOf(page, 'month-to-date')).toBe(money(month.totals.costUsd));
    await page.context().close();
  });

  it('lists the top features with their cost, and every firing alert linked to its page', async () => {
    const page = await signedInPage();
    await openPage(page, `/?${range}`);
    const byFeature = await costs(`${range}&groupBy=feature`);
    const top = [...byFeature.rows].sort((a, b) => Number(b.costUsd) - Number(a.costUsd))[0]!;
    expect(await textOf(page, `top-feature-cost-${top.feature}`)).toBe(moneyWithUnpriced(top.costUsd, top.unpricedRequests));
    const { alerts } = await api<{ alerts: AlertEpisode[] }>('/api/v1/alerts?status=firing');
    if (alerts.length === 0) {
      await expect.poll(() => page.getByTestId('firing-alerts-none').count()).toBe(1);
    } else {
      const links = await page.getByTestId('firing-alerts').locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
      expect(links.sort()).toEqual(alerts.map((alert) => `/alerts/${alert.episodeId}`).sort());
    }
    await page.context().close();
  });

  it('changing the range changes the URL and the figures', async () => {
    const page = await signedInPage();
    await openPage(page, '/?range=30d');
    await page.locator('#range-preset').selectOption('7d');
    await page.waitForURL((url) => url.searchParams.get('range') === '7d');
    const week = await costs(`from=${addLocalDays(today, -6)}&to=${tomorrow}`);
    await expect.poll(() => textOf(page, 'overview-spend'), { timeout: 30_000 }).toBe(money(week.totals.costUsd));
    expect(await textOf(page, 'overview-calls')).toBe(count(week.totals.requests));
    await page.context().close();
  });
});

describe('features', () => {
  it('shows every feature’s cost, calls, cost per successful call, error rate, failed calls’ cost and output tokens per call', async () => {
    const page = await signedInPage();
    await openPage(page, `/features?${range}`);
    const [byFeature, byStatus] = await Promise.all([costs(`${range}&groupBy=feature`), costs(`${range}&groupBy=feature,status`)]);
    expect(byFeature.rows.length).toBeGreaterThan(3);
    for (const row of byFeature.rows) {
      const feature = row.feature!;
      expect(await textOf(page, `feature-cost-${feature}`), feature).toBe(costCell(row));
      expect(await textOf(page, `feature-calls-${feature}`), feature).toBe(count(row.requests));
      expect(await textOf(page, `feature-cost-per-success-${feature}`), feature).toBe(moneyFloor(row.costPerSuccessUsd, row.unpricedRequests));
      expect(await textOf(page, `feature-error-rate-${feature}`), feature).toBe(percent(row.errors / row.requests, 1));
      const failed = sumUsd(byStatus.rows.filter((status) => status.feature === feature && status.status === 'error'));
      expect(await textOf(page, `feature-failed-cost-${feature}`), feature).toBe(money(usdToExactString(failed)));
      expect(await textOf(page, `feature-output-per-call-${feature}`), feature).toBe(count(row.outputTokens / row.requests));
    }
    expect(await textOf(page, 'features-spend')).toBe(money(byFeature.totals.costUsd));
    expect(await textOf(page, 'features-calls')).toBe(count(byFeature.totals.requests));
    await page.context().close();
  });

  it('sorts by a column when its header is pressed', async () => {
    const page = await signedInPage();
    await openPage(page, `/features?${range}`);
    const byFeature = await costs(`${range}&groupBy=feature`);
    const mostCalls = [...byFeature.rows].sort((a, b) => b.requests - a.requests)[0]!;
    await page.getByRole('button', { name: 'Calls' }).click();
    await expect.poll(() => page.locator('tbody tr').first().getAttribute('data-testid'), { timeout: 10_000 }).toBe(`feature-row-${mostCalls.feature}`);
    await page.context().close();
  });

  it('a model filter goes into the URL and the figures follow it', async () => {
    const page = await signedInPage();
    await openPage(page, `/features?${range}`);
    await page.locator('#filter-model').selectOption('gpt-5');
    await page.waitForURL((url) => url.searchParams.get('model') === 'gpt-5');
    const filtered = await costs(`${range}&groupBy=feature&model=gpt-5`);
    await expect.poll(() => textOf(page, 'features-spend'), { timeout: 30_000 }).toBe(money(filtered.totals.costUsd));
    for (const row of filtered.rows) expect(await textOf(page, `feature-calls-${row.feature}`)).toBe(count(row.requests));
    // Features without gpt-5 calls are not listed.
    expect(await page.locator('tbody tr').count()).toBe(filtered.rows.length);
    // Feature links keep the range and the filter.
    const href = await page.getByRole('link', { name: filtered.rows[0]!.feature!, exact: true }).getAttribute('href');
    expect(href).toContain('model=gpt-5');
    expect(href).toContain(`from=`);
    await page.context().close();
  });

  it('exports the table as CSV with the API’s exact amounts, for the page’s range and filters, and only with a session', async () => {
    const page = await signedInPage();
    await openPage(page, `/features?${range}`);
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain(`from=${from}`);
    const answer = await page.request.get(`${stack().dashboardUrl}${href}&model=gpt-5`);
    expect(answer.status()).toBe(200);
    expect(answer.headers()['content-type']).toContain('text/csv');
    const [header, ...lines] = (await answer.text()).trimEnd().split('\r\n');
    const columns = header!.split(',');
    const rows = new Map(lines.map((line) => line.split(',')).map((cells) => [cells[0], cells]));
    const filtered = await costs(`${range}&groupBy=feature&model=gpt-5`);
    expect(rows.size).toBe(filtered.rows.length);
    for (const row of filtered.rows) {
      const cells = rows.get(row.feature)!;
      expect(cells[columns.indexOf('cost_usd')]).toBe(row.costUsd);
      expect(cells[columns.indexOf('calls')]).toBe(String(row.requests));
      expect(cells[columns.indexOf('cost_per_successful_call_usd')]).toBe(row.costPerSuccessUsd ?? '');
    }
    await page.context().close();

    const anonymous = await newPage();
    const refused = await anonymous.request.get(`${stack().dashboardUrl}/features/export.csv?${range}`, { maxRedirects: 0 });
    expect(refused.status()).not.toBe(200);
    expect(await refused.text()).not.toContain('cost_usd');
    await anonymous.context().close();
  });
});

describe('allocations on the overview and the features table', () => {
  const put = async (value: FeatureAllocationSetting[]) => {
    const response = await fetch(`${stack().serverUrl}/api/v1/settings/allocations`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
    expect(response.status).toBe(200);
  };
  let before: FeatureAllocationSetting[] | undefined;
  afterAll(async () => {
    if (before) await put(before);
  });

  it('shows each allocation used this month, and their total against the month to date', async () => {
    before = (await api<SettingAnswer<FeatureAllocationSetting[]>>('/api/v1/settings/allocations')).value;
    const month = await costs(`from=${today.slice(0, 8)}01&to=${tomorrow}&groupBy=feature`);
    const spent = (feature: string) => parseUsd(month.rows.find((row) => row.feature === feature)?.costUsd ?? '0');
    // Allocations far above the month's pace (40× what is spent so far): shown on the pages, and
    // no allocation alert fires for the test files that run after this one.
    const allocations = ['support-chat', 'search'].map((feature) => ({ feature, dollars: spent(feature) / 10n ** 18n * 40n + 1n }));
    await put(allocations.map(({ feature, dollars }) => ({ feature, monthlyUsd: `${dollars}.00` })));

    const page = await signedInPage();
    await openPage(page, `/features?${range}`);
    for (const { feature, dollars } of allocations) {
      const text = await textOf(page, `feature-allocation-${feature}`);
      const share = Number((spent(feature) * 1_000_000n) / (dollars * 10n ** 18n)) / 1_000_000;
      expect(text).toContain(percent(share, 0));
      expect(text).toContain(`${money(usdToExactString(spent(feature)))} of ${money(`${dollars}.00`)}`);
    }
    await openPage(page, `/?${range}`);
    expect(await textOf(page, 'total-allocation')).toBe(money(`${allocations.reduce((sum, { dollars }) => sum + dollars, 0n)}.00`));
    await openPage(page, `/features/support-chat?${range}`);
    expect(await textOf(page, 'feature-allocation')).toBe(money(`${allocations[0]!.dollars}.00`));
    expect(await textOf(page, 'feature-month-to-date')).toBe(money(usdToExactString(spent('support-chat'))));
    await page.context().close();
  });
});

describe('a feature’s page', () => {
  const feature = 'support-chat';
  const filter = `${range}&feature=${feature}`;

  it('shows the feature’s figures and tokens as the API answers them', async () => {
    const page = await signedInPage();
    await openPage(page, `/features/${feature}?${range}`);
    const [{ totals }, byStatus] = await Promise.all([costs(filter), costs(`${filter}&groupBy=status`)]);
    expect(await textOf(page, 'feature-spend')).toBe(moneyFloor(totals.costUsd, totals.unpricedRequests));
    expect(await textOf(page, 'feature-calls')).toBe(count(totals.requests));
    expect(await textOf(page, 'feature-cost-per-success')).toBe(moneyFloor(totals.costPerSuccessUsd, totals.unpricedRequests));
    expect(await textOf(page, 'feature-error-rate')).toBe(percent(totals.errors / totals.requests, 2));
    expect(await textOf(page, 'feature-failed-cost')).toBe(money(usdToExactString(sumUsd(byStatus.rows.filter((row) => row.status === 'error')))));
    expect(await textOf(page, 'feature-tokens-uncached')).toBe(count(totals.inputTokens - totals.cachedInputTokens));
    expect(await textOf(page, 'feature-tokens-cached')).toBe(count(totals.cachedInputTokens));
    expect(await textOf(page, 'feature-tokens-output')).toBe(count(totals.outputTokens));
    expect(await textOf(page, 'feature-cache-read-share')).toBe(percent(totals.cachedInputTokens / totals.inputTokens, 1));
    await page.context().close();
  });

  it('breaks the feature down by model, endpoint and user tier as the API does', async () => {
    const page = await signedInPage();
    await openPage(page, `/features/${feature}?${range}`);
    for (const [dimension, prefix] of [
      ['model', 'model'],
      ['endpoint', 'endpoint'],
      ['userTier', 'tier'],
    ] as const) {
      const answer = await costs(`${filter}&groupBy=${dimension}`);
      expect(answer.rows.length, dimension).toBeGreaterThan(0);
      for (const row of answer.rows) {
        const value = row[dimension]!;
        expect(await textOf(page, `${prefix}-cost-${value}`), `${dimension} ${value}`).toBe(costCell(row));
        expect(await textOf(page, `${prefix}-calls-${value}`), `${dimension} ${value}`).toBe(count(row.requests));
      }
    }
    await page.context().close();
  });

  it('changing the range changes the URL and the figures', async () => {
    const page = await signedInPage();
    await openPage(page, `/features/${feature}?range=30d`);
    await page.locator('#range-preset').selectOption('today');
    await page.waitForURL((url) => url.searchParams.get('range') === 'today');
    const day = await costs(`from=${today}&to=${tomorrow}&feature=${feature}`);
    await expect.poll(() => textOf(page, 'feature-calls'), { timeout: 30_000 }).toBe(count(day.totals.requests));
    expect(await textOf(page, 'feature-spend')).toBe(moneyFloor(day.totals.costUsd, day.totals.unpricedRequests));
    await page.context().close();
  });

  it('a feature without calls in the range says so and offers wider ranges instead of a 404', async () => {
    const page = await signedInPage();
    await openPage(page, `/features/no-such-feature?${range}`);
    const empty = page.getByTestId('feature-no-calls');
    expect(await empty.innerText()).toContain('No calls from no-such-feature in this range');
    expect(await empty.getByRole('link', { name: /Last \d+ days/ }).count()).toBeGreaterThan(0);
    await page.context().close();
  });
});
