import { rangePickerDays } from '@/lib/time-range';
import { describe, expect, it } from 'vitest';
import type { CostFigures, CostRow } from '@/lib/api/types';
import { OTHERS_SERIES } from '@/lib/chart-data';
import { exploreCsv } from '@/lib/shape/explore-csv';
import {
  bucketKey,
  bucketLabel,
  bucketsOfRange,
  bucketTick,
  chooseInterval,
  drillDown,
  exploreGroupRows,
  exploreSearch,
  exploreSeries,
  filterValueOptions,
  groupLabel,
  parseExploreState,
  parseFilters,
  parseGroupBy,
  parseMetric,
  urlRangeParams,
  withoutFilter,
  type ExploreState,
} from '@/lib/shape/explore';

const figures = (costUsd: string, requests = 1, extra: Partial<CostFigures> = {}): CostFigures => ({
  costUsd,
  requests,
  errors: 0,
  inputTokens: 100,
  cachedInputTokens: 0,
  outputTokens: 10,
  unpricedRequests: 0,
  costPerSuccessUsd: costUsd,
  ...extra,
});

const at = (iso: string) => new Date(iso);

describe('Explore URL state', () => {
  it('reads one or two known dimensions from groupBy, ignoring unknown, repeated and extra ones', () => {
    expect(parseGroupBy('feature,model')).toEqual(['feature', 'model']);
    expect(parseGroupBy('bogus,model,model')).toEqual(['model']);
    expect(parseGroupBy('feature,model,user')).toEqual(['feature', 'model']);
    expect(parseGroupBy(['userTier', 'status'])).toEqual(['userTier', 'status']);
  });

  it('groups by feature when groupBy is missing or holds nothing known', () => {
    expect(parseGroupBy(undefined)).toEqual(['feature']);
    expect(parseGroupBy('cost,,')).toEqual(['feature']);
  });

  it('reads filters named as the API names them, each a comma list, and nothing else', () => {
    expect(parseFilters({ feature: 'search,chat', model: 'gpt-5', groupBy: 'feature', range: '7d', colour: 'red' })).toEqual({
      feature: ['search', 'chat'],
      model: ['gpt-5'],
    });
  });

  it('drops empty and repeated filter values, and a filter left with none', () => {
    expect(parseFilters({ feature: ' search, ,search,', model: ',', user: ['u1', 'u2,u1'] })).toEqual({ feature: ['search'], user: ['u1', 'u2'] });
  });

  it('falls back to cost for an unknown metric', () => {
    expect(parseMetric('calls')).toBe('calls');
    expect(parseMetric('dollars')).toBe('cost');
  });

  it('writes a state back to a stable, readable URL and reads it again unchanged', () => {
    const state: ExploreState = { groupBy: ['feature', 'model'], filters: { model: ['gpt-5'], feature: ['search', 'chat'] }, metric: 'calls', interval: 'week', range: { range: '30d' } };
    const search = exploreSearch(state);
    expect(search).toBe('?range=30d&groupBy=feature,model&metric=calls&interval=week&feature=search,chat&model=gpt-5');
    const params = Object.fromEntries(new URLSearchParams(search));
    expect(parseExploreState(params, { range: '30d' })).toEqual({ ...state, filters: { feature: ['search', 'chat'], model: ['gpt-5'] } });
  });

  it('leaves defaults out of the URL and escapes values that need it', () => {
    expect(exploreSearch({ groupBy: ['user'], filters: { endpoint: ['/api/a&b'] }, metric: 'cost', range: { from: '2026-11-01', to: '2026-11-08' } })).toBe(
      '?from=2026-11-01&to=2026-11-08&groupBy=user&endpoint=%2Fapi%2Fa%26b',
    );
  });

  it('removes one filter and keeps the others', () => {
    const state: ExploreState = { groupBy: ['feature'], filters: { feature: ['a'], model: ['m'] }, metric: 'cost', range: {} };
    expect(withoutFilter(state, 'feature').filters).toEqual({ model: ['m'] });
  });
});

describe(chooseInterval.name, () => {
  const range = (hours: number) => ({ from: at('2026-11-01T00:00:00Z'), to: new Date(Date.parse('2026-11-01T00:00:00Z') + hours * 3_600_000) });

  it('buckets by hour for ranges of two days or less, by day up to about three months, by week beyond', () => {
    expect(chooseInterval(range(24))).toEqual({ interval: 'hour', auto: true });
    expect(chooseInterval(range(48))).toEqual({ interval: 'hour', auto: true });
    expect(chooseInterval(range(49))).toEqual({ interval: 'day', auto: true });
    expect(chooseInterval(range(30 * 24))).toEqual({ interval: 'day', auto: true });
    expect(chooseInterval(range(200 * 24))).toEqual({ interval: 'week', auto: true });
  });

  it('honours a chosen interval unless it would draw more bars than pixels', () => {
    expect(chooseInterval(range(30 * 24), 'week')).toEqual({ interval: 'week', auto: false });
    expect(chooseInterval(range(30 * 24), 'hour')).toEqual({ interval: 'hour', auto: false });
    expect(chooseInterval(range(90 * 24), 'hour')).toEqual({ interval: 'day', auto: true });
    expect(chooseInterval(range(24), 'fortnight')).toEqual({ interval: 'hour', auto: true });
  });
});

describe('buckets', () => {
  it('lists every local hour of a range, keyed in the project time zone', () => {
    const hours = bucketsOfRange({ from: at('2026-11-28T22:30:00Z'), to: at('2026-11-29T02:00:00Z') }, 'hour', 'UTC');
    expect(hours).toEqual(['2026-11-28T22:00', '2026-11-28T23:00', '2026-11-29T00:00', '2026-11-29T01:00']);
    expect(bucketKey('2026-11-28T23:00:00.000Z', 'hour', 'Europe/Paris')).toBe('2026-11-29T00:00');
  });

  it('lists Mondays for weeks, starting with the week the range starts in', () => {
    expect(bucketsOfRange({ from: at('2026-11-04T00:00:00Z'), to: at('2026-11-24T00:00:00Z') }, 'week', 'UTC')).toEqual(['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23']);
  });

  it('keys a day bucket by its local day, not its UTC date', () => {
    expect(bucketKey('2026-11-22T23:00:00.000Z', 'day', 'Europe/Paris')).toBe('2026-11-23');
  });

  it('labels ticks and tooltips by the bucket size', () => {
    expect(bucketTick('2026-11-28T14:00', 'hour')).toBe('14:00');
    expect(bucketTick('2026-11-28T00:00', 'hour')).toBe('Nov 28');
    expect(bucketLabel('2026-11-28T14:00', 'hour')).toBe('Sat, Nov 28, 14:00');
    expect(bucketLabel('2026-11-23', 'week')).toBe('Week of Mon, Nov 23');
  });
});

describe(exploreSeries.name, () => {
  const row = (feature: string, model: string, day: string, costUsd: string, requests = 1): CostRow => ({ feature, model, bucket: `${day}T00:00:00.000Z`, ...figures(costUsd, requests) });
  const days = ['2026-11-01', '2026-11-02', '2026-11-03'];

  it('stacks by the combination of two dimensions, named "feature · model"', () => {
    const rows = [row('search', 'gpt-5', '2026-11-01', '2'), row('search', 'gpt-5-mini', '2026-11-01', '1'), row('chat', 'gpt-5', '2026-11-02', '3')];
    const { series, points } = exploreSeries(rows, { groupBy: ['feature', 'model'], interval: 'day', timezone: 'UTC', buckets: days, metric: 'cost' });
    expect(series.map((s) => s.label)).toEqual(['chat · gpt-5', 'search · gpt-5', 'search · gpt-5-mini']);
    expect(groupLabel({ feature: 'search' }, ['feature', 'model'])).toBe('search · (untagged)');
    // Keys are safe for the chart library (a dotted model name would read as a path).
    expect(series.map((s) => s.key)).toEqual(['s0', 's1', 's2']);
    expect(points).toEqual([
      { bucket: '2026-11-01', s0: 0, s1: 2, s2: 1 },
      { bucket: '2026-11-02', s0: 3, s1: 0, s2: 0 },
      { bucket: '2026-11-03', s0: null, s1: null, s2: null },
    ]);
  });

  it('keeps the top 8 combinations and folds the rest into others', () => {
    const rows = Array.from({ length: 11 }, (_, i) => row(`f${i}`, 'm', '2026-11-01', String(20 - i)));
    const { series, shownOf, points } = exploreSeries(rows, { groupBy: ['feature', 'model'], interval: 'day', timezone: 'UTC', buckets: days.slice(0, 1), metric: 'cost' });
    expect(series).toHaveLength(9);
    expect(series.at(-1)).toMatchObject({ key: OTHERS_SERIES, label: 'Others (3)' });
    expect(shownOf).toEqual({ shown: 8, of: 11 });
    expect(points[0]![OTHERS_SERIES]).toBe(12 + 11 + 10);
  });

  it('ranks and stacks by the chosen metric', () => {
    const rows = [row('cheap-busy', 'm', '2026-11-01', '1', 100), row('dear-quiet', 'm', '2026-11-01', '50', 2)];
    const { series, points } = exploreSeries(rows, { groupBy: ['feature'], interval: 'day', timezone: 'UTC', buckets: days.slice(0, 1), metric: 'calls' });
    expect(series.map((s) => s.label)).toEqual(['cheap-busy', 'dear-quiet']);
    expect(points[0]).toEqual({ bucket: '2026-11-01', s0: 100, s1: 2 });
  });

  it('puts what rows the API cut held into others, so each bar keeps its real height', () => {
    const rows = [row('search', 'm', '2026-11-01', '5')];
    const bucketTotals: CostRow[] = [
      { bucket: '2026-11-01T00:00:00.000Z', ...figures('7') },
      { bucket: '2026-11-02T00:00:00.000Z', ...figures('4') },
    ];
    const { series, points } = exploreSeries(rows, { groupBy: ['feature'], interval: 'day', timezone: 'UTC', buckets: days, metric: 'cost', bucketTotals });
    expect(series.map((s) => s.label)).toEqual(['search', 'Others']);
    expect(points).toEqual([
      { bucket: '2026-11-01', s0: 5, [OTHERS_SERIES]: 2 },
      { bucket: '2026-11-02', s0: 0, [OTHERS_SERIES]: 4 },
      { bucket: '2026-11-03', s0: null, [OTHERS_SERIES]: null },
    ]);
  });
});

describe('groups table and drill-down', () => {
  const state: ExploreState = { groupBy: ['feature'], filters: { userTier: ['paid'] }, metric: 'cost', range: { range: '7d' } };

  it('gives each group its share of the total, exactly', () => {
    const rows: CostRow[] = [
      { feature: 'search', ...figures('0.75') },
      { feature: 'chat', ...figures('0.25') },
    ];
    const table = exploreGroupRows(rows, figures('1.00', 2), state);
    expect(table.map((r) => [r.label, r.costShare])).toEqual([
      ['search', 0.75],
      ['chat', 0.25],
    ]);
  });

  it('drills into a feature: keeps only it and groups by its models, keeping the other filters and range', () => {
    const [search] = exploreGroupRows([{ feature: 'search', ...figures('1') }], figures('1'), state);
    expect(search!.drillDownBy).toBe('model');
    expect(search!.drillDownHref).toBe('/explore?range=7d&groupBy=model&feature=search&userTier=paid');
  });

  it('drills into a combination with a filter per dimension, then groups by a third dimension', () => {
    const next = drillDown({ ...state, groupBy: ['feature', 'model'] }, { feature: 'search', model: 'gpt-5' });
    expect(next.filters).toEqual({ userTier: ['paid'], feature: ['search'], model: ['gpt-5'] });
    expect(next.groupBy).toEqual(['endpoint']);
  });

  it('does not group by a dimension already filtered to one value', () => {
    expect(drillDown({ ...state, groupBy: ['userTier'] }, { userTier: 'paid' }).groupBy).toEqual(['user']);
    expect(drillDown({ ...state, filters: { model: ['gpt-5'] } }, { feature: 'search' }).groupBy).toEqual(['endpoint']);
  });

  it('offers no drill-down for untagged calls, which the API cannot filter on', () => {
    const [untagged] = exploreGroupRows([{ feature: '', ...figures('1') }], figures('1'), state);
    expect(untagged!.label).toBe('(untagged)');
    expect(untagged!.drillDownHref).toBeNull();
  });
});

describe(filterValueOptions.name, () => {
  it('offers the values of the range, most costly first as the API ranks them, and keeps chosen ones', () => {
    const rows: CostRow[] = [
      { model: 'gpt-5', ...figures('3', 10) },
      { model: '', ...figures('2', 5) },
      { model: 'a,b', ...figures('1', 1) },
      { model: 'gpt-5-mini', ...figures('1', 40) },
    ];
    expect(filterValueOptions(rows, 'model', ['gpt-5-mini', 'retired-model']).map((o) => [o.value, o.requests])).toEqual([
      ['gpt-5', 10],
      ['gpt-5-mini', 40],
      ['retired-model', 0],
    ]);
  });
});

describe(urlRangeParams.name, () => {
  it('carries a preset, or custom dates exactly as the URL wrote them', () => {
    expect(urlRangeParams({ range: '7d', from: 'junk' }, '7d')).toEqual({ range: '7d' });
    expect(urlRangeParams({ from: '2026-11-01', to: ['2026-11-08', 'x'] }, 'custom')).toEqual({ from: '2026-11-01', to: '2026-11-08' });
  });
});

describe(exploreCsv.name, () => {
  it('writes one column per dimension, then the API’s exact figures, and keeps names a spreadsheet would run as text', () => {
    const rows: CostRow[] = [
      { feature: 'search', model: 'gpt-5', ...figures('0.005772', 1) },
      { feature: '=cmd', model: 'acme, llm', ...figures('0.00', 3, { unpricedRequests: 3, costPerSuccessUsd: null }) },
    ];
    expect(exploreCsv(rows, ['feature', 'model']).split('\r\n')).toEqual([
      'feature,model,cost_usd,calls,failed_calls,unpriced_calls,cost_per_successful_call_usd,input_tokens,cached_input_tokens,output_tokens',
      'search,gpt-5,0.005772,1,0,0,0.005772,100,0,10',
      "'=cmd,\"acme, llm\",0.00,3,0,3,,100,0,10",
      '',
    ]);
  });
});

describe(rangePickerDays.name, () => {
  it('gives the first and the last local day of a range whose end is exclusive', () => {
    expect(rangePickerDays({ from: at('2026-11-23T00:00:00Z'), to: at('2026-11-30T00:00:00Z'), timezone: 'UTC' })).toEqual({ fromDay: '2026-11-23', toDay: '2026-11-29' });
    expect(rangePickerDays({ from: at('2026-11-22T23:00:00Z'), to: at('2026-11-29T23:00:00Z'), timezone: 'Europe/Paris' })).toEqual({ fromDay: '2026-11-23', toDay: '2026-11-29' });
  });
});
