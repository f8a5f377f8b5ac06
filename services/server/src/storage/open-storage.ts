import type { StorageConfig } from '../config/server-config.js';
import { openEmbeddedTransport } from './embedded-transport.js';
import { openHttpTransport } from './http-transport.js';
import { migrate } from './migrate.js';
import type { ClickHouseTransport } from './transport.js';

/**
 * Opens the configured engine and brings its schema up to date: the embedded chDB under the data
 * directory by default, a ClickHouse server when `CLICKHOUSE_URL` is set. The transport is
 * ready to use when this resolves; a failure throws `CostscopeStorageError` and should fail the start.
 */
export async function openStorage(config: StorageConfig): Promise<ClickHouseTransport> {
  const transport =
    config.kind === 'embedded'
      ? await openEmbeddedTransport({ dataDir: `${config.dataDir.replace(/\/$/, '')}/clickhouse`, database: config.database })
      : openHttpTransport({ url: config.url, username: config.username, password: config.password, database: config.database });
  try {
    await transport.ping();
    await migrate(transport, {
      cluster: config.kind === 'http' ? config.cluster : undefined,
      database: config.database,
      retentionDays: config.retentionDays,
    });
  } catch (error) {
    // The start fails with the original error; a second failure while closing would only hide it.
    await transport.close().catch(() => undefined);
    throw error;
  }
  return transport;
}
