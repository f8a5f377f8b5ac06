import { describe, expect, it } from 'vitest';
import { addLocalDays, isoWeekOfDay, localTime, previousIsoWeek, startOfLocalDay } from '../src/time/zoned-time.js';

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

  // A year in steps of a day and 67 minutes (every weekday, every hour of the day in turn), and the
  // half hours around Paris's and New York's clock changes, in zones with DST and odd offsets.
  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'];
  const yearStart = Date.parse('2026-01-01T00:00:00Z');
  const instants: number[] = [];
  for (let instant = yearStart; instant < yearStart + 366 * 86_400_000; instant += (24 * 60 + 67) * 60_000) instants.push(instant);
  for (const change of ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z', '2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z']) {
    for (const minutes of [-90, -30, 0, 30, 90]) instants.push(Date.parse(change) + minutes * 60_000);
  }

  it('reads every local day and time as an independent reading of the zone does, zones interleaved', () => {
    // Swedish dates are ISO (`2026-03-29 02:30`), read with a formatter of another locale built per call.
    const reference = (at: Date, timezone: string) => {
      const [day = '', time = ''] = at
        .toLocaleString('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .split(' ');
      const [hour, minute] = time.split(':').map(Number);
      return { day, isoWeekday: new Date(`${day}T00:00:00Z`).getUTCDay() || 7, minuteOfDay: hour! * 60 + minute! };
    };
    for (const instant of instants) {
      for (const timezone of zones) {
        const at = new Date(instant);
        expect(localTime(at, timezone), `${at.toISOString()} in ${timezone}`).toEqual(reference(at, timezone));
      }
    }
  });

  it('keeps zones apart: the same instant is a different day in Paris and New York', () => {
    const at = new Date('2026-11-27T02:00:00Z');
    expect(localTime(at, 'Europe/Paris').day).toBe('2026-11-27');
    expect(localTime(at, 'America/New_York').day).toBe('2026-11-26');
    expect(localTime(at, 'Europe/Paris').day).toBe('2026-11-27');
  });

  it('starts every local day of the year at its first instant, in every zone', () => {
    for (const timezone of zones) {
      for (let day = '2026-01-01'; day < '2027-01-01'; day = addLocalDays(day, 1)) {
        const start = startOfLocalDay(day, timezone);
        expect(localTime(start, timezone), `${day} in ${timezone}`).toMatchObject({ day, minuteOfDay: 0 });
        expect(localTime(new Date(start.getTime() - 60_000), timezone).day, `${day} in ${timezone}`).toBe(addLocalDays(day, -1));
      }
    }
  });

  it('rejects an unknown time zone every time it is asked', () => {
    expect(() => localTime(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => localTime(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => startOfLocalDay('2026-11-23', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('numbers ISO weeks by their Thursday', () => {
    expect(isoWeekOfDay('2026-11-23')).toBe('2026-W48');
    expect(isoWeekOfDay('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOfDay('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOfDay('2021-01-03')).toBe('2020-W53');
    expect(previousIsoWeek(new Date('2026-11-23T08:00:00Z'), 'Europe/Paris')).toBe('2026-W47');
  });
});
