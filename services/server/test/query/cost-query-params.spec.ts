import { describe, expect, it } from 'vitest';
import { CostQueryParamError, parseCostQueryParams } from '../../src/query/cost-query-params.js';

const now = new Date('2026-11-28T10:00:00Z');
const parse = (query: Record<string, unknown>) => parseCostQueryParams(query, now, 'UTC');

function errorOf(query: Record<string, unknown>): CostQueryParamError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof CostQueryParamError) return error;
    throw error;
  }
  throw new Error('expected a CostQueryParamError');
}

describe('GET /api/v1/costs parameters', () => {
  it('default to the last 30 days, ungrouped', () => {
    expect(parse({})).toEqual({
      from: new Date('2026-10-29T10:00:00Z'),
      to: now,
      groupBy: [],
      interval: undefined,
      timezone: 'UTC',
      limit: undefined,
      filters: {},
    });
  });

  it('read group-bys, buckets, a time zone and filters', () => {
    const params = parse({
      from: '2026-11-01',
      to: '2026-11-08T00:00:00+01:00',
      groupBy: 'feature, model,feature',
      interval: 'day',
      timezone: 'Europe/Paris',
      feature: 'search,chat',
      userTier: 'free',
    });
    expect(params).toMatchObject({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-07T23:00:00Z'),
      groupBy: ['feature', 'model'],
      interval: 'day',
      timezone: 'Europe/Paris',
      filters: { feature: ['search', 'chat'], userTier: ['free'] },
    });
  });

  it.each([
    [{ groupBy: 'feature,colour' }, 'groupBy', /one of feature, endpoint, model/],
    [{ interval: 'month' }, 'interval', /hour|day|week/],
    [{ from: 'last tuesday' }, 'from', /./],
    [{ from: '2026-11-10', to: '2026-11-01' }, 'from', /must be before to/],
    [{ from: '2020-01-01' }, 'from', /at most 800 days/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA time zone/],
    [{ limit: '0' }, 'limit', /./],
    [{ groupby: 'feature' }, 'groupby', /unknown parameter/],
  ])('reject %j with a 400 naming the parameter', (query, parameter, message) => {
    const error = errorOf(query);
    expect(error.parameter).toBe(parameter);
    expect(error.message).toMatch(message);
  });
});
