/**
 * The demo's history (or any backfill) through the import the server prices, against a real
 * server process on embedded storage, beside the bulk-load floor of the same calls, in one run
 * (a script, not a test):
 *
 *   cd services/demo && npx tsx bench/import-load.ts [--days 30] [--no-traces]
 *
 * The calls are the demo's own (`services/demo`: seed 1, 30 days to now, ~112,000 calls), as the
 * demo writes them (`importLine`). Phases:
 * - in this process, untimed against the server: the import's line reader and the ingest's
 *   `priceCalls` on those lines (the JavaScript the server adds per call), then the bulk-load
 *   floor (chDB parsing the same rows' RowBinary payload into a Null table) and `insertCalls`
 *   itself, the real path of `bench/bulk-load.ts`;
 * - the server: `POST /api/v1/calls/import?pricing=catalog` with the whole history in one
 *   streamed request (what `npm run demo` sends), then the same body again (every call a resend);
 * - unless `--no-traces`, the path the demo used before: the same history (another seed, so new
 *   calls) as OTLP/JSON exports of 500 spans, four in flight, through `/v1/traces`.
 * Figures: calls/s (wall) and the server's CPU µs per call (whole process and its main thread).
 * It checks that the API's totals count every imported call once and sum, to the atto-dollar,
 * to the prices this process computed; exit code 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseUsd } from '@costscope/core';
import { importLine } from '../src/import-history.js';
import { historyHours, historyWindow, type HistorySpan } from '../src/history.js';
import { sendHistory } from '../src/send-history.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { processCpuMicros } from '../../server/bench/process-cpu.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { priceCalls } from '../../server/src/ingest/pricing/price-calls.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { unpricedCallFromNdjson } from '../../server/src/query/call-ndjson.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CALL_ROW_BINARY_TYPES, callsToRowBinary } from '../../server/src/storage/call-row-binary.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { openEmbeddedTransport } from '../../server/src/storage/embedded-transport.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CALL_COLUMNS, insertCalls } from '../../server/src/storage/llm-calls.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrate } from '../../server/src/storage/migrate.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const DAYS = Number(flag('days', '30'));
const COMPARE_TRACES = !process.argv.includes('--no-traces');
const API_KEY = 'cs_bench_import_load_key_000001';
const serverRoot = fileURLToPath(new URL('../../server/', import.meta.url));
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);

function history(seed: number): HistorySpan[][] {
  return [...historyHours(historyWindow(seed, now, DAYS))];
}

const figures: string[] = [];
async function timed(name: string, calls: number, pid: number, work: () => Promise<unknown>): Promise<void> {
  const cpu = processCpuMicros(pid);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const after = processCpuMicros(pid);
  figures.push(
    `${name.padEnd(58)} ${Math.round((calls / ms) * 1000).toLocaleString('en-US').padStart(9)} calls/s  ` +
      `CPU ${((after.all - cpu.all) / calls).toFixed(2)} µs/call (main thread ${((after.main - cpu.main) / calls).toFixed(2)})`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const hours = history(1);
const lines = hours.flat().map((span) => `${importLine(span)}\n`);
const body = Buffer.from(lines.join(''));
const CALLS = lines.length;
console.log(`the demo's history: ${DAYS} days to ${now.toISOString()}, ${CALLS.toLocaleString('en-US')} calls, ${(body.length / 1e6).toFixed(1)} MB of NDJSON`);

// In this process: what the server's JavaScript adds per call, and the bulk-load floor.
let records: ReturnType<typeof priceCalls>['records'] = [];
await timed('JS: import line reader + priceCalls (in process)', CALLS, process.pid, async () => {
  const calls = lines.map((line) => unpricedCallFromNdjson(line.slice(0, -1)));
  records = priceCalls(calls, { projectId: 'default' }).records;
});
const expectedAtto = records.reduce((sum, record) => sum + record.totalCostUsd, 0n);
const floorDir = mkdtempSync(join(tmpdir(), 'costscope-import-floor-'));
const transport = await openEmbeddedTransport({ dataDir: floorDir, database: 'costscope' });
try {
  await migrate(transport, { database: 'costscope', retentionDays: 3650 });
  await transport.command({ sql: 'CREATE TABLE bulk_floor AS llm_calls_incoming ENGINE = Null', tag: { operation: 'bench.floor' } });
  const payload = callsToRowBinary(records);
  await timed('floor: chDB parses the payload (Null table, in process)', CALLS, process.pid, () =>
    transport.insert({ table: 'bulk_floor', columns: CALL_COLUMNS, rowBinary: (sink) => sink(payload), types: CALL_ROW_BINARY_TYPES, tag: { operation: 'bench.floor' } }),
  );
  await timed('bulk load: insertCalls (in process)', CALLS, process.pid, () => insertCalls(transport, records));
} finally {
  await transport.close();
  rmSync(floorDir, { recursive: true, force: true });
}

const dataDir = mkdtempSync(join(tmpdir(), 'costscope-import-bench-'));
const port = await freePort();
const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: serverRoot,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: API_KEY },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
const auth = { authorization: `Bearer ${API_KEY}` };
let exact = false;
try {
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    if (i > 600) throw new Error('the server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = server.pid!;
  const postImport = async () => {
    // Streamed in 1 MiB pieces, as a file or the demo's generator sends it.
    const pieces = (async function* () {
      for (let at = 0; at < body.length; at += 1 << 20) yield body.subarray(at, at + (1 << 20));
    })();
    const response = await fetch(`${url}/api/v1/calls/import?pricing=catalog`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      body: pieces,
      duplex: 'half',
    } as unknown as RequestInit);
    const answer = (await response.json()) as { calls?: number };
    if (answer.calls !== CALLS) throw new Error(`the import answered ${response.status} ${JSON.stringify(answer)}`);
  };
  await timed('server: import ?pricing=catalog (the demo history)', CALLS, pid, postImport);
  await timed('server: the same import again (all resends)', CALLS, pid, postImport);

  const range = new URLSearchParams({ from: new Date(now.getTime() - (DAYS + 1) * 86_400_000).toISOString(), to: new Date(now.getTime() + 3_600_000).toISOString() });
  const totals = ((await (await fetch(`${url}/api/v1/costs?${range}`, { headers: auth })).json()) as { totals: { requests: number; costUsd: string } }).totals;
  exact = totals.requests === CALLS && parseUsd(totals.costUsd) === expectedAtto;
  figures.push(`check: the API counts ${totals.requests} calls, ${totals.costUsd} USD: ${exact ? 'exact' : `WRONG, expected ${CALLS} calls and ${expectedAtto} atto-dollars`}`);

  if (COMPARE_TRACES) {
    const before = history(2);
    const spans = before.reduce((sum, hour) => sum + hour.length, 0);
    await timed('before: the same history as spans through /v1/traces', spans, pid, () =>
      sendHistory({ server: url, apiKey: API_KEY }, before, () => undefined),
    );
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
for (const line of figures) console.log(`  ${line}`);
if (!exact) process.exitCode = 1;
