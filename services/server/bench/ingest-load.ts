/**
 * Ingest benchmark (a script, not a test). Starts the Costscope server on embedded storage in its
 * own process, then drives it from a separate load-generator process with OTLP exports in
 * protobuf or JSON (512 spans per request, gzip), and prints:
 * - sustained spans/s and p50/p99 request latency under a closed loop (`--concurrency` requests in flight);
 * - p50/p99 at a fixed rate of `--rate` spans/s (the goal: 30 000);
 * - the server's CPU time per span in each phase (all its threads: JavaScript, zlib, chDB);
 * - the server's RSS: idle after start, steady (median of samples every 100 ms over each phase)
 *   and peak, beside the RSS floor: a process that only opens chDB as the server does and migrates
 *   the schema (`ingest-rss-floor.ts`), so what the server holds above chDB's own shows;
 * - the floor: the same closed loop against a do-nothing server that only gunzips and parses the
 *   bodies (`ingest-floor-server.ts`), the most one Node process can take here at all;
 * - the rate of inserting the same rows straight into chDB, as the storage ceiling.
 *
 *   npx tsx bench/ingest-load.ts [--encoding protobuf|json] [--seconds 20] [--concurrency 4] [--rate 30000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPANS_PER_REQUEST, type BenchEncoding } from './ingest-bodies.js';
import { processCpuMicros, statCpuMicros } from './process-cpu.js';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const SECONDS = flag('seconds', 20);
const CONCURRENCY = flag('concurrency', 4);
const RATE = flag('rate', 30_000);
const encodingIndex = process.argv.indexOf('--encoding');
const ENCODING = (encodingIndex >= 0 ? process.argv[encodingIndex + 1] : 'protobuf') as BenchEncoding;
if (ENCODING !== 'protobuf' && ENCODING !== 'json') throw new Error(`--encoding must be protobuf or json, not ${String(ENCODING)}`);
const API_KEY = 'cs_bench_key_0000000000000000000001';
/** The largest insert the server's group commit makes (`maxRows` in ingest-pipeline.ts). */
const CEILING_BATCH_ROWS = 20_000;
const serverRoot = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function runJson<T>(script: string, options: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], { cwd: serverRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T) : reject(new Error(`${script} exited ${code}`))));
  });
}

function memoryKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Samples the process's RSS every 100 ms until stopped; `stop` gives the samples' median and largest, in MiB. */
function sampleRss(pid: number): { stop: () => { medianMiB: number; maxMiB: number } } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(memoryKiB(pid, 'VmRSS') / 1024), 100);
  return {
    stop: () => {
      clearInterval(timer);
      const sorted = samples.sort((a, b) => a - b);
      return { medianMiB: sorted[Math.floor(sorted.length / 2)] ?? 0, maxMiB: sorted.at(-1) ?? 0 };
    },
  };
}

/**
 * CPU µs so far per thread group (thread names without their numbers: `node` is the JavaScript
 * main thread, `V8 …` its GC helpers, `libuv-worker` zlib and chDB's async calls, the rest chDB's
 * own pools and background merges), to say where a span's CPU goes.
 */
function cpuByThreadGroup(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/[\d:]+$/, '').trim() || 'unnamed';
      const micros = statCpuMicros(`/proc/${pid}/task/${tid}/stat`);
      groups.set(name, (groups.get(name) ?? 0) + micros);
    } catch {
      // The thread ended between listing and reading: its time is gone from the process view too.
    }
  }
  return groups;
}

function threadBreakdown(before: Map<string, number>, pid: number, spans: number): string {
  const after = cpuByThreadGroup(pid);
  return [...after]
    .map(([name, micros]) => [name, (micros - (before.get(name) ?? 0)) / spans] as const)
    .filter(([, perSpan]) => perSpan >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, perSpan]) => `${name} ${perSpan.toFixed(1)}`)
    .join(', ');
}

function cpuPerSpan(before: { all: number; main: number }, pid: number, spans: number): string {
  const after = processCpuMicros(pid);
  return `server CPU ${((after.all - before.all) / spans).toFixed(1)} µs/span (main thread ${((after.main - before.main) / spans).toFixed(1)})`;
}

/** The server's inserts so far: how many and their total seconds (its `/metrics`). */
async function insertStats(url: string): Promise<{ count: number; seconds: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { count: value('costscope_insert_duration_seconds_count'), seconds: value('costscope_insert_duration_seconds_sum') };
}

/** Rows per insert and mean insert time over a phase: what group commit and the write-ahead make of the load. */
function insertsOver(before: { count: number; seconds: number }, after: { count: number; seconds: number }, spans: number): string {
  const inserts = after.count - before.count;
  return `${inserts} inserts, ${Math.round(spans / inserts).toLocaleString('en-US')} rows and ${((1000 * (after.seconds - before.seconds)) / inserts).toFixed(0)} ms each`;
}

/** Spans answered 200: what the CPU per span is divided by (a 429 costs next to nothing). */
const accepted = (result: LoadResult) => (result.statuses['200'] ?? 0) * SPANS_PER_REQUEST;

type LoadResult = { requests: number; spans: number; seconds: number; spansPerSecond: number; p50Ms: number; p99Ms: number; maxMs: number; statuses: Record<string, number>; bodiesExhausted: boolean };

/** The closed loop against `ingest-floor-server.ts`, started for the measurement and stopped after it. */
async function closedLoopAgainstFloor(): Promise<LoadResult> {
  const floorPort = await freePort();
  const floorServer = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-floor-server.ts', String(floorPort)], { cwd: serverRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      floorServer.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      floorServer.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
    });
    const generator = fileURLToPath(new URL('./ingest-load-generator.ts', import.meta.url));
    return await runJson<LoadResult>(generator, { url: `http://127.0.0.1:${floorPort}`, apiKey: API_KEY, seconds: SECONDS, concurrency: CONCURRENCY, bodies: SECONDS * 150, seed: 4, encoding: ENCODING });
  } finally {
    floorServer.kill('SIGTERM');
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'costscope-ingest-bench-'));
const port = await freePort();
const server: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: serverRoot,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: API_KEY, COSTSCOPE_ROLES: 'ingest,api' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 300) throw new Error('server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = server.pid!;
  const baseRss = memoryKiB(pid, 'VmRSS');
  const generator = fileURLToPath(new URL('./ingest-load-generator.ts', import.meta.url));

  // The server's CPU per span: what the shared machine's load does not change much, unlike rates.
  let cpuBefore = processCpuMicros(pid);
  let threadsBefore = cpuByThreadGroup(pid);
  let insertsBefore = await insertStats(url);
  let rssSampler = sampleRss(pid);
  const closed = await runJson<LoadResult>(generator, { url, apiKey: API_KEY, seconds: SECONDS, concurrency: CONCURRENCY, bodies: SECONDS * 150, seed: 1, encoding: ENCODING });
  const closedCpu = cpuPerSpan(cpuBefore, pid, accepted(closed));
  const closedThreads = threadBreakdown(threadsBefore, pid, accepted(closed));
  const closedRss = rssSampler.stop();
  // Written-ahead calls are inserted by a drain after their 200: let the last one land.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const closedInserts = insertsOver(insertsBefore, await insertStats(url), accepted(closed));
  const requestsPerSecond = RATE / SPANS_PER_REQUEST;
  cpuBefore = processCpuMicros(pid);
  threadsBefore = cpuByThreadGroup(pid);
  insertsBefore = await insertStats(url);
  rssSampler = sampleRss(pid);
  const open = await runJson<LoadResult>(generator, { url, apiKey: API_KEY, seconds: SECONDS, concurrency: 1, ratePerSecond: requestsPerSecond, bodies: Math.ceil(SECONDS * requestsPerSecond), seed: 2, encoding: ENCODING });
  const openCpu = cpuPerSpan(cpuBefore, pid, accepted(open));
  const openThreads = threadBreakdown(threadsBefore, pid, accepted(open));
  const openRss = rssSampler.stop();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const openInserts = insertsOver(insertsBefore, await insertStats(url), accepted(open));
  const peakRssMiB = memoryKiB(pid, 'VmHWM') / 1024;

  const totals = (await (await fetch(`${url}/api/v1/costs?from=2026-01-01`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as { totals: { requests: number } };
  const floor = await closedLoopAgainstFloor();
  const rssFloor = await runJson<{ rssMiB: number }>(fileURLToPath(new URL('./ingest-rss-floor.ts', import.meta.url)), {});
  const ceiling = await runJson<{ rows: number; seconds: number; rowsPerSecond: number }>(fileURLToPath(new URL('./ingest-ceiling.ts', import.meta.url)), { bodies: 200, seed: 3, batchRows: CEILING_BATCH_ROWS });

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`\nIngest benchmark — embedded storage, ${SPANS_PER_REQUEST} spans per request, ${ENCODING} + gzip`);
  console.log(`closed loop, ${CONCURRENCY} in flight: ${fmt(closed.spansPerSecond)} spans/s sustained over ${closed.seconds.toFixed(1)} s (${closed.requests} requests), p50 ${closed.p50Ms.toFixed(1)} ms, p99 ${closed.p99Ms.toFixed(1)} ms, statuses ${JSON.stringify(closed.statuses)}${closed.bodiesExhausted ? ' (ran out of prepared bodies)' : ''}, ${closedCpu}`);
  console.log(`  by thread group, µs/span: ${closedThreads}; ${closedInserts}`);
  console.log(`fixed rate ${fmt(RATE)} spans/s: achieved ${fmt(open.spansPerSecond)} spans/s, p50 ${open.p50Ms.toFixed(1)} ms, p99 ${open.p99Ms.toFixed(1)} ms, max ${open.maxMs.toFixed(1)} ms, statuses ${JSON.stringify(open.statuses)}, ${openCpu}`);
  console.log(`  by thread group, µs/span: ${openThreads}; ${openInserts}`);
  console.log(
    `server RSS: ${(baseRss / 1024).toFixed(0)} MiB idle; closed loop steady ${closedRss.medianMiB.toFixed(0)} MiB (max ${closedRss.maxMiB.toFixed(0)}); ` +
      `fixed rate steady ${openRss.medianMiB.toFixed(0)} MiB (max ${openRss.maxMiB.toFixed(0)}); peak ${peakRssMiB.toFixed(0)} MiB`,
  );
  console.log(`RSS floor, a process with chDB opened as the server does and the schema migrated: ${rssFloor.rssMiB.toFixed(0)} MiB`);
  console.log(`stored calls: ${fmt(totals.totals.requests)} of ${fmt(closed.spans + open.spans)} sent`);
  console.log(`floor, do-nothing server that only gunzips and parses (${ENCODING}), same closed loop: ${fmt(floor.spansPerSecond)} spans/s, p50 ${floor.p50Ms.toFixed(1)} ms, p99 ${floor.p99Ms.toFixed(1)} ms`);
  console.log(`ceiling, insertCalls straight into chDB (${fmt(CEILING_BATCH_ROWS)}-row batches): ${fmt(ceiling.rowsPerSecond)} rows/s (${fmt(ceiling.rows)} rows)`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
