import { describe, expect, it } from 'vitest';
import { isoWeekOfDay, localTime, previousIsoWeek, startOfLocalDay } from '../src/time/zoned-time.js';

describe('zoned time', () => {
  it('starts local days at local midnight, across daylight-saving changes', () => {
    expect(startOfLocalDay('2026-11-23', 'Europe/Paris').toISOString()).toBe('2026-11-22T23:00:00.000Z');
    expect(startOfLocalDay('2026-07-01', 'Europe/Paris').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    // The days the clocks change: the offset before midnight applies.
    expect(startOfLocalDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay('2026-10-25', 'Europe/Paris').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'America/New_York').toISOString()).toBe('2026-11-23T05:00:00.000Z');
    expect(startOfLocalDay('2026-11-23', 'Asia/Kolkata').toISOString()).toBe('2026-11-22T18:30:00.000Z');
  });

  it('reads the local day, weekday and time of an instant', () => {
    // Sunday 23:30 UTC is already Monday 00:30 in Paris.
    expect(localTime(new Date('2026-11-22T23:30:00Z'), 'Europe/Paris')).toEqual({ day: '2026-11-23', isoWeekday: 1, minuteOfDay: 30 });
    expect(localTime(new Date('2026-11-22T23:30:00Z'), 'UTC')).toEqual({ day: '2026-11-22', isoWeekday: 7, minuteOfDay: 23 * 60 + 30 });
  });

  it('numbers ISO weeks by their Thursday', () => {
    expect(isoWeekOfDay('2026-11-23')).toBe('2026-W48');
    expect(isoWeekOfDay('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOfDay('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOfDay('2021-01-03')).toBe('2020-W53');
    expect(previousIsoWeek(new Date('2026-11-23T08:00:00Z'), 'Europe/Paris')).toBe('2026-W47');
  });
});
