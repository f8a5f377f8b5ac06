import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CostscopeError } from '@costscope/core';

/** The key that encrypts channel secrets cannot be read, or does not open what storage holds. */
export class CostscopeSecretKeyError extends CostscopeError {
  override readonly name = 'CostscopeSecretKeyError';
}

export const SECRET_KEY_FILE = 'secret.key';
const KEY_BYTES = 32;

/**
 * `COSTSCOPE_SECRET_KEY` as 32 bytes: 64 hex digits, or base64 / base64url of 32 bytes
 * (`openssl rand -base64 32`). `undefined` when it is neither, so the caller names the variable.
 */
export function parseSecretKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return undefined;
}

export type SecretKeySource = { key: Buffer; source: 'environment' } | { key: Buffer; source: 'file' | 'generated'; file: string };

/**
 * The key from the environment, else `<dataDir>/secret.key`, generated on the first start
 * (directory 0700, file 0600, created exclusively so two processes sharing the directory agree
 * on one key). A file whose mode lets others read it is narrowed back to 0600.
 */
export async function loadOrCreateSecretKey(options: { envKey: Buffer | undefined; dataDir: string }): Promise<SecretKeySource> {
  if (options.envKey) return { key: options.envKey, source: 'environment' };
  const file = path.join(options.dataDir, SECRET_KEY_FILE);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key: await readKeyFile(file), source: 'generated', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new CostscopeSecretKeyError(`cannot create ${file}: ${(error as Error).message} (or set COSTSCOPE_SECRET_KEY)`, { cause: error });
    }
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return { key: await readKeyFile(file), source: 'file', file };
}

async function readKeyFile(file: string): Promise<Buffer> {
  const key = parseSecretKey(await readFile(file, 'utf8'));
  if (!key) throw new CostscopeSecretKeyError(`${file} does not hold a 32-byte key (base64 or 64 hex digits)`);
  return key;
}
