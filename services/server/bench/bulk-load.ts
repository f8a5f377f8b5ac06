/**
 * Bulk load into embedded storage (a script, not a test): how fast `insertCalls` stores a
 * backfill, an import or the demo's history, beside its floor, in one run.
 *
 *   npx tsx bench/bulk-load.ts [--calls 1000000] [--batch 200000] [--no-tsv]
 *
 * For each batch of synthetic calls (made apart, untimed):
 * - floor: chDB parsing the same RowBinary payload into a Null table (nothing sorted or stored),
 *   the least an INSERT of these calls can cost; JavaScript writing the payload is timed apart
 *   (in the load it overlaps the engine storing the previous chunk);
 * - load: `insertCalls`, the real path (rows written, the payload file, the dedup view, the ids
 *   and hourly counts tables);
 * then the same calls again (a re-import: every call a resend, nothing stored), and, unless
 * `--no-tsv`, the TSV payload the HTTP transport sends, through the same tables, for comparison.
 * It checks that every call is stored once and the money sums to the atto-dollar. CPU is per call:
 * the whole process and its main thread (JavaScript); the rest is chDB's threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { CALL_ROW_BINARY_TYPES, CallRowBinaryWriter, callsToRowBinary } from '../src/storage/call-row-binary.js';
import { openEmbeddedTransport } from '../src/storage/embedded-transport.js';
import { CALL_COLUMNS, callsToTsv, insertCalls } from '../src/storage/llm-calls.js';
import { migrate } from '../src/storage/migrate.js';
import { processCpuMicros } from './process-cpu.js';
import { seededRandom } from './seeded-random.js';
import { syntheticCalls } from './synthetic-calls.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const CALLS = Number(flag('calls', '1000000'));
const BATCH = Number(flag('batch', '200000'));
const COMPARE_TSV = !process.argv.includes('--no-tsv');
const DAYS = 30;
const END = Date.UTC(2026, 10, 28);
const START = END - DAYS * 86_400_000;

/** The batch of calls starting at call `from`, the same for any run (seeded by `from`). */
function batchOf(projectId: string, from: number): LlmCallRecord[] {
  const traffic = { projectId, startMs: START, spanMs: DAYS * 86_400_000, totalCalls: CALLS };
  return syntheticCalls(traffic, from, Math.min(BATCH, CALLS - from), seededRandom(from + 1));
}
type Tally = { ms: number; all: number; main: number };
const tallies = new Map<string, Tally>();
async function timed(name: string, work: () => Promise<unknown>): Promise<void> {
  const cpu = processCpuMicros();
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const after = processCpuMicros();
  const tally = tallies.get(name) ?? { ms: 0, all: 0, main: 0 };
  tallies.set(name, { ms: tally.ms + ms, all: tally.all + after.all - cpu.all, main: tally.main + after.main - cpu.main });
}

const dir = mkdtempSync(join(tmpdir(), 'costscope-bulk-'));
const transport = await openEmbeddedTransport({ dataDir: dir, database: 'costscope' });
await migrate(transport, { database: 'costscope', retentionDays: 3650 });
await transport.command({ sql: 'CREATE TABLE bulk_floor AS llm_calls_incoming ENGINE = Null', tag: { operation: 'bench.floor' } });

console.log(`${CALLS.toLocaleString('en-US')} calls in batches of ${BATCH.toLocaleString('en-US')}, embedded storage in ${dir}`);
let expectedAtto = 0n;
for (const pass of ['load', 're-import'] as const) {
  for (let from = 0; from < CALLS; from += BATCH) {
    const calls = batchOf('bulk', from);
    if (pass === 'load') {
      for (const call of calls) expectedAtto += call.totalCostUsd;
      await timed('JavaScript writes the RowBinary rows', async () => {
        const writer = new CallRowBinaryWriter(() => undefined);
        for (const call of calls) writer.write(call);
        writer.end();
      });
      const payload = callsToRowBinary(calls);
      await timed('floor: chDB parses the payload (Null table)', () =>
        transport.insert({
          table: 'bulk_floor',
          columns: CALL_COLUMNS,
          rowBinary: (sink) => sink(payload),
          types: CALL_ROW_BINARY_TYPES,
          tag: { operation: 'bench.floor' },
        }),
      );
    }
    await timed(pass === 'load' ? 'load: insertCalls (the real path)' : 're-import: the same calls again', () => insertCalls(transport, calls));
  }
}

const [stored] = await transport.query<{ calls: string; atto: string; counted: string }>({
  sql: `SELECT toString(count()) AS calls, toString(toInt256(sum(total_cost_usd) * toDecimal256('1000000000000000000', 0))) AS atto,
          (SELECT toString(sum(rows)) FROM llm_call_hour_counts WHERE project_id = 'bulk') AS counted
        FROM llm_calls WHERE project_id = 'bulk'`,
  tag: { operation: 'bench.check' },
});
const exact = stored?.calls === String(CALLS) && stored.counted === String(CALLS) && BigInt(stored.atto) === expectedAtto;

if (COMPARE_TSV) {
  for (let from = 0; from < CALLS; from += BATCH) {
    const calls = batchOf('bulk-tsv', from);
    await timed('before: the TSV payload, same tables', async () => {
      const tsv = callsToTsv(calls);
      await transport.insert({ table: 'llm_calls_incoming', columns: CALL_COLUMNS, tsv, tag: { operation: 'bench.tsv' } });
    });
  }
}

const rate = (name: string) => {
  const tally = tallies.get(name);
  if (!tally) return '';
  return `${name.padEnd(42)} ${Math.round((CALLS / tally.ms) * 1000).toLocaleString('en-US').padStart(9)} calls/s  ` +
    `CPU ${(tally.all / CALLS).toFixed(2)} µs/call (main thread ${(tally.main / CALLS).toFixed(2)})`;
};
for (const name of tallies.keys()) console.log(`  ${rate(name)}`);
console.log(
  `  stored ${stored?.calls} calls once (hourly counts ${stored?.counted}), total ${stored?.atto} atto-dollars: ${exact ? 'exact' : `WRONG, expected ${CALLS} calls and ${expectedAtto}`}`,
);
await transport.close();
rmSync(dir, { recursive: true, force: true });
if (!exact) process.exitCode = 1;
