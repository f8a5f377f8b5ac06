import { chmodSync, mkdirSync } from 'node:fs';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { CostscopeStorageError } from '../storage/errors.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { ApiRateLimiter } from './api-rate-limiter.js';
import { ensureBootstrapKey } from './bootstrap-key.js';
import { FailedAuthThrottle } from './failed-auth-throttle.js';
import { KeySnapshot } from './key-snapshot.js';
import { KeysController } from './keys.controller.js';
import { ProjectKeyGuard } from './project-key.guard.js';
import { ProjectKeyResolver } from './project-key-resolver.js';
import { RouteScopeCheck } from './route-scope-check.js';

/** How often every process copies the keys from storage into its snapshot. */
export const KEY_SNAPSHOT_REFRESH_MS = 30_000;
/** How soon the default project's first key is tried again when storage was down at start (doubling to a minute). */
const BOOTSTRAP_FIRST_RETRY_MS = 5_000;
const BOOTSTRAP_MAX_RETRY_MS = 60_000;

/**
 * Registers or generates the default project's first key when the server starts, then keeps the
 * key snapshot fresh. Storage down at start does not fail the start (ingest serves from the
 * spool and the snapshot): the first key is retried until storage answers.
 */
@Injectable()
class KeyLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('KeyLifecycle');
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(ProjectKeyResolver) private readonly resolver: ProjectKeyResolver,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bootstrapKey(BOOTSTRAP_FIRST_RETRY_MS);
    const refresh = setInterval(() => void this.refreshSnapshot(), KEY_SNAPSHOT_REFRESH_MS);
    refresh.unref();
    this.timers.push(refresh);
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private async bootstrapKey(retryMs: number): Promise<void> {
    let result;
    try {
      result = await ensureBootstrapKey({ transport: this.transport, dataDir: this.config.dataDir, envKey: this.config.apiKey });
    } catch (error) {
      if (!CostscopeStorageError.isInstance(error) || error.kind === 'invalid' || error.kind === 'query') throw error;
      this.logger.warn(`Storage does not answer; the default project's key will be checked again in ${retryMs / 1000} s (${error.kind})`);
      const next = Math.min(retryMs * 2, BOOTSTRAP_MAX_RETRY_MS);
      const retry = setTimeout(() => void this.bootstrapKey(next).catch((failure: unknown) => this.logger.error(String(failure))), retryMs);
      retry.unref();
      this.timers.push(retry);
      return;
    }
    if (result.outcome === 'generated' && !this.config.launched) {
      // Printed once, on the start that created it; afterwards it is only in the credentials file
      // (under `npm start` the launcher's banner shows it instead, read from that file).
      // Straight to stdout, not through the framework logger: its level (warn by default) must
      // never hide the one line a first start exists to show.
      console.log(`Created the default project's API key (also in ${result.credentialsPath}): ${result.key}`);
    }
    await this.refreshSnapshot();
  }

  private async refreshSnapshot(): Promise<void> {
    try {
      await this.resolver.refreshSnapshot();
    } catch (error) {
      // The last good snapshot stays; it is what authenticates while storage is down.
      this.logger.warn(`Could not refresh the key snapshot: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * The data directory holds the embedded data, the spool, the credentials and the key snapshot:
 * its owner's only. Created 0700, and tightened to 0700 when an earlier start (or the storage
 * engine opening first) left it readable by others.
 */
function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/**
 * Authentication for every role: the global guard (keys, scopes, abuse limits) and the key
 * snapshot. The key routes are part of the `api` role only.
 */
@Module({})
export class AuthModule {
  static forRoot(config: ServerConfig): DynamicModule {
    const controllers: Type[] = config.roles.includes('api') ? [KeysController] : [];
    return {
      module: AuthModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: ProjectKeyResolver,
          inject: [CLICKHOUSE_TRANSPORT],
          useFactory: (transport: ClickHouseTransport) => {
            secureDataDir(config.dataDir);
            return new ProjectKeyResolver(transport, { snapshot: new KeySnapshot(config.dataDir) });
          },
        },
        { provide: FailedAuthThrottle, useValue: new FailedAuthThrottle({ maxFailures: config.authFailuresPerMinute }) },
        { provide: ApiRateLimiter, useValue: new ApiRateLimiter(config.apiRateLimitPerMinute) },
        ProjectKeyGuard,
        { provide: APP_GUARD, useExisting: ProjectKeyGuard },
        RouteScopeCheck,
        KeyLifecycle,
      ],
      controllers,
      exports: [ProjectKeyResolver, ProjectKeyGuard],
    };
  }
}
