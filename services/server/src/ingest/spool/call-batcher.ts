import type { LlmCallRecord } from '@costscope/core';
import { deliverCalls } from './deliver-calls.js';
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
  /** Told when the spool refused a batch too (full, not writable): its callers were rejected. */
  onSpoolError?: (error: unknown) => void;
  /**
   * Keeps calls that storage refuses for their content (a `DeadLetterFile`). With it, a refused
   * batch is halved down to the refused calls, which go here, and the rest is inserted; without
   * it, such a batch stays in the spool like any failed one.
   */
  deadLetter?: (records: LlmCallRecord[], reason: string) => Promise<void>;
  /**
   * An insert that has not answered after this long counts as failed and its calls are spooled,
   * so a storage that accepts connections and never answers cannot hold requests (or the
   * batcher's chain) forever. The insert may still land later; storage's dedup makes the spooled
   * copy harmless. Default 10 000 ms.
   */
  insertTimeoutMs?: number;
};

/**
 * Where a caller's records ended up when its promise resolved: both are durable. `spooled` calls
 * are inserted later: at once when they were written ahead while storage was busy, when storage is
 * back when it had refused them.
 */
export type Durability = 'inserted' | 'spooled';

type Waiter = { records: readonly LlmCallRecord[]; resolve: (how: Durability) => void; reject: (error: unknown) => void };

/**
 * Coalesces the calls of many requests into large inserts — ClickHouse wants thousands of rows per
 * insert, not one per request — flushing at `maxRows` rows or after `maxDelayMs`, whichever comes
 * first. Each caller's promise resolves only when its records are durable: inserted, or appended
 * to the spool and fsynced. It rejects only when neither is possible (the spool is full:
 * `SpoolFullError`, answered 503), and then nothing of that caller was acknowledged.
 *
 * Write-ahead under load: records that arrive while storage is busy (an insert or a replay runs)
 * do not wait for it. They are appended to the spool at once — one append (one fsync) for all
 * that arrived during the previous append — their callers resolve `spooled`, and a drain of the
 * spool is queued behind the running insert, which inserts them from memory in one large insert.
 * So a request's latency under load is an fsync, not a chDB insert, and inserts grow with the load
 * (fewer parts, fewer merges per call). A quiet server still answers after the insert itself, so
 * what one request wrote is readable when its 200 arrives; under load it is readable once the
 * queued drain ran (the time of the insert in front of it plus its own). Should the append fail,
 * those callers wait for the next insert instead, as on a quiet server.
 *
 * While the spool holds data, each flush first tries to drain it (oldest first), so rows reach
 * storage in arrival order once it recovers; if the drain fails the new batch is spooled behind.
 *
 * Duplicates are possible and harmless: a batch whose insert timed out may have landed and is
 * also spooled; a replay interrupted mid-segment resends it. Storage counts each (trace id,
 * span id) once, so at-least-once delivery plus that dedup gives exactly-once totals.
 *
 * No batch can stop the ones behind it: calls storage refuses for their content are
 * dead-lettered (see `deadLetter`), an insert that never answers times out, and whatever an insert
 * throws — or a callback — the chain of flushes goes on.
 */
export class CallBatcher {
  private pending: Waiter[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private replayTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Flushes and drains queued and not finished: while > 0, arriving rows are written ahead. */
  private storageBusy = 0;
  /** Callers waiting for the next write-ahead append, which starts when the running one ends. */
  private writeAhead: Waiter[] = [];
  /** The running write-ahead append (with what follows it), or undefined. */
  private appendingAhead: Promise<void> | undefined;
  /** A drain is queued on the chain and has not started yet: appends need not queue another. */
  private drainQueued = false;
  private closed = false;
  /**
   * An insert timed out: storage accepts and does not answer. Until a replay succeeds, flushes go
   * straight to the spool instead of each waiting out the timeout again (requests would outlive
   * their exporters' own 10 s timeout), and replays run beside the flushes, not in front of them.
   */
  private storageHung = false;
  private readonly maxRows: number;
  private readonly maxDelayMs: number;
  private readonly replayIntervalMs: number;
  private readonly insertTimeoutMs: number;
  /** Storage's insert with the deadline, and dead-lettering when one is configured. */
  private readonly deliver: WriteCalls;

  constructor(private readonly options: CallBatcherOptions) {
    this.maxRows = options.maxRows ?? 5000;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.replayIntervalMs = options.replayIntervalMs ?? 5000;
    this.insertTimeoutMs = options.insertTimeoutMs ?? 10_000;
    const deadLetter = options.deadLetter;
    const insert: WriteCalls = (records) => this.insertWithDeadline(records);
    this.deliver = deadLetter ? async (records) => void (await deliverCalls(records, { insert, deadLetter })) : insert;
  }

  /** Queues one request's records; resolves when they are durable. */
  add(records: readonly LlmCallRecord[]): Promise<Durability> {
    if (records.length === 0) return Promise.resolve('inserted');
    return new Promise<Durability>((resolve, reject) => {
      if (this.storageBusy > 0 && !this.closed) {
        this.writeAhead.push({ records, resolve, reject });
        this.appendingAhead ??= this.appendAhead();
        return;
      }
      this.enqueue({ records, resolve, reject });
    });
  }

  /** Waits for the next flush (an insert, or the spool if storage refuses it). */
  private enqueue(waiter: Waiter): void {
    this.pending.push(waiter);
    this.pendingRows += waiter.records.length;
    if (this.pendingRows >= this.maxRows) void this.flush();
    else if (this.storageBusy === 0) this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  /**
   * Appends what waits for the write-ahead, resolves its callers, queues a drain; repeats while
   * more arrived meanwhile (group commit of appends). Never rejects.
   */
  private async appendAhead(): Promise<void> {
    while (this.writeAhead.length > 0) {
      const batch = this.writeAhead;
      this.writeAhead = [];
      try {
        await this.options.spool.append(batch.flatMap((waiter) => waiter.records));
      } catch (spoolError) {
        // Not durable ahead (spool full or failing): these callers wait for an insert instead.
        this.report(spoolError, this.options.onSpoolError);
        for (const waiter of batch) this.enqueue(waiter);
        if (this.storageBusy === 0) void this.flush();
        continue;
      }
      for (const waiter of batch) waiter.resolve('spooled');
      this.queueDrain();
    }
    this.appendingAhead = undefined;
  }

  /** Inserts what the spool holds once the running insert is done (one drain queued at a time). */
  private queueDrain(): void {
    if (this.drainQueued || this.storageHung) {
      // A hung storage: the replay timer drains, beside the appends (see `replaySpool`).
      if (this.storageHung) this.scheduleReplay();
      return;
    }
    this.drainQueued = true;
    this.chainStorageWork(async () => {
      this.drainQueued = false;
      try {
        await this.options.spool.replay(this.deliver);
      } catch (error) {
        this.report(error);
        this.scheduleReplay();
      }
    });
  }

  /** Runs `work` after every earlier flush and drain, counted in `storageBusy` until it ends. */
  private chainStorageWork(work: () => Promise<void>): Promise<void> {
    this.storageBusy += 1;
    this.flushing = this.flushing.then(work).finally(() => {
      this.storageBusy -= 1;
      // Group commit: what arrived during this write goes now, in one insert.
      if (this.storageBusy === 0 && this.pending.length > 0) void this.flush();
    });
    return this.flushing;
  }

  /** Flushes what waits now (and waits for earlier flushes). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    // Flushes run one after another so inserts and spool appends keep arrival order.
    return this.chainStorageWork(() => this.write(batch));
  }

  /**
   * Drains the spool into storage now (at start, and when storage is known to be back). When it
   * fails, another attempt is scheduled (`replayIntervalMs`) besides the one every flush makes.
   */
  replaySpool(): Promise<SpoolReplayResult> {
    const failed = (error: unknown): void => {
      this.report(error);
      if (!this.options.spool.isEmpty()) this.scheduleReplay();
    };
    if (this.storageHung) {
      // Flushes only append meanwhile (the spool takes appends during a replay): neither waits for the other.
      const run = this.options.spool.replay(this.deliver);
      run.then(() => (this.storageHung = false), failed);
      return run;
    }
    let outcome: { result: SpoolReplayResult } | { error: unknown } | undefined;
    const chained = this.chainStorageWork(async () => {
      try {
        outcome = { result: await this.options.spool.replay(this.deliver) };
      } catch (error) {
        outcome = { error };
        failed(error);
      }
    });
    // Settles once the replay is off the chain: records added after it are not written ahead.
    return chained.then(() => {
      if (!outcome || 'error' in outcome) throw outcome?.error;
      return outcome.result;
    });
  }

  /**
   * Flushes what waits, inserts what was written ahead (unless storage hangs), and stops the
   * timers; the spool keeps anything storage did not take, for the next start.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = undefined;
    await this.appendingAhead;
    await this.flush();
  }

  /** Never rejects: the chain of flushes must go on whatever happens to one batch. */
  private async write(batch: Waiter[]): Promise<void> {
    if (batch.length === 0) return;
    let how: Durability;
    try {
      how = await this.makeDurable(batch.flatMap((waiter) => waiter.records));
    } catch (spoolError) {
      this.report(spoolError, this.options.onSpoolError);
      for (const waiter of batch) waiter.reject(spoolError);
      return;
    }
    for (const waiter of batch) waiter.resolve(how);
  }

  /** Inserts the rows (after what the spool holds), else spools them; throws when neither works. */
  private async makeDurable(rows: LlmCallRecord[]): Promise<Durability> {
    if (this.storageHung) return this.spool(rows);
    try {
      if (!this.options.spool.isEmpty()) await this.options.spool.replay(this.deliver);
      await this.deliver(rows);
      return 'inserted';
    } catch (insertError) {
      this.report(insertError);
      return this.spool(rows);
    }
  }

  private async spool(rows: LlmCallRecord[]): Promise<Durability> {
    await this.options.spool.append(rows);
    this.scheduleReplay();
    return 'spooled';
  }

  private insertWithDeadline(records: LlmCallRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.storageHung = true;
        reject(new InsertTimeoutError(this.insertTimeoutMs));
      }, this.insertTimeoutMs);
      // `then` also turns an insert that throws instead of rejecting into a rejection.
      Promise.resolve()
        .then(() => this.options.insert(records))
        .then(resolve, reject)
        .finally(() => clearTimeout(timer));
    });
  }

  /** A failing reporter (a logger, a metric) must not take the batch down with it. */
  private report(error: unknown, reporter = this.options.onStorageError): void {
    try {
      reporter?.(error);
    } catch {
      // Reporting is best effort; the calls themselves are already handled.
    }
  }

  private scheduleReplay(): void {
    if (this.replayIntervalMs <= 0 || this.replayTimer || this.closed) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      // A failure reschedules itself (see `replaySpool`).
      this.replaySpool().catch(() => undefined);
    }, this.replayIntervalMs);
    // A pending drain must not keep a stopping process alive: the spool survives the restart.
    this.replayTimer.unref();
  }
}

/** Storage did not answer an insert in time; its calls are spooled (503 only if that fails too). */
export class InsertTimeoutError extends Error {
  override readonly name = 'InsertTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`storage did not answer an insert within ${timeoutMs} ms`);
  }
}
