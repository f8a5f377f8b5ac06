import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseUsd } from '@costscope/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontProcess, type RunningFront } from '../support/front-process.js';
import { otlpJsonBody, type JsonSpan } from '../support/otlp-json.js';
import { startServer, TEST_API_KEY, type RunningServer } from '../support/running-server.js';

/**
 * Every `costscope` command run as a user runs it — the real bin in its own process — against
 * real servers: A (embedded storage) holds calls sent through OTLP, B (a ClickHouse over HTTP,
 * in its own process) receives A's export.
 */
const BIN = fileURLToPath(new URL('../../bin/costscope.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FRONT = { database: 'costscope', user: 'costscope', password: 'cli-import' };
const HOUR = 3_600_000;

let a: RunningServer;
let b: RunningServer;
let front: RunningFront;
let workDir: string;
/** A loopback port nothing listens on: a server that is down. */
let closedPort: number;
/** Two hours ago, whole second: every call of the test is within a few seconds of it. */
const t0 = new Date(Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000);

type Run = { code: number; stdout: string; stderr: string };

/** Runs the bin in its own process, as a shell would. */
async function costscope(args: string[], env: Record<string, string> = {}, options: { server?: RunningServer; bin?: string } = {}): Promise<Run> {
  const server = options.server ?? a;
  const command = options.bin ?? BIN;
  const argv = options.bin ? [command, args] : [process.execPath, [command, ...args]];
  try {
    const { stdout, stderr } = await promisify(execFile)(argv[0] as string, argv[1] as string[], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', COSTSCOPE_SERVER_URL: server.baseUrl, COSTSCOPE_API_KEY: TEST_API_KEY, COSTSCOPE_DATA_DIR: workDir, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function span(id: number, seconds: number, attributes: JsonSpan['attributes']): JsonSpan {
  return {
    traceId: id.toString(16).padStart(32, 'a'),
    spanId: id.toString(16).padStart(16, 'b'),
    start: new Date(t0.getTime() + seconds * 1000),
    durationMs: 700,
    attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'costscope.feature': 'chatbot', ...attributes },
  };
}

async function costs(server: RunningServer, query = 'groupBy=feature,model'): Promise<{ rows: Array<Record<string, unknown>>; totals: Record<string, unknown> }> {
  const from = new Date(t0.getTime() - HOUR).toISOString();
  const to = new Date(t0.getTime() + HOUR).toISOString();
  const response = await fetch(`${server.baseUrl}/api/v1/costs?${query}&from=${from}&to=${to}`, { headers: server.auth });
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: Array<Record<string, unknown>>; totals: Record<string, unknown> };
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'costscope-cli-'));
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  a = await startServer();
  front = await startFrontProcess({ ...FRONT, dataDir: path.join(workDir, 'clickhouse') });
  b = await startServer({ CLICKHOUSE_URL: front.url, CLICKHOUSE_USER: FRONT.user, CLICKHOUSE_PASSWORD: FRONT.password, CLICKHOUSE_DATABASE: FRONT.database });
  // gpt-5 at $1.25 / $0.125 cached / $10 output per million: 800k fresh $1.00 + 200k cached $0.025
  // + 100k output $1.00 = $2.025; a batch call of 1M input at half price, $0.625; a model with no price.
  const spans = [
    span(1, 0, { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.cache_read.input_tokens': 200_000, 'gen_ai.usage.output_tokens': 100_000 }),
    span(2, 1, { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 0, 'costscope.batch': true }),
    span(3, 2, { 'gen_ai.request.model': 'house-model-7b', 'gen_ai.usage.input_tokens': 5_000, 'gen_ai.usage.output_tokens': 50 }),
    span(4, 3, {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-6',
      'gen_ai.usage.input_tokens': 3050,
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'costscope.feature': 'summarizer',
    }),
  ];
  const sent = await fetch(`${a.baseUrl}/v1/traces`, { method: 'POST', headers: { ...a.auth, 'content-type': 'application/json' }, body: otlpJsonBody(spans) });
  expect(sent.status).toBe(200);
  expect((await costs(a)).totals.requests).toBe(4);
}, 120_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await front?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('costscope --help', () => {
  it.each(['keys', 'report', 'prices', 'whatif', 'reprice', 'export', 'import'])('%s --help prints its usage and the exit codes', async (command) => {
    const run = await costscope([command, '--help'], { COSTSCOPE_SERVER_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: costscope ${command}`));
    expect(run.stdout).toContain('--server URL');
    expect(run.stdout).toContain('3  no key, a wrong or revoked key (401), or a key whose scope is too low (403)');
    expect(run.stdout).toContain('4  the server could not be reached');
  });

  it('lists the commands; no command or an unknown one is a usage error (2)', async () => {
    const help = await costscope(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['keys', 'report', 'prices', 'whatif', 'reprice', 'export', 'import']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect((await costscope([])).code).toBe(2);
    const unknown = await costscope(['bill']);
    expect([unknown.code, unknown.stderr.split('\n')[0]]).toEqual([2, 'costscope: unknown command "bill"']);
    const badOption = await costscope(['prices', '--modle', 'gpt-5']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--modle'");
  });
});

describe('costscope prices', () => {
  it('prints the catalog’s prices exactly as the API gives them', async () => {
    const run = await costscope(['prices', '--model', 'gpt-5-mini']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^gpt-5-mini\s+openai\s+\S+\s+\$0\.25\s+\$0\.025\s+—\s+\$2\.00\s+-50%\s+catalog:gpt-5-mini@2025-08-07$/m);
    const json = JSON.parse((await costscope(['prices', '--model', 'gpt-5-mini', '--json'])).stdout) as { prices: Array<{ model: string; inputPerMillionUsd: string }> };
    expect(json.prices.map((price) => [price.model, price.inputPerMillionUsd])).toEqual([['gpt-5-mini', '0.25']]);
  });

  it('lists the models seen without a price, and says when nothing matches (1)', async () => {
    expect((await costscope(['prices'])).stdout).toMatch(/^ {2}house-model-7b {2}1 call, last /m);
    const none = await costscope(['prices', '--model', 'no-such-model']);
    expect([none.code, none.stderr]).toEqual([1, expect.stringMatching(/^costscope prices: no model matching "no-such-model" has a price at /)]);
  });
});

describe('costscope whatif', () => {
  it('prices the feature’s real tokens on another model, to the cent', async () => {
    // On gpt-5-mini ($0.25 / $0.025 / $2.00): $0.20 + $0.005 + $0.20 = $0.405, and the batch call
    // $0.125; the unpriced call and the other feature's call stay out.
    const json = await costscope(['whatif', '--feature', 'chatbot', '--model', 'gpt-5-mini', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      feature: 'chatbot',
      model: 'gpt-5-mini',
      requests: 3,
      comparedRequests: 2,
      unpricedRequests: 1,
      noPriceOnModelRequests: 0,
      actualCostUsd: '2.65',
      whatIfCostUsd: '0.53',
      savingsUsd: '2.12',
      inputTokens: 2_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 100_000,
      priceVersions: ['catalog:gpt-5-mini@2025-08-07'],
      byModel: [{ model: 'gpt-5', requests: 2, actualCostUsd: '2.65', whatIfCostUsd: '0.53', savingsUsd: '2.12' }],
    });
    const text = await costscope(['whatif', '--feature', 'chatbot', '--model', 'gpt-5-mini']);
    expect(text.stdout).toContain('As stored:            $2.65\nOn gpt-5-mini:        $0.53\ngpt-5-mini saves $2.12 over 2 calls.');
    expect(text.stdout).toContain('1 call stored without a price is left out (its cost is unknown).');
  });

  it('bills cache writes and reads by the other model’s own rules', async () => {
    // 50 fresh + 2000 cache reads + 1000 cache writes + 200 output on gpt-5 (no cache-write price:
    // writes bill as input): 1050 × 1.25 + 2000 × 0.125 + 200 × 10 per million = $0.0035625.
    const json = JSON.parse((await costscope(['whatif', '--feature', 'summarizer', '--model', 'gpt-5', '--json'])).stdout) as Record<string, unknown>;
    expect([json.whatIfCostUsd, json.cacheWriteInputTokens]).toEqual(['0.0035625', 1000]);
  });

  it('answers an unknown model with the server’s 400 (1), and a missing flag with usage (2)', async () => {
    const unknown = await costscope(['whatif', '--feature', 'chatbot', '--model', 'gpt-99']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('costscope whatif: GET /api/v1/whatif answered 400: query.model: no price known for "gpt-99"');
    const missing = await costscope(['whatif', '--model', 'gpt-5']);
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, 'costscope whatif: whatif needs --feature FEATURE']);
  });
});

describe('costscope report weekly', () => {
  const day = t0.toISOString().slice(0, 10);

  it('prints the week’s review in Markdown, CSV and JSON with the API’s exact figures', async () => {
    const api = (await (await fetch(`${a.baseUrl}/api/v1/reports/weekly?week=${JSON.parse((await costscope(['report', 'weekly', '--week', day, '--format', 'json'])).stdout).week}`, { headers: a.auth })).json()) as {
      week: string;
      thisWeekUsd: string;
      features: Array<{ feature: string; thisWeekUsd: string; lastWeekUsd: string; changeUsd: string }>;
    };
    const chatbot = api.features.find((feature) => feature.feature === 'chatbot');
    expect(chatbot?.thisWeekUsd).toBe('2.65');

    const markdown = await costscope(['report', 'weekly', '--week', day]);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain(`# Weekly cost review ${api.week}`);
    expect(markdown.stdout).toContain(`This week $${api.thisWeekUsd}, last week $0.00 (+$${api.thisWeekUsd}).`);
    expect(markdown.stdout).toMatch(/^\| chatbot \| \$2\.65 \| \$0\.00 \| \+\$2\.65 \| 3 \| /m);

    const csv = (await costscope(['report', 'weekly', '--week', api.week, '--format', 'csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('week,feature,this_week_usd,last_week_usd,change_usd,this_week_requests,last_week_requests,this_week_cost_per_success_usd');
    expect(csv).toContainEqual(expect.stringMatching(new RegExp(`^${api.week},chatbot,2\\.65,0\\.00,2\\.65,3,0,`)));
  });

  it('refuses a week it cannot read (2) and a format it does not know (2)', async () => {
    expect((await costscope(['report', 'weekly', '--week', '2026-13-45'])).code).toBe(2);
    expect((await costscope(['report', 'weekly', '--format', 'xlsx'])).code).toBe(2);
    expect((await costscope(['report', 'monthly'])).code).toBe(2);
  });
});

describe('costscope reprice', () => {
  it('starts the job and follows it to the end', async () => {
    const from = new Date(t0.getTime() - HOUR).toISOString();
    const to = new Date(t0.getTime() + HOUR).toISOString();
    const run = await costscope(['reprice', '--from', from, '--to', to]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Re-priced \S+ to \S+: 4 calls examined, 0 costs changed\.\nStill without a price \(add overrides, then re-price again\): house-model-7b\n$/);
  });
});

describe('costscope export and import', () => {
  it('moves the calls to another server equal to the cent, and a second import stores nothing twice', async () => {
    const file = path.join(workDir, 'calls.ndjson');
    const exported = await costscope(['export', '--out', file]);
    expect([exported.code, exported.stderr]).toEqual([0, 'Exported 4 calls to ' + file + '.\n']);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.requestModel)).toEqual(['gpt-5', 'gpt-5', 'house-model-7b', 'claude-sonnet-4-6']);
    expect(lines[0]).toMatchObject({ totalCostUsd: '2.025', priceVersion: 'catalog:gpt-5@2025-08-07', costStatus: 'priced' });
    expect(lines[0]).not.toHaveProperty('projectId');

    const imported = await costscope(['import', file], {}, { server: b });
    expect([imported.code, imported.stdout]).toEqual([0, `Imported 4 calls from ${file} (4 lines). Calls already stored were not stored again.\n`]);
    const original = await costs(a);
    expect(await costs(b)).toEqual(original);
    expect(original.totals.costUsd).toBe('2.6575');

    expect((await costscope(['import', file], {}, { server: b })).code).toBe(0);
    expect(await costs(b)).toEqual(original);

    // The same file from stdin (`-`), through a pipe, once more: still each call once.
    const piped = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'import', '-'], {
        env: { PATH: process.env.PATH ?? '', COSTSCOPE_SERVER_URL: b.baseUrl, COSTSCOPE_API_KEY: TEST_API_KEY },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      child.stdin.end(readFileSync(file));
      child.once('exit', resolve);
    });
    expect(piped).toBe(0);
    expect((await costs(b)).totals).toEqual(original.totals);
  });

  it('writes NDJSON to stdout without --out, with the count on stderr', async () => {
    const run = await costscope(['export', '--from', new Date(t0.getTime() + 2500).toISOString()]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { requestModel: string }).requestModel)).toEqual(['claude-sonnet-4-6']);
    expect(run.stderr).toBe('Exported 1 call.\n');
  });

  it('stops at a bad line with its number, keeping the calls before it', async () => {
    const good = (id: number, feature: string) =>
      JSON.stringify({
        ...(JSON.parse(readFileSync(path.join(workDir, 'calls.ndjson'), 'utf8').split('\n')[0] as string) as Record<string, unknown>),
        traceId: id.toString(16).padStart(32, 'c'),
        feature,
      });
    const file = path.join(workDir, 'bad.ndjson');
    writeFileSync(file, [good(10, 'imported-before'), good(11, 'imported-before'), '{"traceId": "not a whole call"}', good(12, 'imported-after'), ''].join('\n'));
    const run = await costscope(['import', file], {}, { server: b });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'costscope import: POST /api/v1/calls/import answered 400: line 3: time: Invalid input: expected string, received undefined. The 2 calls before it are stored; fix the line and import the file again (calls already stored are not stored twice)\n',
    );
    const byFeature = Object.fromEntries((await costs(b, 'groupBy=feature')).rows.map((row) => [row.feature, row.requests]));
    expect(byFeature['imported-before']).toBe(2);
    expect(byFeature['imported-after']).toBeUndefined();

    const costChanged = good(13, 'hand-edited').replace('"totalCostUsd":"2.025"', '"totalCostUsd":"0.01"');
    writeFileSync(file, `${costChanged}\n`);
    expect((await costscope(['import', file], {}, { server: b })).stderr).toContain('line 1: totalCostUsd is not the sum of the four cost parts.');
    expect((await costscope(['import', path.join(workDir, 'missing.ndjson')], {}, { server: b })).code).toBe(2);
  });

  it('--price: the server prices each call as its ingest would, with its own overrides; cost fields may be left out, a reported cost is kept', async () => {
    const put = await fetch(`${b.baseUrl}/api/v1/settings/prices`, {
      method: 'PUT',
      headers: { ...b.auth, 'content-type': 'application/json' },
      body: JSON.stringify([{ model: 'house-model-7b', effectiveFrom: '2020-01-01', inputPerMillion: '2.00', outputPerMillion: '10.00' }]),
    });
    expect(put.status).toBe(200);
    const costFields = ['costStatus', 'pricedModel', 'priceVersion', 'freshInputCostUsd', 'cacheReadCostUsd', 'cacheWriteCostUsd', 'outputCostUsd', 'totalCostUsd'];
    const exported = readFileSync(path.join(workDir, 'calls.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const withoutCosts = (line: Record<string, unknown>) => Object.fromEntries(Object.entries(line).filter(([field]) => !costFields.includes(field)));
    const backfill = exported.map((line, index) => ({ ...line, traceId: (0x100 + index).toString(16).padStart(32, 'd'), feature: 'backfill' }));
    const lines = [
      // Given costs that are wrong are not refused: the server's price replaces them.
      { ...backfill[0], totalCostUsd: '99', outputCostUsd: '97.975' },
      // The caller's own figure, as costscope.cost.usd on a span: kept.
      { ...withoutCosts(backfill[1]!), costStatus: 'reported', totalCostUsd: '0.5' },
      withoutCosts(backfill[2]!),
      withoutCosts(backfill[3]!),
    ];
    const file = path.join(workDir, 'backfill.ndjson');
    writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const run = await costscope(['import', file, '--price'], {}, { server: b });
    expect([run.code, run.stdout]).toEqual([0, `Imported 4 calls from ${file} (4 lines), priced by the server. Calls already stored were not stored again.\n`]);
    expect((await costscope(['import', file, '--price'], {}, { server: b })).code).toBe(0);

    const out = path.join(workDir, 'backfilled.ndjson');
    expect((await costscope(['export', '--out', out], {}, { server: b })).code).toBe(0);
    const stored = readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.feature === 'backfill');
    expect(stored).toHaveLength(4);
    // gpt-5 and claude as server a's ingest priced them, to the atto-dollar, every other field as sent.
    expect(stored[0]).toEqual(backfill[0]);
    expect(stored[3]).toEqual(backfill[3]);
    expect(stored[1]).toEqual({ ...backfill[1], costStatus: 'reported', pricedModel: '', priceVersion: 'reported', freshInputCostUsd: '0.00', cacheReadCostUsd: '0.00', cacheWriteCostUsd: '0.00', outputCostUsd: '0.00', totalCostUsd: '0.50' });
    // Unpriced on server a; server b has an override: 5,000 input at $2 + 50 output at $10 per million.
    expect(exported[2]).toMatchObject({ costStatus: 'unpriced', totalCostUsd: '0.00' });
    expect(stored[2]).toMatchObject({ costStatus: 'priced', freshInputCostUsd: '0.01', outputCostUsd: '0.0005', totalCostUsd: '0.0105' });

    const bad = (traceDigit: string, line: Record<string, unknown>) => JSON.stringify({ ...line, traceId: traceDigit.repeat(32), feature: 'backfill-bad' });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...withoutCosts(backfill[1]!), costStatus: 'reported' }, 'line 2: totalCostUsd: a reported call gives its cost'],
      [{ ...withoutCosts(backfill[1]!), inputTokens: 100_000_001 }, 'line 2: inputTokens: above the 100000000 tokens one call can use'],
      [{ ...withoutCosts(backfill[1]!), time: undefined }, 'line 2: time: Invalid input: expected string, received undefined'],
      [{ ...withoutCosts(backfill[1]!), totalCostUsd: '1.5 USD' }, 'line 2: totalCostUsd: an exact decimal USD string'],
    ];
    for (const [index, [line, message]] of cases.entries()) {
      writeFileSync(file, `${bad('e', withoutCosts(backfill[0]!))}\n${bad(String(index + 1), line)}\n`);
      const refused = await costscope(['import', file, '--price'], {}, { server: b });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`POST /api/v1/calls/import answered 400: ${message}`);
      expect(refused.stderr).toContain('The 1 calls before it are stored');
    }
    const byFeature = Object.fromEntries((await costs(b, 'groupBy=feature')).rows.map((row) => [row.feature, row.requests]));
    expect(byFeature['backfill-bad']).toBe(1);

    // Lines cut anywhere between the body's chunks, with CRLF endings: each read whole.
    const crlf = [0x200, 0x201, 0x202].map((id) => `${JSON.stringify({ ...withoutCosts(backfill[3]!), traceId: id.toString(16).padStart(32, 'f'), feature: 'crlf' })}\r\n`).join('');
    const cuts = [0, 7, crlf.length / 3 + 1, crlf.length / 3 + 2, crlf.length - 2, crlf.length].map(Math.floor);
    const streamed = await fetch(`${b.baseUrl}/api/v1/calls/import?pricing=catalog`, {
      method: 'POST',
      headers: { ...b.auth, 'content-type': 'application/x-ndjson' },
      body: (async function* () {
        for (let i = 1; i < cuts.length; i += 1) yield Buffer.from(crlf.slice(cuts[i - 1], cuts[i]));
      })(),
      duplex: 'half',
    } as unknown as RequestInit);
    expect([streamed.status, await streamed.json()]).toEqual([200, { lines: 3, calls: 3, olderThanRetention: 0 }]);
    const crlfRow = (await costs(b, 'groupBy=feature')).rows.find((row) => row.feature === 'crlf');
    expect(crlfRow?.requests).toBe(3);
    expect(parseUsd(String(crlfRow?.costUsd))).toBe(parseUsd(String(exported[3]!.totalCostUsd)) * 3n);

    const unknownPricing = await fetch(`${b.baseUrl}/api/v1/calls/import?pricing=ours`, { method: 'POST', headers: { ...b.auth, 'content-type': 'application/x-ndjson' }, body: '' });
    expect(unknownPricing.status).toBe(400);
    expect(JSON.stringify(await unknownPricing.json())).toContain('query.pricing');
  });
});

describe('keys, scopes and a server that is down', () => {
  it('exits 3 for a wrong key, a key without the scope, and no key at all', async () => {
    const wrong = await costscope(['prices'], { COSTSCOPE_API_KEY: 'cs_wrong_wrong_wrong_wrong_wrong_00' });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('GET /api/v1/prices answered 401');
    expect(wrong.stderr).toContain('pass --api-key KEY or set COSTSCOPE_API_KEY');

    const created = await costscope(['keys', 'create', '--name', 'cli-reader', '--scope', 'read', '--json']);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const denied = await costscope(['import', path.join(workDir, 'calls.ndjson')], { COSTSCOPE_API_KEY: key });
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('POST /api/v1/calls/import answered 403: This key has the read scope; POST /api/v1/calls/import needs a key with the admin scope or above');
    expect((await costscope(['export'], { COSTSCOPE_API_KEY: key })).code).toBe(0);

    const keyless = await costscope(['prices'], { COSTSCOPE_API_KEY: '' });
    expect(keyless.code).toBe(3);
    expect(keyless.stderr).toMatch(/no API key: pass --api-key, set COSTSCOPE_API_KEY, or run next to the server's .*credentials\.json/);
  });

  it('exits 4 when the server cannot be reached, naming it and what to do', async () => {
    for (const args of [['prices'], ['export'], ['report', 'weekly'], ['whatif', '--feature', 'f', '--model', 'gpt-5']]) {
      const down = await costscope(args, { COSTSCOPE_SERVER_URL: `http://127.0.0.1:${closedPort}` });
      expect(down.code, args.join(' ')).toBe(4);
      expect(down.stderr).toBe(
        `costscope ${args[0]}: cannot reach the Costscope server at http://127.0.0.1:${closedPort} (ECONNREFUSED). Is it running (npm start)? Otherwise pass --server URL or set COSTSCOPE_SERVER_URL.\n`,
      );
    }
  });
});

describe('the installed bin', () => {
  const linked = path.join(REPO_ROOT, 'node_modules', '.bin', 'costscope');

  it('runs from node_modules/.bin: its help and a real command', async () => {
    const help = await costscope(['--help'], {}, { bin: linked });
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: costscope <command> [options]']);
    const prices = await costscope(['prices', '--model', 'gpt-5-nano'], {}, { bin: linked });
    expect(prices.code).toBe(0);
    expect(prices.stdout).toMatch(/^gpt-5-nano\s+openai\s+\S+\s+\$0\.05\s+\$0\.005\s+—\s+\$0\.40\s/m);
  });
});
