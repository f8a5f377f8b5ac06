import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { toKeyScope, type KeyScope } from '../auth/key-scope.js';
import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export type ApiKeyRecord = {
  keyId: string;
  projectId: string;
  name: string;
  /**
   * To recognise the key in a list. A generated key keeps its first 7 characters (`cs_` and 4 of
   * its 43 random ones: 24 of 256 bits, nothing to guess with); a key the operator chose shows
   * only `sha256:` and the start of its hash, since its own characters may be a reused secret.
   */
  keyPrefix: string;
  scope: KeyScope;
  createdAt: Date;
  revokedAt: Date | null;
};

/** SHA-256 hex of a key: the only form of a key that is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

const GENERATED_KEY = /^cs_[A-Za-z0-9_-]{43}$/;

/**
 * The part of a key a list may show (see `ApiKeyRecord.keyPrefix`). Only a key of the generated
 * shape shows its own characters: whoever chose that shape chose 256 random bits.
 */
export function displayPrefix(key: string): string {
  return GENERATED_KEY.test(key) ? key.slice(0, 7) : `sha256:${hashApiKey(key).slice(0, 8)}`;
}

/** A new random project key (`cs_` + 43 base64url characters, 256 bits). */
export function generateApiKey(): string {
  return `cs_${randomBytes(32).toString('base64url')}`;
}

type ApiKeyRow = {
  key_id: string;
  project_id: string;
  name: string;
  key_prefix: string;
  scope: string;
  created_ms: string | number;
  revoked_ms: string | number | null;
};

const SELECT_KEY = `SELECT key_id, project_id, name, key_prefix, scope, toUnixTimestamp64Milli(created_at) AS created_ms,
  if(revoked_at IS NULL, NULL, toUnixTimestamp64Milli(assumeNotNull(revoked_at))) AS revoked_ms`;

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    keyId: row.key_id,
    projectId: row.project_id,
    name: row.name,
    keyPrefix: row.key_prefix,
    scope: toKeyScope(row.scope),
    createdAt: new Date(toCount(row.created_ms)),
    revokedAt: row.revoked_ms === null ? null : new Date(toCount(row.revoked_ms)),
  };
}

/**
 * Registers a key for a project, storing only its hash. Registering the same key again for the
 * same project returns the existing record (so `COSTSCOPE_API_KEY` at every start is harmless);
 * for another project it is refused, and its scope is the one it was first given.
 */
export async function createApiKey(
  transport: ClickHouseTransport,
  input: { projectId: string; key: string; name: string; scope: KeyScope; now?: Date },
): Promise<ApiKeyRecord> {
  const operation = 'apiKeys.create';
  requireProjectId(operation, input.projectId);
  if (input.key.length < 16) throw new CostscopeStorageError(operation, 'invalid', 'an API key needs at least 16 characters');
  const keyHash = hashApiKey(input.key);
  const existing = await findApiKeyByHash(transport, keyHash);
  if (existing) {
    if (existing.projectId !== input.projectId) {
      throw new CostscopeStorageError(operation, 'invalid', 'this key is already registered to another project');
    }
    return existing;
  }
  const now = input.now ?? new Date();
  const record: ApiKeyRecord = {
    keyId: randomUUID(),
    projectId: input.projectId,
    name: input.name,
    keyPrefix: displayPrefix(input.key),
    scope: input.scope,
    createdAt: now,
    revokedAt: null,
  };
  await writeKey(transport, operation, keyHash, record, now);
  return record;
}

async function writeKey(
  transport: ClickHouseTransport,
  operation: string,
  keyHash: string,
  record: ApiKeyRecord,
  updatedAt: Date,
): Promise<void> {
  await transport.command({
    sql: `INSERT INTO api_keys (key_hash, key_id, project_id, name, key_prefix, scope, created_at, revoked_at, updated_at)
          SELECT {keyHash:String}, {keyId:String}, {projectId:String}, {name:String}, {keyPrefix:String}, {scope:String},
            {createdAt:DateTime64(3, 'UTC')}, {revokedAt:Nullable(DateTime64(3, 'UTC'))}, {updatedAt:DateTime64(3, 'UTC')}`,
    params: {
      keyHash,
      keyId: record.keyId,
      projectId: record.projectId,
      name: record.name,
      keyPrefix: record.keyPrefix,
      scope: record.scope,
      createdAt: toClickHouseTime(record.createdAt),
      revokedAt: record.revokedAt ? toClickHouseTime(record.revokedAt) : null,
      updatedAt: toClickHouseTime(updatedAt),
    },
    tag: { operation, projectId: record.projectId },
    quorum: true,
  });
}

/**
 * The key with this hash, revoked or not, or `undefined`. The one lookup not scoped by project:
 * it is how a request's project is found. Callers check `revokedAt`.
 */
export async function findApiKeyByHash(transport: ClickHouseTransport, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const operation = 'apiKeys.findByHash';
  if (!/^[0-9a-f]{64}$/.test(keyHash)) throw new CostscopeStorageError(operation, 'invalid', 'a key hash is 64 hex characters');
  const [row] = await transport.query<ApiKeyRow>({
    sql: `${SELECT_KEY} FROM api_keys FINAL WHERE key_hash = {keyHash:String} LIMIT 1`,
    params: { keyHash },
    tag: { operation },
    quorum: true,
  });
  return row ? toRecord(row) : undefined;
}

/** Hashes the presented key and looks it up: the authentication path. */
export async function findApiKey(transport: ClickHouseTransport, key: string): Promise<ApiKeyRecord | undefined> {
  return findApiKeyByHash(transport, hashApiKey(key));
}

export async function listApiKeys(transport: ClickHouseTransport, input: { projectId: string }): Promise<ApiKeyRecord[]> {
  const operation = 'apiKeys.list';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<ApiKeyRow>({
    sql: `${SELECT_KEY} FROM api_keys FINAL WHERE project_id = {projectId:String} ORDER BY created_at, key_id`,
    params: { projectId: input.projectId },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map(toRecord);
}

/** A key as authentication needs it: what `ProjectKeyResolver` snapshots to disk. */
export type ApiKeyHashRecord = { keyHash: string; projectId: string; keyId: string; scope: KeyScope; revokedAt: Date | null };

/**
 * Every key of every project, by hash, revoked ones included (so a snapshot knows they are
 * revoked). Keys are few — people create them — so this is read whole.
 */
export async function listAllApiKeyHashes(transport: ClickHouseTransport): Promise<ApiKeyHashRecord[]> {
  const operation = 'apiKeys.listAllHashes';
  const rows = await transport.query<ApiKeyRow & { key_hash: string }>({
    sql: `${SELECT_KEY}, key_hash FROM api_keys FINAL ORDER BY key_hash`,
    tag: { operation },
    quorum: true,
  });
  return rows.map((row) => {
    const record = toRecord(row);
    return { keyHash: row.key_hash, projectId: record.projectId, keyId: record.keyId, scope: record.scope, revokedAt: record.revokedAt };
  });
}

/** Revokes a project's key; returns false when the project has no key with this id. */
export async function revokeApiKey(
  transport: ClickHouseTransport,
  input: { projectId: string; keyId: string; now?: Date },
): Promise<boolean> {
  const operation = 'apiKeys.revoke';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<ApiKeyRow & { key_hash: string }>({
    sql: `${SELECT_KEY}, key_hash FROM api_keys FINAL
          WHERE project_id = {projectId:String} AND key_id = {keyId:String} LIMIT 1`,
    params: { projectId: input.projectId, keyId: input.keyId },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  const row = rows[0];
  if (!row) return false;
  const now = input.now ?? new Date();
  const record = toRecord(row);
  if (record.revokedAt) return true;
  await writeKey(transport, operation, row.key_hash, { ...record, revokedAt: now }, now);
  return true;
}
