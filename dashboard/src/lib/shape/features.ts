import { forecastMonthEnd, parseUsd, usdToExactString, usdToNumber, type UsdAtto } from '@costscope/core';
import { COST_DIMENSIONS, type CostDimension, type CostFigures, type CostRow, type FeatureAllocationSetting } from '../api/types';
import { seriesName } from '../chart-data';
import { parseScope } from './alerts';
import { csvField, csvLine } from '../csv';

export { csvField, csvLine };

/**
 * The features table, a feature's breakdowns and the CSV export, shaped from API answers by
 * plain functions (unit-tested in test/features.spec.ts). Money stays exact: bigint atto-dollars
 * inside, exact decimal strings out; floats only for sorting and drawing.
 */

/** Exact `amount / count`, rounded half up to the atto-dollar as the API rounds `costPerSuccessUsd`. */
export function divideUsd(amount: UsdAtto, count: number): UsdAtto | null {
  if (count <= 0) return null;
  const divisor = BigInt(count);
  return (amount + divisor / 2n) / divisor;
}

function ratio(value: number, of: number): number | null {
  return of > 0 ? value / of : null;
}

/** `value ÷ of` of two exact amounts (0.8 = 80%), to a millionth; `null` without a positive `of`. */
export function usdShare(value: UsdAtto, of: UsdAtto | null): number | null {
  return of !== null && of > 0n ? Number((value * 1_000_000n) / of) / 1_000_000 : null;
}

/** Change from `baseline` to `current` as a share (0.12 = +12%); `null` when there is no baseline to compare with. */
export function relativeChange(current: number | null, baseline: number | null): number | null {
  if (current === null || baseline === null || baseline === 0) return null;
  return (current - baseline) / baseline;
}

/** A month's timing, for the straight-line forecast (the allocation rule's own `forecastMonthEnd`). */
export type MonthClock = { elapsedMs: number; monthMs: number; minDays: number };

export type FeatureRow = {
  /** The feature as tagged (`''` for calls without the tag). */
  feature: string;
  /** The name shown: the feature, or "(untagged)". */
  label: string;
  costUsd: string;
  /** For sorting only. */
  cost: number;
  requests: number;
  errors: number;
  unpricedRequests: number;
  /** All cost, failed calls included, over successful calls (the API's `costPerSuccessUsd`). */
  costPerSuccessUsd: string | null;
  errorRate: number | null;
  /** What the calls that failed cost (the `status=error` rows). */
  failedCostUsd: string;
  outputTokensPerCall: number | null;
  baselineOutputTokensPerCall: number | null;
  /** Output tokens per call, this range against the baseline range (0.1 = +10%). */
  outputTokensChange: number | null;
  monthToDateUsd: string;
  /** Unpriced calls this month: the month's spend and forecast are floors when above zero. */
  monthToDateUnpricedRequests: number;
  allocationUsd: string | null;
  /** Month to date ÷ monthly allocation. */
  allocationShare: number | null;
  forecastUsd: string | null;
  /** Forecast ÷ allocation. */
  forecastShare: number | null;
};

/**
 * A feature's row as the features table's Client Component receives it. The rows are that
 * component's props, sent inside the page (the RSC payload) beside the table's HTML, so they hold
 * only what the cells show and sort by, and leave out what the browser works out itself (the
 * name, the link, the error rate, sort numbers) and every empty figure: 200 features' full rows
 * were 150 kB of every page load.
 */
export type FeatureTableRow = {
  feature: string;
  costUsd: string;
  requests: number;
  errors: number;
  unpricedRequests?: number;
  costPerSuccessUsd?: string;
  failedCostUsd: string;
  outputTokensPerCall?: number;
  outputTokensChange?: number;
  monthToDateUsd: string;
  monthToDateUnpricedRequests?: number;
  allocationUsd?: string;
  allocationShare?: number;
  forecastUsd?: string;
  forecastShare?: number;
};

/** The table's rows of `rows`, in their order. */
export function featureTableRows(rows: readonly FeatureRow[]): FeatureTableRow[] {
  return rows.map((row) =>
    withoutEmpty({
      feature: row.feature,
      costUsd: row.costUsd,
      requests: row.requests,
      errors: row.errors,
      unpricedRequests: row.unpricedRequests || null,
      costPerSuccessUsd: row.costPerSuccessUsd,
      failedCostUsd: row.failedCostUsd,
      outputTokensPerCall: row.outputTokensPerCall,
      outputTokensChange: row.outputTokensChange,
      monthToDateUsd: row.monthToDateUsd,
      monthToDateUnpricedRequests: row.monthToDateUnpricedRequests || null,
      allocationUsd: row.allocationUsd,
      allocationShare: row.allocationShare,
      forecastUsd: row.forecastUsd,
      forecastShare: row.forecastShare,
    }),
  );
}

/**
 * `row` without its `null` fields. Left out, not set to `undefined`: React sends an `undefined`
 * prop as `"$undefined"`, a field's name and all.
 */
export function withoutEmpty<Row extends Record<string, unknown>>(row: Row): WithoutEmpty<Row> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (value !== null) kept[key] = value;
  return kept as WithoutEmpty<Row>;
}

type WithoutEmpty<Row> = { [K in keyof Row as null extends Row[K] ? never : K]: Row[K] } & {
  [K in keyof Row as null extends Row[K] ? K : never]?: Exclude<Row[K], null>;
};

type Figures = Pick<CostFigures, 'costUsd' | 'requests' | 'errors' | 'outputTokens' | 'unpricedRequests'>;

type Accumulated = { cost: UsdAtto; failedCost: UsdAtto; requests: number; errors: number; outputTokens: number; unpriced: number };

function accumulate(into: Accumulated | undefined, row: Figures, failed: boolean): Accumulated {
  const cost = parseUsd(row.costUsd);
  const base = into ?? { cost: 0n, failedCost: 0n, requests: 0, errors: 0, outputTokens: 0, unpriced: 0 };
  return {
    cost: base.cost + cost,
    failedCost: base.failedCost + (failed ? cost : 0n),
    requests: base.requests + row.requests,
    errors: base.errors + row.errors,
    outputTokens: base.outputTokens + row.outputTokens,
    unpriced: base.unpriced + row.unpricedRequests,
  };
}

/**
 * One row per feature: the range's figures from `groupBy=feature,status` rows (so the cost of
 * failed calls comes with them), output tokens per call against the baseline range's
 * (`groupBy=feature`), and this month's spend against the feature's allocation with the month-end
 * forecast. Features with an allocation but no calls in the range are listed too, so an allocated
 * feature never silently drops out. Ordered by cost, largest first.
 */
export function featureRows(input: {
  byStatus: readonly CostRow[];
  baseline: readonly CostRow[];
  monthToDate: readonly CostRow[];
  allocations: readonly FeatureAllocationSetting[];
  month: MonthClock;
}): FeatureRow[] {
  const current = new Map<string, Accumulated>();
  for (const row of input.byStatus) {
    const feature = row.feature ?? '';
    current.set(feature, accumulate(current.get(feature), row, row.status === 'error'));
  }
  const baseline = new Map(input.baseline.map((row) => [row.feature ?? '', row]));
  const monthToDate = new Map<string, Accumulated>();
  for (const row of input.monthToDate) monthToDate.set(row.feature ?? '', accumulate(monthToDate.get(row.feature ?? ''), row, false));
  const allocations = new Map(input.allocations.map((allocation) => [allocation.feature, parseUsd(allocation.monthlyUsd)]));

  const features = new Set([...current.keys(), ...allocations.keys()]);
  const rows = [...features].map((feature): FeatureRow => {
    const figures = current.get(feature) ?? { cost: 0n, failedCost: 0n, requests: 0, errors: 0, outputTokens: 0, unpriced: 0 };
    const before = baseline.get(feature);
    const outputTokensPerCall = ratio(figures.outputTokens, figures.requests);
    const baselineOutputTokensPerCall = before ? ratio(before.outputTokens, before.requests) : null;
    const month = monthToDate.get(feature);
    const spent = month?.cost ?? 0n;
    const allocation = allocations.get(feature) ?? null;
    const forecast = forecastMonthEnd({ monthToDateUsd: spent, ...input.month });
    const costPerSuccess = divideUsd(figures.cost, figures.requests - figures.errors);
    return {
      feature,
      label: seriesName(feature),
      costUsd: usdToExactString(figures.cost),
      cost: usdToNumber(figures.cost),
      requests: figures.requests,
      errors: figures.errors,
      unpricedRequests: figures.unpriced,
      costPerSuccessUsd: costPerSuccess === null ? null : usdToExactString(costPerSuccess),
      errorRate: ratio(figures.errors, figures.requests),
      failedCostUsd: usdToExactString(figures.failedCost),
      outputTokensPerCall,
      baselineOutputTokensPerCall,
      outputTokensChange: relativeChange(outputTokensPerCall, baselineOutputTokensPerCall),
      monthToDateUsd: usdToExactString(spent),
      monthToDateUnpricedRequests: month?.unpriced ?? 0,
      allocationUsd: allocation === null ? null : usdToExactString(allocation),
      allocationShare: allocation === null ? null : usdShare(spent, allocation),
      forecastUsd: forecast === null ? null : usdToExactString(forecast),
      forecastShare: forecast === null || allocation === null ? null : usdShare(forecast, allocation),
    };
  });
  return rows.sort((a, b) => b.cost - a.cost || a.label.localeCompare(b.label));
}

/** What the failed calls cost: the `status=error` rows of a `groupBy=…,status` answer, summed exactly. */
export function failedCallsCost(rows: readonly CostRow[]): string {
  return usdToExactString(rows.filter((row) => row.status === 'error').reduce((sum, row) => sum + parseUsd(row.costUsd), 0n));
}

/** The failed calls' cost over every feature, exact. */
export function totalFailedCost(rows: readonly FeatureRow[]): string {
  return usdToExactString(rows.reduce((sum, row) => sum + parseUsd(row.failedCostUsd), 0n));
}

export type BreakdownRow = {
  /** The group's value as the API names it (`''` for calls without the tag), for links and filters. */
  value: string;
  /** The name shown: the value, or "(untagged)". */
  name: string;
  costUsd: string;
  cost: number;
  /** Share of the feature's cost in the range. */
  costShare: number | null;
  requests: number;
  errors: number;
  errorRate: number | null;
  unpricedRequests: number;
  costPerSuccessUsd: string | null;
  outputTokensPerCall: number | null;
};

/**
 * A feature's calls by one dimension (endpoint, model, user tier): rows of
 * `groupBy=<dimension>` (with or without day buckets, summed exactly), largest cost first.
 */
export function breakdownRows(rows: readonly CostRow[], dimension: CostDimension): BreakdownRow[] {
  const groups = new Map<string, Accumulated>();
  for (const row of rows) {
    const value = row[dimension] ?? '';
    groups.set(value, accumulate(groups.get(value), row, false));
  }
  const total = [...groups.values()].reduce((sum, group) => sum + group.cost, 0n);
  return [...groups.entries()]
    .map(([value, group]) => {
      const costPerSuccess = divideUsd(group.cost, group.requests - group.errors);
      return {
        value,
        name: seriesName(value),
        costUsd: usdToExactString(group.cost),
        cost: usdToNumber(group.cost),
        costShare: usdShare(group.cost, total),
        requests: group.requests,
        errors: group.errors,
        errorRate: ratio(group.errors, group.requests),
        unpricedRequests: group.unpriced,
        costPerSuccessUsd: costPerSuccess === null ? null : usdToExactString(costPerSuccess),
        outputTokensPerCall: ratio(group.outputTokens, group.requests),
      };
    })
    .sort((a, b) => b.cost - a.cost || a.name.localeCompare(b.name));
}

export type TokenMix = {
  /** Input tokens billed at the full input price (input minus cache reads). */
  uncachedInputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** Cache reads as a share of all input tokens (the API's `inputTokens` includes them). */
  cacheReadShare: number | null;
  inputTokensPerCall: number | null;
  outputTokensPerCall: number | null;
};

export function tokenMix(figures: Pick<CostFigures, 'inputTokens' | 'cachedInputTokens' | 'outputTokens' | 'requests'>): TokenMix {
  return {
    uncachedInputTokens: Math.max(0, figures.inputTokens - figures.cachedInputTokens),
    cachedInputTokens: figures.cachedInputTokens,
    outputTokens: figures.outputTokens,
    cacheReadShare: ratio(figures.cachedInputTokens, figures.inputTokens),
    inputTokensPerCall: ratio(figures.inputTokens, figures.requests),
    outputTokensPerCall: ratio(figures.outputTokens, figures.requests),
  };
}

/** The range before `range`, of the same length: the baseline the features table compares with. */
export function previousRange(range: { from: Date; to: Date }): { from: Date; to: Date } {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}

/** "the previous 30 days", "the previous day", "the previous 6 h". */
export function previousRangeLabel(range: { from: Date; to: Date }): string {
  const hours = Math.round((range.to.getTime() - range.from.getTime()) / 3_600_000);
  if (hours % 24 !== 0 && hours < 72) return `the previous ${hours} h`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'the previous day' : `the previous ${days} days`;
}

/** The dimensions a features view may be filtered by from its URL (`model=gpt-5,gpt-5-mini&userTier=paid`). */
export const FEATURE_FILTER_DIMENSIONS = COST_DIMENSIONS.filter((dimension) => dimension !== 'feature' && dimension !== 'status');

export type Filters = Partial<Record<CostDimension, string[]>>;

/** The filters in a URL, named as the API names them; empty values are ignored. */
export function filtersFromParams(params: Record<string, string | string[] | undefined>, dimensions: readonly CostDimension[] = FEATURE_FILTER_DIMENSIONS): Filters {
  const filters: Filters = {};
  for (const dimension of dimensions) {
    const raw = params[dimension];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (values.length > 0) filters[dimension] = [...new Set(values)];
  }
  return filters;
}

/** Filters back into URL parameters (comma lists, as the API reads them). */
export function filterSearchParams(filters: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).map(([dimension, values]) => [dimension, values.join(',')]));
}

/** Rounds a ratio for the CSV (6 decimals), keeping `null` as an empty cell. */
function csvRatio(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1_000_000) / 1_000_000;
}

export const FEATURES_CSV_HEADER = [
  'feature',
  'cost_usd',
  'calls',
  'failed_calls',
  'unpriced_calls',
  'cost_per_successful_call_usd',
  'error_rate',
  'failed_calls_cost_usd',
  'output_tokens_per_call',
  'baseline_output_tokens_per_call',
  'output_tokens_per_call_change',
  'month_to_date_usd',
  'monthly_allocation_usd',
  'allocation_used',
  'month_end_forecast_usd',
] as const;

/**
 * The features table as CSV: money as the API's exact decimal strings (a spreadsheet sums them
 * to the cent), shares as fractions (0.025 = 2.5%). A cost with unpriced calls is a floor; the
 * `unpriced_calls` column says so. Lines end with CRLF (RFC 4180).
 */
export function featuresCsv(rows: readonly FeatureRow[]): string {
  const lines = [
    csvLine(FEATURES_CSV_HEADER),
    ...rows.map((row) =>
      csvLine([
        row.feature,
        row.costUsd,
        row.requests,
        row.errors,
        row.unpricedRequests,
        row.costPerSuccessUsd,
        csvRatio(row.errorRate),
        row.failedCostUsd,
        csvRatio(row.outputTokensPerCall),
        csvRatio(row.baselineOutputTokensPerCall),
        csvRatio(row.outputTokensChange),
        row.monthToDateUsd,
        row.allocationUsd,
        csvRatio(row.allocationShare),
        row.forecastUsd,
      ]),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A feature's page, keeping the view's range and filters (`/features/search?range=7d&model=gpt-5`). */
export function featureHref(feature: string, search: Record<string, string> = {}): string {
  const query = new URLSearchParams(search).toString();
  return `/features/${encodeURIComponent(feature)}${query ? `?${query}` : ''}`;
}

/** The alert episodes scoped to `feature` (scope keys are URL-encoded: `feature=search&model=gpt-5`). */
export function alertsOfFeature<T extends { scope: string }>(alerts: readonly T[], feature: string): T[] {
  return alerts.filter((alert) => parseScope(alert.scope).feature === feature);
}
