import { z } from 'zod';
import { loadAlertDeliveryConfig, type AlertDeliveryConfig } from '../alerts/channels/alert-delivery-config.js';
import { parseSecretKey } from './secret-key.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../storage/query-limits.js';

export const SERVER_ROLES = ['ingest', 'api', 'scheduler'] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/**
 * The server's settings, read from the environment once at start. A bad value fails the start
 * with a message naming the variable, rather than surfacing later as a confusing runtime error.
 */
const serverEnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(4318),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Embedded ClickHouse data, spool and credentials live here. */
  COSTSCOPE_DATA_DIR: z.string().min(1).default('./.costscope'),
  /** Set to use a ClickHouse server over HTTP instead of the embedded engine. */
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().min(1).default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)')
    .default('costscope'),
  /** Renders migrations `ON CLUSTER` with Replicated* engines and Distributed tables. */
  COSTSCOPE_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier (letters, digits, _)')
    .optional(),
  /** Raw calls are dropped after this many days; hourly rollups are kept longer. */
  COSTSCOPE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
  /** Which parts this process runs: one process serves all by default; production may split them. */
  COSTSCOPE_ROLES: z
    .string()
    .default('ingest,api,scheduler')
    .transform((value) => value.split(',').map((role) => role.trim()).filter((role) => role !== ''))
    .pipe(z.array(z.enum(SERVER_ROLES, { message: `each role must be one of ${SERVER_ROLES.join(', ')}` })).min(1)),
  /** Registered for the default project on first start; else a key is generated and written to credentials.json. */
  COSTSCOPE_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Day and week boundaries for reports and rules. */
  COSTSCOPE_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Paris'),
  /** How often the scheduler evaluates the alert rules: `5m` default; `10s`, `90s`, `1h` also read. */
  COSTSCOPE_ALERTS_INTERVAL: z
    .string()
    .default('5m')
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms < 1_000 || ms > 86_400_000) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration from 1s to 24h such as 5m, 10s or 1h' });
        return z.NEVER;
      }
      return ms;
    }),
  /**
   * How much the framework logs: `warn` by default, so a start prints the few lines that matter
   * (where Costscope listens, the key on first start) instead of every mapped route.
   */
  COSTSCOPE_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('warn'),
  /**
   * Set by `npm start`'s launcher, which prints one banner for the server and the dashboard
   * (URLs, and the key and password on the first start): the server then prints neither its
   * listening line nor the generated key itself.
   */
  COSTSCOPE_LAUNCHER: z.enum(['0', '1']).default('0'),
  /**
   * Encrypts channel secrets at rest (AES-256-GCM): 32 bytes as base64 or 64 hex digits. Unset,
   * a key is generated into `<data dir>/secret.key`. The message never repeats the value.
   */
  COSTSCOPE_SECRET_KEY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      const key = parseSecretKey(value);
      if (!key) {
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits' });
        return z.NEVER;
      }
      return key;
    }),
  /** Read limits of every storage query (see storage/query-limits.ts for the defaults' reasons). */
  COSTSCOPE_QUERY_MAX_MEMORY: z
    .string()
    .default(String(DEFAULT_QUERY_LIMITS.maxMemoryUsageBytes))
    .transform((value, ctx) => {
      const bytes = parseByteSize(value);
      if (bytes === undefined || bytes < 1024 * 1024) {
        ctx.addIssue({ code: 'custom', message: 'must be a size of at least 1MiB such as 2GiB, 512MiB or a byte count' });
        return z.NEVER;
      }
      return bytes;
    }),
  COSTSCOPE_QUERY_TIMEOUT: z
    .string()
    .default(`${DEFAULT_QUERY_LIMITS.maxExecutionTimeSeconds}s`)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms < 1_000 || ms > 3_600_000 || ms % 1_000 !== 0) {
        ctx.addIssue({ code: 'custom', message: 'must be whole seconds from 1s to 1h such as 30s or 2m' });
        return z.NEVER;
      }
      return ms / 1_000;
    }),
  COSTSCOPE_QUERY_MAX_GROUPS: z.coerce.number().int().min(1).default(DEFAULT_QUERY_LIMITS.maxRowsToGroupBy),
  COSTSCOPE_QUERY_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_QUERY_LIMITS.maxConcurrentQueries),
  /** OTLP exports decoded and written at once, by the whole process and by any one project. */
  COSTSCOPE_INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(64),
  COSTSCOPE_INGEST_MAX_IN_FLIGHT_PER_PROJECT: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Requests per minute each key may make to the JSON API (`/api/v1/*`), per API process. */
  COSTSCOPE_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Wrong or missing keys one address may present per minute before it is answered 429. */
  COSTSCOPE_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(20),
  /**
   * How many bytes of calls the ingest spool may hold while storage is unavailable; past it the
   * ingest answers 503 with Retry-After. 1 GiB by default: hours of a busy project's calls.
   */
  COSTSCOPE_SPOOL_MAX_BYTES: z.coerce.number().int().min(4096, 'must be at least 4096 bytes').default(1024 * 1024 * 1024),
  /** When the weekly review goes out, in COSTSCOPE_TIMEZONE: `mon 09:00` default, `off` to send none. */
  COSTSCOPE_WEEKLY_REVIEW: z
    .string()
    .default('mon 09:00')
    .transform((value, ctx) => {
      if (value.trim().toLowerCase() === 'off') return null;
      const schedule = parseWeeklySchedule(value);
      if (!schedule) {
        ctx.addIssue({ code: 'custom', message: 'must be a weekday and a 24-hour time such as "mon 09:00", or "off"' });
        return z.NEVER;
      }
      return schedule;
    }),
});

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `2GiB`, `512MiB`, `1048576` → bytes; undefined when not a size. */
export function parseByteSize(value: string): number | undefined {
  const match = /^\s*(\d+)\s*(b|kib|mib|gib)?\s*$/i.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN);
}

/** `10s`, `5m`, `1h`, `250ms` → milliseconds; undefined when not a duration. */
export function parseDuration(value: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? Number.NaN);
}

/** When the weekly review is sent: ISO weekday (1 = Monday … 7 = Sunday) and minutes after local midnight. */
export type WeeklySchedule = { isoWeekday: number; minuteOfDay: number };

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function parseWeeklySchedule(value: string): WeeklySchedule | undefined {
  const match = /^\s*([a-z]{3})[a-z]*\s+(\d{1,2}):(\d{2})\s*$/i.exec(value);
  if (!match) return undefined;
  const weekday = WEEKDAYS.indexOf((match[1] ?? '').toLowerCase());
  const hour = Number(match[2]);
  const minute = Number(match[3]);
  if (weekday < 0 || hour > 23 || minute > 59) return undefined;
  return { isoWeekday: weekday + 1, minuteOfDay: hour * 60 + minute };
}

export type StorageConfig =
  | { kind: 'embedded'; dataDir: string; database: string; retentionDays: number; queryLimits?: QueryLimits }
  | {
      kind: 'http';
      url: string;
      username: string;
      password: string;
      database: string;
      cluster: string | undefined;
      retentionDays: number;
      queryLimits?: QueryLimits;
    };

/** How many OTLP exports are decoded and written at once (429 with Retry-After beyond). */
export type IngestConcurrency = {
  /** `COSTSCOPE_INGEST_MAX_IN_FLIGHT`: the whole process. */
  maxInFlight: number;
  /** `COSTSCOPE_INGEST_MAX_IN_FLIGHT_PER_PROJECT`: any one project (default half the process's share). */
  maxInFlightPerProject: number;
};

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  storage: StorageConfig;
  roles: readonly ServerRole[];
  apiKey: string | undefined;
  timezone: string;
  retentionDays: number;
  /** `COSTSCOPE_ALERTS_INTERVAL` in milliseconds. */
  alertsIntervalMs: number;
  /** `COSTSCOPE_WEEKLY_REVIEW`; null when switched off. */
  weeklyReview: WeeklySchedule | null;
  /** Alert channels and links from the same environment (`loadAlertDeliveryConfig`). */
  alertDelivery: AlertDeliveryConfig;
  /** `COSTSCOPE_LOG_LEVEL`. */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** `COSTSCOPE_LAUNCHER=1`: the launcher announces the start (and a generated key), not the server. */
  launched: boolean;
  /** `COSTSCOPE_SECRET_KEY`, decoded; unset: the data directory's generated key. */
  secretKey: Buffer | undefined;
  /** `COSTSCOPE_INGEST_MAX_IN_FLIGHT` and `…_PER_PROJECT`. */
  ingestConcurrency: IngestConcurrency;
  /** `COSTSCOPE_API_RATE_LIMIT`: JSON API requests per minute per key. */
  apiRateLimitPerMinute: number;
  /** `COSTSCOPE_AUTH_FAILURE_LIMIT`: 401s per minute per address before 429. */
  authFailuresPerMinute: number;
  /** `COSTSCOPE_SPOOL_MAX_BYTES`. */
  spoolMaxBytes: number;
};

export class CostscopeConfigError extends Error {
  override readonly name = 'CostscopeConfigError';
}

export function loadServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = serverEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new CostscopeConfigError(`Invalid server setting — ${problems.join('; ')}`);
  }
  const data = parsed.data;
  if (data.COSTSCOPE_CLICKHOUSE_CLUSTER && !data.CLICKHOUSE_URL) {
    throw new CostscopeConfigError(
      'Invalid server setting — COSTSCOPE_CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL (the embedded engine is one node)',
    );
  }
  const queryLimits: QueryLimits = {
    maxMemoryUsageBytes: data.COSTSCOPE_QUERY_MAX_MEMORY,
    maxExecutionTimeSeconds: data.COSTSCOPE_QUERY_TIMEOUT,
    maxRowsToGroupBy: data.COSTSCOPE_QUERY_MAX_GROUPS,
    maxConcurrentQueries: data.COSTSCOPE_QUERY_MAX_IN_FLIGHT,
  };
  const storage: StorageConfig = data.CLICKHOUSE_URL
    ? {
        kind: 'http',
        url: data.CLICKHOUSE_URL,
        username: data.CLICKHOUSE_USER,
        password: data.CLICKHOUSE_PASSWORD,
        database: data.CLICKHOUSE_DATABASE,
        cluster: data.COSTSCOPE_CLICKHOUSE_CLUSTER,
        retentionDays: data.COSTSCOPE_RETENTION_DAYS,
        queryLimits,
      }
    : {
        kind: 'embedded',
        dataDir: data.COSTSCOPE_DATA_DIR,
        database: data.CLICKHOUSE_DATABASE,
        retentionDays: data.COSTSCOPE_RETENTION_DAYS,
        queryLimits,
      };
  return {
    port: data.PORT,
    host: data.HOST,
    dataDir: data.COSTSCOPE_DATA_DIR,
    storage,
    roles: [...new Set(data.COSTSCOPE_ROLES)],
    apiKey: data.COSTSCOPE_API_KEY,
    timezone: data.COSTSCOPE_TIMEZONE,
    retentionDays: data.COSTSCOPE_RETENTION_DAYS,
    alertsIntervalMs: data.COSTSCOPE_ALERTS_INTERVAL,
    weeklyReview: data.COSTSCOPE_WEEKLY_REVIEW,
    alertDelivery: loadAlertDeliveryConfig(env),
    logLevel: data.COSTSCOPE_LOG_LEVEL,
    launched: data.COSTSCOPE_LAUNCHER === '1',
    secretKey: data.COSTSCOPE_SECRET_KEY,
    ingestConcurrency: {
      maxInFlight: data.COSTSCOPE_INGEST_MAX_IN_FLIGHT,
      // Half by default: one project flooding leaves the other half to everyone else.
      maxInFlightPerProject: Math.min(
        data.COSTSCOPE_INGEST_MAX_IN_FLIGHT,
        data.COSTSCOPE_INGEST_MAX_IN_FLIGHT_PER_PROJECT ?? Math.max(1, Math.ceil(data.COSTSCOPE_INGEST_MAX_IN_FLIGHT / 2)),
      ),
    },
    apiRateLimitPerMinute: data.COSTSCOPE_API_RATE_LIMIT,
    authFailuresPerMinute: data.COSTSCOPE_AUTH_FAILURE_LIMIT,
    spoolMaxBytes: data.COSTSCOPE_SPOOL_MAX_BYTES,
  };
}

/** Injection token of the process's `ServerConfig`: `@Inject(SERVER_CONFIG)`. */
export const SERVER_CONFIG = Symbol.for('costscope.config');
