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

  /** Any request whose answer is read as a stream (a 2xx answer; errors are thrown). */
  async send(method: string, route: string, init: { headers?: Record<string, string>; body?: RequestInit['body'] } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.server}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.connection.apiKey}`, ...init.headers },
        body: init.body,
        // A streamed request body (an import) is sent as it is read.
        ...(init.body && typeof init.body === 'object' && Symbol.asyncIterator in init.body ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      throw unreachable(this.connection.server, error);
    }
    if (response.ok) return response;
    const message = await errorMessage(response);
    const what = `${method} ${route.split('?')[0]} answered ${response.status}: ${message}`;
    if (response.status === 401) {
      throw new CliError(`${what}\nThe server does not know this key (or it was revoked): pass --api-key KEY or set COSTSCOPE_API_KEY to a key of the project.`, EXIT.auth);
    }
    if (response.status === 403) {
      throw new CliError(`${what}\nUse a key with that scope; an admin can make one with: costscope keys create --name NAME --scope read|admin`, EXIT.auth);
    }
    throw new CliError(what, EXIT.serverError);
  }
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
