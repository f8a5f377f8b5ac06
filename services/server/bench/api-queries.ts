/**
 * API query benchmark (a script, not a test): the dashboard's cost reads through the real server
 * (NestJS, auth, the embedded engine), each beside its floor — the same answer read straight from
 * the raw calls by the same engine in the same process, in the same run.
 *
 *   npx tsx bench/api-queries.ts --data-dir /tmp/costscope-api [--runs 30] [--end 2026-11-28T00:00:00Z]
 *
 * The data dir is a server's (`<data dir>/clickhouse` holds the store): build it once with
 *   npx tsx bench/storage-load.ts --calls 1000000 --dir /tmp/costscope-api/clickhouse --project default
 * (its 30 days end at `--end`, the same default here). The server starts with the `api` role only,
 * so no scheduler seals or evaluates while it is timed.
 *
 * Each line: wall p50 and p90 of `--runs` sequential calls after two warm-up calls, and the CPU
 * time of the whole process per call (the engine's threads included), which other work on a shared
 * machine disturbs far less than wall time. "×floor" is API p50 over the floor's p50.
 */
import type { AddressInfo } from 'node:net';
import { loadServerConfig } from '../src/config/server-config.js';
import { createApp } from '../src/create-app.js';
import { CLICKHOUSE_TRANSPORT } from '../src/storage/storage.module.js';
import type { ClickHouseTransport } from '../src/storage/transport.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const DATA_DIR = flag('data-dir', '');
if (!DATA_DIR) throw new Error('--data-dir is required: a server data dir whose clickhouse/ bench/storage-load.ts filled');
const RUNS = Number(flag('runs', '30'));
const END = Date.parse(flag('end', '2026-11-28T00:00:00Z'));
const DAY_MS = 86_400_000;
const FROM = END - 30 * DAY_MS;
const API_KEY = 'cs_bench_api_queries_key_0001';

type Timing = { p50: number; p90: number; cpuMs: number };

async function measure(run: () => Promise<unknown>): Promise<Timing> {
  await run();
  await run();
  const walls: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < RUNS; i += 1) {
    const started = process.hrtime.bigint();
    await run();
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const cpu = process.cpuUsage(cpuBefore);
  walls.sort((a, b) => a - b);
  return {
    p50: walls[Math.floor(RUNS * 0.5)] ?? NaN,
    p90: walls[Math.floor(RUNS * 0.9)] ?? NaN,
    cpuMs: (cpu.user + cpu.system) / 1000 / RUNS,
  };
}

const config = loadServerConfig({
  COSTSCOPE_DATA_DIR: DATA_DIR,
  COSTSCOPE_API_KEY: API_KEY,
  COSTSCOPE_ROLES: 'api',
  COSTSCOPE_API_RATE_LIMIT: '1000000',
  HOST: '127.0.0.1',
  COSTSCOPE_LOG_LEVEL: 'error',
});
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
const base = `http://127.0.0.1:${port}`;
const transport = app.get<ClickHouseTransport>(CLICKHOUSE_TRANSPORT);

async function api(path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
  const body = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

const iso = (ms: number) => new Date(ms).toISOString();
const range = (from: number, to: number) => `from=${iso(from)}&to=${iso(to)}`;
const clickHouseTime = (ms: number) => iso(ms).replace('T', ' ').replace('Z', '');

/** The floor: the engine grouping the raw calls itself, money summed exactly, nothing else. */
function floor(keys: string, from = FROM, to = END, tail = ''): () => Promise<unknown> {
  return () =>
    transport.query({
      sql: `SELECT ${keys}, toString(sum(total_cost_usd)) AS cost, count() AS calls FROM llm_calls
            WHERE project_id = 'default' AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
            GROUP BY ${keys} ${tail}`,
      params: { from: clickHouseTime(from), to: clickHouseTime(to) },
      tag: { operation: 'bench.floor' },
    });
}

const [{ calls = '0' } = {}] = await transport.query<{ calls: string }>({
  sql: `SELECT count() AS calls FROM llm_calls WHERE project_id = 'default' AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}`,
  params: { from: clickHouseTime(FROM), to: clickHouseTime(END) },
  tag: { operation: 'bench.count' },
});
if (Number(calls) === 0) throw new Error(`no calls of project "default" in the 30 days before ${iso(END)} under ${DATA_DIR}/clickhouse`);

const write = () => transport.command({ sql: 'SELECT 1', tag: { operation: 'bench.write' } });

// A range off the hour, as the dashboard's pickers ask (now − 30 days … now).
const pickerFrom = FROM + 17 * 60_000 + 123;
const pickerTo = END - 13 * 60_000;
const cases: Array<{ name: string; api: () => Promise<unknown>; floor?: () => Promise<unknown> }> = [
  { name: 'GET /healthz (HTTP and Nest, no storage)', api: () => fetch(`${base}/healthz`).then((r) => r.text()) },
  { name: 'engine: SELECT 1', api: () => transport.query({ sql: 'SELECT 1', tag: { operation: 'bench.one' } }) },
  // The 30 days before the store's: inside the 90-day retention for a month after the store's end,
  // where an hour with no count is known to hold no calls.
  {
    name: 'cost per feature, 30 days with no calls',
    api: () => api(`/api/v1/costs?groupBy=feature&${range(FROM - 30 * DAY_MS, FROM)}`),
    floor: floor('feature', FROM - 30 * DAY_MS, FROM),
  },
  { name: 'cost per feature, 30 days', api: () => api(`/api/v1/costs?groupBy=feature&${range(FROM, END)}`), floor: floor('feature') },
  {
    name: 'daily cost by model, 30 days',
    api: () => api(`/api/v1/costs?groupBy=model&interval=day&${range(FROM, END)}`),
    floor: floor('toStartOfDay(time) AS day, model'),
  },
  // The embedded engine keeps a seal lookup until the next write; under ingest a write comes
  // between most reads. A statement through `command` counts as a write (~1.5 ms of the line).
  {
    name: 'cost per feature, 30 days, after a write',
    api: () => write().then(() => api(`/api/v1/costs?groupBy=feature&${range(FROM, END)}`)),
  },
  {
    name: 'daily cost by model, 30 days, after a write',
    api: () => write().then(() => api(`/api/v1/costs?groupBy=model&interval=day&${range(FROM, END)}`)),
  },
  {
    name: 'cost per feature, 30 days off the hour (pickers)',
    api: () => api(`/api/v1/costs?groupBy=feature&${range(pickerFrom, pickerTo)}`),
    floor: floor('feature', pickerFrom, pickerTo),
  },
  {
    name: 'cost per feature and model, off the hour (calculator)',
    api: () => api(`/api/v1/costs?groupBy=feature,model&${range(pickerFrom, pickerTo)}`),
    floor: floor('feature, model', pickerFrom, pickerTo),
  },
  {
    name: 'top 50 users by cost, 30 days (/users)',
    api: () => api(`/api/v1/costs?groupBy=user&limit=50&${range(FROM, END)}`),
    floor: floor('user_id', FROM, END, 'ORDER BY sum(total_cost_usd) DESC LIMIT 50'),
  },
];

console.log(`${Number(calls).toLocaleString('en-US')} calls over 30 days; ${RUNS} runs per line after 2 warm-ups`);
console.log(`${'read'.padEnd(56)} ${'p50'.padStart(7)} ${'p90'.padStart(7)} ${'cpu/call'.padStart(9)} | ${'floor p50'.padStart(9)} ${'cpu/call'.padStart(9)} ${'×floor'.padStart(7)}`);
const ms = (value: number) => `${value.toFixed(1)}`;
for (const entry of cases) {
  const measured = await measure(entry.api);
  const base = entry.floor ? await measure(entry.floor) : undefined;
  console.log(
    `${entry.name.padEnd(56)} ${ms(measured.p50).padStart(7)} ${ms(measured.p90).padStart(7)} ${ms(measured.cpuMs).padStart(9)} | ` +
      (base ? `${ms(base.p50).padStart(9)} ${ms(base.cpuMs).padStart(9)} ${(measured.p50 / base.p50).toFixed(2).padStart(7)}` : ''),
  );
}
await app.close();
