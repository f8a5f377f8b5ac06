-- A daily tier over the sealed hourly rollups (0009). On varied traffic an hour holds few calls
-- per combination of the nine dimensions, so hourly rows are nearly as many as calls; a UTC day
-- folds 24 of them and answers a 30-day read from 30 rows per combination. Sealed the same way
-- as hours (docs/data-model.md, "Rollups"): a day's rows are rebuilt from the deduplicated calls
-- under a new version, and its seal records the raw rows its hours had. A reader takes a day from
-- its sealed rows only while that count holds and no hour of the day was sealed after it (a
-- re-price rewrites hours without changing their counts); any other day is read hour by hour.

-- The same keys and figures as llm_calls_hourly_sealed; `day` is the start of a UTC day.
CREATE TABLE IF NOT EXISTS llm_calls_daily_sealed{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:MergeTree}}
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, day, version, feature, endpoint, model, provider, user_tier, service, status)
TTL day + INTERVAL {{ROLLUP_RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_calls_daily_sealed BY cityHash64(project_id)}};

-- One row per seal of a day: the raw rows its hours counted before the day was read. The newest
-- version is the day's seal.
CREATE TABLE IF NOT EXISTS llm_call_day_seals{{LOCAL}} {{ON_CLUSTER}}
(
    project_id LowCardinality(String),
    day DateTime('UTC'),
    version UInt64,
    rows_seen UInt64,
    sealed_at DateTime64(3, 'UTC')
)
ENGINE = {{ENGINE:ReplacingMergeTree(version)}}
PARTITION BY toYYYYMM(day)
ORDER BY (project_id, day)
TTL day + INTERVAL {{ROLLUP_RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_call_day_seals BY cityHash64(project_id)}};
