import { LruCache } from './lru-cache.js';

type Bucket = { tokens: number; updatedAt: number };

/**
 * A token bucket per key for the JSON API (`COSTSCOPE_API_RATE_LIMIT` requests per minute, 600
 * by default): a key may spend a minute's worth at once, then one request per
 * 60 s / limit. No external store: each API process limits what it serves, so N processes allow
 * up to N times the limit. Buckets of keys idle for a minute are full anyway and may be forgotten.
 */
export class ApiRateLimiter {
  private readonly buckets: LruCache<string, Bucket>;
  private readonly refillPerMs: number;

  constructor(
    private readonly requestsPerMinute: number,
    private readonly now: () => number = Date.now,
    maxKeys = 10_000,
  ) {
    this.refillPerMs = requestsPerMinute / 60_000;
    this.buckets = new LruCache(maxKeys, 60_000, now);
  }

  /** Takes one request from `keyId`'s bucket: 0 when allowed, else the seconds to wait. */
  take(keyId: string): number {
    const now = this.now();
    const bucket = this.buckets.get(keyId) ?? { tokens: this.requestsPerMinute, updatedAt: now };
    bucket.tokens = Math.min(this.requestsPerMinute, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }
}
