import { Logger } from '@nestjs/common';
import { findApiKeyByHash, hashApiKey, listAllApiKeyHashes, type ApiKeyHashRecord } from '../storage/api-keys.js';
import { CostscopeStorageError, STORAGE_UNAVAILABLE_KINDS } from '../storage/errors.js';
import { withQueryCancellation } from '../storage/query-cancellation.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import type { KeyScope } from './key-scope.js';
import type { KeySnapshot, LoadedKeySnapshot } from './key-snapshot.js';
import { LruCache } from './lru-cache.js';

export type AuthenticatedProject = { projectId: string; keyId: string; scope: KeyScope };

export type ProjectKeyResolverOptions = {
  /** Where the verified copy of every key hash lives; without one, an outage answers 503. */
  snapshot?: KeySnapshot | undefined;
  now?: () => number;
  /** How long a known key is trusted without asking storage: a revocation elsewhere takes this long. */
  keyTtlMs?: number;
  maxKeys?: number;
  /** How long "no such key" is remembered: short, and in its own bounded cache. */
  unknownKeyTtlMs?: number;
  maxUnknownKeys?: number;
  /**
   * How long one look-up may wait for storage before the snapshot answers (2 s): a storage that
   * accepts connections and never answers must not hold every export for the whole read deadline.
   */
  lookupTimeoutMs?: number;
};

/**
 * Turns a presented key into its project and scope. Only the key's SHA-256 is looked up, so
 * what a lookup's timing could reveal is about a hash, never about a stored secret.
 *
 * Answers are cached in two bounded LRU caches: known keys (10 000 for 10 s) and unknown keys
 * (1 000 for 2 s). A flood of random keys churns only the unknown-key cache, so it can neither
 * evict the keys apps really use nor make every request of theirs a storage lookup.
 *
 * When storage does not answer, the last verified snapshot of all key hashes (`KeySnapshot`)
 * answers instead, so ingest keeps authenticating through an outage of any length and in a
 * process started during one. The snapshot is refreshed from storage on every successful full
 * read (`refreshSnapshot`, every 30 s and after a key is created or revoked); it is never
 * consulted while storage answers.
 */
export class ProjectKeyResolver {
  private readonly known: LruCache<string, AuthenticatedProject>;
  private readonly unknown: LruCache<string, true>;
  private readonly snapshot: KeySnapshot | undefined;
  private readonly lookupTimeoutMs: number;
  private snapshotKeys: LoadedKeySnapshot | undefined;
  private snapshotLoaded = false;
  private readonly logger = new Logger('ProjectKeyResolver');

  constructor(
    private readonly transport: ClickHouseTransport,
    options: ProjectKeyResolverOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.known = new LruCache(options.maxKeys ?? 10_000, options.keyTtlMs ?? 10_000, now);
    this.unknown = new LruCache(options.maxUnknownKeys ?? 1_000, options.unknownKeyTtlMs ?? 2_000, now);
    this.snapshot = options.snapshot;
    this.lookupTimeoutMs = options.lookupTimeoutMs ?? 2_000;
  }

  async resolve(key: string): Promise<AuthenticatedProject | undefined> {
    const keyHash = hashApiKey(key);
    const cached = this.known.get(keyHash);
    if (cached) return cached;
    if (this.unknown.get(keyHash)) return undefined;

    let stored: ApiKeyHashRecord | undefined;
    const lookupDeadline = AbortSignal.timeout(this.lookupTimeoutMs);
    try {
      const record = await withQueryCancellation(lookupDeadline, () => findApiKeyByHash(this.transport, keyHash));
      stored = record && { keyHash, projectId: record.projectId, keyId: record.keyId, scope: record.scope, revokedAt: record.revokedAt };
    } catch (failure) {
      // The look-up was cut off by its own deadline: storage does not answer in time, which is
      // an outage for this request, whatever the transport called the abort.
      const error = lookupDeadline.aborted
        ? new CostscopeStorageError('apiKeys.find', 'timeout', `no answer within ${this.lookupTimeoutMs} ms`, { cause: failure })
        : failure;
      const fromSnapshot = this.fromSnapshot(error, keyHash);
      if (fromSnapshot === 'no-snapshot') throw error;
      return fromSnapshot;
    }
    const project = stored && stored.revokedAt === null ? toProject(stored) : undefined;
    if (project) this.known.set(keyHash, project);
    else this.unknown.set(keyHash, true);
    return project;
  }

  /** A key this process authenticated within the cache lifetime, without asking storage. */
  cachedProject(key: string): AuthenticatedProject | undefined {
    return this.known.get(hashApiKey(key));
  }

  /** Forget cached answers, right after this process created or revoked a key. */
  invalidate(): void {
    this.known.clear();
    this.unknown.clear();
  }

  /**
   * After this process created or revoked a key: forget cached answers and rewrite the snapshot,
   * so a revoked key is revoked in it before any outage could make the snapshot answer. The key
   * change itself is already stored; a failed snapshot write is logged, not the caller's error.
   */
  async keysChanged(): Promise<void> {
    this.invalidate();
    await this.refreshSnapshot().catch((error: unknown) => {
      this.logger.warn(`Could not refresh the key snapshot: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /**
   * Reads every key from storage and rewrites the snapshot. A failure leaves the last good
   * snapshot in place (and is thrown to the caller, who decides whether it matters).
   */
  async refreshSnapshot(now: Date = new Date()): Promise<void> {
    if (!this.snapshot) return;
    const keys = await listAllApiKeyHashes(this.transport);
    await this.snapshot.write(keys, now);
    this.snapshotKeys = { writtenAt: now, keys: new Map(keys.map((key) => [key.keyHash, key])) };
    this.snapshotLoaded = true;
  }

  private fromSnapshot(error: unknown, keyHash: string): AuthenticatedProject | undefined | 'no-snapshot' {
    if (!CostscopeStorageError.isInstance(error) || !STORAGE_UNAVAILABLE_KINDS.has(error.kind) || !this.snapshot) return 'no-snapshot';
    if (!this.snapshotLoaded) {
      this.snapshotKeys = this.snapshot.load();
      this.snapshotLoaded = true;
      if (this.snapshotKeys) this.logger.warn(`Storage does not answer; authenticating from the key snapshot of ${this.snapshotKeys.writtenAt.toISOString()}`);
      else this.logger.warn(`Storage does not answer and ${this.snapshot.file} is missing or fails verification: keys cannot be checked`);
    }
    if (!this.snapshotKeys) return 'no-snapshot';
    const stored = this.snapshotKeys.keys.get(keyHash);
    return stored && stored.revokedAt === null ? toProject(stored) : undefined;
  }
}

function toProject(key: ApiKeyHashRecord): AuthenticatedProject {
  return { projectId: key.projectId, keyId: key.keyId, scope: key.scope };
}
