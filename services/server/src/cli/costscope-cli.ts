import { parseArgs } from 'node:util';
import { resolveServerConnection } from './server-connection.js';
import { DEFAULT_NEW_KEY_SCOPE, KEY_SCOPES, type KeyScope } from '../auth/key-scope.js';

/**
 * `costscope keys create|list|revoke`: manages a project's API keys through the server's HTTP
 * API, like the dashboard does. It never opens storage itself — the embedded engine belongs to
 * the server process — so it works the same against a local server and a remote one.
 */
export type CliIo = { out: (line: string) => void; err: (line: string) => void; env: NodeJS.ProcessEnv };

const USAGE = `Usage: costscope keys <list|create|revoke> [options]

  costscope keys list                 list this project's keys
  costscope keys create --name NAME [--scope ingest|read|admin]
                                      create a key (shown once); the scope is ingest unless given:
                                      ingest  sends spans only (the key to ship inside apps)
                                      read    also reads every GET of the API (a read-only dashboard)
                                      admin   also manages keys and settings, re-prices, test-sends
  costscope keys revoke KEY_ID        revoke a key

Listing needs a read or admin key; creating and revoking need an admin key.

Options:
  --server URL     Costscope server (COSTSCOPE_SERVER_URL, default http://localhost:4318)
  --api-key KEY    a key of the project (COSTSCOPE_API_KEY, else <data dir>/credentials.json)
  --json           print JSON instead of a table`;

class CliError extends Error {}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        server: { type: 'string' },
        'api-key': { type: 'string' },
        name: { type: 'string' },
        scope: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, command, argument] = positionals;
  if (values.help || group !== 'keys' || !command) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    const { server, apiKey } = await resolveServerConnection({ server: values.server, apiKey: values['api-key'] }, io.env);
    const call = (method: string, route: string, body?: unknown) => request(server, apiKey, method, route, body);

    if (command === 'list') {
      const { keys } = (await call('GET', '/api/v1/keys')) as { keys: KeyJson[] };
      if (values.json) io.out(JSON.stringify(keys, null, 2));
      else printKeys(keys, io);
      return 0;
    }
    if (command === 'create') {
      if (!values.name) throw new CliError('keys create needs --name NAME (what the key is for)');
      const scope = values.scope ?? DEFAULT_NEW_KEY_SCOPE;
      if (!(KEY_SCOPES as readonly string[]).includes(scope)) throw new CliError(`--scope must be one of ${KEY_SCOPES.join(', ')}`);
      const created = (await call('POST', '/api/v1/keys', { name: values.name, scope })) as KeyJson & { key: string };
      if (values.json) io.out(JSON.stringify(created, null, 2));
      else io.out(`Created ${created.scope} key ${created.keyId} (${created.name}). Copy it now, it is not shown again:\n${created.key}`);
      return 0;
    }
    if (command === 'revoke') {
      if (!argument) throw new CliError('keys revoke needs the KEY_ID (see costscope keys list)');
      await call('DELETE', `/api/v1/keys/${encodeURIComponent(argument)}`);
      io.out(values.json ? JSON.stringify({ keyId: argument, revoked: true }) : `Revoked key ${argument}.`);
      return 0;
    }
    throw new CliError(`unknown command "keys ${command}"\n\n${USAGE}`);
  } catch (error) {
    io.err(`costscope: ${(error as Error).message}`);
    return 1;
  }
}

type KeyJson = { keyId: string; name: string; keyPrefix: string; scope: KeyScope; createdAt: string; revokedAt: string | null };

function printKeys(keys: KeyJson[], io: CliIo): void {
  const header = ['KEY ID', 'NAME', 'PREFIX', 'SCOPE', 'CREATED', 'STATUS'];
  const rows = [header, ...keys.map((k) => [k.keyId, k.name, k.keyPrefix, k.scope, k.createdAt, k.revokedAt ? `revoked ${k.revokedAt}` : 'active'])];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of rows) io.out(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}

async function request(server: string, apiKey: string, method: string, route: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${server}${route}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach the Costscope server at ${server}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as { message?: string }) : {};
  if (!response.ok) throw new CliError(`${method} ${route} answered ${response.status}: ${json.message ?? text}`);
  return json;
}
