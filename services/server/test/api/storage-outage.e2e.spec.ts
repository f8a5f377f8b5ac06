import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontProcess, type RunningFront } from '../support/front-process.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * Storage goes away while apps keep exporting: the server still answers 200 once each call is in
 * its fsynced spool, and the calls reach ClickHouse — once — when it is back, even across a
 * restart of the server itself. ClickHouse here is the test HTTP front over chDB in its own
 * process, stopped and started on the same port like a real server.
 */
const FRONT = { database: 'costscope', user: 'costscope', password: 'outage-test' };
let workDir: string;
let front: RunningFront;
let port: number;
let server: RunningServer;
let serverDataDir: string;

async function startStorage(): Promise<void> {
  front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse'), ...(port ? { port } : {}) });
  port = front.port;
}

async function startCostscope(): Promise<void> {
  server = await startServer({
    COSTSCOPE_DATA_DIR: serverDataDir,
    CLICKHOUSE_URL: `http://127.0.0.1:${port}`,
    CLICKHOUSE_USER: FRONT.user,
    CLICKHOUSE_PASSWORD: FRONT.password,
    CLICKHOUSE_DATABASE: FRONT.database,
  });
}

// An OTLP retry resends the same span: same ids and the same start time.
const STARTED = Date.now() - 60_000;

function span(spanId: string, feature: string): string {
  return otlpJsonBody([
    {
      traceId: 'dddddddddddddddddddddddddddddddd',
      spanId,
      name: 'chat gpt-5',
      start: new Date(STARTED + Number.parseInt(spanId, 16)),
      attributes: {
        'gen_ai.request.model': 'gpt-5',
        'gen_ai.usage.input_tokens': 1_000_000,
        'gen_ai.usage.output_tokens': 0,
        'costscope.feature': feature,
      },
    },
  ]);
}

async function send(spanId: string, feature: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    body: span(spanId, feature),
    headers: { ...server.auth, 'content-type': 'application/json' },
  });
  return response.status;
}

async function requestsByFeature(): Promise<Record<string, number>> {
  const response = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature`, { headers: server.auth });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { rows: Array<{ feature: string; requests: number; costUsd: string }> };
  return Object.fromEntries(body.rows.map((row) => [row.feature, row.requests]));
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-outage-'));
  serverDataDir = path.join(workDir, 'costscope');
  await startStorage();
  await startCostscope();
}, 60_000);

afterAll(async () => {
  await server?.close({ keepData: true });
  await front?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('when ClickHouse is down', () => {
  it('still acknowledges exports once they are spooled, and says it is not ready', async () => {
    expect(await send('0000000000000001', 'before-outage')).toBe(200);
    await front.stop();

    expect(await send('0000000000000002', 'during-outage')).toBe(200);
    expect(await send('0000000000000003', 'during-outage')).toBe(200);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(503);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(Number(/^costscope_spool_depth_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('delivers the spooled calls once storage is back, each once', async () => {
    await startStorage();
    // The next write drains the spool first, in arrival order; the resend of call 2 is a duplicate.
    expect(await send('0000000000000002', 'during-outage')).toBe(200);
    expect(await requestsByFeature()).toEqual({ 'before-outage': 1, 'during-outage': 2 });
  });

  it('replays a non-empty spool after a restart of the server, without duplicates', async () => {
    await front.stop();
    expect(await send('0000000000000004', 'before-restart')).toBe(200);
    await server.close({ keepData: true });

    await startStorage();
    await startCostscope();
    expect(await requestsByFeature()).toEqual({ 'before-outage': 1, 'during-outage': 2, 'before-restart': 1 });
    expect(await send('0000000000000004', 'before-restart')).toBe(200);
    expect(await requestsByFeature()).toEqual({ 'before-outage': 1, 'during-outage': 2, 'before-restart': 1 });
  });
});
