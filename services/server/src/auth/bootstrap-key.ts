import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createApiKey, generateApiKey, listApiKeys } from '../storage/api-keys.js';
import type { ClickHouseTransport } from '../storage/transport.js';

export const DEFAULT_PROJECT_ID = 'default';
export const CREDENTIALS_FILE = 'credentials.json';

export type BootstrapResult =
  | { outcome: 'registered-from-env'; keyPrefix: string }
  | { outcome: 'generated'; key: string; credentialsPath: string }
  | { outcome: 'already-present' };

/**
 * The first start's key for the default project, an `admin` key (it is the operator's own).
 * `COSTSCOPE_API_KEY` is registered (idempotently: the operator's chosen key works on every
 * start; only its hash and a prefix of that hash are stored). Without it, when the default
 * project has no active key, one is generated, written to `<data dir>/credentials.json` (mode
 * 0600, merged with what the file holds) and returned so the caller prints it once.
 */
export async function ensureBootstrapKey(options: {
  transport: ClickHouseTransport;
  dataDir: string;
  envKey: string | undefined;
  now?: Date;
}): Promise<BootstrapResult> {
  const { transport, dataDir, envKey, now } = options;
  if (envKey !== undefined && envKey !== '') {
    const record = await createApiKey(transport, { projectId: DEFAULT_PROJECT_ID, key: envKey, name: 'COSTSCOPE_API_KEY', scope: 'admin', now });
    return { outcome: 'registered-from-env', keyPrefix: record.keyPrefix };
  }

  const active = (await listApiKeys(transport, { projectId: DEFAULT_PROJECT_ID })).filter((key) => key.revokedAt === null);
  if (active.length > 0) return { outcome: 'already-present' };

  const key = generateApiKey();
  const credentialsPath = path.join(dataDir, CREDENTIALS_FILE);
  // Write the secret before storing its hash: if the write fails, no key exists that nobody knows.
  await writeCredentials(credentialsPath, { projectId: DEFAULT_PROJECT_ID, apiKey: key });
  await createApiKey(transport, { projectId: DEFAULT_PROJECT_ID, key, name: 'bootstrap', scope: 'admin', now });
  return { outcome: 'generated', key, credentialsPath };
}

/**
 * Merges into the credentials file (the dashboard's admin password lives there too). The file is
 * 0600 after every write, a rewrite of a file someone loosened included (`writeFile`'s mode
 * applies only when it creates the file).
 */
export async function writeCredentials(file: string, values: Record<string, string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(file, `${JSON.stringify({ ...existing, ...values }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
