import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addLocalDays, createPriceCatalog, priceCall, usdToExactString, type PriceOverrideInput } from '@costscope/core';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiKeyAnswer, CostsAnswer, CreatedKeyAnswer, FeatureAllocationSetting, SettingAnswer } from '@/lib/api/types';
import { count, money } from '@/lib/format';
import { api, apiWrite, openPage, recordResponses, repriceThroughApi, signedInPage, stack, watchRepriceStates } from './support/harness';

/**
 * The calculator prices in the browser exactly as core prices a call (with the project's price
 * overrides), and keeps its inputs in the URL; the settings page's forms write what the API then
 * answers, show the API's validation errors next to their field, and show a new key once.
 */

async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

async function put(kind: string, value: unknown): Promise<void> {
  const response = await fetch(`${stack().serverUrl}/api/v1/settings/${kind}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
  expect(response.status).toBe(200);
}

async function projectStatusWith(key: string): Promise<number> {
  return (await fetch(`${stack().serverUrl}/api/v1/project`, { headers: { authorization: `Bearer ${key}` } })).status;
}

/** The key list as the API answers it, the key of that name still active. */
async function activeKeyNamed(name: string): Promise<ApiKeyAnswer> {
  const { keys } = await api<{ keys: ApiKeyAnswer[] }>('/api/v1/keys');
  const key = keys.find((candidate) => candidate.name === name && !candidate.revokedAt);
  if (!key) throw new Error(`no active key named ${name}`);
  return key;
}

describe('calculator', () => {
  it('shows for every model the cost core’s pricing gives the same call, per call, per day, per month and on the batch API', async () => {
    const overrides = (await api<SettingAnswer<PriceOverrideInput[]>>('/api/v1/settings/prices')).value;
    const catalog = createPriceCatalog({ overrides });
    const page = await signedInPage();
    await openPage(page, '/calculator?input=1800&cached=720&output=350&calls=1234&per=day&compare=gpt-5-mini');
    const at = new Date();
    const prices = catalog.effectivePrices(at);
    expect(prices.length).toBeGreaterThan(5);
    for (const price of prices) {
      const usage = { inputTokens: 1800, cacheReadInputTokens: 720, outputTokens: 350 };
      const call = priceCall(catalog, { model: price.modelId, usage, at });
      const batch = priceCall(catalog, { model: price.modelId, usage, at, batch: true });
      if (call.status !== 'priced' || batch.status !== 'priced') throw new Error(`${price.modelId} is unpriced`);
      const perCall = call.breakdown.totalUsd;
      expect(await textOf(page, `calc-call-${price.modelId}`)).toBe(money(usdToExactString(perCall)));
      expect(await textOf(page, `calc-day-${price.modelId}`)).toBe(money(usdToExactString(perCall * 1234n)));
      expect(await textOf(page, `calc-month-${price.modelId}`)).toBe(money(usdToExactString(perCall * 1234n * 30n)));
      if (batch.batchDiscountApplied) {
        expect(await textOf(page, `calc-batch-${price.modelId}`)).toBe(money(usdToExactString(batch.breakdown.totalUsd * 1234n * 30n)));
      }
    }
    await page.context().close();
  });

  it('reproduces the article’s GPT-5 figures, and changing an input changes the URL and the figures without asking the server', async () => {
    const page = await signedInPage();
    await openPage(page, '/calculator');
    await page.getByRole('button', { name: 'Batch reviews' }).click();
    // 1M reviews a month, 200 input / 100 output tokens: $1,250, or $625 on the Batch API.
    await expect.poll(() => textOf(page, 'calc-month-gpt-5')).toBe('$1,250.00');
    expect(await textOf(page, 'calc-batch-gpt-5')).toBe('$625.00');
    expect(new URL(page.url()).searchParams.get('calls')).toBe('1000000');

    const asked: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      // The navigation's links prefetch their pages whenever the browser is idle (later on a busy
      // machine): those are not the calculator asking for figures.
      const prefetch = Object.keys(request.headers()).some((name) => name.startsWith('next-router-') && name.includes('prefetch'));
      if (url.origin === stack().dashboardUrl && !url.pathname.startsWith('/_next/static') && !prefetch) asked.push(`${request.method()} ${url.pathname}`);
    });
    await page.getByTestId('calc-output').fill('400');
    // 200 × $1.25 + 400 × $10 per million, a million times: $4,250.
    await expect.poll(() => textOf(page, 'calc-month-gpt-5')).toBe('$4,250.00');
    await expect.poll(() => new URL(page.url()).searchParams.get('output')).toBe('400');
    expect(asked).toEqual([]);

    // The URL alone reproduces the calculation.
    const shared = page.url();
    const other = await signedInPage();
    await openPage(other, new URL(shared).pathname + new URL(shared).search);
    expect(await textOf(other, 'calc-month-gpt-5')).toBe('$4,250.00');
    await other.context().close();
    await page.context().close();
  });

  it('loads a feature’s real last 30 days', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    const page = await signedInPage();
    await openPage(page, '/calculator');
    await page.getByLabel('Load a feature’s last 30 days').selectOption('support-chat');
    const { rows } = await api<CostsAnswer>(`/api/v1/costs?groupBy=feature&feature=support-chat&from=${from.toISOString()}&to=${to.toISOString()}`);
    const row = rows[0];
    if (!row) throw new Error('no support-chat calls');
    // The window rolls with the clock: a call can cross its start between the page's read and ours.
    const calls = Number(await page.getByTestId('calc-calls').inputValue());
    expect(Math.abs(calls - row.requests)).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(await page.getByTestId('calc-input').inputValue()) - row.inputTokens / row.requests)).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(await page.getByTestId('calc-output').inputValue()) - row.outputTokens / row.requests)).toBeLessThanOrEqual(2);
    expect(new URL(page.url()).searchParams.get('feature')).toBe('support-chat');
    expect(await textOf(page, 'calc-feature-note')).toContain(`${count(calls)} calls`);
    await page.context().close();
  });
});

describe('settings', () => {
  let allocationsBefore: FeatureAllocationSetting[] | undefined;
  let channelsBefore: unknown;
  afterAll(async () => {
    if (allocationsBefore) await put('allocations', allocationsBefore);
    await put('budget', { monthlyUsd: null });
    if (channelsBefore) await put('channels', channelsBefore);
  });

  it('saves an allocation through the form, shows the API’s validation error next to its field, and the API answers the saved value', async () => {
    allocationsBefore = (await api<SettingAnswer<FeatureAllocationSetting[]>>('/api/v1/settings/allocations')).value;
    await put('allocations', []);
    const page = await signedInPage();
    await openPage(page, '/settings#allocations');
    const section = page.locator('#allocations');
    await section.locator('input[name="feature"]').first().fill('classifier');
    // Far above the feature's pace, so no allocation alert fires for the files that run after this one.
    await section.getByTestId('allocation-amount-0').fill('12.3456789');
    await section.getByTestId('allocations-save').click();
    await expect.poll(() => section.locator('[data-field-error="0.monthlyUsd"]').count()).toBe(1);
    expect(await section.locator('[data-field-error="0.monthlyUsd"]').innerText()).toContain('6 decimals');
    expect(await section.getByTestId('allocation-amount-0').inputValue()).toBe('12.3456789');

    await section.getByTestId('allocation-amount-0').fill('$25,000');
    await section.getByTestId('allocations-save').click();
    await expect.poll(() => textOf(page, 'allocations-message')).toContain('Saved 1 allocation');
    const saved = await api<SettingAnswer<FeatureAllocationSetting[]>>('/api/v1/settings/allocations');
    expect(saved.value).toEqual([{ feature: 'classifier', monthlyUsd: '25000' }]);
    await page.context().close();
  });

  it('saves the project monthly budget through its field, shows the API’s error next to it, and the overview states it', async () => {
    const page = await signedInPage();
    await openPage(page, '/settings#allocations');
    const section = page.locator('#allocations');
    await section.getByTestId('project-budget-amount').fill('12.3456789');
    await section.getByTestId('project-budget-save').click();
    await expect.poll(() => section.locator('[data-field-error="monthlyUsd"]').count()).toBe(1);
    expect(await section.locator('[data-field-error="monthlyUsd"]').innerText()).toContain('6 decimals');

    // Far above the seed's month, so no allocation alert fires for the files that run after this one.
    await section.getByTestId('project-budget-amount').fill('$1,000,000');
    await section.getByTestId('project-budget-save').click();
    await expect.poll(() => textOf(page, 'project-budget-message')).toContain('Saved the project budget');
    expect((await api<SettingAnswer<{ monthlyUsd: string | null }>>('/api/v1/settings/budget')).value).toEqual({ monthlyUsd: '1000000' });
    expect(await section.getByTestId('project-budget-amount').inputValue()).toBe('1000000');

    await openPage(page, '/');
    // The seed's month is far below a million dollars: 0% of it.
    expect((await textOf(page, 'project-budget')).replace(/\s+/g, ' ')).toBe(`0% of ${money('1000000')} budget`);
    await page.context().close();
  });

  it('shows a new key once: in the answer to the admin who created it, and in no other response', async () => {
    const page = await signedInPage();
    const recorder = recordResponses(page.context());
    await openPage(page, '/settings#keys');
    await page.locator('#key-name').fill('e2e calculator-settings');
    // A new key may only send spans unless the admin chooses more.
    expect(await page.getByTestId('key-scope-ingest').isChecked()).toBe(true);
    await page.getByTestId('key-create').click();
    await page.getByTestId('new-key-value').waitFor();
    const key = (await page.getByTestId('new-key-value').innerText()).trim();
    expect(key).toMatch(/^cs_/);
    expect(await textOf(page, 'new-key-scope')).toBe('ingest');
    // Known to the server (not 401), and refused the figures (403): an ingest key.
    expect(await projectStatusWith(key)).toBe(403);
    // Every answer so far read in full before the reload drops the page's pending ones.
    await recorder.responses();

    await page.reload();
    await page.locator('#keys').waitFor();
    expect(await page.getByTestId('new-key-value').count()).toBe(0);
    const where = await recorder.find([key]);
    expect(where).toHaveLength(1);
    expect(where[0]).toMatch(/^body of POST .*\/settings/);

    // Revoking asks first, then the key stops working.
    const { keys } = await api<{ keys: Array<{ keyId: string; name: string; revokedAt: string | null }> }>('/api/v1/keys');
    const created = keys.find((candidate) => candidate.name === 'e2e calculator-settings' && !candidate.revokedAt);
    if (!created) throw new Error('the created key is not listed');
    const row = page.getByTestId(`key-row-${created.keyId}`);
    expect(await textOf(page, `key-scope-of-${created.keyId}`)).toBe('ingest');
    await row.getByText('Revoke…').click();
    await page.getByTestId(`key-revoke-${created.keyId}`).click();
    await expect.poll(() => textOf(page, 'key-revoke-message')).toContain('Revoked');
    await expect.poll(() => projectStatusWith(key)).toBe(401);
    await page.context().close();
  });

  it('creates a read key: the scope shows in the answer and the list, and the key reads figures but may not change settings', async () => {
    const page = await signedInPage();
    await openPage(page, '/settings#keys');
    await page.locator('#key-name').fill('e2e read key');
    await page.getByTestId('key-scope-read').check();
    await page.getByTestId('key-create').click();
    await page.getByTestId('new-key-value').waitFor();
    const key = (await page.getByTestId('new-key-value').innerText()).trim();
    expect(await textOf(page, 'new-key-scope')).toBe('read');
    expect(await textOf(page, 'key-create-message')).toContain('read scope');
    const created = await activeKeyNamed('e2e read key');
    expect(created.scope).toBe('read');
    await expect.poll(() => page.getByTestId(`key-scope-of-${created.keyId}`).count()).toBe(1);
    expect(await textOf(page, `key-scope-of-${created.keyId}`)).toBe('read');
    expect(await projectStatusWith(key)).toBe(200);
    expect((await apiWrite('PUT', '/api/v1/settings/allocations', [], key)).status).toBe(403);
    expect((await apiWrite('DELETE', `/api/v1/keys/${created.keyId}`)).status).toBe(200);
    await page.context().close();
  });

  it('re-prices a range of days: shows the job’s progress, follows it to the end and sums it up as the API does', async () => {
    const page = await signedInPage();
    await openPage(page, '/settings#prices');
    const today = stack().seededAt.slice(0, 10);
    const from = addLocalDays(today, -2);
    await page.locator('#reprice-from').fill(from);
    await page.locator('#reprice-through').fill(today);
    const states = await watchRepriceStates(page);
    await page.getByTestId('reprice-submit').click();
    const summary = await page.getByTestId('reprice-summary').innerText({ timeout: 90_000 });
    const seen = await states();
    expect(seen.at(-1)).toBe('done');
    expect(seen[0]).toMatch(/^(queued|running)$/);
    const examined = Number(/Re-priced ([\d,]+) call/.exec(summary)![1]!.replace(/,/g, ''));
    expect(examined).toBeGreaterThan(0);
    expect(await textOf(page, 'reprice-examined')).toBe(count(examined));
    // The seed's unpriced model is named as still needing a price.
    expect(summary).toContain('acme-llm-1');
    // The same range again through the API: the same calls, nothing more to change.
    const repeat = await repriceThroughApi({ from, to: addLocalDays(today, 1) });
    expect(repeat.examined).toBe(examined);
    expect(repeat.changed).toBe(0);
    await page.context().close();
  });

  it('says the dashboard’s key is read-only when an operator gave it a read key, instead of a generic failure', async () => {
    const created = await apiWrite<CreatedKeyAnswer>('POST', '/api/v1/keys', { name: 'e2e dashboard read key', scope: 'read' });
    expect(created.status).toBe(201);
    // The dashboard reads its key from the credentials file, re-read when the file changes.
    const file = path.join(stack().dataDir, 'credentials.json');
    const original = await readFile(file, 'utf8');
    await writeFile(file, JSON.stringify({ ...JSON.parse(original), apiKey: created.json.key }, null, 2), { mode: 0o600 });
    try {
      const page = await signedInPage();
      await openPage(page, '/settings#keys');
      expect(await textOf(page, 'read-only-key')).toContain('read key');
      expect(await page.getByTestId(`key-row-${created.json.keyId}`).innerText()).toContain('this dashboard');

      await page.locator('#key-name').fill('never created');
      await page.getByTestId('key-create').click();
      await expect.poll(() => textOf(page, 'key-create-message')).toContain('The dashboard’s key is read-only');

      await page.getByTestId('reprice-submit').click();
      await expect.poll(() => textOf(page, 'reprice-message')).toContain('The dashboard’s key is read-only');
      expect((await api<{ keys: ApiKeyAnswer[] }>('/api/v1/keys')).keys.some((key) => key.name === 'never created')).toBe(false);
      await page.context().close();
    } finally {
      await writeFile(file, original, { mode: 0o600 });
      await apiWrite('DELETE', `/api/v1/keys/${created.json.keyId}`);
    }
  });

  it('keeps channel secrets out of the page, refuses a webhook to an internal address next to its field, and shows a test send’s outcome', async () => {
    channelsBefore = (await api<SettingAnswer>('/api/v1/settings/channels')).value;
    const page = await signedInPage();
    const recorder = recordResponses(page.context());
    await openPage(page, '/settings#channels');
    const secretPath = 'T000/B000/e2e-webhook-secret';
    // A project's webhook may not point inside the network (SSRF): the API's refusal shows at the
    // field (with what was typed, to correct it: not the secret below, which must never come back).
    await page.locator('#channels-webhook-url').fill('http://127.0.0.1:9/internal-service');
    await page.getByTestId('channels-save').click();
    await expect.poll(() => page.locator('[data-field-error="webhook.url"]').count()).toBe(1);
    // A host that does not resolve passes the save and fails the test send, saying why.
    await page.locator('#channels-webhook-url').fill(`https://hooks.example.invalid/${secretPath}`);
    await page.getByTestId('channels-save').click();
    await expect.poll(() => textOf(page, 'channels-message')).toContain('Saved the channels');
    expect(await page.locator('#channels-webhook-url').inputValue()).toBe('https://hooks.example.invalid/…');
    await page.getByTestId('test-send-webhook').click();
    await expect.poll(() => textOf(page, 'test-send-webhook-message')).toMatch(/^Not sent: .+/);
    await page.reload();
    await page.locator('#channels').waitFor();
    // The secret went up in the form once, and never came back down.
    expect(await recorder.find([secretPath])).toEqual([]);
    await page.context().close();
  });
});
