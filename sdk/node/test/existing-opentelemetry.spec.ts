import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInCallCost, startCostscopeServer, WORKSPACE_ROOT, type CostscopeServer } from './support/costscope-server.js';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { ProviderStandIn, responseModel } from './support/provider-stand-in.js';
import { APPS_DIR, runApp, type AppRun } from './support/run-app.js';

/**
 * An app on `@opentelemetry/sdk-node` with its own OTLP/HTTP exporter to its own collector and
 * HTTP instrumentation (`test/apps/otel-sdk-node`), in each way it can meet Costscope. The app
 * calls itself over HTTP; its handler opens a span of its own and calls the real `openai` and
 * `@anthropic-ai/sdk` clients against the stand-in. Costscope's exports pass through a tap that
 * records them on their way to a real Costscope server.
 */
const SETUPS: Array<{ setup: string; file: string; nodeArgs: string[]; allowedWarnings: RegExp[] }> = [
  {
    setup: "Costscope's --import @costscope/sdk/register before the app's NodeSDK.start()",
    file: 'otel.mjs',
    nodeArgs: ['--import', '@costscope/sdk/register', '--import', './otel-sdk-node/otel.mjs'],
    allowedWarnings: [],
  },
  {
    setup: "the app's NodeSDK first, then init() in code",
    file: 'otel-then-costscope.mjs',
    nodeArgs: ['--import', './otel-sdk-node/otel-then-costscope.mjs'],
    allowedWarnings: [],
  },
  {
    setup: "createCostscopeSpanProcessor() in NodeSDK's spanProcessors",
    file: 'otel-with-costscope-processor.mjs',
    nodeArgs: ['--import', './otel-sdk-node/otel-with-costscope-processor.mjs'],
    allowedWarnings: [],
  },
  {
    setup: 'createCostscopeSpanProcessor() in NodeSDK, and --import @costscope/sdk/register as well',
    file: 'otel-with-costscope-processor.mjs',
    nodeArgs: ['--import', '@costscope/sdk/register', '--import', './otel-sdk-node/otel-with-costscope-processor.mjs'],
    // The setup file's init() finds the instance the register module started.
    allowedWarnings: [/^costscope: init\(\) was called twice; the first settings stay in force$/],
  },
];

/**
 * What Node prints when the app registers OpenTelemetry's import hook after Costscope did
 * (`import-in-the-middle` allows one per process; Costscope's stays and takes the app's modules).
 */
const IMPORT_HOOK_WARNING = [/^\(node:\d+\) Warning: The 'import-in-the-middle' hook has already been initialized$/, /^\(Use `node --trace-warnings \.\.\.` to show/];

const standIn = new ProviderStandIn();
const appCollector = new OtlpReceiver();
let costscopeTap: OtlpReceiver;
let server: CostscopeServer;
let standInUrl: string;
let appCollectorUrl: string;
let costscopeTapUrl: string;

beforeAll(async () => {
  standInUrl = await standIn.start();
  appCollectorUrl = await appCollector.start();
  server = await startCostscopeServer();
  costscopeTap = new OtlpReceiver({ forwardTo: server.url });
  costscopeTapUrl = await costscopeTap.start();
}, 120_000);
afterAll(async () => {
  await standIn.stop();
  await appCollector.stop();
  await costscopeTap?.stop();
  await server?.stop();
});

describe.each(SETUPS.map((setup, index) => ({ ...setup, feature: `otel-setup-${index + 1}` })))('$setup', ({ file, nodeArgs, allowedWarnings, feature }) => {
  let run: AppRun;
  let appSpans: ReceivedSpan[];
  let costscopeSpans: ReceivedSpan[];

  beforeAll(async () => {
    appCollector.clear();
    costscopeTap.clear();
    run = await runApp('otel-sdk-node/app.mjs', {
      nodeArgs,
      env: {
        APP_OTEL_SETUP: `./${file}`,
        FEATURE: feature,
        STAND_IN_URL: standInUrl,
        COSTSCOPE_ENDPOINT: costscopeTapUrl,
        COSTSCOPE_API_KEY: server.apiKey,
        OTEL_EXPORTER_OTLP_ENDPOINT: appCollectorUrl,
        // The app's collector here takes traces only.
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        // OpenTelemetry's own complaints (a second global provider, context manager or
        // propagator; spans exported before their resource settled) go to stderr.
        OTEL_LOG_LEVEL: 'warn',
      },
    });
    appSpans = [...appCollector.spans];
    costscopeSpans = [...costscopeTap.spans];
  }, 60_000);

  it('runs the app as without Costscope: its answer, its provider global, nothing on stderr', () => {
    const unexpected = run.stderr
      .split('\n')
      .filter((line) => line !== '' && ![...IMPORT_HOOK_WARNING, ...allowedWarnings].some((allowed) => allowed.test(line)));
    expect(unexpected).toEqual([]);
    expect(run.exitCode).toBe(0);
    // NodeSDK's provider class; Costscope's own would be a NodeTracerProvider.
    expect(JSON.parse(run.stdout.trim())).toEqual({ answer: 'Hello from the stand-in', globalProvider: 'TracerProvider' });
  });

  it("keeps all the app's own spans, once each, in one trace: HTTP client → HTTP server → its span → the LLM spans", () => {
    const byName = (scope: string, name: string, kind?: number) =>
      appSpans.filter((span) => span.scope === scope && span.name === name && (kind === undefined || span.kind === kind));
    const [httpClient, ...moreClients] = byName('@opentelemetry/instrumentation-http', 'POST', 3);
    const [httpServer, ...moreServers] = byName('@opentelemetry/instrumentation-http', 'POST', 2);
    const [answer, ...moreAnswers] = byName('support-bot', 'answer-question');
    const llm = appSpans.filter((span) => span.scope.startsWith('@costscope/sdk'));
    expect([moreClients, moreServers, moreAnswers]).toEqual([[], [], []]);
    expect(httpClient?.parentSpanId).toBe('');
    expect(httpServer?.parentSpanId).toBe(httpClient?.spanId);
    expect(answer?.parentSpanId).toBe(httpServer?.spanId);
    expect(llm.map((span) => [span.name, span.parentSpanId]).sort()).toEqual([
      ['chat claude-sonnet-4-6', answer?.spanId],
      ['chat gpt-4.1-mini', answer?.spanId],
    ]);
    expect(new Set(appSpans.map((span) => span.traceId))).toEqual(new Set([httpClient?.traceId]));
    expect(new Set(appSpans.map((span) => span.resource['service.name']))).toEqual(new Set(['support-bot']));
  });

  it('sends Costscope the LLM spans only, each once: the same spans the app has, with its key', () => {
    const llmInApp = appSpans.filter((span) => span.scope.startsWith('@costscope/sdk'));
    expect(costscopeSpans.map((span) => [span.name, span.spanId, span.traceId, span.parentSpanId]).sort()).toEqual(
      llmInApp.map((span) => [span.name, span.spanId, span.traceId, span.parentSpanId]).sort(),
    );
    expect(costscopeSpans).toHaveLength(2);
    expect(new Set(costscopeTap.exports.map((e) => e.authorization))).toEqual(new Set([`Bearer ${server.apiKey}`]));
  });

  it('has both calls priced in /api/v1/costs under the feature the app tagged', async () => {
    const rows = await server.costsOf(feature, 2);
    expect(rows.sort((a, b) => a.model.localeCompare(b.model))).toEqual([
      expect.objectContaining({ model: responseModel('claude-sonnet-4-6'), requests: 1, unpricedRequests: 0, costUsd: standInCallCost('claude-sonnet-4-6', 'anthropic') }),
      expect.objectContaining({ model: responseModel('gpt-4.1-mini'), requests: 1, unpricedRequests: 0, costUsd: standInCallCost('gpt-4.1-mini', 'openai') }),
    ]);
  });
});

describe('docs/sdk.md, "Apps that already use OpenTelemetry"', () => {
  const docs = readFileSync(join(WORKSPACE_ROOT, 'docs', 'sdk.md'), 'utf8');

  it.each(['otel.mjs', 'otel-then-costscope.mjs', 'otel-with-costscope-processor.mjs'])('shows %s as the test runs it', (file) => {
    const source = readFileSync(join(APPS_DIR, 'otel-sdk-node', file), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('/* eslint-disable'))
      .join('\n');
    expect(docs).toContain(source);
  });

  it('shows the command lines the test runs', () => {
    expect(docs).toContain('node --import @costscope/sdk/register --import ./otel.mjs app.mjs');
    expect(docs).toContain('node --import ./otel.mjs app.mjs');
  });
});
