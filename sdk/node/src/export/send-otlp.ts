import type { Agent, IncomingMessage, request as httpRequest } from 'node:http';

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;

/**
 * Sends one encoded export (OTLP/HTTP protobuf), retrying as OpenTelemetry's exporter does: on
 * 429/502/503/504 and on connection errors, up to five attempts with jittered exponential backoff
 * (or the server's `Retry-After`), all within `timeoutMs`. Never rejects: `ok` says whether the
 * server took it. Sockets and timers are unref'd (see `unrefAgent`).
 */
export async function sendOtlp(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<{ ok: boolean; error?: unknown }> {
  const deadline = Date.now() + timeoutMs;
  const transport = await transportFor(url.protocol);
  let backoff = FIRST_BACKOFF_MS;
  for (let attempt = 1; ; attempt += 1) {
    const left = deadline - Date.now();
    const answer = await post(transport, url, headers, body, left).then(
      (response) => ({ status: response.status, retryAfter: response.retryAfter, error: undefined as unknown }),
      (error: unknown) => ({ status: 0, retryAfter: undefined, error }),
    );
    if (answer.status >= 200 && answer.status < 300) return { ok: true };
    const retryable = answer.status === 0 || RETRYABLE_STATUSES.has(answer.status);
    const wait = answer.retryAfter ?? Math.round(backoff * (0.5 + Math.random() / 2));
    if (!retryable || attempt >= MAX_ATTEMPTS || Date.now() + wait >= deadline) {
      return { ok: false, error: answer.error ?? new Error(`the Costscope server answered ${String(answer.status)}`) };
    }
    await new Promise((resolve) => setTimeout(resolve, wait).unref());
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function post(
  { request, agent }: Transport,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: number | undefined }> {
  return new Promise((resolve, reject) => {
    const sent = request(
        url,
        { method: 'POST', agent, timeout: timeoutMs, headers: { ...headers, 'Content-Type': 'application/x-protobuf', 'Content-Length': String(body.length) } },
        (response: IncomingMessage) => {
          // The answer's body (an ExportTraceServiceResponse) is read and dropped so the socket is reused.
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: retryAfterMs(response.headers['retry-after']) }));
          response.on('error', reject);
        },
      );
    sent.on('timeout', () => sent.destroy(new Error('the Costscope server did not answer in time')));
    sent.on('error', reject);
    sent.end(body);
  });
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

interface Transport {
  request: typeof httpRequest;
  agent: Agent;
}

const transports = new Map<string, Promise<Transport>>();

/** `node:http` or `node:https` and its agent, loaded at the first export (see `unrefAgent`). */
function transportFor(protocol: string): Promise<Transport> {
  let transport = transports.get(protocol);
  if (transport === undefined) {
    transport = Promise.all([protocol === 'http:' ? import('node:http') : import('node:https'), unrefAgent(protocol)]).then(
      ([module, agent]) => ({ request: module.request, agent }),
    );
    transports.set(protocol, transport);
  }
  return transport;
}

/**
 * An HTTP agent whose sockets do not keep the process alive: an export waiting on a Costscope
 * server that hangs must not keep a finished app running. (The flush at exit keeps the process up
 * for its own bounded wait.) Loaded lazily, as OpenTelemetry's exporter docs ask, so HTTP
 * instrumentations can patch the module first.
 */
export async function unrefAgent(protocol: string): Promise<Agent> {
  const transport = protocol === 'http:' ? await import('node:http') : await import('node:https');
  const agent = new transport.Agent({ keepAlive: true }) as Agent;
  const withConnection = agent as unknown as { createConnection: (...args: unknown[]) => { unref?: () => void } | undefined };
  const createConnection = withConnection.createConnection;
  withConnection.createConnection = function (this: unknown, ...args: unknown[]) {
    const socket = createConnection.apply(this, args);
    socket?.unref?.();
    return socket;
  };
  return agent;
}
