import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/ingest/spool/segment-frames.js';
import { serializeCallRecord } from '../../src/ingest/spool/serialize-call-record.js';
import { callRecords } from '../ingest/support/call-records.js';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * A server starts on a data directory whose spool holds a batch storage will always refuse (a
 * cost too large for its column) between two good ones, as an older version or a bug could
 * have left it. The start's replay dead-letters the refused call, with the reason and the
 * metric, and delivers every other call — the ones before it, beside it and after it.
 */
let dataDir: string;
let server: RunningServer;
let good: LlmCallRecord[];
let poison: LlmCallRecord;

function segment(batches: LlmCallRecord[][]): Buffer {
  return Buffer.concat(batches.map((batch) => encodeFrame(Buffer.from(JSON.stringify(batch.map(serializeCallRecord))), 'json')));
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-poison-spool-'));
  const time = new Date(Date.now() - 3_600_000);
  good = callRecords(6, { projectId: 'default', feature: 'spooled', time });
  poison = callRecords(1, { projectId: 'default', feature: 'spooled', time, totalCostUsd: 10n ** 45n })[0] as LlmCallRecord;
  mkdirSync(path.join(dataDir, 'spool'), { recursive: true });
  writeFileSync(path.join(dataDir, 'spool', 'segment-000000000001.log'), segment([good.slice(0, 2), [good[2] as LlmCallRecord, poison, good[3] as LlmCallRecord]]));
  writeFileSync(path.join(dataDir, 'spool', 'segment-000000000002.log'), segment([good.slice(4)]));
  server = await startServer({ COSTSCOPE_DATA_DIR: dataDir });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('a poison batch in the spool at start', () => {
  it('is dead-lettered, and every other spooled call is delivered', async () => {
    const response = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature&from=${new Date(Date.now() - 86_400_000).toISOString()}`, { headers: server.auth });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { rows: Array<{ feature: string; requests: number }> };
    expect(body.rows.map((row) => [row.feature, row.requests])).toEqual([['spooled', 6]]);

    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^costscope_spool_dead_lettered_calls_total 1$/m);
    expect(metrics).toMatch(/^costscope_spool_depth_bytes 0$/m);

    const deadLetterDir = path.join(dataDir, 'dead-letter');
    const [file, ...others] = readdirSync(deadLetterDir);
    expect(others).toEqual([]);
    const letters = readFileSync(path.join(deadLetterDir, file as string), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { reason: string; call: { spanId: string } });
    expect(letters.map((letter) => letter.call.spanId)).toEqual([poison.spanId]);
    // ClickHouse refuses it (Decimal value is too big), or storage's own check before sending does.
    expect(letters[0]?.reason).toMatch(/Decimal value is too big|more than 38 digits of atto-dollars/);
  });

  it('keeps taking new calls', async () => {
    const response = await fetch(`${server.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: otlpJsonBody([
        { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), start: new Date(Date.now() - 60_000), attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10, 'costscope.feature': 'after' } },
      ]),
    });
    expect(response.status).toBe(200);
    const costs = await fetch(`${server.baseUrl}/api/v1/costs?groupBy=feature&from=${new Date(Date.now() - 86_400_000).toISOString()}`, { headers: server.auth });
    const body = (await costs.json()) as { rows: Array<{ feature: string; requests: number }> };
    expect(Object.fromEntries(body.rows.map((row) => [row.feature, row.requests]))).toEqual({ spooled: 6, after: 1 });
  });
});
