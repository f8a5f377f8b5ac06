/**
 * Slows down password guessing: after a few wrong tries from one address, each further try waits
 * longer (doubling, capped), and a right password clears the count. In memory: one dashboard
 * process serves a team, and a restart forgiving old failures is fine.
 */
export const FREE_TRIES = 3;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_TRACKED_ADDRESSES = 10_000;

type Failures = { count: number; lastAt: number };

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Wrong tries an address gets before its tries slow down. */
    private readonly freeTries = FREE_TRIES,
  ) {}

  /** How long this address's next try must wait before it is checked. */
  delayFor(address: string): number {
    const entry = this.current(address);
    if (!entry || entry.count < this.freeTries) return 0;
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (entry.count - this.freeTries));
  }

  recordFailure(address: string): void {
    const entry = this.current(address);
    this.failures.delete(address);
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, { count: (entry?.count ?? 0) + 1, lastAt: this.now() });
  }

  recordSuccess(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string): Failures | undefined {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.lastAt > FORGET_AFTER_MS) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
