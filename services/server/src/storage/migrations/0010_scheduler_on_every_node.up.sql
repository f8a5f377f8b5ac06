-- The scheduler's lease and outbox (0005) on a cluster: there they were sharded tables behind
-- Distributed ones, so a claim could be queued on one node while its read-back ran on another,
-- and the deduplication the lease relies on was the non-replicated window. These tables live
-- whole on every node, in one replication group across all shards (the ENGINE_ALL_NODES placeholder):
-- a claim deduplicates through Keeper (`replicated_deduplication_window`) whichever node takes
-- it, and the storage code writes them with `insert_quorum` and reads them with
-- `select_sequential_consistency`, so a read sees every acknowledged write. On one node they are
-- the same tables as before under new names.

-- One claim per evaluation term; see 0005. The first block with the token `name:term` is kept.
CREATE TABLE IF NOT EXISTS alert_lease_claims {{ON_CLUSTER}}
(
    name LowCardinality(String),
    term UInt64,
    holder String,
    claimed_at DateTime64(3, 'UTC')
)
ENGINE = {{ENGINE_ALL_NODES:MergeTree}}
ORDER BY (name, term)
SETTINGS {{DEDUPLICATION_WINDOW}} = 1000;

-- The outbox; see 0005.
CREATE TABLE IF NOT EXISTS alert_outbox {{ON_CLUSTER}}
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
ENGINE = {{ENGINE_ALL_NODES:ReplacingMergeTree(revision)}}
ORDER BY (project_id, delivery_key);

-- Messages an earlier release left unfinished are finished from the new outbox. Copied twice
-- (two processes migrating) they collapse: same key, same revision.
INSERT INTO alert_outbox
SELECT project_id, delivery_key, kind, status, revision, payload_json, outcomes_json, created_at, updated_at
FROM alert_messages FINAL;
