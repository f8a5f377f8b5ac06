import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate, renderMigration } from '../../src/storage/migrate.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { SCHEMA, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

/** Renders every migration as one file, as a reviewer would read it. */
function renderAll(options: { cluster?: string; database: string; retentionDays: number }): string {
  return listMigrations()
    .map((migration) => {
      const statements = renderMigration(migration.sql, options);
      return `-- ${String(migration.version).padStart(4, '0')}_${migration.name}\n${statements.map((s) => `${s};`).join('\n\n')}\n`;
    })
    .join('\n');
}

function golden(name: string, actual: string): string {
  const path = fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
  // UPDATE_GOLDEN=1 rewrites the files after an intended schema change; review the diff.
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  return readFileSync(path, 'utf8');
}

describe('migration files', () => {
  it('are numbered NNNN_name.up.sql without gaps', () => {
    const versions = listMigrations().map((migration) => migration.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });

  it('render for a cluster with ON CLUSTER, Replicated engines and Distributed tables (golden)', () => {
    const rendered = renderAll({ cluster: 'costscope_cluster', database: 'costscope', retentionDays: 90 });
    expect(rendered).toBe(golden('cluster.sql', rendered));
    expect(rendered).toContain('ON CLUSTER costscope_cluster');
    expect(rendered).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')");
    expect(rendered).toContain('ENGINE = Distributed(costscope_cluster, costscope, llm_calls_local, cityHash64(project_id))');
    expect(rendered).not.toContain('{{');
  });

  it('render for one node with plain engines and no cluster clause (golden)', () => {
    const rendered = renderAll({ database: 'costscope', retentionDays: 90 });
    expect(rendered).toBe(golden('single-node.sql', rendered));
    const withoutComments = rendered.split('\n').filter((line) => !line.trim().startsWith('--')).join('\n');
    expect(withoutComments).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local/);
  });

  it('refuse a cluster or database name that is not a plain identifier', () => {
    const [first] = listMigrations();
    expect(() => renderMigration(first?.sql ?? '', { cluster: 'c; DROP TABLE x', database: 'costscope', retentionDays: 90 })).toThrow(/invalid cluster/);
    expect(() => renderMigration(first?.sql ?? '', { database: 'a-b', retentionDays: 90 })).toThrow(/invalid database/);
  });
});

describe.each(factories)('migrations through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  it('apply once and then find everything applied', async () => {
    const again = await migrate(transport, SCHEMA);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(listMigrations().map((m) => m.version));
    const recorded = await transport.query<{ version: number }>({ sql: 'SELECT DISTINCT version FROM costscope_migrations ORDER BY version', tag: { operation: 'test' } });
    expect(recorded.map((row) => Number(row.version))).toEqual(again.alreadyApplied);
  });

  it('are safe from two runs at the same moment on a fresh database', async () => {
    // A fresh set of tables: the same files with every table renamed, as new versions, applied
    // by two runs at once (over HTTP through two separate clients, like two server processes).
    const migrations = listMigrations().map((m) => ({
      ...m,
      version: m.version + 1000,
      sql: m.sql.replace(/\b(llm_calls|alert_episodes|alert_deliveries|project_settings|api_keys)/g, 'fresh_$1'),
    }));
    const other = factory.openAnother ? await factory.openAnother() : transport;
    const results = await Promise.all([migrate(transport, SCHEMA, migrations), migrate(other, SCHEMA, migrations)]);
    const appliedByAny = new Set(results.flatMap((r) => [...r.applied, ...r.alreadyApplied]));
    expect([...appliedByAny].sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
    const again = await migrate(transport, SCHEMA, migrations);
    expect(again.applied).toEqual([]);
    const tables = await transport.query<{ name: string }>({
      sql: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'fresh\\_%' ORDER BY name",
      tag: { operation: 'test' },
    });
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['fresh_llm_calls', 'fresh_llm_calls_hourly', 'fresh_llm_calls_incoming', 'fresh_api_keys']));
  });

  it('refuse to start when an applied migration file was edited', async () => {
    const edited = listMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
    await expect(migrate(transport, SCHEMA, edited)).rejects.toMatchObject({ name: 'CostscopeStorageError', kind: 'migration', operation: 'migrations.apply' });
  });

  it('apply a changed retention to the existing tables', async () => {
    await migrate(transport, { ...SCHEMA, retentionDays: 45 });
    const [row] = await transport.query<{ q: string }>({
      sql: "SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'llm_calls'",
      tag: { operation: 'test' },
    });
    expect(row?.q).toContain('toIntervalDay(45)');
    await migrate(transport, SCHEMA);
  });
});
