import { diag } from '@opentelemetry/api';

const SCHEDULED_DELAY_MS = 1000;

/**
 * The bounded queue in front of an export: items wait up to a second, or until a batch is full,
 * then leave one batch at a time. Beyond `maxQueueSize` new items are dropped, never memory grown,
 * and every timer is unref'd, so a pending export never keeps a finished process alive.
 */
export class ExportQueue<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private droppedSince = 0;

  constructor(
    private readonly maxQueueSize: number,
    private readonly maxBatchSize: number,
    /** Sends one batch; resolves whether the server took it (never rejects). */
    private readonly send: (batch: T[]) => Promise<boolean>,
  ) {}

  add(item: T): void {
    if (this.queue.length >= this.maxQueueSize) {
      if (this.droppedSince === 0) diag.warn('costscope: export queue full (is the Costscope server reachable?); dropping spans');
      this.droppedSince += 1;
      return;
    }
    this.queue.push(item);
    // A full batch goes now; while an export runs, the next one starts when it ends.
    if (this.queue.length >= this.maxBatchSize && this.exporting === undefined) void this.exportBatches(false);
    else this.scheduleExport();
  }

  /** Exports everything queued, waiting for an export in flight first. */
  flush(): Promise<void> {
    return this.exportBatches(true);
  }

  private scheduleExport(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.exportBatches(false);
    }, SCHEDULED_DELAY_MS);
    this.timer.unref();
  }

  /** Exports full batches (or, with `all`, everything), one export at a time. */
  private exportBatches(all: boolean): Promise<void> {
    if (this.exporting !== undefined) {
      return this.exporting.then(() => (all || this.queue.length >= this.maxBatchSize ? this.exportBatches(all) : undefined));
    }
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.maxBatchSize);
    this.exporting = this.send(batch)
      .then((sent) => {
        if (sent && this.droppedSince > 0) {
          diag.warn(`costscope: ${this.droppedSince} spans were dropped while the queue was full`);
          this.droppedSince = 0;
        }
      })
      .finally(() => {
        this.exporting = undefined;
        if (all) return;
        if (this.queue.length >= this.maxBatchSize) void this.exportBatches(false);
        else if (this.queue.length > 0) this.scheduleExport();
      });
    return this.exporting.then(() => (all && this.queue.length > 0 ? this.exportBatches(true) : undefined));
  }
}
