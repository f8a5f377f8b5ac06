import { describe, expect, it } from 'vitest';
import {
  CostscopeCatalogError,
  MODEL_TIERS,
  PRICE_CATALOG,
  createPriceCatalog,
  formatUsd,
  modelNameKey,
  priceCall,
  type CatalogModel,
} from '../src/index.js';

const at = new Date('2026-11-01T00:00:00Z');
const catalog = createPriceCatalog();

describe('the price catalog', () => {
  it('holds every model the article prices, at the article’s prices per million tokens', () => {
    const rows = Object.fromEntries(
      catalog.effectivePrices(at).map((p) => [p.modelId, [formatUsd(p.inputPerMillion), formatUsd(p.outputPerMillion)]]),
    );
    expect(rows).toEqual({
      'claude-opus-4-6': ['$5.00', '$25.00'],
      'claude-sonnet-4-6': ['$3.00', '$15.00'],
      'deepseek-v3.2': ['$0.28', '$0.42'],
      'gpt-4.1-mini': ['$0.40', '$1.60'],
      'gpt-5': ['$1.25', '$10.00'],
      'gpt-5-mini': ['$0.25', '$2.00'],
      'gpt-5-nano': ['$0.05', '$0.40'],
      'gpt-5.2': ['$1.75', '$14.00'],
      'mistral-small-3.2': ['$0.06', '$0.18'],
      o3: ['$2.00', '$8.00'],
      'o4-mini': ['$1.10', '$4.40'],
    });
  });

  it('places models in the article’s routing tiers', () => {
    const tierOf = (id: string) => PRICE_CATALOG.find((m) => m.id === id)?.tier;
    expect(['gpt-5-nano', 'mistral-small-3.2'].map(tierOf)).toEqual(['ultra-budget', 'ultra-budget']);
    expect(['gpt-5-mini', 'deepseek-v3.2'].map(tierOf)).toEqual(['efficient', 'efficient']);
    expect(['gpt-5', 'claude-sonnet-4-6'].map(tierOf)).toEqual(['flagship', 'flagship']);
    expect(['o4-mini', 'o3'].map(tierOf)).toEqual(['reasoning', 'reasoning']);
    for (const model of PRICE_CATALOG) expect(MODEL_TIERS).toContain(model.tier);
  });

  it('bills Anthropic cache writes at 1.25× input and cache reads at 10% of input', () => {
    for (const id of ['claude-sonnet-4-6', 'claude-opus-4-6']) {
      const price = catalog.resolve(id, at)!;
      expect(price.cacheWritePerMillion! * 4n).toBe(price.inputPerMillion * 5n);
      expect(price.cachedInputPerMillion! * 10n).toBe(price.inputPerMillion);
    }
  });

  it('gives the batch discount of 50% where the provider has a batch API', () => {
    expect(catalog.resolve('gpt-5', at)!.batchDiscountPercent).toBe(50);
    expect(catalog.resolve('claude-sonnet-4-6', at)!.batchDiscountPercent).toBe(50);
    expect(catalog.resolve('deepseek-v3.2', at)!.batchDiscountPercent).toBeNull();
  });

  it('names the price version a call was priced with', () => {
    expect(catalog.resolve('gpt-5', at)!.priceVersion).toBe('catalog:gpt-5@2025-08-07');
  });
});

describe('model-name resolution', () => {
  it.each([
    ['gpt-5-2025-08-07', 'gpt-5'],
    ['openai/gpt-5', 'gpt-5'],
    ['GPT-5', 'gpt-5'],
    ['gpt_5_mini', 'gpt-5-mini'],
    ['gpt-5-mini-2025-08-07', 'gpt-5-mini'],
    ['gpt-5.2-2025-12-11', 'gpt-5.2'],
    ['azure/gpt-4.1-mini', 'gpt-4.1-mini'],
    ['anthropic/claude-sonnet-4-6', 'claude-sonnet-4-6'],
    ['claude-sonnet-4.6', 'claude-sonnet-4-6'],
    ['Claude Sonnet 4.6', 'claude-sonnet-4-6'],
    ['claude-opus-4-6-20260205', 'claude-opus-4-6'],
    ['openrouter/anthropic/claude-opus-4.6', 'claude-opus-4-6'],
    ['us.anthropic.claude-sonnet-4-6-v1:0', 'claude-sonnet-4-6'],
    ['claude-sonnet-4-6@20260217', 'claude-sonnet-4-6'],
    ['mistral-small-2506', 'mistral-small-3.2'],
    ['deepseek-chat', 'deepseek-v3.2'],
    ['O4-Mini', 'o4-mini'],
  ])('resolves %s to %s', (name, id) => {
    expect(catalog.resolve(name, at)?.modelId).toBe(id);
  });

  it.each(['gpt-5-pro', 'gpt-4o', 'claude-sonnet-4-5', 'ft:gpt-4.1-mini-2025-04-14:acme::abc123', 'gpt-5-mini-x', ''])(
    'does not guess a price for %j',
    (name) => {
      expect(catalog.resolve(name, at)).toBeUndefined();
    },
  );

  it('never confuses a model with a longer name that starts the same', () => {
    expect(modelNameKey('gpt-5-mini')).not.toBe(modelNameKey('gpt-5'));
    expect(modelNameKey('gpt-5.2')).not.toBe(modelNameKey('gpt-5'));
  });
});

describe('unknown models', () => {
  it('are unpriced, never $0', () => {
    const cost = priceCall(catalog, { model: 'llama-9-ultra', at, usage: { inputTokens: 10, outputTokens: 10 } });
    expect(cost).toEqual({ status: 'unpriced', model: 'llama-9-ultra', reason: 'unknown_model' });
  });

  it('say when a known model is asked for before its first price', () => {
    const cost = priceCall(catalog, {
      model: 'gpt-5',
      at: new Date('2024-01-01T00:00:00Z'),
      usage: { inputTokens: 10, outputTokens: 10 },
    });
    expect(cost).toMatchObject({ status: 'unpriced', reason: 'no_price_at_time' });
  });
});

describe('price versions', () => {
  const models: CatalogModel[] = [
    {
      id: 'gpt-5',
      displayName: 'GPT-5',
      provider: 'openai',
      tier: 'flagship',
      tierSource: 'article',
      aliases: [],
      prices: [
        { effectiveFrom: '2026-06-01', inputPerMillion: '1.00', cachedInputPerMillion: '0.10', cacheWritePerMillion: null, outputPerMillion: '8.00', batchDiscountPercent: 50 },
        { effectiveFrom: '2025-08-07', inputPerMillion: '1.25', cachedInputPerMillion: '0.125', cacheWritePerMillion: null, outputPerMillion: '10.00', batchDiscountPercent: 50 },
      ],
    },
  ];
  const versioned = createPriceCatalog({ models });

  it('prices a call with the version in force at its time, from the start of the effective day (UTC)', () => {
    expect(versioned.resolve('gpt-5', new Date('2026-05-31T23:59:59.999Z'))!.priceVersion).toBe('catalog:gpt-5@2025-08-07');
    expect(versioned.resolve('gpt-5', new Date('2026-06-01T00:00:00Z'))!.priceVersion).toBe('catalog:gpt-5@2026-06-01');
  });
});

describe('project overrides', () => {
  const overridden = createPriceCatalog({
    overrides: [
      { model: 'openai/gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1.00', outputPerMillion: '8.00', batchDiscountPercent: 50 },
      { model: 'ft:gpt-4.1-mini:acme::abc', effectiveFrom: '2026-09-01', inputPerMillion: '0.80', cachedInputPerMillion: '0.20', outputPerMillion: '3.20' },
    ],
  });

  it('apply from their date on, and the catalog applies before it', () => {
    const before = overridden.resolve('gpt-5-2025-08-07', new Date('2026-09-30T23:59:59Z'))!;
    const after = overridden.resolve('gpt-5-2025-08-07', new Date('2026-10-01T00:00:00Z'))!;
    expect([before.source, before.priceVersion]).toEqual(['catalog', 'catalog:gpt-5@2025-08-07']);
    expect([after.source, after.priceVersion, formatUsd(after.inputPerMillion)]).toEqual([
      'override',
      'override:gpt-5@2026-10-01',
      '$1.00',
    ]);
  });

  it('price models the catalog does not know, such as a fine-tuned model', () => {
    const cost = priceCall(overridden, {
      model: 'ft:gpt-4.1-mini:acme::abc',
      at,
      usage: { inputTokens: 1_000_000, cacheReadInputTokens: 500_000, outputTokens: 1_000_000 },
    });
    expect(cost.status === 'priced' && formatUsd(cost.breakdown.totalUsd)).toBe('$3.70');
  });

  it('appear in the effective price list in place of the catalog price', () => {
    const listed = overridden.effectivePrices(at).filter((p) => p.modelId === 'gpt-5');
    expect(listed.map((p) => p.priceVersion)).toEqual(['override:gpt-5@2026-10-01']);
  });

  it.each([
    [{ model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '-1', outputPerMillion: '8' }, /inputPerMillion/],
    [{ model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '0.0000000001', outputPerMillion: '8' }, /at most 9 decimals/],
    [{ model: 'gpt-5', effectiveFrom: 'next tuesday', inputPerMillion: '1', outputPerMillion: '8' }, /effectiveFrom/],
    [{ model: '', effectiveFrom: '2026-10-01', inputPerMillion: '1', outputPerMillion: '8' }, /model/],
    [{ model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1', outputPerMillion: '8', batchDiscountPercent: 120 }, /batchDiscountPercent/],
  ])('reject an invalid override with an error naming the field (%#)', (override, message) => {
    expect(() => createPriceCatalog({ overrides: [override] })).toThrow(CostscopeCatalogError);
    expect(() => createPriceCatalog({ overrides: [override] })).toThrow(message);
  });

  it('reject two overrides of one model starting at the same time', () => {
    const twice = { model: 'gpt-5', effectiveFrom: '2026-10-01', inputPerMillion: '1', outputPerMillion: '8' };
    expect(() => createPriceCatalog({ overrides: [twice, { ...twice, model: 'GPT-5' }] })).toThrow(/Two price overrides/);
  });
});

describe('catalog integrity', () => {
  it('rejects a catalog where one name points at two models', () => {
    const [gpt5] = PRICE_CATALOG;
    const clash: CatalogModel = { ...gpt5!, id: 'gpt-5-clone', aliases: ['GPT-5'] };
    expect(() => createPriceCatalog({ models: [gpt5!, clash] })).toThrow(/names both gpt-5 and gpt-5-clone/);
  });

  it('has no price with more decimals than the math keeps exactly, and each version is dated', () => {
    for (const model of PRICE_CATALOG) {
      for (const version of model.prices) {
        expect(version.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        const written = [version.inputPerMillion, version.cachedInputPerMillion, version.cacheWritePerMillion, version.outputPerMillion];
        for (const price of written.filter((p): p is string => p !== null)) {
          expect(price, `${model.id} ${price}`).toMatch(/^\d+(?:\.\d{1,9})?$/);
        }
      }
    }
  });
});
