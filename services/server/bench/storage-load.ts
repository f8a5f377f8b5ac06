/**
 * Storage benchmark (a script, not a test): loads synthetic LLM calls into the embedded engine
 * and times loading and each dashboard and rule query.
 *
 *   npx tsx bench/storage-load.ts [--calls 10000000] [--batch 500000] [--dir /tmp/costscope-bench]
 *                                 [--project bench-project] [--end 2026-11-28T00:00:00Z]
 *
 * `--project default --end now --dir <data dir>/clickhouse` leaves data a server started with
 * `COSTSCOPE_DATA_DIR=<data dir>` serves to the default project: the dashboard's page benchmark
 * runs on that.
 *
 * 30 days of calls, 200 features, 20 models, 100 000 users, in time order as an ingest would
 * write them. Loading is timed around `insertCalls` only (row building, the dedup view and the
 * hourly counts included); making the synthetic records is timed apart. The queries run twice:
 * before the hours are sealed (every figure from `llm_calls FINAL`) and after `sealHourlyRollups`
 * (timed) sealed them, as the scheduler does (docs/scaling.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCosts } from '../src/storage/costs.js';
import { sealHourlyRollups } from '../src/storage/hourly-rollups.js';
import { openEmbeddedTransport } from '../src/storage/embedded-transport.js';
import { callsToRowBinary } from '../src/storage/call-row-binary.js';
import { insertCalls } from '../src/storage/llm-calls.js';
import { migrate } from '../src/storage/migrate.js';
import { getErrorRatesByEndpoint, getOutputTokenWindowsByModel } from '../src/storage/alert-rule-inputs.js';
import { getDailySpendBaselines, getInputTokenOutliers, getMonthToDateSpend } from '../src/storage/rule-inputs.js';
import { getWeeklyReview } from '../src/storage/weekly-review.js';
import { seededRandom } from './seeded-random.js';
import { syntheticCalls } from './synthetic-calls.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const CALLS = Number(flag('calls', '10000000'));
const BATCH = Number(flag('batch', '500000'));
const DIR = flag('dir', '') || mkdtempSync(join(tmpdir(), 'costscope-bench-'));
const PROJECT = flag('project', 'bench-project');
const DAYS = 30;
const endFlag = flag('end', '2026-11-28T00:00:00Z');
const END = endFlag === 'now' ? Date.now() : Date.parse(endFlag);
if (Number.isNaN(END)) throw new Error(`--end must be an ISO instant or "now", got ${endFlag}`);
const START = END - DAYS * 86_400_000;
const TRAFFIC = { projectId: PROJECT, startMs: START, spanMs: DAYS * 86_400_000, totalCalls: CALLS };

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

const transport = await openEmbeddedTransport({ dataDir: DIR, database: 'costscope' });
await migrate(transport, { database: 'costscope', retentionDays: 3650 });

console.log(`Loading ${CALLS.toLocaleString('en-US')} calls in batches of ${BATCH.toLocaleString('en-US')} into ${DIR}`);
const next = seededRandom(42);
let loadMs = 0;
let makeMs = 0;
let textMs = 0;
for (let from = 0; from < CALLS; from += BATCH) {
  const count = Math.min(BATCH, CALLS - from);
  const made = await time(async () => syntheticCalls(TRAFFIC, from, count, next));
  makeMs += made.ms;
  const loaded = await time(() => insertCalls(transport, made.result));
  loadMs += loaded.ms;
  // How much of the load is JavaScript writing the RowBinary rows: done again here, outside the timing.
  textMs += (await time(async () => callsToRowBinary(made.result).length)).ms;
  if ((from / BATCH) % 4 === 0) {
    console.log(`  ${(from + count).toLocaleString('en-US')} calls, ${Math.round(((from + count) / loadMs) * 1000).toLocaleString('en-US')} rows/s so far`);
  }
}
const [{ rows = 0 } = {}] = await transport.query<{ rows: string }>({ sql: 'SELECT count() AS rows FROM llm_calls', tag: { operation: 'bench.count' } });
console.log(`Loaded ${Number(rows).toLocaleString('en-US')} calls`);
console.log(`  load: ${(loadMs / 1000).toFixed(1)} s = ${Math.round((CALLS / loadMs) * 1000).toLocaleString('en-US')} rows/s (making the synthetic records took ${(makeMs / 1000).toFixed(1)} s more)`);
console.log(
  `  JavaScript writing the RowBinary rows alone takes ~${(textMs / 1000).toFixed(1)} s (measured apart; in the load it overlaps the engine storing the previous chunk)`,
);

const from = new Date(START);
const to = new Date(END);
const day = '2026-11-27';
const queries: Array<[string, () => Promise<unknown>]> = [
  ['cost per feature, 30 days (rollups)', () => getCosts(transport, { projectId: PROJECT, from, to, groupBy: ['feature'] })],
  ['cost per feature, 30 days (raw calls)', () => getCosts(transport, { projectId: PROJECT, from, to, groupBy: ['feature'], source: 'raw' })],
  ['cost per feature per day, 30 days', () => getCosts(transport, { projectId: PROJECT, from, to, groupBy: ['feature'], interval: 'day' })],
  ['cost per model and provider, 30 days', () => getCosts(transport, { projectId: PROJECT, from, to, groupBy: ['model', 'provider'] })],
  ['cost per hour, last 7 days', () => getCosts(transport, { projectId: PROJECT, from: new Date(END - 7 * 86_400_000), to, interval: 'hour' })],
  ['cost per user, top 100, 30 days (raw)', () => getCosts(transport, { projectId: PROJECT, from, to, groupBy: ['user'], limit: 100 })],
  ['cost of one feature per day, filtered', () => getCosts(transport, { projectId: PROJECT, from, to, interval: 'day', filters: { feature: ['feature-042'] } })],
  ['rule: daily spend vs 7-day average, per feature', () => getDailySpendBaselines(transport, { projectId: PROJECT, day, scope: 'feature' })],
  ['rule: month-to-date and forecast, per feature', () => getMonthToDateSpend(transport, { projectId: PROJECT, now: new Date(END) })],
  ['rule: error rates, last hour, per endpoint (raw)', () => getErrorRatesByEndpoint(transport, { projectId: PROJECT, from: new Date(END - 3_600_000), to })],
  ['rule: output tokens, 1 h vs 7 days, per model (raw)', () =>
    getOutputTokenWindowsByModel(transport, {
      projectId: PROJECT,
      recent: { from: new Date(END - 3_600_000), to },
      baseline: { from: new Date(END - 8 * 86_400_000), to: new Date(END - 3_600_000) },
    })],
  ['rule: input-token outliers, last 24 h (raw)', () => getInputTokenOutliers(transport, { projectId: PROJECT, from: new Date(END - 86_400_000), to, multiple: 1.9 })],
  ['weekly review (per feature, week vs week)', () => getWeeklyReview(transport, { projectId: PROJECT, week: '2026-W47' })],
  // What deduplicating raw reads costs: over HTTP (several writers) every read of the calls is FINAL.
  ['cost per feature, 30 days, raw, FINAL (as over HTTP)', () => costPerFeatureRaw('llm_calls FINAL')],
  ['cost per feature, 30 days, raw, no FINAL (embedded)', () => costPerFeatureRaw('llm_calls')],
];

function costPerFeatureRaw(table: string): Promise<unknown> {
  return transport.query({
    sql: `SELECT feature, toString(sum(total_cost_usd)) AS cost, count() AS calls FROM ${table}
          WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
          GROUP BY feature`,
    params: { projectId: PROJECT, from: from.toISOString().replace('T', ' ').replace('Z', ''), to: to.toISOString().replace('T', ' ').replace('Z', '') },
    tag: { operation: 'bench.rawFinal' },
  });
}

async function timeQueries(label: string): Promise<void> {
  console.log(`\nQuery timings (ms), ${label}: first run, then the median of 5 more`);
  for (const [name, run] of queries) {
    const first = await time(run);
    const repeats: number[] = [];
    for (let i = 0; i < 5; i += 1) repeats.push((await time(run)).ms);
    repeats.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(52)} ${first.ms.toFixed(0).padStart(6)} ${repeats[2]?.toFixed(0).padStart(6)}`);
  }
}

await timeQueries('no hour sealed yet');
const sealed = await time(() => sealHourlyRollups(transport, { projectId: PROJECT, from, to }));
const [{ sealedRows = 0, dailyRows = 0 } = {}] = await transport.query<{ sealedRows: string; dailyRows: string }>({
  sql: 'SELECT (SELECT count() FROM llm_calls_hourly_sealed) AS sealedRows, (SELECT count() FROM llm_calls_daily_sealed) AS dailyRows',
  tag: { operation: 'bench.count' },
});
console.log(
  `\nSealed ${sealed.result.hoursSealed} hours and ${sealed.result.daysSealed} days in ${(sealed.ms / 1000).toFixed(1)} s ` +
    `(${Number(sealedRows).toLocaleString('en-US')} hourly rollup rows, ${Number(dailyRows).toLocaleString('en-US')} daily)`,
);
await timeQueries('every hour sealed');

await transport.close();
if (!process.argv.includes('--dir')) rmSync(DIR, { recursive: true, force: true });
