import { parseUsd } from '@costscope/core';
import type { UsdAtto } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import type { QueryParams } from './transport.js';

/** The dimensions costs can be grouped and filtered by, in the API's words. */
export const COST_DIMENSIONS = ['feature', 'endpoint', 'model', 'provider', 'user', 'userTier', 'service', 'status'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

/**
 * The fixed whitelist from API names to columns: the only way a caller's choice reaches SQL
 * text. Anything else is refused before a query is built.
 */
export const DIMENSION_COLUMNS: Readonly<Record<CostDimension, string>> = {
  feature: 'feature',
  endpoint: 'endpoint',
  model: 'model',
  provider: 'provider',
  user: 'user_id',
  userTier: 'user_tier',
  service: 'service',
  status: 'status',
};

/** Dimensions the hourly rollups keep; grouping or filtering by anything else reads raw calls. */
export const ROLLUP_DIMENSIONS: ReadonlySet<CostDimension> = new Set([
  'feature',
  'endpoint',
  'model',
  'provider',
  'userTier',
  'service',
  'status',
]);

export type CostFilters = Partial<Record<CostDimension, readonly string[]>>;

export function requireProjectId(operation: string, projectId: string): void {
  if (typeof projectId !== 'string' || projectId.length === 0) {
    throw new CostscopeStorageError(operation, 'invalid', 'projectId is required: every read and write is scoped to one project');
  }
}

export function requireDimension(operation: string, name: string): CostDimension {
  if (!(COST_DIMENSIONS as readonly string[]).includes(name)) {
    throw new CostscopeStorageError(operation, 'invalid', `unknown dimension ${JSON.stringify(name)}; one of ${COST_DIMENSIONS.join(', ')}`);
  }
  return name as CostDimension;
}

export function requireRange(operation: string, from: Date, to: Date): void {
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new CostscopeStorageError(operation, 'invalid', 'from and to must be valid dates');
  }
  if (from.getTime() > to.getTime()) {
    throw new CostscopeStorageError(operation, 'invalid', `from (${from.toISOString()}) is after to (${to.toISOString()})`);
  }
}

/** `DateTime64(3, 'UTC')` parameter text. */
export function toClickHouseTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** `Date` parameter text (a calendar day, no time zone). */
export function toClickHouseDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new CostscopeStorageError('query.day', 'invalid', `not a YYYY-MM-DD day: ${day}`);
  return day;
}

/**
 * `AND col IN {f_col:Array(String)}` for each non-empty filter; the values go in `params`.
 */
export function filterClauses(operation: string, filters: CostFilters | undefined, params: QueryParams): string {
  if (!filters) return '';
  let sql = '';
  for (const [name, values] of Object.entries(filters)) {
    if (values === undefined) continue;
    const dimension = requireDimension(operation, name);
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) {
      throw new CostscopeStorageError(operation, 'invalid', `filter ${name} must be a list of strings`);
    }
    if (values.length === 0) continue;
    const column = DIMENSION_COLUMNS[dimension];
    params[`filter_${column}`] = values;
    sql += ` AND ${column} IN {filter_${column}:Array(String)}`;
  }
  return sql;
}

/** ClickHouse sends 64-bit integers as strings in JSON; counts here stay far below 2^53. */
export function toCount(value: unknown): number {
  return Number(value ?? 0);
}

/** Money arrives as `toString(Decimal(38, 18))`, parsed exactly. */
export function toUsd(value: unknown): UsdAtto {
  return parseUsd(String(value ?? '0'));
}

/** Exact division rounded half away from zero to the atto-dollar, or null when dividing by zero. */
export function divideUsd(amount: UsdAtto, count: number | bigint): UsdAtto | null {
  const divisor = BigInt(count);
  if (divisor === 0n) return null;
  const negative = amount < 0n !== divisor < 0n;
  const a = amount < 0n ? -amount : amount;
  const d = divisor < 0n ? -divisor : divisor;
  const quotient = (a + d / 2n) / d;
  return negative ? -quotient : quotient;
}

/** One offset format per zone: building one costs about a millisecond, and every cost read with buckets asks. */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const OFFSET_FORMATS_KEPT = 1_000;

/**
 * Whether a time zone's offset is a whole number of hours at the given instants: only then do
 * its day and week boundaries fall on the hour, where hourly rollups can answer.
 */
export function isWholeHourOffset(timezone: string, instants: Date[]): boolean {
  let format = offsetFormats.get(timezone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    } catch {
      // An unknown zone: let ClickHouse reject it with its own message through the raw path.
      return false;
    }
    // Zones are few, but spellings (letter case) are not: the kept formats stay bounded.
    if (offsetFormats.size >= OFFSET_FORMATS_KEPT) offsetFormats.clear();
    offsetFormats.set(timezone, format);
  }
  return instants.every((instant) => {
    const offset = format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    const minutes = /GMT[+-]\d{2}:(\d{2})/.exec(offset)?.[1];
    return minutes === undefined || minutes === '00';
  });
}

export function isWholeHour(date: Date): boolean {
  return date.getTime() % 3_600_000 === 0;
}
