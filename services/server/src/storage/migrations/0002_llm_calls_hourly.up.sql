-- Hourly rollups, filled by a materialized view on llm_calls. The view sees only rows that got
-- past the dedup view, so a resent span never reaches a rollup. SummingMergeTree adds rows with
-- the same key on merge; reads always sum() and group, so they never need FINAL.
-- Kept longer than raw calls (at least 760 days, see migrate.ts): month and year views outlive them.
CREATE TABLE IF NOT EXISTS llm_calls_hourly{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:SummingMergeTree}}
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, feature, endpoint, model, provider, user_tier, service, status)
TTL hour + INTERVAL {{ROLLUP_RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_calls_hourly BY cityHash64(project_id)}};

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_calls_hourly_mv{{LOCAL}} {{ON_CLUSTER}}
TO llm_calls_hourly{{LOCAL}}
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
FROM llm_calls{{LOCAL}}
GROUP BY project_id, hour, service, feature, endpoint, model, provider, user_tier, status;
