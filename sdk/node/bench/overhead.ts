/**
 * Per-call overhead of Costscope's instrumentation vs the bare `openai` client, and vs OpenLLMetry
 * (`@traceloop/instrumentation-openai`), on the same chat.completions.create call.
 *
 *   npm run build -w @costscope/sdk && cd sdk/node && node --import tsx bench/overhead.ts
 *
 * Two transports: `stand-in` (the tests' local provider stand-in over loopback HTTP) and
 * `in-process` (a fetch that answers at once: no network, only the client's and the
 * instrumentation's own work). One process per instrumentation alternates bare and instrumented
 * rounds, so machine noise (other processes, CPU frequency) hits both alike. Wall time is the
 * latency a call gains; CPU time (user + system of the app process) also counts flushing the
 * round's spans to a local OTLP receiver, i.e. the export work that production does in the
 * background. Figures: median over rounds of the mean per call, and median of the per-round
 * differences against the bare round beside it.
 *
 * Heap per queued span: each instrumentation exports to a receiver that accepts connections and
 * never answers, so the spans of 2,000 calls stay queued (the first batch of 512 in flight); the
 * heap delta after GC, over the calls, against the same calls bare. Goal: ≤ 1 MiB per 1,000 spans.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProviderStandIn } from '../test/support/provider-stand-in.js';

const INSTRUMENTATIONS = ['costscope', 'openllmetry'] as const;
const TRANSPORTS = [
  { transport: 'in-process', rounds: 20, calls: 2000 },
  { transport: 'stand-in', rounds: 20, calls: 500 },
] as const;
const QUEUED_SPANS = 2000;
const worker = join(dirname(fileURLToPath(import.meta.url)), 'overhead-worker.mjs');

interface Series {
  wall: number[];
  cpu: number[];
}

const standIn = new ProviderStandIn();
const sink = spawn(process.execPath, ['--import', 'tsx', join(dirname(worker), 'otlp-sink.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
const sinkLines: string[] = [];
const sinkUrl = await new Promise<string>((resolve) => {
  sink.stdout.setEncoding('utf8');
  sink.stdout.on('data', (text: string) => {
    sinkLines.push(...text.split('\n').filter(Boolean));
    if (sinkLines.length === 1) resolve(sinkLines[0] ?? '');
  });
});
// A Costscope server that hangs: it takes the export's request and never answers.
const blocked = createServer(() => undefined);
await new Promise<void>((resolve) => blocked.listen(0, '127.0.0.1', resolve));
const env = {
  PATH: process.env['PATH'] ?? '',
  BENCH_STAND_IN_URL: await standIn.start(),
  BENCH_OTLP_URL: sinkUrl,
  BENCH_BLOCKED_OTLP_URL: `http://127.0.0.1:${(blocked.address() as AddressInfo).port}`,
};

function runWorker<T = Record<string, Series>>(instrumentation: string, transport: string, rounds: number, calls: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const flags = transport === 'heap' ? ['--expose-gc'] : [];
    const child = spawn(process.execPath, [...flags, worker, instrumentation, transport, String(rounds), String(calls)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${instrumentation}/${transport} exited ${String(code)}`));
      resolve(JSON.parse(out.trim()) as T);
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
/** Median of the per-round differences: each instrumented round against the bare round beside it. */
const medianAdded = (instrumented: number[], bare: number[]) => median(instrumented.map((value, i) => value - (bare[i] ?? 0)));
const us = (value: number) => `${value.toFixed(1)} µs`;

const rows: string[] = [];
for (const { transport, rounds, calls } of TRANSPORTS) {
  for (const instrumentation of INSTRUMENTATIONS) {
    const result = await runWorker(instrumentation, transport, rounds, calls);
    const bare = result['bare'] as Series;
    const measured = result[instrumentation] as Series;
    rows.push(
      `| ${transport} | ${instrumentation} | ${us(median(bare.wall))} | ${us(median(measured.wall))} | +${us(medianAdded(measured.wall, bare.wall))} | ${us(median(bare.cpu))} | ${us(median(measured.cpu))} | +${us(medianAdded(measured.cpu, bare.cpu))} |`,
    );
  }
}

const heapRows: string[] = [];
const mib = (bytesPerSpan: number) => `${((bytesPerSpan * 1000) / 1024 / 1024).toFixed(2)} MiB`;
for (const instrumentation of INSTRUMENTATIONS) {
  const heap = await runWorker<Record<string, number>>(instrumentation, 'heap', 1, QUEUED_SPANS);
  const bareBytes = heap['bare'] ?? 0;
  const bytes = heap[instrumentation] ?? 0;
  heapRows.push(`| ${instrumentation} | ${mib(bareBytes)} | ${mib(bytes)} | ${mib(bytes - bareBytes)} |`);
}
blocked.closeAllConnections();
blocked.close();

sink.kill('SIGTERM');
await new Promise((resolve) => sink.on('close', resolve));
console.log(`node ${process.version}; ${sinkLines[1] ?? '?'} spans reached the OTLP receiver`);
console.log('| transport | instrumentation | bare wall | instrumented wall | added wall | bare CPU | instrumented CPU | added CPU |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`\nHeap per 1,000 queued spans (${QUEUED_SPANS} calls, export blocked; goal ≤ 1 MiB):`);
console.log('| instrumentation | bare calls | instrumented calls | held by the queued spans |');
console.log('| --- | --- | --- | --- |');
for (const row of heapRows) console.log(row);
await standIn.stop();
