import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceCatalog, type LlmCallRecord } from '@costscope/core';
import { repriceRecords } from '../../src/ingest/pricing/reprice-records.js';
import { planCallsExport, readCallsForExport } from '../../src/storage/calls-export.js';
import { getCosts } from '../../src/storage/costs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { sealHourlyRollups } from '../../src/storage/hourly-rollups.js';
import { MAX_REPRICE_DAYS, repriceCalls } from '../../src/storage/reprice-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-12-01T00:00:00Z');

/** A fine-tuned model the catalog does not know: stored unpriced until the project prices it. */
function fineTunedCall(projectId: string, i: number, time = new Date(Date.UTC(2026, 10, 3 + (i % 3), 10, 30))): LlmCallRecord {
  return makeCall({
    projectId,
    traceId: `${i.toString(16).padStart(8, '0')}${'f'.repeat(24)}`,
    spanId: i.toString(16).padStart(16, '0'),
    time,
    feature: 'classify',
    requestModel: 'ft:gpt-4.1-mini:acme::abc',
    responseModel: 'ft:gpt-4.1-mini:acme::abc',
    inputTokens: 1_000_000,
    cacheReadInputTokens: 0,
    outputTokens: 1_000_000,
    reasoningTokens: 0,
    costStatus: 'unpriced',
    pricedModel: '',
    priceVersion: '',
    freshInputCostUsd: 0n,
    cacheReadCostUsd: 0n,
    cacheWriteCostUsd: 0n,
    outputCostUsd: 0n,
    totalCostUsd: 0n,
  });
}

const withOverride = createPriceCatalog({
  overrides: [{ model: 'ft:gpt-4.1-mini:acme::abc', effectiveFrom: '2026-11-04', inputPerMillion: '0.80', outputPerMillion: '3.20' }],
});
const reprice = (calls: LlmCallRecord[]) => repriceRecords(calls, withOverride).records;

async function costs(transport: ClickHouseTransport, projectId: string) {
  const raw = await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['feature'], interval: 'day', source: 'raw' });
  const rollup = await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['feature'], interval: 'day', source: 'rollup' });
  // Whatever re-pricing did, the rollups must still say what the calls say.
  expect(plain(rollup.rows)).toEqual(plain(raw.rows));
  return raw;
}

describe.each(factories)('re-pricing stored calls through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  it('applies a new override to past calls from its date on, in raw calls and rollups', async () => {
    await insertCalls(transport, Array.from({ length: 9 }, (_, i) => fineTunedCall('project-ft', i)));
    await insertCalls(transport, Array.from({ length: 4 }, (_, i) => fineTunedCall('project-untouched', 100 + i)));
    const before = await costs(transport, 'project-ft');
    expect(before.totals.costUsd).toBe(0n);

    const result = await repriceCalls(transport, { projectId: 'project-ft', from: FROM, to: TO, reprice, pageRows: 4 });
    // Calls on Nov 3 predate the override and stay unpriced; Nov 4 and 5 (6 calls) cost $4.00 each.
    expect(result).toMatchObject({ examined: 9, changed: 6 });
    const after = await costs(transport, 'project-ft');
    expect(after.totals.costUsd).toBe(24n * 10n ** 18n);
    expect(after.rows.map((row) => [row.bucket?.toISOString().slice(0, 10), row.costUsd, row.requests])).toEqual([
      ['2026-11-03', 0n, 3],
      ['2026-11-04', 12n * 10n ** 18n, 3],
      ['2026-11-05', 12n * 10n ** 18n, 3],
    ]);
  });

  it('gives the same result when run again, and leaves other projects alone', async () => {
    const once = await costs(transport, 'project-ft');
    const again = await repriceCalls(transport, { projectId: 'project-ft', from: FROM, to: TO, reprice });
    expect(again).toMatchObject({ examined: 9, changed: 0 });
    expect(plain(await costs(transport, 'project-ft'))).toEqual(plain(once));
    expect((await costs(transport, 'project-untouched')).totals.costUsd).toBe(0n);
  });

  it('stores a re-priced price version exactly as written, tabs, newlines, carriage returns and backslashes included', async () => {
    const call = fineTunedCall('project-text', 7);
    await insertCalls(transport, [call]);
    const odd = 'override:a\tb\nc\rd\\e';
    await repriceCalls(transport, {
      projectId: 'project-text',
      from: FROM,
      to: TO,
      reprice: (calls) => calls.map((stored) => ({ ...stored, costStatus: 'priced', pricedModel: odd, priceVersion: odd, outputCostUsd: 1n, totalCostUsd: 1n })),
    });
    const plan = await planCallsExport(transport, { projectId: 'project-text', from: FROM, to: TO });
    const stored: LlmCallRecord[] = [];
    for await (const page of readCallsForExport(transport, { projectId: 'project-text', from: FROM, to: TO }, plan)) stored.push(...page);
    expect(stored.map((row) => [row.pricedModel, row.priceVersion, row.totalCostUsd])).toEqual([[odd, odd, 1n]]);
  });

  it('keeps calls that arrive later counted once after a re-price', async () => {
    await insertCalls(transport, [fineTunedCall('project-ft', 50)]);
    await insertCalls(transport, [fineTunedCall('project-ft', 50)]);
    expect((await costs(transport, 'project-ft')).totals.requests).toBe(10);
  });
});

const HOUR_MS = 3_600_000;

/** The rollups' figures per hour, as a dashboard's hourly chart reads them. */
async function hourlyFigures(transport: ClickHouseTransport, projectId: string, from: Date, to: Date): Promise<Map<number, string>> {
  const report = await getCosts(transport, { projectId, from, to, interval: 'hour', source: 'rollup' });
  return new Map(report.rows.map((row) => [row.bucket?.getTime() ?? 0, `${row.costUsd}/${row.requests}/${row.unpricedRequests}`]));
}

describe.each(factories)('a re-price running beside readers and writers ($name transport)', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  it('shows every hour to a reader with its old or its new figures, never missing, while it runs', async () => {
    const from = new Date('2026-11-10T00:00:00Z');
    const to = new Date('2026-11-11T00:00:00Z');
    const hours = 24;
    // Two calls in each hour of the day, every one unpriced until the override applies.
    const calls = Array.from({ length: hours * 2 }, (_, i) => fineTunedCall('project-live', 10_000 + i, new Date(from.getTime() + Math.floor(i / 2) * HOUR_MS + (i % 2) * 60_000)));
    await insertCalls(transport, calls);
    const before = await hourlyFigures(transport, 'project-live', from, to);
    expect(before.size).toBe(hours);

    const seen: Array<Map<number, string>> = [];
    let running = true;
    const reader = (async () => {
      while (running) seen.push(await hourlyFigures(transport, 'project-live', from, to));
    })();
    try {
      await repriceCalls(transport, {
        projectId: 'project-live',
        from,
        to,
        reprice,
        stepHours: 1,
        // Between steps, too: some hours are new by now and the rest still old.
        onProgress: async () => {
          seen.push(await hourlyFigures(transport, 'project-live', from, to));
        },
      });
    } finally {
      running = false;
      await reader;
    }
    const after = await hourlyFigures(transport, 'project-live', from, to);
    expect(new Set(after.values())).toEqual(new Set([`${8n * 10n ** 18n}/2/0`]));

    let mixed = 0;
    for (const view of seen) {
      expect([...view.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [hour, figures] of view) expect([before.get(hour), after.get(hour)]).toContain(figures);
      const newHours = [...view].filter(([hour, figures]) => figures === after.get(hour)).length;
      if (newHours > 0 && newHours < hours) mixed += 1;
    }
    // The readers really ran while the re-price was half-way.
    expect(mixed).toBeGreaterThan(0);
    // 24 steps, each a mutation and a re-seal, beside a reader that never pauses: over HTTP on a
    // loaded CI machine that took over the default 30 s (a bound on hanging, not a speed goal).
  }, 180_000);

  it('lets other projects’ calls be stored between its steps', async () => {
    const from = new Date('2026-11-14T00:00:00Z');
    const to = new Date('2026-11-17T00:00:00Z');
    await insertCalls(transport, Array.from({ length: 6 }, (_, i) => fineTunedCall('project-busy', 20_000 + i, new Date(from.getTime() + i * 12 * HOUR_MS))));
    const stored: number[] = [];
    await repriceCalls(transport, {
      projectId: 'project-busy',
      from,
      to,
      reprice,
      onProgress: async (progress) => {
        if (progress.hoursDone !== 24 || stored.length > 0) return;
        // Awaited inside the re-price: were its write queue held, this insert would never finish.
        await insertCalls(transport, [fineTunedCall('project-neighbour', 30_000, from)]);
        const neighbour = await getCosts(transport, { projectId: 'project-neighbour', from, to, source: 'raw' });
        stored.push(neighbour.totals.requests);
      },
    });
    expect(stored).toEqual([1]);
    expect((await costs(transport, 'project-busy')).totals.costUsd).toBe(24n * 10n ** 18n);
  });

  it('kills only its own mutation when one fails, and finishes when run again', async () => {
    await insertCalls(transport, [fineTunedCall('project-stuck', 40_000), ...Array.from({ length: 3 }, (_, i) => fineTunedCall('project-retry', 40_100 + i, new Date(Date.UTC(2026, 10, 20, 9 + i))))]);
    // Someone else's mutation that fails on every attempt (the ALTER reports its first failure, the
    // mutation stays queued): it blocks every later mutation of the table.
    await transport
      .command({
        sql: "ALTER TABLE llm_calls UPDATE latency_ms = throwIf(project_id = 'project-stuck', 'an operator mutation that fails') WHERE project_id = 'project-stuck'",
        tag: { operation: 'test' },
      })
      .catch(() => undefined);
    const unfinished = () =>
      transport.query<{ mutation_id: string; command: string }>({
        sql: "SELECT mutation_id, command FROM system.mutations WHERE database = currentDatabase() AND table = 'llm_calls' AND NOT is_done",
        tag: { operation: 'test' },
      });
    const range = { projectId: 'project-retry', from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z'), reprice };
    try {
      expect(await unfinished()).toHaveLength(1);
      await expect(repriceCalls(transport, range)).rejects.toMatchObject({ name: 'CostscopeStorageError' });
      const left = await unfinished();
      // The operator's mutation is still there; the re-price's own (naming its Join table) is gone.
      expect(left.map((m) => m.command)).toEqual([expect.stringContaining('an operator mutation that fails')]);
    } finally {
      for (const mutation of await unfinished()) {
        if (!/^[\w.]+$/.test(mutation.mutation_id)) continue;
        await transport.command({ sql: `KILL MUTATION WHERE database = currentDatabase() AND mutation_id = '${mutation.mutation_id}' SYNC`, tag: { operation: 'test' } });
      }
    }
    const again = await repriceCalls(transport, range);
    expect(again).toMatchObject({ examined: 3, changed: 3 });
    const raw = await getCosts(transport, { projectId: 'project-retry', from: range.from, to: range.to, source: 'raw' });
    const rollup = await getCosts(transport, { projectId: 'project-retry', from: range.from, to: range.to, source: 'rollup' });
    expect(plain(rollup.totals)).toEqual(plain(raw.totals));
    expect(raw.totals.costUsd).toBe(12n * 10n ** 18n);
  });

  it('keeps the rollups of hours whose calls the retention may already have dropped', async () => {
    const from = new Date('2026-11-24T00:00:00Z');
    const to = new Date('2026-11-27T00:00:00Z');
    await insertCalls(transport, Array.from({ length: 3 }, (_, i) => fineTunedCall('project-edge', 50_000 + i, new Date(from.getTime() + (i * 24 + 12) * HOUR_MS))));
    // The scheduler sealed these hours long before the TTL reached them.
    await sealHourlyRollups(transport, { projectId: 'project-edge', from, to });
    // The first day's call is gone from the raw table, as the TTL drops it; its rollup stays.
    await transport.command({
      sql: "ALTER TABLE llm_calls DELETE WHERE project_id = 'project-edge' AND time < '2026-11-25 00:00:00' SETTINGS mutations_sync = 2",
      tag: { operation: 'test' },
    });
    // One day of retention, read at 00:30 on the 26th: hours from 01:00 on the 25th are whole.
    await repriceCalls(transport, { projectId: 'project-edge', from, to, reprice, retentionDays: 1, now: () => new Date('2026-11-26T00:30:00Z') });
    const rollup = await getCosts(transport, { projectId: 'project-edge', from, to, interval: 'day', source: 'rollup' });
    expect(rollup.rows.map((row) => [row.bucket?.toISOString().slice(0, 10), row.requests, row.costUsd])).toEqual([
      ['2026-11-24', 1, 0n],
      ['2026-11-25', 1, 4n * 10n ** 18n],
      ['2026-11-26', 1, 4n * 10n ** 18n],
    ]);
  });

  it(`refuses a range over ${MAX_REPRICE_DAYS} days`, async () => {
    const from = new Date('2025-01-01T00:00:00Z');
    await expect(
      repriceCalls(transport, { projectId: 'project-ft', from, to: new Date(from.getTime() + (MAX_REPRICE_DAYS * 24 + 1) * HOUR_MS), reprice }),
    ).rejects.toMatchObject({ kind: 'invalid' });
  });
});
