/**
 * deploy/k8s as `kubectl apply -k` would read it: every file listed and parsed, Services that
 * reach their pods, probes on the server's own paths and port, the ingest autoscaled, one
 * scheduler replaced rather than rolled, pods that run as non-root, and the ClickHouse cluster and
 * Keeper the operator would build, wired to the settings the Costscope pods read.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadServerConfig } from '../../services/server/src/config/server-config.js';
import {
  deployments,
  k8sContainerEnv,
  k8sDir,
  k8sObject,
  k8sObjects,
  kustomization,
  packageVersion,
  type Deployment,
  type Job,
  type K8sObject,
  type Service,
} from './support/deploy-files.js';

type Installation = K8sObject & {
  spec: {
    configuration: {
      zookeeper?: { nodes: Array<{ host: string; port: number }> };
      users?: Record<string, unknown>;
      settings?: Record<string, string>;
      clusters: Array<{ name: string; layout: { shardsCount?: number; replicasCount?: number } }>;
    };
    templates: { podTemplates: Array<{ spec: { containers: Array<{ image: string }> } }> };
  };
};

const SERVER_PORT = loadServerConfig({}).port;
const objects = k8sObjects();
const settings = k8sObject('ConfigMap', 'costscope-settings').data ?? {};
const chi = k8sObject<Installation>('ClickHouseInstallation', 'costscope');
const chk = k8sObject<Installation>('ClickHouseKeeperInstallation', 'costscope');

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

describe('deploy/k8s', () => {
  it('lists every manifest in kustomization.yaml, and each parses', () => {
    const files = readdirSync(k8sDir).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization().resources].sort()).toEqual(files.sort());
    for (const object of objects) expect(object).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
  });

  it('uses the images deploy/Dockerfile builds, tagged with the packages\' versions', () => {
    expect(kustomization().images).toEqual([
      { name: 'costscope/server', newTag: packageVersion('services/server') },
      { name: 'costscope/dashboard', newTag: packageVersion('dashboard') },
    ]);
    for (const deployment of deployments()) {
      for (const container of deployment.spec.template.spec.containers) {
        expect(container.image).toMatch(/^costscope\/(server|dashboard):/);
        expect(container.image).toBe(`${container.image.split(':')[0]}:${packageVersion(container.image.startsWith('costscope/server') ? 'services/server' : 'dashboard')}`);
      }
    }
  });

  it('gives every Service pods to reach: its selector matches one Deployment, its target port a named container port', () => {
    for (const service of objects.filter((object): object is Service & { file: string } => object.kind === 'Service')) {
      const targets = deployments().filter((deployment) => matches(service.spec.selector, deployment.spec.template.metadata.labels));
      expect({ service: service.metadata.name, targets: targets.length }).toEqual({ service: service.metadata.name, targets: 1 });
      const ports = targets[0]?.spec.template.spec.containers.flatMap((container) => container.ports ?? []) ?? [];
      for (const port of service.spec.ports) expect(ports.map((candidate) => candidate.name)).toContain(port.targetPort);
    }
  });

  it('selects each Deployment\'s own pods', () => {
    for (const deployment of deployments()) expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
  });

  it('runs the server on its port and probes it on /healthz and /readyz for the pod\'s own role', () => {
    for (const deployment of deployments().filter((candidate) => candidate.spec.template.spec.containers[0]?.image.startsWith('costscope/server'))) {
      const container = deployment.spec.template.spec.containers[0];
      if (!container) throw new Error('no container');
      const roles = loadServerConfig(k8sContainerEnv(container)).roles;
      expect(container.ports).toEqual([{ name: 'http', containerPort: SERVER_PORT }]);
      expect(container.readinessProbe?.httpGet).toEqual({ path: `/readyz?role=${roles[0]}`, port: 'http' });
      expect(roles).toHaveLength(1);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    }
  });

  it('points the dashboard at the API Service and apps at the ingest Service', () => {
    const dashboard = k8sObject<Deployment>('Deployment', 'costscope-dashboard').spec.template.spec.containers[0];
    const serverUrl = new URL(k8sContainerEnv(dashboard ?? { name: '', image: '' }).COSTSCOPE_SERVER_URL ?? '');
    const api = k8sObject<Service>('Service', serverUrl.hostname);
    expect(api.spec.selector['app.kubernetes.io/component']).toBe('api');
    expect(api.spec.ports.map((port) => port.port)).toContain(Number(serverUrl.port));
    expect(k8sObject<Service>('Service', 'costscope-ingest').spec.ports).toEqual([{ name: 'http', port: SERVER_PORT, targetPort: 'http' }]);
    expect(dashboard?.readinessProbe?.httpGet).toEqual({ path: '/login', port: 'http' });
  });

  it('autoscales the ingest Deployment on CPU, which its pods request', () => {
    const hpa = k8sObject<K8sObject & {
      spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: Array<{ resource: { name: string } }> };
    }>('HorizontalPodAutoscaler', 'costscope-ingest');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'costscope-ingest' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.metrics.map((metric) => metric.resource.name)).toEqual(['cpu']);
    expect(k8sObject<Deployment>('Deployment', 'costscope-ingest').spec.template.spec.containers[0]?.resources?.requests?.cpu).toBeDefined();
  });

  it('runs one scheduler, replaced rather than rolled on an update', () => {
    const scheduler = k8sObject<Deployment>('Deployment', 'costscope-scheduler');
    expect(scheduler.spec.replicas).toBe(1);
    expect(scheduler.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('runs every pod as a non-root user without privilege escalation', () => {
    const pods = [
      ...deployments().map((deployment) => ({ name: deployment.metadata.name, spec: deployment.spec.template.spec })),
      ...objects.filter((object): object is Job & { file: string } => object.kind === 'Job').map((job) => ({ name: job.metadata.name, spec: job.spec.template.spec })),
    ];
    for (const pod of pods) {
      expect({ pod: pod.name, runAsNonRoot: pod.spec.securityContext?.runAsNonRoot }).toEqual({ pod: pod.name, runAsNonRoot: true });
      expect(pod.spec.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const container of pod.spec.containers) expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
    }
  });

  it('gives read-only containers a writable /tmp and data directory', () => {
    for (const deployment of deployments()) {
      for (const container of deployment.spec.template.spec.containers) {
        if (!container.securityContext?.readOnlyRootFilesystem) continue;
        const mounts = (container.volumeMounts ?? []).map((mount) => mount.mountPath);
        expect(mounts).toContain('/tmp');
        if (container.image.startsWith('costscope/server')) expect(mounts).toContain('/var/lib/costscope');
      }
    }
  });
});

describe('the ClickHouse cluster', () => {
  it('is 2 shards × 2 replicas named as COSTSCOPE_CLICKHOUSE_CLUSTER, with a 3-node Keeper', () => {
    expect(chi.apiVersion).toBe('clickhouse.altinity.com/v1');
    expect(chk.apiVersion).toBe('clickhouse-keeper.altinity.com/v1');
    expect(chi.spec.configuration.clusters).toEqual([{ name: settings.COSTSCOPE_CLICKHOUSE_CLUSTER, layout: { shardsCount: 2, replicasCount: 2 } }]);
    expect(chk.spec.configuration.clusters.map((cluster) => cluster.layout.replicasCount)).toEqual([3]);
  });

  it('reaches Keeper through the Service the operator names after the Keeper installation, on its port', () => {
    expect(chi.spec.configuration.zookeeper?.nodes).toEqual([
      { host: `keeper-${chk.metadata.name}`, port: Number(chk.spec.configuration.settings?.['keeper_server/tcp_port']) },
    ]);
  });

  it('is what CLICKHOUSE_URL names: the operator\'s Service clickhouse-<installation>, on the HTTP port', () => {
    const url = new URL(settings.CLICKHOUSE_URL ?? '');
    expect(url.hostname).toBe(`clickhouse-${chi.metadata.name}`);
    expect(url.port).toBe('8123');
  });

  it('has the Costscope user, with the password the Costscope pods read', () => {
    const users = chi.spec.configuration.users ?? {};
    expect(users[`${settings.CLICKHOUSE_USER}/password`]).toEqual({ valueFrom: { secretKeyRef: { name: 'costscope-secrets', key: 'CLICKHOUSE_PASSWORD' } } });
    expect(users[`${settings.CLICKHOUSE_USER}/grants/query`]).toEqual(expect.arrayContaining([`GRANT ALL ON ${settings.CLICKHOUSE_DATABASE}.*`]));
  });

  it('runs one ClickHouse version everywhere: servers, Keeper and the database job', () => {
    const job = k8sObject<Job>('Job', 'costscope-create-database');
    const versions = new Set([
      ...chi.spec.templates.podTemplates.flatMap((template) => template.spec.containers.map((container) => container.image.split(':')[1])),
      ...chk.spec.templates.podTemplates.flatMap((template) => template.spec.containers.map((container) => container.image.split(':')[1])),
      ...job.spec.template.spec.containers.map((container) => container.image.split(':')[1]),
    ]);
    expect([...versions]).toHaveLength(1);
  });

  it('creates the database on the whole cluster from the same settings', () => {
    const job = k8sObject<Job>('Job', 'costscope-create-database');
    const container = job.spec.template.spec.containers[0];
    const env = k8sContainerEnv(container ?? { name: '', image: '' });
    const command = (container?.command ?? []).join(' ').replace(/\$([A-Z_]+)/g, (_match, name: string) => env[name] ?? `<unset ${name}>`);
    expect(command).toContain(`--host ${new URL(settings.CLICKHOUSE_URL ?? '').hostname}`);
    expect(command).toContain(`CREATE DATABASE IF NOT EXISTS ${settings.CLICKHOUSE_DATABASE} ON CLUSTER ${settings.COSTSCOPE_CLICKHOUSE_CLUSTER}`);
  });
});
