import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceCatalog, type LlmCallRecord } from '@costscope/core';
import { repriceRecords } from '../../src/ingest/pricing/reprice-records.js';
import { getCosts } from '../../src/storage/costs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { repriceCalls } from '../../src/storage/reprice-calls.js';
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
function fineTunedCall(projectId: string, i: number): LlmCallRecord {
  return makeCall({
    projectId,
    traceId: `${i.toString(16).padStart(8, '0')}${'f'.repeat(24)}`,
    spanId: i.toString(16).padStart(16, '0'),
    time: new Date(Date.UTC(2026, 10, 3 + (i % 3), 10, 30)),
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

  it('keeps calls that arrive later counted once after a re-price', async () => {
    await insertCalls(transport, [fineTunedCall('project-ft', 50)]);
    await insertCalls(transport, [fineTunedCall('project-ft', 50)]);
    expect((await costs(transport, 'project-ft')).totals.requests).toBe(10);
  });
});
