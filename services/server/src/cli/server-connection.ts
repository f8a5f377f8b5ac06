import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * How every command-line tool (the `costscope` CLI, `npm run demo`) finds the Costscope it talks
 * to, in one order so a user learns it once: a flag, then the environment, then the credentials
 * file the server writes on its first start (`<data dir>/credentials.json`, next to the server).
 */
export type ServerConnection = { server: string; apiKey: string };

export const DEFAULT_SERVER_URL = 'http://localhost:4318';

/** A connection problem a user can act on; tools print its message and exit non-zero. */
export class ConnectionError extends Error {}

export async function resolveServerConnection(
  flags: { server?: string; apiKey?: string },
  env: NodeJS.ProcessEnv,
): Promise<ServerConnection> {
  // An empty value counts as unset: `COSTSCOPE_API_KEY= costscope …` means "no key from here".
  const server = (flags.server || env.COSTSCOPE_SERVER_URL || DEFAULT_SERVER_URL).replace(/\/+$/, '');
  const apiKey = flags.apiKey || env.COSTSCOPE_API_KEY || (await keyFromCredentials(env));
  return { server, apiKey };
}

async function keyFromCredentials(env: NodeJS.ProcessEnv): Promise<string> {
  const file = path.join(env.COSTSCOPE_DATA_DIR || './.costscope', 'credentials.json');
  try {
    const credentials = JSON.parse(await readFile(file, 'utf8')) as { apiKey?: string };
    if (credentials.apiKey) return credentials.apiKey;
  } catch {
    // Fall through to the error that says where the key can come from.
  }
  throw new ConnectionError(`no API key: pass --api-key, set COSTSCOPE_API_KEY, or run next to the server's ${file}`);
}
