import { describe, expect, it } from 'vitest';
import type { InsightsAnswer } from '@/lib/api/types';
import { money } from '@/lib/format';
import {
  STRATEGIES,
  evidenceFigures,
  figureLabel,
  insightScope,
  insightsBySaving,
  projectionReduction,
  projectionRows,
  projectionSummary,
  projectionWaterfall,
  reductionPercent,
  strategyLabel,
  topSavings,
} from '@/lib/shape/savings';
import { insightOf } from './support/insights';

/** The article's "putting it all together" table: $3,000 a month down to $1,140. */
const articleProjection: InsightsAnswer['projection'] = {
  startUsd: '3000.00',
  steps: [
    { strategy: 'model-routing', savingUsd: '1200.00', remainingUsd: '1800.00' },
    { strategy: 'prompt-caching', savingUsd: '270.00', remainingUsd: '1530.00' },
    { strategy: 'output-caps', savingUsd: '153.00', remainingUsd: '1377.00' },
    { strategy: 'batching', savingUsd: '110.16', remainingUsd: '1266.84' },
    { strategy: 'response-caching', savingUsd: '126.684', remainingUsd: '1140.156' },
  ],
  endUsd: '1140.156',
};

describe(insightsBySaving.name, () => {
  it('puts the largest monthly saving first, comparing the exact amounts, not their text', () => {
    const ordered = insightsBySaving([
      insightOf({ id: 'batching:nightly-digest', monthlySavingUsd: '99.999999' }),
      insightOf({ id: 'model-routing:search:gpt-5', monthlySavingUsd: '1200.00' }),
      insightOf({ id: 'prompt-caching:ticket-summary:gpt-5', monthlySavingUsd: '270' }),
      insightOf({ id: 'output-caps:chat', monthlySavingUsd: '0.0042' }),
    ]);
    expect(ordered.map((insight) => insight.id)).toEqual(['model-routing:search:gpt-5', 'prompt-caching:ticket-summary:gpt-5', 'batching:nightly-digest', 'output-caps:chat']);
  });

  it('orders equal savings by id, so two answers in another order show the same page', () => {
    const a = insightOf({ id: 'b:x', monthlySavingUsd: '10.00' });
    const b = insightOf({ id: 'a:x', monthlySavingUsd: '10' });
    expect(insightsBySaving([a, b]).map((insight) => insight.id)).toEqual(['a:x', 'b:x']);
    expect(insightsBySaving([b, a]).map((insight) => insight.id)).toEqual(['a:x', 'b:x']);
  });

  it('gives the weekly review the three largest', () => {
    const insights = ['5', '50', '0.5', '500'].map((saving, index) => insightOf({ id: `s${index}`, monthlySavingUsd: saving }));
    expect(topSavings(insights).map((insight) => insight.monthlySavingUsd)).toEqual(['500', '50', '5']);
    expect(topSavings([])).toEqual([]);
  });
});

describe('an insight’s card', () => {
  it('names the feature with its endpoint or model, leaving out what the insight is not about', () => {
    expect(insightScope({ feature: 'ticket-summary', endpoint: '', model: 'gpt-5-2025-08-07' })).toBe('ticket-summary · gpt-5-2025-08-07');
    expect(insightScope({ feature: 'search', endpoint: '/api/search', model: '' })).toBe('search · /api/search');
    expect(insightScope({ feature: '', endpoint: '', model: '' })).toBe('(no feature)');
  });

  it('labels each evidence figure and shows counts grouped, money by the money rule, exact strings as given', () => {
    expect(figureLabel('uncachedPrefixTokens')).toBe('uncached prefix tokens');
    expect(figureLabel('p95OutputTokens')).toBe('p95 output tokens');
    expect(figureLabel('batchPriceUsd')).toBe('batch price');
    expect(evidenceFigures({ calls: 18400, cacheReadShare: 0.125, monthlyCostUsd: '8100.5', growthPerWeek: '12.5%' })).toEqual([
      { name: 'calls', label: 'calls', value: '18,400' },
      { name: 'cacheReadShare', label: 'cache read share', value: '0.125' },
      { name: 'monthlyCostUsd', label: 'monthly cost', value: '$8,100.50' },
      { name: 'growthPerWeek', label: 'growth per week', value: '12.5%' },
    ]);
  });

  it('names every strategy of the contract the way the article does, and what data it needs', () => {
    expect(Object.keys(STRATEGIES).sort()).toEqual(['batching', 'fine-tuning', 'model-routing', 'output-caps', 'prompt-caching', 'prompt-trimming', 'response-caching']);
    expect(strategyLabel('output-caps')).toBe('Output length control');
    // A strategy a newer server adds still shows, by its own name.
    expect(strategyLabel('semantic-caching')).toBe('semantic-caching');
    for (const { needs } of Object.values(STRATEGIES)) expect(needs.length).toBeGreaterThan(20);
  });
});

describe('the projection', () => {
  it('reproduces the article’s table: each saving as a share of what the step before left', () => {
    const rows = projectionRows(articleProjection);
    expect(rows.map((row) => [row.strategy, row.savingUsd === null ? '—' : money(row.savingUsd), row.savingPercent, money(row.newMonthlyUsd)])).toEqual([
      ['Starting point', '—', null, '$3,000.00'],
      ['Model routing', '$1,200.00', '−40.0%', '$1,800.00'],
      ['Prompt caching', '$270.00', '−15.0%', '$1,530.00'],
      ['Output length control', '$153.00', '−10.0%', '$1,377.00'],
      ['Batch non-urgent work', '$110.16', '−8.0%', '$1,266.84'],
      ['Response caching', '$126.68', '−10.0%', '$1,140.16'],
    ]);
    expect(projectionSummary(articleProjection)).toBe('From $3,000.00 to $1,140.16 a month (−62.0%)');
  });

  it('rounds a share half up on the exact amounts', () => {
    expect(reductionPercent('1', '3')).toBe('−33.3%');
    expect(reductionPercent('2', '3')).toBe('−66.7%');
    expect(reductionPercent('0.0005', '1')).toBe('−0.1%');
    expect(reductionPercent('0.0004', '1')).toBe('0.0%');
  });

  it('has no share of nothing: an empty range answers "0" for both ends', () => {
    const empty = { startUsd: '0', steps: [], endUsd: '0' };
    expect(projectionRows(empty)).toHaveLength(1);
    expect(projectionReduction(empty)).toBeNull();
    expect(projectionSummary(empty)).toBe('From $0.00 to $0.00 a month');
  });

  it('draws start → each strategy as a step down from what the one before left → end', () => {
    const bars = projectionWaterfall(articleProjection);
    expect(bars.map((bar) => [bar.name, bar.kind, bar.range, bar.usd])).toEqual([
      ['Now', 'total', [0, 3000], '3000.00'],
      ['Routing', 'saving', [1800, 3000], '1200.00'],
      ['Prompt cache', 'saving', [1530, 1800], '270.00'],
      ['Output caps', 'saving', [1377, 1530], '153.00'],
      ['Batching', 'saving', [1266.84, 1377], '110.16'],
      ['Response cache', 'saving', [1140.156, 1266.84], '126.684'],
      ['After', 'total', [0, 1140.156], '1140.156'],
    ]);
  });
});
