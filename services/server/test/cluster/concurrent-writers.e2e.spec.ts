import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUsd } from '@costscope/core';
import { sealHourlyRollups } from '../../src/storage/hourly-rollups.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { getDailySpendBaselines, type RuleSource } from '../../src/storage/rule-inputs.js';
import { getErrorRatesByEndpoint, getOutputTokenWindowsByModel } from '../../src/storage/alert-rule-inputs.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { startServerProcess, type ServerProcess } from '../reliability/support/server-process.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { RestartableStorage } from '../support/restartable-storage.js';

/**
 * Several ingest processes on one ClickHouse (docs/scaling.md, "Ingest: exactly once"). Two real
 * server processes receive the same spans at the same moment; the ClickHouse front squashes their
 * two inserts into one block, as a server with async inserts does, which gives what two inserts
 * running at once on a server give: the dedup view of each sees none of the other's rows, so the
 * span is stored twice. Whatever the store holds, every total counts each call once: raw-served
 * and rollup-served `/api/v1/costs`, before and after the hour is sealed, and the alert rules'
 * inputs. (Before migration 0009 the rollups counted the span twice: see the report in
 * docs/scaling.md.)
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'writers-test' };
const HOUR_MS = 3_600_000;
let workDir: string;
let storage: RestartableStorage;
let first: ServerProcess;
let second: ServerProcess;
let transport: ClickHouseTransport;

// Two hours ago, inside one UTC hour: within retention, and a whole-hour range can cover it.
const hourStart = new Date(Math.floor((Date.now() - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS);
const wholeHours = { from: new Date(hourStart.getTime() - HOUR_MS), to: new Date(hourStart.getTime() + 2 * HOUR_MS) };

function spans(label: string, count: number): JsonSpan[] {
  return Array.from({ length: count }, (_, index) => ({
    traceId: `${label}${'c'.repeat(32 - label.length)}`,
    spanId: `${label}${index.toString(16).padStart(16 - label.length, '0')}`,
    start: new Date(hourStart.getTime() + 60_000 + index * 1000),
    error: index % 4 === 0,
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-5',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100 + index,
      'costscope.feature': 'support-chat',
      'costscope.endpoint': '/v1/answer',
    },
  }));
}

async function send(server: ServerProcess, body: string): Promise<void> {
  const response = await fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    body,
    headers: { ...server.auth, 'content-type': 'application/json' },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).not.toHaveProperty('partialSuccess.rejectedSpans');
}

/** Holds the next `count` inserts of calls until all have arrived, then stores them as one. */
async function squashNextInserts(count: number): Promise<void> {
  const response = await fetch(`${storage.info().url}/__front/coalesce`, {
    method: 'POST',
    body: JSON.stringify({ table: 'llm_calls_incoming', count }),
  });
  expect(response.status).toBe(204);
}

type CostsAnswer = { source: string; totals: { requests: number; errors: number; costUsd: string; outputTokens: number } };

async function costs(query: string): Promise<CostsAnswer> {
  const response = await fetch(`${first.baseUrl}/api/v1/costs?${query}`, { headers: first.auth });
  expect(response.status).toBe(200);
  return (await response.json()) as CostsAnswer;
}

async function storedRows(): Promise<number> {
  const [row] = await transport.query<{ rows: string }>({
    sql: `SELECT count() AS rows FROM llm_calls WHERE project_id = 'default'`,
    tag: { operation: 'test.storedRows' },
  });
  return Number(row?.rows);
}

/** What one copy of each call adds up to: `count` calls of `spans()`. */
function expectedFigures(count: number) {
  const calls = spans('x', count);
  return {
    requests: count,
    errors: calls.filter((call) => call.error).length,
    outputTokens: calls.reduce((sum, call) => sum + Number(call.attributes['gen_ai.usage.output_tokens']), 0),
  };
}

async function expectCountedOnce(count: number): Promise<void> {
  const expected = expectedFigures(count);
  const range = `from=${wholeHours.from.toISOString()}&to=${wholeHours.to.toISOString()}`;
  const rollup = await costs(`${range}&groupBy=feature`);
  // Grouping by user is never in the rollups: raw calls answer.
  const raw = await costs(`${range}&groupBy=user`);
  expect(rollup.source).toBe('rollup');
  expect(raw.source).toBe('raw');
  for (const answer of [rollup, raw]) {
    expect(answer.totals).toMatchObject(expected);
  }
  expect(raw.totals.costUsd).toBe(rollup.totals.costUsd);

  const projectId = 'default';
  for (const source of ['raw', 'rollup'] as RuleSource[]) {
    const day = hourStart.toISOString().slice(0, 10);
    const [spend] = await getDailySpendBaselines(transport, { projectId, day, source });
    expect(spend?.todayUsd).toBe(parseUsd(rollup.totals.costUsd));
  }
  // The scheduler's raw-call inputs (alert-rule-inputs.ts) count each call once too.
  const [byEndpoint] = await getErrorRatesByEndpoint(transport, { projectId, ...wholeHours });
  expect(byEndpoint).toMatchObject({ calls: expected.requests, errors: expected.errors });
  const [drift] = await getOutputTokenWindowsByModel(transport, {
    projectId,
    recent: wholeHours,
    baseline: { from: new Date(wholeHours.from.getTime() - 7 * 24 * HOUR_MS), to: wholeHours.from },
  });
  expect(drift?.recent).toEqual({ calls: expected.requests, total: expected.outputTokens });
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-writers-'));
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  first = await startServerProcess({ ...storage.serverEnv(path.join(workDir, 'first')), COSTSCOPE_ROLES: 'ingest,api' });
  second = await startServerProcess({ ...storage.serverEnv(path.join(workDir, 'second')), COSTSCOPE_ROLES: 'ingest' });
  const { url, user, password, database } = storage.info();
  transport = openHttpTransport({ url, username: user, password, database });
}, 120_000);

afterAll(async () => {
  await transport?.close();
  await first?.stop();
  await second?.stop();
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('two ingest processes on one ClickHouse', { timeout: 120_000 }, () => {
  it('counts a span once when both processes store it at the same moment', async () => {
    const body = otlpJsonBody(spans('a', 12));
    await squashNextInserts(2);
    await Promise.all([send(first, body), send(second, body)]);

    // The race really happened: both copies of every span are stored.
    expect(await storedRows()).toBe(24);
    await expectCountedOnce(12);
  });

  it('counts it once after the hour is sealed, and after a resend to the other process', async () => {
    expect(await sealHourlyRollups(transport, { projectId: 'default', ...wholeHours })).toEqual({ hoursSealed: 1, daysSealed: 0 });
    await expectCountedOnce(12);

    // A resend through the other process: the dedup view sees the stored copies and drops it.
    await send(second, otlpJsonBody(spans('a', 12)));
    expect(await storedRows()).toBe(24);
    await expectCountedOnce(12);
  });

  it('reads a sealed hour afresh when a late call arrives for it, until it is sealed again', async () => {
    // Calls 0–11 are stored; 12–15 arrive late for the sealed hour, through both processes at once.
    const late = otlpJsonBody(spans('a', 16).slice(12));
    await squashNextInserts(2);
    await Promise.all([send(first, late), send(second, late)]);
    await expectCountedOnce(16);

    expect(await sealHourlyRollups(transport, { projectId: 'default', ...wholeHours })).toEqual({ hoursSealed: 1, daysSealed: 0 });
    await expectCountedOnce(16);
    // Sealed and current: nothing left to seal.
    expect(await sealHourlyRollups(transport, { projectId: 'default', ...wholeHours })).toEqual({ hoursSealed: 0, daysSealed: 0 });
  });
});
