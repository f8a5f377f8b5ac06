/**
 * The ingest benchmark's load generator, run as its own process so it does not share the
 * server's event loop: `node --import tsx bench/ingest-load-generator.ts '<json options>'`.
 * Closed loop: `concurrency` requests in flight for `seconds`, or open loop at `ratePerSecond`.
 * Prints one JSON line of results.
 */
import { request } from 'node:http';
import { buildOtlpBodies, CONTENT_TYPE, SPANS_PER_REQUEST, type BenchEncoding } from './ingest-bodies.js';

type Options = {
  url: string;
  apiKey: string;
  seconds: number;
  concurrency: number;
  ratePerSecond?: number;
  bodies: number;
  seed: number;
  /** Protobuf by default. */
  encoding?: BenchEncoding;
  /** Epoch ms to start sending at, after the bodies are built (the soak starts the next minute's generator early). */
  startAt?: number;
};
const options = JSON.parse(process.argv[2] ?? '{}') as Options;

const buildStarted = performance.now();
const encoding = options.encoding ?? 'protobuf';
const bodies = buildOtlpBodies(options.bodies, { seed: options.seed, encoding });
const buildMs = performance.now() - buildStarted;

const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: Math.max(options.concurrency, 64) });
const target = new URL(options.url);

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: '/v1/traces',
        method: 'POST',
        headers: {
          'content-type': CONTENT_TYPE[encoding],
          'content-encoding': 'gzip',
          'content-length': body.length,
          authorization: `Bearer ${options.apiKey}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

if (options.startAt !== undefined) {
  const wait = options.startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

const latencies: number[] = [];
const statuses: Record<string, number> = {};
let next = 0;

async function one(): Promise<void> {
  // Each body is sent once: every span is new, as in production.
  const body = bodies[next++];
  if (!body) return;
  const started = performance.now();
  // A request that got no answer (reset, refused) is counted, not fatal: the soak reports it.
  const status = await post(body).catch(() => 'error' as const);
  latencies.push(performance.now() - started);
  statuses[status] = (statuses[status] ?? 0) + 1;
}

const started = performance.now();
const deadline = started + options.seconds * 1000;
if (options.ratePerSecond) {
  const inFlight = new Set<Promise<void>>();
  const interval = 1000 / options.ratePerSecond;
  for (let i = 0; performance.now() < deadline && next < bodies.length; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = one().finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  }
  await Promise.all(inFlight);
} else {
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && next < bodies.length) await one();
    }),
  );
}
const elapsed = (performance.now() - started) / 1000;

latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    spans: latencies.length * SPANS_PER_REQUEST,
    seconds: elapsed,
    spansPerSecond: (latencies.length * SPANS_PER_REQUEST) / elapsed,
    p50Ms: quantile(0.5),
    p99Ms: quantile(0.99),
    maxMs: latencies.at(-1) ?? 0,
    statuses,
    bodiesExhausted: next >= bodies.length,
    buildSeconds: buildMs / 1000,
  })}\n`,
);
agent.destroy();
