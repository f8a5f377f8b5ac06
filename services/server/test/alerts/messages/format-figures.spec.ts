import { parseUsd } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { describeComparison, sparkline } from '../../../src/alerts/messages/index.js';

describe(describeComparison.name, () => {
  it('states the value against its reference with the exact share', () => {
    const comparison = { unit: 'usd' as const, value: parseUsd('1210'), reference: parseUsd('1000'), valueLabel: 'today', referenceLabel: '7-day average' };
    expect(describeComparison(comparison).sentence).toBe('$1,210.00 today vs $1,000.00 7-day average, 121%');
    // 119.5% rounds half up to 120%, from exact atto-dollars rather than floats.
    expect(describeComparison({ ...comparison, value: parseUsd('1195') }).share).toBe('120%');
    expect(describeComparison({ ...comparison, reference: 0n }).share).toBeNull();
  });

  it('gives no share between two percentages', () => {
    const comparison = { unit: 'percent' as const, value: 3.1, reference: 2, valueLabel: 'of calls failed', referenceLabel: 'threshold' };
    expect(describeComparison(comparison).sentence).toBe('3.1% of calls failed vs 2.0% threshold');
  });
});

describe(sparkline.name, () => {
  it('draws the lowest value at the bottom and the highest at the top', () => {
    expect(sparkline([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([0.5, 0.5, 0.5])).toBe('▄▄▄');
    expect(sparkline([])).toBe('');
  });
});
