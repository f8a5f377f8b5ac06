import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { ServerMetrics } from '../health/server-metrics.js';
import { insertCalls } from '../storage/llm-calls.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import { CallBatcher } from './spool/call-batcher.js';
import { DeadLetterFile } from './spool/dead-letter-file.js';
import { DurableSpool } from './spool/durable-spool.js';

const REPEATED_FAILURE_LOG_EVERY_MS = 60_000;

/**
 * The write side of the ingest: the durable spool under the data dir and the batcher that
 * coalesces requests into large inserts. At start it replays what a previous run spooled; at
 * shutdown it flushes, so an acknowledged call is never only in memory.
 */
@Injectable()
export class IngestPipeline implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private spool: DurableSpool | undefined;
  private batcherInstance: CallBatcher | undefined;
  // During an outage every flush fails: one line a minute says so without flooding the log.
  private readonly storageRefused = new ThrottledLog(this.logger, 'warn', 'storage refused a batch; it stays in the spool');
  private readonly spoolRefused = new ThrottledLog(this.logger, 'error', 'the spool could not take a batch; its requests were answered 503');

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(ServerMetrics) private readonly metrics: ServerMetrics,
  ) {}

  get batcher(): CallBatcher {
    if (!this.batcherInstance) throw new Error('IngestPipeline used before the module initialised');
    return this.batcherInstance;
  }

  /** Why this process cannot take calls now (`/readyz` of the ingest role), or undefined. */
  async unavailableReason(): Promise<string | undefined> {
    return this.spool ? this.spool.unavailableReason() : 'the ingest is starting';
  }

  async onModuleInit(): Promise<void> {
    const deadLetters = new DeadLetterFile(this.config.dataDir);
    const spool = await DurableSpool.open({
      dataDir: this.config.dataDir,
      maxBytes: this.config.spoolMaxBytes,
      // Under load the spool holds what waits for the next insert: the metric follows every
      // append and drain, not only inserts, or it would keep the last drained segment's bytes.
      onDepthChange: (bytes) => this.metrics.spoolDepthBytes.set(bytes),
      setAsideSegment: async (segmentPath, reason) => {
        await deadLetters.setAsideSegment(segmentPath, reason);
        this.logger.error(`moved an unreadable spool segment to ${deadLetters.directory}: ${reason}`);
      },
    });
    this.spool = spool;
    this.batcherInstance = new CallBatcher({
      spool,
      // One insert at a time; requests arriving meanwhile are written ahead to the spool and
      // answered, and go into the next insert together, so under load inserts carry thousands
      // of rows, and a quiet server answers within ~15 ms plus its insert. The first request's
      // wait is kept short on purpose: while it waits, nothing is being inserted, so the
      // requests behind it cannot be written ahead either — at 50 ms, four exporters in a
      // closed loop waited out that window and an insert every round (19k spans/s, p50 106 ms);
      // at 15 ms they are answered from the spool while the first insert runs (61k spans/s,
      // p50 29 ms; the fixed-rate p99 unchanged). The cap bounds a quiet server's batch; a drain of the spool inserts up to 20,000
      // rows at a time (the spool's own bound): each chDB insert has a fixed cost (~15–20 ms
      // here: the dedup view's look-up, new parts in two tables) besides ~20 µs a row, so at
      // 5,000 a saturated server queued many small inserts (ingest benchmark, fixed 30 000
      // spans/s: 15 000 achieved); at 20,000 it keeps up.
      maxRows: 20_000,
      maxDelayMs: 15,
      insert: async (records) => {
        const stop = this.metrics.insertLatency.startTimer();
        try {
          await insertCalls(this.transport, records);
        } finally {
          stop();
        }
      },
      onStorageError: (error) => this.storageRefused.report(error),
      onSpoolError: (error) => this.spoolRefused.report(error),
      deadLetter: async (records, reason) => {
        await deadLetters.add(records, reason);
        this.metrics.deadLetteredCalls.inc(records.length);
        // The file keeps the whole reason; the log only its gist (ClickHouse's also dumps the row).
        const gist = /Code: \d+\. DB::Exception: [^\n]*/.exec(reason)?.[0] ?? reason.slice(0, 300);
        this.logger.error(`storage refuses ${records.length} call(s) for their content; moved to ${deadLetters.directory}: ${gist}`);
      },
    });
    // Storage may be down at start: the ingest starts anyway and serves from the spool, and the
    // batcher retries the replay on its timer and before every flush until storage takes it.
    try {
      const replayed = await this.batcherInstance.replaySpool();
      if (replayed.records > 0) this.logger.log(`Replayed ${replayed.records} spooled calls from ${replayed.segments} segments`);
    } catch {
      this.logger.warn(`storage did not take the spooled calls at start (${spool.stats().bytes} bytes); retrying while it is down`);
    }
    this.metrics.spoolDepthBytes.set(spool.stats().bytes);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.batcherInstance?.close();
    await this.spool?.close();
  }
}

/** Logs the first of a run of failures, then at most one line per minute with how many followed. */
class ThrottledLog {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly level: 'warn' | 'error',
    private readonly what: string,
  ) {}

  report(error: unknown): void {
    const now = Date.now();
    if (now - this.last < REPEATED_FAILURE_LOG_EVERY_MS) {
      this.suppressed += 1;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more since the last line)` : '';
    this.last = now;
    this.suppressed = 0;
    this.logger[this.level](`${this.what}${more}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
