import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { createPriceCatalog } from '@costscope/core';
import { SERVER_CONFIG, type ServerConfig } from '../config/server-config.js';
import { repriceRecords } from '../ingest/pricing/reprice-records.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { CostscopeStorageError } from '../storage/errors.js';
import { repriceCalls, type RepriceProgress } from '../storage/reprice-calls.js';
import { getRepriceJob, listUnfinishedRepriceJobs, saveRepriceJob, type RepriceJobRecord } from '../storage/reprice-jobs.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';

/**
 * A job whose record has not moved for this long is taken for abandoned (its process stopped):
 * it no longer blocks a new re-price of the project and reads as failed. Records are written at
 * least once a step, and a step (a day of one project) takes seconds to minutes.
 */
export const REPRICE_JOB_STALE_MS = 15 * 60_000;

/** Progress is written at most this often: a year of empty days must not write 366 versions a second. */
const PROGRESS_EVERY_MS = 1_000;

const HOUR_MS = 3_600_000;

const STOPPED_REASON = 'the server stopped before this re-price finished; run it again (re-pricing twice gives the same result)';
const ABANDONED_REASON = 'abandoned: the process running it stopped before it finished; run it again';

class RepriceStoppedError extends Error {
  override readonly name = 'RepriceStoppedError';
}

/**
 * A job as an API client sees it: a `queued` or `running` record that stopped moving and is not
 * running in this process reads as failed, since nothing will ever finish it.
 */
export function presentRepriceJob(job: RepriceJobRecord, now: Date, runningHere: boolean): RepriceJobRecord {
  const unfinished = job.state === 'queued' || job.state === 'running';
  if (!unfinished || runningHere || now.getTime() - job.updatedAt.getTime() < REPRICE_JOB_STALE_MS) return job;
  return { ...job, state: 'failed', error: ABANDONED_REASON };
}

/** The short reason a failed job gives; details (statements, engine messages) stay in the server log. */
function failureReason(error: unknown): string {
  if (error instanceof RepriceStoppedError) return STOPPED_REASON;
  if (CostscopeStorageError.isInstance(error)) {
    return `storage failed (${error.kind}) during ${error.operation}; run it again once storage is healthy (re-pricing twice gives the same result)`;
  }
  return 're-pricing failed unexpectedly; the server log has the details';
}

/**
 * Re-pricing as background jobs: `start` answers at once with a queued job, the work runs here
 * one job at a time (each yields between its day steps, so ingest and reads go on), and its record
 * in storage (migration 0008) lets any API process answer its progress. One unfinished job per
 * project: a second is refused with 409 naming the first.
 */
@Injectable()
export class RepriceJobs implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RepriceJobs');
  /** Projects with a job queued or running in this process, and that job's id. */
  private readonly active = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();
  /**
   * Jobs outlive the request that started them: they run in the context this service was built
   * in, not the request's, whose cancellation and read limits are the request's alone.
   */
  private readonly detached = AsyncLocalStorage.snapshot();

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ProjectPriceOverrides) private readonly overrides: ProjectPriceOverrides,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
  ) {}

  /** Queues a re-price of [from, to) at the prices in force now; the range is validated by the caller. */
  async start(projectId: string, from: Date, to: Date): Promise<RepriceJobRecord> {
    const running = this.active.get(projectId);
    if (running) throw conflict(running);
    // Reserved before the first await, so two requests at once cannot both pass.
    const jobId = randomUUID();
    this.active.set(projectId, jobId);
    try {
      const now = new Date();
      for (const other of await listUnfinishedRepriceJobs(this.transport, { projectId })) {
        const shown = presentRepriceJob(other, now, false);
        if (shown.state !== 'failed') throw conflict(other.jobId);
        await saveRepriceJob(this.transport, { ...shown, updatedAt: now, revision: other.revision + 1 });
      }
      // The prices in force when the job was asked for, whatever is saved while it waits.
      this.overrides.invalidate(projectId);
      const catalog = createPriceCatalog({ overrides: await this.overrides.forProject(projectId) });
      const hoursFrom = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
      const hoursTo = new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS);
      const job: RepriceJobRecord = {
        projectId,
        jobId,
        state: 'queued',
        from: hoursFrom,
        to: hoursTo,
        hoursDone: 0,
        hoursTotal: (hoursTo.getTime() - hoursFrom.getTime()) / HOUR_MS,
        examined: 0,
        callsTotal: 0,
        changed: 0,
        unpricedModels: [],
        error: '',
        createdAt: now,
        updatedAt: now,
        revision: 1,
      };
      await saveRepriceJob(this.transport, job);
      this.queue = this.queue.then(() => this.detached(() => this.run(job, catalog)));
      return job;
    } catch (error) {
      this.active.delete(projectId);
      throw error;
    }
  }

  /** The project's job as it stands now; undefined for an unknown id or another project's job. */
  async get(projectId: string, jobId: string): Promise<RepriceJobRecord | undefined> {
    const job = await getRepriceJob(this.transport, { projectId, jobId });
    return job && presentRepriceJob(job, new Date(), this.active.get(projectId) === jobId);
  }

  /** Stops between steps (the transport closes after this) and records why, so nothing reads as running forever. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort(new RepriceStoppedError(STOPPED_REASON));
    await this.queue;
  }

  /** Never rejects: the queue goes on to the next job whatever happens to this one. */
  private async run(queued: RepriceJobRecord, catalog: ReturnType<typeof createPriceCatalog>): Promise<void> {
    let job = queued;
    const save = async (changes: Partial<RepriceJobRecord>) => {
      job = { ...job, ...changes, updatedAt: new Date(), revision: job.revision + 1 };
      await saveRepriceJob(this.transport, job);
    };
    const unpriced = new Set<string>();
    try {
      this.stop.signal.throwIfAborted();
      await save({ state: 'running' });
      let savedAt = Date.now();
      await repriceCalls(this.transport, {
        projectId: job.projectId,
        from: job.from,
        to: job.to,
        retentionDays: this.config.retentionDays,
        signal: this.stop.signal,
        reprice: (calls) => {
          const repriced = repriceRecords(calls, catalog);
          for (const model of repriced.unpricedModels) unpriced.add(model);
          return repriced.records;
        },
        onProgress: async (progress: RepriceProgress) => {
          Object.assign(job, progress);
          if (Date.now() - savedAt < PROGRESS_EVERY_MS) return;
          await save({ unpricedModels: [...unpriced].sort() });
          savedAt = Date.now();
        },
      });
      await save({ state: 'done', unpricedModels: [...unpriced].sort() });
    } catch (error) {
      if (!(error instanceof RepriceStoppedError)) this.logger.error(`re-pricing job ${job.jobId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await save({ state: 'failed', error: failureReason(error), unpricedModels: [...unpriced].sort() }).catch((saveError: unknown) =>
        this.logger.error(`re-pricing job ${job.jobId} failed and its record could not be written: ${String(saveError)}`),
      );
    } finally {
      this.active.delete(job.projectId);
    }
  }
}

function conflict(jobId: string): ConflictException {
  return new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    message: `re-pricing job ${jobId} is still running for this project; wait for it to finish`,
    jobId,
    location: repriceJobLocation(jobId),
  });
}

export function repriceJobLocation(jobId: string): string {
  return `/api/v1/prices/reprice/${jobId}`;
}
