import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { RestartableStorage } from '../support/restartable-storage.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { frontEvents, hangFront, untilFront } from './support/front-control.js';

/**
 * Every storage read the API makes carries ClickHouse's read limits, a read over them is a 503
 * that says what to do, and a read whose API client goes away is stopped on the ClickHouse side:
 * its connection is closed and a `KILL QUERY` names its `query_id`. ClickHouse here is the test
 * HTTP front over chDB (which applies the limits it is sent), in its own process; the group limit
 * is also checked on the embedded engine.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'limits-test' };
const STARTED = new Date(Date.now() - 3_600_000);
let workDir: string;
let storage: RestartableStorage;
let frontUrl: string;
let server: RunningServer;

function call(spanId: string, feature: string): JsonSpan {
  return {
    traceId: 'feedfacefeedfacefeedfacefeedface',
    spanId,
    start: STARTED,
    attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10, 'costscope.feature': feature },
  };
}

async function sendCalls(target: RunningServer): Promise<void> {
  const body = otlpJsonBody([call('0000000000000001', 'search'), call('0000000000000002', 'chat'), call('0000000000000003', 'summary')]);
  const response = await fetch(`${target.baseUrl}/v1/traces`, { method: 'POST', body, headers: { ...target.auth, 'content-type': 'application/json' } });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-query-limits-'));
  storage = new RestartableStorage(workDir, FRONT);
  await storage.start();
  frontUrl = storage.info().url;
  server = await startServer({
    ...storage.serverEnv(path.join(workDir, 'costscope')),
    COSTSCOPE_QUERY_MAX_MEMORY: '1GiB',
    COSTSCOPE_QUERY_TIMEOUT: '20s',
    COSTSCOPE_QUERY_MAX_GROUPS: '500000',
    COSTSCOPE_QUERY_MAX_IN_FLIGHT: '2',
  });
  await sendCalls(server);
}, 60_000);

afterAll(async () => {
  await server?.close({ keepData: true });
  await storage?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const API_READS = [
  '/api/v1/costs?groupBy=feature',
  '/api/v1/costs?groupBy=user,model&interval=day',
  '/api/v1/alerts',
  '/api/v1/reports/weekly',
  '/api/v1/prices',
  '/api/v1/settings/rules',
];

describe('read limits', () => {
  it('sends max_memory_usage, max_execution_time and the group limit with every read of every API route', async () => {
    const before = (await frontEvents(frontUrl)).length;
    for (const route of API_READS) {
      const response = await fetch(`${server.baseUrl}${route}`, { headers: server.auth });
      expect(response.status, route).toBe(200);
    }
    const reads = (await frontEvents(frontUrl)).slice(before).filter((event) => /\bSELECT\b/i.test(event.sql) && !/^SELECT 1$/.test(event.sql.trim()));
    expect(reads.length).toBeGreaterThanOrEqual(API_READS.length);
    for (const read of reads) {
      expect(read.settings, read.sql).toEqual({
        max_memory_usage: String(1024 ** 3),
        max_execution_time: '20',
        timeout_overflow_mode: 'throw',
        max_rows_to_group_by: '500000',
        group_by_overflow_mode: 'throw',
      });
    }
  });

  it('answers 503 naming what to narrow when a read needs more groups than allowed (embedded engine)', async () => {
    const embedded = await startServer({ COSTSCOPE_QUERY_MAX_GROUPS: '2' });
    try {
      await sendCalls(embedded);
      const response = await fetch(`${embedded.baseUrl}/api/v1/costs?groupBy=feature&from=${new Date(Date.now() - 86_400_000).toISOString()}`, {
        headers: embedded.auth,
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).not.toBeNull();
      expect(((await response.json()) as { message: string }).message).toMatch(/narrow the range or group by fewer dimensions/);
      // Within the limit the same server answers.
      const ungrouped = await fetch(`${embedded.baseUrl}/api/v1/costs`, { headers: embedded.auth });
      expect(ungrouped.status).toBe(200);
    } finally {
      await embedded.close();
    }
  });
});

describe('cancellation', () => {
  it('closes the connection of a read whose API client went away, and kills it by query_id', async () => {
    await hangFront(frontUrl, 'costscope:costs\\.byGroup');
    try {
      // Three in a row with two read places: a place not given back would refuse the third.
      for (let round = 0; round < 3; round += 1) {
        const before = (await frontEvents(frontUrl)).length;
        const client = new AbortController();
        const answer = fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature`, { headers: server.auth, signal: client.signal }).catch(
          (error: unknown) => error,
        );
        const hung = await untilFront(frontUrl, (events) => events.slice(before).find((event) => event.hung && /costs\.byGroup/.test(event.sql)));
        client.abort();
        expect(await answer).toBeInstanceOf(Error);
        const stopped = await untilFront(frontUrl, (events) => {
          const event = events.find((candidate) => candidate.queryId === hung.queryId);
          return event?.closedBeforeAnswer && event.killed ? event : undefined;
        });
        expect(stopped).toMatchObject({ closedBeforeAnswer: true, killed: true });
      }
    } finally {
      await hangFront(frontUrl, null);
    }
    const after = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature`, { headers: server.auth });
    expect(after.status).toBe(200);
    expect(((await after.json()) as { rows: unknown[] }).rows).toHaveLength(3);
  });
});
