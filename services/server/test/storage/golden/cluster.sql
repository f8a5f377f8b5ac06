-- 0001_llm_calls
-- One row per LLM call. The double-brace placeholders are rendered by migrate.ts: on one node they vanish,
-- with COSTSCOPE_CLICKHOUSE_CLUSTER they give ON CLUSTER DDL, Replicated* engines, `_local`
-- tables and Distributed tables in front of them.
--
-- ReplacingMergeTree with (trace_id, span_id) at the end of the sort key is a backstop only:
-- exactly-once totals come from the dedup view below, which never lets a resent span in.
CREATE TABLE IF NOT EXISTS llm_calls_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    time DateTime64(3, 'UTC'),
    trace_id String,
    span_id String,
    service LowCardinality(String),
    feature LowCardinality(String),
    endpoint LowCardinality(String),
    user_id String,
    user_tier LowCardinality(String),
    priority LowCardinality(String),
    provider LowCardinality(String),
    request_model LowCardinality(String),
    response_model LowCardinality(String),
    -- The model a person means by "model": what answered, else what was asked for.
    model LowCardinality(String) MATERIALIZED if(response_model != '', response_model, request_model),
    operation LowCardinality(String),
    input_tokens UInt64,
    cache_read_input_tokens UInt64,
    cache_write_input_tokens UInt64,
    output_tokens UInt64,
    reasoning_tokens UInt64,
    cost_status LowCardinality(String),
    priced_model LowCardinality(String),
    price_version LowCardinality(String),
    fresh_input_cost_usd Decimal(38, 18),
    cache_read_cost_usd Decimal(38, 18),
    cache_write_cost_usd Decimal(38, 18),
    output_cost_usd Decimal(38, 18),
    total_cost_usd Decimal(38, 18),
    status LowCardinality(String),
    error_type LowCardinality(String),
    attempt UInt16,
    batch Bool,
    max_tokens Nullable(UInt32),
    finish_reason LowCardinality(String),
    prompt_prefix_hash String,
    latency_ms UInt32,
    time_to_first_token_ms Nullable(UInt32),
    attributes Map(String, String),
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, toStartOfHour(time), feature, trace_id, span_id)
TTL toDateTime(time) + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS llm_calls ON CLUSTER costscope_cluster AS llm_calls_local
ENGINE = Distributed(costscope_cluster, costscope, llm_calls_local, cityHash64(project_id));

-- The only table the ingest writes to. A Null table stores nothing: the view below reads each
-- inserted block and forwards to llm_calls only the calls not already there.
CREATE TABLE IF NOT EXISTS llm_calls_incoming_local ON CLUSTER costscope_cluster
AS llm_calls_local
ENGINE = Null;

CREATE TABLE IF NOT EXISTS llm_calls_incoming ON CLUSTER costscope_cluster AS llm_calls_incoming_local
ENGINE = Distributed(costscope_cluster, costscope, llm_calls_incoming_local, cityHash64(project_id));

-- Exactly-once: inside a materialized view, `llm_calls_incoming` names the block being inserted,
-- so this keeps the block's calls whose (project, trace, span) is not yet stored, looking only
-- at the block's projects and time range (a resend carries the same start time).
CREATE MATERIALIZED VIEW IF NOT EXISTS llm_calls_dedup_mv_local ON CLUSTER costscope_cluster
TO llm_calls_local
AS SELECT
    project_id, time, trace_id, span_id, service, feature, endpoint, user_id, user_tier, priority,
    provider, request_model, response_model, operation, input_tokens, cache_read_input_tokens,
    cache_write_input_tokens, output_tokens, reasoning_tokens, cost_status, priced_model,
    price_version, fresh_input_cost_usd, cache_read_cost_usd, cache_write_cost_usd,
    output_cost_usd, total_cost_usd, status, error_type, attempt, batch, max_tokens,
    finish_reason, prompt_prefix_hash, latency_ms, time_to_first_token_ms, attributes
FROM llm_calls_incoming_local
WHERE (project_id, trace_id, span_id) NOT IN (
    SELECT project_id, trace_id, span_id
    FROM llm_calls_local
    WHERE project_id IN (SELECT DISTINCT project_id FROM llm_calls_incoming_local)
      AND time >= (SELECT min(time) FROM llm_calls_incoming_local)
      AND time <= (SELECT max(time) FROM llm_calls_incoming_local)
);

-- 0002_llm_calls_hourly
-- Hourly rollups, filled by a materialized view on llm_calls. The view sees only rows that got
-- past the dedup view, so a resent span never reaches a rollup. SummingMergeTree adds rows with
-- the same key on merge; reads always sum() and group, so they never need FINAL.
-- Kept longer than raw calls (at least 760 days, see migrate.ts): month and year views outlive them.
CREATE TABLE IF NOT EXISTS llm_calls_hourly_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    service LowCardinality(String),
    feature LowCardinality(String),
    endpoint LowCardinality(String),
    model LowCardinality(String),
    provider LowCardinality(String),
    user_tier LowCardinality(String),
    status LowCardinality(String),
    cost_usd Decimal(38, 18),
    error_cost_usd Decimal(38, 18),
    retry_cost_usd Decimal(38, 18),
    requests UInt64,
    errors UInt64,
    retries UInt64,
    unpriced_requests UInt64,
    input_tokens UInt64,
    cached_input_tokens UInt64,
    cache_write_input_tokens UInt64,
    output_tokens UInt64,
    reasoning_tokens UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, feature, endpoint, model, provider, user_tier, service, status)
TTL hour + INTERVAL 760 DAY;

CREATE TABLE IF NOT EXISTS llm_calls_hourly ON CLUSTER costscope_cluster AS llm_calls_hourly_local
ENGINE = Distributed(costscope_cluster, costscope, llm_calls_hourly_local, cityHash64(project_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_calls_hourly_mv_local ON CLUSTER costscope_cluster
TO llm_calls_hourly_local
AS SELECT
    project_id,
    toStartOfHour(time) AS hour,
    service,
    feature,
    endpoint,
    model,
    provider,
    user_tier,
    status,
    sum(total_cost_usd) AS cost_usd,
    sumIf(total_cost_usd, status = 'error') AS error_cost_usd,
    sumIf(total_cost_usd, attempt > 1) AS retry_cost_usd,
    count() AS requests,
    countIf(status = 'error') AS errors,
    countIf(attempt > 1) AS retries,
    countIf(cost_status = 'unpriced') AS unpriced_requests,
    sum(input_tokens) AS input_tokens,
    sum(cache_read_input_tokens) AS cached_input_tokens,
    sum(cache_write_input_tokens) AS cache_write_input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(reasoning_tokens) AS reasoning_tokens
FROM llm_calls_local
GROUP BY project_id, hour, service, feature, endpoint, model, provider, user_tier, status;

-- 0003_alerts
-- Alert episodes: one row per (project, episode), rewritten as it changes. ReplacingMergeTree
-- keeps the newest `updated_at`; reads pick the newest version with `FINAL`, cheap because
-- these tables stay small (episodes, not calls).
CREATE TABLE IF NOT EXISTS alert_episodes_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    episode_id String,
    rule LowCardinality(String),
    scope String,
    status LowCardinality(String),
    severity LowCardinality(String),
    started_at DateTime64(3, 'UTC'),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    last_notified_at Nullable(DateTime64(3, 'UTC')),
    values_json String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', updated_at)
ORDER BY (project_id, episode_id);

CREATE TABLE IF NOT EXISTS alert_episodes ON CLUSTER costscope_cluster AS alert_episodes_local
ENGINE = Distributed(costscope_cluster, costscope, alert_episodes_local, cityHash64(project_id));

-- One row per delivery attempt of an episode's message to a channel, rewritten as it progresses.
CREATE TABLE IF NOT EXISTS alert_deliveries_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    episode_id String,
    delivery_id String,
    channel LowCardinality(String),
    message_kind LowCardinality(String),
    status LowCardinality(String),
    attempts UInt16,
    error String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', updated_at)
ORDER BY (project_id, episode_id, delivery_id);

CREATE TABLE IF NOT EXISTS alert_deliveries ON CLUSTER costscope_cluster AS alert_deliveries_local
ENGINE = Distributed(costscope_cluster, costscope, alert_deliveries_local, cityHash64(project_id));

-- 0004_settings_and_api_keys
-- Settings (allocations, rules, channels, price overrides) as versioned JSON per project and
-- kind. Every write is a new version; the newest one is the setting, older ones are history.
CREATE TABLE IF NOT EXISTS project_settings_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    kind LowCardinality(String),
    version UInt64,
    value_json String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (project_id, kind, version);

CREATE TABLE IF NOT EXISTS project_settings ON CLUSTER costscope_cluster AS project_settings_local
ENGINE = Distributed(costscope_cluster, costscope, project_settings_local, cityHash64(project_id));

-- API keys: only the SHA-256 of a key is stored. Revoking writes a newer version of the row.
CREATE TABLE IF NOT EXISTS api_keys_local ON CLUSTER costscope_cluster
(
    key_hash String,
    key_id String,
    project_id LowCardinality(String),
    name String,
    key_prefix String,
    created_at DateTime64(3, 'UTC'),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', updated_at)
ORDER BY (key_hash);

CREATE TABLE IF NOT EXISTS api_keys ON CLUSTER costscope_cluster AS api_keys_local
ENGINE = Distributed(costscope_cluster, costscope, api_keys_local, cityHash64(key_hash));

-- 0005_alert_scheduler
-- The alert scheduler's own state (issue 6), beside the episodes and deliveries of 0003.

-- One claim per evaluation term: the scheduler process whose claim is stored evaluates that term.
-- ClickHouse has no compare-and-set, but it drops a second insert carrying the same
-- `insert_deduplication_token`, so of several processes claiming one term exactly one row is kept
-- (first writer wins) and every claimant reads back the same holder. The deduplication window
-- must hold more terms than can be claimed concurrently; 1,000 is days of 5-minute terms. No TTL:
-- a row per term is small, and a TTL would drop claims made under a clock set in the past.
CREATE TABLE IF NOT EXISTS alert_leases_local ON CLUSTER costscope_cluster
(
    name LowCardinality(String),
    term UInt64,
    holder String,
    claimed_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY (name, term)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS alert_leases ON CLUSTER costscope_cluster AS alert_leases_local
ENGINE = Distributed(costscope_cluster, costscope, alert_leases_local, cityHash64(name));

-- The outbox: each message (an alert group or a weekly review) is stored before it is sent, with
-- what it says and the episode states it commits, then rewritten as its deliveries finish. A
-- scheduler that restarts finishes what is still `pending` under the same delivery key instead of
-- evaluating afresh, so a message is neither lost nor sent twice. `revision` orders the versions:
-- the state machine only moves forward (prepared 1 → pending 2 → done 3, retries as 2 + n).
CREATE TABLE IF NOT EXISTS alert_messages_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    delivery_key String,
    kind LowCardinality(String),
    status LowCardinality(String),
    revision UInt32,
    payload_json String,
    outcomes_json String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', revision)
ORDER BY (project_id, delivery_key);

CREATE TABLE IF NOT EXISTS alert_messages ON CLUSTER costscope_cluster AS alert_messages_local
ENGINE = Distributed(costscope_cluster, costscope, alert_messages_local, cityHash64(project_id));

-- 0006_llm_call_keys
-- Exactly-once at a cost that does not grow with traffic. The dedup view of 0001 looked up a
-- block's ids in llm_calls itself, whose sort key narrows only to the hour: every insert read all
-- of the project's ids of that hour (measured: +24 ms per 100 000 calls stored in the hour, so
-- seconds per insert at 30 000 calls/s). The ids now also live in a narrow table sorted by
-- (project, hour, trace id, span id) with small granules, and the view looks up only the block's
-- trace ids there: the primary index reads a few granules per id, whatever the hour holds.
CREATE TABLE IF NOT EXISTS llm_call_keys_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    trace_id String,
    span_id String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, trace_id, span_id)
TTL hour + INTERVAL 90 DAY
SETTINGS index_granularity = 256;

-- Filled from the calls that got past the dedup view, in the same insert.
CREATE MATERIALIZED VIEW IF NOT EXISTS llm_call_keys_mv_local ON CLUSTER costscope_cluster
TO llm_call_keys_local
AS SELECT project_id, toStartOfHour(time) AS hour, trace_id, span_id
FROM llm_calls_local;

-- The calls stored before this migration. On a cluster this runs on the node that migrates only;
-- a resend of a call older than the migration could then be counted twice on the other shards.
-- Keys written twice (by the view and by this backfill at once) collapse: the lookup is a set.
INSERT INTO llm_call_keys_local
SELECT project_id, toStartOfHour(time), trace_id, span_id
FROM llm_calls_local;

-- The same view as 0001, looking up keys instead of calls. MODIFY QUERY swaps it atomically, so
-- no insert passes through with no view at all.
ALTER TABLE llm_calls_dedup_mv_local ON CLUSTER costscope_cluster MODIFY QUERY
SELECT
    project_id, time, trace_id, span_id, service, feature, endpoint, user_id, user_tier, priority,
    provider, request_model, response_model, operation, input_tokens, cache_read_input_tokens,
    cache_write_input_tokens, output_tokens, reasoning_tokens, cost_status, priced_model,
    price_version, fresh_input_cost_usd, cache_read_cost_usd, cache_write_cost_usd,
    output_cost_usd, total_cost_usd, status, error_type, attempt, batch, max_tokens,
    finish_reason, prompt_prefix_hash, latency_ms, time_to_first_token_ms, attributes
FROM llm_calls_incoming_local
WHERE (project_id, trace_id, span_id) NOT IN (
    SELECT project_id, trace_id, span_id
    FROM llm_call_keys_local
    WHERE project_id IN (SELECT DISTINCT project_id FROM llm_calls_incoming_local)
      AND hour >= (SELECT toStartOfHour(min(time)) FROM llm_calls_incoming_local)
      AND hour <= (SELECT toStartOfHour(max(time)) FROM llm_calls_incoming_local)
      AND trace_id IN (SELECT trace_id FROM llm_calls_incoming_local)
);

-- 0007_api_key_scopes
-- Key scopes (ingest | read | admin). Rows written before this migration read as `admin`: every
-- key could do everything then, and taking rights away from a key already deployed would break
-- whoever holds it. New keys are always written with their scope; the application's default is
-- `ingest`, not this column default.
ALTER TABLE api_keys_local ON CLUSTER costscope_cluster ADD COLUMN IF NOT EXISTS scope LowCardinality(String) DEFAULT 'admin' AFTER key_prefix;

-- On a cluster the Distributed table needs the column too; on one node this names the same
-- table again and IF NOT EXISTS makes it a no-op.
ALTER TABLE api_keys ON CLUSTER costscope_cluster ADD COLUMN IF NOT EXISTS scope LowCardinality(String) DEFAULT 'admin' AFTER key_prefix;

-- The key the operator chose (COSTSCOPE_API_KEY) was listed by its first 7 characters; a chosen
-- key may be a secret reused elsewhere, so it is now shown only by the start of its hash.
ALTER TABLE api_keys_local ON CLUSTER costscope_cluster UPDATE key_prefix = concat('sha256:', substring(key_hash, 1, 8))
WHERE name = 'COSTSCOPE_API_KEY' AND NOT startsWith(key_prefix, 'sha256:');

-- 0008_reprice_jobs
-- Re-pricing jobs (POST /api/v1/prices/reprice): one row per job, rewritten as it progresses, so
-- any API process can answer GET /api/v1/prices/reprice/<jobId> whichever process runs the job.
-- ReplacingMergeTree keeps the highest `revision`; reads take the newest row per job
-- (`LIMIT 1 BY`). A job's record is of no use once its calls have left the raw retention, so it
-- is kept as long as they are (migrate.ts updates the TTL when COSTSCOPE_RETENTION_DAYS changes).
CREATE TABLE IF NOT EXISTS reprice_jobs_local ON CLUSTER costscope_cluster
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', revision)
ORDER BY (project_id, job_id)
TTL toDateTime(created_at) + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS reprice_jobs ON CLUSTER costscope_cluster AS reprice_jobs_local
ENGINE = Distributed(costscope_cluster, costscope, reprice_jobs_local, cityHash64(project_id));

-- 0009_sealed_rollups
-- Exactly-once with several writers. The dedup view of 0001/0006 checks what is stored, so two
-- inserts carrying the same span at the same moment (two ingest processes, or ClickHouse's
-- async inserts squashing them into one block) both pass it: raw rows heal at merge (FINAL
-- reads them once), but rollups filled by a view on llm_calls would keep the span twice. So
-- rollups are no longer filled on insert: a sealer rebuilds an hour's rollup rows from the
-- deduplicated calls (`llm_calls FINAL`) and records how many raw rows the hour had when it read
-- them. Readers use an hour's sealed rows only while that count still holds; any other hour is
-- read from `llm_calls FINAL`. See docs/scaling.md.

-- Raw rows written per hour, duplicates included: only ever grows (until TTL), so a seal that
-- recorded a smaller number is out of date. Filled in the same INSERT as llm_calls, before the
-- INSERT is acknowledged.
CREATE TABLE IF NOT EXISTS llm_call_hour_counts_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    rows UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour)
TTL hour + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS llm_call_hour_counts ON CLUSTER costscope_cluster AS llm_call_hour_counts_local
ENGINE = Distributed(costscope_cluster, costscope, llm_call_hour_counts_local, cityHash64(project_id));

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_call_hour_counts_mv_local ON CLUSTER costscope_cluster
TO llm_call_hour_counts_local
AS SELECT project_id, toStartOfHour(time) AS hour, count() AS rows
FROM llm_calls_local
GROUP BY project_id, hour;

-- The rows stored before this migration. Counted twice when two processes migrate at once, or
-- when an insert lands between the view above and this statement: harmless, a count is only
-- ever compared with the count a seal read.
INSERT INTO llm_call_hour_counts
SELECT project_id, toStartOfHour(time), count()
FROM llm_calls
GROUP BY project_id, toStartOfHour(time);

-- Sealed hourly rollups: the same keys and figures as llm_calls_hourly, each row tagged with
-- its seal's version. A re-seal writes the whole hour again under a higher version; readers take
-- only the rows of the version the hour's seal names. A plain MergeTree, not a Replacing one: a
-- merge must never replace a version a seal names by a newer one whose seal was never written (a
-- sealer that stopped half-way). Superseded versions stay until the TTL (an hour is sealed again
-- only when calls arrive late for it or it is re-priced).
CREATE TABLE IF NOT EXISTS llm_calls_hourly_sealed_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    service LowCardinality(String),
    feature LowCardinality(String),
    endpoint LowCardinality(String),
    model LowCardinality(String),
    provider LowCardinality(String),
    user_tier LowCardinality(String),
    status LowCardinality(String),
    cost_usd Decimal(38, 18),
    error_cost_usd Decimal(38, 18),
    retry_cost_usd Decimal(38, 18),
    requests UInt64,
    errors UInt64,
    retries UInt64,
    unpriced_requests UInt64,
    input_tokens UInt64,
    cached_input_tokens UInt64,
    cache_write_input_tokens UInt64,
    output_tokens UInt64,
    reasoning_tokens UInt64,
    version UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, version, feature, endpoint, model, provider, user_tier, service, status)
TTL hour + INTERVAL 760 DAY;

CREATE TABLE IF NOT EXISTS llm_calls_hourly_sealed ON CLUSTER costscope_cluster AS llm_calls_hourly_sealed_local
ENGINE = Distributed(costscope_cluster, costscope, llm_calls_hourly_sealed_local, cityHash64(project_id));

-- One row per seal of an hour: the raw rows counted before the hour was read. The newest
-- version is the hour's seal; it answers for the hour while the count still matches, or once
-- the raw rows and their counts have aged out (rollups outlive raw calls).
CREATE TABLE IF NOT EXISTS llm_call_hour_seals_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    version UInt64,
    rows_seen UInt64,
    sealed_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour)
TTL hour + INTERVAL 760 DAY;

CREATE TABLE IF NOT EXISTS llm_call_hour_seals ON CLUSTER costscope_cluster AS llm_call_hour_seals_local
ENGINE = Distributed(costscope_cluster, costscope, llm_call_hour_seals_local, cityHash64(project_id));

-- The rollups made before this migration stay in llm_calls_hourly and answer as version-0 seals
-- that count 0 rows: an hour whose raw calls are still stored is read from them (and sealed
-- afresh); an hour whose calls have aged out is read from llm_calls_hourly. Recorded twice (two
-- processes migrating) they collapse: same hour, same version.
INSERT INTO llm_call_hour_seals
SELECT project_id, hour, 0, 0, now64(3)
FROM llm_calls_hourly
GROUP BY project_id, hour;

-- No view fills llm_calls_hourly any more: it keeps the rollups made before this migration, read
-- only for hours whose calls have aged out. (An insert landing before this statement is counted
-- there too, in an hour whose calls are stored: that hour is read from its calls.)
DROP VIEW IF EXISTS llm_calls_hourly_mv_local ON CLUSTER costscope_cluster;

-- 0010_scheduler_on_every_node
-- The scheduler's lease and outbox (0005) on a cluster: there they were sharded tables behind
-- Distributed ones, so a claim could be queued on one node while its read-back ran on another,
-- and the deduplication the lease relies on was the non-replicated window. These tables live
-- whole on every node, in one replication group across all shards (the ENGINE_ALL_NODES placeholder):
-- a claim deduplicates through Keeper (`replicated_deduplication_window`) whichever node takes
-- it, and the storage code writes them with `insert_quorum` and reads them with
-- `select_sequential_consistency`, so a read sees every acknowledged write. On one node they are
-- the same tables as before under new names.

-- One claim per evaluation term; see 0005. The first block with the token `name:term` is kept.
CREATE TABLE IF NOT EXISTS alert_lease_claims ON CLUSTER costscope_cluster
(
    name LowCardinality(String),
    term UInt64,
    holder String,
    claimed_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}')
ORDER BY (name, term)
SETTINGS replicated_deduplication_window = 1000;

-- The outbox; see 0005.
CREATE TABLE IF NOT EXISTS alert_outbox ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    delivery_key String,
    kind LowCardinality(String),
    status LowCardinality(String),
    revision UInt32,
    payload_json String,
    outcomes_json String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}', revision)
ORDER BY (project_id, delivery_key);

-- Messages an earlier release left unfinished are finished from the new outbox. Copied twice
-- (two processes migrating) they collapse: same key, same revision.
INSERT INTO alert_outbox
SELECT project_id, delivery_key, kind, status, revision, payload_json, outcomes_json, created_at, updated_at
FROM alert_messages FINAL;

-- 0011_daily_rollups
-- A daily tier over the sealed hourly rollups (0009). On varied traffic an hour holds few calls
-- per combination of the nine dimensions, so hourly rows are nearly as many as calls; a UTC day
-- folds 24 of them and answers a 30-day read from 30 rows per combination. Sealed the same way
-- as hours (docs/data-model.md, "Rollups"): a day's rows are rebuilt from the deduplicated calls
-- under a new version, and its seal records the raw rows its hours had. A reader takes a day from
-- its sealed rows only while that count holds and no hour of the day was sealed after it (a
-- re-price rewrites hours without changing their counts); any other day is read hour by hour.

-- The same keys and figures as llm_calls_hourly_sealed; `day` is the start of a UTC day.
CREATE TABLE IF NOT EXISTS llm_calls_daily_sealed_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    day DateTime('UTC'),
    service LowCardinality(String),
    feature LowCardinality(String),
    endpoint LowCardinality(String),
    model LowCardinality(String),
    provider LowCardinality(String),
    user_tier LowCardinality(String),
    status LowCardinality(String),
    cost_usd Decimal(38, 18),
    error_cost_usd Decimal(38, 18),
    retry_cost_usd Decimal(38, 18),
    requests UInt64,
    errors UInt64,
    retries UInt64,
    unpriced_requests UInt64,
    input_tokens UInt64,
    cached_input_tokens UInt64,
    cache_write_input_tokens UInt64,
    output_tokens UInt64,
    reasoning_tokens UInt64,
    version UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, day, version, feature, endpoint, model, provider, user_tier, service, status)
TTL day + INTERVAL 760 DAY;

CREATE TABLE IF NOT EXISTS llm_calls_daily_sealed ON CLUSTER costscope_cluster AS llm_calls_daily_sealed_local
ENGINE = Distributed(costscope_cluster, costscope, llm_calls_daily_sealed_local, cityHash64(project_id));

-- One row per seal of a day: the raw rows its hours counted before the day was read. The newest
-- version is the day's seal.
CREATE TABLE IF NOT EXISTS llm_call_day_seals_local ON CLUSTER costscope_cluster
(
    project_id LowCardinality(String),
    day DateTime('UTC'),
    version UInt64,
    rows_seen UInt64,
    sealed_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, day)
TTL day + INTERVAL 760 DAY;

CREATE TABLE IF NOT EXISTS llm_call_day_seals ON CLUSTER costscope_cluster AS llm_call_day_seals_local
ENGINE = Distributed(costscope_cluster, costscope, llm_call_day_seals_local, cityHash64(project_id));
