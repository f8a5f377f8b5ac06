import { addLocalDays } from '@costscope/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CostFigures, CostsAnswer, PricesAnswer } from '@/lib/api/types';
import { count, exactPrice, money, moneyWithUnpriced } from '@/lib/format';
import { costPerPricedCall } from '@/lib/shape/models';
import { api, openPage, repriceThroughApi, signedInPage, stack, watchRepriceStates } from './support/harness';

/**
 * Explore, Models and Users show the figures the API answers for the same range, to the cent;
 * changing the grouping, a filter or the range changes the URL and the figures. The stack's time
 * zone is UTC, so a date in the URL is the same midnight for the dashboard and the API.
 */
const today = stack().seededAt.slice(0, 10);
const tomorrow = addLocalDays(today, 1);
// Two weeks of the seeded month, ending with today (the API's `to` is exclusive).
const from = addLocalDays(today, -13);
const range = `from=${from}&to=${tomorrow}`;

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

function costs(query: string): Promise<CostsAnswer> {
  return api<CostsAnswer>(`/api/v1/costs?${query}`);
}

/** A cost cell: the amount, or "Unpriced" when no call of the row had a price. */
function cellCost(figures: Pick<CostFigures, 'costUsd' | 'requests' | 'unpricedRequests'>): string {
  return figures.unpricedRequests > 0 && figures.unpricedRequests >= figures.requests ? 'Unpriced' : money(figures.costUsd);
}

async function expectExploreTotals(page: Page, answer: CostsAnswer): Promise<void> {
  await expect.poll(() => textOf(page, 'explore-total-cost'), { timeout: 30_000 }).toBe(moneyWithUnpriced(answer.totals.costUsd, answer.totals.unpricedRequests));
  expect(await textOf(page, 'explore-total-calls')).toBe(count(answer.totals.requests));
  expect(await textOf(page, 'explore-total-errors')).toBe(count(answer.totals.errors));
}

describe('explore', () => {
  it('groups by two dimensions with each combination’s cost and calls as the API answers them', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=feature,model`);
    const answer = await costs(`${range}&groupBy=feature,model`);
    expect(answer.rows.length).toBeGreaterThan(3);
    await expectExploreTotals(page, answer);
    for (const row of answer.rows) {
      const id = `${row.feature}-${row.model}`;
      expect(await textOf(page, `explore-cost-${id}`), id).toBe(cellCost(row));
      expect(await textOf(page, `explore-calls-${id}`), id).toBe(count(row.requests));
    }
    expect(await page.locator('tbody tr').count()).toBe(answer.rows.length);
    // The chart stacks the combinations: the top 8 and "others".
    await expect.poll(() => page.locator('[data-slot="chart"] .recharts-legend-wrapper').innerText()).toContain('Others');
    await page.context().close();
  });

  it('changing the grouping changes the URL and the groups', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=feature`);
    await page.locator('#explore-group-by').selectOption('model');
    await page.waitForURL((url) => url.searchParams.get('groupBy') === 'model');
    const byModel = await costs(`${range}&groupBy=model`);
    await expect.poll(() => page.locator('tbody tr').first().getAttribute('data-testid'), { timeout: 30_000 }).toBe(`explore-row-${byModel.rows[0]!.model}`);
    for (const row of byModel.rows) expect(await textOf(page, `explore-calls-${row.model}`), row.model).toBe(count(row.requests));

    await page.locator('#explore-then-by').selectOption('userTier');
    await page.waitForURL((url) => url.searchParams.get('groupBy') === 'model,userTier');
    const byModelAndTier = await costs(`${range}&groupBy=model,userTier`);
    const first = byModelAndTier.rows[0]!;
    await expect.poll(() => textOf(page, `explore-cost-${first.model}-${first.userTier}`), { timeout: 30_000 }).toBe(cellCost(first));
    expect(await page.locator('tbody tr').count()).toBe(byModelAndTier.rows.length);
    await page.context().close();
  });

  it('a filter picked from the range’s values goes into the URL as the API names it, and the figures follow it', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=feature`);
    await page.locator('#explore-add-filter').selectOption('model');
    await page.waitForURL((url) => url.searchParams.get('filterOn') === 'model');
    // The values offered are the range's models, with what each cost.
    const byModel = await costs(`${range}&groupBy=model`);
    const gpt5 = byModel.rows.find((row) => row.model === 'gpt-5')!;
    const checkbox = page.getByRole('checkbox', { name: new RegExp(`^gpt-5 .*${count(gpt5.requests)} calls`) });
    await checkbox.check();
    await page.getByRole('button', { name: /^Show 1 model/ }).click();
    await page.waitForURL((url) => url.searchParams.get('model') === 'gpt-5' && !url.searchParams.has('filterOn'));
    const filtered = await costs(`${range}&groupBy=feature&model=gpt-5`);
    await expectExploreTotals(page, filtered);
    for (const row of filtered.rows) expect(await textOf(page, `explore-cost-${row.feature}`), row.feature).toBe(cellCost(row));
    expect(await page.getByTestId('explore-filter-model').innerText()).toContain('gpt-5');

    // Removing the filter takes it out of the URL and brings every call back.
    await page.getByRole('link', { name: 'Remove the model filter' }).click();
    await page.waitForURL((url) => !url.searchParams.has('model'));
    await expectExploreTotals(page, await costs(range));
    await page.context().close();
  });

  it('selecting a group shows only it, by the next dimension, keeping the range', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=feature`);
    await page.getByRole('link', { name: 'Show only support-chat, by model' }).click();
    await page.waitForURL((url) => url.searchParams.get('feature') === 'support-chat' && url.searchParams.get('groupBy') === 'model');
    expect(new URL(page.url()).searchParams.get('from')).toBe(from);
    const drilled = await costs(`${range}&groupBy=model&feature=support-chat`);
    await expectExploreTotals(page, drilled);
    for (const row of drilled.rows) expect(await textOf(page, `explore-calls-${row.model}`), row.model).toBe(count(row.requests));
    await page.context().close();
  });

  it('exports the view’s groups as CSV with the API’s exact amounts, for its grouping, filters and range', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=feature,model&userTier=paid`);
    const href = (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!;
    expect(href).toContain('userTier=paid');
    const answer = await page.request.get(`${stack().dashboardUrl}${href}`);
    expect(answer.status()).toBe(200);
    expect(answer.headers()['content-type']).toContain('text/csv');
    const [header, ...lines] = (await answer.text()).trimEnd().split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 2)).toEqual(['feature', 'model']);
    const expected = await costs(`${range}&groupBy=feature,model&userTier=paid`);
    expect(lines).toHaveLength(expected.rows.length);
    for (const [index, row] of expected.rows.entries()) {
      const cells = lines[index]!.split(',');
      expect(cells.slice(0, 2)).toEqual([row.feature, row.model]);
      expect(cells[columns.indexOf('cost_usd')]).toBe(row.costUsd);
      expect(cells[columns.indexOf('calls')]).toBe(String(row.requests));
      expect(cells[columns.indexOf('unpriced_calls')]).toBe(String(row.unpricedRequests));
    }
    await page.context().close();
  });

  it('ignores what it cannot read in the URL instead of failing', async () => {
    const page = await signedInPage();
    await openPage(page, `/explore?${range}&groupBy=nonsense,userTier,userTier&metric=dollars&interval=fortnight&status=`);
    expect(await page.locator('#explore-group-by').inputValue()).toBe('userTier');
    expect(await page.locator('#explore-then-by').inputValue()).toBe('');
    const byTier = await costs(`${range}&groupBy=userTier`);
    await expectExploreTotals(page, byTier);
    for (const row of byTier.rows) expect(await textOf(page, `explore-calls-${row.userTier}`)).toBe(count(row.requests));
    await page.context().close();
  });
});

describe('models', () => {
  it('lists unpriced models first, flagged with a link to add a price, and every model’s figures as the API answers them', async () => {
    const page = await signedInPage();
    await openPage(page, `/models?${range}`);
    const answer = await costs(`${range}&groupBy=model,provider`);
    const unpriced = answer.rows.filter((row) => row.unpricedRequests > 0).map((row) => row.model);
    expect(unpriced).toContain('acme-llm-1');
    const order = await page.locator('tbody tr[data-testid^="model-row-"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid')!.slice('model-row-'.length)));
    expect(order.slice(0, unpriced.length).sort()).toEqual([...unpriced].sort());
    const acme = page.getByTestId('model-row-acme-llm-1');
    expect(await acme.innerText()).toContain('No price');
    expect(await acme.getByRole('link', { name: 'Add a price' }).getAttribute('href')).toBe('/settings?model=acme-llm-1#prices');

    for (const row of answer.rows) {
      const model = row.model!;
      expect(await textOf(page, `model-cost-${model}`), model).toBe(cellCost(row));
      expect(await textOf(page, `model-calls-${model}`), model).toBe(count(row.requests));
      const perCall = costPerPricedCall(row.costUsd, row.requests, row.unpricedRequests);
      if (perCall !== null) expect(await textOf(page, `model-cost-per-call-${model}`), model).toBe(money(perCall));
    }
    expect(await textOf(page, 'models-cost')).toBe(moneyWithUnpriced(answer.totals.costUsd, answer.totals.unpricedRequests));
    expect(await textOf(page, 'models-calls')).toBe(count(answer.totals.requests));
    expect(await page.getByTestId('unpriced-model-acme-llm-1').innerText()).toContain('acme-llm-1');
    await page.context().close();
  });

  it('lists the prices in force the API answers', async () => {
    const page = await signedInPage();
    await openPage(page, `/models?${range}`);
    const { prices } = await api<PricesAnswer>('/api/v1/prices');
    expect(await page.locator('tbody tr[data-testid^="price-row-"]').count()).toBe(prices.length);
    // Prices are shown exactly as the catalog states them: GPT-5's cached $0.125, not $0.13.
    for (const model of ['claude-sonnet-4-6', 'gpt-5']) {
      const price = prices.find((candidate) => candidate.model === model)!;
      const row = await page.getByTestId(`price-row-${model}`).innerText();
      for (const amount of [price.inputPerMillionUsd, price.cachedInputPerMillionUsd, price.cacheWritePerMillionUsd, price.outputPerMillionUsd]) {
        if (amount !== null) expect(row).toContain(exactPrice(amount));
      }
      expect(row).toContain(price.priceVersion);
    }
    await page.context().close();
  });

  it('re-prices the page’s range: shows the job’s progress, follows it to the end and shows its summary; a range before the raw retention is refused with the reason', async () => {
    const page = await signedInPage();
    await openPage(page, `/models?${range}`);
    const states = await watchRepriceStates(page);
    // The page's own figures read again (a refresh, not a link's prefetch), once the job is done.
    const refreshes: string[] = [];
    page.on('request', (request) => {
      const headers = request.headers();
      if (request.method() === 'GET' && headers.rsc && !headers['next-router-prefetch'] && new URL(request.url()).pathname === '/models') refreshes.push(request.url());
    });
    await page.getByRole('button', { name: 'Re-price this range' }).click();
    const answerText = await page.getByTestId('reprice-answer').innerText({ timeout: 90_000 });
    // The form showed the job before it ended, and followed it to done.
    const seen = await states();
    expect(seen.at(-1)).toBe('done');
    expect(seen[0]).toMatch(/^(queued|running)$/);
    expect(await page.getByRole('progressbar').count()).toBe(0);
    await expect.poll(() => refreshes.length).toBeGreaterThan(0);
    const examined = Number(/Examined ([\d,]+) call/.exec(answerText)![1]!.replace(/,/g, ''));
    expect(await page.getByTestId('reprice-examined').innerText()).toBe(count(examined));
    // Running it again through the API changes nothing more, and examines the same calls.
    const repeat = await repriceThroughApi({ from: `${from}T00:00:00.000Z`, to: `${tomorrow}T00:00:00.000Z` });
    expect(examined).toBe(repeat.examined);
    expect(repeat.changed).toBe(0);
    expect(answerText).toContain('acme-llm-1');

    const old = `from=${addLocalDays(today, -400)}&to=${addLocalDays(today, -390)}`;
    await openPage(page, `/models?${old}`);
    await page.getByRole('button', { name: 'Re-price this range' }).click();
    await expect.poll(() => page.locator('#reprice [role="alert"]').innerText(), { timeout: 90_000 }).toContain('raw retention');
    await page.context().close();
  });
});

describe('users', () => {
  it('shows the top users with their tier, and the tiers, as the API answers them', async () => {
    const page = await signedInPage();
    await openPage(page, `/users?${range}`);
    const [users, userTiers, tiers] = await Promise.all([
      costs(`${range}&groupBy=user&limit=50`),
      costs(`${range}&groupBy=user,userTier&limit=1000`),
      costs(`${range}&groupBy=userTier`),
    ]);
    expect(users.rows.length).toBe(50);
    for (const row of users.rows.slice(0, 20)) {
      const user = row.user!;
      expect(await textOf(page, `user-cost-${user}`), user).toBe(cellCost(row));
      expect(await textOf(page, `user-calls-${user}`), user).toBe(count(row.requests));
      const tier = userTiers.rows.find((pair) => pair.user === user)!.userTier!;
      expect(await page.getByTestId(`user-row-${user}`).innerText(), user).toContain(tier);
    }
    for (const row of tiers.rows) {
      expect(await textOf(page, `tier-cost-${row.userTier}`), row.userTier).toBe(cellCost(row));
      expect(await textOf(page, `tier-calls-${row.userTier}`), row.userTier).toBe(count(row.requests));
    }
    expect(await textOf(page, 'users-total-cost')).toBe(moneyWithUnpriced(tiers.totals.costUsd, tiers.totals.unpricedRequests));
    await page.context().close();
  });

  it('a user opens Explore with their cost by feature over the same range', async () => {
    const page = await signedInPage();
    await openPage(page, `/users?${range}`);
    const top = (await costs(`${range}&groupBy=user&limit=1`)).rows[0]!;
    await page.getByRole('link', { name: top.user!, exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/explore' && url.searchParams.get('user') === top.user && url.searchParams.get('groupBy') === 'feature');
    expect(new URL(page.url()).searchParams.get('from')).toBe(from);
    const theirs = await costs(`${range}&groupBy=feature&user=${encodeURIComponent(top.user!)}`);
    await expectExploreTotals(page, theirs);
    await page.context().close();
  });

  it('changing the range changes the URL and the figures', async () => {
    const page = await signedInPage();
    await openPage(page, '/users?range=30d');
    await page.locator('#range-preset').selectOption('7d');
    await page.waitForURL((url) => url.searchParams.get('range') === '7d');
    const week = await costs(`from=${addLocalDays(today, -6)}&to=${tomorrow}`);
    await expect.poll(() => textOf(page, 'users-total-calls'), { timeout: 30_000 }).toBe(count(week.totals.requests));
    await page.context().close();
  });
});
