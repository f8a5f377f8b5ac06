import { z } from 'zod';

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
});

export type StorageConfig =
  | { kind: 'embedded'; dataDir: string; database: string; retentionDays: number }
  | {
      kind: 'http';
      url: string;
      username: string;
      password: string;
      database: string;
      cluster: string | undefined;
      retentionDays: number;
    };

export type ServerConfig = {
  port: number;
  host: string;
  dataDir: string;
  storage: StorageConfig;
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
  const storage: StorageConfig = data.CLICKHOUSE_URL
    ? {
        kind: 'http',
        url: data.CLICKHOUSE_URL,
        username: data.CLICKHOUSE_USER,
        password: data.CLICKHOUSE_PASSWORD,
        database: data.CLICKHOUSE_DATABASE,
        cluster: data.COSTSCOPE_CLICKHOUSE_CLUSTER,
        retentionDays: data.COSTSCOPE_RETENTION_DAYS,
      }
    : {
        kind: 'embedded',
        dataDir: data.COSTSCOPE_DATA_DIR,
        database: data.CLICKHOUSE_DATABASE,
        retentionDays: data.COSTSCOPE_RETENTION_DAYS,
      };
  return { port: data.PORT, host: data.HOST, dataDir: data.COSTSCOPE_DATA_DIR, storage };
}
