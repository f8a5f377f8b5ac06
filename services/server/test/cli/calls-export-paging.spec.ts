import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planCallsExport, readCallsForExport } from '../../src/storage/calls-export.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';

/**
 * The export reads a range a page at a time (the most it holds in memory): with pages of four
 * calls, every call comes out once, in order, whatever the hours hold — a busy hour over several
 * pages, calls sharing a millisecond, empty stretches, and a call arriving after the count.
 */
const HOUR = 3_600_000;
const start = Date.UTC(2026, 10, 2, 8);
const projectId = 'paging';
let dataDir: string;
let transport: ClickHouseTransport;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-export-paging-'));
  transport = await openStorage({ kind: 'embedded', dataDir, database: 'costscope', retentionDays: 3650 });
}, 60_000);

afterAll(async () => {
  await transport?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const at = (ms: number) => (overrides: Partial<LlmCallRecord> = {}) => makeCall({ projectId, time: new Date(ms), ...overrides });

async function exportAll(from: Date, to: Date, beforeReading?: () => Promise<void>) {
  const input = { projectId, from, to, pageRows: 4 };
  const plan = await planCallsExport(transport, input);
  await beforeReading?.();
  const pages: LlmCallRecord[][] = [];
  for await (const page of readCallsForExport(transport, input, plan)) pages.push(page);
  return { plan, pages, calls: pages.flat() };
}

describe('the export, page by page', () => {
  it('gives every call of the range once, oldest first, never more than a page at a time', async () => {
    const busyHour = Array.from({ length: 9 }, (_, index) => at(start + 60_000 * (index % 3))()); // three calls per millisecond
    const lone = at(start + 5 * HOUR)();
    const later = Array.from({ length: 14 }, (_, index) => at(start + 30 * HOUR + index * 1000)());
    const outside = [at(start - 1)(), at(start + 48 * HOUR)(), at(start + HOUR)({ projectId: 'another-project' })];
    await insertCalls(transport, [...later, lone, ...busyHour, ...outside]);

    const from = new Date(start);
    const to = new Date(start + 48 * HOUR);
    const { plan, pages, calls } = await exportAll(from, to, async () => {
      // Arrives after the count, in an hour that was empty then: exported all the same.
      await insertCalls(transport, [at(start + 20 * HOUR)({ feature: 'late-arrival' })]);
    });

    expect(plan.callsTotal).toBe(24);
    expect(plan.windows[0]?.from).toEqual(from);
    expect(plan.windows.at(-1)?.to).toEqual(to);
    plan.windows.slice(1).forEach((window, index) => expect(window.from).toEqual(plan.windows[index]?.to));

    expect(Math.max(...pages.map((page) => page.length))).toBeLessThanOrEqual(4);
    const expected = [...busyHour, lone, ...later]
      .concat(calls.filter((call) => call.feature === 'late-arrival'))
      .sort((x, y) => x.time.getTime() - y.time.getTime() || x.traceId.localeCompare(y.traceId) || x.spanId.localeCompare(y.spanId));
    expect(calls.filter((call) => call.feature === 'late-arrival')).toHaveLength(1);
    expect(calls.map((call) => `${call.time.toISOString()} ${call.traceId}`)).toEqual(expected.map((call) => `${call.time.toISOString()} ${call.traceId}`));
    expect(calls[0]).toEqual(expected[0]);
  });

  it('gives nothing for an empty range, in one window', async () => {
    const { plan, calls } = await exportAll(new Date(start - 10 * HOUR), new Date(start - 9 * HOUR));
    expect([plan.callsTotal, plan.windows.length, calls.length]).toEqual([0, 1, 0]);
  });
});
