import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySnapshot } from '../../src/auth/key-snapshot.js';
import { ProjectKeyResolver } from '../../src/auth/project-key-resolver.js';
import { createApiKey, generateApiKey, revokeApiKey } from '../../src/storage/api-keys.js';
import { openEmbeddedTransport } from '../../src/storage/embedded-transport.js';
import { openHttpTransport } from '../../src/storage/http-transport.js';
import { migrate } from '../../src/storage/migrate.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';

/** Real storage (chDB) for keys, and a real HTTP transport to a port nothing listens on for "storage down". */
const workDir = mkdtempSync(path.join(tmpdir(), 'costscope-resolver-'));
let storage: ClickHouseTransport;
const storageDown = openHttpTransport({ url: 'http://127.0.0.1:9', username: 'default', password: '', database: 'costscope', requestTimeoutMs: 2_000 });

beforeAll(async () => {
  storage = await openEmbeddedTransport({ dataDir: path.join(workDir, 'clickhouse'), database: 'costscope' });
  await migrate(storage, { database: 'costscope', retentionDays: 90 });
}, 60_000);

afterAll(async () => {
  await storage?.close();
  await storageDown.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function newKey(projectId: string, scope: 'ingest' | 'read' | 'admin' = 'ingest') {
  const key = generateApiKey();
  const record = await createApiKey(storage, { projectId, key, name: 'test', scope });
  return { key, keyId: record.keyId };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('the key caches', () => {
  it('a flood of unknown keys evicts none of the known ones', async () => {
    const time = clock();
    const resolver = new ProjectKeyResolver(storage, { now: time.now, maxKeys: 10, maxUnknownKeys: 50 });
    const good = await newKey('flood-project');
    expect(await resolver.resolve(good.key)).toEqual({ projectId: 'flood-project', keyId: good.keyId, scope: 'ingest' });
    // Revoked in storage: only the cache can still answer for it now.
    await revokeApiKey(storage, { projectId: 'flood-project', keyId: good.keyId });
    for (let i = 0; i < 200; i += 1) expect(await resolver.resolve(generateApiKey())).toBeUndefined();
    expect(resolver.cachedProject(good.key)?.keyId).toBe(good.keyId);
    expect(await resolver.resolve(good.key)).toMatchObject({ keyId: good.keyId });
    // Past the known-key lifetime the revocation is seen.
    time.advance(10_001);
    expect(await resolver.resolve(good.key)).toBeUndefined();
  });

  it('evicts the least recently used known key when full, not all of them', async () => {
    const time = clock();
    const resolver = new ProjectKeyResolver(storage, { now: time.now, maxKeys: 2 });
    const [a, b, c] = [await newKey('lru'), await newKey('lru'), await newKey('lru')];
    await resolver.resolve(a.key);
    await resolver.resolve(b.key);
    await resolver.resolve(a.key); // a is now the most recently used
    await resolver.resolve(c.key); // evicts b
    expect([resolver.cachedProject(a.key)?.keyId, resolver.cachedProject(b.key), resolver.cachedProject(c.key)?.keyId]).toEqual([a.keyId, undefined, c.keyId]);
  });

  it('remembers an unknown key only briefly', async () => {
    const time = clock();
    const resolver = new ProjectKeyResolver(storage, { now: time.now, unknownKeyTtlMs: 2_000 });
    const key = generateApiKey();
    expect(await resolver.resolve(key)).toBeUndefined();
    await createApiKey(storage, { projectId: 'late', key, name: 'late', scope: 'read' });
    expect(await resolver.resolve(key)).toBeUndefined();
    time.advance(2_001);
    expect(await resolver.resolve(key)).toMatchObject({ projectId: 'late', scope: 'read' });
  });
});

describe('the key snapshot', () => {
  const dataDir = path.join(workDir, 'data');
  let active: { key: string; keyId: string };
  let revoked: { key: string; keyId: string };

  beforeAll(async () => {
    active = await newKey('snap', 'read');
    revoked = await newKey('snap');
    await revokeApiKey(storage, { projectId: 'snap', keyId: revoked.keyId });
    await new ProjectKeyResolver(storage, { snapshot: new KeySnapshot(dataDir) }).refreshSnapshot();
  });

  it('is written 0600 in a 0700 directory and holds hashes, never keys', () => {
    const file = path.join(dataDir, 'auth', 'keys.snapshot.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(active.key);
    expect(text).toContain(active.keyId);
  });

  it('authenticates while storage does not answer, in a resolver that never reached storage', async () => {
    const resolver = new ProjectKeyResolver(storageDown, { snapshot: new KeySnapshot(dataDir) });
    expect(await resolver.resolve(active.key)).toEqual({ projectId: 'snap', keyId: active.keyId, scope: 'read' });
    expect(await resolver.resolve(revoked.key)).toBeUndefined();
    expect(await resolver.resolve(generateApiKey())).toBeUndefined();
  });

  it('is ignored when edited or truncated: storage down then answers 503, never a guess', async () => {
    const file = path.join(dataDir, 'auth', 'keys.snapshot.json');
    const original = readFileSync(file, 'utf8');
    try {
      // Someone turns the revoked key back on by hand.
      writeFileSync(file, original.replace(/"revokedAt":"[^"]+"/, '"revokedAt":null'));
      const edited = new ProjectKeyResolver(storageDown, { snapshot: new KeySnapshot(dataDir) });
      await expect(edited.resolve(revoked.key)).rejects.toMatchObject({ kind: 'unreachable' });
      writeFileSync(file, original.slice(0, original.length / 2));
      const truncated = new ProjectKeyResolver(storageDown, { snapshot: new KeySnapshot(dataDir) });
      await expect(truncated.resolve(active.key)).rejects.toMatchObject({ kind: 'unreachable' });
    } finally {
      writeFileSync(file, original);
    }
  });

  it('is not consulted while storage answers', async () => {
    const resolver = new ProjectKeyResolver(storage, { snapshot: new KeySnapshot(dataDir) });
    const fresh = await newKey('snap');
    // Not in the snapshot, yet known: storage answered.
    expect(await resolver.resolve(fresh.key)).toMatchObject({ keyId: fresh.keyId });
  });
});
