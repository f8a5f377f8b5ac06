import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '@costscope/core';
import { presentRepriceJob, REPRICE_JOB_STALE_MS } from '../../src/query/reprice-jobs.js';
import { createApiKey } from '../../src/storage/api-keys.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { RepriceJobRecord } from '../../src/storage/reprice-jobs.js';
import { makeCall } from '../support/call-factory.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * Re-pricing through the API as a background job, on the real server: 202 with a Location, its
 * progress by GET, one job per project, and another project's ingest going on while it runs.
 */
let server: RunningServer;
const DAY_MS = 86_400_000;
const NEIGHBOUR_KEY = 'cs_test_neighbour_project_key_01';
const READ_KEY = 'cs_test_default_read_only_key_01';
const neighbour = { Authorization: `Bearer ${NEIGHBOUR_KEY}` };
const readOnly = { Authorization: `Bearer ${READ_KEY}` };

/** Whole days of history: 60 days before today (UTC), within the default 90-day retention. */
const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
const firstDay = new Date(today.getTime() - 60 * DAY_MS);
const CALLS_PER_DAY = 20;

/** A call of a fine-tuned model the catalog does not know: stored unpriced until the project prices it. */
function fineTunedCall(i: number): LlmCallRecord {
  return makeCall({
    projectId: 'default',
    traceId: `${i.toString(16).padStart(8, '0')}${'e'.repeat(24)}`,
    spanId: i.toString(16).padStart(16, '0'),
    time: new Date(firstDay.getTime() + Math.floor(i / CALLS_PER_DAY) * DAY_MS + (i % CALLS_PER_DAY) * 3_600_000),
    feature: 'classify',
    requestModel: 'ft:gpt-4.1-mini:acme::job',
    responseModel: 'ft:gpt-4.1-mini:acme::job',
    inputTokens: 1_000_000,
    cacheReadInputTokens: 0,
    outputTokens: 1_000_000,
    reasoningTokens: 0,
    costStatus: 'unpriced',
    pricedModel: '',
    priceVersion: '',
    freshInputCostUsd: 0n,
    cacheReadCostUsd: 0n,
    cacheWriteCostUsd: 0n,
    outputCostUsd: 0n,
    totalCostUsd: 0n,
  });
}

async function api(method: string, route: string, body?: unknown, auth: Record<string, string> = server.auth) {
  const response = await fetch(`${server.baseUrl}${route}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startServer();
  await createApiKey(server.transport, { projectId: 'neighbour', key: NEIGHBOUR_KEY, name: 'neighbour', scope: 'admin' });
  await createApiKey(server.transport, { projectId: 'default', key: READ_KEY, name: 'dashboard', scope: 'read' });
  await insertCalls(server.transport, Array.from({ length: 60 * CALLS_PER_DAY }, (_, i) => fineTunedCall(i)));
  const current = (await api('GET', '/api/v1/settings/prices')).body.value as unknown[];
  const put = await api('PUT', '/api/v1/settings/prices', [
    ...current,
    { model: 'ft:gpt-4.1-mini:acme::job', effectiveFrom: '2020-01-01', inputPerMillion: '0.80', outputPerMillion: '3.20' },
  ]);
  expect(put.status).toBe(200);
});

afterAll(async () => {
  await server?.close();
});

describe('POST /api/v1/prices/reprice', () => {
  it('queues a job, follows it to done, refuses a second at once, and lets another project ingest meanwhile', async () => {
    const range = { from: firstDay.toISOString(), to: today.toISOString() };
    const costsBefore = await api('GET', `/api/v1/costs?from=${range.from}&to=${range.to}&feature=classify`);
    expect(costsBefore.body.totals).toMatchObject({ costUsd: '0.00', requests: 1200, unpricedRequests: 1200 });

    const started = await api('POST', '/api/v1/prices/reprice', range);
    expect(started.status).toBe(202);
    const jobId = String(started.body.jobId);
    expect(started.headers.get('location')).toBe(`/api/v1/prices/reprice/${jobId}`);
    expect(started.body).toMatchObject({ state: 'queued', from: range.from, to: range.to, hoursDone: 0, hoursTotal: 60 * 24, error: null });

    const second = await api('POST', '/api/v1/prices/reprice', range);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ jobId, location: `/api/v1/prices/reprice/${jobId}` });

    // Another project's spans are answered and stored while the job works through its days.
    const span = {
      traceId: 'abababababababababababababababab',
      spanId: 'abababababababab',
      start: new Date(Date.now() - 60_000),
      attributes: { 'gen_ai.request.model': 'gpt-5-mini', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'costscope.feature': 'chat' },
    };
    const ingest = await fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', headers: { ...neighbour, 'content-type': 'application/json' }, body: otlpJsonBody([span]) });
    expect(ingest.status).toBe(200);
    const neighbourRequests = async () => ((await api('GET', '/api/v1/costs?feature=chat', undefined, neighbour)).body.totals as { requests: number }).requests;
    while ((await neighbourRequests()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const whenNeighbourStored = await api('GET', `/api/v1/prices/reprice/${jobId}`);
    expect(whenNeighbourStored.body.hoursDone).toBeLessThan(60 * 24);

    // Another project's key cannot see the job.
    expect((await api('GET', `/api/v1/prices/reprice/${jobId}`, undefined, neighbour)).status).toBe(404);

    const progress: Array<Record<string, unknown>> = [whenNeighbourStored.body];
    for (;;) {
      const polled = await api('GET', `/api/v1/prices/reprice/${jobId}`);
      expect(polled.status).toBe(200);
      progress.push(polled.body);
      if (polled.body.state === 'done' || polled.body.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const done = progress[progress.length - 1];
    expect(done).toMatchObject({ state: 'done', hoursDone: 60 * 24, hoursTotal: 60 * 24, examined: 1200, callsTotal: 1200, changed: 1200, unpricedModels: [], error: null });
    // Progress moved through the range, never backwards.
    const hours = progress.map((body) => Number(body.hoursDone));
    expect(hours).toEqual([...hours].sort((a, b) => a - b));
    expect(hours.some((done) => done > 0 && done < 60 * 24)).toBe(true);

    // 1M input at $0.80 + 1M output at $3.20 per call.
    const costsAfter = await api('GET', `/api/v1/costs?from=${range.from}&to=${range.to}&feature=classify`);
    expect(costsAfter.body.totals).toMatchObject({ costUsd: '4800.00', requests: 1200, unpricedRequests: 0 });
    // Once finished, the project may re-price again; nothing changes the second time.
    const again = await api('POST', '/api/v1/prices/reprice', { from: firstDay.toISOString(), to: new Date(firstDay.getTime() + DAY_MS).toISOString() });
    expect(again.status).toBe(202);
    let last = again.body;
    while (last.state !== 'done' && last.state !== 'failed') last = (await api('GET', `/api/v1/prices/reprice/${String(again.body.jobId)}`)).body;
    expect(last).toMatchObject({ state: 'done', examined: 20, changed: 0 });
  });

  it('refuses a range over 366 days, before the retention or backwards with 400 naming the field', async () => {
    const yesterday = new Date(today.getTime() - DAY_MS).toISOString();
    const cases: Array<[unknown, string]> = [
      [{ from: yesterday, to: new Date(today.getTime() + 400 * DAY_MS).toISOString() }, 'body.to'],
      [{ from: '2020-01-01', to: yesterday }, 'body.from'],
      [{ from: today.toISOString(), to: yesterday }, 'body.from'],
      [{ from: yesterday }, 'body.to'],
      [{ from: yesterday, to: today.toISOString(), extra: 1 }, 'body.extra'],
    ];
    for (const [body, parameter] of cases) {
      const answer = await api('POST', '/api/v1/prices/reprice', body);
      expect([answer.status, answer.body.parameter]).toEqual([400, parameter]);
    }
  });

  it('needs an admin key to start; a read key may follow a job, as it may every GET', async () => {
    const answer = await api('POST', '/api/v1/prices/reprice', { from: firstDay.toISOString(), to: today.toISOString() }, readOnly);
    expect(answer.status).toBe(403);
    expect((await api('GET', '/api/v1/prices/reprice/00000000-0000-4000-8000-000000000000', undefined, readOnly)).status).toBe(404);
  });
});

describe('GET /api/v1/prices/reprice/:jobId', () => {
  it('answers 404 for an unknown job and 400 for an id that is not one', async () => {
    expect((await api('GET', '/api/v1/prices/reprice/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const malformed = await api('GET', '/api/v1/prices/reprice/not-a-job');
    expect([malformed.status, malformed.body.parameter]).toEqual([400, 'path.jobId']);
  });

  it('shows a job whose process stopped as failed once its record stops moving', () => {
    const updatedAt = new Date('2026-11-20T10:00:00Z');
    const job: RepriceJobRecord = {
      projectId: 'default',
      jobId: '00000000-0000-4000-8000-000000000001',
      state: 'running',
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-10T00:00:00Z'),
      hoursDone: 24,
      hoursTotal: 216,
      examined: 10,
      callsTotal: 90,
      changed: 10,
      unpricedModels: [],
      error: '',
      createdAt: updatedAt,
      updatedAt,
      revision: 3,
    };
    const justBefore = new Date(updatedAt.getTime() + REPRICE_JOB_STALE_MS - 1);
    const after = new Date(updatedAt.getTime() + REPRICE_JOB_STALE_MS);
    expect(presentRepriceJob(job, justBefore, false).state).toBe('running');
    expect(presentRepriceJob(job, after, true).state).toBe('running');
    expect(presentRepriceJob(job, after, false)).toMatchObject({ state: 'failed', error: expect.stringContaining('abandoned') });
    expect(presentRepriceJob({ ...job, state: 'done' }, after, false).state).toBe('done');
  });
});

describe('a server that stops while a job runs', () => {
  it('records the job as failed with the reason, readable after a restart', async () => {
    // A fresh range's worth of work: the whole history again (already priced, so read and checked day by day).
    const started = await api('POST', '/api/v1/prices/reprice', { from: firstDay.toISOString(), to: today.toISOString() });
    expect(started.status).toBe(202);
    const jobId = String(started.body.jobId);
    await server.close({ keepData: true });

    // chDB holds one data directory per process: the same directory, reopened by a new server.
    server = await startServer({ COSTSCOPE_DATA_DIR: server.config.dataDir });
    const job = await api('GET', `/api/v1/prices/reprice/${jobId}`);
    expect(job.status).toBe(200);
    // It stopped between two days: what it finished is kept, the rest waits for a new job.
    expect(job.body).toMatchObject({ state: 'failed', error: expect.stringContaining('the server stopped') });
    expect(Number(job.body.hoursDone)).toBeLessThan(60 * 24);
    // The stopped job does not block the next one.
    expect((await api('POST', '/api/v1/prices/reprice', { from: firstDay.toISOString(), to: new Date(firstDay.getTime() + DAY_MS).toISOString() })).status).toBe(202);
  });
});
