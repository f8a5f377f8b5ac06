import { addLocalDays, localTime, startOfLocalDay } from '@costscope/core';

/**
 * The time range every page reads from its URL. A preset (`range=7d`) stays relative, so a
 * bookmark shows the latest week; explicit `from`/`to` (a date, or an instant; `to` exclusive,
 * as the API reads them) pin a range to share. Day boundaries are the project's time zone.
 */
export const RANGE_PRESETS = ['today', '7d', '30d', 'this-month', 'last-month'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const RANGE_PRESET_LABELS: Record<RangePreset, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  'this-month': 'This month',
  'last-month': 'Last month',
};

export type TimeRange = {
  from: Date;
  to: Date;
  /** The preset it came from, or `custom` for explicit dates. */
  preset: RangePreset | 'custom';
  /** "Last 7 days", "Nov 3 – Nov 9, 2026". */
  label: string;
  timezone: string;
};

export type RangeParams = { range?: string | null; from?: string | null; to?: string | null };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A URL's `from`/`to`: a date is local midnight in the project's zone; an instant is itself. */
export function parseRangeBound(value: string, timezone: string): Date | undefined {
  if (DATE_ONLY.test(value)) {
    const date = startOfLocalDay(value, timezone);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

export function presetRange(preset: RangePreset, now: Date, timezone: string): { from: Date; to: Date } {
  const today = localTime(now, timezone).day;
  const tomorrow = startOfLocalDay(addLocalDays(today, 1), timezone);
  switch (preset) {
    case 'today':
      return { from: startOfLocalDay(today, timezone), to: tomorrow };
    case '7d':
      return { from: startOfLocalDay(addLocalDays(today, -6), timezone), to: tomorrow };
    case '30d':
      return { from: startOfLocalDay(addLocalDays(today, -29), timezone), to: tomorrow };
    case 'this-month': {
      const firstOfMonth = `${today.slice(0, 8)}01`;
      return { from: startOfLocalDay(firstOfMonth, timezone), to: tomorrow };
    }
    case 'last-month': {
      const firstOfMonth = `${today.slice(0, 8)}01`;
      const firstOfLastMonth = `${addLocalDays(firstOfMonth, -1).slice(0, 8)}01`;
      return { from: startOfLocalDay(firstOfLastMonth, timezone), to: startOfLocalDay(firstOfMonth, timezone) };
    }
  }
}

/**
 * Reads the range from URL parameters. Explicit `from`/`to` win over a preset; anything
 * unreadable falls back to `fallback` rather than failing the page.
 */
export function resolveTimeRange(params: RangeParams, now: Date, timezone: string, fallback: RangePreset = '30d'): TimeRange {
  const from = params.from ? parseRangeBound(params.from, timezone) : undefined;
  const to = params.to ? parseRangeBound(params.to, timezone) : undefined;
  if (from && (to ?? now) > from) {
    const end = to ?? startOfLocalDay(addLocalDays(localTime(now, timezone).day, 1), timezone);
    if (end > from) return { from, to: end, preset: 'custom', label: customLabel(from, end, timezone), timezone };
  }
  const preset = (RANGE_PRESETS as readonly string[]).includes(params.range ?? '') ? (params.range as RangePreset) : fallback;
  return { ...presetRange(preset, now, timezone), preset, label: RANGE_PRESET_LABELS[preset], timezone };
}

function customLabel(from: Date, to: Date, timezone: string): string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric' });
  // `to` is exclusive: a range ending at midnight shows the day before as its last day.
  const lastInstant = new Date(to.getTime() - 1);
  return format.formatRange(from, lastInstant);
}

/** The local days a range covers, for charts that draw a day without data as a gap. */
export function daysOfRange(range: { from: Date; to: Date }, timezone: string): string[] {
  const days: string[] = [];
  let day = localTime(range.from, timezone).day;
  const last = localTime(new Date(range.to.getTime() - 1), timezone).day;
  while (day <= last && days.length < 1000) {
    days.push(day);
    day = addLocalDays(day, 1);
  }
  return days;
}

/** Range parameters to carry into links (`?range=7d` or `?from=…&to=…`). */
export function rangeSearchParams(range: TimeRange): Record<string, string> {
  if (range.preset !== 'custom') return { range: range.preset };
  return { from: range.from.toISOString(), to: range.to.toISOString() };
}

/** The first and last local day of a range, as the range picker's custom dates show them (`to` is exclusive). */
export function rangePickerDays(range: { from: Date; to: Date; timezone: string }): { fromDay: string; toDay: string } {
  return { fromDay: localTime(range.from, range.timezone).day, toDay: localTime(new Date(range.to.getTime() - 1), range.timezone).day };
}
