import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readOrCreateSealKey, sealText, unsealText, writeFileDurably } from '../config/sealed-file.js';
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
 * answer — including in a process started during the outage. Sealed with `auth/snapshot.key`
 * (see `sealed-file.ts`): a snapshot that does not verify is ignored, never trusted.
 */
export class KeySnapshot {
  readonly file: string;
  private readonly hmacKey: Buffer;

  constructor(dataDir: string) {
    const dir = path.join(dataDir, KEY_SNAPSHOT_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.file = path.join(dir, KEY_SNAPSHOT_FILE);
    this.hmacKey = readOrCreateSealKey(path.join(dir, HMAC_KEY_FILE));
  }

  /** The last snapshot written, or `undefined` when there is none or it fails verification. */
  load(): LoadedKeySnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    const bodyText = unsealText(this.hmacKey, text);
    if (bodyText === undefined) return undefined;
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
    await writeFileDurably(this.file, sealText(this.hmacKey, JSON.stringify(body)));
  }
}
