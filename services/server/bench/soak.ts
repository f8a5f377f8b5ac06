/**
 * Soak (a script, not a test): OTLP exports at a steady rate for N minutes against a server, one
 * line per minute with spans/s achieved, p99 request latency and the server's RSS, then whether
 * memory stayed flat. Exits non-zero when any request failed (anything but 200, or no answer),
 * when the server's RSS grew by more than `--max-rss-growth` percent from the end of warm-up to
 * the end, or — on a server it started itself — when storage does not hold exactly the spans sent.
 *
 *   npx tsx bench/soak.ts [--minutes 10] [--rate 5000] [--max-rss-growth 20]
 *                         [--url http://host:4318 --api-key KEY]   (default: start a server on embedded storage)
 *
 * Warm-up is the first minute (the first third of a 1-minute run): caches, chDB's pools and V8's
 * heap grow there by design. Memory is sampled every 5 s and judged on medians (see `windowMs`).
 * Each minute's spans are new (their own seed), as in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPANS_PER_REQUEST } from './ingest-bodies.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}
function numberFlag(name: string, fallback: number): number {
  const value = flag(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, not ${JSON.stringify(value)}`);
  return parsed;
}

const MINUTES = numberFlag('minutes', 10);
const RATE = numberFlag('rate', 5_000);
const MAX_RSS_GROWTH_PERCENT = numberFlag('max-rss-growth', 20);
const RSS_SAMPLE_MS = 5_000;
/** The next minute's generator starts this early, so building its bodies never pauses the load. */
const GENERATOR_LEAD_MS = 20_000;
const serverRoot = fileURLToPath(new URL('..', import.meta.url));
const generatorScript = fileURLToPath(new URL('./ingest-load-generator.ts', import.meta.url));

type MinuteResult = { requests: number; spans: number; seconds: number; spansPerSecond: number; p50Ms: number; p99Ms: number; maxMs: number; statuses: Record<string, number> };

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function runGenerator(options: Record<string, unknown>): Promise<MinuteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', generatorScript, JSON.stringify(options)], { cwd: serverRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as MinuteResult) : reject(new Error(`load generator exited ${code}`))));
  });
}

/**
 * The server's resident memory and JavaScript heap in use, from its own metrics (prom-client's
 * defaults under the server's `costscope_process_` prefix), so a server started elsewhere works too.
 * RSS includes the embedded engine's caches; the heap is JavaScript's alone, to tell the two apart.
 */
async function serverMemoryMiB(url: string): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string): number => {
    const bytes = Number(new RegExp(`^costscope_process_${name} (\\S+)$`, 'm').exec(text)?.[1]);
    if (!Number.isFinite(bytes)) throw new Error(`the server does not report costscope_process_${name}`);
    return bytes / 1024 / 1024;
  };
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function startLocalServer(apiKey: string): Promise<{ url: string; process: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'costscope-soak-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: apiKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (attempt > 300) throw new Error('the server did not become ready in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, process: child, dataDir };
}

const external = flag('url');
const apiKey = flag('api-key') ?? 'cs_soak_key_000000000000000000000001';
if (external && !flag('api-key')) throw new Error('--url needs --api-key (an ingest key; a read key also checks the stored count)');
const local = external ? undefined : await startLocalServer(apiKey);
const url = external ?? (local as { url: string }).url;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const requestsPerSecond = RATE / SPANS_PER_REQUEST;
const failures: string[] = [];
const memorySamples: Array<{ atMs: number; rss: number; heap: number }> = [];
/**
 * Memory is judged on the median of each window's samples (RSS swings by a hundred MiB while the
 * engine merges parts): the window right after warm-up against the last one — the second minute
 * against the last minute of a long run, the middle third against the last third of a short one.
 */
const windowMs = Math.min(60_000, (MINUTES * 60_000) / 3);
let sent = 0;
let metricsFailures = 0;

try {
  console.log(`Soak — ${MINUTES} min at ${fmt(RATE)} spans/s (${SPANS_PER_REQUEST} spans per request, protobuf + gzip) against ${external ? url : 'a local server on embedded storage'}`);
  const soakStart = Date.now() + GENERATOR_LEAD_MS;
  const sampler = setInterval(() => {
    serverMemoryMiB(url).then(
      (memory) => memorySamples.push({ atMs: Date.now() - soakStart, ...memory }),
      () => (metricsFailures += 1),
    );
  }, RSS_SAMPLE_MS);
  // Minute k's generator builds its bodies while minute k − 1 runs, then starts on the minute.
  const minuteCount = Math.ceil(MINUTES);
  const minutes: Array<Promise<MinuteResult>> = [];
  for (let minute = 0; minute < minuteCount; minute++) {
    const seconds = Math.min(60, MINUTES * 60 - minute * 60);
    const startAt = soakStart + minute * 60_000;
    const wait = startAt - GENERATOR_LEAD_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    minutes.push(
      runGenerator({ url, apiKey, seconds, concurrency: 1, ratePerSecond: requestsPerSecond, bodies: Math.ceil(seconds * requestsPerSecond), seed: 1000 + minute, startAt }),
    );
    if (minute > 0) await report(minute - 1, await (minutes[minute - 1] as Promise<MinuteResult>));
  }
  await report(minuteCount - 1, await (minutes[minuteCount - 1] as Promise<MinuteResult>));
  clearInterval(sampler);
  if (metricsFailures > 0) failures.push(`the server did not answer /metrics ${metricsFailures} times`);

  const endMs = MINUTES * 60_000;
  const early = memorySamples.filter((sample) => sample.atMs >= windowMs && sample.atMs < 2 * windowMs);
  const late = memorySamples.filter((sample) => sample.atMs >= endMs - windowMs && sample.atMs <= endMs);
  if (early.length < 3 || late.length < 3) {
    failures.push('too few memory samples to judge memory');
  } else {
    const [earlyRss, lateRss] = [median(early.map((sample) => sample.rss)), median(late.map((sample) => sample.rss))];
    const [earlyHeap, lateHeap] = [median(early.map((sample) => sample.heap)), median(late.map((sample) => sample.heap))];
    const growth = (lateRss / earlyRss - 1) * 100;
    const flat = growth <= MAX_RSS_GROWTH_PERCENT;
    const span = (ms: number) => `${(ms / 1000).toFixed(0)}`;
    console.log(
      `memory (median RSS): ${earlyRss.toFixed(0)} MiB in ${span(windowMs)}–${span(2 * windowMs)} s → ${lateRss.toFixed(0)} MiB in the last ${span(windowMs)} s: ` +
        `${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% — ${flat ? 'flat' : 'GROWING'} (limit +${MAX_RSS_GROWTH_PERCENT}%); JavaScript heap ${earlyHeap.toFixed(0)} → ${lateHeap.toFixed(0)} MiB`,
    );
    if (!flat) failures.push(`RSS grew ${growth.toFixed(1)}% after warm-up`);
  }

  // The last group commit may still be on its way: give storage a few seconds to hold them all.
  let stored: number | undefined;
  for (let attempt = 0; attempt < 30 && stored !== sent; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    const totals = await fetch(`${url}/api/v1/costs?from=${new Date(Date.now() - 86_400_000).toISOString()}`, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!totals.ok) break;
    stored = ((await totals.json()) as { totals: { requests: number } }).totals.requests;
  }
  if (stored !== undefined) {
    console.log(`stored calls: ${fmt(stored)} of ${fmt(sent)} acknowledged`);
    if (local && stored !== sent) failures.push(`storage holds ${stored} calls, ${sent} were acknowledged`);
  }
} finally {
  if (local) {
    local.process.kill('SIGTERM');
    await new Promise((resolve) => local.process.once('exit', resolve));
    rmSync(local.dataDir, { recursive: true, force: true });
  }
}

async function report(minute: number, result: MinuteResult): Promise<void> {
  sent += (result.statuses['200'] ?? 0) * SPANS_PER_REQUEST;
  const last = memorySamples.at(-1);
  const notOk = Object.entries(result.statuses).filter(([status]) => status !== '200');
  console.log(
    `minute ${minute + 1}: ${fmt(result.spansPerSecond)} spans/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, RSS ${last ? last.rss.toFixed(0) : '?'} MiB, heap ${last ? last.heap.toFixed(0) : '?'} MiB${notOk.length > 0 ? `, NOT OK ${JSON.stringify(Object.fromEntries(notOk))}` : ''}`,
  );
  if (notOk.length > 0) failures.push(`minute ${minute + 1}: ${JSON.stringify(Object.fromEntries(notOk))}`);
}

if (failures.length > 0) {
  console.error(`soak FAILED: ${failures.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('soak passed: every request answered 200, memory flat');
}
