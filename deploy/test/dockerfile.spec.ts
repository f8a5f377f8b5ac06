/**
 * deploy/Dockerfile read stage by stage: the images the setups name are built here, run as the
 * unprivileged `node` user, start files that exist, leave chDB out of the server-mode image, and
 * copy only paths the repository has.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadServerConfig } from '../../services/server/src/config/server-config.js';
import {
  composeFile,
  deployDir,
  dockerEnv,
  dockerExecForm,
  dockerStageChain,
  dockerStages,
  lastInstruction,
  repoRoot,
} from './support/deploy-files.js';

const stages = dockerStages();
const RUNTIME_STAGES = ['server', 'server-embedded', 'dashboard'];

describe('deploy/Dockerfile', () => {
  it('builds every target the compose file asks for', () => {
    const targets = Object.values(composeFile().services).flatMap((service) => (service.build ? [service.build.target] : []));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(stages.map((stage) => stage.name)).toContain(target);
  });

  it.each(RUNTIME_STAGES)('%s runs as the unprivileged node user', (name) => {
    expect(lastInstruction(dockerStageChain(stages, name), 'USER')).toBe('node');
  });

  it.each(RUNTIME_STAGES)('%s starts a file the image holds, through the entry point that reads *_FILE secrets', (name) => {
    const chain = dockerStageChain(stages, name);
    expect(dockerExecForm(lastInstruction(chain, 'ENTRYPOINT') ?? '[]')).toEqual(['costscope-entrypoint']);
    const command = dockerExecForm(lastInstruction(chain, 'CMD') ?? '[]');
    expect(command[0]).toBe('node');
    const script = command.at(-1) ?? '';
    if (name === 'dashboard') {
      // Next's standalone output puts server.js under the workspace's folder name.
      expect(script).toBe('dashboard/server.js');
      expect(chain.flatMap((stage) => stage.instructions).some((i) => i.op === 'COPY' && i.args.includes('.next/standalone'))).toBe(true);
    } else {
      expect(existsSync(path.join(repoRoot, script))).toBe(true);
      expect(existsSync(path.join(repoRoot, dockerEnv(chain).TSX_TSCONFIG_PATH ?? '<unset>'))).toBe(true);
    }
  });

  it('listens where the server and the setups expect, with the data directory as a volume', () => {
    const server = dockerStageChain(stages, 'server');
    const env = dockerEnv(server);
    expect(Number(env.PORT)).toBe(loadServerConfig({}).port);
    expect(lastInstruction(server, 'EXPOSE')).toBe(env.PORT);
    expect(dockerExecForm(lastInstruction(server, 'VOLUME') ?? '[]')).toEqual([env.COSTSCOPE_DATA_DIR]);
    expect(lastInstruction(dockerStageChain(stages, 'dashboard'), 'EXPOSE')).toBe(dockerEnv(dockerStageChain(stages, 'dashboard')).PORT);
  });

  it('leaves chDB out of the server image and keeps it in server-embedded', () => {
    const copiesFrom = (name: string) => /--from=(\S+)/.exec(dockerStageChain(stages, name).flatMap((stage) => stage.instructions).find((i) => i.op === 'COPY' && i.args.includes('node_modules'))?.args ?? '')?.[1] ?? '';
    const runs = (name: string) => dockerStageChain(stages, name).flatMap((stage) => stage.instructions).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs(copiesFrom('server'))).toMatch(/rm -rf node_modules\/chdb node_modules\/@chdb/);
    expect(runs(copiesFrom('server-embedded'))).not.toMatch(/chdb/);
    // Production dependencies only, and no install scripts (the SDK build needs dev tools).
    expect(runs(copiesFrom('server'))).toMatch(/npm ci --omit=dev --ignore-scripts --workspace @costscope\/server/);
  });

  it('copies only paths the repository has', () => {
    for (const instruction of stages.flatMap((stage) => stage.instructions).filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
      const sources = instruction.args.split(/\s+/).filter((arg) => !arg.startsWith('--')).slice(0, -1);
      for (const source of sources) expect({ source, exists: existsSync(path.join(repoRoot, source)) }).toEqual({ source, exists: true });
    }
  });

  it('keeps local data, secrets and installed dependencies out of the build context', () => {
    const ignored = readFileSync(path.join(deployDir, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/.next', '**/.costscope', 'deploy/secrets', 'deploy/*.env']));
  });
});
