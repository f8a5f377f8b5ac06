import { otlpJsonBody } from '../../support/otlp-json.js';

export type LoadResult = {
  /** Span ids of every span whose request was answered 200: these must all be stored. */
  acknowledged: Set<string>;
  /** Span ids of every span sent, answered or not: nothing outside it may be stored. */
  sent: Set<string>;
  /** Answers by status; `error` counts requests that got no answer (connection refused, reset). */
  statuses: Record<string, number>;
};

export type SpanLoad = {
  /** Stops sending and resolves once every request in flight has its answer. */
  stop: () => Promise<LoadResult>;
  /** Requests answered 200 so far: lets a test wait until the load has reached a phase. */
  acknowledgedRequests: () => number;
};

export type SpanLoadOptions = {
  /** The server's base URL, read before every request so a test can point the load at a new process. */
  target: () => { baseUrl: string; auth: { Authorization: string } };
  /** Requests in flight at once. */
  concurrency: number;
  spansPerRequest: number;
  /** Distinguishes the span ids of two loads in one test. */
  label: number;
  feature?: string;
  model?: string;
};

/**
 * A closed-loop OTLP/JSON sender: `concurrency` loops, each posting a request of new spans (unique
 * span ids) as soon as the previous one is answered, recording which spans were acknowledged. A
 * failed request is not retried: the test counts what was acknowledged against what is stored.
 */
export function startSpanLoad(options: SpanLoadOptions): SpanLoad {
  const result: LoadResult = { acknowledged: new Set(), sent: new Set(), statuses: {} };
  let running = true;
  let next = 0;
  let acknowledgedRequests = 0;
  const start = Date.now() - 60_000;
  const loop = async (): Promise<void> => {
    while (running) {
      const spanIds = Array.from({ length: options.spansPerRequest }, () => {
        next += 1;
        return `${options.label.toString(16).padStart(4, '0')}${next.toString(16).padStart(12, '0')}`;
      });
      for (const spanId of spanIds) result.sent.add(spanId);
      const body = otlpJsonBody(
        spanIds.map((spanId, index) => ({
          traceId: `${options.label.toString(16).padStart(8, '0')}${'e'.repeat(24)}`,
          spanId,
          start: new Date(start + index),
          attributes: {
            'gen_ai.request.model': options.model ?? 'gpt-5',
            'gen_ai.usage.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 100,
            'costscope.feature': options.feature ?? 'load',
          },
        })),
      );
      const { baseUrl, auth } = options.target();
      let status: string;
      try {
        const response = await fetch(`${baseUrl}/v1/traces`, {
          method: 'POST',
          body,
          headers: { ...auth, 'content-type': 'application/json' },
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        status = String(response.status);
      } catch {
        status = 'error';
      }
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status === '200') {
        acknowledgedRequests += 1;
        for (const spanId of spanIds) result.acknowledged.add(spanId);
      } else if (status === 'error') {
        // The server is gone (killed, restarting): do not spin on refused connections.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, () => loop());
  return {
    acknowledgedRequests: () => acknowledgedRequests,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** Resolves when `condition` holds, checking every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
