import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashApiKey, listApiKeys } from '../../src/storage/api-keys.js';
import { startServer, TEST_API_KEY, type RunningServer } from '../support/running-server.js';

/** The limits as a client meets them over HTTP, on a real server with small limits. */
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ COSTSCOPE_API_RATE_LIMIT: '5', COSTSCOPE_AUTH_FAILURE_LIMIT: '3' });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const get = (route: string, key?: string) =>
  fetch(`${server.baseUrl}${route}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });

describe('the per-key API rate limit', () => {
  it('answers 429 with Retry-After past the limit, for that key only and not for ingest', async () => {
    const created = await fetch(`${server.baseUrl}/api/v1/keys`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'busy dashboard', scope: 'read' }),
    });
    const { key } = (await created.json()) as { key: string };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await get('/api/v1/project', key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await get('/api/v1/project', key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { message: string }).message).toMatch(/over its API rate limit; retry after \d+ s/);
    // Ingest has its own limits (concurrency), not this one.
    const traces = await fetch(`${server.baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(traces.status).toBe(200);
    expect((await get('/api/v1/project', TEST_API_KEY)).status).toBe(200);
  });
});

describe('repeated wrong keys from one address', () => {
  it('are answered 429 with Retry-After after the limit, while a known key from that address still works', async () => {
    // The admin key is known to this process before the wrong ones arrive.
    expect((await get('/api/v1/keys', TEST_API_KEY)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get('/api/v1/costs', `cs_wrong_key_number_${i}_wrong_wrong`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const slowed = await get('/api/v1/costs', 'cs_wrong_key_number_4_wrong_wrong');
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(50);
    expect((await get('/api/v1/costs')).status).toBe(429);
    expect((await get('/api/v1/keys', TEST_API_KEY)).status).toBe(200);
    // Probes stay public.
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('keys at rest', () => {
  it('stores no characters of an operator-chosen key, only its hash and a prefix of the hash', async () => {
    const [stored] = await listApiKeys(server.transport, { projectId: 'default' });
    expect(stored?.keyPrefix).toBe(`sha256:${hashApiKey(TEST_API_KEY).slice(0, 8)}`);
    expect(stored?.scope).toBe('admin');
    const everything = JSON.stringify(await server.transport.query({ sql: 'SELECT * FROM api_keys', tag: { operation: 'test' } }));
    expect(everything).not.toContain(TEST_API_KEY.slice(0, 7));
  });
});

describe('the generated key', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-generated-key-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is printed once on the start that made it, never logged again; the data dir is 0700 and the credentials 0600 after a rewrite', async () => {
    // Only the server's own output: the test's first server keeps running meanwhile.
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
    );
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      await server.close();
      const first = await startServer({ COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: undefined, COSTSCOPE_LOG_LEVEL: 'debug' });
      const credentials = path.join(dataDir, 'credentials.json');
      const { apiKey } = JSON.parse(readFileSync(credentials, 'utf8')) as { apiKey: string };
      // Use it, fail with it, revoke nothing: none of it may echo the key.
      expect((await fetch(`${first.baseUrl}/api/v1/project`, { headers: { Authorization: `Bearer ${apiKey}` } })).status).toBe(200);
      await fetch(`${first.baseUrl}/api/v1/project`, { headers: { Authorization: `Bearer ${apiKey}x` } });
      await first.close({ keepData: true });
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);

      chmodSync(credentials, 0o644);
      const { writeCredentials } = await import('../../src/auth/bootstrap-key.js');
      await writeCredentials(credentials, { extra: 'value' });
      expect(statSync(credentials).mode & 0o777).toBe(0o600);

      const second = await startServer({ COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: undefined, COSTSCOPE_LOG_LEVEL: 'debug' });
      await second.close({ keepData: true });
      expect(printed.filter((line) => line.includes(apiKey))).toEqual([
        `Created the default project's API key (also in ${credentials}): ${apiKey}`,
      ]);
    } finally {
      for (const spy of [...spies, stdout, stderr]) spy.mockRestore();
      server = await startServer();
    }
  });
});
