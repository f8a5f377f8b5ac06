-- The alert scheduler's own state (issue 6), beside the episodes and deliveries of 0003.

-- One claim per evaluation term: the scheduler process whose claim is stored evaluates that term.
-- ClickHouse has no compare-and-set, but it drops a second insert carrying the same
-- `insert_deduplication_token`, so of several processes claiming one term exactly one row is kept
-- (first writer wins) and every claimant reads back the same holder. The deduplication window
-- must hold more terms than can be claimed concurrently; 1,000 is days of 5-minute terms. No TTL:
-- a row per term is small, and a TTL would drop claims made under a clock set in the past.
CREATE TABLE IF NOT EXISTS alert_leases{{LOCAL}} {{ON_CLUSTER}}
(
    name LowCardinality(String),
    term UInt64,
    holder String,
    claimed_at DateTime64(3, 'UTC')
)
ENGINE = {{ENGINE:MergeTree}}
ORDER BY (name, term)
SETTINGS non_replicated_deduplication_window = 1000;

{{DISTRIBUTED alert_leases BY cityHash64(name)}};

-- The outbox: each message (an alert group or a weekly review) is stored before it is sent, with
-- what it says and the episode states it commits, then rewritten as its deliveries finish. A
-- scheduler that restarts finishes what is still `pending` under the same delivery key instead of
-- evaluating afresh, so a message is neither lost nor sent twice. `revision` orders the versions:
-- the state machine only moves forward (prepared 1 → pending 2 → done 3, retries as 2 + n).
CREATE TABLE IF NOT EXISTS alert_messages{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:ReplacingMergeTree(revision)}}
ORDER BY (project_id, delivery_key);

{{DISTRIBUTED alert_messages BY cityHash64(project_id)}};
