import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeApiKey, generateApiKey } from './api-key.js';
import type { ApiKeyStore } from './api-key-store.js';

export const DEFAULT_PROJECT_ID = 'default';
export const CREDENTIALS_FILE = 'credentials.json';

export type BootstrapResult =
  | { outcome: 'registered-from-env'; keyPrefix: string }
  | { outcome: 'generated'; key: string; credentialsPath: string }
  | { outcome: 'already-present' };

/**
 * The first start's key for the default project. `COSTSCOPE_API_KEY` is registered if it is not
 * stored yet (so the operator's chosen key works on every start); otherwise, when the default
 * project has no active key, one is generated, written to `<data dir>/credentials.json` (mode
 * 0600, merged with what the file already holds) and returned so the caller prints it once.
 */
export async function ensureBootstrapKey(options: {
  store: ApiKeyStore;
  dataDir: string;
  envKey: string | undefined;
  now?: Date;
}): Promise<BootstrapResult> {
  const { store, dataDir, envKey } = options;
  const now = options.now ?? new Date();

  if (envKey !== undefined && envKey !== '') {
    const described = describeApiKey(envKey);
    if (await store.findByHash(described.keyHash)) return { outcome: 'already-present' };
    await store.create({
      keyHash: described.keyHash,
      keyId: described.keyId,
      projectId: DEFAULT_PROJECT_ID,
      name: 'COSTSCOPE_API_KEY',
      keyPrefix: described.keyPrefix,
      createdAt: now,
      revokedAt: null,
    });
    return { outcome: 'registered-from-env', keyPrefix: described.keyPrefix };
  }

  const active = (await store.list(DEFAULT_PROJECT_ID)).filter((key) => key.revokedAt === null);
  if (active.length > 0) return { outcome: 'already-present' };

  const generated = generateApiKey();
  const credentialsPath = path.join(dataDir, CREDENTIALS_FILE);
  // Write the secret before storing its hash: if the write fails, no key exists that nobody knows.
  await writeCredentials(credentialsPath, { projectId: DEFAULT_PROJECT_ID, apiKey: generated.key });
  await store.create({
    keyHash: generated.keyHash,
    keyId: generated.keyId,
    projectId: DEFAULT_PROJECT_ID,
    name: 'bootstrap',
    keyPrefix: generated.keyPrefix,
    createdAt: now,
    revokedAt: null,
  });
  return { outcome: 'generated', key: generated.key, credentialsPath };
}

/** Merges into the credentials file (the dashboard's admin password lives there too). */
export async function writeCredentials(file: string, values: Record<string, string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(file, `${JSON.stringify({ ...existing, ...values }, null, 2)}\n`, { mode: 0o600 });
}
