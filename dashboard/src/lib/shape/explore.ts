import { addLocalDays, localTime, parseUsd } from '@costscope/core';
import { COST_DIMENSIONS, type CostDimension, type CostFigures, type CostRow } from '../api/types';
import { OTHERS_SERIES, onceEach, seriesName, stackTopSeries, type SeriesInfo, type StackedPoint, type StackedSeries } from '../chart-data';
import { dayLabel, shortDay } from '../format';
import { daysOfRange } from '../time-range';

/**
 * The Explore page's state and data shaping. Everything a view shows is read from its URL
 * (`groupBy=feature,model`, filters named as the API names them, each a comma list:
 * `feature=search,chat&model=gpt-5`), so a view can be bookmarked and shared; anything
 * unreadable in the URL is ignored rather than failing the page.
 */

export type UrlParams = Record<string, string | string[] | undefined>;

export const DIMENSION_LABELS: Record<CostDimension, string> = {
  feature: 'Feature',
  endpoint: 'Endpoint',
  model: 'Model',
  provider: 'Provider',
  user: 'User',
  userTier: 'User tier',
  service: 'Service',
  status: 'Status',
};

/** One or two dimensions: a third would split the chart into more stacks than anyone can read. */
export const MAX_GROUP_BY = 2;
export const DEFAULT_GROUP_BY: readonly CostDimension[] = ['feature'];

export function isCostDimension(value: string): value is CostDimension {
  return (COST_DIMENSIONS as readonly string[]).includes(value);
}

/** All values of a parameter as one comma list (`?feature=a,b` and a repeated `?feature=a&feature=b` read the same). */
function commaList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** `groupBy=feature,model` → the first two known, distinct dimensions; none known → by feature. */
export function parseGroupBy(value: string | string[] | undefined): CostDimension[] {
  const dimensions = [...new Set(commaList(value).filter(isCostDimension))].slice(0, MAX_GROUP_BY);
  return dimensions.length > 0 ? dimensions : [...DEFAULT_GROUP_BY];
}

export type ExploreFilters = Partial<Record<CostDimension, string[]>>;

/** Longer than any real tag; a longer value is a pasted mistake, not a filter. */
const MAX_FILTER_VALUE_LENGTH = 256;
const MAX_FILTER_VALUES = 100;

/** Each dimension's filter values (`feature=search,chat`), distinct, in the URL's order; other parameters are not filters. */
export function parseFilters(params: UrlParams): ExploreFilters {
  const filters: ExploreFilters = {};
  for (const dimension of COST_DIMENSIONS) {
    const values = [...new Set(commaList(params[dimension]).filter((value) => value.length <= MAX_FILTER_VALUE_LENGTH))].slice(0, MAX_FILTER_VALUES);
    if (values.length > 0) filters[dimension] = values;
  }
  return filters;
}

/**
 * Whether a value can be a filter: the API reads each filter as a comma list and drops empty
 * values, so neither untagged calls nor a value holding a comma can be picked out.
 */
export function isFilterable(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !value.includes(',');
}

export const EXPLORE_METRICS = ['cost', 'calls', 'errors', 'tokens'] as const;
export type ExploreMetric = (typeof EXPLORE_METRICS)[number];

export const METRIC_LABELS: Record<ExploreMetric, string> = {
  cost: 'Cost',
  calls: 'Calls',
  errors: 'Failed calls',
  tokens: 'Tokens (input + output)',
};

export function parseMetric(value: string | string[] | undefined): ExploreMetric {
  const first = Array.isArray(value) ? value[0] : value;
  return (EXPLORE_METRICS as readonly string[]).includes(first ?? '') ? (first as ExploreMetric) : 'cost';
}

/** The figure a metric stacks, as a float for drawing (tables show the exact strings). */
export function metricValue(metric: ExploreMetric): (row: Pick<CostFigures, 'costUsd' | 'requests' | 'errors' | 'inputTokens' | 'outputTokens'>) => number {
  switch (metric) {
    case 'cost':
      return (row) => Number(row.costUsd);
    case 'calls':
      return (row) => row.requests;
    case 'errors':
      return (row) => row.errors;
    case 'tokens':
      return (row) => row.inputTokens + row.outputTokens;
  }
}

export const INTERVALS = ['hour', 'day', 'week'] as const;
export type Interval = (typeof INTERVALS)[number];

const HOUR_MS = 3_600_000;
/** Up to two days, hours show the shape of a day; up to ~3 months, days; beyond, weeks. */
const HOURLY_UP_TO_HOURS = 48;
const DAILY_UP_TO_DAYS = 92;
/** A chosen interval is honoured while it draws at most about one bar per pixel column. */
const MAX_BUCKETS = 800;

/**
 * The bucket size for a range: automatic by its length, or the one the URL asks for
 * (`interval=day`) when that gives a chart of at most {@link MAX_BUCKETS} bars.
 */
export function chooseInterval(range: { from: Date; to: Date }, requested?: string | string[]): { interval: Interval; auto: boolean } {
  const hours = (range.to.getTime() - range.from.getTime()) / HOUR_MS;
  const asked = Array.isArray(requested) ? requested[0] : requested;
  if (asked && (INTERVALS as readonly string[]).includes(asked)) {
    const bucketHours = asked === 'hour' ? 1 : asked === 'day' ? 24 : 168;
    if (hours / bucketHours <= MAX_BUCKETS) return { interval: asked as Interval, auto: false };
  }
  const interval: Interval = hours <= HOURLY_UP_TO_HOURS ? 'hour' : hours <= DAILY_UP_TO_DAYS * 24 ? 'day' : 'week';
  return { interval, auto: true };
}

/** "Hourly (UTC)": says what one bar is, and in which zone its boundaries fall. */
export function intervalLabel(interval: Interval, timezone: string): string {
  const what = interval === 'hour' ? 'Hourly' : interval === 'day' ? 'Daily' : 'Weekly, from Monday';
  return `${what} (${timezone})`;
}

/**
 * The key of the bucket an API `bucket` instant starts: its local day (`2026-11-23`) for days
 * and weeks, its local hour (`2026-11-23T14:00`) for hours, in the project's time zone.
 */
export function bucketKey(iso: string, interval: Interval, timezone: string): string {
  const local = localTime(new Date(iso), timezone);
  if (interval !== 'hour') return local.day;
  return `${local.day}T${String(Math.floor(local.minuteOfDay / 60)).padStart(2, '0')}:00`;
}

/** Every bucket of a range in order, so a bucket without calls is drawn as a gap, not skipped. */
export function bucketsOfRange(range: { from: Date; to: Date }, interval: Interval, timezone: string): string[] {
  if (interval === 'day') return daysOfRange(range, timezone);
  if (interval === 'week') {
    const first = localTime(range.from, timezone);
    const last = localTime(new Date(range.to.getTime() - 1), timezone).day;
    const weeks: string[] = [];
    for (let monday = addLocalDays(first.day, 1 - first.isoWeekday); monday <= last && weeks.length <= MAX_BUCKETS; monday = addLocalDays(monday, 7)) weeks.push(monday);
    return weeks;
  }
  const local = localTime(range.from, timezone);
  // The local hour `from` falls in (zones with half-hour offsets start hours at :30 UTC).
  let instant = range.from.getTime() - (local.minuteOfDay % 60) * 60_000 - range.from.getUTCSeconds() * 1000 - range.from.getUTCMilliseconds();
  const hours: string[] = [];
  while (instant < range.to.getTime() && hours.length <= MAX_BUCKETS * 2) {
    const key = bucketKey(new Date(instant).toISOString(), 'hour', timezone);
    // The hour repeated when clocks go back is one bucket.
    if (hours.at(-1) !== key) hours.push(key);
    instant += HOUR_MS;
  }
  return hours;
}

/** An axis tick: "14:00" (midnight shows its day), "Nov 23". */
export function bucketTick(key: string, interval: Interval): string {
  if (interval !== 'hour') return shortDay(key.slice(0, 10));
  const hour = key.slice(11, 16);
  return hour === '00:00' ? shortDay(key.slice(0, 10)) : hour;
}

/** A tooltip's title: "Sat, Nov 28, 14:00", "Mon, Nov 23", "Week of Mon, Nov 23". */
export function bucketLabel(key: string, interval: Interval): string {
  const day = dayLabel(key.slice(0, 10));
  if (interval === 'hour') return `${day}, ${key.slice(11, 16)}`;
  return interval === 'week' ? `Week of ${day}` : day;
}

/** Between the values of a two-dimension group: `search · gpt-5`. */
export const COMBINATION_SEPARATOR = ' · ';

/** A group's name: its value per dimension, untagged calls named as such. */
export function groupLabel(row: Partial<Record<CostDimension, string>>, groupBy: readonly CostDimension[]): string {
  return groupBy.map((dimension) => seriesName(row[dimension])).join(COMBINATION_SEPARATOR);
}

const GROUP_FIELD = '__group';

/**
 * Rows of `/api/v1/costs?groupBy=…&interval=…` → stacked points over every bucket of the range,
 * one series per group (with two dimensions, per combination): the top 8 by the metric, the
 * rest as "others". Series keys are `s0…s7` (names such as `deepseek-v3.2` would read as paths
 * to the chart library); labels carry the names.
 *
 * When the API cut rows (`truncated`), `bucketTotals` (the same query without `groupBy`) puts
 * what the cut rows held into "others", so each bar's height stays the real total.
 */
export function exploreSeries(
  rows: readonly CostRow[],
  options: {
    groupBy: readonly CostDimension[];
    interval: Interval;
    timezone: string;
    buckets: readonly string[];
    metric: ExploreMetric;
    bucketTotals?: readonly CostRow[];
    top?: number;
  },
): StackedSeries {
  const { groupBy, interval, timezone, buckets, metric, bucketTotals, top } = options;
  const value = metricValue(metric);
  const bucketOf = onceEach((iso: string) => bucketKey(iso, interval, timezone));
  const named = rows.map((row) => ({ ...row, [GROUP_FIELD]: groupLabel(row, groupBy) }));
  const stacked = stackTopSeries(named, { dimension: GROUP_FIELD, buckets, bucketOf, top, value: (row) => value(row as CostRow) });

  const keyOf = new Map(stacked.series.map((s, index) => [s.key, s.key === OTHERS_SERIES ? OTHERS_SERIES : `s${index}`]));
  const series: SeriesInfo[] = stacked.series.map((s) => ({ ...s, key: keyOf.get(s.key) ?? s.key }));
  let points: StackedPoint[] = stacked.points.map((point) => {
    const renamed: StackedPoint = { bucket: point.bucket };
    for (const s of stacked.series) renamed[keyOf.get(s.key) ?? s.key] = point[s.key] ?? null;
    return renamed;
  });

  if (bucketTotals) {
    const totalOf = new Map<string, number>();
    for (const row of bucketTotals) {
      if (!row.bucket) continue;
      const bucket = bucketOf(row.bucket);
      totalOf.set(bucket, (totalOf.get(bucket) ?? 0) + value(row));
    }
    const shownIn = (point: StackedPoint) => series.reduce((sum, s) => sum + (typeof point[s.key] === 'number' ? (point[s.key] as number) : 0), 0);
    const restOf = new Map(points.map((point) => [point.bucket, Math.max(0, (totalOf.get(point.bucket) ?? 0) - shownIn(point))]));
    const cut = [...restOf.values()].reduce((sum, rest) => sum + rest, 0);
    if (cut > 0) {
      const others = series.find((s) => s.key === OTHERS_SERIES);
      if (others) others.total += cut;
      else series.push({ key: OTHERS_SERIES, label: 'Others', total: cut });
      points = points.map((point) => {
        if (!totalOf.has(point.bucket)) return { ...point, [OTHERS_SERIES]: null };
        // A bucket whose rows were all cut has data: it is no longer a gap.
        const filled: StackedPoint = { bucket: point.bucket };
        for (const s of series) {
          const shown = point[s.key];
          filled[s.key] = typeof shown === 'number' ? shown : 0;
        }
        filled[OTHERS_SERIES] = (filled[OTHERS_SERIES] as number) + (restOf.get(point.bucket) ?? 0);
        return filled;
      });
    }
  }
  return { points, series, shownOf: stacked.shownOf };
}

/** Share of a total cost (0…1) from exact amounts; null when the total is zero. */
export function costShare(costUsd: string, totalUsd: string): number | null {
  const total = parseUsd(totalUsd);
  if (total <= 0n) return null;
  return Number((parseUsd(costUsd) * 1_000_000n) / total) / 1_000_000;
}

/** A row of the groups table: plain data the client table renders and sorts. */
export type ExploreGroupRow = {
  /** The group's name (`search · gpt-5`), unique per row. */
  label: string;
  /** The raw value per dimension (`''` for calls without the tag). */
  values: Partial<Record<CostDimension, string>>;
  costUsd: string;
  /** Share of the total cost of all groups (0…1), or null when nothing cost anything. */
  costShare: number | null;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  unpricedRequests: number;
  costPerSuccessUsd: string | null;
  /** Show only this group, grouped by the next dimension worth looking at; null when a value cannot be a filter ({@link isFilterable}). */
  drillDownHref: string | null;
  drillDownBy: CostDimension | null;
};

/** The API's rows without an interval → table rows, each with its share of the total and its drill-down link. */
export function exploreGroupRows(rows: readonly CostRow[], totals: CostFigures, state: ExploreState, pathname = '/explore'): ExploreGroupRow[] {
  return rows.map((row) => {
    const values: Partial<Record<CostDimension, string>> = {};
    for (const dimension of state.groupBy) values[dimension] = row[dimension] ?? '';
    const drill = Object.values(values).every(isFilterable) ? drillDown(state, values) : null;
    return {
      label: groupLabel(row, state.groupBy),
      values,
      costUsd: row.costUsd,
      costShare: costShare(row.costUsd, totals.costUsd),
      requests: row.requests,
      errors: row.errors,
      inputTokens: row.inputTokens,
      cachedInputTokens: row.cachedInputTokens,
      outputTokens: row.outputTokens,
      unpricedRequests: row.unpricedRequests,
      costPerSuccessUsd: row.costPerSuccessUsd,
      drillDownHref: drill ? `${pathname}${exploreSearch(drill)}` : null,
      drillDownBy: drill?.groupBy[0] ?? null,
    };
  });
}

/**
 * The range as the page's URL gave it, to carry into links: the preset (`range=7d`), or the
 * custom `from`/`to` exactly as written (a shared `from=2026-11-01` stays a date).
 */
export function urlRangeParams(params: UrlParams, preset: string): Record<string, string> {
  if (preset !== 'custom') return { range: preset };
  const carried: Record<string, string> = {};
  for (const name of ['from', 'to'] as const) {
    const value = Array.isArray(params[name]) ? params[name][0] : params[name];
    if (value) carried[name] = value;
  }
  return carried;
}

/** What an Explore URL holds (besides the range, carried as-is). */
export type ExploreState = {
  groupBy: CostDimension[];
  filters: ExploreFilters;
  metric: ExploreMetric;
  /** Only when chosen; absent means automatic by the range's length. */
  interval?: Interval;
  /** `range=7d`, or `from`/`to`. */
  range: Record<string, string>;
};

export function parseExploreState(params: UrlParams, range: Record<string, string>): ExploreState {
  const interval = Array.isArray(params.interval) ? params.interval[0] : params.interval;
  return {
    groupBy: parseGroupBy(params.groupBy),
    filters: parseFilters(params),
    metric: parseMetric(params.metric),
    interval: (INTERVALS as readonly string[]).includes(interval ?? '') ? (interval as Interval) : undefined,
    range,
  };
}

/** `?range=7d&groupBy=feature,model&feature=search`: the URL of a state, in a stable order (defaults left out). */
export function exploreSearch(state: ExploreState, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams(state.range);
  search.set('groupBy', state.groupBy.join(','));
  if (state.metric !== 'cost') search.set('metric', state.metric);
  if (state.interval) search.set('interval', state.interval);
  for (const dimension of COST_DIMENSIONS) {
    const values = state.filters[dimension];
    if (values && values.length > 0) search.set(dimension, values.join(','));
  }
  for (const [name, value] of Object.entries(extra)) search.set(name, value);
  // Commas are legal in a query and keep `groupBy=feature,model` readable in a shared link.
  return `?${search.toString().replace(/%2C/g, ',')}`;
}

export function withoutFilter(state: ExploreState, dimension: CostDimension): ExploreState {
  const filters = { ...state.filters };
  delete filters[dimension];
  return { ...state, filters };
}

/** Where to look next after picking one value of a dimension. */
const NEXT_DIMENSIONS: Record<CostDimension, readonly CostDimension[]> = {
  feature: ['model', 'endpoint', 'userTier', 'user', 'status'],
  endpoint: ['model', 'feature', 'userTier', 'status'],
  model: ['feature', 'endpoint', 'userTier', 'status'],
  provider: ['model', 'feature', 'endpoint'],
  user: ['feature', 'model', 'endpoint'],
  userTier: ['user', 'feature', 'model'],
  service: ['feature', 'endpoint', 'model'],
  status: ['feature', 'model', 'endpoint'],
};

/**
 * Clicking a group: keep only it (a filter per dimension of the group) and group by the next
 * dimension worth looking at (a feature → its models; a user tier → its users).
 */
export function drillDown(state: ExploreState, values: Partial<Record<CostDimension, string>>): ExploreState {
  const picked = Object.keys(values) as CostDimension[];
  const filters: ExploreFilters = { ...state.filters };
  for (const dimension of picked) {
    const value = values[dimension];
    if (value) filters[dimension] = [value];
  }
  const first = picked[0] ?? state.groupBy[0] ?? 'feature';
  const candidates = [...NEXT_DIMENSIONS[first], ...COST_DIMENSIONS];
  const next = candidates.find((dimension) => !picked.includes(dimension) && (filters[dimension]?.length ?? 0) !== 1) ?? candidates.find((d) => !picked.includes(d)) ?? first;
  return { ...state, filters, groupBy: [next] };
}

/** A value the filter editor offers, with what it cost over the range. */
export type FilterValueOption = { value: string; costUsd: string; requests: number; unpricedRequests: number };

/**
 * The values of a dimension (a costs call grouped by it, the other filters applied) to pick
 * filters from, most costly first; values already chosen stay listed (so they can be unchosen)
 * even when they had no calls. Values that cannot be a filter ({@link isFilterable}) are left out.
 */
export function filterValueOptions(rows: readonly CostRow[], dimension: CostDimension, selected: readonly string[] = []): FilterValueOption[] {
  const options: FilterValueOption[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const value = row[dimension];
    if (!isFilterable(value) || seen.has(value)) continue;
    seen.add(value);
    options.push({ value, costUsd: row.costUsd, requests: row.requests, unpricedRequests: row.unpricedRequests });
  }
  for (const value of selected) {
    if (!seen.has(value)) options.push({ value, costUsd: '0', requests: 0, unpricedRequests: 0 });
  }
  return options;
}
