import type { Insight } from '@/lib/api/types';

/** An insight as `/api/v1/insights` answers it (the contract's example), with what a test changes. */
export function insightOf(overrides: Partial<Insight> & Pick<Insight, 'id' | 'monthlySavingUsd'>): Insight {
  return {
    strategy: 'prompt-caching',
    title: 'Cache the shared prompt prefix of ticket-summary',
    feature: 'ticket-summary',
    endpoint: '',
    model: 'gpt-5-2025-08-07',
    evidence: {
      summary: '18,400 calls share 3 prompt prefixes; 0% read from cache',
      figures: { calls: 18400, uncachedPrefixTokens: 36800000 },
      from: '2026-10-30T00:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
    },
    confidence: 'high',
    caveat: 'Assumes the prefix stays identical for 5 minutes between calls',
    ...overrides,
  };
}
