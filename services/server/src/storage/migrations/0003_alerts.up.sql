-- Alert episodes: one row per (project, episode), rewritten as it changes. ReplacingMergeTree
-- keeps the newest `updated_at`; reads pick the newest version with `FINAL`, cheap because
-- these tables stay small (episodes, not calls).
CREATE TABLE IF NOT EXISTS alert_episodes{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:ReplacingMergeTree(updated_at)}}
ORDER BY (project_id, episode_id);

{{DISTRIBUTED alert_episodes BY cityHash64(project_id)}};

-- One row per delivery attempt of an episode's message to a channel, rewritten as it progresses.
CREATE TABLE IF NOT EXISTS alert_deliveries{{LOCAL}} {{ON_CLUSTER}}
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
ENGINE = {{ENGINE:ReplacingMergeTree(updated_at)}}
ORDER BY (project_id, episode_id, delivery_id);

{{DISTRIBUTED alert_deliveries BY cityHash64(project_id)}};
