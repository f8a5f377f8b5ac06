import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { migrate } from '../../src/storage/migrate.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { startFrontProcess } from './front-process.js';
import type { RunningFront } from './front-process.js';

/**
 * The storage suite runs once per transport: `describe.each(transportFactories())`. The embedded
 * one opens chDB in this test process (one data directory per test file, vitest runs each file
 * in its own process); the HTTP one starts the ClickHouse HTTP front in a child process with its
 * own data directory and talks to it with `@clickhouse/client` over a real socket.
 */
export type TransportFactory = {
  name: 'embedded' | 'http';
  /** Opens (once per file) and migrates; later calls return the same transport. */
  open: () => Promise<ClickHouseTransport>;
  /** A second, independent client to the same database (HTTP only: another "process"). */
  openAnother?: () => Promise<ClickHouseTransport>;
  /** The front's base URL (HTTP only), for clients with other credentials. */
  url?: () => Promise<string>;
  close: () => Promise<void>;
};

export const TEST_DATABASE = 'costscope_test';
export const TEST_USER = 'costscope';
export const TEST_PASSWORD = 'test-password';
export const SCHEMA = { database: TEST_DATABASE, retentionDays: 3650 };

export function transportFactories(): TransportFactory[] {
  return [embeddedFactory(), httpFactory()];
}

function embeddedFactory(): TransportFactory {
  let opened: Promise<ClickHouseTransport> | undefined;
  let dir: string | undefined;
  return {
    name: 'embedded',
    open: () => {
      opened ??= (async () => {
        dir = mkdtempSync(join(tmpdir(), 'costscope-storage-embedded-'));
        const transport = await openEmbeddedTransport({ dataDir: dir, database: TEST_DATABASE, retentionDays: SCHEMA.retentionDays });
        await migrate(transport, SCHEMA);
        return transport;
      })();
      return opened;
    },
    close: async () => {
      if (opened) await (await opened).close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function httpFactory(): TransportFactory {
  let front: Promise<RunningFront> | undefined;
  let opened: Promise<ClickHouseTransport> | undefined;
  const others: ClickHouseTransport[] = [];
  let dir: string | undefined;
  const startFront = (): Promise<RunningFront> => {
    front ??= (() => {
      dir = mkdtempSync(join(tmpdir(), 'costscope-storage-http-'));
      return startFrontProcess({ dataDir: dir, database: TEST_DATABASE, user: TEST_USER, password: TEST_PASSWORD });
    })();
    return front;
  };
  const client = async (): Promise<ClickHouseTransport> => {
    const { url } = await startFront();
    return openHttpTransport({ url, username: TEST_USER, password: TEST_PASSWORD, database: TEST_DATABASE });
  };
  return {
    name: 'http',
    open: () => {
      opened ??= (async () => {
        const transport = await client();
        await migrate(transport, SCHEMA);
        return transport;
      })();
      return opened;
    },
    url: async () => (await startFront()).url,
    openAnother: async () => {
      const transport = await client();
      others.push(transport);
      return transport;
    },
    close: async () => {
      for (const transport of others) await transport.close();
      if (opened) await (await opened).close();
      if (front) await (await front).stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON with bigints as strings, for readable deep equality messages. */
export function plain<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}
