-- Settings (allocations, rules, channels, price overrides) as versioned JSON per project and
-- kind. Every write is a new version; the newest one is the setting, older ones are history.
CREATE TABLE IF NOT EXISTS project_settings{{LOCAL}} {{ON_CLUSTER}}
(
    project_id LowCardinality(String),
    kind LowCardinality(String),
    version UInt64,
    value_json String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = {{ENGINE:ReplacingMergeTree}}
ORDER BY (project_id, kind, version);

{{DISTRIBUTED project_settings BY cityHash64(project_id)}};

-- API keys: only the SHA-256 of a key is stored. Revoking writes a newer version of the row.
CREATE TABLE IF NOT EXISTS api_keys{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:ReplacingMergeTree(updated_at)}}
ORDER BY (key_hash);

{{DISTRIBUTED api_keys BY cityHash64(key_hash)}};
