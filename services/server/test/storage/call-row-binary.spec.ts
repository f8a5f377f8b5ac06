import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import { CALL_COLUMNS, callsToTsv, insertCalls } from '../../src/storage/llm-calls.js';
import { migrate } from '../../src/storage/migrate.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';
import { SCHEMA } from '../support/storage-factories.js';

// Embedded inserts send RowBinary (call-row-binary.ts), the HTTP transport TSV. Each edge case is
// stored both ways in one engine and the two stored rows must be identical, column by column.

const EDGES: Array<Partial<LlmCallRecord>> = [
  { feature: 'plain', totalCostUsd: 0n },
  // Amounts around the Number fast path (2^53), 64 bits, negative, and the largest Decimal(38, 18).
  { freshInputCostUsd: 9_007_199_254_740_991n, cacheReadCostUsd: 9_007_199_254_740_992n, cacheWriteCostUsd: 2n ** 64n + 1n, outputCostUsd: -1n, totalCostUsd: -(2n ** 70n) - 3n },
  { totalCostUsd: 10n ** 38n - 1n, outputCostUsd: -(10n ** 38n) + 1n, freshInputCostUsd: 2n ** 63n, cacheReadCostUsd: 2n ** 64n - 1n },
  // Strings: empty, escapes, non-ASCII, longer than a one-byte length prefix (127 / 128 bytes).
  { feature: '', userId: "it's \"q\" \\ b\tt\nl\rr", service: '新しい', endpoint: 'é'.repeat(100), promptPrefixHash: 'x'.repeat(127), userTier: 'y'.repeat(128) },
  { operation: 'z'.repeat(20_000), finishReason: '😀 emoji' },
  // Maps: none, many, odd keys and values; nulls and zeros; the largest counts.
  { attributes: {} },
  { attributes: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key-${i}`, `value\t${i}`])) },
  { attributes: { "k'ey\\": "x\ny\tz'\\", empty: '', 新: '値' } },
  { maxTokens: null, timeToFirstTokenMs: null, attempt: 65_535, batch: true },
  { maxTokens: 0, timeToFirstTokenMs: 0, latencyMs: 4_294_967_295, inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 2 ** 32 },
  { latencyMs: 12.5, timeToFirstTokenMs: 0.4 },
  // Times: day and year edges, far ahead (older ones are past the retention TTL and not stored).
  { time: new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999)) },
  { time: new Date(Date.UTC(2027, 0, 1, 0, 0, 0, 0)) },
  { time: new Date(Date.UTC(2199, 0, 1, 0, 0, 0, 1)) },
];

let dir: string;
let transport: ClickHouseTransport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'costscope-row-binary-'));
  transport = await openEmbeddedTransport({ dataDir: dir, database: SCHEMA.database });
  await migrate(transport, SCHEMA);
});

afterAll(async () => {
  await transport.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storedRows(projectId: string): Promise<Array<Record<string, unknown>>> {
  const rows = await transport.query<Record<string, unknown>>({
    sql: `SELECT ${CALL_COLUMNS.map((column) => `toString(${column}) AS ${column}`).join(', ')}
          FROM llm_calls WHERE project_id = {projectId:String} ORDER BY span_id`,
    params: { projectId },
    tag: { operation: 'test.stored' },
  });
  return rows.map((row) => ({ ...row, project_id: 'same' }));
}

describe('RowBinary inserts', () => {
  it('store every edge case exactly as the TSV payload does', async () => {
    const calls = EDGES.map((edge, index) => makeCall({ spanId: `span-${String(index).padStart(3, '0')}`, ...edge }));
    await insertCalls(transport, calls.map((call) => ({ ...call, projectId: 'binary' })));
    await transport.insert({
      table: 'llm_calls_incoming',
      columns: CALL_COLUMNS,
      tsv: callsToTsv(calls.map((call) => ({ ...call, projectId: 'text' }))),
      tag: { operation: 'test.tsv' },
    });
    const binary = await storedRows('binary');
    expect(binary).toHaveLength(EDGES.length);
    expect(binary).toEqual(await storedRows('text'));
  });

  it('store rows that span the 1 MiB blocks of the payload, and a value larger than a block', async () => {
    const calls = Array.from({ length: 4_000 }, (_, index) =>
      makeCall({
        spanId: `block-${String(index).padStart(5, '0')}`,
        userId: 'u'.repeat(index % 997),
        attributes: { note: 'ü'.repeat((index * 7) % 300) },
        totalCostUsd: BigInt(index) * 2n ** 60n,
      }),
    );
    calls.push(makeCall({ spanId: 'block-huge', operation: 'h'.repeat(3 * 1024 * 1024) }));
    await insertCalls(transport, calls.map((call) => ({ ...call, projectId: 'blocks-binary' })));
    await transport.insert({
      table: 'llm_calls_incoming',
      columns: CALL_COLUMNS,
      tsv: callsToTsv(calls.map((call) => ({ ...call, projectId: 'blocks-text' }))),
      tag: { operation: 'test.tsv' },
    });
    const binary = await storedRows('blocks-binary');
    expect(binary).toHaveLength(calls.length);
    expect(binary).toEqual(await storedRows('blocks-text'));
  });

  it('round-trip money to the atto-dollar', async () => {
    const amounts = [1n, 10n ** 18n + 1n, 2n ** 53n + 1n, 2n ** 64n, 2n ** 64n - 1n, 2n ** 100n + 7n, -(2n ** 64n) - 1n, 10n ** 38n - 1n];
    await insertCalls(
      transport,
      amounts.map((amount, index) => makeCall({ projectId: 'money', spanId: `money-${index}`, totalCostUsd: amount })),
    );
    const rows = await transport.query<{ span_id: string; atto: string }>({
      sql: `SELECT span_id, toString(toInt256(total_cost_usd * toDecimal256('1000000000000000000', 0))) AS atto
            FROM llm_calls WHERE project_id = 'money' ORDER BY span_id`,
      tag: { operation: 'test.money' },
    });
    expect(rows.map((row) => BigInt(row.atto))).toEqual(amounts);
  });

  it('leave no payload file behind, stored or refused', async () => {
    await insertCalls(transport, [makeCall({ projectId: 'files' })]);
    await expect(
      transport.insert({ table: 'no_such_table', columns: ['x'], rowBinary: (sink) => sink(Buffer.from([1])), types: ['UInt8'], tag: { operation: 'test.missing' } }),
    ).rejects.toMatchObject({ name: 'CostscopeStorageError', operation: 'test.missing', kind: 'query' });
    expect(readdirSync(join(dir, 'insert-payloads'))).toEqual([]);
  });
});
