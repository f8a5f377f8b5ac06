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
CREATE TABLE IF NOT EXISTS llm_call_hour_counts{{LOCAL}} {{ON_CLUSTER}}
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    rows UInt64
)
ENGINE = {{ENGINE:SummingMergeTree}}
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour)
TTL hour + INTERVAL {{RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_call_hour_counts BY cityHash64(project_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_call_hour_counts_mv{{LOCAL}} {{ON_CLUSTER}}
TO llm_call_hour_counts{{LOCAL}}
AS SELECT project_id, toStartOfHour(time) AS hour, count() AS rows
FROM llm_calls{{LOCAL}}
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
CREATE TABLE IF NOT EXISTS llm_calls_hourly_sealed{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:MergeTree}}
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, version, feature, endpoint, model, provider, user_tier, service, status)
TTL hour + INTERVAL {{ROLLUP_RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_calls_hourly_sealed BY cityHash64(project_id)}};

-- One row per seal of an hour: the raw rows counted before the hour was read. The newest
-- version is the hour's seal; it answers for the hour while the count still matches, or once
-- the raw rows and their counts have aged out (rollups outlive raw calls).
CREATE TABLE IF NOT EXISTS llm_call_hour_seals{{LOCAL}} {{ON_CLUSTER}}
(
    project_id LowCardinality(String),
    hour DateTime('UTC'),
    version UInt64,
    rows_seen UInt64,
    sealed_at DateTime64(3, 'UTC')
)
ENGINE = {{ENGINE:ReplacingMergeTree(version)}}
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour)
TTL hour + INTERVAL {{ROLLUP_RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_call_hour_seals BY cityHash64(project_id)}};

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
DROP VIEW IF EXISTS llm_calls_hourly_mv{{LOCAL}} {{ON_CLUSTER}};
