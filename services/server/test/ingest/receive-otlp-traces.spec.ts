import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallBatcher } from '../../src/ingest/spool/call-batcher.js';
import { DurableSpool } from '../../src/ingest/spool/durable-spool.js';
import { InMemoryCallStore } from './support/call-records.js';
import { exportSpans, type SpanToExport } from './support/export-spans.js';
import { startIngestServer } from './support/ingest-http-server.js';

let dataDir: string;
let spool: DurableSpool;
let store: InMemoryCallStore;
let batcher: CallBatcher;
let server: Awaited<ReturnType<typeof startIngestServer>>;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'costscope-receive-'));
  spool = await DurableSpool.open({ dataDir, maxBytes: 16 * 1024, retryAfterSeconds: 12 });
  store = new InMemoryCallStore();
  // One row per insert: each request flushes at once, so no test waits on a timer.
  batcher = new CallBatcher({ insert: store.insert, spool, maxRows: 1, replayIntervalMs: 0 });
  server = await startIngestServer(() => ({ projectId: 'p-1', retentionDays: 30, sink: batcher }));
});

afterEach(async () => {
  await server.close();
  await batcher.close();
  await spool.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const gpt5Call = (i: number): SpanToExport => ({
  name: 'chat gpt-5',
  attributes: {
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-5',
    'gen_ai.usage.input_tokens': 1000 * (i + 1),
    'gen_ai.usage.output_tokens': 100,
    'costscope.feature': 'search',
  },
  startTime: new Date(Date.now() - 60_000 + i),
  durationMs: 200,
});

function post(body: Readable | Buffer, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(server.url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

describe('POST /v1/traces through receiveOtlpTraces, on a real socket', () => {
  it('stores what the real protobuf exporter sends, gzip and all, priced', async () => {
    await exportSpans(server.url, [gpt5Call(0), gpt5Call(1)], { encoding: 'protobuf', gzip: true, serviceName: 'api' });
    const rows = [...store.rows.values()].sort((a, b) => a.inputTokens - b.inputTokens);
    expect(rows.map((r) => [r.inputTokens, r.totalCostUsd])).toEqual([
      // 1000 × $1.25/M + 100 × $10/M = $0.00225; 2000 × $1.25/M + 100 × $10/M = $0.0035
      [1000, 2_250_000_000_000_000n],
      [2000, 3_500_000_000_000_000n],
    ]);
    expect(rows[0]?.feature).toBe('search');
  });

  it('answers 200 while storage is down (spooled), and the calls appear once it is back', async () => {
    store.down = true;
    await exportSpans(server.url, [gpt5Call(0), gpt5Call(1), gpt5Call(2)], { encoding: 'json', gzip: false, serviceName: 'api' });
    expect(store.rows.size).toBe(0);
    expect(spool.isEmpty()).toBe(false);

    store.down = false;
    await batcher.replaySpool();
    expect(store.rows.size).toBe(3);
    expect(spool.isEmpty()).toBe(true);
  });

  it('answers partial success for invalid spans and stores the valid ones', async () => {
    const now = Date.now();
    const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
    const span = (spanId: string, input: number) => ({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId,
      name: 'chat',
      startTimeUnixNano: nanos(now - 1000),
      endTimeUnixNano: nanos(now - 500),
      attributes: [
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-5' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: String(input) } },
      ],
    });
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [span('00000000000000a1', 10), span('00000000000000a2', -3), span('00000000000000a3', 30)] }] }],
    });
    const answer = await post(Buffer.from(body), { 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: '1 span rejected — span 00000000000000a2: gen_ai.usage.input_tokens is -3; token counts cannot be negative',
      },
    });
    expect([...store.rows.values()].map((r) => r.spanId).sort()).toEqual(['00000000000000a1', '00000000000000a3']);
  });

  it('answers 413 to a gzip bomb streamed over the socket, with a Status body', async () => {
    const bombPath = join(dataDir, 'bomb.gz');
    const zeros = Buffer.alloc(1024 * 1024);
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < 1024; i++) yield zeros;
        })(),
      ),
      createGzip({ level: 1 }),
      createWriteStream(bombPath),
    );
    const answer = await post(createReadStream(bombPath), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body.toString())).toEqual({
      code: 3,
      message: 'The request body is larger than 20971520 bytes after decompression',
    });
    expect(store.rows.size).toBe(0);
  });

  it('answers 415 to a wrong content type and 400 to garbage, saying what was wrong', async () => {
    const wrongType = await post(Buffer.from('hello'), { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect((JSON.parse(wrongType.body.toString()) as { message: string }).message).toMatch(/not supported/);

    const garbage = await post(Buffer.from('{"resourceSpans": [oops'), { 'content-type': 'application/json' });
    expect(garbage.status).toBe(400);
    expect((JSON.parse(garbage.body.toString()) as { message: string }).message).toMatch(/not valid JSON/);
  });

  it('answers 503 with Retry-After when storage is down and the spool is full, keeping what it acknowledged', async () => {
    store.down = true;
    let answer: Awaited<ReturnType<typeof post>> | undefined;
    let acknowledged = 0;
    for (let i = 0; i < 100; i++) {
      const spanId = (i + 1).toString(16).padStart(16, '0');
      const body = JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId,
                    startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
                    attributes: [
                      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-5' } },
                      { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      });
      answer = await post(Buffer.from(body), { 'content-type': 'application/json' });
      if (answer.status !== 200) break;
      acknowledged += 1;
    }
    expect(answer?.status).toBe(503);
    expect(answer?.headers['retry-after']).toBe('12');
    expect(acknowledged).toBeGreaterThan(0);
    store.down = false;
    await batcher.replaySpool();
    expect(store.rows.size).toBe(acknowledged);
  });

  it('answers 503, never 500, when the spool itself cannot write while storage is down', async () => {
    store.down = true;
    await spool.close();
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: '00000000000000b1',
      startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
      attributes: [
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-5' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: '10' } },
      ],
    };
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    const answer = await post(Buffer.from(body), { 'content-type': 'application/json' });
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('30');
    const message = (JSON.parse(answer.body.toString()) as { message: string }).message;
    expect(message).toMatch(/could not be made durable .*retry after 30s/);
    // The spool's own error (paths under the data dir) stays on the server.
    expect(message).not.toContain(dataDir);
    spool = await DurableSpool.open({ dataDir });
  });
});
