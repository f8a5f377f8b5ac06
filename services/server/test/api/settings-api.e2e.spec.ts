import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectChannels } from '../../src/alerts/channels/project-channels.js';
import { saveAlertEpisode } from '../../src/storage/alert-episodes.js';
import { getSetting, listSettingVersions } from '../../src/storage/settings.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

async function api(method: string, route: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${route}`, {
    method,
    headers: { ...server.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function postSpan(span: JsonSpan) {
  return fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: otlpJsonBody([span]),
  });
}

describe('settings', () => {
  it('start from the article’s rules, and save a change as a new version', async () => {
    const initial = await api('GET', '/api/v1/settings/rules');
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ version: 0, value: { dailySpendSpike: { thresholdPercent: 120 }, errorRate: { thresholdPercent: 2 } } });

    const saved = await api('PUT', '/api/v1/settings/rules', { dailySpendSpike: { thresholdPercent: 150 } });
    expect(saved.status).toBe(200);
    const reread = await api('GET', '/api/v1/settings/rules');
    expect(reread.body).toMatchObject({ version: saved.body.version, value: { dailySpendSpike: { thresholdPercent: 150, baselineDays: 7 } } });
    expect(Number(saved.body.version)).toBeGreaterThan(0);
  });

  it('reject an invalid value with a 400 naming the field, and keep the saved one', async () => {
    const before = await api('GET', '/api/v1/settings/allocations');
    const bad = await api('PUT', '/api/v1/settings/allocations', [{ feature: 'search', monthlyUsd: 'lots' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.parameter).toBe('body.0.monthlyUsd');
    expect((await api('GET', '/api/v1/settings/allocations')).body).toEqual(before.body);
    expect((await api('GET', '/api/v1/settings/colours')).status).toBe(400);
  });

  it('never answer channel secrets back, and keep a secret when its masked form is sent', async () => {
    const token = 'xoxb-1234567890-abcdefghijkl';
    const saved = await api('PUT', '/api/v1/settings/channels', { slack: { botToken: token, channel: '#costs' } });
    expect(saved.status).toBe(200);
    expect(JSON.stringify(saved.body)).not.toContain(token);
    const shown = (await api('GET', '/api/v1/settings/channels')).body.value as { slack: { botToken: string } };
    expect(shown.slack.botToken).toMatch(/^xoxb-…/);

    await api('PUT', '/api/v1/settings/channels', { slack: { botToken: shown.slack.botToken, channel: '#llm-costs' } });
    // Kept (not replaced by its masked form), and stored sealed: the token is only in the opened settings.
    const stored = await getSetting(server.transport, { projectId: 'default', kind: 'channels' });
    expect(JSON.stringify(stored?.value)).not.toContain(token);
    const opened = await server.app.get(ProjectChannels).read('default');
    expect(opened.settings).toMatchObject({ slack: { botToken: token, channel: '#llm-costs' } });
  });
});

describe('the project budget setting', () => {
  async function keyOf(scope: 'ingest' | 'read') {
    const created = await api('POST', '/api/v1/keys', { name: `${scope} for budget`, scope });
    expect(created.status).toBe(201);
    return String(created.body.key);
  }

  it('starts with no budget, saves an exact amount, and clears it with null, keeping each version', async () => {
    expect((await api('GET', '/api/v1/settings/budget')).body).toEqual({ kind: 'budget', version: 0, updatedAt: null, value: { monthlyUsd: null } });

    const saved = await api('PUT', '/api/v1/settings/budget', { monthlyUsd: '5000.125' });
    expect(saved.status).toBe(200);
    const reread = await api('GET', '/api/v1/settings/budget');
    expect(reread.body).toMatchObject({ version: saved.body.version, value: { monthlyUsd: '5000.125' } });

    const cleared = await api('PUT', '/api/v1/settings/budget', { monthlyUsd: null });
    expect(cleared.status).toBe(200);
    expect((await api('GET', '/api/v1/settings/budget')).body.value).toEqual({ monthlyUsd: null });
    const history = await listSettingVersions(server.transport, { projectId: 'default', kind: 'budget' });
    expect(history.map((version) => version.value)).toEqual([{ monthlyUsd: null }, { monthlyUsd: '5000.125' }]);
  });

  it('refuses an amount that is not an exact non-negative decimal string, with a 400 naming the field', async () => {
    const before = await api('GET', '/api/v1/settings/budget');
    for (const body of [{ monthlyUsd: 5000 }, { monthlyUsd: '-1' }, { monthlyUsd: '1.1234567' }, { monthlyUsd: '$5,000' }, {}]) {
      const bad = await api('PUT', '/api/v1/settings/budget', body);
      expect(bad.status).toBe(400);
      expect(bad.body.parameter).toBe('body.monthlyUsd');
      expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.ts:/);
    }
    expect((await api('GET', '/api/v1/settings/budget')).body).toEqual(before.body);
  });

  it('is read with a read key and changed only with an admin key', async () => {
    const read = await keyOf('read');
    const ingest = await keyOf('ingest');
    const as = (key: string, method: string, body?: unknown) =>
      fetch(`${server.baseUrl}/api/v1/settings/budget`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await as(read, 'GET')).status).toBe(200);
    expect((await as(read, 'PUT', { monthlyUsd: '1.00' })).status).toBe(403);
    expect((await as(ingest, 'GET')).status).toBe(403);
  });
});

describe('price overrides', () => {
  it('price new calls from their date on, and show in /api/v1/prices', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const saved = await api('PUT', '/api/v1/settings/prices', [
      { model: 'gpt-5', effectiveFrom: from, inputPerMillion: '1.00', outputPerMillion: '8.00', batchDiscountPercent: 50 },
    ]);
    expect(saved.status).toBe(200);
    const prices = (await api('GET', '/api/v1/prices')).body.prices as Array<Record<string, unknown>>;
    expect(prices.find((p) => p.model === 'gpt-5')).toMatchObject({ source: 'override', inputPerMillionUsd: '1.00', outputPerMillionUsd: '8.00' });

    const posted = await postSpan({
      traceId: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
      spanId: 'eeeeeeeeeeeeeee1',
      start: new Date(Date.now() - 60_000),
      attributes: {
        'gen_ai.request.model': 'gpt-5-2025-08-07',
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 1_000_000,
        'costscope.feature': 'negotiated',
      },
    });
    expect(posted.status).toBe(200);
    const costs = (await api('GET', '/api/v1/costs?feature=negotiated')).body.totals;
    expect(costs).toMatchObject({ costUsd: '9.00', requests: 1 });
  });

  it('re-price calls already stored, once an override for their dates is saved', async () => {
    await postSpan({
      traceId: 'ffffffffffffffffffffffffffffffff',
      spanId: 'fffffffffffffff1',
      start: new Date(Date.now() - 2 * 3_600_000),
      attributes: {
        'gen_ai.request.model': 'ft:gpt-4.1-mini:acme::xyz',
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 1_000_000,
        'costscope.feature': 'fine-tuned',
      },
    });
    expect((await api('GET', '/api/v1/costs?feature=fine-tuned')).body.totals).toMatchObject({ costUsd: '0.00', requests: 1 });

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const current = (await api('GET', '/api/v1/settings/prices')).body.value as unknown[];
    await api('PUT', '/api/v1/settings/prices', [
      ...current,
      { model: 'ft:gpt-4.1-mini:acme::xyz', effectiveFrom: yesterday, inputPerMillion: '0.80', outputPerMillion: '3.20' },
    ]);
    const queued = await api('POST', '/api/v1/prices/reprice', { from: yesterday, to: new Date().toISOString() });
    expect(queued.status).toBe(202);
    // A background job (see reprice-job.e2e.spec.ts): followed until it finishes.
    let repriced = queued;
    while (repriced.body.state === 'queued' || repriced.body.state === 'running') repriced = await api('GET', `/api/v1/prices/reprice/${String(queued.body.jobId)}`);
    expect(repriced.body).toMatchObject({ state: 'done', changed: 1, unpricedModels: [] });
    expect((await api('GET', '/api/v1/costs?feature=fine-tuned')).body.totals).toMatchObject({ costUsd: '4.00', requests: 1 });

    const tooOld = await api('POST', '/api/v1/prices/reprice', { from: '2020-01-01', to: yesterday });
    expect([tooOld.status, tooOld.body.parameter]).toEqual([400, 'body.from']);
  });

  it('reject two overrides of one model from the same moment', async () => {
    const twice = { model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1', outputPerMillion: '8' };
    const response = await api('PUT', '/api/v1/settings/prices', [twice, { ...twice, model: 'openai/gpt-5' }]);
    expect(response.status).toBe(400);
    expect(String(response.body.message)).toMatch(/Two price overrides/);
  });
});

describe('the project', () => {
  it('names the key’s project and the time zone its days are cut in', async () => {
    const { status, body } = await api('GET', '/api/v1/project');
    expect(status).toBe(200);
    expect(body).toEqual({ projectId: 'default', timezone: 'UTC', retentionDays: 90 });
  });

  it('is refused without a key', async () => {
    expect((await fetch(`${server.baseUrl}/api/v1/project`)).status).toBe(401);
  });
});

describe('one alert episode', () => {
  it('answers the episode an alert message links to, and 404 for one the project does not have', async () => {
    const startedAt = new Date('2026-11-20T10:00:00Z');
    await saveAlertEpisode(server.transport, {
      projectId: 'default',
      episodeId: 'ep-dashboard-link',
      rule: 'dailySpendSpike',
      scope: 'feature:search',
      status: 'firing',
      severity: 'warning',
      startedAt,
      resolvedAt: null,
      lastNotifiedAt: null,
      values: { todayUsd: '130.00', baselineUsd: '100.00' },
      updatedAt: startedAt,
    });
    await saveAlertEpisode(server.transport, {
      projectId: 'other-project',
      episodeId: 'ep-of-another-project',
      rule: 'errorRate',
      scope: 'project',
      status: 'firing',
      severity: 'critical',
      startedAt,
      resolvedAt: null,
      lastNotifiedAt: null,
      values: {},
      updatedAt: startedAt,
    });

    const found = await api('GET', '/api/v1/alerts/ep-dashboard-link');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      episodeId: 'ep-dashboard-link',
      rule: 'dailySpendSpike',
      scope: 'feature:search',
      status: 'firing',
      startedAt: startedAt.toISOString(),
      values: { todayUsd: '130.00', baselineUsd: '100.00' },
      deliveries: [],
    });
    expect((await api('GET', '/api/v1/alerts/no-such-episode')).status).toBe(404);
    // Another project's episode is as good as absent: ids never cross projects.
    expect((await api('GET', '/api/v1/alerts/ep-of-another-project')).status).toBe(404);
  });
});

describe('the API description', () => {
  it('is served at /api/docs without a key, with every public route', async () => {
    const response = await fetch(`${server.baseUrl}/api/docs`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/traces', '/api/v1/project', '/api/v1/costs', '/api/v1/alerts', '/api/v1/alerts/{episodeId}', '/api/v1/reports/weekly', '/api/v1/prices', '/api/v1/settings/rules', '/api/v1/keys']),
    );
  });
});
