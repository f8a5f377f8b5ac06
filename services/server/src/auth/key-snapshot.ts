import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ApiKeyHashRecord } from '../storage/api-keys.js';
import { KEY_SCOPES } from './key-scope.js';

export const KEY_SNAPSHOT_DIR = 'auth';
export const KEY_SNAPSHOT_FILE = 'keys.snapshot.json';
const HMAC_KEY_FILE = 'snapshot.key';

const snapshotSchema = z
  .object({
    version: z.literal(1),
    writtenAt: z.iso.datetime(),
    keys: z.array(
      z
        .object({
          keyHash: z.string().regex(/^[0-9a-f]{64}$/),
          projectId: z.string().min(1),
          keyId: z.string().min(1),
          scope: z.enum(KEY_SCOPES),
          revokedAt: z.iso.datetime().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

export type LoadedKeySnapshot = { writtenAt: Date; keys: Map<string, ApiKeyHashRecord> };

/**
 * The keys of every project (hashes only, with project, key id, scope and revocation), kept in
 * `<data dir>/auth/keys.snapshot.json` so authentication still works while storage does not
 * answer — including in a process started during the outage. The file is the snapshot's JSON
 * on one line and, on the next, its HMAC-SHA256 over exactly those bytes, with a key (`snapshot.key`, random, 0600) never leaves the data directory: a truncated, torn or
 * hand-edited snapshot fails the check and is ignored, so it can never let in a key storage did
 * not know. Written to a temporary file, fsynced, then renamed over the old one.
 */
export class KeySnapshot {
  readonly file: string;
  private readonly hmacKey: Buffer;

  constructor(dataDir: string) {
    const dir = path.join(dataDir, KEY_SNAPSHOT_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.file = path.join(dir, KEY_SNAPSHOT_FILE);
    this.hmacKey = readOrCreateHmacKey(path.join(dir, HMAC_KEY_FILE));
  }

  /** The last snapshot written, or `undefined` when there is none or it fails verification. */
  load(): LoadedKeySnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    const [bodyText = '', hmac = '', ...rest] = text.split('\n');
    if (!/^[0-9a-f]{64}$/.test(hmac) || rest.some((line) => line !== '')) return undefined;
    if (!timingSafeEqual(Buffer.from(this.seal(bodyText), 'hex'), Buffer.from(hmac, 'hex'))) return undefined;
    let parsed;
    try {
      parsed = snapshotSchema.safeParse(JSON.parse(bodyText));
    } catch {
      return undefined;
    }
    if (!parsed.success) return undefined;
    const body = parsed.data;
    const keys = new Map<string, ApiKeyHashRecord>();
    for (const key of body.keys) {
      keys.set(key.keyHash, { ...key, revokedAt: key.revokedAt === null ? null : new Date(key.revokedAt) });
    }
    return { writtenAt: new Date(body.writtenAt), keys };
  }

  async write(keys: readonly ApiKeyHashRecord[], now: Date = new Date()): Promise<void> {
    const body = {
      version: 1 as const,
      writtenAt: now.toISOString(),
      keys: keys.map((key) => ({
        keyHash: key.keyHash,
        projectId: key.projectId,
        keyId: key.keyId,
        scope: key.scope,
        revokedAt: key.revokedAt?.toISOString() ?? null,
      })),
    };
    const bodyText = JSON.stringify(body);
    const text = `${bodyText}\n${this.seal(bodyText)}\n`;
    const temporary = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
  }

  private seal(bodyText: string): string {
    return createHmac('sha256', this.hmacKey).update(bodyText, 'utf8').digest('hex');
  }
}

function readOrCreateHmacKey(file: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length === 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A missing or damaged key makes a new one: the old snapshot then fails verification, as it should.
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
