import { hashApiKey, sameKeyHash } from './api-key.js';
import type { ApiKeyStore } from './api-key-store.js';

export type AuthenticatedProject = { projectId: string; keyId: string };

type CacheEntry = { project: AuthenticatedProject | undefined; expiresAt: number };

/**
 * Turns a presented key into its project. Every OTLP request is authenticated, so answers are
 * cached briefly: a revoked key stops working within `ttlMs` (10 s by default), and a flood of
 * wrong keys costs one storage lookup per distinct key per `ttlMs`, not one per request.
 */
export class ProjectKeyResolver {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: ApiKeyStore,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(key: string): Promise<AuthenticatedProject | undefined> {
    const keyHash = hashApiKey(key);
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > this.now()) return cached.project;

    const stored = await this.store.findByHash(keyHash);
    // The lookup is by hash; comparing again in constant time keeps the decision itself free of
    // timing differences, whatever the store does.
    const project =
      stored && stored.revokedAt === null && sameKeyHash(stored.keyHash, keyHash)
        ? { projectId: stored.projectId, keyId: stored.keyId }
        : undefined;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(keyHash, { project, expiresAt: this.now() + this.ttlMs });
    return project;
  }

  /** Forget cached answers at once, e.g. right after this process revoked a key. */
  invalidate(): void {
    this.cache.clear();
  }
}
