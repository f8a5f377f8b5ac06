import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRICE_CATALOG, parseUsd, type UsdAtto } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The real server runs in this process so the test can hold the scheduler's clock and evaluate
// the rules at once (no minutes of waiting for a timer); the demo still reaches it over HTTP only.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AlertClock } from '../../server/src/alerts/scheduler/alert-clock.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AlertScheduler } from '../../server/src/alerts/scheduler/alert-scheduler.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { IngestPipeline } from '../../server/src/ingest/ingest-pipeline.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startServer, TEST_API_KEY, type RunningServer } from '../../server/test/support/running-server.js';

/**
 * `npm run demo` against the real server (embedded storage, a fresh data directory), run as a
 * user runs it: its own process, finding the server and key through the environment. The
 * totals the API answers must be what the demo says it sent, priced here from the catalog on
 * its own; a second run with the same seed must store nothing twice; and the live phase's
 * incidents must fire their alerts when the scheduler evaluates.
 */
const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

type ModelJson = {
  model: string;
  batch: boolean;
  calls: number;
  errors: number;
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  costUsd: string;
};
type Summary = {
  now: string;
  from: string;
  history: { calls: number; costUsd: string; rejectedSpans: number; models: ModelJson[] };
  live: { calls: number; costUsd: string; models: ModelJson[] } | null;
};
type Totals = { costUsd: string; requests: number; errors: number; inputTokens: number; cachedInputTokens: number; outputTokens: number };

function runDemo(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [tsxCli, 'services/demo/src/demo.ts', ...args], {
    cwd: workspaceRoot,
    // No COSTSCOPE_DATA_DIR: the key must come from the environment given here.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A model's price version in force at `at`, straight from the catalog's data. */
function catalogPrice(model: string, at: Date) {
  // The providers' dated snapshots (gpt-5-mini-2025-08-07) are the catalog's models.
  const id = model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  const entry = PRICE_CATALOG.find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`${model} is not in the catalog`);
  const version = [...entry.prices].reverse().find((price) => Date.parse(`${price.effectiveFrom}T00:00:00Z`) <= at.getTime());
  if (!version) throw new Error(`${model} has no price at ${at.toISOString()}`);
  return version;
}

/**
 * What the calls of `models` cost by the money rules (DESIGN.md), in atto-dollars: fresh input at
 * the input price, cache reads at the cached price, cache writes at the write price, output at
 * the output price, the batch discount on all of it. Prices are per million tokens.
 */
function expectedCost(models: readonly ModelJson[], at: Date): UsdAtto {
  let total = 0n;
  for (const tally of models) {
    if (tally.calls === tally.errors) continue;
    const price = catalogPrice(tally.model, at);
    const perToken = (perMillion: string | null, fallback: string) => parseUsd(perMillion ?? fallback);
    const fresh = BigInt(tally.inputTokens - tally.cacheReadInputTokens - tally.cacheWriteInputTokens);
    let cost =
      fresh * perToken(price.inputPerMillion, price.inputPerMillion) +
      BigInt(tally.cacheReadInputTokens) * perToken(price.cachedInputPerMillion, price.inputPerMillion) +
      BigInt(tally.cacheWriteInputTokens) * perToken(price.cacheWritePerMillion, price.inputPerMillion) +
      BigInt(tally.outputTokens) * perToken(price.outputPerMillion, price.outputPerMillion);
    if (tally.batch && price.batchDiscountPercent !== null) cost = (cost * BigInt(100 - price.batchDiscountPercent)) / 100n;
    total += cost / 1_000_000n;
  }
  return total;
}

function cents(amount: UsdAtto): string {
  const rounded = (amount + 5n * 10n ** 15n) / 10n ** 16n;
  return `${rounded / 100n}.${String(rounded % 100n).padStart(2, '0')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let server: RunningServer;
let demoEnv: Record<string, string>;
// The end of the history, fixed for both runs so they make the very same history.
const now = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);

beforeAll(async () => {
  // Evaluations only when the test asks (the clock is set manually below): a long interval.
  server = await startServer({ COSTSCOPE_ALERTS_INTERVAL: '1h' });
  demoEnv = { COSTSCOPE_SERVER_URL: server.baseUrl, COSTSCOPE_API_KEY: TEST_API_KEY };
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** The API's totals once `requests` calls are queryable (a 200 means durable, a flush may still be on its way). */
async function totalsOnce(requests: number): Promise<Totals> {
  const query = new URLSearchParams({ from: new Date(now.getTime() - 40 * 86_400_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });
  for (let ask = 1; ; ask += 1) {
    const response = await fetch(`${server.baseUrl}/api/v1/costs?${query}`, { headers: server.auth });
    expect(response.status).toBe(200);
    const { totals } = (await response.json()) as { totals: Totals };
    if (totals.requests >= requests || ask === 100) return totals;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function sum(models: readonly ModelJson[], field: 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens'): number {
  return models.reduce((total, model) => total + model[field], 0);
}

async function firingAlerts(): Promise<Array<{ rule: string; scope: string }>> {
  server.app.get(AlertClock).set(new Date());
  const report = await server.app.get(AlertScheduler).evaluateNow();
  expect(report.evaluated).toBe(true);
  const response = await fetch(`${server.baseUrl}/api/v1/alerts?status=firing`, { headers: server.auth });
  expect(response.status).toBe(200);
  return ((await response.json()) as { alerts: Array<{ rule: string; scope: string }> }).alerts.map(({ rule, scope }) => ({ rule, scope }));
}

const INCIDENT_ALERTS = [
  { rule: 'dailySpendSpike', scope: 'project' },
  { rule: 'errorRate', scope: 'feature=support-chat&endpoint=answer' },
  { rule: 'outputTokenDrift', scope: 'feature=support-chat&model=gpt-5-mini-2025-08-07' },
];

describe('npm run demo', () => {
  let history: Summary['history'];
  /** Every call the first two runs stored. */
  let storedCalls: number;

  it('sends the history, and the API totals are what it says it sent, priced from the catalog to the cent', async () => {
    const run = await runDemo(['--seed', '7', '--days', '8', '--now', now.toISOString(), '--live-minutes', '0', '--json'], demoEnv);
    expect(run.stderr).toContain('history 100%');
    // The bootstrap key is an admin key: the history goes through the import the server prices.
    expect(run.stderr).toContain('through POST /api/v1/calls/import?pricing=catalog.');
    expect(run.stderr).toMatch(/Sent [\d,]+ calls \(\$[\d,.]+\) in [\d.]+ s, [\d,]+ calls\/s\./);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    history = summary.history;
    expect(history.rejectedSpans).toBe(0);
    expect(history.calls).toBeGreaterThan(5000);
    // All three parts of the app, both providers, the batch job and the cached prompt are in it.
    expect(history.models.map((model) => model.model)).toEqual(
      expect.arrayContaining(['claude-sonnet-4-6', 'gpt-5-2025-08-07', 'gpt-5-mini-2025-08-07', 'gpt-5-nano-2025-08-07']),
    );
    expect(history.models.some((model) => model.batch)).toBe(true);
    expect(history.models.some((model) => model.cacheReadInputTokens > 0 && model.cacheWriteInputTokens > 0)).toBe(true);
    expect(history.models.some((model) => model.errors > 0)).toBe(true);

    const totals = await totalsOnce(history.calls);
    const expected = expectedCost(history.models, now);
    expect(totals.requests).toBe(history.calls);
    expect(cents(parseUsd(totals.costUsd))).toBe(cents(expected));
    expect(parseUsd(totals.costUsd)).toBe(expected);
    expect(parseUsd(history.costUsd)).toBe(expected);
    expect(totals.inputTokens).toBe(sum(history.models, 'inputTokens'));
    expect(totals.cachedInputTokens).toBe(sum(history.models, 'cacheReadInputTokens'));
    expect(totals.outputTokens).toBe(sum(history.models, 'outputTokens'));
    // The history alone leaves the three rules quiet: the live phase is what fires them.
    const quiet = await firingAlerts();
    for (const alert of INCIDENT_ALERTS) expect(quiet).not.toContainEqual(alert);
  });

  it('a second run with the same seed stores nothing twice; its live traffic through the SDK adds exactly what the providers answered, and fires the three alerts', async () => {
    expect(history).toBeDefined();
    const run = await runDemo(['--seed', '7', '--days', '8', '--now', now.toISOString(), '--live', '4s', '--json'], demoEnv);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.history.calls).toBe(history.calls);
    const live = summary.live!;
    expect(live.calls).toBeGreaterThan(200);

    const totals = await totalsOnce(history.calls + live.calls);
    expect(totals.requests).toBe(history.calls + live.calls);
    const expected = expectedCost(history.models, now) + expectedCost(live.models, new Date());
    expect(cents(parseUsd(totals.costUsd))).toBe(cents(expected));
    expect(parseUsd(totals.costUsd)).toBe(expected);
    expect(totals.outputTokens).toBe(sum(history.models, 'outputTokens') + sum(live.models, 'outputTokens'));

    storedCalls = totals.requests;

    const firing = await firingAlerts();
    for (const alert of INCIDENT_ALERTS) expect(firing).toContainEqual(alert);
  });

  it('works with an ingest key, the key an app ships with (it may send, not read)', async () => {
    const created = await fetch(`${server.baseUrl}/api/v1/keys`, {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'demo-app', scope: 'ingest' }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const run = await runDemo(['--seed', '7', '--days', '0', '--now', now.toISOString(), '--live-minutes', '0'], { COSTSCOPE_SERVER_URL: server.baseUrl, COSTSCOPE_API_KEY: key });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('through POST /v1/traces (this key may not import).');
    expect(run.stdout).toMatch(/Sent [\d,]+ calls/);
    expect(run.stdout).not.toContain('refused');
    // Today's history again, as spans this time: the calls the import stored are not stored twice.
    expect(storedCalls).toBeDefined();
    await server.app.get(IngestPipeline).batcher.flush();
    expect((await totalsOnce(storedCalls)).requests).toBe(storedCalls);
  });

  it('refuses politely when the server is down', async () => {
    const port = await freePort();
    const run = await runDemo(['--live-minutes', '0'], { COSTSCOPE_SERVER_URL: `http://127.0.0.1:${port}`, COSTSCOPE_API_KEY: TEST_API_KEY });
    // The `costscope` CLI's codes: 4 the server cannot be reached, 3 the key.
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Costscope is not answering at http://127.0.0.1:${port}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses politely when the key is wrong, and never prints it', async () => {
    const wrongKey = 'cs_not_a_key_of_this_server_000';
    const run = await runDemo(['--live-minutes', '0'], { COSTSCOPE_SERVER_URL: server.baseUrl, COSTSCOPE_API_KEY: wrongKey });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('refused the API key (401)');
    expect(run.stderr + run.stdout).not.toContain(wrongKey);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
