import path from 'node:path';
import { startFrontProcess, type RunningFront } from './front-process.js';
import { TEST_API_KEY } from './running-server.js';

type FrontCredentials = { database: string; user: string; password: string };

/**
 * The outage tests' storage: a ClickHouse HTTP front that is stopped (an outage) and started
 * again on the same port and data, so a server configured once finds it back; and the server
 * settings that point at it.
 */
export class RestartableStorage {
  private front: RunningFront | undefined;
  private port: number | undefined;

  constructor(
    private readonly workDir: string,
    readonly credentials: FrontCredentials,
  ) {}

  async start(): Promise<void> {
    this.front = await startFrontProcess({ ...this.credentials, dataDir: path.join(this.workDir, 'clickhouse'), ...(this.port ? { port: this.port } : {}) });
    this.port = this.front.port;
  }

  async stop(): Promise<void> {
    await this.front?.stop();
    this.front = undefined;
  }

  /** Where and how to reach it, for reading what was stored. */
  info(): FrontCredentials & { url: string } {
    if (this.port === undefined) throw new Error('the storage was never started');
    return { ...this.credentials, url: `http://127.0.0.1:${this.port}` };
  }

  /** A server on `dataDir` that stores here, with the tests' default key. */
  serverEnv(dataDir: string): Record<string, string> {
    const { url, user, password, database } = this.info();
    return {
      COSTSCOPE_DATA_DIR: dataDir,
      CLICKHOUSE_URL: url,
      CLICKHOUSE_USER: user,
      CLICKHOUSE_PASSWORD: password,
      CLICKHOUSE_DATABASE: database,
      COSTSCOPE_API_KEY: TEST_API_KEY,
    };
  }
}
