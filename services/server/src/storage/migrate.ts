import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CostscopeStorageError } from './errors.js';
import type { ClickHouseTransport } from './transport.js';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.up\.sql$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Raw calls are kept `retentionDays`; hourly rollups at least this long (25 months: year-over-year views). */
export const MIN_ROLLUP_RETENTION_DAYS = 760;

export type Migration = { version: number; name: string; sql: string; checksum: string };

export type SchemaOptions = {
  /** ClickHouse cluster name; unset on one node (embedded or a single server). */
  cluster?: string | undefined;
  /** Database the Distributed tables point at (needed only with a cluster). */
  database: string;
  retentionDays: number;
};

/** The numbered `NNNN_name.up.sql` files, in order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => FILE_PATTERN.test(file))
    .sort()
    .map((file) => {
      const [, version = '0', name = ''] = FILE_PATTERN.exec(file) ?? [];
      const sql = readFileSync(join(dir, file), 'utf8');
      return { version: Number(version), name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function rollupRetentionDays(retentionDays: number): number {
  return Math.max(MIN_ROLLUP_RETENTION_DAYS, retentionDays);
}

/**
 * Renders a migration's placeholders into statements. DDL cannot take query parameters, so the
 * few settings that reach it (cluster, database, day counts) are validated here as identifiers
 * and integers; nothing a user of the API sends ever reaches this text.
 */
export function renderMigration(sql: string, options: SchemaOptions): string[] {
  const { cluster, database, retentionDays } = options;
  if (cluster !== undefined && !IDENTIFIER.test(cluster)) throw schemaError(`invalid cluster name ${JSON.stringify(cluster)}`);
  if (!IDENTIFIER.test(database)) throw schemaError(`invalid database name ${JSON.stringify(database)}`);
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw schemaError(`invalid retention ${retentionDays}`);

  const rendered = sql
    .replaceAll('{{LOCAL}}', cluster ? '_local' : '')
    .replaceAll('{{ON_CLUSTER}}', cluster ? `ON CLUSTER ${cluster}` : '')
    .replaceAll('{{RETENTION_DAYS}}', String(retentionDays))
    .replaceAll('{{ROLLUP_RETENTION_DAYS}}', String(rollupRetentionDays(retentionDays)))
    .replace(/\{\{ENGINE:(\w+)(?:\(([^)]*)\))?\}\}/g, (_match, engine: string, args: string | undefined) => {
      if (!cluster) return args ? `${engine}(${args})` : engine;
      // {shard}, {replica}, {database} and {table} are the server's macros, expanded per node.
      const replicatedArgs = ["'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'", ...(args ? [args] : [])];
      return `Replicated${engine}(${replicatedArgs.join(', ')})`;
    })
    // A table whole on every node: one replication group across all shards (no {shard} in the
    // path), so Keeper sees every node's writes; the replica name must be unique cluster-wide.
    .replace(/\{\{ENGINE_ALL_NODES:(\w+)(?:\(([^)]*)\))?\}\}/g, (_match, engine: string, args: string | undefined) => {
      if (!cluster) return args ? `${engine}(${args})` : engine;
      const replicatedArgs = ["'/clickhouse/tables/all/{database}/{table}'", "'{shard}-{replica}'", ...(args ? [args] : [])];
      return `Replicated${engine}(${replicatedArgs.join(', ')})`;
    })
    .replaceAll('{{DEDUPLICATION_WINDOW}}', cluster ? 'replicated_deduplication_window' : 'non_replicated_deduplication_window')
    .replace(/\{\{DISTRIBUTED (\w+) BY ([^}]+)\}\}/g, (_match, table: string, shardingKey: string) =>
      cluster
        ? `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER ${cluster} AS ${table}_local\n` +
          `ENGINE = Distributed(${cluster}, ${database}, ${table}_local, ${shardingKey.trim()})`
        : '',
    );
  if (rendered.includes('{{')) throw schemaError(`unknown placeholder near ${rendered.slice(rendered.indexOf('{{'), rendered.indexOf('{{') + 40)}`);
  return splitStatements(rendered);
}

/**
 * Splits on `;` ending a line that is not a comment; drops pieces that are only comments or
 * blank (a Distributed placeholder renders to nothing on one node).
 */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('--') && trimmed.endsWith(';')) {
      current.push(line.replace(/;\s*$/, ''));
      statements.push(current.join('\n'));
      current = [];
    } else {
      current.push(line);
    }
  }
  statements.push(current.join('\n'));
  return statements
    .map((piece) => piece.trim())
    .filter((piece) => piece.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}

function migrationsTableDdl(options: SchemaOptions): string[] {
  return renderMigration(
    `CREATE TABLE IF NOT EXISTS costscope_migrations{{LOCAL}} {{ON_CLUSTER}}
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {{ENGINE:ReplacingMergeTree}}
ORDER BY version;

{{DISTRIBUTED costscope_migrations BY version}};`,
    options,
  );
}

export type MigrationReport = { applied: number[]; alreadyApplied: number[] };

/**
 * Applies the migrations not yet recorded. Safe to run twice and from two processes at once:
 * every statement is idempotent (`IF NOT EXISTS`), a version is recorded only after all of its
 * statements ran, and recording the same version twice collapses (ReplacingMergeTree on
 * `version`). A recorded version whose file changed since fails the start: schema drift is a bug
 * to fix by a new numbered file, not by editing an applied one.
 */
export async function migrate(
  transport: ClickHouseTransport,
  options: SchemaOptions,
  migrations: Migration[] = listMigrations(),
): Promise<MigrationReport> {
  const operation = 'migrations.apply';
  for (const sql of migrationsTableDdl(options)) await transport.command({ sql, tag: { operation } });

  const recorded = await transport.query<{ version: number; checksum: string }>({
    sql: 'SELECT version, any(checksum) AS checksum FROM costscope_migrations GROUP BY version',
    tag: { operation },
  });
  const recordedChecksums = new Map(recorded.map((row) => [Number(row.version), row.checksum]));

  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const recordedChecksum = recordedChecksums.get(migration.version);
    if (recordedChecksum !== undefined) {
      if (recordedChecksum !== migration.checksum) {
        throw new CostscopeStorageError(
          operation,
          'migration',
          `migration ${migration.version}_${migration.name} changed after it was applied (checksum ${recordedChecksum.slice(0, 12)} recorded, ${migration.checksum.slice(0, 12)} on disk); add a new numbered migration instead`,
        );
      }
      report.alreadyApplied.push(migration.version);
      continue;
    }
    for (const sql of renderMigration(migration.sql, options)) {
      await transport.command({ sql, tag: { operation: `${operation}.${migration.version}` } });
    }
    await transport.command({
      sql: 'INSERT INTO costscope_migrations (version, name, checksum) SELECT {version:UInt32}, {name:String}, {checksum:String}',
      params: { version: migration.version, name: migration.name, checksum: migration.checksum },
      tag: { operation },
    });
    report.applied.push(migration.version);
  }
  await applyRetention(transport, options);
  return report;
}

/** A table that ages rows out by TTL: the expression its rows age by, and the days it keeps them. */
export type TableRetention = { table: string; ageExpression: string; days: number };

/**
 * Every table with a TTL and how long it keeps rows under `retentionDays`. A new table with a TTL
 * belongs here, or a changed COSTSCOPE_RETENTION_DAYS would leave it behind (the retention test
 * lists every table with a TTL and fails on one missing here).
 */
export function tableRetentions(retentionDays: number): TableRetention[] {
  return [
    { table: 'llm_calls', ageExpression: 'toDateTime(time)', days: retentionDays },
    // The dedup keys live as long as the calls: a resend is recognised while its call is stored.
    { table: 'llm_call_keys', ageExpression: 'hour', days: retentionDays },
    // Filled by nothing since 0009; kept (with its TTL) until a later release drops it.
    { table: 'llm_calls_hourly', ageExpression: 'hour', days: rollupRetentionDays(retentionDays) },
    // Compared with a seal's count while the hour's calls are stored; gone with them.
    { table: 'llm_call_hour_counts', ageExpression: 'hour', days: retentionDays },
    { table: 'llm_calls_hourly_sealed', ageExpression: 'hour', days: rollupRetentionDays(retentionDays) },
    { table: 'llm_call_hour_seals', ageExpression: 'hour', days: rollupRetentionDays(retentionDays) },
    { table: 'llm_calls_daily_sealed', ageExpression: 'day', days: rollupRetentionDays(retentionDays) },
    { table: 'llm_call_day_seals', ageExpression: 'day', days: rollupRetentionDays(retentionDays) },
    { table: 'reprice_jobs', ageExpression: 'toDateTime(created_at)', days: retentionDays },
  ];
}

/** The days of a table's TTL as ClickHouse shows it in `create_table_query`; undefined if it has none. */
export function ttlDaysOf(createTableQuery: string): number | undefined {
  const clause = /\bTTL\s+(.*?)(?:\s+SETTINGS\s|$)/s.exec(createTableQuery)?.[1];
  const days = clause ? /toIntervalDay\((\d+)\)|INTERVAL\s+(\d+)\s+DAY/i.exec(clause) : null;
  return days ? Number(days[1] ?? days[2]) : undefined;
}

/**
 * `CREATE TABLE IF NOT EXISTS` keeps the TTL of the first start; a changed
 * `COSTSCOPE_RETENTION_DAYS` is applied here with `MODIFY TTL` to each table whose TTL differs,
 * and to no other: a TTL change makes ClickHouse rewrite the table's parts.
 */
async function applyRetention(transport: ClickHouseTransport, options: SchemaOptions): Promise<void> {
  const operation = 'migrations.retention';
  const suffix = options.cluster ? '_local' : '';
  for (const { table: name, ageExpression, days } of tableRetentions(options.retentionDays)) {
    const table = `${name}${suffix}`;
    const [row] = await transport.query<{ create_table_query: string }>({
      sql: 'SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
      params: { table },
      tag: { operation },
    });
    if (!row) throw new CostscopeStorageError(operation, 'migration', `table ${table} is missing after migrations`);
    if (ttlDaysOf(row.create_table_query) === days) continue;
    const onCluster = options.cluster ? ` ON CLUSTER ${options.cluster}` : '';
    await transport.command({
      sql: `ALTER TABLE ${table}${onCluster} MODIFY TTL ${ageExpression} + INTERVAL ${days} DAY`,
      tag: { operation },
    });
  }
}

function schemaError(message: string): CostscopeStorageError {
  return new CostscopeStorageError('migrations.render', 'migration', message);
}
