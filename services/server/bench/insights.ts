/**
 * Savings-insights benchmark (a script, not a test): stores a month of one project's calls in the
 * embedded engine and times `buildSavingsInsights` (the three storage reads and the insight math)
 * over that month, as `GET /api/v1/insights` runs it.
 *
 *   npx tsx services/server/bench/insights.ts [--calls-per-day 30000] [--days 30] [--features 20]
 *
 * Figures: calls stored, the insights' time (first run and the median of five), the insights found.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPriceCatalog, priceCall, usdToExactString, type LlmCallRecord } from '@costscope/core';
import { buildSavingsInsights } from '../src/insights/savings-insights.js';
import { openEmbeddedTransport } from '../src/storage/embedded-transport.js';
import { insertCalls } from '../src/storage/llm-calls.js';
import { migrate } from '../src/storage/migrate.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const CALLS_PER_DAY = Number(flag('calls-per-day', '30000'));
const DAYS = Number(flag('days', '30'));
const FEATURES = Number(flag('features', '20'));
const FROM = Date.parse('2026-10-01T00:00:00Z');
const TO = FROM + DAYS * 86_400_000;
const PROJECT = 'bench';
const MODELS = ['gpt-5', 'gpt-5-mini', 'claude-sonnet-4-6', 'gpt-5-nano'];
const catalog = createPriceCatalog();

/** Varied data: four models, optional and critical work, shared prefixes, some repeats, long answers, growing input. */
function call(i: number): LlmCallRecord {
  const time = FROM + Math.floor((i * (TO - FROM)) / (CALLS_PER_DAY * DAYS));
  const feature = i % FEATURES;
  const model = MODELS[feature % MODELS.length] as string;
  // Input grows by 10 tokens a day; one answer in 20 runs long.
  const usage = {
    inputTokens: 1_000 + (i % 500) + Math.floor((time - FROM) / 86_400_000) * 10,
    outputTokens: Math.floor(i / FEATURES) % 20 === 0 ? 2_000 : 200 + (i % 100),
  };
  const cost = priceCall(catalog, { model, usage, at: new Date(time) });
  if (cost.status !== 'priced') throw new Error(`${model} has no price`);
  return {
    projectId: PROJECT,
    time: new Date(time),
    traceId: i.toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    service: 'bench',
    feature: `feature-${feature}`,
    endpoint: '/bench',
    userId: `user-${i % 1000}`,
    userTier: 'pro',
    priority: feature % 3 === 0 ? 'optional' : 'critical',
    provider: 'openai',
    requestModel: model,
    responseModel: '',
    operation: 'chat',
    ...usage,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
    costStatus: 'priced',
    pricedModel: cost.modelId,
    priceVersion: cost.priceVersion,
    freshInputCostUsd: cost.breakdown.freshInputUsd,
    cacheReadCostUsd: cost.breakdown.cacheReadUsd,
    cacheWriteCostUsd: cost.breakdown.cacheWriteUsd,
    outputCostUsd: cost.breakdown.outputUsd,
    totalCostUsd: cost.breakdown.totalUsd,
    status: 'ok',
    errorType: '',
    attempt: 1,
    batch: false,
    maxTokens: feature % 2 === 0 ? null : 1_024,
    finishReason: 'stop',
    promptPrefixHash: `prefix-${feature}-${i % 7}`,
    latencyMs: 500,
    timeToFirstTokenMs: null,
    // One request in 20 is one the feature already answered.
    attributes: { 'costscope.request.hash': Math.floor(i / FEATURES) % 20 === 1 ? `repeated-${feature}` : `request-${i}` },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'costscope-bench-insights-'));
const transport = await openEmbeddedTransport({ dataDir: dir, database: 'costscope_bench' });
try {
  await migrate(transport, { database: 'costscope_bench', retentionDays: 3650 });
  const total = CALLS_PER_DAY * DAYS;
  const batch = 100_000;
  for (let start = 0; start < total; start += batch) {
    await insertCalls(transport, Array.from({ length: Math.min(batch, total - start) }, (_, k) => call(start + k)));
  }
  const input = { projectId: PROJECT, from: new Date(FROM), to: new Date(TO), timezone: 'UTC' };
  const timings: number[] = [];
  let found = await buildSavingsInsights(transport, input);
  for (let run = 0; run < 6; run += 1) {
    const started = performance.now();
    found = await buildSavingsInsights(transport, input);
    timings.push(performance.now() - started);
  }
  const [first, ...rest] = timings;
  rest.sort((a, b) => a - b);
  console.log(`calls stored: ${total.toLocaleString('en-US')} (${DAYS} days, ${FEATURES} features)`);
  console.log(`insights: first ${first?.toFixed(0)} ms, median of ${rest.length} ${rest[Math.floor(rest.length / 2)]?.toFixed(0)} ms`);
  console.log(`found ${found.insights.length} insights; monthly spend $${usdToExactString(found.monthlySpendUsd)} → $${usdToExactString(found.projection.endUsd)}`);
  const byStrategy = new Map<string, number>();
  for (const insight of found.insights) byStrategy.set(insight.strategy, (byStrategy.get(insight.strategy) ?? 0) + 1);
  console.log(`by strategy: ${[...byStrategy].map(([strategy, count]) => `${strategy} ${count}`).join(', ')}`);
} finally {
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
}
