import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export const REPRICE_JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type RepriceJobState = (typeof REPRICE_JOB_STATES)[number];

/** A re-pricing job's record (migration 0008), rewritten with a higher `revision` as it progresses. */
export type RepriceJobRecord = {
  projectId: string;
  jobId: string;
  state: RepriceJobState;
  /** The range re-priced, widened to whole UTC hours. */
  from: Date;
  to: Date;
  hoursDone: number;
  hoursTotal: number;
  examined: number;
  callsTotal: number;
  changed: number;
  /** Models no price applied to, seen while re-pricing: the overrides still to add. */
  unpricedModels: string[];
  /** Why a failed job stopped; empty otherwise. */
  error: string;
  createdAt: Date;
  /** Written with every record: a job whose process stopped shows by this no longer moving. */
  updatedAt: Date;
  revision: number;
};

export async function saveRepriceJob(transport: ClickHouseTransport, job: RepriceJobRecord): Promise<void> {
  const operation = 'repriceJobs.save';
  requireProjectId(operation, job.projectId);
  if (!job.jobId) throw new CostscopeStorageError(operation, 'invalid', 'jobId is required');
  await transport.command({
    sql: `INSERT INTO reprice_jobs (project_id, job_id, state, range_from, range_to, hours_done, hours_total, calls_examined,
            calls_total, calls_changed, unpriced_models, error, created_at, updated_at, revision)
          SELECT {projectId:String}, {jobId:String}, {state:String}, {from:DateTime64(3, 'UTC')}, {to:DateTime64(3, 'UTC')},
            {hoursDone:UInt32}, {hoursTotal:UInt32}, {examined:UInt64}, {callsTotal:UInt64}, {changed:UInt64},
            {unpricedModels:Array(String)}, {error:String}, {createdAt:DateTime64(3, 'UTC')}, {updatedAt:DateTime64(3, 'UTC')},
            {revision:UInt32}`,
    params: {
      projectId: job.projectId,
      jobId: job.jobId,
      state: job.state,
      from: toClickHouseTime(job.from),
      to: toClickHouseTime(job.to),
      hoursDone: job.hoursDone,
      hoursTotal: job.hoursTotal,
      examined: job.examined,
      callsTotal: job.callsTotal,
      changed: job.changed,
      unpricedModels: job.unpricedModels,
      error: job.error,
      createdAt: toClickHouseTime(job.createdAt),
      updatedAt: toClickHouseTime(job.updatedAt),
      revision: job.revision,
    },
    tag: { operation, projectId: job.projectId },
    quorum: true,
  });
}

const SELECT_JOB = `SELECT project_id, job_id, state, toUnixTimestamp(range_from) AS from_s, toUnixTimestamp(range_to) AS to_s,
    hours_done, hours_total, calls_examined, calls_total, calls_changed, unpriced_models, error,
    toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms, revision
  FROM reprice_jobs`;

type JobRow = Record<string, unknown>;

function toJob(row: JobRow): RepriceJobRecord {
  const state = String(row.state);
  return {
    projectId: String(row.project_id),
    jobId: String(row.job_id),
    state: (REPRICE_JOB_STATES as readonly string[]).includes(state) ? (state as RepriceJobState) : 'failed',
    from: new Date(toCount(row.from_s) * 1000),
    to: new Date(toCount(row.to_s) * 1000),
    hoursDone: toCount(row.hours_done),
    hoursTotal: toCount(row.hours_total),
    examined: toCount(row.calls_examined),
    callsTotal: toCount(row.calls_total),
    changed: toCount(row.calls_changed),
    unpricedModels: Array.isArray(row.unpriced_models) ? row.unpriced_models.map(String) : [],
    error: String(row.error ?? ''),
    createdAt: new Date(toCount(row.created_ms)),
    updatedAt: new Date(toCount(row.updated_ms)),
    revision: toCount(row.revision),
  };
}

/** One job of the project, its newest record; undefined for another project's job or none. */
export async function getRepriceJob(transport: ClickHouseTransport, input: { projectId: string; jobId: string }): Promise<RepriceJobRecord | undefined> {
  const operation = 'repriceJobs.get';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<JobRow>({
    sql: `${SELECT_JOB}
          WHERE project_id = {projectId:String} AND job_id = {jobId:String}
          ORDER BY revision DESC
          LIMIT 1`,
    params: { projectId: input.projectId, jobId: input.jobId },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows[0] ? toJob(rows[0]) : undefined;
}

/** The project's jobs whose newest record is still `queued` or `running`, oldest first. */
export async function listUnfinishedRepriceJobs(transport: ClickHouseTransport, input: { projectId: string }): Promise<RepriceJobRecord[]> {
  const operation = 'repriceJobs.listUnfinished';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<JobRow>({
    sql: `SELECT * FROM (
            ${SELECT_JOB}
            WHERE project_id = {projectId:String}
            ORDER BY revision DESC
            LIMIT 1 BY job_id
          )
          WHERE state IN ('queued', 'running')
          ORDER BY created_ms`,
    params: { projectId: input.projectId },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map(toJob);
}
