import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The dashboard's secrets, read the way the CLI reads them: the project key from
 * `COSTSCOPE_API_KEY`, else `<COSTSCOPE_DATA_DIR>/credentials.json` (written by the server on its
 * first start); the admin password from `COSTSCOPE_ADMIN_PASSWORD`, else the same file (generated
 * by `ensureAdminPassword` on the dashboard's first start). They stay on the server side: nothing
 * here is ever passed to a client component.
 */
export type CredentialsFile = { apiKey?: string; adminPassword?: string; sessionSecret?: string };

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(/*turbopackIgnore: true*/ env.COSTSCOPE_DATA_DIR ?? './.costscope');
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'credentials.json');
}

let cached: { file: string; mtimeMs: number; value: CredentialsFile } | undefined;

/** The credentials file, re-read only when it changed (the server writes the key after it starts). */
export async function readCredentialsFile(file = credentialsPath()): Promise<CredentialsFile> {
  let mtimeMs: number;
  try {
    // The file is the operator's, found at run time: not something for the build to trace.
    mtimeMs = (await stat(/*turbopackIgnore: true*/ file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  if (cached && cached.file === file && cached.mtimeMs === mtimeMs) return cached.value;
  const value = JSON.parse(await readFile(/*turbopackIgnore: true*/ file, 'utf8')) as CredentialsFile;
  cached = { file, mtimeMs, value };
  return value;
}

export class DashboardCredentialsError extends Error {
  override readonly name = 'DashboardCredentialsError';
}

/** The project key the dashboard reads the API with. */
export async function projectApiKey(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.COSTSCOPE_API_KEY) return env.COSTSCOPE_API_KEY;
  const { apiKey } = await readCredentialsFile(credentialsPath(env));
  if (apiKey) return apiKey;
  throw new DashboardCredentialsError(
    `No project key: set COSTSCOPE_API_KEY, or start the dashboard beside the server so it can read ${credentialsPath(env)}`,
  );
}

/** The admin password and the secret sessions are signed with; undefined before the first start. */
export async function loginSecrets(env: NodeJS.ProcessEnv = process.env): Promise<{ password: string; sessionSecret: string } | undefined> {
  const file = await readCredentialsFile(credentialsPath(env));
  const password = env.COSTSCOPE_ADMIN_PASSWORD || file.adminPassword;
  const sessionSecret = env.COSTSCOPE_SESSION_SECRET || file.sessionSecret;
  if (!password || !sessionSecret) return undefined;
  return { password, sessionSecret };
}

/**
 * First start: generates what is missing (the admin password unless `COSTSCOPE_ADMIN_PASSWORD`
 * is set, and the session-signing secret), merges it into the credentials file (mode 0600) and
 * returns the generated password so the caller prints it once.
 */
export async function ensureDashboardCredentials(env: NodeJS.ProcessEnv = process.env): Promise<{ generatedPassword?: string; file: string }> {
  const file = credentialsPath(env);
  const existing = await readCredentialsFile(file);
  const additions: CredentialsFile = {};
  if (!env.COSTSCOPE_ADMIN_PASSWORD && !existing.adminPassword) additions.adminPassword = randomBytes(12).toString('base64url');
  if (!env.COSTSCOPE_SESSION_SECRET && !existing.sessionSecret) additions.sessionSecret = randomBytes(32).toString('base64url');
  if (Object.keys(additions).length > 0) {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Re-read right before writing: the server may have written the project key meanwhile.
    const current = JSON.parse(await readFile(/*turbopackIgnore: true*/ file, 'utf8').catch(() => '{}')) as CredentialsFile;
    await writeFile(/*turbopackIgnore: true*/ file, `${JSON.stringify({ ...current, ...additions }, null, 2)}\n`, { mode: 0o600 });
    // `mode` applies only when the file is created: a rewrite of a file someone loosened stays 0600 too.
    await chmod(/*turbopackIgnore: true*/ file, 0o600);
  }
  return { generatedPassword: additions.adminPassword, file };
}
