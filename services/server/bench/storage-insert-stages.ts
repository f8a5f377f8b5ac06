/**
 * Where the load time of `storage-load.ts` goes (a script, not a test): the same calls written
 * stage by stage into a fresh embedded engine.
 *
 *   npx tsx bench/storage-insert-stages.ts [--calls 500000]
 *
 * 1. JavaScript writing the TSV rows (`callsToTsv`);
 * 2. chDB parsing them into a Null table (parse cost only, nothing stored);
 * 3. inserting into `llm_calls` directly (parse + sort + write + the hourly rollup view);
 * 4. the real path, `llm_calls_incoming` (3 + the dedup view's check);
 * 5. the real path again with the same calls (every one a resend: parse + check, nothing written).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { CALL_COLUMNS, callsToTsv } from '../src/storage/llm-calls.js';
import { listMigrations, renderMigration } from '../src/storage/migrate.js';
import { makeCall } from '../test/support/call-factory.js';

const index = process.argv.indexOf('--calls');
const CALLS = index >= 0 ? Number(process.argv[index + 1]) : 500_000;
const dir = mkdtempSync(join(tmpdir(), 'costscope-stages-'));
const session = new Session(dir);
await session.queryAsync('CREATE DATABASE costscope');
await session.queryAsync('USE costscope');
for (const migration of listMigrations()) {
  for (const statement of renderMigration(migration.sql, { database: 'costscope', retentionDays: 3650 })) await session.queryAsync(statement);
}
await session.queryAsync('CREATE TABLE parse_only AS llm_calls ENGINE = Null');

const start = Date.UTC(2026, 9, 29);
const calls = Array.from({ length: CALLS }, (_, i) =>
  makeCall({
    projectId: 'bench-project',
    traceId: i.toString(16).padStart(32, '0'),
    spanId: (i * 7 + 1).toString(16).padStart(16, '0'),
    time: new Date(start + Math.floor((i / CALLS) * 30 * 86_400_000)),
    feature: `feature-${String(i % 200).padStart(3, '0')}`,
    userId: `user-${i % 100_000}`,
    attributes: {},
  }),
);

async function stage(name: string, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  console.log(`  ${name.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round((CALLS / ms) * 1000).toLocaleString('en-US').padStart(10)} rows/s`);
}

console.log(`${CALLS.toLocaleString('en-US')} calls, one INSERT per stage`);
let tsv: Buffer = Buffer.alloc(0);
await stage('1. JavaScript writes TSV rows', async () => {
  tsv = callsToTsv(calls);
});
console.log(`     (${Math.round(tsv.length / CALLS)} bytes per row)`);
const insert = (table: string) => session.insert({ table, columns: CALL_COLUMNS, values: tsv, format: 'TabSeparated' });
await stage('2. chDB parses them (Null table)', () => insert('parse_only'));
await stage('3. into llm_calls directly (+ hourly rollup view)', () => insert('llm_calls'));
await session.queryAsync('TRUNCATE TABLE llm_calls');
await session.queryAsync('TRUNCATE TABLE llm_calls_hourly');
await stage('4. through llm_calls_incoming (+ dedup view): the real path', () => insert('llm_calls_incoming'));
await stage('5. the same calls again (all resends, nothing written)', () => insert('llm_calls_incoming'));
const [row] = (await session.queryAsync('SELECT count() AS n FROM llm_calls', { format: 'JSONEachRow' })).text().split('\n');
console.log(`  stored: ${row}`);
session.close();
rmSync(dir, { recursive: true, force: true });
