import { describe, expect, it } from 'vitest';
import type { CostRow, PriceAnswer } from '@/lib/api/types';
import { addPriceHref, costPerPricedCall, modelCostRows, priceRows, repriceWindow, unpricedModels } from '@/lib/shape/models';

const row = (model: string, provider: string, costUsd: string, requests: number, unpricedRequests = 0): CostRow => ({
  model,
  provider,
  costUsd,
  requests,
  errors: 0,
  inputTokens: 1000,
  cachedInputTokens: 0,
  outputTokens: 100,
  unpricedRequests,
  costPerSuccessUsd: requests > unpricedRequests ? costUsd : null,
});

const price = (model: string, provider: string, source = 'catalog'): PriceAnswer => ({
  model,
  displayName: model,
  provider,
  tier: null,
  source,
  priceVersion: `${source}:${model}@2026-01-01`,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  inputPerMillionUsd: '1.00',
  cachedInputPerMillionUsd: null,
  cacheWritePerMillionUsd: null,
  outputPerMillionUsd: '8.00',
  batchDiscountPercent: 50,
});

describe(costPerPricedCall.name, () => {
  it('divides the exact cost by the calls a price applied to', () => {
    expect(costPerPricedCall('1.00', 3, 0)).toBe('0.333333333333333333');
    expect(costPerPricedCall('10.00', 5, 1)).toBe('2.50');
  });

  it('has no figure when no call was priced (never a $0 per call)', () => {
    expect(costPerPricedCall('0.00', 74, 74)).toBeNull();
    expect(costPerPricedCall('0', 0, 0)).toBeNull();
  });
});

describe(modelCostRows.name, () => {
  it('lists unpriced models first, then partly unpriced ones, then the rest by cost', () => {
    const rows = [row('gpt-5', 'openai', '5.00', 100), row('acme-llm-1', 'acme', '0.00', 74, 74), row('claude-sonnet-4-6', 'anthropic', '15.00', 80), row('gpt-5-mini', 'openai', '1.00', 90, 3)];
    const shaped = modelCostRows(rows, [price('gpt-5', 'openai'), price('claude-sonnet-4-6', 'anthropic'), price('gpt-5-mini', 'openai')]);
    expect(shaped.map((r) => [r.model, r.pricing])).toEqual([
      ['acme-llm-1', 'unpriced'],
      ['gpt-5-mini', 'partly-unpriced'],
      ['claude-sonnet-4-6', 'priced'],
      ['gpt-5', 'priced'],
    ]);
    expect(shaped[0]).toMatchObject({ costPerCallUsd: null, priceVersion: null, addPriceHref: '/settings?model=acme-llm-1#prices' });
  });

  it('finds the price of a dated or gateway-prefixed model name as the pricing does', () => {
    const [shaped] = modelCostRows([row('openai/gpt-5-2025-08-07', 'openai', '1', 1)], [price('gpt-5', 'openai', 'override')]);
    expect(shaped).toMatchObject({ priceVersion: 'override:gpt-5@2026-01-01', priceSource: 'override' });
  });
});

describe(unpricedModels.name, () => {
  it('merges models unpriced in the range with those the prices endpoint lists for the last 30 days', () => {
    const merged = unpricedModels([row('acme-llm-1', 'acme', '0', 74, 74), row('gpt-5', 'openai', '1', 3)], [
      { model: 'acme-llm-1', requests: 120, lastSeen: '2026-11-29T05:00:00Z' },
      { model: 'old-model', requests: 4, lastSeen: '2026-11-10T00:00:00Z' },
    ]);
    expect(merged.map((m) => [m.model, m.unpricedInRange, m.unpricedLast30Days, m.provider])).toEqual([
      ['acme-llm-1', 74, 120, 'acme'],
      ['old-model', 0, 4, null],
    ]);
  });
});

describe(priceRows.name, () => {
  it('lists the prices of models used in the range first and marks overrides', () => {
    const shaped = priceRows([price('a-model', 'zeta'), price('gpt-5', 'openai', 'override'), price('b-model', 'alpha')], [row('gpt-5', 'openai', '1', 1)]);
    expect(shaped.map((p) => [p.model, p.usedInRange, p.isOverride])).toEqual([
      ['gpt-5', true, true],
      ['b-model', false, false],
      ['a-model', false, false],
    ]);
  });
});

describe(repriceWindow.name, () => {
  it('says when a range starts before the raw retention (those calls cannot be re-priced)', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    expect(repriceWindow({ from: new Date('2026-11-01T00:00:00Z'), to: now }, 90, now).startsBeforeRetention).toBe(false);
    const old = repriceWindow({ from: new Date('2026-08-01T00:00:00Z'), to: now }, 90, now);
    expect(old).toEqual({ retainedFrom: new Date('2026-08-31T12:00:00Z'), startsBeforeRetention: true });
  });
});

describe(addPriceHref.name, () => {
  it('passes the model to the settings price form', () => {
    expect(addPriceHref('acme/llm 1')).toBe('/settings?model=acme%2Fllm%201#prices');
  });
});
