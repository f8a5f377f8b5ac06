/**
 * The `server` image leaves the embedded engine (chDB) out. This runs the image's own command and
 * environment (parsed from deploy/Dockerfile) from the repository root, which is the image's
 * /app layout, with `chdb` made unresolvable as in the image: with CLICKHOUSE_URL it must start,
 * answer every probe the deploy files use and store a call; without it, it must fail saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeFile,
  deployments,
  dockerEnv,
  dockerExecForm,
  dockerStageChain,
  dockerStages,
  lastInstruction,
  repoRoot,
} from './support/deploy-files.js';
import { answers200, exited, freePort, run, startClickHouseFront, type Running } from './support/processes.js';

const WITHOUT_CHDB = fileURLToPath(new URL('./support/without-chdb.mjs', import.meta.url));
const API_KEY = 'cs_deploy_check_admin_key_0001';
const CLICKHOUSE = { database: 'costscope', user: 'costscope', password: 'deploy-check-password' };

const serverStage = dockerStageChain(dockerStages(), 'server');
const [program, ...programArgs] = dockerExecForm(lastInstruction(serverStage, 'CMD') ?? '[]');

/** The image's CMD with `--import without-chdb.mjs` first, run by this Node from the repository root. */
function startServerAsImage(env: Record<string, string>): Running {
  if (program !== 'node') throw new Error(`the server image's CMD starts ${program}, not node`);
  return run(process.execPath, ['--import', WITHOUT_CHDB, ...programArgs], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...dockerEnv(serverStage), HOST: '127.0.0.1', ...env },
  });
}

/** Every HTTP probe path a server container is checked with, in Kubernetes and in Compose. */
function serverProbePaths(): string[] {
  const k8s = deployments()
    .flatMap((deployment) => deployment.spec.template.spec.containers)
    .filter((container) => container.image.startsWith('costscope/server'))
    .flatMap((container) => [container.readinessProbe, container.livenessProbe, container.startupProbe])
    .flatMap((probe) => (probe?.httpGet ? [probe.httpGet.path] : []));
  const compose = Object.values(composeFile().services)
    .filter((service) => service.image?.startsWith('costscope/server'))
    .flatMap((service) => (service.healthcheck?.test ?? []).join(' ').match(/http:\/\/127\.0\.0\.1:4318(\/[^'"]*)/)?.[1] ?? []);
  return [...new Set([...k8s, ...compose])];
}

describe('the server image without chDB', () => {
  let workDir: string;
  let front: Running & { url: string };
  let server: Running;
  let baseUrl: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'costscope-deploy-'));
    front = await startClickHouseFront({ dataDir: path.join(workDir, 'clickhouse'), ...CLICKHOUSE });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = startServerAsImage({
      PORT: String(port),
      COSTSCOPE_DATA_DIR: path.join(workDir, 'data'),
      CLICKHOUSE_URL: front.url,
      CLICKHOUSE_USER: CLICKHOUSE.user,
      CLICKHOUSE_PASSWORD: CLICKHOUSE.password,
      CLICKHOUSE_DATABASE: CLICKHOUSE.database,
      COSTSCOPE_API_KEY: API_KEY,
    });
    await answers200(`${baseUrl}/readyz`, server);
  });

  afterAll(async () => {
    await server?.stop();
    await front?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('starts with CLICKHOUSE_URL and answers every probe path the deploy files use', async () => {
    const paths = serverProbePaths();
    expect(paths).toEqual(expect.arrayContaining(['/healthz', '/readyz?role=ingest', '/readyz?role=api', '/readyz?role=scheduler']));
    for (const probe of paths) {
      const response = await fetch(`${baseUrl}${probe}`);
      expect({ probe, status: response.status }).toEqual({ probe, status: 200 });
    }
    const readiness = (await (await fetch(`${baseUrl}/readyz`)).json()) as { storage: string };
    expect(readiness.storage).toBe('http');
  });

  it('stores an OTLP call in ClickHouse and reports its cost', async () => {
    const start = BigInt(Date.now() - 60_000) * 1_000_000n;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'deploy-check' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  name: 'chat gpt-4o-mini',
                  kind: 3,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 1_000_000n),
                  attributes: [
                    { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } },
                    { key: 'gen_ai.usage.output_tokens', value: { intValue: '100' } },
                    { key: 'costscope.feature', value: { stringValue: 'deploy-check' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const sent = await fetch(`${baseUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(sent.status).toBe(200);
    const costs = await fetch(`${baseUrl}/api/v1/costs?groupBy=feature`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(costs.status).toBe(200);
    const { rows } = (await costs.json()) as { rows: Array<{ feature: string; requests: number }> };
    expect(rows).toEqual([expect.objectContaining({ feature: 'deploy-check', requests: 1 })]);
  });

  it('fails its start without CLICKHOUSE_URL, saying the embedded engine is not installed', async () => {
    const workDirEmbedded = mkdtempSync(path.join(tmpdir(), 'costscope-deploy-embedded-'));
    try {
      const embedded = startServerAsImage({ PORT: String(await freePort()), COSTSCOPE_DATA_DIR: workDirEmbedded, COSTSCOPE_API_KEY: API_KEY });
      expect(await exited(embedded)).not.toBe(0);
      expect(embedded.output()).toContain('the embedded engine (the optional package chdb) is not installed: set CLICKHOUSE_URL');
    } finally {
      rmSync(workDirEmbedded, { recursive: true, force: true });
    }
  });
});
