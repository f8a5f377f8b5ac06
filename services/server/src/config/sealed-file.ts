import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

/**
 * Local snapshots that let the server work while storage does not answer (the key snapshot, each
 * project's price overrides) are sealed: the JSON on one line and, on the next, its HMAC-SHA256
 * over exactly those bytes, keyed by a random key that never leaves the data directory. A
 * truncated, torn or hand-edited file fails the check and is ignored — it can never let in a key
 * or a price storage did not know.
 */
export function sealText(key: Buffer, bodyText: string): string {
  return `${bodyText}\n${mac(key, bodyText)}\n`;
}

/** The body of a sealed text, or undefined when it does not verify. */
export function unsealText(key: Buffer, text: string): string | undefined {
  const [bodyText = '', seal = '', ...rest] = text.split('\n');
  if (!/^[0-9a-f]{64}$/.test(seal) || rest.some((line) => line !== '')) return undefined;
  return timingSafeEqual(Buffer.from(mac(key, bodyText), 'hex'), Buffer.from(seal, 'hex')) ? bodyText : undefined;
}

/** The 32-byte sealing key in `file` (0600); a missing or damaged one is replaced, so older snapshots fail verification, as they should. */
export function readOrCreateSealKey(file: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length === 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/** Written to a temporary file (0600), fsynced, then renamed over the old one: a crash leaves the old file or the new, never half of one. */
export async function writeFileDurably(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

function mac(key: Buffer, bodyText: string): string {
  return createHmac('sha256', key).update(bodyText, 'utf8').digest('hex');
}
