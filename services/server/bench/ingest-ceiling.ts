/**
 * The ceiling for the ingest benchmark: the same synthetic calls inserted straight into a fresh
 * embedded chDB with the storage layer's `insertCalls`, no HTTP, decoding or pricing in the timing.
 * Run as its own process (chDB binds one data directory per process):
 * `node --import tsx bench/ingest-ceiling.ts '{"bodies":400,"seed":7,"batchRows":5000}'`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { decodeOtlpBody } from '../src/ingest/otlp/decode-otlp-body.js';
import { readOtlpBody } from '../src/ingest/otlp/read-otlp-body.js';
import { processTraceRequest } from '../src/ingest/process-trace-request.js';
import { openEmbeddedTransport } from '../src/storage/embedded-transport.js';
import { insertCalls } from '../src/storage/llm-calls.js';
import { migrate } from '../src/storage/migrate.js';
import { buildOtlpBodies } from './ingest-bodies.js';

const options = JSON.parse(process.argv[2] ?? '{}') as { bodies: number; seed: number; batchRows: number };
const records: LlmCallRecord[] = [];
for (const body of buildOtlpBodies(options.bodies, { seed: options.seed })) {
  const raw = await readOtlpBody(body, { contentType: 'application/x-protobuf', contentEncoding: 'gzip' });
  records.push(...processTraceRequest(decodeOtlpBody(raw), { projectId: 'bench', now: new Date(), retentionDays: 90 }).records);
}

const dir = mkdtempSync(join(tmpdir(), 'costscope-ceiling-'));
const transport = await openEmbeddedTransport({ dataDir: join(dir, 'clickhouse'), database: 'costscope' });
await migrate(transport, { database: 'costscope', retentionDays: 90 });
const started = performance.now();
for (let i = 0; i < records.length; i += options.batchRows) {
  await insertCalls(transport, records.slice(i, i + options.batchRows));
}
const seconds = (performance.now() - started) / 1000;
await transport.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ rows: records.length, seconds, rowsPerSecond: records.length / seconds })}\n`);
