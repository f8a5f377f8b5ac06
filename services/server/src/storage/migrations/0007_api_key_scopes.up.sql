-- Key scopes (ingest | read | admin). Rows written before this migration read as `admin`: every
-- key could do everything then, and taking rights away from a key already deployed would break
-- whoever holds it. New keys are always written with their scope; the application's default is
-- `ingest`, not this column default.
ALTER TABLE api_keys{{LOCAL}} {{ON_CLUSTER}} ADD COLUMN IF NOT EXISTS scope LowCardinality(String) DEFAULT 'admin' AFTER key_prefix;

-- On a cluster the Distributed table needs the column too; on one node this names the same
-- table again and IF NOT EXISTS makes it a no-op.
ALTER TABLE api_keys {{ON_CLUSTER}} ADD COLUMN IF NOT EXISTS scope LowCardinality(String) DEFAULT 'admin' AFTER key_prefix;

-- The key the operator chose (COSTSCOPE_API_KEY) was listed by its first 7 characters; a chosen
-- key may be a secret reused elsewhere, so it is now shown only by the start of its hash.
ALTER TABLE api_keys{{LOCAL}} {{ON_CLUSTER}} UPDATE key_prefix = concat('sha256:', substring(key_hash, 1, 8))
WHERE name = 'COSTSCOPE_API_KEY' AND NOT startsWith(key_prefix, 'sha256:');
