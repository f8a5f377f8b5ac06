import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_ROLLUP_RETENTION_DAYS, migrate, tableRetentions, ttlDaysOf } from '../../src/storage/migrate.js';
import type { ClickHouseTransport, Statement } from '../../src/storage/transport.js';
import { SCHEMA, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

describe('reading a TTL back from ClickHouse', () => {
  it('finds the days whichever way they are written, and none without a TTL', () => {
    expect(ttlDaysOf('CREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x TTL hour + toIntervalDay(30) SETTINGS index_granularity = 256')).toBe(30);
    expect(ttlDaysOf('CREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x TTL hour + INTERVAL 45 DAY')).toBe(45);
    expect(ttlDaysOf('CREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS index_granularity = 8192')).toBeUndefined();
  });
});

describe.each(factories)('COSTSCOPE_RETENTION_DAYS through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  /** Each table's TTL in days, as ClickHouse now holds it. */
  async function ttlDays(): Promise<Record<string, number | undefined>> {
    const rows = await transport.query<{ name: string; create_table_query: string }>({
      sql: "SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() AND create_table_query LIKE '% TTL %' ORDER BY name",
      tag: { operation: 'test' },
    });
    return Object.fromEntries(rows.map((row) => [row.name, ttlDaysOf(row.create_table_query)]));
  }

  /** The real transport, noting every statement it runs. */
  function recording(commands: string[]): ClickHouseTransport {
    return {
      ...transport,
      kind: transport.kind,
      query: <Row>(statement: Statement) => transport.query<Row>(statement),
      command: (statement: Statement) => {
        commands.push(statement.sql);
        return transport.command(statement);
      },
    };
  }

  it('knows every table that has a TTL', async () => {
    const known = tableRetentions(90).map((retention) => retention.table);
    expect(Object.keys(await ttlDays()).sort()).toEqual([...known].sort());
  });

  it('moves every table’s TTL, the dedup keys’ and the job records’ included, from 90 days to 30', async () => {
    await migrate(transport, { ...SCHEMA, retentionDays: 90 });
    expect(await ttlDays()).toEqual({ llm_calls: 90, llm_call_keys: 90, llm_call_hour_counts: 90, llm_calls_hourly: MIN_ROLLUP_RETENTION_DAYS, llm_calls_hourly_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_hour_seals: MIN_ROLLUP_RETENTION_DAYS, llm_calls_daily_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_day_seals: MIN_ROLLUP_RETENTION_DAYS, reprice_jobs: 90 });

    await migrate(transport, { ...SCHEMA, retentionDays: 30 });
    expect(await ttlDays()).toEqual({ llm_calls: 30, llm_call_keys: 30, llm_call_hour_counts: 30, llm_calls_hourly: MIN_ROLLUP_RETENTION_DAYS, llm_calls_hourly_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_hour_seals: MIN_ROLLUP_RETENTION_DAYS, llm_calls_daily_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_day_seals: MIN_ROLLUP_RETENTION_DAYS, reprice_jobs: 30 });
  });

  it('keeps hourly rollups longer than raw calls only up to the retention itself', async () => {
    await migrate(transport, { ...SCHEMA, retentionDays: 800 });
    expect(await ttlDays()).toEqual({ llm_calls: 800, llm_call_keys: 800, llm_call_hour_counts: 800, llm_calls_hourly: 800, llm_calls_hourly_sealed: 800, llm_call_hour_seals: 800, llm_calls_daily_sealed: 800, llm_call_day_seals: 800, reprice_jobs: 800 });
  });

  it('changes nothing when run again with the same retention', async () => {
    await migrate(transport, { ...SCHEMA, retentionDays: 30 });
    const commands: string[] = [];
    await migrate(recording(commands), { ...SCHEMA, retentionDays: 30 });
    // A TTL change rewrites the table's parts: an unchanged retention must not issue one.
    expect(commands.filter((sql) => sql.includes('MODIFY TTL'))).toEqual([]);
    expect(await ttlDays()).toEqual({ llm_calls: 30, llm_call_keys: 30, llm_call_hour_counts: 30, llm_calls_hourly: MIN_ROLLUP_RETENTION_DAYS, llm_calls_hourly_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_hour_seals: MIN_ROLLUP_RETENTION_DAYS, llm_calls_daily_sealed: MIN_ROLLUP_RETENTION_DAYS, llm_call_day_seals: MIN_ROLLUP_RETENTION_DAYS, reprice_jobs: 30 });
  });
});
