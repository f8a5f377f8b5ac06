import { LruCache } from './lru-cache.js';

export type FailedAuthThrottleOptions = {
  /** Failed attempts one address may make per window before it is slowed down. */
  maxFailures?: number;
  windowMs?: number;
  /** Addresses tracked at once; the least recently seen are forgotten first. */
  maxAddresses?: number;
  now?: () => number;
};

type Window = { startedAt: number; failures: number };

/**
 * Slows down an address that keeps presenting wrong keys: after `maxFailures` 401s within
 * `windowMs` (20 per minute by default), its requests are answered 429 with `Retry-After` until
 * the window ends — except those carrying a key this process already knows to be good, so a
 * working app behind the same NAT as a scanner keeps working. Guessing a 256-bit key was never
 * feasible; what this protects is storage (every unknown key is a lookup) and the logs.
 */
export class FailedAuthThrottle {
  private readonly windows: LruCache<string, Window>;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: FailedAuthThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.windows = new LruCache(options.maxAddresses ?? 10_000, this.windowMs, this.now);
  }

  /** Seconds until `address` may try unknown keys again, or 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const window = this.windows.get(address);
    if (!window || window.failures < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((window.startedAt + this.windowMs - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const now = this.now();
    const window = this.windows.get(address);
    if (!window || window.startedAt + this.windowMs <= now) this.windows.set(address, { startedAt: now, failures: 1 });
    else window.failures += 1;
  }
}
