import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCallRecord } from '@costscope/core';
import { getCosts } from '../../src/storage/costs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall, usd } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-12-01T00:00:00Z');

function callsFor(projectId: string, count: number, offset = 0): LlmCallRecord[] {
  return Array.from({ length: count }, (_, i) =>
    makeCall({
      projectId,
      traceId: `${(offset + i).toString(16).padStart(8, '0')}${'a'.repeat(24)}`,
      spanId: (offset + i).toString(16).padStart(16, '0'),
      time: new Date(Date.UTC(2026, 10, 2 + ((offset + i) % 20), (offset + i) % 24, 7)),
      feature: ['chat', 'search', 'summarize'][(offset + i) % 3] as string,
      totalCostUsd: usd('0.000123456789012345') * BigInt(1 + ((offset + i) % 5)),
      status: (offset + i) % 7 === 0 ? 'error' : 'ok',
    }),
  );
}

/** Totals from raw rows and from rollups; both must agree and must not move on resends. */
async function totals(transport: ClickHouseTransport, projectId: string) {
  const raw = await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['feature'], source: 'raw' });
  const rollup = await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['feature'], source: 'rollup' });
  expect(plain(rollup.rows)).toEqual(plain(raw.rows));
  return raw;
}

describe.each(factories)('exactly-once totals through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  it('counts a resent batch once, in raw rows and in rollups', async () => {
    const batch = callsFor('project-resend', 300);
    await insertCalls(transport, batch);
    const before = await totals(transport, 'project-resend');
    expect(before.totals.requests).toBe(300);

    await insertCalls(transport, batch);
    await insertCalls(transport, batch.slice(0, 10));
    const after = await totals(transport, 'project-resend');
    expect(plain(after)).toEqual(plain(before));
  });

  it('counts a span once when a resend overlaps a new batch', async () => {
    const first = callsFor('project-overlap', 200, 0);
    const second = callsFor('project-overlap', 200, 150); // calls 150–199 are resends
    await insertCalls(transport, first);
    const result = await insertCalls(transport, second);
    expect(result.sent).toBe(200);
    const report = await totals(transport, 'project-overlap');
    expect(report.totals.requests).toBe(350);
    const expected = callsFor('project-overlap', 350).reduce((sum, call) => sum + call.totalCostUsd, 0n);
    expect(report.totals.costUsd).toBe(expected);
  });

  it('counts a span once when it repeats inside one batch', async () => {
    const calls = callsFor('project-inside', 50);
    const result = await insertCalls(transport, [...calls, ...calls.slice(0, 20)]);
    expect(result).toEqual({ sent: 50, repeatedInBatch: 20 });
    expect((await totals(transport, 'project-inside')).totals.requests).toBe(50);
  });

  it('tells repeats inside one batch from calls that only share a span id (other trace, other project)', async () => {
    const [base] = callsFor('project-shared-span', 1);
    const call = base as LlmCallRecord;
    const otherTrace = { ...call, traceId: 'f'.repeat(32) };
    const otherProject = { ...call, projectId: 'project-shared-span-b' };
    const result = await insertCalls(transport, [call, otherTrace, otherProject, { ...otherTrace }, { ...call }, { ...otherProject }]);
    expect(result).toEqual({ sent: 3, repeatedInBatch: 3 });
    expect((await totals(transport, 'project-shared-span')).totals.requests).toBe(2);
    expect((await totals(transport, 'project-shared-span-b')).totals.requests).toBe(1);
  });

  it('counts a span once when overlapping batches are written at the same moment', async () => {
    const a = callsFor('project-concurrent', 400, 0);
    const b = callsFor('project-concurrent', 400, 200);
    const c = callsFor('project-concurrent', 100, 550);
    await Promise.all([insertCalls(transport, a), insertCalls(transport, b), insertCalls(transport, c), insertCalls(transport, a)]);
    expect((await totals(transport, 'project-concurrent')).totals.requests).toBe(650);
  });

  it('counts a resend once across chunk boundaries of one large batch', async () => {
    const calls = callsFor('project-chunks', 1_000);
    await insertCalls(transport, calls.slice(0, 400), { chunkRows: 64 });
    await insertCalls(transport, calls, { chunkRows: 64 });
    expect((await totals(transport, 'project-chunks')).totals.requests).toBe(1_000);
  });

  it('keeps the same span ids apart in different projects', async () => {
    const calls = callsFor('project-twin-a', 20);
    await insertCalls(transport, calls);
    await insertCalls(transport, calls.map((call) => ({ ...call, projectId: 'project-twin-b' })));
    expect((await totals(transport, 'project-twin-a')).totals.requests).toBe(20);
    expect((await totals(transport, 'project-twin-b')).totals.requests).toBe(20);
  });

  it('refuses a call without a trace or span id rather than storing one that could double-count', async () => {
    await expect(insertCalls(transport, [makeCall({ spanId: '' })])).rejects.toMatchObject({ name: 'CostscopeStorageError', kind: 'invalid' });
  });
});
