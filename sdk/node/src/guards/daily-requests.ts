/**
 * The article's per-user daily request limits by tier (strategy 6): free 20–50 → 50, paid
 * 200–500 → 500, enterprise unlimited unless the app sets a number. `null` means unlimited.
 */
export const DEFAULT_DAILY_REQUESTS_BY_TIER: Readonly<Record<string, number | null>> = { free: 50, paid: 500, enterprise: null };

const DAY_MS = 86_400_000;

/** Why a call was refused: the limit of the user's tier and the calls already counted today. */
export interface DailyLimitReached {
  limit: number;
  used: number;
}

/**
 * Counts each user's calls per UTC day in this process. Only the current day is kept: the first
 * call of a new day forgets yesterday's counts at once, so memory holds today's users only.
 */
export class DailyRequestCounter {
  private day = -1;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limits: Readonly<Record<string, number | null>>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts the call and returns undefined when the user may make it, or the limit it would go
   * over (the call is then not counted). Calls without a user or of a tier without a limit pass.
   */
  take(userId: string | undefined, tier: string | undefined): DailyLimitReached | undefined {
    if (userId === undefined || tier === undefined) return undefined;
    const limit = this.limits[tier];
    if (limit === undefined || limit === null) return undefined;
    const day = Math.floor(this.now() / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.counts.clear();
    }
    const used = this.counts.get(userId) ?? 0;
    if (used >= limit) return { limit, used };
    this.counts.set(userId, used + 1);
    return undefined;
  }
}
