import type { LlmCallRecord } from '@costscope/core';
import type { DurableSpool, SpoolReplayResult, WriteCalls } from './durable-spool.js';

export type CallBatcherOptions = {
  /** Storage's insert of many rows at once (the storage module provides it). */
  insert: WriteCalls;
  spool: DurableSpool;
  /** Flush as soon as this many rows wait. Default 5000. */
  maxRows?: number;
  /**
   * …or when the oldest waiting row has waited this long while no insert is running. While one
   * runs, rows that arrive join the next insert, which starts as soon as it finishes (group
   * commit): under load inserts grow to thousands of rows without anyone waiting for a timer.
   * Default 1000 ms.
   */
  maxDelayMs?: number;
  /**
   * While the spool holds data, try to drain it this often even if no request comes (0: only
   * on flushes and explicit `replaySpool` calls). Default 5000 ms.
   */
  replayIntervalMs?: number;
  /** Told about insert and replay failures (log, metrics); the data itself is never dropped. */
  onStorageError?: (error: unknown) => void;
};

/** Where a caller's records ended up when its promise resolved: both are durable. */
export type Durability = 'inserted' | 'spooled';

type Waiter = { records: readonly LlmCallRecord[]; resolve: (how: Durability) => void; reject: (error: unknown) => void };

/**
 * Coalesces the calls of many requests into large inserts — ClickHouse wants thousands of rows per
 * insert, not one per request — flushing at `maxRows` rows or after `maxDelayMs`, whichever comes
 * first. Each caller's promise resolves only when its records are durable: inserted, or (when the
 * insert fails) appended to the spool and fsynced. It rejects only when neither is possible (the
 * spool is full: `SpoolFullError`, answered 503), and then nothing of that caller was acknowledged.
 *
 * While the spool holds data, each flush first tries to drain it (oldest first), so rows reach
 * storage in arrival order once it recovers; if the drain fails the new batch is spooled behind.
 *
 * Duplicates are possible and harmless: a batch whose insert timed out may have landed and is
 * also spooled; a replay interrupted mid-segment resends it. Storage counts each (trace id,
 * span id) once, so at-least-once delivery plus that dedup gives exactly-once totals.
 */
export class CallBatcher {
  private pending: Waiter[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Flushes started and not finished: while > 0, arriving rows wait for the next group commit. */
  private writesInFlight = 0;
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly replayIntervalMs: number;

  constructor(private readonly options: CallBatcherOptions) {
    this.maxRows = options.maxRows ?? 5000;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.replayIntervalMs = options.replayIntervalMs ?? 5000;
  }

  /** Queues one request's records; resolves when they are durable. */
  add(records: readonly LlmCallRecord[]): Promise<Durability> {
    if (records.length === 0) return Promise.resolve('inserted');
    return new Promise<Durability>((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      this.pendingRows += records.length;
      if (this.pendingRows >= this.maxRows) void this.flush();
      else if (this.writesInFlight === 0) this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
    });
  }

  /** Flushes what waits now (and waits for earlier flushes). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    // Flushes run one after another so inserts and spool appends keep arrival order.
    this.writesInFlight += 1;
    this.flushing = this.flushing
      .then(() => this.write(batch))
      .finally(() => {
        this.writesInFlight -= 1;
        // Group commit: what arrived during this write goes now, in one insert.
        if (this.writesInFlight === 0 && this.pending.length > 0) void this.flush();
      });
    return this.flushing;
  }

  /** Drains the spool into storage now (at start, and when storage is known to be back). */
  replaySpool(): Promise<SpoolReplayResult> {
    const run = this.flushing.then(() => this.options.spool.replay(this.options.insert));
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Flushes what waits and stops the timers; the spool keeps anything storage did not take. */
  async close(): Promise<void> {
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    await this.flush();
  }

  private async write(batch: Waiter[]): Promise<void> {
    if (batch.length === 0) return;
    const rows = batch.flatMap((waiter) => waiter.records);
    let how: Durability;
    try {
      if (!this.options.spool.isEmpty()) await this.options.spool.replay(this.options.insert);
      await this.options.insert(rows);
      how = 'inserted';
    } catch (insertError) {
      this.options.onStorageError?.(insertError);
      try {
        await this.options.spool.append(rows);
        how = 'spooled';
        this.scheduleReplay();
      } catch (spoolError) {
        for (const waiter of batch) waiter.reject(spoolError);
        return;
      }
    }
    for (const waiter of batch) waiter.resolve(how);
  }

  private scheduleReplay(): void {
    if (this.replayIntervalMs <= 0 || this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      this.replaySpool().then(
        () => undefined,
        (error: unknown) => {
          this.options.onStorageError?.(error);
          if (!this.options.spool.isEmpty()) this.scheduleReplay();
        },
      );
    }, this.replayIntervalMs);
    // A pending drain must not keep a stopping process alive: the spool survives the restart.
    this.replayTimer.unref();
  }
}
