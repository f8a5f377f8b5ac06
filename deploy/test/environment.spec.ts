/**
 * Every container's environment, as Compose and Kubernetes would give it, against what the code
 * reads: the server's own settings parser must accept it (so every setting is set or defaulted
 * and every value valid), no variable is set that nothing reads, and secrets come from secret
 * stores, never written into the files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// The checks compare the deploy files with the server's own settings parser, not a copy of it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadServerConfig } from '../../services/server/src/config/server-config.js';
import { makeSecrets } from '../make-secrets.mjs';
import {
  composeFile,
  composeServiceEnv,
  dashboardEnvironmentNames,
  deployments,
  dockerEnv,
  dockerStageChain,
  dockerStages,
  k8sContainerEnv,
  k8sObjects,
  serverEnvironmentNames,
  type ComposeService,
} from './support/deploy-files.js';

const SECRET_NAME = /PASSWORD|SECRET|_KEY$|TOKEN|SMTP_URL|WEBHOOK_URL/;
const serverNames = serverEnvironmentNames();
const dashboardNames = dashboardEnvironmentNames();
const imageEnv = {
  server: dockerEnv(dockerStageChain(dockerStages(), 'server')),
  dashboard: dockerEnv(dockerStageChain(dockerStages(), 'dashboard')),
};
/** Read by Node, tsx or Next themselves rather than by Costscope's code. */
const RUNTIME_NAMES = new Set(['NODE_ENV', 'TSX_TSCONFIG_PATH', 'NEXT_TELEMETRY_DISABLED']);

const secretsDir = mkdtempSync(path.join(tmpdir(), 'costscope-deploy-secrets-'));
makeSecrets(secretsDir);
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));

const compose = composeFile();
const composeServers = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('costscope/server'));
const composeDashboards = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('costscope/dashboard'));
const k8sContainers = deployments().flatMap((deployment) =>
  deployment.spec.template.spec.containers.map((container) => ({ deployment: deployment.metadata.name, container })),
);
const k8sServers = k8sContainers.filter(({ container }) => container.image.startsWith('costscope/server'));
const k8sDashboards = k8sContainers.filter(({ container }) => container.image.startsWith('costscope/dashboard'));

describe('what the code reads', () => {
  it('finds the server and dashboard settings by scanning their sources', () => {
    // If the scan broke, every check below would pass on an empty list.
    expect([...serverNames]).toEqual(
      expect.arrayContaining(['CLICKHOUSE_URL', 'COSTSCOPE_ROLES', 'COSTSCOPE_SECRET_KEY', 'SLACK_BOT_TOKEN', 'SMTP_URL', 'COSTSCOPE_DASHBOARD_URL', 'COSTSCOPE_ENV_CHANNELS_FOR']),
    );
    expect([...dashboardNames]).toEqual(expect.arrayContaining(['COSTSCOPE_SERVER_URL', 'COSTSCOPE_ADMIN_PASSWORD', 'COSTSCOPE_SESSION_SECRET']));
  });
});

describe('server containers', () => {
  const cases = [
    ...composeServers.map(([name, service]) => ({ where: `compose ${name}`, env: { ...imageEnv.server, ...composeServiceEnv(service, secretsDir) } })),
    ...k8sServers.map(({ deployment, container }) => ({ where: `k8s ${deployment}`, env: { ...imageEnv.server, ...k8sContainerEnv(container) } })),
  ];

  it('exist in both setups', () => {
    expect(composeServers.map(([name]) => name).sort()).toEqual(['ingest-api', 'scheduler']);
    expect(k8sServers.map(({ deployment }) => deployment).sort()).toEqual(['costscope-api', 'costscope-ingest', 'costscope-scheduler']);
  });

  it.each(cases)('$where: the server accepts its settings and uses ClickHouse over HTTP', ({ env }) => {
    const config = loadServerConfig(env);
    expect(config.storage.kind).toBe('http');
    expect(config.apiKey).toBeDefined();
    // Where api and scheduler processes are apart, both must read channel secrets with one key.
    if (config.roles.includes('api') || config.roles.includes('scheduler')) expect(config.secretKey).toBeDefined();
  });

  it.each(cases)('$where: sets only variables the server reads', ({ env }) => {
    const unknown = Object.keys(env).filter((name) => !serverNames.has(name) && !RUNTIME_NAMES.has(name));
    expect(unknown).toEqual([]);
  });

  it('k8s: every server pod names the cluster the ClickHouse installation defines', () => {
    const installation = k8sObjects().find((object) => object.kind === 'ClickHouseInstallation') as unknown as {
      spec: { configuration: { clusters: Array<{ name: string }> } };
    };
    const clusters = installation.spec.configuration.clusters.map((cluster) => cluster.name);
    for (const { container } of k8sServers) {
      const config = loadServerConfig({ ...imageEnv.server, ...k8sContainerEnv(container) });
      expect(config.storage.kind === 'http' ? [config.storage.cluster] : []).toEqual(clusters);
    }
  });

  it('run the three roles between them, each role where the setup says', () => {
    const rolesOf = (env: Record<string, string>) => loadServerConfig(env).roles;
    expect(Object.fromEntries(composeServers.map(([name, service]) => [name, rolesOf({ ...imageEnv.server, ...composeServiceEnv(service, secretsDir) })]))).toEqual({
      'ingest-api': ['ingest', 'api'],
      scheduler: ['scheduler'],
    });
    expect(
      Object.fromEntries(k8sServers.map(({ deployment, container }) => [deployment, rolesOf({ ...imageEnv.server, ...k8sContainerEnv(container) })])),
    ).toEqual({ 'costscope-ingest': ['ingest'], 'costscope-api': ['api'], 'costscope-scheduler': ['scheduler'] });
  });
});

describe('dashboard containers', () => {
  const cases = [
    ...composeDashboards.map(([name, service]) => ({ where: `compose ${name}`, env: { ...imageEnv.dashboard, ...composeServiceEnv(service, secretsDir) } })),
    ...k8sDashboards.map(({ deployment, container }) => ({ where: `k8s ${deployment}`, env: { ...imageEnv.dashboard, ...k8sContainerEnv(container) } })),
  ];

  it.each(cases)('$where: has the API address, the key, the password and the session secret', ({ env }) => {
    for (const name of ['COSTSCOPE_SERVER_URL', 'COSTSCOPE_API_KEY', 'COSTSCOPE_ADMIN_PASSWORD', 'COSTSCOPE_SESSION_SECRET']) {
      expect({ name, set: (env[name] ?? '') !== '' }).toEqual({ name, set: true });
    }
  });

  it.each(cases)('$where: sets only variables the dashboard reads, and none of the server\'s secrets', ({ env }) => {
    expect(Object.keys(env).filter((name) => !dashboardNames.has(name) && !RUNTIME_NAMES.has(name))).toEqual([]);
    expect(env).not.toHaveProperty('COSTSCOPE_SECRET_KEY');
    expect(env).not.toHaveProperty('CLICKHOUSE_PASSWORD');
  });
});

describe('secrets', () => {
  const secretValued = (service: ComposeService) =>
    Object.entries(service.environment ?? {}).filter(([name]) => SECRET_NAME.test(name.replace(/_FILE$/, '')));

  it('compose: every secret arrives as a *_FILE naming a Compose secret the service mounts', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of secretValued(service)) {
        expect({ service: name, variable }).toEqual({ service: name, variable: expect.stringMatching(/_FILE$/) });
        const secret = /^\/run\/secrets\/(\w+)$/.exec(String(value))?.[1];
        expect(secret && service.secrets?.includes(secret) && compose.secrets[secret] !== undefined).toBe(true);
      }
    }
  });

  it('compose: the ClickHouse password reaches the ClickHouse image from its secret file, not its environment', () => {
    const clickhouse = compose.services.clickhouse as ComposeService;
    expect(Object.keys(clickhouse.environment ?? {})).not.toContain('CLICKHOUSE_PASSWORD');
    expect(clickhouse.entrypoint?.join(' ')).toContain('CLICKHOUSE_PASSWORD="$$(cat /run/secrets/clickhouse_password)"');
    expect(clickhouse.secrets).toContain('clickhouse_password');
  });

  it('k8s: secret values come from Secrets, never from plain values or the ConfigMap', () => {
    for (const { deployment, container } of k8sContainers) {
      for (const variable of container.env ?? []) {
        if (SECRET_NAME.test(variable.name)) expect({ deployment, variable: variable.name, from: variable.valueFrom?.secretKeyRef ? 'Secret' : 'plain' }).toEqual({ deployment, variable: variable.name, from: 'Secret' });
      }
    }
    for (const configMap of k8sObjects().filter((object) => object.kind === 'ConfigMap')) {
      expect(Object.keys(configMap.data ?? {}).filter((name) => SECRET_NAME.test(name))).toEqual([]);
    }
  });

  it('k8s: the example Secret says on every value that it is an example', () => {
    const secrets = k8sObjects().filter((object) => object.kind === 'Secret');
    expect(secrets.map((secret) => secret.file)).toEqual(['secret.example.yaml']);
    for (const [name, value] of Object.entries(secrets[0]?.stringData ?? {})) expect({ name, value }).toEqual({ name, value: expect.stringMatching(/EXAMPLE/) });
  });
});
