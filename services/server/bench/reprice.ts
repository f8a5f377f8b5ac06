/**
 * Re-pricing benchmark (a script, not a test): re-prices a month of one project's calls in the
 * embedded engine while a reader keeps reading the hourly rollups and another project keeps
 * inserting, and prints what each of them saw.
 *
 *   npx tsx bench/reprice.ts [--calls-per-day 20000] [--days 30] [--dir /tmp/costscope-bench-reprice]
 *
 * Figures: the re-price's time (and per day step); how many rollup reads ran during it and how
 * many saw an hour missing or at a figure that was neither the old nor the new one (both must be
 * 0); the other project's insert latency during the re-price (p50, p99, max) — the write queue is
 * held only for each day's rollup correction, never for the whole re-price.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPriceCatalog, type LlmCallRecord } from '@costscope/core';
import { repriceRecords } from '../src/ingest/pricing/reprice-records.js';
import { getCosts } from '../src/storage/costs.js';
import { openEmbeddedTransport } from '../src/storage/embedded-transport.js';
import { insertCalls } from '../src/storage/llm-calls.js';
import { migrate } from '../src/storage/migrate.js';
import { repriceCalls } from '../src/storage/reprice-calls.js';
import type { ClickHouseTransport } from '../src/storage/transport.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const CALLS_PER_DAY = Number(flag('calls-per-day', '20000'));
const DAYS = Number(flag('days', '30'));
const DIR = flag('dir', '') || mkdtempSync(join(tmpdir(), 'costscope-bench-reprice-'));
const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = FROM + DAYS * 86_400_000;
const MODEL = 'ft:gpt-4.1-mini:bench::reprice';
const FEATURES = Array.from({ length: 20 }, (_, i) => `feature-${i}`);

function call(projectId: string, i: number, time: number): LlmCallRecord {
  return {
    projectId,
    time: new Date(time),
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    service: 'bench',
    feature: FEATURES[i % FEATURES.length] as string,
    endpoint: '/bench',
    userId: `user-${i % 1000}`,
    userTier: 'pro',
    priority: 'important',
    provider: 'openai',
    requestModel: MODEL,
    responseModel: MODEL,
    operation: 'chat',
    inputTokens: 1_000 + (i % 500),
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    outputTokens: 200 + (i % 100),
    reasoningTokens: 0,
    costStatus: 'unpriced',
    pricedModel: '',
    priceVersion: '',
    freshInputCostUsd: 0n,
    cacheReadCostUsd: 0n,
    cacheWriteCostUsd: 0n,
    outputCostUsd: 0n,
    totalCostUsd: 0n,
    status: 'ok',
    errorType: '',
    attempt: 1,
    batch: false,
    maxTokens: null,
    finishReason: 'stop',
    promptPrefixHash: '',
    latencyMs: 500,
    timeToFirstTokenMs: null,
    attributes: {},
  };
}

async function hourly(transport: ClickHouseTransport): Promise<Map<number, string>> {
  const report = await getCosts(transport, { projectId: 'bench-reprice', from: new Date(FROM), to: new Date(TO), interval: 'hour', source: 'rollup' });
  return new Map(report.rows.map((row) => [row.bucket?.getTime() ?? 0, `${row.costUsd}/${row.requests}/${row.unpricedRequests}`]));
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const transport = await openEmbeddedTransport({ dataDir: DIR, database: 'bench' });
  try {
    await migrate(transport, { database: 'bench', retentionDays: 3650 });
    const total = CALLS_PER_DAY * DAYS;
    for (let start = 0; start < total; start += 200_000) {
      const batch = Array.from({ length: Math.min(200_000, total - start) }, (_, k) => {
        const i = start + k;
        return call('bench-reprice', i, FROM + Math.floor((i / total) * (TO - FROM)));
      });
      await insertCalls(transport, batch);
    }
    const before = await hourly(transport);
    console.log(`seeded ${total.toLocaleString('en-US')} calls over ${DAYS} days (${before.size} hours)`);

    const catalog = createPriceCatalog({ overrides: [{ model: MODEL, effectiveFrom: '2020-01-01', inputPerMillion: '0.80', outputPerMillion: '3.20' }] });
    const views: Array<Map<number, string>> = [];
    const insertMs: number[] = [];
    let running = true;
    const reader = (async () => {
      while (running) views.push(await hourly(transport));
    })();
    const writer = (async () => {
      let i = 10_000_000;
      while (running) {
        const started = performance.now();
        await insertCalls(transport, Array.from({ length: 100 }, () => call('bench-neighbour', i++, TO - 3_600_000)));
        insertMs.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const started = performance.now();
    const result = await repriceCalls(transport, { projectId: 'bench-reprice', from: new Date(FROM), to: new Date(TO), reprice: (calls) => repriceRecords(calls, catalog).records });
    const elapsed = performance.now() - started;
    running = false;
    await Promise.all([reader, writer]);

    const after = await hourly(transport);
    let missing = 0;
    let neither = 0;
    for (const view of views) {
      if (view.size !== before.size) missing += 1;
      else if ([...view].some(([hour, figures]) => figures !== before.get(hour) && figures !== after.get(hour))) neither += 1;
    }
    const sorted = [...insertMs].sort((a, b) => a - b);
    console.log(`re-priced ${result.examined.toLocaleString('en-US')} calls (${result.changed.toLocaleString('en-US')} changed) in ${(elapsed / 1000).toFixed(1)} s, ${(elapsed / DAYS).toFixed(0)} ms per day step`);
    console.log(`rollup reads during it: ${views.length}; with an hour missing: ${missing}; with an hour neither old nor new: ${neither}`);
    console.log(
      `other project's 100-call inserts during it: ${sorted.length}, p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms`,
    );
  } finally {
    await transport.close();
    if (!process.argv.includes('--dir')) rmSync(DIR, { recursive: true, force: true });
  }
}

await main();
