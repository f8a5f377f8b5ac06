import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPriceCatalog, parseUsd, priceCall, usageFromAnthropic, usageFromOpenAIChat, type UsdAtto } from '@costscope/core';
import { chatUsage, message, responseModel } from './provider-stand-in.js';

export const WORKSPACE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** One row of `GET /api/v1/costs?groupBy=feature,model`, money parsed exactly. */
export interface CostRow {
  feature: string;
  model: string;
  costUsd: UsdAtto;
  requests: number;
  unpricedRequests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface CostscopeServer {
  url: string;
  apiKey: string;
  /**
   * The feature's rows by model once `requests` calls of it are stored; after 100 asks, whatever is
   * there, so a missing call fails the test's assertion instead of its timeout.
   */
  costsOf(feature: string, requests: number): Promise<CostRow[]>;
  stop(): Promise<void>;
}

/**
 * The real Costscope server as a user starts it: its own process from the workspace's source
 * (as `npm start` runs it), embedded storage in a fresh data directory, on a free loopback port.
 * The SDK's tests reach it only over HTTP, like an app would.
 */
export async function startCostscopeServer(): Promise<CostscopeServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'costscope-sdk-test-server-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiKey = 'cs_sdk_install_test_key_0001';
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsxCli, '--tsconfig', 'services/server/tsconfig.json', 'services/server/src/main.ts'], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? dataDir,
      TMPDIR: tmpdir(),
      HOST: '127.0.0.1',
      PORT: String(port),
      COSTSCOPE_DATA_DIR: dataDir,
      COSTSCOPE_API_KEY: apiKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await untilAnswers(`${url}/healthz`, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    apiKey,
    async costsOf(feature, requests) {
      // A 200 to the exporter means the calls are durable, not necessarily queryable yet: they may
      // sit in the spool until the next flush. Ask until they are all there.
      for (let ask = 1; ; ask += 1) {
        const query = new URLSearchParams({ groupBy: 'feature,model', feature });
        const response = await fetch(`${url}/api/v1/costs?${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
        if (response.status !== 200) throw new Error(`GET /api/v1/costs answered ${response.status}: ${await response.text()}`);
        const body = (await response.json()) as { rows: Array<Omit<CostRow, 'costUsd'> & { costUsd: string }> };
        const rows = body.rows.map((row) => ({ ...row, costUsd: parseUsd(row.costUsd) }));
        if (ask === 100 || rows.reduce((sum, row) => sum + row.requests, 0) >= requests) return rows;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop,
  };
}

/** What the catalog charges for one stand-in answer of `model`: the price the server must store. */
export function standInCallCost(model: string, provider: 'openai' | 'anthropic'): UsdAtto {
  const usage = provider === 'openai' ? usageFromOpenAIChat(chatUsage(model)) : usageFromAnthropic(message({ model }).usage);
  const cost = priceCall(createPriceCatalog(), { model: responseModel(model), usage, at: new Date() });
  if (cost.status !== 'priced') throw new Error(`the catalog has no price for ${model}: pick a priced model for this test`);
  return cost.breakdown.totalUsd;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Waits until the server answers, failing at once (with its output) if the process ends first. */
async function untilAnswers(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the Costscope server stopped before it answered:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
