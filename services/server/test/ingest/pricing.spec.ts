import { createPriceCatalog, usdToDecimalString } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { priceCalls } from '../../src/ingest/pricing/price-calls.js';
import { repriceRecords } from '../../src/ingest/pricing/reprice-records.js';
import type { NormalizedCall } from '../../src/ingest/normalize/normalized-call.js';
import { callRecord } from './support/call-records.js';

function normalizedCall(overrides: Partial<NormalizedCall> = {}): NormalizedCall {
  const {
    projectId: _p,
    costStatus: _c,
    pricedModel: _m,
    priceVersion: _v,
    freshInputCostUsd: _f,
    cacheReadCostUsd: _r,
    cacheWriteCostUsd: _w,
    outputCostUsd: _o,
    totalCostUsd: _t,
    ...fields
  } = callRecord();
  return { ...fields, reportedCostUsd: null, dialect: 'genai', ...overrides };
}

const usd = (atto: bigint) => usdToDecimalString(atto).replace(/\.?0+$/, '');

describe('pricing at ingest', () => {
  it('applies a project override in force at the call’s time and stores its version', () => {
    const overrides = [{ model: 'gpt-5', effectiveFrom: '2026-06-01', inputPerMillion: '1.00', outputPerMillion: '8.00' }];
    const before = normalizedCall({ time: new Date('2026-05-31T23:59:59Z') });
    const after = normalizedCall({ time: new Date('2026-06-01T00:00:00Z') });
    const { records } = priceCalls([before, after], { projectId: 'p-1', overrides });
    // 1000 × $1.25/M + 100 × $10/M = $0.00225 (catalog); 1000 × $1/M + 100 × $8/M = $0.0018 (override)
    expect(records.map((r) => [r.priceVersion, usd(r.totalCostUsd)])).toEqual([
      ['catalog:gpt-5@2025-08-07', '0.00225'],
      ['override:gpt-5@2026-06-01', '0.0018'],
    ]);
  });

  it('falls back to the requested model when the response names none (a failed call)', () => {
    const { records } = priceCalls([normalizedCall({ responseModel: '', requestModel: 'gpt-5-mini' })], { projectId: 'p-1' });
    expect(records[0]).toMatchObject({ costStatus: 'priced', pricedModel: 'gpt-5-mini' });
  });

  it('stores unknown models unpriced with zero cost and lists them once', () => {
    const { records, unpricedModels } = priceCalls(
      [
        normalizedCall({ requestModel: 'acme-2', responseModel: 'acme-2-0612' }),
        normalizedCall({ requestModel: 'acme-2', responseModel: 'acme-2-0612' }),
        normalizedCall({ requestModel: 'zeta-1', responseModel: '' }),
      ],
      { projectId: 'p-1' },
    );
    expect(records.map((r) => r.costStatus)).toEqual(['unpriced', 'unpriced', 'unpriced']);
    expect(records.every((r) => r.totalCostUsd === 0n && r.priceVersion === '')).toBe(true);
    expect(unpricedModels).toEqual(['acme-2-0612', 'zeta-1']);
  });

  it('prices an unknown model once the project adds an override for it', () => {
    const overrides = [{ model: 'acme-2', effectiveFrom: '2026-01-01', inputPerMillion: '0.5', outputPerMillion: '1.5' }];
    const { records, unpricedModels } = priceCalls([normalizedCall({ requestModel: 'acme-2', responseModel: 'acme-2' })], {
      projectId: 'p-1',
      overrides,
    });
    // 1000 × $0.50/M + 100 × $1.50/M = $0.00065
    expect(usd(records[0]?.totalCostUsd ?? 0n)).toBe('0.00065');
    expect(unpricedModels).toEqual([]);
  });
});

describe('re-pricing stored calls', () => {
  it('applies new prices to past rows, leaves caller-reported costs, and counts the changes', () => {
    const priced = callRecord({ time: new Date('2026-07-01T00:00:00Z') });
    const reported = callRecord({ costStatus: 'reported', priceVersion: 'reported', totalCostUsd: 4_200_000_000_000_000n });
    const unpriced = callRecord({ responseModel: 'acme-2', requestModel: 'acme-2', costStatus: 'unpriced', priceVersion: '', totalCostUsd: 0n });
    const catalog = createPriceCatalog({
      overrides: [
        { model: 'gpt-5', effectiveFrom: '2026-06-01', inputPerMillion: '1.00', outputPerMillion: '8.00' },
        { model: 'acme-2', effectiveFrom: '2026-01-01', inputPerMillion: '0.5', outputPerMillion: '1.5' },
      ],
    });
    const result = repriceRecords([priced, reported, unpriced], catalog);
    expect(result.records.map((r) => [r.costStatus, r.priceVersion, usd(r.totalCostUsd)])).toEqual([
      ['priced', 'override:gpt-5@2026-06-01', '0.0018'],
      ['reported', 'reported', '0.0042'],
      ['priced', 'override:acme-2@2026-01-01', '0.00065'],
    ]);
    expect(result.changed).toBe(2);
    expect(result.unpricedModels).toEqual([]);
    // Identity is untouched, so storage's dedup replaces the old rows.
    expect(result.records.map((r) => r.spanId)).toEqual([priced, reported, unpriced].map((r) => r.spanId));
  });

  it('changes nothing when prices did not change', () => {
    const record = callRecord();
    const result = repriceRecords([record], createPriceCatalog());
    expect(result.changed).toBe(0);
    expect(result.records[0]).toEqual(record);
  });
});
