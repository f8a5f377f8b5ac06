import { describe, expect, it } from 'vitest';
import { cumulativeWithForecast, onceEach, OTHERS_SERIES, stackTopSeries } from '@/lib/chart-data';

const row = (feature: string, bucket: string, costUsd: string) => ({ feature, bucket: `${bucket}T00:00:00.000Z`, costUsd });

describe(stackTopSeries.name, () => {
  it('keeps the top series by total and folds the rest into others, saying how many', () => {
    const rows = ['a', 'b', 'c', 'd'].flatMap((feature, i) => [row(feature, '2026-11-01', String(10 - i))]);
    const { series, points, shownOf } = stackTopSeries(rows, { dimension: 'feature', buckets: ['2026-11-01'], top: 2 });
    expect(series.map((s) => s.key)).toEqual(['a', 'b', OTHERS_SERIES]);
    expect(series[2]!.label).toBe('Others (2)');
    expect(points[0]).toEqual({ bucket: '2026-11-01', a: 10, b: 9, [OTHERS_SERIES]: 15 });
    expect(shownOf).toEqual({ shown: 2, of: 4 });
  });

  it('does not fold a single leftover series into others', () => {
    const rows = ['a', 'b', 'c'].map((feature) => row(feature, '2026-11-01', '1'));
    const { series, shownOf } = stackTopSeries(rows, { dimension: 'feature', buckets: ['2026-11-01'], top: 2 });
    expect(series.map((s) => s.key)).toEqual(['a', 'b', 'c']);
    expect(shownOf).toBeNull();
  });

  it('draws a day without any data as a gap (null), and a series absent on a day with data as 0', () => {
    const rows = [row('a', '2026-11-01', '2'), row('b', '2026-11-03', '1')];
    const { points } = stackTopSeries(rows, { dimension: 'feature', buckets: ['2026-11-01', '2026-11-02', '2026-11-03'] });
    expect(points).toEqual([
      { bucket: '2026-11-01', a: 2, b: 0 },
      { bucket: '2026-11-02', a: null, b: null },
      { bucket: '2026-11-03', a: 0, b: 1 },
    ]);
  });

  it('names calls without the tag instead of showing an empty label', () => {
    const { series } = stackTopSeries([{ feature: '', bucket: '2026-11-01T00:00:00Z', costUsd: '1' }], { dimension: 'feature', buckets: ['2026-11-01'] });
    expect(series[0]!.label).toBe('(untagged)');
  });
});

describe(cumulativeWithForecast.name, () => {
  it('projects the month-end from the average daily spend so far, joining the actual line at today', () => {
    const daily = [
      { day: '2026-11-01', costUsd: 10 },
      { day: '2026-11-02', costUsd: 20 },
      { day: '2026-11-03', costUsd: null },
      { day: '2026-11-04', costUsd: null },
    ];
    expect(cumulativeWithForecast(daily, '2026-11-02')).toEqual([
      { day: '2026-11-01', actual: 10, forecast: null },
      { day: '2026-11-02', actual: 30, forecast: 30 },
      { day: '2026-11-03', actual: null, forecast: 45 },
      { day: '2026-11-04', actual: null, forecast: 60 },
    ]);
  });
});

describe(onceEach.name, () => {
  it('works each distinct key out once, however many rows share it', () => {
    const asked: string[] = [];
    const dayOf = onceEach((iso) => {
      asked.push(iso);
      return iso.slice(0, 10);
    });
    expect(['2026-11-01T23:00:00Z', '2026-11-02T23:00:00Z', '2026-11-01T23:00:00Z', '2026-11-01T23:00:00Z'].map(dayOf)).toEqual(['2026-11-01', '2026-11-02', '2026-11-01', '2026-11-01']);
    expect(asked).toEqual(['2026-11-01T23:00:00Z', '2026-11-02T23:00:00Z']);
  });

  it('is what stackTopSeries buckets rows with: one bucketOf call per bucket instant, not per row', () => {
    let calls = 0;
    const rows = ['a', 'b', 'c', 'd'].flatMap((feature) => [row(feature, '2026-11-01', '1'), row(feature, '2026-11-02', '2')]);
    const { points } = stackTopSeries(rows, {
      dimension: 'feature',
      buckets: ['2026-11-01', '2026-11-02'],
      bucketOf: (iso) => {
        calls++;
        return iso.slice(0, 10);
      },
    });
    expect(points).toEqual([
      { bucket: '2026-11-01', a: 1, b: 1, c: 1, d: 1 },
      { bucket: '2026-11-02', a: 2, b: 2, c: 2, d: 2 },
    ]);
    expect(calls).toBe(2);
  });
});
