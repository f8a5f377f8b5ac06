import { defaultAlertRules, parseUsd } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import type { AlertEpisode } from '@/lib/api/types';
import {
  alertItems,
  alertMarkers,
  errorRate,
  firingAlerts,
  monthBounds,
  monthToDate,
  spendByLocalDay,
  sumAllocations,
  todayVsAverage,
} from '@/lib/shape/overview';

const spikeRule = { ...defaultAlertRules().dailySpendSpike };

function days(entries: Record<string, string>): Map<string, bigint> {
  return new Map(Object.entries(entries).map(([day, usd]) => [day, parseUsd(usd)]));
}

describe(spendByLocalDay.name, () => {
  it('reads day buckets as the local days they start, and sums the groups of a day exactly', () => {
    const rows = [
      { bucket: '2026-11-26T23:00:00.000Z', costUsd: '0.1' },
      { bucket: '2026-11-26T23:00:00.000Z', costUsd: '0.2' },
      { bucket: '2026-11-27T23:00:00.000Z', costUsd: '1.000000000000000001' },
    ];
    const byDay = spendByLocalDay(rows, 'Europe/Paris');
    expect([...byDay.keys()]).toEqual(['2026-11-27', '2026-11-28']);
    expect(byDay.get('2026-11-27')).toBe(parseUsd('0.3'));
    expect(byDay.get('2026-11-28')).toBe(parseUsd('1.000000000000000001'));
  });
});

describe(todayVsAverage.name, () => {
  const week = { '2026-11-22': '10', '2026-11-23': '10', '2026-11-24': '10', '2026-11-25': '10', '2026-11-26': '10', '2026-11-27': '10', '2026-11-28': '10' };

  it('compares today with the trailing 7 full days and draws the 120% line', () => {
    const figures = todayVsAverage(days({ ...week, '2026-11-29': '13' }), '2026-11-29', spikeRule);
    expect(figures.averageUsd).toBe('10.00');
    expect(figures.thresholdUsd).toBe('12.00');
    expect(figures.todayUsd).toBe('13.00');
    expect(figures.shareOfAverage).toBeCloseTo(1.3);
    expect(figures.outcome.state).toBe('firing');
    expect(figures.bars.map((bar) => bar.day)).toEqual([...Object.keys(week), '2026-11-29']);
    expect(figures.bars.at(-1)).toEqual({ day: '2026-11-29', costUsd: 13, today: true });
  });

  it('does not fire at exactly the threshold ("over 120%")', () => {
    expect(todayVsAverage(days({ ...week, '2026-11-29': '12' }), '2026-11-29', spikeRule).outcome.state).toBe('ok');
    expect(todayVsAverage(days({ ...week, '2026-11-29': '12.01' }), '2026-11-29', spikeRule).outcome.state).toBe('firing');
  });

  it('counts a trailing day without calls as $0 in the average but draws it as a gap', () => {
    const figures = todayVsAverage(days({ '2026-11-28': '7', '2026-11-29': '1' }), '2026-11-29', spikeRule);
    expect(figures.averageUsd).toBe('1.00');
    expect(figures.bars[0]).toEqual({ day: '2026-11-22', costUsd: null, today: false });
  });

  it('reads the threshold and the baseline length from the rules setting', () => {
    const figures = todayVsAverage(days({ '2026-11-27': '3', '2026-11-28': '5', '2026-11-29': '6' }), '2026-11-29', { ...spikeRule, thresholdPercent: 150, baselineDays: 2 });
    expect(figures.averageUsd).toBe('4.00');
    expect(figures.thresholdUsd).toBe('6.00');
    expect(figures.bars).toHaveLength(3);
    expect(figures.outcome.state).toBe('ok');
  });

  it('says too small a baseline cannot be judged, and has no share of a $0 average', () => {
    const figures = todayVsAverage(days({ '2026-11-29': '5' }), '2026-11-29', spikeRule);
    expect(figures.outcome.state).toBe('insufficient_data');
    expect(figures.shareOfAverage).toBeNull();
  });
});

describe(monthToDate.name, () => {
  // Nov 2026 has 30 days; at noon on the 10th, 9.5 days have passed.
  const now = new Date('2026-11-10T12:00:00Z');
  const byDay = days(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`2026-11-${String(i + 1).padStart(2, '0')}`, '19'])));

  it('sums the month so far and forecasts month end as the allocation rule does', () => {
    const figures = monthToDate({ byDay, now, timezone: 'UTC', allocationUsd: parseUsd('500'), forecastMinDays: 3 });
    expect(figures.monthLabel).toBe('November 2026');
    expect(figures.monthToDateUsd).toBe('190.00');
    expect(figures.allocationUsd).toBe('500.00');
    expect(figures.allocationShare).toBeCloseTo(0.38);
    // 190 × 30 / 9.5 = 600
    expect(figures.forecastUsd).toBe('600.00');
    expect(figures.forecastShare).toBeCloseTo(1.2);
  });

  it('states the month so far against the project’s budget, apart from the allocations', () => {
    // $190.00 of a $250.00 budget: 76%.
    const figures = monthToDate({ byDay, now, timezone: 'UTC', allocationUsd: parseUsd('500'), budgetUsd: parseUsd('250'), forecastMinDays: 3 });
    expect(figures.budgetUsd).toBe('250.00');
    expect(figures.budgetShare).toBe(0.76);
    expect(figures.allocationShare).toBeCloseTo(0.38);
    const none = monthToDate({ byDay, now, timezone: 'UTC', allocationUsd: null, forecastMinDays: 3 });
    expect([none.budgetUsd, none.budgetShare]).toEqual([null, null]);
  });

  it('draws the actual line to today and the dashed forecast from today to exactly the forecast', () => {
    const { points } = monthToDate({ byDay, now, timezone: 'UTC', allocationUsd: null, forecastMinDays: 3 });
    expect(points).toHaveLength(30);
    expect(points[0]).toEqual({ day: '2026-11-01', actual: 19, forecast: null });
    expect(points[9]).toEqual({ day: '2026-11-10', actual: 190, forecast: 190 });
    expect(points[10]!.actual).toBeNull();
    expect(points[29]!.forecast).toBeCloseTo(600);
  });

  it('has no forecast in the first days of the month, and no allocation share without allocations', () => {
    const early = monthToDate({ byDay: days({ '2026-11-01': '5' }), now: new Date('2026-11-02T06:00:00Z'), timezone: 'UTC', allocationUsd: null, forecastMinDays: 3 });
    expect(early.forecastUsd).toBeNull();
    expect(early.allocationShare).toBeNull();
    expect(early.points.filter((point) => point.forecast !== null)).toEqual([]);
  });

  it('uses the project time zone for the month and the day', () => {
    // 23:30 UTC on Nov 30 is already December 1 in Paris.
    const figures = monthToDate({ byDay: days({ '2026-12-01': '2' }), now: new Date('2026-11-30T23:30:00Z'), timezone: 'Europe/Paris', allocationUsd: null, forecastMinDays: 0 });
    expect(figures.monthLabel).toBe('December 2026');
    expect(figures.monthToDateUsd).toBe('2.00');
    expect(figures.points).toHaveLength(31);
  });
});

describe('allocations and months', () => {
  it('sums every feature allocation exactly, and says none when there are none', () => {
    expect(sumAllocations([{ feature: 'a', monthlyUsd: '0.10' }, { feature: 'b', monthlyUsd: '0.20' }])).toBe(parseUsd('0.3'));
    expect(sumAllocations([])).toBeNull();
  });

  it('finds the next month across a year end', () => {
    expect(monthBounds('2026-12-15')).toEqual({ first: '2026-12-01', next: '2027-01-01' });
    expect(monthBounds('2026-02-28')).toEqual({ first: '2026-02-01', next: '2026-03-01' });
  });
});

const episode = (over: Partial<AlertEpisode>): AlertEpisode => ({
  episodeId: 'e1',
  rule: 'dailySpendSpike',
  scope: 'project',
  status: 'firing',
  severity: 'warning',
  startedAt: '2026-11-28T09:00:00.000Z',
  resolvedAt: null,
  lastNotifiedAt: null,
  values: {},
  ...over,
});

describe('alerts on the overview', () => {
  it('marks each day an alert started in the range once, naming the rules', () => {
    const alerts = [
      episode({ episodeId: 'a', startedAt: '2026-11-28T09:00:00Z' }),
      episode({ episodeId: 'b', rule: 'errorRate', startedAt: '2026-11-28T23:30:00Z' }),
      episode({ episodeId: 'c', startedAt: '2026-10-01T00:00:00Z' }),
    ];
    expect(alertMarkers(alerts, 'UTC', ['2026-11-28', '2026-11-29'])).toEqual([{ bucket: '2026-11-28', label: '2 alerts: Daily spend spike, Error rate' }]);
    // In Paris the second one started on the 29th.
    expect(alertMarkers(alerts, 'Europe/Paris', ['2026-11-28', '2026-11-29']).map((marker) => marker.bucket)).toEqual(['2026-11-28', '2026-11-29']);
  });

  it('lists firing episodes, critical first, then the newest, with their reason and scope', () => {
    const alerts = [
      episode({ episodeId: 'old', startedAt: '2026-11-27T00:00:00Z' }),
      episode({ episodeId: 'resolved', status: 'resolved' }),
      episode({ episodeId: 'new', startedAt: '2026-11-28T00:00:00Z', scope: 'feature=search&model=gpt-5', values: { reason: 'today is 134%' } }),
      episode({ episodeId: 'critical', severity: 'critical', rule: 'featureAllocation', startedAt: '2026-11-01T00:00:00Z' }),
    ];
    const firing = firingAlerts(alerts, defaultAlertRules());
    expect(firing.map((alert) => alert.episodeId)).toEqual(['critical', 'new', 'old']);
    expect(firing[0]!.title).toBe('Feature over its monthly allocation');
    expect(firing[1]).toMatchObject({ scope: 'feature search · model gpt-5', reason: 'today is 134%' });
    expect(firing[2]!.reason).toBeNull();
  });

  it('lists a feature’s episodes firing first, then resolved ones, newest first', () => {
    const alerts = [
      episode({ episodeId: 'resolved-new', status: 'resolved', startedAt: '2026-11-28T00:00:00Z' }),
      episode({ episodeId: 'firing-old', startedAt: '2026-11-01T00:00:00Z' }),
      episode({ episodeId: 'resolved-old', status: 'resolved', startedAt: '2026-11-02T00:00:00Z' }),
    ];
    expect(alertItems(alerts, defaultAlertRules()).map((alert) => [alert.episodeId, alert.status])).toEqual([
      ['firing-old', 'firing'],
      ['resolved-new', 'resolved'],
      ['resolved-old', 'resolved'],
    ]);
  });

});

describe(errorRate.name, () => {
  it('is a share of calls, and unknown (not 0%) without calls', () => {
    expect(errorRate({ requests: 200, errors: 5 })).toBe(0.025);
    expect(errorRate({ requests: 0, errors: 0 })).toBeNull();
  });
});
