import type { ServerConnection } from './server-connection.js';

/**
 * A problem the user can act on: the demo prints the message and exits with `exitCode`, the
 * `costscope` CLI's codes (docs/cli.md) so scripts treat both alike.
 */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.serverError,
  ) {
    super(message);
  }
}

export const EXIT = { serverError: 1, usage: 2, key: 3, unreachable: 4 } as const;

/** The import that has the server price each call as its ingest prices a span (docs/api.md). */
export const PRICED_IMPORT_ROUTE = '/api/v1/calls/import?pricing=catalog';

export type ServerFacts = {
  /** The server's clock (its `Date` header): "now" for the history, whatever this machine's clock says. */
  serverNow: Date;
  /** This machine's clock when `serverNow` was read, to tell the server's time later on. */
  probedAtMs: number;
  /** The project's `COSTSCOPE_TIMEZONE`, where its days start; UTC when the key may not read it. */
  timezone: string;
  retentionDays: number | undefined;
  /**
   * The key may use the priced import (an admin key, a server with the `api` role): the history
   * goes through it, ~10× faster than as spans. Otherwise (an ingest key, an ingest-only server)
   * it goes to `/v1/traces` as the app's own spans would.
   */
  canImport: boolean;
};

/**
 * Checks before sending anything: the server answers, the key may send spans (an empty export
 * is accepted only with a key of the ingest scope or above), and what time it is there.
 */
export async function probeServer(connection: ServerConnection): Promise<ServerFacts> {
  const { server, apiKey } = connection;
  let health: Response;
  try {
    health = await fetch(`${server}/healthz`);
  } catch (error) {
    throw new DemoError(
      `Costscope is not answering at ${server} (${reasonOf(error)}).\n` +
        'Start it first (`npm start` in another terminal), or point COSTSCOPE_SERVER_URL / --server at it.',
      EXIT.unreachable,
    );
  }
  if (!health.ok) throw new DemoError(`Costscope at ${server} is not healthy: /healthz answered ${health.status}.`);

  const probe = await fetch(`${server}/v1/traces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [] }),
  });
  if (probe.status === 401) {
    throw new DemoError(
      `Costscope at ${server} refused the API key (401).\n` +
        "Use the project key `npm start` printed (it is in the data directory's credentials.json): --api-key or COSTSCOPE_API_KEY.",
      EXIT.key,
    );
  }
  if (probe.status === 403) throw new DemoError('This API key may not send spans (403): the demo needs a key with the ingest scope.', EXIT.key);
  if (!probe.ok) throw new DemoError(`Costscope at ${server} answered ${probe.status} to an empty export; is it a Costscope server?`);
  const probedAtMs = Date.now();
  const serverNow = new Date(probe.headers.get('date') ?? probedAtMs);

  // An empty import stores nothing and answers 200 only where the whole history could go.
  const emptyImport = await fetch(`${server}${PRICED_IMPORT_ROUTE}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' },
    body: '',
  });
  await emptyImport.body?.cancel();
  const canImport = emptyImport.ok;

  // A read key tells the project's time zone, so "today" is the project's today; an ingest key
  // cannot, and the demo assumes UTC (the server's default).
  const project = await fetch(`${server}/api/v1/project`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!project.ok) {
    await project.body?.cancel();
    return { serverNow, probedAtMs, timezone: 'UTC', retentionDays: undefined, canImport };
  }
  const body = (await project.json()) as { timezone?: string; retentionDays?: number };
  return { serverNow, probedAtMs, timezone: body.timezone ?? 'UTC', retentionDays: body.retentionDays, canImport };
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}
