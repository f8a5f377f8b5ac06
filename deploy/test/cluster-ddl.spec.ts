/**
 * The migrations rendered for the cluster deploy/k8s defines (the same rendering the server runs
 * at start with COSTSCOPE_CLICKHOUSE_CLUSTER set), checked against what the Altinity operator
 * gives each ClickHouse host: the macros it writes ({installation}, {cluster}, {shard},
 * {replica}) and the cluster in remote_servers. ClickHouse itself expands {database} and {table}.
 */
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { listMigrations, renderMigration } from '../../services/server/src/storage/migrate.js';
import { k8sObject, k8sObjects } from './support/deploy-files.js';

const OPERATOR_MACROS = ['installation', 'cluster', 'shard', 'replica'];
const CLICKHOUSE_MACROS = ['database', 'table'];

const settings = k8sObject('ConfigMap', 'costscope-settings').data ?? {};
const installation = k8sObjects().find((object) => object.kind === 'ClickHouseInstallation') as unknown as {
  spec: { configuration: { clusters: Array<{ name: string }> } };
};
const cluster = settings.COSTSCOPE_CLICKHOUSE_CLUSTER ?? '';
const database = settings.CLICKHOUSE_DATABASE ?? '';

const statements = listMigrations().flatMap((migration) =>
  renderMigration(migration.sql, { cluster, database, retentionDays: Number(settings.COSTSCOPE_RETENTION_DAYS ?? 90) }).map((sql) => ({
    migration: `${String(migration.version).padStart(4, '0')}_${migration.name}`,
    // Comments may name anything; only the SQL reaches ClickHouse.
    sql: sql
      .split('\n')
      .filter((line) => !line.trim().startsWith('--'))
      .join('\n')
      .trim(),
  })),
);
const created = statements.flatMap(({ migration, sql }) => {
  const match = /^CREATE (TABLE|MATERIALIZED VIEW) IF NOT EXISTS (\w+)/.exec(sql);
  return match ? [{ migration, kind: match[1] as string, name: match[2] as string, sql }] : [];
});
const tables = created.filter((statement) => statement.kind === 'TABLE');
const engineOf = (sql: string) => /\bENGINE = (\w+)(?:\(([^)]*)\))?/.exec(sql);

describe('the migrations on the deploy/k8s cluster', () => {
  it('render for the cluster the ClickHouse installation defines', () => {
    expect(installation.spec.configuration.clusters.map((candidate) => candidate.name)).toEqual([cluster]);
    expect(tables.length).toBeGreaterThan(10);
  });

  it('use only macros the operator and ClickHouse provide', () => {
    const used = new Set(statements.flatMap(({ sql }) => [...sql.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string)));
    expect([...used].filter((macro) => ![...OPERATOR_MACROS, ...CLICKHOUSE_MACROS].includes(macro))).toEqual([]);
    expect([...used]).toEqual(expect.arrayContaining(['shard', 'replica']));
  });

  it('run every CREATE and ALTER on the whole cluster, the one named in the settings', () => {
    for (const { migration, sql } of statements.filter((statement) => /^(CREATE|ALTER)\b/.test(statement.sql))) {
      const onCluster = [...sql.matchAll(/\bON CLUSTER (\S+)/g)].map((match) => match[1]);
      expect({ migration, statement: sql.split('\n')[0], onCluster }).toEqual({ migration, statement: sql.split('\n')[0], onCluster: [cluster] });
    }
  });

  it('keep every stored table Replicated, each host with its own replica in one Keeper path per table', () => {
    for (const table of tables) {
      const [, engine = '', args = ''] = engineOf(table.sql) ?? [];
      if (engine === 'Distributed' || engine === 'Null') continue;
      expect({ table: table.name, engine }).toEqual({ table: table.name, engine: expect.stringMatching(/^Replicated\w*MergeTree$/) });
      const [path = '', replica = ''] = args.split(',').map((arg) => arg.trim());
      // {table} and {database} keep two tables apart in Keeper.
      expect({ table: table.name, path }).toEqual({ table: table.name, path: expect.stringMatching(/^'\/clickhouse\/tables\/.*\{database\}\/\{table\}'$/) });
      // The replicas of one path must have distinct names: a table per shard ({shard} in the
      // path) names them by {replica}; a table whole on every node (one path for all shards)
      // needs {shard} in the name too, since {replica} is unique only within a shard.
      expect({ table: table.name, replica }).toEqual({ table: table.name, replica: expect.stringContaining('{replica}') });
      expect({ table: table.name, shardInPathOrName: path.includes('{shard}') || replica.includes('{shard}') }).toEqual({ table: table.name, shardInPathOrName: true });
    }
  });

  it('put each Distributed table over a local table on the same cluster and database', () => {
    const names = new Set(created.map((statement) => statement.name));
    const distributed = tables.filter((table) => engineOf(table.sql)?.[1] === 'Distributed');
    expect(distributed.length).toBeGreaterThan(5);
    for (const table of distributed) {
      const [clusterArg, databaseArg, localTable] = (engineOf(table.sql)?.[2] ?? '').split(',').map((arg) => arg.trim());
      expect({ table: table.name, clusterArg, databaseArg }).toEqual({ table: table.name, clusterArg: cluster, databaseArg: database });
      expect(names.has(localTable ?? '')).toBe(true);
      expect(localTable).toBe(`${table.name}_local`);
    }
  });

  it('feed materialized views into local tables the migrations create', () => {
    const names = new Set(tables.map((table) => table.name));
    for (const view of created.filter((statement) => statement.kind === 'MATERIALIZED VIEW')) {
      const target = /\bTO (\w+)/.exec(view.sql)?.[1] ?? '';
      expect({ view: view.name, target, known: names.has(target) }).toEqual({ view: view.name, target: expect.stringMatching(/_local$/), known: true });
    }
  });
});
