import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';

describe('flushing at the end of a process', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  let env: Record<string, string>;
  beforeEach(async () => {
    receiver.clear();
    env = { STAND_IN_URL: await standIn.start(), COSTSCOPE_ENDPOINT: await receiver.start() };
  });
  afterEach(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('sends the spans on SIGTERM, then dies of SIGTERM as the app would have without Costscope', async () => {
    const run = await runApp('lifecycle-app.mjs', {
      nodeArgs: ['--import', '@costscope/sdk/register'],
      env,
      onLine: (line, child) => {
        if (line === 'ready') child.kill('SIGTERM');
      },
    });
    expect(run.signal).toBe('SIGTERM');
    expect(receiver.spans.map((span) => span.attributes['gen_ai.request.model'])).toEqual(['gpt-before-sigterm']);
  });

  it('sends the spans on SIGTERM and leaves the exit to the app\'s own handler', async () => {
    const run = await runApp('lifecycle-app.mjs', {
      nodeArgs: ['--import', '@costscope/sdk/register'],
      env: { ...env, APP_SIGTERM_HANDLER: '1' },
      onLine: (line, child) => {
        if (line === 'ready') child.kill('SIGTERM');
      },
    });
    expect(run.stdout).toBe('ready\napp handler ran\n');
    expect(run.signal).toBe(null);
    expect(run.exitCode).toBe(0);
    expect(receiver.spans.map((span) => span.attributes['gen_ai.request.model'])).toEqual(['gpt-before-sigterm']);
  });
});

describe('an app with its own OpenTelemetry tracer provider', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  afterEach(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it.each<{ wiring: string; env: Record<string, string> }>([
    { wiring: 'init() joins the provider', env: {} },
    { wiring: 'the app wired createCostscopeSpanProcessor() itself, and init() adds no second one', env: { APP_WIRES_PROCESSOR: '1' } },
  ])('keeps its provider global, sees the LLM span under its own span, and Costscope receives only the LLM span, once ($wiring)', async ({ env }) => {
    receiver.clear();
    const run = await runApp('existing-provider-app.mjs', {
      env: { ...env, STAND_IN_URL: await standIn.start(), COSTSCOPE_ENDPOINT: await receiver.start() },
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout.trim()) as {
      globalIsAppProvider: boolean;
      appSpans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[];
    };
    expect(report.globalIsAppProvider).toBe(true);
    expect(report.appSpans.map((span) => span.name)).toEqual(['chat gpt-joined', 'POST /api/answer']);
    const [llmSpan, requestSpan] = report.appSpans;
    expect(llmSpan?.parentSpanId).toBe(requestSpan?.spanId);

    expect(receiver.spans).toHaveLength(1);
    expect(receiver.spans[0]?.name).toBe('chat gpt-joined');
    expect(receiver.spans[0]?.traceId).toBe(requestSpan?.traceId);
    expect(receiver.spans[0]?.parentSpanId).toBe(requestSpan?.spanId);
    expect(receiver.spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(1200);
  });

  it('that samples traces still has every call counted when Costscope gets its own always-on provider', async () => {
    receiver.clear();
    const run = await runApp('sampled-app.mjs', {
      env: { STAND_IN_URL: await standIn.start(), COSTSCOPE_ENDPOINT: await receiver.start() },
    });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout.trim()) as { requestTraceId: string; appSpans: number };
    expect(report.appSpans).toBe(0);
    expect(receiver.spans.map((span) => [span.name, span.traceId])).toEqual([['chat gpt-sampled-app', report.requestTraceId]]);
  });
});
