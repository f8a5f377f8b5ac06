-- One row per LLM call. The double-brace placeholders are rendered by migrate.ts: on one node they vanish,
-- with COSTSCOPE_CLICKHOUSE_CLUSTER they give ON CLUSTER DDL, Replicated* engines, `_local`
-- tables and Distributed tables in front of them.
--
-- ReplacingMergeTree with (trace_id, span_id) at the end of the sort key is a backstop only:
-- exactly-once totals come from the dedup view below, which never lets a resent span in.
CREATE TABLE IF NOT EXISTS llm_calls{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:ReplacingMergeTree}}
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, toStartOfHour(time), feature, trace_id, span_id)
TTL toDateTime(time) + INTERVAL {{RETENTION_DAYS}} DAY;

{{DISTRIBUTED llm_calls BY cityHash64(project_id)}};

-- The only table the ingest writes to. A Null table stores nothing: the view below reads each
-- inserted block and forwards to llm_calls only the calls not already there.
CREATE TABLE IF NOT EXISTS llm_calls_incoming{{LOCAL}} {{ON_CLUSTER}}
AS llm_calls{{LOCAL}}
ENGINE = Null;

{{DISTRIBUTED llm_calls_incoming BY cityHash64(project_id)}};

-- Exactly-once: inside a materialized view, `llm_calls_incoming` names the block being inserted,
-- so this keeps the block's calls whose (project, trace, span) is not yet stored, looking only
-- at the block's projects and time range (a resend carries the same start time).
CREATE MATERIALIZED VIEW IF NOT EXISTS llm_calls_dedup_mv{{LOCAL}} {{ON_CLUSTER}}
TO llm_calls{{LOCAL}}
AS SELECT
    project_id, time, trace_id, span_id, service, feature, endpoint, user_id, user_tier, priority,
    provider, request_model, response_model, operation, input_tokens, cache_read_input_tokens,
    cache_write_input_tokens, output_tokens, reasoning_tokens, cost_status, priced_model,
    price_version, fresh_input_cost_usd, cache_read_cost_usd, cache_write_cost_usd,
    output_cost_usd, total_cost_usd, status, error_type, attempt, batch, max_tokens,
    finish_reason, prompt_prefix_hash, latency_ms, time_to_first_token_ms, attributes
FROM llm_calls_incoming{{LOCAL}}
WHERE (project_id, trace_id, span_id) NOT IN (
    SELECT project_id, trace_id, span_id
    FROM llm_calls{{LOCAL}}
    WHERE project_id IN (SELECT DISTINCT project_id FROM llm_calls_incoming{{LOCAL}})
      AND time >= (SELECT min(time) FROM llm_calls_incoming{{LOCAL}})
      AND time <= (SELECT max(time) FROM llm_calls_incoming{{LOCAL}})
);
