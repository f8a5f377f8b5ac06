import { z } from 'zod';
import { COST_DIMENSIONS, type CostDimension, type CostFilters } from '../storage/query-support.js';
import type { CostInterval } from '../storage/costs.js';

const DAY_MS = 86_400_000;
/** The longest range one request may ask for: two years of hourly rollups is plenty for a chart. */
const MAX_RANGE_DAYS = 800;

const isoInstant = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((value) => new Date(value));

const commaList = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''));

/** Each group-by dimension may also filter: `?feature=search,chat&model=gpt-5`. */
const filterShape = Object.fromEntries(
  COST_DIMENSIONS.map((dimension) => [dimension, commaList.pipe(z.array(z.string().max(500)).max(100)).optional()]),
) as Record<CostDimension, z.ZodOptional<z.ZodPipe<typeof commaList, z.ZodArray<z.ZodString>>>>;

/**
 * `GET /api/v1/costs` query parameters. Unknown parameters are rejected rather than ignored, so
 * a typo (`groupby=`) is a 400 naming it instead of a silently unfiltered answer.
 */
export const costQueryParamsSchema = z
  .object({
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    groupBy: commaList
      .pipe(z.array(z.enum(COST_DIMENSIONS, { message: `each groupBy must be one of ${COST_DIMENSIONS.join(', ')}` })))
      .optional(),
    interval: z.enum(['hour', 'day', 'week']).optional(),
    timezone: z
      .string()
      .refine(isKnownTimeZone, 'must be an IANA time zone such as UTC or Europe/Paris')
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
    ...filterShape,
  })
  .strict();

export type CostQueryParams = {
  from: Date;
  to: Date;
  groupBy: CostDimension[];
  interval: CostInterval | undefined;
  timezone: string | undefined;
  limit: number | undefined;
  filters: CostFilters;
};

export class CostQueryParamError extends Error {
  override readonly name = 'CostQueryParamError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

/** Parses and checks the parameters; the default range is the last 30 days up to `now`. */
export function parseCostQueryParams(query: Record<string, unknown>, now: Date, defaultTimezone: string): CostQueryParams {
  const parsed = costQueryParamsSchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const parameter =
      issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : String(issue?.path[0] ?? 'query');
    const message = issue?.code === 'unrecognized_keys' ? 'unknown parameter' : (issue?.message ?? 'invalid');
    throw new CostQueryParamError(parameter, message);
  }
  const params = parsed.data;
  const to = params.to ?? now;
  const from = params.from ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw new CostQueryParamError('from', 'must be before to');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new CostQueryParamError('from', `the range may span at most ${MAX_RANGE_DAYS} days`);
  }
  const filters: CostFilters = {};
  for (const dimension of COST_DIMENSIONS) {
    const values = params[dimension];
    if (values && values.length > 0) filters[dimension] = values;
  }
  return {
    from,
    to,
    groupBy: [...new Set(params.groupBy ?? [])],
    interval: params.interval,
    timezone: params.timezone ?? defaultTimezone,
    limit: params.limit,
    filters,
  };
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
