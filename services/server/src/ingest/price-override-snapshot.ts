import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { priceOverrideSchema, type PriceOverrideInput } from '@costscope/core';
import { z } from 'zod';
import { readOrCreateSealKey, sealText, unsealText, writeFileDurably } from '../config/sealed-file.js';

const SNAPSHOT_DIR = 'price-overrides';
const HMAC_KEY_FILE = 'snapshot.key';

const snapshotSchema = z
  .object({
    version: z.literal(1),
    projectId: z.string().min(1),
    writtenAt: z.iso.datetime(),
    overrides: z.array(z.unknown()),
  })
  .strict();

/**
 * Each project's price overrides as storage last answered them, kept in
 * `<data dir>/price-overrides/<hash of the project id>.json` so the ingest can price with them
 * while storage does not answer — also in a process started during the outage. Sealed with
 * `price-overrides/snapshot.key` (see `sealed-file.ts`): a file that does not verify is ignored;
 * files 0600, directory 0700.
 */
export class PriceOverrideSnapshot {
  readonly directory: string;
  private hmacKey: Promise<Buffer> | undefined;

  constructor(dataDir: string) {
    this.directory = path.join(dataDir, SNAPSHOT_DIR);
  }

  /** The project's last snapshotted overrides, or undefined when none verifies. */
  async load(projectId: string): Promise<readonly PriceOverrideInput[] | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileOf(projectId), 'utf8');
    } catch {
      return undefined;
    }
    const bodyText = unsealText(await this.sealKey(), text);
    if (bodyText === undefined) return undefined;
    let body: z.output<typeof snapshotSchema>;
    try {
      body = snapshotSchema.parse(JSON.parse(bodyText));
    } catch {
      return undefined;
    }
    if (body.projectId !== projectId) return undefined;
    // Each override must still read as one (the schema may have tightened since it was written).
    if (!body.overrides.every((override) => priceOverrideSchema.safeParse(override).success)) return undefined;
    return body.overrides as PriceOverrideInput[];
  }

  async write(projectId: string, overrides: readonly PriceOverrideInput[], now: Date = new Date()): Promise<void> {
    const bodyText = JSON.stringify({ version: 1, projectId, writtenAt: now.toISOString(), overrides });
    await writeFileDurably(this.fileOf(projectId), sealText(await this.sealKey(), bodyText));
  }

  /** Project ids are the tenant's words: the file name is their hash, never the id itself. */
  private fileOf(projectId: string): string {
    return path.join(this.directory, `${createHash('sha256').update(projectId, 'utf8').digest('hex').slice(0, 32)}.json`);
  }

  private async sealKey(): Promise<Buffer> {
    this.hmacKey ??= this.readOrCreateKey().catch((error: unknown) => {
      // A failure (a full disk) is retried on the next use rather than remembered.
      this.hmacKey = undefined;
      throw error;
    });
    return this.hmacKey;
  }

  private async readOrCreateKey(): Promise<Buffer> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await chmod(this.directory, 0o700);
    return readOrCreateSealKey(path.join(this.directory, HMAC_KEY_FILE));
  }
}
