import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport, QueryParams } from './transport.js';

/**
 * Hourly rollups that stay exact with any number of writers (migration 0009, docs/scaling.md).
 *
 * The dedup view keeps a resent span out of `llm_calls` unless two inserts carry it at the same
 * moment; then both copies are stored until a merge collapses them. `llm_calls FINAL` reads them
 * once at any time (`callsTable`), so rollups are built from it: `sealHourlyRollups` rebuilds an hour's rows
 * under a new version and records how many raw rows the hour had (`llm_call_hour_counts`, filled
 * in the same INSERT as the calls, so it counts every acknowledged call). A reader takes an hour
 * from its sealed rows only while that count still holds, and every other hour from
 * `llm_calls FINAL`: a late call, a racing duplicate or a re-price makes the hour read raw until
 * it is sealed again.
 */

/** The rollup figures, in the order of `llm_calls_hourly_sealed`'s columns. */
const FIGURES = [
  'cost_usd', 'error_cost_usd', 'retry_cost_usd', 'requests', 'errors', 'retries', 'unpriced_requests',
  'input_tokens', 'cached_input_tokens', 'cache_write_input_tokens', 'output_tokens', 'reasoning_tokens',
] as const;
const KEYS = 'project_id, hour, service, feature, endpoint, model, provider, user_tier, status';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** One call as one rollup row (the aggregates of the 0002 view, per call). */
const CALL_AS_FIGURES = [
  'total_cost_usd', "total_cost_usd * (status = 'error')", 'total_cost_usd * (attempt > 1)',
  'toUInt64(1)', "toUInt64(status = 'error')", 'toUInt64(attempt > 1)', "toUInt64(cost_status = 'unpriced')",
  'input_tokens', 'cache_read_input_tokens', 'cache_write_input_tokens', 'output_tokens', 'reasoning_tokens',
];

/** A call's row in the rollup's columns. */
const CALLS_AS_ROLLUP = `project_id, toStartOfHour(time) AS hour, service, feature, endpoint, model, provider, user_tier, status,
  ${CALL_AS_FIGURES.map((expression, index) => `${expression} AS ${FIGURES[index]}`).join(', ')}`;

/** The same figures summed over calls, for a seal. */
const CALLS_SUMMED = [
  'sum(total_cost_usd)', "sumIf(total_cost_usd, status = 'error')", 'sumIf(total_cost_usd, attempt > 1)',
  'count()', "countIf(status = 'error')", 'countIf(attempt > 1)', "countIf(cost_status = 'unpriced')",
  'sum(input_tokens)', 'sum(cache_read_input_tokens)', 'sum(cache_write_input_tokens)', 'sum(output_tokens)', 'sum(reasoning_tokens)',
];

/**
 * Where raw calls are read from. A span stored twice by writers racing each other (several
 * processes on a ClickHouse server, two replicas of a shard) collapses under `FINAL`, so over
 * HTTP every read of the calls is `llm_calls FINAL`. The embedded engine has one writer by
 * construction (chDB binds its data directory to one process, whose inserts are serialized), so
 * the dedup view alone is exact there and reads skip FINAL's cost (2.5× on a 30-day scan,
 * docs/scaling.md).
 */
export function callsTable(transport: ClickHouseTransport, alias?: string): string {
  return `llm_calls${alias ? ` AS ${alias}` : ''}${transport.kind === 'http' ? ' FINAL' : ''}`;
}

export type HourlyFiguresSource = {
  /** A table expression to put after FROM (give it an alias). */
  table: string;
  /** Its parameters (all named `rollup_*`), to merge into the caller's. */
  params: QueryParams;
  /** No hour of the range has anything to read: the table holds no row, a caller may skip reading it. */
  empty: boolean;
};

/** What the seal lookup found: each hour's newest seal and raw count, each day's newest seal. */
type SealState = {
  hours: Map<number, { sealed: boolean; version: number; seen: number; written: number }>;
  days: Map<number, { version: number; seen: number }>;
};

/** Seal lookups kept per transport, all found under one write generation. */
const sealLookups = new WeakMap<ClickHouseTransport, { generation: number; states: Map<string, SealState> }>();
const SEAL_LOOKUPS_KEPT = 64;

/**
 * Runs the seal lookup — or answers from the last identical one while nothing was written since
 * (embedded engine: this process is its one writer, `writeGeneration`). Seals and counts change
 * only by writes, so a kept answer is the one the engine would give — except that the TTL may drop
 * an expired hour's count meanwhile, which moves that hour from its calls to its seal exactly as a
 * read a moment earlier would have found it.
 *
 * The statement returns the tables' rows as stored (0: hour seals, 1: hour counts, 2: day seals),
 * several per hour until merges fold them: the newest seal and the sum of counts are picked here,
 * which costs the engine half what grouping them does (~7 vs ~13 ms CPU for 30 days).
 */
async function lookUpSeals(transport: ClickHouseTransport, sql: string, params: QueryParams, projectId: string): Promise<SealState> {
  const generation = transport.writeGeneration?.();
  const key = `${sql}\n${JSON.stringify(params)}`;
  let kept = sealLookups.get(transport);
  if (generation !== undefined && kept?.generation === generation) {
    const state = kept.states.get(key);
    if (state) return state;
  }
  const rows = await transport.query<{ tier: number; start: string | number; version: string | number; rows: string | number }>({
    sql,
    params,
    tag: { operation: 'rollups.sealsInForce', projectId },
  });
  const state: SealState = { hours: new Map(), days: new Map() };
  for (const row of rows) {
    const start = toCount(row.start) * 1000;
    const version = toCount(row.version);
    const count = toCount(row.rows);
    if (toCount(row.tier) === 2) {
      const day = state.days.get(start);
      if (!day || version > day.version) state.days.set(start, { version, seen: count });
      continue;
    }
    let hour = state.hours.get(start);
    if (!hour) {
      hour = { sealed: false, version: 0, seen: 0, written: 0 };
      state.hours.set(start, hour);
    }
    if (toCount(row.tier) === 1) hour.written += count;
    else if (!hour.sealed || version > hour.version) Object.assign(hour, { sealed: true, version, seen: count });
  }
  // Kept only if nothing was written while the engine answered (the generation read before it).
  if (generation === undefined || transport.writeGeneration?.() !== generation) return state;
  if (kept?.generation !== generation) {
    kept = { generation, states: new Map() };
    sealLookups.set(transport, kept);
  }
  if (kept.states.size >= SEAL_LOOKUPS_KEPT) kept.states.delete(kept.states.keys().next().value as string);
  kept.states.set(key, state);
  return state;
}

/**
 * The project's rollup figures for [from, to) as a table expression with the rollup's columns
 * (`project_id`, `hour`, the dimensions, the figures), which callers sum and group as they would
 * a rollup table. Each hour comes from exactly one place:
 * - the rows of its seal, where the seal is in force: the count of raw rows written still equals
 *   the count the seal read, or the raw rows (and their counts) have aged out;
 * - `llm_calls_hourly` for a version-0 seal in force (a rollup made before migration 0009 whose
 *   calls have aged out);
 * - with `wholeDays`, the rows of its UTC day's seal (migration 0011) where that is in force: the
 *   day's count holds and none of its hours was sealed after it;
 * - otherwise the hour's calls, deduplicated (`callsTable`), one row per call.
 * The seals in force are looked up first, in one small query, and read by the version found then:
 * a call acknowledged after that makes the read as of that moment for its hour, never counts
 * anything twice. `from` and `to` may be wider than the caller's range (its own WHERE narrows).
 * They need not fall on the hour: the calls of a partly covered first or last hour come from the
 * calls, cut to the range, under the hour's start like every other row — so the caller's WHERE on
 * `hour` uses the range widened to whole hours.
 */
export async function hourlyFigures(
  transport: ClickHouseTransport,
  input: {
    projectId: string;
    from: Date;
    to: Date;
    /**
     * The caller never tells hours of a UTC day apart (no hourly buckets, no zone whose days start
     * off UTC midnight): whole UTC days inside the range may come from the daily tier, one row
     * per combination and day, with `hour` the day's start.
     */
    wholeDays?: boolean;
  },
): Promise<HourlyFiguresSource> {
  const from = new Date(Math.floor(input.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = new Date(Math.ceil(input.to.getTime() / HOUR_MS) * HOUR_MS);
  // An hour or day the range covers only in part is read from its calls, cut to the range.
  const covers = (start: number, length: number) => start >= input.from.getTime() && start + length <= input.to.getTime();
  const dayFrom = Math.ceil(input.from.getTime() / DAY_MS) * DAY_MS;
  const dayTo = Math.floor(input.to.getTime() / DAY_MS) * DAY_MS;
  const withDays = input.wholeDays === true && dayFrom < dayTo;
  const range = { projectId: input.projectId, rollup_from: toClickHouseTime(from), rollup_to: toClickHouseTime(to) };
  const inRange = (column: string) =>
    `project_id = {projectId:String} AND ${column} >= {rollup_from:DateTime64(3, 'UTC')} AND ${column} < {rollup_to:DateTime64(3, 'UTC')}`;
  // Every hour's seals and raw counts, and every day's seals, in one small statement (each table
  // an engine reads costs a few ms however small it is); which seals are in force is worked out
  // below from these figures.
  const seals = await lookUpSeals(
    transport,
    `SELECT 0 AS tier, toUnixTimestamp(hour) AS start, version, rows_seen AS rows FROM llm_call_hour_seals WHERE ${inRange('hour')}
     UNION ALL
     SELECT 1, toUnixTimestamp(hour), toUInt64(0), rows FROM llm_call_hour_counts WHERE ${inRange('hour')}${
       withDays
         ? `
     UNION ALL
     SELECT 2, toUnixTimestamp(day), version, rows_seen FROM llm_call_day_seals WHERE ${inRange('day')}`
         : ''
     }`,
    range,
    input.projectId,
  );
  const hoursInForce: Array<{ hour: number; version: number }> = [];
  // Per UTC day: the raw rows its hours counted and the newest seal of any of its hours.
  const dayWritten = new Map<number, number>();
  const dayNewestHourSeal = new Map<number, number>();
  for (const [hour, { sealed, version, seen, written }] of seals.hours) {
    // In force while the count the seal read still holds, or once the counts aged out with the calls.
    if (sealed && (written === 0 || written === seen) && covers(hour, HOUR_MS)) hoursInForce.push({ hour, version });
    const day = Math.floor(hour / DAY_MS) * DAY_MS;
    dayWritten.set(day, (dayWritten.get(day) ?? 0) + written);
    dayNewestHourSeal.set(day, Math.max(dayNewestHourSeal.get(day) ?? 0, sealed ? version : 0));
  }
  // A day in force: its count holds (or aged out), and no hour of it was sealed after it (a
  // re-price seals hours again without moving their counts).
  const daysInForce = [...seals.days]
    .map(([day, { version, seen }]) => ({ day, version, seen }))
    .filter(({ day, version, seen }) => {
      if (!covers(day, DAY_MS)) return false;
      const written = dayWritten.get(day) ?? 0;
      return (written === 0 || written === seen) && (dayNewestHourSeal.get(day) ?? 0) <= version;
    });
  // Hours with no calls: the count of raw rows is written in the same INSERT as the calls, so an
  // hour with no count has none — unless the TTL may have dropped its count (at hour + retention)
  // before its calls (at each call's time + retention): hours within a day of that edge, or with
  // no retention known, are read from their calls.
  const noCalls = new Set<number>();
  if (transport.retentionDays !== undefined) {
    const youngestExpiring = Date.now() - (transport.retentionDays - 1) * DAY_MS;
    for (let hour = Math.max(from.getTime(), Math.ceil(youngestExpiring / HOUR_MS) * HOUR_MS); hour < to.getTime(); hour += HOUR_MS) {
      if (!seals.hours.has(hour)) noCalls.add(hour);
    }
  }
  const { raw, sealed, legacy, days } = planHours(from.getTime(), to.getTime(), hoursInForce, daysInForce.map(({ day }) => day), noCalls);
  const params: QueryParams = { ...range };
  const parts: string[] = [];
  if (raw.length > 0) {
    // Explicit time ranges, so the primary index skips the sealed hours' calls.
    const ranges = raw.map(([start, end], index) => {
      params[`rollup_raw_from_${index}`] = toClickHouseTime(new Date(Math.max(start, input.from.getTime())));
      params[`rollup_raw_to_${index}`] = toClickHouseTime(new Date(Math.min(end, input.to.getTime())));
      return `(time >= {rollup_raw_from_${index}:DateTime64(3, 'UTC')} AND time < {rollup_raw_to_${index}:DateTime64(3, 'UTC')})`;
    });
    parts.push(`SELECT ${CALLS_AS_ROLLUP} FROM ${callsTable(transport)}
     WHERE project_id = {projectId:String} AND (${ranges.join(' OR ')})`);
  }
  // Sealed rows are taken by (start, version) pairs: the version found in force, whose rows stay
  // stored whatever seals come after (superseded versions are kept until the TTL).
  const versionsIn = (ranges: HourRange[], found: Array<{ start: number; version: number }>) =>
    found.filter(({ start }) => ranges.some(([from, to]) => start >= from && start < to));
  const sealedHours = versionsIn(sealed, hoursInForce.map(({ hour, version }) => ({ start: hour, version })));
  if (sealedHours.length > 0) {
    params.rollup_sealed_hours = sealedHours.map(({ start }) => start / 1000);
    params.rollup_sealed_versions = sealedHours.map(({ version }) => version);
    parts.push(`SELECT ${KEYS}, ${FIGURES.join(', ')} FROM llm_calls_hourly_sealed
     WHERE ${inRange('hour')}
       AND version = transform(toUnixTimestamp(hour), {rollup_sealed_hours:Array(UInt32)}, {rollup_sealed_versions:Array(UInt64)}, toUInt64(0))`);
  }
  if (legacy.length > 0) {
    params.rollup_legacy_from = legacy.map(([start]) => start / 1000);
    params.rollup_legacy_to = legacy.map(([, end]) => end / 1000);
    parts.push(`SELECT ${KEYS}, ${FIGURES.join(', ')} FROM llm_calls_hourly
     WHERE ${inRange('hour')}
       AND arrayExists((s, e) -> toUnixTimestamp(hour) >= s AND toUnixTimestamp(hour) < e, {rollup_legacy_from:Array(UInt32)}, {rollup_legacy_to:Array(UInt32)})`);
  }
  const sealedDays = versionsIn(days, daysInForce.map(({ day, version }) => ({ start: day, version })));
  if (sealedDays.length > 0) {
    params.rollup_sealed_days = sealedDays.map(({ start }) => start / 1000);
    params.rollup_sealed_day_versions = sealedDays.map(({ version }) => version);
    parts.push(`SELECT project_id, day AS hour, ${KEYS.replace('project_id, hour, ', '')}, ${FIGURES.join(', ')} FROM llm_calls_daily_sealed
     WHERE ${inRange('day')}
       AND version = transform(toUnixTimestamp(day), {rollup_sealed_days:Array(UInt32)}, {rollup_sealed_day_versions:Array(UInt64)}, toUInt64(0))`);
  }
  const empty = parts.length === 0;
  // An empty range still needs the columns: no row of an impossible condition.
  if (empty) parts.push(`SELECT ${CALLS_AS_ROLLUP} FROM llm_calls WHERE 0`);
  const table = `(${parts.join('\n    UNION ALL\n    ')})`;
  return { table, params, empty };
}

/** Most time ranges of raw calls one read names; more are merged (see `planHours`). */
export const MAX_RAW_RANGES = 16;

type HourRange = [start: number, end: number];

/**
 * Splits [from, to) (ms, whole hours) into ranges read from the calls, from sealed hours, from
 * pre-0009 rollups (version 0) and from sealed days (`daysInForce`: the starts of UTC days in
 * force, each inside [from, to)). A day in force answers for its 24 hours; any hour may be read
 * from its calls instead of its seal or its day's — only never from two places — so when the
 * hours without a seal in force are scattered, the closest ranges of calls are merged (the sealed
 * hours and days between them read raw) to keep the statement short. Hours known to have no calls
 * (`noCalls`, without a seal in force) need no read; a range of calls may run across them.
 */
export function planHours(
  from: number,
  to: number,
  inForce: Array<{ hour: number; version: number }>,
  daysInForce: number[] = [],
  noCalls: ReadonlySet<number> = new Set(),
): { raw: HourRange[]; sealed: HourRange[]; legacy: HourRange[]; days: HourRange[] } {
  const versionOf = new Map(inForce.map((seal) => [seal.hour, seal.version]));
  const dayStarts = new Set(daysInForce.filter((day) => day % DAY_MS === 0 && day >= from && day + DAY_MS <= to));
  const inSealedDay = (hour: number) => dayStarts.has(Math.floor(hour / DAY_MS) * DAY_MS);
  const raw: HourRange[] = [];
  // The end of the last range of calls, moved on over the hours with no calls after it.
  let readUpTo = -1;
  for (let hour = from; hour < to; hour += HOUR_MS) {
    if (versionOf.has(hour) || inSealedDay(hour)) continue;
    if (noCalls.has(hour)) {
      if (readUpTo === hour) readUpTo = hour + HOUR_MS;
      continue;
    }
    const last = raw[raw.length - 1];
    if (last && readUpTo === hour) last[1] = hour + HOUR_MS;
    else raw.push([hour, hour + HOUR_MS]);
    readUpTo = hour + HOUR_MS;
  }
  while (raw.length > MAX_RAW_RANGES) {
    let closest = 0;
    for (let index = 1; index < raw.length - 1; index += 1) {
      if ((raw[index + 1] as HourRange)[0] - (raw[index] as HourRange)[1] < (raw[closest + 1] as HourRange)[0] - (raw[closest] as HourRange)[1]) closest = index;
    }
    const merged: HourRange = [(raw[closest] as HourRange)[0], (raw[closest + 1] as HourRange)[1]];
    raw.splice(closest, 2, merged);
  }
  const isRaw = (hour: number) => raw.some(([start, end]) => hour >= start && hour < end);
  const join = (ranges: HourRange[], start: number, length: number): void => {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === start) last[1] = start + length;
    else ranges.push([start, start + length]);
  };
  // Raw ranges start and end outside sealed days, so a merge takes a whole day or none of it.
  const days: HourRange[] = [];
  for (const day of [...dayStarts].sort((a, b) => a - b)) {
    if (!isRaw(day)) join(days, day, DAY_MS);
  }
  const isDay = (hour: number) => days.some(([start, end]) => hour >= start && hour < end);
  const rangesOf = (keep: (version: number) => boolean): HourRange[] => {
    const ranges: HourRange[] = [];
    for (const { hour, version } of [...inForce].sort((a, b) => a.hour - b.hour)) {
      if (!keep(version) || isRaw(hour) || isDay(hour)) continue;
      join(ranges, hour, HOUR_MS);
    }
    return ranges;
  };
  return { raw, sealed: rangesOf((version) => version > 0), legacy: rangesOf((version) => version === 0), days };
}

export type SealHourlyRollupsInput = {
  projectId: string;
  /** Hours starting in [from, to) are looked at; both are cut to whole hours (from down, to down). */
  from: Date;
  to: Date;
  /** Seal every hour and whole UTC day with calls, not only those whose seal no longer holds (after a re-price). */
  force?: boolean;
  /** Hours per rebuild statement (default 168, a week). */
  hoursPerStatement?: number;
};

export type SealHourlyRollupsResult = { hoursSealed: number; daysSealed: number };

/**
 * Rebuilds the rollup rows of the project's hours in [from, to) whose seal no longer holds (or
 * all of them with `force`) from the deduplicated calls, then records each hour's seal. The count of
 * raw rows is read first: a call stored while the hour is being rebuilt is either in the rebuilt
 * rows or makes the count move on, so the hour reads raw until the next seal. Safe to run from
 * several processes at once: each run writes complete hours under its own version and readers
 * take the newest version recorded, whichever finished last.
 *
 * Then the same for the whole UTC days inside [from, to), the daily tier (`sealDays`).
 *
 * The caller keeps `from` clear of the retention edge: an hour whose calls the TTL is dropping
 * keeps its seal rather than lose the dropped calls.
 */
export async function sealHourlyRollups(transport: ClickHouseTransport, input: SealHourlyRollupsInput): Promise<SealHourlyRollupsResult> {
  const operation = 'rollups.seal';
  requireProjectId(operation, input.projectId);
  const from = new Date(Math.floor(input.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = new Date(Math.floor(input.to.getTime() / HOUR_MS) * HOUR_MS);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new CostscopeStorageError(operation, 'invalid', 'from and to must be valid dates');
  if (from >= to) return { hoursSealed: 0, daysSealed: 0 };
  const hoursSealed = await sealHours(transport, { ...input, from, to });
  const daysSealed = await sealDays(transport, { ...input, from, to });
  return { hoursSealed, daysSealed };
}

async function sealHours(transport: ClickHouseTransport, input: SealHourlyRollupsInput): Promise<number> {
  const operation = 'rollups.seal';
  const { from, to } = input;
  const hoursPerStatement = input.hoursPerStatement ?? 168;
  const tag = { operation, projectId: input.projectId };
  const params = { projectId: input.projectId, from: toClickHouseTime(from), to: toClickHouseTime(to), force: input.force ? 1 : 0 };

  const stale = await transport.query<{ hour_epoch: string | number; rows: string | number; latest_version: string | number }>({
    // Above the project's day seals too: an hour sealed again (a re-price) must be newer than its day's seal.
    sql: `SELECT toUnixTimestamp(written.hour) AS hour_epoch, written.rows AS rows,
            greatest(
              (SELECT max(version) FROM llm_call_hour_seals WHERE project_id = {projectId:String}),
              (SELECT max(version) FROM llm_call_day_seals WHERE project_id = {projectId:String})
            ) AS latest_version
          FROM (
            SELECT hour, sum(rows) AS rows FROM llm_call_hour_counts
            WHERE project_id = {projectId:String} AND hour >= {from:DateTime64(3, 'UTC')} AND hour < {to:DateTime64(3, 'UTC')}
            GROUP BY hour
          ) AS written
          LEFT JOIN (
            SELECT hour, argMax(rows_seen, version) AS rows_seen FROM llm_call_hour_seals
            WHERE project_id = {projectId:String} AND hour >= {from:DateTime64(3, 'UTC')} AND hour < {to:DateTime64(3, 'UTC')}
            GROUP BY hour
          ) AS seal ON written.hour = seal.hour
          WHERE written.rows > 0 AND ({force:UInt8} = 1 OR written.rows != seal.rows_seen)
          ORDER BY written.hour`,
    params,
    tag,
  });
  if (stale.length === 0) return 0;

  // Above every earlier seal of the project, and above a seal another process began before this
  // one (clock time in microseconds), so the seal that read the calls last wins.
  const version = Math.max(toCount(stale[0]?.latest_version) + 1, Date.now() * 1000);

  for (let start = 0; start < stale.length; start += hoursPerStatement) {
    const batch = stale.slice(start, start + hoursPerStatement);
    const hours = batch.map((row) => toCount(row.hour_epoch));
    const batchParams = {
      projectId: input.projectId,
      from: toClickHouseTime(new Date((hours[0] as number) * 1000)),
      to: toClickHouseTime(new Date(((hours[hours.length - 1] as number) + 3600) * 1000)),
      hours,
      rows: batch.map((row) => toCount(row.rows)),
      version,
    };
    await transport.command({
      sql: `INSERT INTO llm_calls_hourly_sealed (${KEYS}, ${FIGURES.join(', ')}, version)
            SELECT project_id, toStartOfHour(time) AS hour, service, feature, endpoint, model, provider, user_tier, status,
              ${CALLS_SUMMED.join(', ')}, {version:UInt64}
            FROM ${callsTable(transport)}
            WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
              AND toUnixTimestamp(toStartOfHour(time)) IN {hours:Array(UInt32)}
            GROUP BY ${KEYS}`,
      params: batchParams,
      tag,
      // On a cluster every replica of the shard holds the rows before the seal naming them is written.
      quorum: true,
    });
    // Recorded only once the hour's rows are stored: a seal never points at rows not there yet.
    await transport.command({
      sql: `INSERT INTO llm_call_hour_seals (project_id, hour, version, rows_seen, sealed_at)
            SELECT {projectId:String}, toDateTime(tupleElement(seal, 1), 'UTC'), {version:UInt64}, tupleElement(seal, 2), now64(3)
            FROM (SELECT arrayJoin(arrayZip({hours:Array(UInt32)}, {rows:Array(UInt64)})) AS seal)`,
      params: batchParams,
      tag,
      quorum: true,
    });
  }
  return stale.length;
}

/** Days per rebuild statement. */
const DAYS_PER_STATEMENT = 7;

/**
 * The daily tier (migration 0011): rebuilds each UTC day inside [from, to) that has calls and whose
 * seal no longer holds — its hours' count moved, or one of its hours was sealed after it (a
 * re-price) — or every such day with `force`, then records the day's seal. Run after the hours,
 * so a day sealed here is newer than every hour seal it follows. The same protocol as the hours:
 * count first, rebuild from the deduplicated calls under a version above every earlier seal,
 * record the seal only once the rows are stored.
 */
async function sealDays(transport: ClickHouseTransport, input: SealHourlyRollupsInput): Promise<number> {
  const operation = 'rollups.sealDays';
  const dayFrom = Math.ceil(input.from.getTime() / DAY_MS) * DAY_MS;
  const dayTo = Math.floor(input.to.getTime() / DAY_MS) * DAY_MS;
  if (dayFrom >= dayTo) return 0;
  const tag = { operation, projectId: input.projectId };
  const params = { projectId: input.projectId, from: toClickHouseTime(new Date(dayFrom)), to: toClickHouseTime(new Date(dayTo)), force: input.force ? 1 : 0 };
  const inRange = (column: string) => `project_id = {projectId:String} AND ${column} >= {from:DateTime64(3, 'UTC')} AND ${column} < {to:DateTime64(3, 'UTC')}`;
  const stale = await transport.query<{ day_epoch: string | number; rows: string | number; latest_version: string | number }>({
    sql: `SELECT toUnixTimestamp(day) AS day_epoch, sum(written) AS rows,
            greatest(
              (SELECT max(version) FROM llm_call_hour_seals WHERE project_id = {projectId:String}),
              (SELECT max(version) FROM llm_call_day_seals WHERE project_id = {projectId:String})
            ) AS latest_version
          FROM (
            SELECT toStartOfDay(hour, 'UTC') AS day, sum(rows) AS written, toUInt64(0) AS seen, toUInt64(0) AS day_version, toUInt64(0) AS hour_version, 0 AS sealed
            FROM llm_call_hour_counts WHERE ${inRange('hour')} GROUP BY day
            UNION ALL
            SELECT day, toUInt64(0), argMax(rows_seen, version), max(version), toUInt64(0), 1
            FROM llm_call_day_seals WHERE ${inRange('day')} GROUP BY day
            UNION ALL
            SELECT toStartOfDay(hour, 'UTC') AS day, toUInt64(0), toUInt64(0), toUInt64(0), max(version), 0
            FROM llm_call_hour_seals WHERE ${inRange('hour')} GROUP BY day
          )
          GROUP BY day
          HAVING sum(written) > 0
            AND ({force:UInt8} = 1 OR max(sealed) = 0 OR sum(written) != sum(seen) OR max(hour_version) > max(day_version))
          ORDER BY day`,
    params,
    tag,
  });
  if (stale.length === 0) return 0;
  const version = Math.max(toCount(stale[0]?.latest_version) + 1, Date.now() * 1000);
  for (let start = 0; start < stale.length; start += DAYS_PER_STATEMENT) {
    const batch = stale.slice(start, start + DAYS_PER_STATEMENT);
    const days = batch.map((row) => toCount(row.day_epoch));
    const batchParams = {
      projectId: input.projectId,
      from: toClickHouseTime(new Date((days[0] as number) * 1000)),
      to: toClickHouseTime(new Date((days[days.length - 1] as number) * 1000 + DAY_MS)),
      days,
      rows: batch.map((row) => toCount(row.rows)),
      version,
    };
    await transport.command({
      sql: `INSERT INTO llm_calls_daily_sealed (project_id, day, ${KEYS.replace('project_id, hour, ', '')}, ${FIGURES.join(', ')}, version)
            SELECT project_id, toStartOfDay(time, 'UTC') AS day, service, feature, endpoint, model, provider, user_tier, status,
              ${CALLS_SUMMED.join(', ')}, {version:UInt64}
            FROM ${callsTable(transport)}
            WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
              AND toUnixTimestamp(toStartOfDay(time, 'UTC')) IN {days:Array(UInt32)}
            GROUP BY project_id, day, service, feature, endpoint, model, provider, user_tier, status`,
      params: batchParams,
      tag,
      quorum: true,
    });
    await transport.command({
      sql: `INSERT INTO llm_call_day_seals (project_id, day, version, rows_seen, sealed_at)
            SELECT {projectId:String}, toDateTime(tupleElement(seal, 1), 'UTC'), {version:UInt64}, tupleElement(seal, 2), now64(3)
            FROM (SELECT arrayJoin(arrayZip({days:Array(UInt32)}, {rows:Array(UInt64)})) AS seal)`,
      params: batchParams,
      tag,
      quorum: true,
    });
  }
  return stale.length;
}
