/**
 * Data preparation for charts, apart from rendering (as Langfuse's chart library does): plain
 * functions from API rows to chart points, unit-tested. Chart values are floats for drawing only;
 * every figure a person reads as text comes from the exact strings.
 */

export const OTHERS_SERIES = 'others';
export const DEFAULT_TOP_SERIES = 8;

export type SeriesInfo = {
  /** The series' key in each point (the group's name, or `others`). */
  key: string;
  label: string;
  /** Total over the range, for ordering and the legend. */
  total: number;
};

export type StackedPoint = { bucket: string } & Record<string, number | string | null>;

export type StackedSeries = {
  points: StackedPoint[];
  series: SeriesInfo[];
  /** "Top 8 of 14 features": said when others were folded together. */
  shownOf: { shown: number; of: number } | null;
};

export type BucketRow = { bucket?: string; costUsd: string } & Record<string, unknown>;

/**
 * Rows of `/api/v1/costs?groupBy=<dimension>&interval=day` → one point per bucket with one value
 * per series: the `top` largest series by total, the rest summed as `others`. Buckets with no row
 * at all stay `null` (drawn as a gap, never as a zero); a bucket with data has 0 for series
 * absent from it. `buckets` lists every bucket of the range, in order (`YYYY-MM-DD` days).
 */
export function stackTopSeries(
  rows: readonly BucketRow[],
  options: { dimension: string; buckets: readonly string[]; bucketOf?: (iso: string) => string; top?: number; value?: (row: BucketRow) => number },
): StackedSeries {
  const { dimension, buckets, top = DEFAULT_TOP_SERIES } = options;
  const bucketOf = options.bucketOf ? onceEach(options.bucketOf) : (iso: string) => iso.slice(0, 10);
  const value = options.value ?? ((row: BucketRow) => Number(row.costUsd));
  const totals = new Map<string, number>();
  for (const row of rows) {
    const name = seriesName(row[dimension]);
    totals.set(name, (totals.get(name) ?? 0) + value(row));
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // Folding a single series into "others" hides a name for nothing: keep it when it is the only one left.
  const keep = ranked.length <= top + 1 ? ranked : ranked.slice(0, top);
  const kept = new Set(keep.map(([name]) => name));
  const othersTotal = ranked.filter(([name]) => !kept.has(name)).reduce((sum, [, total]) => sum + total, 0);
  const series: SeriesInfo[] = keep.map(([name, total]) => ({ key: name, label: name, total }));
  if (ranked.length > keep.length) series.push({ key: OTHERS_SERIES, label: `Others (${ranked.length - keep.length})`, total: othersTotal });

  const byBucket = new Map<string, Record<string, number>>();
  for (const row of rows) {
    if (!row.bucket) continue;
    const bucket = bucketOf(row.bucket);
    const name = seriesName(row[dimension]);
    const key = kept.has(name) ? name : OTHERS_SERIES;
    const values = byBucket.get(bucket) ?? {};
    values[key] = (values[key] ?? 0) + value(row);
    byBucket.set(bucket, values);
  }
  const points = buckets.map((bucket) => {
    const values = byBucket.get(bucket);
    const point: StackedPoint = { bucket };
    for (const { key } of series) point[key] = values ? (values[key] ?? 0) : null;
    return point;
  });
  return { points, series, shownOf: ranked.length > keep.length ? { shown: keep.length, of: ranked.length } : null };
}

/**
 * `fn` worked out once per distinct argument. Rows of a grouped series share a few dozen bucket
 * instants, and the project's local day of an instant costs an `Intl.DateTimeFormat` each time:
 * thousands of rows (feature × model × day) made that most of a page's render.
 */
export function onceEach<T>(fn: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    if (known.has(key)) return known.get(key) as T;
    const value = fn(key);
    known.set(key, value);
    return value;
  };
}

/** An empty group value (a call without a feature tag) gets a name a person can read. */
export function seriesName(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : '(untagged)';
}

/**
 * Month-end forecast line for a cumulative chart: actual cumulative spend up to today, then a
 * straight projection at the month's average daily rate so far. Days after today have `actual`
 * null (a gap) and `forecast` set; today carries both so the dashed line joins the solid one.
 */
export function cumulativeWithForecast(
  daily: ReadonlyArray<{ day: string; costUsd: number | null }>,
  today: string,
): Array<{ day: string; actual: number | null; forecast: number | null }> {
  let running = 0;
  let elapsedDays = 0;
  const out: Array<{ day: string; actual: number | null; forecast: number | null }> = [];
  for (const { day, costUsd } of daily) {
    if (day > today) break;
    running += costUsd ?? 0;
    elapsedDays++;
    out.push({ day, actual: running, forecast: day === today ? running : null });
  }
  const rate = elapsedDays > 0 ? running / elapsedDays : 0;
  let projected = running;
  for (const { day } of daily) {
    if (day <= today) continue;
    projected += rate;
    out.push({ day, actual: null, forecast: projected });
  }
  return out;
}
