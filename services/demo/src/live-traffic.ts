import Anthropic from '@anthropic-ai/sdk';
import { init, withTags } from '@costscope/sdk';
import OpenAI from 'openai';
import type { ServerConnection } from './server-connection.js';
import type { CallTally } from './call-tally.js';
import { DEMO_SERVICE_NAME, type PlannedCall } from './example-app.js';
import type { LivePlan, LiveRequest } from './live-plan.js';
import { ProviderStandIn, standInHeaders } from './provider-stand-in.js';

/** Requests of the app in flight at once (a small app server's worth). */
const CONCURRENCY = 16;

export type LiveResult = { tally: CallTally; elapsedMs: number; providerUrl: string };

/**
 * Runs the live phase as the app would: `@costscope/sdk` instruments the real `openai` and
 * `@anthropic-ai/sdk` clients, each request is tagged with `withTags`, and the clients talk to
 * the provider stand-in on loopback. The SDK exports its spans to the Costscope server like any
 * app's; the stand-in's tally says what those spans should add up to.
 */
export async function runLiveTraffic(
  connection: ServerConnection,
  plan: LivePlan,
  durationMs: number,
  onProgress: (done: number, tally: CallTally) => void,
): Promise<LiveResult> {
  const standIn = new ProviderStandIn();
  const providerUrl = await standIn.start();
  const costscope = init({
    endpoint: connection.server,
    apiKey: connection.apiKey,
    serviceName: DEMO_SERVICE_NAME,
    // The clients are imported above, before the SDK started: patch them directly.
    modules: { openai: OpenAI, anthropic: Anthropic },
    // flushOnExit stays on: Ctrl-C in the live phase still sends the calls already made.
    // The incidents make a few hundred calls in seconds; none of their spans may be dropped.
    maxQueueSize: 100_000,
  });
  try {
    await costscope.ready;
    const openai = new OpenAI({ apiKey: 'sk-demo-stand-in', baseURL: `${providerUrl}/v1`, maxRetries: 2 });
    const anthropic = new Anthropic({ apiKey: 'sk-ant-demo-stand-in', baseURL: providerUrl, maxRetries: 2 });
    const startedAt = Date.now();
    let done = 0;
    let next = 0;
    let serial = 0;

    const worker = async () => {
      for (let request = plan.requests[next++]; request !== undefined; request = plan.requests[next++]) {
        const waitMs = startedAt + request.atMs - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        await runRequest(request, (call) => makeCall(openai, anthropic, call, (serial += 1)));
        done += 1;
        onProgress(done, standIn.tally);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // The phase lasts as long as asked even when its last request started early.
    const left = startedAt + durationMs - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    await costscope.forceFlush();
    return { tally: standIn.tally, elapsedMs: Date.now() - startedAt, providerUrl };
  } finally {
    await costscope.shutdown();
    await standIn.stop();
  }
}

async function runRequest(request: LiveRequest, call: (planned: PlannedCall) => Promise<unknown>): Promise<void> {
  for (const planned of request.calls) {
    const tags = {
      feature: planned.feature,
      endpoint: planned.endpoint,
      priority: planned.priority,
      ...(planned.user ? { userId: planned.user.id, userTier: planned.user.tier } : {}),
    };
    await withTags(tags, () => call(planned));
  }
}

/**
 * One call through the real client. The message text is unique per call: the SDK counts a request
 * identical to one that failed recently as that request's retry, and these are all first tries.
 */
function makeCall(openai: OpenAI, anthropic: Anthropic, planned: PlannedCall, serial: number): Promise<unknown> {
  const headers = standInHeaders(planned.usage, planned.finishReason, planned.failFirstWith);
  const question = `Ticket ${serial}: my order arrived damaged, what are my options?`;
  if (planned.provider === 'anthropic') {
    return anthropic.messages.create(
      {
        model: planned.model,
        max_tokens: planned.maxTokens,
        system: 'You are Acme Support. Summarize the ticket for the agent: the problem, what was tried, what the customer wants.',
        messages: [{ role: 'user', content: question }],
      },
      { headers },
    );
  }
  return openai.chat.completions.create(
    { model: planned.model, max_completion_tokens: planned.maxTokens, messages: [{ role: 'user', content: question }] },
    { headers },
  );
}
