import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServerConnection } from './server-connection.js';
import { CliError, EXIT } from './cli-errors.js';

/**
 * The CLI's HTTP calls to the server's API, with every failure turned into a `CliError` whose
 * exit code says which kind it is: unreachable (4), key refused (3), any other error answer (1).
 */
export class ApiClient {
  constructor(private readonly connection: ServerConnection) {}

  get server(): string {
    return this.connection.server;
  }

  /** A JSON request; answers the parsed JSON of a 2xx answer. */
  async json<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.send(method, route, {
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * Sends a stream as the body of a POST at the pace the server reads it, and answers the
   * parsed JSON. Not `fetch`: measured here, undici's fetch kept a streamed body's bytes in memory
   * (an 80 MB import grew the CLI by 100 MB, 240 MB by 250 MB); node:http's pipeline waits for the
   * socket instead.
   */
  async upload<T>(route: string, body: Readable, contentType: string): Promise<T> {
    const url = new URL(`${this.connection.server}${route}`);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.connection.apiKey}`, 'content-type': contentType },
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) => request.once('response', resolve).once('error', reject));
    const sent = pipeline(body, request);
    let response: IncomingMessage;
    try {
      // The server may answer (a 400 for a bad line) before the whole body is sent.
      response = await Promise.race([answered, sent.then(() => answered)]);
    } catch (error) {
      throw unreachable(this.connection.server, error);
    }
    sent.catch(() => undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return JSON.parse(text) as T;
    throw await answerError('POST', route, new Response(text, { status }));
  }

  /** Any request whose answer is read as a stream (a 2xx answer; errors are thrown). */
  async send(method: string, route: string, init: { headers?: Record<string, string>; body?: RequestInit['body'] } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.server}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.connection.apiKey}`, ...init.headers },
        body: init.body,
      });
    } catch (error) {
      throw unreachable(this.connection.server, error);
    }
    if (response.ok) return response;
    throw await answerError(method, route, response);
  }
}

/** The error for a non-2xx answer: exit 3 for the key (401, 403), 1 for anything else. */
async function answerError(method: string, route: string, response: Response): Promise<CliError> {
  const message = await errorMessage(response);
  const what = `${method} ${route.split('?')[0]} answered ${response.status}: ${message}`;
  if (response.status === 401) {
    return new CliError(`${what}\nThe server does not know this key (or it was revoked): pass --api-key KEY or set COSTSCOPE_API_KEY to a key of the project.`, EXIT.auth);
  }
  if (response.status === 403) {
    return new CliError(`${what}\nUse a key with that scope; an admin can make one with: costscope keys create --name NAME --scope read|admin`, EXIT.auth);
  }
  return new CliError(what, EXIT.serverError);
}

/** The server's own message (`{ message }`), else the start of whatever it answered. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === 'string') return json.message;
    if (Array.isArray(json.message)) return json.message.join('; ');
  } catch {
    // Not our JSON: a proxy's page, say.
  }
  return text.trim().slice(0, 300) || response.statusText;
}

export function unreachable(server: string, error: unknown): CliError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : String(cause);
  return new CliError(
    `cannot reach the Costscope server at ${server} (${reason}). Is it running (npm start)? Otherwise pass --server URL or set COSTSCOPE_SERVER_URL.`,
    EXIT.unreachable,
  );
}
