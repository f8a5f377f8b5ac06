import { describe, expect, it } from 'vitest';
import { sheddingAction } from './shedding.js';

describe('sheddingAction', () => {
  const allow = { whenUnreachable: 'allow' as const, maxWaits: 2 };
  const deny = { whenUnreachable: 'deny' as const, maxWaits: 2 };

  it('runs everything while the budget is not spent', () => {
    for (const priority of ['critical', 'important', 'optional', undefined] as const) expect(sheddingAction(priority, 'within', deny, 0)).toBe('run');
  });

  it('with the budget spent: critical runs, important waits its turns then is refused, optional is refused', () => {
    expect(sheddingAction('critical', 'spent', deny, 0)).toBe('run');
    expect(sheddingAction(undefined, 'spent', deny, 0)).toBe('run');
    expect(sheddingAction('important', 'spent', allow, 0)).toBe('wait');
    expect(sheddingAction('important', 'spent', allow, 1)).toBe('wait');
    expect(sheddingAction('important', 'spent', allow, 2)).toBe('refuse');
    expect(sheddingAction('optional', 'spent', allow, 0)).toBe('refuse');
  });

  it('with the budget unknown: critical runs, the rest follow whenUnreachable', () => {
    expect(sheddingAction('critical', 'unknown', deny, 0)).toBe('run');
    expect(sheddingAction('important', 'unknown', allow, 0)).toBe('run');
    expect(sheddingAction('optional', 'unknown', allow, 0)).toBe('run');
    expect(sheddingAction('important', 'unknown', deny, 0)).toBe('refuse');
    expect(sheddingAction('optional', 'unknown', deny, 0)).toBe('refuse');
  });
});
