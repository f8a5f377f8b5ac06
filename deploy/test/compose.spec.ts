/**
 * deploy/compose.yaml as Compose would read it: the official ClickHouse image, health checks on
 * the server's own probe paths, start order on health, volumes for every data directory, ports on
 * loopback unless asked, and secrets that `node deploy/make-secrets.mjs` writes.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { parseSecretKey } from '../../services/server/src/config/secret-key.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadServerConfig } from '../../services/server/src/config/server-config.js';
import { COMPOSE_SECRETS, makeSecrets } from '../make-secrets.mjs';
import { composeFile, composeServiceEnv, interpolate, packageVersion } from './support/deploy-files.js';

const compose = composeFile();
const SERVER_PORT = loadServerConfig({}).port;

describe('deploy/compose.yaml', () => {
  it('runs ClickHouse from the official image, ingest + API, the scheduler and the dashboard', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['clickhouse', 'dashboard', 'ingest-api', 'scheduler']);
    expect(compose.services.clickhouse?.image).toMatch(/^clickhouse\/clickhouse-server:\d+\.\d+/);
    expect(compose.services['ingest-api']?.image).toBe(`costscope/server:${packageVersion('services/server')}`);
    expect(compose.services.scheduler?.image).toBe(`costscope/server:${packageVersion('services/server')}`);
    expect(compose.services.dashboard?.image).toBe(`costscope/dashboard:${packageVersion('dashboard')}`);
  });

  it('checks each Costscope service on its own readiness path and starts it once what it needs is healthy', () => {
    const probe = (name: string) => /fetch\('([^']+)'\)/.exec(compose.services[name]?.healthcheck?.test.join(' ') ?? '')?.[1];
    expect(probe('ingest-api')).toBe(`http://127.0.0.1:${SERVER_PORT}/readyz`);
    expect(probe('scheduler')).toBe(`http://127.0.0.1:${SERVER_PORT}/readyz?role=scheduler`);
    expect(probe('dashboard')).toBe('http://127.0.0.1:3000/login');
    expect(compose.services.clickhouse?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8123/ping');
    expect(compose.services['ingest-api']?.depends_on).toEqual({ clickhouse: { condition: 'service_healthy' } });
    expect(compose.services.scheduler?.depends_on).toEqual({ clickhouse: { condition: 'service_healthy' } });
    expect(compose.services.dashboard?.depends_on).toEqual({ 'ingest-api': { condition: 'service_healthy' } });
  });

  it('points the servers at the ClickHouse service and the dashboard at the API service', () => {
    const secretsDir = mkdtempSync(path.join(tmpdir(), 'costscope-compose-'));
    try {
      makeSecrets(secretsDir);
      const server = composeServiceEnv(compose.services['ingest-api'] ?? {}, secretsDir);
      expect(new URL(server.CLICKHOUSE_URL ?? '').hostname).toBe('clickhouse');
      expect(server.CLICKHOUSE_USER).toBe(compose.services.clickhouse?.environment?.CLICKHOUSE_USER);
      expect(server.CLICKHOUSE_DATABASE).toBe(compose.services.clickhouse?.environment?.CLICKHOUSE_DB);
      const dashboard = composeServiceEnv(compose.services.dashboard ?? {}, secretsDir);
      expect(dashboard.COSTSCOPE_SERVER_URL).toBe(`http://ingest-api:${SERVER_PORT}`);
    } finally {
      rmSync(secretsDir, { recursive: true, force: true });
    }
  });

  it('keeps every data directory on a named volume', () => {
    const mounts = (name: string) => compose.services[name]?.volumes ?? [];
    expect(mounts('clickhouse')).toEqual(['clickhouse-data:/var/lib/clickhouse']);
    expect(mounts('ingest-api')).toEqual(['ingest-data:/var/lib/costscope']);
    expect(mounts('scheduler')).toEqual(['scheduler-data:/var/lib/costscope']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['clickhouse-data', 'ingest-data', 'scheduler-data']);
  });

  it('publishes only the server and the dashboard, on loopback unless COSTSCOPE_BIND says otherwise', () => {
    const published = Object.fromEntries(Object.entries(compose.services).map(([name, service]) => [name, (service.ports ?? []).map(interpolate)]));
    expect(published).toEqual({
      clickhouse: [],
      'ingest-api': [`127.0.0.1:${SERVER_PORT}:${SERVER_PORT}`],
      scheduler: [],
      dashboard: ['127.0.0.1:3000:3000'],
    });
  });

  it('declares every secret a service mounts, each a file make-secrets writes', () => {
    const mounted = new Set(Object.values(compose.services).flatMap((service) => service.secrets ?? []));
    expect([...mounted].sort()).toEqual(Object.keys(compose.secrets).sort());
    expect(Object.keys(COMPOSE_SECRETS).sort()).toEqual(Object.keys(compose.secrets).sort());
    for (const [name, secret] of Object.entries(compose.secrets)) expect(secret.file).toBe(`./secrets/${name}`);
  });
});

describe('make-secrets.mjs', () => {
  it('writes every secret once, in a directory only its owner enters, and keeps them on a second run', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'costscope-secrets-')), 'secrets');
    try {
      expect(makeSecrets(dir).sort()).toEqual(Object.keys(COMPOSE_SECRETS).sort());
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const before = Object.fromEntries(readdirSync(dir).map((file) => [file, statSync(path.join(dir, file)).mtimeMs]));
      expect(makeSecrets(dir)).toEqual([]);
      expect(Object.fromEntries(readdirSync(dir).map((file) => [file, statSync(path.join(dir, file)).mtimeMs]))).toEqual(before);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('makes values the server accepts: an API key and a 32-byte secret key', () => {
    const key = COMPOSE_SECRETS.costscope_api_key();
    expect(key).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(parseSecretKey(COMPOSE_SECRETS.costscope_secret_key())?.length).toBe(32);
    expect(COMPOSE_SECRETS.costscope_api_key()).not.toBe(key);
  });
});
