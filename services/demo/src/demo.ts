import { formatMoney, usdToExactString } from '@costscope/core';
import { ConnectionError, resolveServerConnection } from './server-connection.js';
import { AlertBaselineCounter, DRIFT_MODEL, ERROR_BURST_SCOPE } from './alert-baselines.js';
import { CallTally, type ModelTally } from './call-tally.js';
import { DEMO_USAGE, DemoUsageError, parseDemoOptions, type DemoOptions } from './demo-options.js';
import { DEMO_SERVICE_NAME, FEATURES } from './example-app.js';
import { estimatedHistorySpans, historyHours, historyWindow, talliedAttempt } from './history.js';
import { planLiveTraffic } from './live-plan.js';
import type { LiveResult } from './live-traffic.js';
import { ProgressBar } from './progress-bar.js';
import { importHistory } from './import-history.js';
import { sendHistory } from './send-history.js';
import { serverBaselines } from './server-baselines.js';
import { DemoError, EXIT, PRICED_IMPORT_ROUTE, probeServer } from './server-probe.js';

/**
 * `npm run demo`: fills a running Costscope with the example app of `example-app.ts` — its
 * history through the import the server prices (or `POST /v1/traces` when the key may not
 * import), then live traffic through the real SDK — and says where
 * to look. Exit codes as the `costscope` CLI's: 0 done, 1 the server answered an error, 2 bad
 * options, 3 no key or a refused one, 4 the server cannot be reached.
 */
export async function runDemo(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(argv);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\n${DEMO_USAGE}\n`);
    return EXIT.usage;
  }
  if (options.help) {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  try {
    await fill(options, env);
    return 0;
  } catch (error) {
    if (error instanceof DemoError || error instanceof ConnectionError) {
      process.stderr.write(`demo: ${error.message}\n`);
      // No key found at all is a key problem, like a refused one.
      return error instanceof DemoError ? error.exitCode : EXIT.key;
    }
    throw error;
  }
}

async function fill(options: DemoOptions, env: NodeJS.ProcessEnv): Promise<void> {
  // With --json the summary owns stdout; everything for people goes to stderr.
  const say = (line = '') => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const connection = await resolveServerConnection({ server: options.server, apiKey: options.apiKey }, env);
  const facts = await probeServer(connection);
  const now = options.now ?? facts.serverNow;
  if (now.getTime() > facts.serverNow.getTime() + 60_000) throw new DemoError(`--now ${now.toISOString()} is ahead of the server's clock (${facts.serverNow.toISOString()}).`);
  let days = options.days;
  if (facts.retentionDays !== undefined && days >= facts.retentionDays) {
    days = facts.retentionDays - 1;
    say(`The server keeps ${facts.retentionDays} days (COSTSCOPE_RETENTION_DAYS): sending ${days} days of history.`);
  }
  const window = historyWindow(options.seed, now, days);
  say(`Costscope at ${connection.server}: filling it with "${DEMO_SERVICE_NAME}", an example support app (seed ${options.seed}).`);
  const route = facts.canImport ? `POST ${PRICED_IMPORT_ROUTE}` : 'POST /v1/traces (this key may not import)';
  say(`History: ${days} days before ${now.toISOString()}, through ${route}.`);

  // The history is generated as it is sent, never held whole; on the way it is counted and
  // priced (what the demo says it sent) and the live incidents' baselines are taken from it.
  const historyTally = new CallTally();
  const baselines = new AlertBaselineCounter(now, facts.timezone);
  const counted = function* () {
    for (const hour of historyHours(window)) {
      for (const span of hour) baselines.add(span, historyTally.add(talliedAttempt(span)));
      yield hour;
    }
  };
  const estimate = estimatedHistorySpans(window);
  const historyStarted = performance.now();
  const bar = new ProgressBar('history', estimate);
  let sent = 0;
  const onSent = (spans: readonly unknown[]) => {
    sent += spans.length;
    bar.update(sent, `${count(sent)} calls, ${formatMoney(historyTally.costUsd)}`);
  };
  const result = facts.canImport ? await importHistory(connection, counted(), onSent) : await sendHistory(connection, counted(), onSent);
  bar.finish(`${count(sent)} calls`);
  const historySeconds = (performance.now() - historyStarted) / 1000;
  say(`Sent ${count(result.spans)} calls (${formatMoney(historyTally.costUsd)}) in ${historySeconds.toFixed(1)} s, ${count(Math.round(result.spans / Math.max(historySeconds, 0.001)))} calls/s.`);
  if (result.rejectedSpans > 0) say(`The server refused ${count(result.rejectedSpans)} of them: ${result.rejectReasons.join('; ')}`);

  let live: LiveResult | undefined;
  let plan: ReturnType<typeof planLiveTraffic> | undefined;
  if (options.liveMs > 0) {
    // Sized from what the server holds when the key may read it (it may hold more than this
    // run sent), else from the history just sent. The rules will judge at the live phase's time.
    const liveStart = new Date(facts.serverNow.getTime() + (Date.now() - facts.probedAtMs));
    const held = await serverBaselines(connection, liveStart, facts.timezone);
    plan = planLiveTraffic(options.seed, options.liveMs, held ?? baselines.baselines(), liveStart);
    say('');
    say(`Live: ${seconds(options.liveMs)} of traffic through @costscope/sdk around the real openai and @anthropic-ai/sdk clients,`);
    say(`answered by a provider stand-in on loopback. Incidents in the first part of it:`);
    say(`  - spend spike: ${plan.spendSpike.requests} bulk summaries (${formatMoney(plan.spendSpike.costUsd)}) by enterprise user ${plan.spendSpike.user.id}`);
    say(`  - error burst: ${plan.errorBurst.requests} chat answers, ${plan.errorBurst.refusedAttempts} first attempts refused with 429`);
    say(`  - output drift: ${plan.outputDrift.requests} ${DRIFT_MODEL} answers of ~${count(plan.outputDrift.answerTokens)} tokens`);
    // The provider clients and the SDK load only when there is live traffic to make.
    const { runLiveTraffic } = await import('./live-traffic.js');
    const liveBar = new ProgressBar('live', plan.requests.length);
    live = await runLiveTraffic(connection, plan, options.liveMs, (done, tally) =>
      liveBar.update(done, `${count(tally.calls)} calls, ${formatMoney(tally.costUsd)}`),
    );
    liveBar.finish(`${count(live.tally.calls)} calls, ${formatMoney(live.tally.costUsd)}`);
    say(`Made ${count(live.tally.calls)} calls (${formatMoney(live.tally.costUsd)}) in ${(live.elapsedMs / 1000).toFixed(1)} s.`);
  }

  const dashboard = (env.COSTSCOPE_DASHBOARD_URL ?? `http://localhost:${env.DASHBOARD_PORT ?? '3000'}`).replace(/\/+$/, '');
  say('');
  say(`Where to look (the dashboard of \`npm start\`):`);
  const look = (page: string, what: string) => say(`  ${`${dashboard}${page}`.padEnd(dashboard.length + 28)} ${what}`);
  look('/', `spend over ${days} days, by feature and model`);
  look(`/features/${FEATURES.supportChat}`, "the chatbot's routing across model tiers");
  look('/users', 'free, paid and enterprise customers');
  look('/savings', 'what caching, batching and routing save');
  if (live) {
    look('/alerts', `at the scheduler's next evaluation (every COSTSCOPE_ALERTS_INTERVAL, 5 min by default):`);
    say(`      Daily spend spike (whole project, feature ${FEATURES.ticketSummary}),`);
    say(`      Error rate (feature ${ERROR_BURST_SCOPE.feature} · endpoint ${ERROR_BURST_SCOPE.endpoint}),`);
    say(`      Output tokens per call rising (feature ${FEATURES.supportChat} · model ${DRIFT_MODEL})`);
  }

  if (options.json) {
    const summary = {
      server: connection.server,
      seed: options.seed,
      now: now.toISOString(),
      from: window.from.toISOString(),
      timezone: facts.timezone,
      history: { calls: historyTally.calls, costUsd: usdToExactString(historyTally.costUsd), seconds: historySeconds, rejectedSpans: result.rejectedSpans, models: modelsJson(historyTally.models()) },
      live:
        live && plan
          ? {
              calls: live.tally.calls,
              costUsd: usdToExactString(live.tally.costUsd),
              seconds: live.elapsedMs / 1000,
              models: modelsJson(live.tally.models()),
              incidents: {
                spendSpike: { requests: plan.spendSpike.requests, costUsd: usdToExactString(plan.spendSpike.costUsd), userId: plan.spendSpike.user.id },
                errorBurst: plan.errorBurst,
                outputDrift: { ...plan.outputDrift, model: DRIFT_MODEL },
              },
            }
          : null,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  }
}

function modelsJson(models: readonly ModelTally[]) {
  return models.map((model) => ({ ...model, costUsd: usdToExactString(model.costUsd) }));
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(ms % 60_000 === 0 ? 0 : 1)} min` : `${(ms / 1000).toFixed(0)} s`;
}

process.exitCode = await runDemo(process.argv.slice(2), process.env);
