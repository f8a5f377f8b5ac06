import { Inject, Injectable, Module } from '@nestjs/common';
import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import type { StorageConfig } from '../config/server-config.js';
import { loadServerConfig } from '../config/server-config.js';
import { openStorage } from './open-storage.js';
import type { ClickHouseTransport } from './transport.js';

/** Injection token of the process's one `ClickHouseTransport`: `@Inject(CLICKHOUSE_TRANSPORT)`. */
export const CLICKHOUSE_TRANSPORT = Symbol.for('costscope.storage.transport');

/** Closes the transport (and with it chDB's data directory) when the app shuts down. */
@Injectable()
class StorageShutdown implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}

/**
 * Global: one transport per process (chDB binds one data directory per process), used by the
 * ingest, query and alerts modules through the plain functions of `storage/`.
 */
@Module({})
export class StorageModule {
  /** With no config, reads the environment (`loadServerConfig`). */
  static forRoot(config?: StorageConfig): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        {
          provide: CLICKHOUSE_TRANSPORT,
          useFactory: () => openStorage(config ?? loadServerConfig().storage),
        },
        StorageShutdown,
      ],
      exports: [CLICKHOUSE_TRANSPORT],
    };
  }
}
