-- Re-pricing jobs (POST /api/v1/prices/reprice): one row per job, rewritten as it progresses, so
-- any API process can answer GET /api/v1/prices/reprice/<jobId> whichever process runs the job.
-- ReplacingMergeTree keeps the highest `revision`; reads take the newest row per job
-- (`LIMIT 1 BY`). A job's record is of no use once its calls have left the raw retention, so it
-- is kept as long as they are (migrate.ts updates the TTL when COSTSCOPE_RETENTION_DAYS changes).
CREATE TABLE IF NOT EXISTS reprice_jobs{{LOCAL}} {{ON_CLUSTER}}
(
    project_id LowCardinality(String),
    job_id String,
    state LowCardinality(String),
    range_from DateTime('UTC'),
    range_to DateTime('UTC'),
    hours_done UInt32,
    hours_total UInt32,
    calls_examined UInt64,
    calls_total UInt64,
    calls_changed UInt64,
    unpriced_models Array(String),
    error String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    revision UInt32
)
ENGINE = {{ENGINE:ReplacingMergeTree(revision)}}
ORDER BY (project_id, job_id)
TTL toDateTime(created_at) + INTERVAL {{RETENTION_DAYS}} DAY;

{{DISTRIBUTED reprice_jobs BY cityHash64(project_id)}};
