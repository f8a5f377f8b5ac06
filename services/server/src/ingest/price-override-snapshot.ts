import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { priceOverrideSchema, type PriceOverrideInput } from '@costscope/core';
import { z } from 'zod';

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
 * while storage does not answer — also in a process started during the outage. A file is the
 * JSON on one line and its HMAC-SHA256 on the next, keyed by `snapshot.key` (random, 0600, never
 * leaves the data directory): a truncated, torn or edited file fails the check and is ignored.
 * Written to a temporary file, fsynced, then renamed over the old one; files 0600, directory 0700.
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
    const [bodyText = '', mac = '', ...rest] = text.split('\n');
    if (!/^[0-9a-f]{64}$/.test(mac) || rest.some((line) => line !== '')) return undefined;
    const expected = Buffer.from(await this.seal(bodyText), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(mac, 'hex'))) return undefined;
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
    const text = `${bodyText}\n${await this.seal(bodyText)}\n`;
    const file = this.fileOf(projectId);
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

  /** Project ids are the tenant's words: the file name is their hash, never the id itself. */
  private fileOf(projectId: string): string {
    return path.join(this.directory, `${createHash('sha256').update(projectId, 'utf8').digest('hex').slice(0, 32)}.json`);
  }

  private async seal(bodyText: string): Promise<string> {
    this.hmacKey ??= this.readOrCreateKey().catch((error: unknown) => {
      // A failure (a full disk) is retried on the next use rather than remembered.
      this.hmacKey = undefined;
      throw error;
    });
    return createHmac('sha256', await this.hmacKey).update(bodyText, 'utf8').digest('hex');
  }

  private async readOrCreateKey(): Promise<Buffer> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await chmod(this.directory, 0o700);
    const file = path.join(this.directory, HMAC_KEY_FILE);
    try {
      const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
      if (key.length === 32) return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // A missing or damaged key makes a new one: older snapshots then fail verification, as they should.
    const key = randomBytes(32);
    await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
    return key;
  }
}
