import { diag } from '@opentelemetry/api';

/**
 * What the SDK knows of a feature's budget, its own monthly allocation and the project's monthly
 * budget together: neither spent, one spent, or unknown (no answer).
 */
export type BudgetVerdict = 'within' | 'spent' | 'unknown';

/** Which budget a `spent` verdict comes from. */
export type SpentBudget = 'feature' | 'project';

/** The part of `GET /api/v1/budget-state` the SDK reads (`project` is absent from older servers). */
interface BudgetStateAnswer {
  features: Array<{ feature: string; spent: boolean }>;
  project?: { spent: boolean } | null;
}

/** An answer slower than this counts as the server not being reachable. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * The server's budget state, cached in the process and refreshed in the background on an
 * unref'd timer: a call reads the cache and never waits for the server. Until the first answer,
 * and whenever the last read failed, every feature is `unknown`.
 */
export class BudgetStateCache {
  private spentFeatures = new Set<string>();
  private projectSpent = false;
  private reachable = false;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly apiKey: string | undefined,
  ) {}

  /** Reads the state now and every `intervalMs`; the promise settles with the first read. */
  start(intervalMs: number): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
    return this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** `spent` when the project's budget is spent (every feature, tagged or not) or the feature's own allocation is. */
  verdict(feature: string | undefined): BudgetVerdict {
    if (!this.reachable) return 'unknown';
    return this.projectSpent || (feature !== undefined && this.spentFeatures.has(feature)) ? 'spent' : 'within';
  }

  /**
   * Which budget a `spent` verdict comes from: the project's when it is spent, even if the
   * feature's is too, since raising the feature's allocation alone would not let the call run.
   */
  spentBudget(): SpentBudget {
    return this.projectSpent ? 'project' : 'feature';
  }

  /** One read of the server's state (a read already under way is joined, not repeated). */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    try {
      const response = await fetch(this.url, {
        headers: this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`GET ${this.url} answered ${response.status}`);
      }
      const answer = (await response.json()) as BudgetStateAnswer;
      this.spentFeatures = new Set(answer.features.filter((row) => row.spent).map((row) => row.feature));
      this.projectSpent = answer.project?.spent === true;
      this.reachable = true;
    } catch (error) {
      this.reachable = false;
      // The message names the URL and the status, never the key.
      diag.warn(`costscope: cannot read the budget state; load shedding treats budgets as unknown (${String((error as Error)?.message ?? error)})`);
    }
  }
}
