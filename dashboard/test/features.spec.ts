import { describe, expect, it } from 'vitest';
import type { CostRow } from '@/lib/api/types';
import { moneyFloor } from '@/lib/format';
import {
  alertsOfFeature,
  breakdownRows,
  csvField,
  divideUsd,
  failedCallsCost,
  featureHref,
  featureRows,
  featuresCsv,
  featureTableRows,
  filterSearchParams,
  filtersFromParams,
  previousRange,
  previousRangeLabel,
  relativeChange,
  tokenMix,
  totalFailedCost,
} from '@/lib/shape/features';
import { parseUsd } from '@costscope/core';

const row = (over: Partial<CostRow>): CostRow => ({
  costUsd: '0.00',
  requests: 0,
  errors: 0,
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  unpricedRequests: 0,
  costPerSuccessUsd: null,
  ...over,
});

// Nov 2026: 30 days, at noon on the 10th (9.5 days elapsed).
const month = { elapsedMs: 9.5 * 86_400_000, monthMs: 30 * 86_400_000, minDays: 3 };

describe(featureRows.name, () => {
  const byStatus = [
    row({ feature: 'search', status: 'ok', costUsd: '9.90', requests: 99, outputTokens: 9900 }),
    row({ feature: 'search', status: 'error', costUsd: '0.10', requests: 1, errors: 1, outputTokens: 100 }),
    row({ feature: 'chat', status: 'ok', costUsd: '20.00', requests: 10, outputTokens: 5000 }),
    row({ feature: 'lab', status: 'ok', costUsd: '0.00', requests: 3, unpricedRequests: 3 }),
  ];

  it('adds the status rows of a feature: cost, calls, error rate, and the cost of the failed calls', () => {
    const rows = featureRows({ byStatus, baseline: [], monthToDate: [], allocations: [], month });
    expect(rows.map((r) => r.feature)).toEqual(['chat', 'search', 'lab']);
    const search = rows.find((r) => r.feature === 'search')!;
    expect(search).toMatchObject({ costUsd: '10.00', requests: 100, errors: 1, errorRate: 0.01, failedCostUsd: '0.10', outputTokensPerCall: 100 });
    // All cost over the 99 successful calls, as the API computes costPerSuccessUsd.
    expect(search.costPerSuccessUsd).toBe('0.10101010101010101');
    expect(totalFailedCost(rows)).toBe('0.10');
    expect(rows.find((r) => r.feature === 'lab')!.unpricedRequests).toBe(3);
  });

  it('compares output tokens per call with the baseline range', () => {
    const baseline = [row({ feature: 'search', requests: 50, outputTokens: 4000 }), row({ feature: 'chat', requests: 0 })];
    const rows = featureRows({ byStatus, baseline, monthToDate: [], allocations: [], month });
    const search = rows.find((r) => r.feature === 'search')!;
    expect(search.baselineOutputTokensPerCall).toBe(80);
    expect(search.outputTokensChange).toBeCloseTo(0.25);
    expect(rows.find((r) => r.feature === 'chat')!.outputTokensChange).toBeNull();
    expect(rows.find((r) => r.feature === 'lab')!.baselineOutputTokensPerCall).toBeNull();
  });

  it('sets month-to-date spend against the feature allocation, with the forecast', () => {
    const rows = featureRows({
      byStatus,
      baseline: [],
      monthToDate: [row({ feature: 'search', costUsd: '190' }), row({ feature: 'chat', costUsd: '1' })],
      allocations: [
        { feature: 'search', monthlyUsd: '500' },
        { feature: 'reports', monthlyUsd: '100' },
      ],
      month,
    });
    const search = rows.find((r) => r.feature === 'search')!;
    expect(search).toMatchObject({ monthToDateUsd: '190.00', monthToDateUnpricedRequests: 0, allocationUsd: '500.00', forecastUsd: '600.00' });
    expect(search.allocationShare).toBeCloseTo(0.38);
    expect(search.forecastShare).toBeCloseTo(1.2);
    expect(rows.find((r) => r.feature === 'chat')).toMatchObject({ allocationUsd: null, allocationShare: null, forecastShare: null, forecastUsd: '3.157894736842105263' });
    // An allocated feature without calls in the range still has its row.
    expect(rows.find((r) => r.feature === 'reports')).toMatchObject({ requests: 0, costUsd: '0.00', errorRate: null, costPerSuccessUsd: null, allocationShare: 0 });
  });

  it('names calls without a feature tag', () => {
    const rows = featureRows({ byStatus: [row({ feature: '', status: 'ok', requests: 1 })], baseline: [], monthToDate: [], allocations: [], month });
    expect(rows[0]).toMatchObject({ feature: '', label: '(untagged)' });
  });
});

describe(featureTableRows.name, () => {
  it('sends the table only the figures it shows and sorts by, empty ones left out as keys', () => {
    const rows = featureRows({
      byStatus: [
        row({ feature: 'search', status: 'ok', costUsd: '9.90', requests: 99, outputTokens: 9900 }),
        row({ feature: 'search', status: 'error', costUsd: '0.10', requests: 1, errors: 1, outputTokens: 100 }),
        row({ feature: 'lab', status: 'ok', costUsd: '0.00', requests: 3, unpricedRequests: 3 }),
      ],
      baseline: [row({ feature: 'search', requests: 50, outputTokens: 4000 })],
      monthToDate: [row({ feature: 'search', costUsd: '190' })],
      allocations: [{ feature: 'reports', monthlyUsd: '100' }],
      month,
    });
    const table = featureTableRows(rows);
    expect(table.map((r) => r.feature)).toEqual(rows.map((r) => r.feature));
    expect(table[0]).toEqual({
      feature: 'search',
      costUsd: '10.00',
      requests: 100,
      errors: 1,
      costPerSuccessUsd: '0.10101010101010101',
      failedCostUsd: '0.10',
      outputTokensPerCall: 100,
      outputTokensChange: 0.25,
      monthToDateUsd: '190.00',
      forecastUsd: '600.00',
    });
    // React would send an undefined prop as "$undefined", its name and all: no key at all.
    const reports = table.find((r) => r.feature === 'reports')!;
    expect(Object.keys(reports)).not.toContain('costPerSuccessUsd');
    expect(reports).toMatchObject({ requests: 0, allocationUsd: '100.00', allocationShare: 0 });
    expect(table.find((r) => r.feature === 'lab')).toMatchObject({ unpricedRequests: 3 });
    expect(JSON.stringify(table)).not.toContain('null');
  });
});

describe(divideUsd.name, () => {
  it('rounds half up to the atto-dollar, like the API, and has no answer for no calls', () => {
    expect(divideUsd(parseUsd('0.000000000000000002'), 3)).toBe(1n);
    expect(divideUsd(parseUsd('0.000000000000000001'), 3)).toBe(0n);
    expect(divideUsd(1n, 0)).toBeNull();
  });
});

describe(relativeChange.name, () => {
  it('is the change as a share, and unknown without a baseline', () => {
    expect(relativeChange(90, 100)).toBeCloseTo(-0.1);
    expect(relativeChange(90, 0)).toBeNull();
    expect(relativeChange(null, 100)).toBeNull();
  });
});

describe(breakdownRows.name, () => {
  it('sums a dimension over day buckets exactly and gives each its share of the cost', () => {
    const rows = [
      row({ model: 'gpt-5', bucket: '2026-11-01T00:00:00Z', costUsd: '0.1', requests: 2, errors: 1, outputTokens: 10 }),
      row({ model: 'gpt-5', bucket: '2026-11-02T00:00:00Z', costUsd: '0.2', requests: 2 }),
      row({ model: 'gpt-5-mini', bucket: '2026-11-01T00:00:00Z', costUsd: '0.1', requests: 10 }),
    ];
    const breakdown = breakdownRows(rows, 'model');
    expect(breakdown.map((r) => r.name)).toEqual(['gpt-5', 'gpt-5-mini']);
    expect(breakdown[0]).toMatchObject({ costUsd: '0.30', requests: 4, errors: 1, errorRate: 0.25, costPerSuccessUsd: '0.10', outputTokensPerCall: 2.5 });
    expect(breakdown[0]!.costShare).toBeCloseTo(0.75);
  });
});

describe(tokenMix.name, () => {
  it('splits input into uncached and cache reads (the API counts cache reads in input)', () => {
    expect(tokenMix({ inputTokens: 2000, cachedInputTokens: 1536, outputTokens: 500, requests: 4 })).toEqual({
      uncachedInputTokens: 464,
      cachedInputTokens: 1536,
      outputTokens: 500,
      cacheReadShare: 0.768,
      inputTokensPerCall: 500,
      outputTokensPerCall: 125,
    });
    expect(tokenMix({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, requests: 0 }).cacheReadShare).toBeNull();
  });
});

describe('the baseline range', () => {
  it('is the same length just before the range, and says so', () => {
    const range = { from: new Date('2026-11-22T00:00:00Z'), to: new Date('2026-11-29T00:00:00Z') };
    expect(previousRange(range)).toEqual({ from: new Date('2026-11-15T00:00:00Z'), to: range.from });
    expect(previousRangeLabel(range)).toBe('the previous 7 days');
    expect(previousRangeLabel({ from: new Date('2026-11-28T00:00:00Z'), to: new Date('2026-11-29T00:00:00Z') })).toBe('the previous day');
    expect(previousRangeLabel({ from: new Date('2026-11-28T00:00:00Z'), to: new Date('2026-11-28T06:00:00Z') })).toBe('the previous 6 h');
  });
});

describe('filters in the URL', () => {
  it('reads comma lists named as the API names them, ignoring feature and empty values', () => {
    expect(filtersFromParams({ model: 'gpt-5, gpt-5-mini,', userTier: ['paid'], feature: 'search', range: '7d', endpoint: '' })).toEqual({
      model: ['gpt-5', 'gpt-5-mini'],
      userTier: ['paid'],
    });
    expect(filterSearchParams({ model: ['gpt-5', 'o3'] })).toEqual({ model: 'gpt-5,o3' });
  });
});

describe('CSV export', () => {
  it('quotes names with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('search, v2')).toBe('"search, v2"');
    expect(csvField('the "smart" one')).toBe('"the ""smart"" one"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('carriage\rreturn')).toBe('"carriage\rreturn"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('plain')).toBe('plain');
  });

  it('keeps names a spreadsheet would run as formulas as text', () => {
    expect(csvField('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
  });

  it('writes numbers as they are and unknowns as empty cells', () => {
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(null)).toBe('');
  });

  it('writes one line per feature with exact money, CRLF line ends', () => {
    const rows = featureRows({
      byStatus: [
        row({ feature: '=cmd|"/c calc"!A1', status: 'ok', costUsd: '0.005772', requests: 3, outputTokens: 10 }),
        row({ feature: '=cmd|"/c calc"!A1', status: 'error', costUsd: '0.000001', requests: 1, errors: 1 }),
      ],
      baseline: [],
      monthToDate: [],
      allocations: [{ feature: '=cmd|"/c calc"!A1', monthlyUsd: '10' }],
      month,
    });
    const lines = featuresCsv(rows).split('\r\n');
    expect(lines[0]).toBe(
      'feature,cost_usd,calls,failed_calls,unpriced_calls,cost_per_successful_call_usd,error_rate,failed_calls_cost_usd,output_tokens_per_call,baseline_output_tokens_per_call,output_tokens_per_call_change,month_to_date_usd,monthly_allocation_usd,allocation_used,month_end_forecast_usd',
    );
    expect(lines[1]).toBe(`"'=cmd|""/c calc""!A1",0.005773,4,1,0,0.001924333333333333,0.25,0.000001,2.5,,,0.00,10.00,0,0.00`);
    expect(lines[2]).toBe('');
  });
});

describe(alertsOfFeature.name, () => {
  it('keeps the episodes scoped to the feature, whatever else their scope names', () => {
    const alerts = [{ scope: 'project' }, { scope: 'feature=search' }, { scope: 'feature=search&model=gpt-5' }, { scope: 'feature=search-v2' }, { scope: 'feature=a%26b' }];
    expect(alertsOfFeature(alerts, 'search').map((alert) => alert.scope)).toEqual(['feature=search', 'feature=search&model=gpt-5']);
    expect(alertsOfFeature(alerts, 'a&b')).toHaveLength(1);
  });
});

describe(moneyFloor.name, () => {
  it('never shows unpriced calls as a plain $0, and marks a total that leaves some out as a floor', () => {
    expect(moneyFloor('0.00', 3)).toBe('Unpriced');
    expect(moneyFloor('12.4', 3)).toBe('≥ $12.40');
    expect(moneyFloor('12.4', 0)).toBe('$12.40');
    expect(moneyFloor(null, 3)).toBe('—');
  });
});

describe(featureHref.name, () => {
  it('encodes the feature and keeps the range and filters', () => {
    expect(featureHref('a/b c', { range: '7d', model: 'gpt-5' })).toBe('/features/a%2Fb%20c?range=7d&model=gpt-5');
    expect(featureHref('search')).toBe('/features/search');
  });
});

describe(failedCallsCost.name, () => {
  it('sums only the failed calls of a status breakdown, exactly', () => {
    expect(failedCallsCost([row({ status: 'ok', costUsd: '5' }), row({ status: 'error', costUsd: '0.1' }), row({ status: 'error', costUsd: '0.2' })])).toBe('0.30');
    expect(failedCallsCost([])).toBe('0.00');
  });
});
