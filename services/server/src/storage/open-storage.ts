import { Logger } from '@nestjs/common';
import type { StorageConfig } from '../config/server-config.js';
import { openHttpTransport } from './http-transport.js';
import { CostscopeStorageError, type StorageFailureKind } from './errors.js';
import { migrate } from './migrate.js';
import type { ClickHouseTransport } from './transport.js';
// Types only: erased at compile time, so this line never loads chDB.
import type * as EmbeddedEngine from './embedded-transport.js';

/** How often the schema is tried again when a ClickHouse server did not answer at start. */
const MIGRATE_RETRY_MS = 5_000;

/** Failures of a ClickHouse server that a later try may not meet: the start goes on without it. */
const DEFERRABLE_KINDS: ReadonlySet<StorageFailureKind> = new Set(['unreachable', 'timeout', 'server']);

/**
 * Opens the configured engine and brings its schema up to date: the embedded chDB under the data
 * directory by default, a ClickHouse server when `CLICKHOUSE_URL` is set. A failure throws
 * `CostscopeStorageError` and should fail the start — except a ClickHouse server that does not
 * answer (down, restarting, unreachable): then the transport is returned at once and the schema
 * is brought up to date in the background as soon as it answers, so an ingest process starts
 * and spools during a storage outage (its inserts fail until then and stay in the spool), and
 * the API answers 503 meanwhile. Wrong credentials or a bad schema still fail the start.
 */
export async function openStorage(config: StorageConfig): Promise<ClickHouseTransport> {
  const transport =
    config.kind === 'embedded'
      ? await (await loadEmbeddedEngine()).openEmbeddedTransport({
          dataDir: `${config.dataDir.replace(/\/$/, '')}/clickhouse`,
          database: config.database,
          limits: config.queryLimits,
          retentionDays: config.retentionDays,
        })
      : openHttpTransport({
          url: config.url,
          username: config.username,
          password: config.password,
          database: config.database,
          limits: config.queryLimits,
          cluster: config.cluster,
        });
  const bringSchemaUpToDate = async (): Promise<void> => {
    await transport.ping();
    await migrate(transport, {
      cluster: config.kind === 'http' ? config.cluster : undefined,
      database: config.database,
      retentionDays: config.retentionDays,
    });
  };
  try {
    await bringSchemaUpToDate();
  } catch (error) {
    if (config.kind === 'http' && CostscopeStorageError.isInstance(error) && DEFERRABLE_KINDS.has(error.kind)) {
      return migrateWhenReachable(transport, bringSchemaUpToDate, error);
    }
    // The start fails with the original error; a second failure while closing would only hide it.
    await transport.close().catch(() => undefined);
    throw error;
  }
  return transport;
}

/**
 * The embedded engine (chDB, about 500 MB) is imported only when no `CLICKHOUSE_URL` is set, so a
 * server-mode install or image may leave the optional `chdb` package out.
 */
async function loadEmbeddedEngine(): Promise<typeof EmbeddedEngine> {
  try {
    return await import('./embedded-transport.js');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /'chdb'/.test(String((error as Error).message))) {
      throw new CostscopeStorageError(
        'storage.open',
        'unreachable',
        'the embedded engine (the optional package chdb) is not installed: set CLICKHOUSE_URL to use a ClickHouse server, or install with optional dependencies',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Retries the schema until storage answers; stops when the transport is closed. */
function migrateWhenReachable(
  transport: ClickHouseTransport,
  bringSchemaUpToDate: () => Promise<void>,
  first: CostscopeStorageError,
): ClickHouseTransport {
  const logger = new Logger('Storage');
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  logger.warn(`ClickHouse does not answer at start (${first.kind}); starting without it and migrating once it answers`);
  const retryLater = (): void => {
    timer = setTimeout(() => {
      bringSchemaUpToDate().then(
        () => logger.warn('ClickHouse answers again; schema up to date'),
        (error: unknown) => {
          if (closed) return;
          if (!CostscopeStorageError.isInstance(error) || !DEFERRABLE_KINDS.has(error.kind)) {
            logger.error(`ClickHouse answers but the schema cannot be brought up to date: ${error instanceof Error ? error.message : String(error)}`);
          }
          retryLater();
        },
      );
    }, MIGRATE_RETRY_MS);
    // A pending retry must not keep a stopping process alive.
    timer.unref();
  };
  retryLater();
  const close = transport.close.bind(transport);
  transport.close = async () => {
    closed = true;
    clearTimeout(timer);
    await close();
  };
  return transport;
}
