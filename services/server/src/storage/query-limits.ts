import { CostscopeStorageError } from './errors.js';

/**
 * What one read may cost ClickHouse, applied by both transports to every `query()` (API reads,
 * rule inputs, key lookups). Commands and inserts (DDL, re-pricing, ingest) are not reads and keep
 * only the request timeout: a write stopped half-way would do more harm than a slow one.
 */
export type QueryLimits = {
  /** `max_memory_usage` of one read, in bytes. */
  maxMemoryUsageBytes: number;
  /** `max_execution_time`: ClickHouse stops the read itself past this; the client gives up shortly after. */
  maxExecutionTimeSeconds: number;
  /** `max_rows_to_group_by` with `group_by_overflow_mode = 'throw'`: an error, never a silently partial answer. */
  maxRowsToGroupBy: number;
  /** Reads running on storage at once; 4× as many more may wait, beyond that a read is refused (`busy`, 503). */
  maxConcurrentQueries: number;
};

/**
 * Defaults sized for the embedded engine, which shares the server's own process: 2 GiB of
 * memory per read, 30 s (a 30-day raw read of a busy project takes a few seconds), a million
 * groups (a `groupBy=user` over a project with a million users), 8 reads at once (the HTTP
 * transport keeps 10 sockets, so inserts and `KILL QUERY` always find one).
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxMemoryUsageBytes: 2 * 1024 ** 3,
  maxExecutionTimeSeconds: 30,
  maxRowsToGroupBy: 1_000_000,
  maxConcurrentQueries: 8,
};

/**
 * How long after `max_execution_time` the client stops waiting on its own: a live server has
 * answered TIMEOUT_EXCEEDED by then, so only a hung one (accepting, never answering) is cut off here.
 */
export const CLIENT_GRACE_MS = 2_000;

/** The ClickHouse settings of every read. */
export function readLimitSettings(limits: QueryLimits): Record<string, number | string> {
  return {
    max_memory_usage: limits.maxMemoryUsageBytes,
    max_execution_time: limits.maxExecutionTimeSeconds,
    timeout_overflow_mode: 'throw',
    max_rows_to_group_by: limits.maxRowsToGroupBy,
    group_by_overflow_mode: 'throw',
  };
}

/** The same settings as a `SETTINGS` clause, for the embedded engine (values are our own numbers). */
export function readLimitsClause(limits: QueryLimits): string {
  const parts = Object.entries(readLimitSettings(limits)).map(([name, value]) =>
    typeof value === 'number' ? `${name} = ${Math.floor(value)}` : `${name} = '${value.replace(/[^a-z_]/g, '')}'`,
  );
  return ` SETTINGS ${parts.join(', ')}`;
}

/** The deadline the client keeps for one read: the server's own limit plus a grace. */
export function readDeadlineMs(limits: QueryLimits): number {
  return limits.maxExecutionTimeSeconds * 1000 + CLIENT_GRACE_MS;
}

/** Reads that may queue for a place, per place: a burst of dashboard calls waits briefly rather than failing. */
const WAITING_PER_PLACE = 4;

/**
 * Bounds the reads on storage: `max` run at once, up to `4 × max` more wait for a place, and a
 * read past that is refused at once (`busy`, answered 503). With a hung server every read would
 * otherwise wait its full deadline in a queue that grows with the request rate.
 */
export class ConcurrentQueryGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly maxWaiting: number;

  constructor(private readonly max: number) {
    this.maxWaiting = max * WAITING_PER_PLACE;
  }

  /**
   * Resolves with the function that gives the place back (call it exactly once when the read
   * ends); rejects with `busy` when the queue is full, or with the signal's reason when it aborts
   * while waiting.
   */
  async enter(operation: string, signal: AbortSignal): Promise<() => void> {
    if (this.running < this.max) {
      this.running += 1;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxWaiting) {
      throw new CostscopeStorageError(operation, 'busy', `${this.max} reads run and ${this.maxWaiting} wait on storage already`);
    }
    return new Promise((resolve, reject) => {
      const take = (): void => {
        signal.removeEventListener('abort', giveUp);
        resolve(this.releaser());
      };
      const giveUp = (): void => {
        const index = this.waiting.indexOf(take);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal.reason);
      };
      this.waiting.push(take);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The place passes straight to the next waiter; `running` stays as it is.
      if (next) next();
      else this.running -= 1;
    };
  }
}
