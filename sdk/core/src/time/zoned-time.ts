/**
 * Calendar arithmetic in the project's time zone (`COSTSCOPE_TIMEZONE`): which local day an
 * instant falls on, and the instant a local day starts. Days are `YYYY-MM-DD` strings.
 */

export type LocalTime = {
  day: string;
  /** 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  minuteOfDay: number;
};

const WEEKDAY_NUMBERS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/**
 * One formatter per time zone, built on first use: building an `Intl.DateTimeFormat` costs about a
 * millisecond, formatting with it a few microseconds, and callers ask for the local day of every
 * bucket they chart or every rule they evaluate. Formatters hold no state between calls, so sharing
 * them keeps these functions pure.
 */
function formatterPerZone(options: Intl.DateTimeFormatOptions): (timezone: string) => Intl.DateTimeFormat {
  const formatters = new Map<string, Intl.DateTimeFormat>();
  return (timezone) => {
    let format = formatters.get(timezone);
    if (!format) {
      format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: timezone });
      formatters.set(timezone, format);
    }
    return format;
  };
}

const localPartsFormat = formatterPerZone({
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});

const offsetNameFormat = formatterPerZone({ timeZoneName: 'longOffset' });

export function localTime(instant: Date, timezone: string): LocalTime {
  const parts = localPartsFormat(timezone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: `${part('year')}-${part('month')}-${part('day')}`,
    isoWeekday: WEEKDAY_NUMBERS[part('weekday')] ?? 1,
    minuteOfDay: Number(part('hour')) * 60 + Number(part('minute')),
  };
}

export function addLocalDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Offset of `timezone` from UTC at `instant`, in ms (Paris in winter: +3,600,000). */
function offsetMs(instant: Date, timezone: string): number {
  const name =
    offsetNameFormat(timezone)
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** The instant local `day` starts in `timezone` (local midnight; the first instant of it on a DST day). */
export function startOfLocalDay(day: string, timezone: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  let guess = utcMidnight - offsetMs(new Date(utcMidnight), timezone);
  // Once more with the offset at the guess: right across a DST change on that day.
  guess = utcMidnight - offsetMs(new Date(guess), timezone);
  return new Date(guess);
}

/** ISO week (`2026-W48`) of a calendar day. */
export function isoWeekOfDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  // An ISO week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The last complete ISO week before the local week containing `instant`. */
export function previousIsoWeek(instant: Date, timezone: string): string {
  return isoWeekOfDay(addLocalDays(localTime(instant, timezone).day, -7));
}
