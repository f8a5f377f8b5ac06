import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadServerConfig, type ServerConfig } from '../../src/config/server-config.js';
import { createApp } from '../../src/create-app.js';
import { CLICKHOUSE_TRANSPORT } from '../../src/storage/storage.module.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';

export type RunningServer = {
  app: INestApplication;
  baseUrl: string;
  config: ServerConfig;
  transport: ClickHouseTransport;
  /** `Authorization` header of the default project's key. */
  auth: { Authorization: string };
  close(options?: { keepData?: boolean }): Promise<void>;
};

export const TEST_API_KEY = 'cs_test_default_project_key_0001';

/**
 * The real Costscope server (all roles, embedded chDB unless `CLICKHOUSE_URL` is given) on a free
 * loopback port, with its own data directory. `env` is read exactly like the process environment.
 */
export async function startServer(env: Record<string, string | undefined> = {}): Promise<RunningServer> {
  const dataDir = env.COSTSCOPE_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'costscope-server-'));
  // `COSTSCOPE_API_KEY: undefined` starts without a key, so the server generates one.
  const merged = { COSTSCOPE_API_KEY: TEST_API_KEY, ...env, COSTSCOPE_DATA_DIR: dataDir, HOST: '127.0.0.1' };
  const config = loadServerConfig(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)));
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    transport: app.get<ClickHouseTransport>(CLICKHOUSE_TRANSPORT),
    auth: { Authorization: `Bearer ${config.apiKey ?? TEST_API_KEY}` },
    async close(options = {}) {
      await app.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
