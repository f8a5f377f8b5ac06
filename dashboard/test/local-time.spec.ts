import { localTime as coreLocalTime } from '@costscope/core';
import { describe, expect, it } from 'vitest';
import { localTime } from '@/lib/local-time';

describe('localTime (one formatter per time zone)', () => {
  it('answers as core does, across days, DST changes and zones with odd offsets', () => {
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'];
    // A year in steps of a day and 67 minutes (every weekday, every hour of the day in turn), and
    // the half hours around Paris's and New York's clock changes.
    const start = Date.parse('2026-01-01T00:00:00Z');
    const instants: number[] = [];
    for (let instant = start; instant < start + 366 * 86_400_000; instant += (24 * 60 + 67) * 60_000) instants.push(instant);
    for (const change of ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z']) {
      for (const minutes of [-90, -30, 0, 30, 90]) instants.push(Date.parse(change) + minutes * 60_000);
    }
    for (const timezone of zones) {
      for (const instant of instants) {
        const at = new Date(instant);
        expect(localTime(at, timezone), `${at.toISOString()} in ${timezone}`).toEqual(coreLocalTime(at, timezone));
      }
    }
  });

  it('keeps zones apart: the same instant is a different day in Paris and New York', () => {
    const at = new Date('2026-11-27T02:00:00Z');
    expect(localTime(at, 'Europe/Paris').day).toBe('2026-11-27');
    expect(localTime(at, 'America/New_York').day).toBe('2026-11-26');
    expect(localTime(at, 'Europe/Paris').day).toBe('2026-11-27');
  });
});
