/**
 * Where the load time of `storage-load.ts` goes (a script, not a test): the same calls written
 * stage by stage into a fresh embedded engine, as RowBinary (what embedded inserts send) and as
 * TSV (what the HTTP transport sends).
 *
 *   npx tsx bench/storage-insert-stages.ts [--calls 500000]
 *
 * For each payload:
 * 1. JavaScript writing the rows;
 * 2. chDB parsing them into a Null table (parse cost only, nothing stored);
 * 3. inserting into `llm_calls` directly (parse + sort + write + the ids and hourly counts views);
 * 4. the real path, `llm_calls_incoming` (3 + the dedup view's check);
 * 5. the real path again with the same calls (every one a resend: parse + check, nothing written).
 * RowBinary goes through a file read by `file()`, as `embedded-transport.ts` does, with
 * `optimize_on_insert = 0` as `insertCalls` sends it. Wall time and the process's CPU per row.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { CALL_ROW_BINARY_TYPES, callsToRowBinary } from '../src/storage/call-row-binary.js';
import { CALL_COLUMNS, callsToTsv } from '../src/storage/llm-calls.js';
import { processCpuMicros } from './process-cpu.js';
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

/** CPU µs of the whole process so far (stat fields 14 and 15, 10 ms ticks): JavaScript and chDB. */
async function stage(name: string, work: () => Promise<unknown>): Promise<void> {
  const cpu = processCpuMicros().all;
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  console.log(
    `  ${name.padEnd(60)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${Math.round((CALLS / ms) * 1000).toLocaleString('en-US').padStart(10)} rows/s  ` +
      `${((processCpuMicros().all - cpu) / CALLS).toFixed(2).padStart(5)} µs CPU/row`,
  );
}

const payloadFile = join(dir, 'payload.bin');
const structure = CALL_COLUMNS.map((column, i) => `${column} ${CALL_ROW_BINARY_TYPES[i]}`).join(', ');
const payloads = {
  RowBinary: {
    write: () => callsToRowBinary(calls),
    insert: (table: string, payload: Buffer) => {
      writeFileSync(payloadFile, payload);
      return session.queryBindAsync(
        `INSERT INTO ${table} (${CALL_COLUMNS.join(', ')}) SELECT * FROM file({path:String}, 'RowBinary', {structure:String}) SETTINGS optimize_on_insert = 0`,
        { path: payloadFile, structure },
      );
    },
  },
  TSV: {
    write: () => callsToTsv(calls),
    insert: (table: string, payload: Buffer) => session.insert({ table, columns: CALL_COLUMNS, values: payload, format: 'TabSeparated' }),
  },
};

console.log(`${CALLS.toLocaleString('en-US')} calls, one INSERT per stage`);
for (const [format, { write, insert }] of Object.entries(payloads)) {
  for (const table of ['llm_calls', 'llm_call_keys', 'llm_call_hour_counts']) await session.queryAsync(`TRUNCATE TABLE ${table}`);
  console.log(format);
  let payload: Buffer = Buffer.alloc(0);
  await stage('1. JavaScript writes the rows', async () => {
    payload = write();
  });
  console.log(`     (${Math.round(payload.length / CALLS)} bytes per row)`);
  await stage('2. chDB parses them (Null table)', () => insert('parse_only', payload));
  await stage('3. into llm_calls directly (+ ids and hourly counts views)', () => insert('llm_calls', payload));
  for (const table of ['llm_calls', 'llm_call_keys', 'llm_call_hour_counts']) await session.queryAsync(`TRUNCATE TABLE ${table}`);
  await stage('4. through llm_calls_incoming (+ dedup view): the real path', () => insert('llm_calls_incoming', payload));
  await stage('5. the same calls again (all resends, nothing written)', () => insert('llm_calls_incoming', payload));
  const [row] = (await session.queryAsync('SELECT count() AS n FROM llm_calls', { format: 'JSONEachRow' })).text().split('\n');
  console.log(`  stored: ${row}`);
}
session.close();
rmSync(dir, { recursive: true, force: true });
