import { findApiKeyByHash, hashApiKey } from '../storage/api-keys.js';
import type { ClickHouseTransport } from '../storage/transport.js';

export type AuthenticatedProject = { projectId: string; keyId: string };

type CacheEntry = { project: AuthenticatedProject | undefined; expiresAt: number };

/**
 * Turns a presented key into its project. Only the key's SHA-256 is looked up, so what a
 * lookup's timing could reveal is about a hash, never about a stored secret. Every OTLP request is
 * authenticated, so answers are cached briefly: a key revoked by another process stops working
 * within `ttlMs` (10 s by default; at once in the process that revoked it), and a flood of wrong
 * keys costs one lookup per distinct key per `ttlMs`, not one per request.
 */
export class ProjectKeyResolver {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly transport: ClickHouseTransport,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(key: string): Promise<AuthenticatedProject | undefined> {
    const keyHash = hashApiKey(key);
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > this.now()) return cached.project;

    const stored = await findApiKeyByHash(this.transport, keyHash);
    const project = stored && stored.revokedAt === null ? { projectId: stored.projectId, keyId: stored.keyId } : undefined;
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(keyHash, { project, expiresAt: this.now() + this.ttlMs });
    return project;
  }

  /** Forget cached answers, right after this process revoked a key. */
  invalidate(): void {
    this.cache.clear();
  }
}
