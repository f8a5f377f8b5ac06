import { constants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { CallRecordsWriter, readCallRecords } from './binary-call-records.js';
import { decodeFrames, encodeFrame, type DecodedFrame } from './segment-frames.js';
import { deserializeCallRecord, type SpooledCallRecord } from './serialize-call-record.js';
import { SpoolFullError, SpoolLockedError } from './spool-errors.js';

export type DurableSpoolOptions = {
  /** `COSTSCOPE_DATA_DIR`; the spool lives in `<dataDir>/spool`. */
  dataDir: string;
  /** The bound: appends beyond it fail with `SpoolFullError` (503). Default 1 GiB. */
  maxBytes?: number;
  /** A segment is sealed and a new one started past this size. Default 16 MiB. */
  segmentBytes?: number;
  /** What the 503 tells clients to wait. Default 30 s. */
  retryAfterSeconds?: number;
  /**
   * Takes a segment whose frames pass their CRC but cannot be turned back into calls (written by
   * a different version, edited by hand): it is moved aside instead of stopping every replay
   * behind it. Without it, such a segment fails the replay.
   */
  setAsideSegment?: (segmentPath: string, reason: string) => Promise<void>;
  /**
   * Calls appended by this process are also kept in memory, up to this many, so replaying them
   * (the write-ahead path under load) inserts them without reading and parsing the file again.
   * A segment that would take the spool past it is read back from disk instead. Default 40 000.
   */
  memoryRows?: number;
  /** Told the bytes on disk after every append and every drained segment (the depth metric). */
  onDepthChange?: (bytes: number) => void;
};

export type SpoolReplayResult = {
  segments: number;
  records: number;
  /** Bytes of torn frames (a crash mid-append) that were skipped. */
  ignoredTailBytes: number;
};

export type WriteCalls = (records: LlmCallRecord[]) => Promise<void>;

/** `records`: the segment's calls in memory, when all of them are (appended by this process, within `memoryRows`). */
type Segment = { seq: number; path: string; bytes: number; records?: LlmCallRecord[] };

const SEGMENT_NAME = /^segment-(\d{12})\.log$/;
const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.log`;
/** Rows per writer call during replay: large inserts, bounded memory. */
const REPLAY_ROWS_PER_WRITE = 20_000;

/**
 * The durable acknowledgement spool: when storage cannot take a batch, or is busy with an insert
 * (the write-ahead path under load, see `CallBatcher`), the batch is appended to a segment file
 * under `<data dir>/spool` and fsynced before the request is answered 200; replay
 * later writes the segments, oldest first, to storage and deletes each only after every write of
 * it succeeded.
 *
 * Delivery is at-least-once, by design: a crash (or a failed write) between a replayed write and
 * the segment's deletion replays that segment again, and a client whose 200 was lost resends.
 * Both are harmless because storage counts a call once per (trace id, span id) — see
 * `docs/ingest.md`. What the spool never does is lose an acknowledged batch: it is on disk
 * (fsynced, and the directory entry fsynced when a segment is created) before `append` resolves.
 *
 * One writer process: a `LOCK` file with the owner's pid refuses a second live process. Within
 * the process, appends are serialized and replay works only on sealed segments, so appends keep
 * going (to a fresh segment) while a replay runs.
 */
export class DurableSpool {
  private readonly sealed: Segment[] = [];
  private active: { segment: Segment; handle: FileHandle } | undefined;
  private nextSeq: number;
  private totalBytes: number;
  private appending: Promise<unknown> = Promise.resolve();
  private replaying: Promise<SpoolReplayResult> | undefined;
  private closed = false;
  /** An append was refused for want of room, and nothing has been drained since. */
  private refusedForRoom = false;
  /** Calls held in memory across segments (see `memoryRows`). */
  private memoryRowsHeld = 0;
  /** Appends are serialized, so one writer's buffer serves them all. */
  private readonly writer = new CallRecordsWriter();

  private constructor(
    readonly directory: string,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
    private readonly retryAfterSeconds: number,
    existing: Segment[],
    private readonly setAsideSegment: DurableSpoolOptions['setAsideSegment'],
    private readonly memoryRows: number,
    private readonly onDepthChange: (bytes: number) => void,
  ) {
    // After a restart every existing segment is sealed, torn tail or not: appends go to a new
    // file, so good frames are never written after a torn one.
    this.sealed.push(...existing);
    this.nextSeq = (existing.at(-1)?.seq ?? 0) + 1;
    this.totalBytes = existing.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  static async open(options: DurableSpoolOptions): Promise<DurableSpool> {
    const directory = join(options.dataDir, 'spool');
    await mkdir(directory, { recursive: true });
    await takeLock(directory);
    const existing: Segment[] = [];
    for (const name of await readdir(directory)) {
      const match = SEGMENT_NAME.exec(name);
      if (!match) continue;
      const path = join(directory, name);
      existing.push({ seq: Number(match[1]), path, bytes: (await stat(path)).size });
    }
    existing.sort((a, b) => a.seq - b.seq);
    return new DurableSpool(
      directory,
      options.maxBytes ?? 1024 * 1024 * 1024,
      options.segmentBytes ?? 16 * 1024 * 1024,
      options.retryAfterSeconds ?? 30,
      existing,
      options.setAsideSegment,
      options.memoryRows ?? 40_000,
      options.onDepthChange ?? (() => undefined),
    );
  }

  /** Bytes and segments on disk (the `spool depth` metric). */
  stats(): { segments: number; bytes: number } {
    return { segments: this.sealed.length + (this.active ? 1 : 0), bytes: this.totalBytes };
  }

  isEmpty(): boolean {
    return this.totalBytes === 0;
  }

  /**
   * Why the spool cannot take calls now, or undefined when it can: it is full, or its directory
   * is gone or not writable. Readiness of an ingest process (`/readyz`).
   */
  async unavailableReason(): Promise<string | undefined> {
    if (this.closed) return 'the spool is closed';
    if (this.refusedForRoom || this.totalBytes >= this.maxBytes) return 'the spool is full';
    try {
      await access(this.directory, constants.W_OK);
    } catch {
      return 'the spool directory is not writable';
    }
    return undefined;
  }

  /**
   * Appends one batch and resolves once it is on disk (written and fsynced). Throws
   * `SpoolFullError` when the batch would take the spool past its bound.
   */
  append(records: readonly LlmCallRecord[]): Promise<void> {
    return this.underAppendLock(() => this.appendNow(records));
  }

  /** Runs `work` after every earlier append; a failure fails only its own caller. */
  private underAppendLock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.appending.then(work);
    this.appending = run.catch(() => undefined);
    return run;
  }

  private async appendNow(records: readonly LlmCallRecord[]): Promise<void> {
    if (this.closed) throw new Error('The spool is closed');
    if (records.length === 0) return;
    const frame = encodeFrame(this.writer.encode(records), 'binary');
    if (this.totalBytes + frame.length > this.maxBytes) {
      this.refusedForRoom = true;
      throw new SpoolFullError(this.maxBytes, this.retryAfterSeconds);
    }
    const active = await this.activeSegment();
    try {
      await writeAll(active.handle, frame);
      await active.handle.datasync();
    } catch (error) {
      // The segment may now end in a torn frame: seal it so nothing good is written after it.
      await this.sealActive();
      throw error;
    }
    active.segment.bytes += frame.length;
    this.totalBytes += frame.length;
    this.holdInMemory(active.segment, records);
    this.onDepthChange(this.totalBytes);
    if (active.segment.bytes >= this.segmentBytes) await this.sealActive();
  }

  private holdInMemory(segment: Segment, records: readonly LlmCallRecord[]): void {
    if (!segment.records) return;
    if (this.memoryRowsHeld + records.length > this.memoryRows) {
      // Past the bound the whole segment is read back from its file: drop what it held.
      this.memoryRowsHeld -= segment.records.length;
      segment.records = undefined;
      return;
    }
    segment.records.push(...records);
    this.memoryRowsHeld += records.length;
  }

  private async activeSegment(): Promise<{ segment: Segment; handle: FileHandle }> {
    if (this.active) return this.active;
    const seq = this.nextSeq++;
    const path = join(this.directory, segmentName(seq));
    const handle = await open(path, 'a');
    // The new directory entry must survive a crash too, or an fsynced segment could vanish.
    await fsyncDirectory(this.directory);
    this.active = { segment: { seq, path, bytes: 0, records: [] }, handle };
    return this.active;
  }

  private async sealActive(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    await active.handle.close();
    if (active.segment.bytes > 0) this.sealed.push(active.segment);
    else await unlink(active.segment.path).catch(() => undefined);
  }

  /**
   * Writes every spooled batch, oldest first, through `write`, deleting each segment once all its
   * writes succeeded. A failing write stops the replay and leaves that segment (and the later
   * ones) for the next replay. Concurrent calls share one replay.
   */
  replay(write: WriteCalls): Promise<SpoolReplayResult> {
    this.replaying ??= this.replayNow(write).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayNow(write: WriteCalls): Promise<SpoolReplayResult> {
    // Seal what was appended so far (under the append lock): new appends start a new segment.
    await this.underAppendLock(() => this.sealActive());
    const result: SpoolReplayResult = { segments: 0, records: 0, ignoredTailBytes: 0 };
    while (this.sealed.length > 0) {
      const segment = this.sealed[0] as Segment;
      // Calls this process appended are still in memory: no read and parse of what it just wrote.
      const { frames, ignoredTailBytes } = segment.records ? { frames: [], ignoredTailBytes: 0 } : decodeFrames(await readFile(segment.path));
      let records: LlmCallRecord[];
      try {
        records = segment.records ?? frames.flatMap(callsOfFrame);
      } catch (error) {
        if (!this.setAsideSegment) throw error;
        await this.setAsideSegment(segment.path, `spool segment cannot be read back as calls: ${error instanceof Error ? error.message : String(error)}`);
        await fsyncDirectory(this.directory);
        this.drained(segment);
        continue;
      }
      for (let start = 0; start < records.length; start += REPLAY_ROWS_PER_WRITE) {
        await write(records.slice(start, start + REPLAY_ROWS_PER_WRITE));
      }
      await unlink(segment.path);
      await fsyncDirectory(this.directory);
      this.drained(segment);
      result.segments += 1;
      result.records += records.length;
      result.ignoredTailBytes += ignoredTailBytes;
    }
    return result;
  }

  private drained(segment: Segment): void {
    this.sealed.shift();
    this.memoryRowsHeld -= segment.records?.length ?? 0;
    this.totalBytes -= segment.bytes;
    this.refusedForRoom = false;
    this.onDepthChange(this.totalBytes);
  }

  /** Closes the active segment and releases the lock. Spooled data stays for the next start. */
  async close(): Promise<void> {
    await this.underAppendLock(() => this.sealActive());
    this.closed = true;
    await unlink(join(this.directory, 'LOCK')).catch(() => undefined);
  }
}

/** A frame's calls, in whichever format it was written (segments of an older version replay too). */
function callsOfFrame(frame: DecodedFrame): LlmCallRecord[] {
  if (frame.format === 'binary') return readCallRecords(frame.payload);
  return (JSON.parse(frame.payload.toString('utf8')) as SpooledCallRecord[]).map(deserializeCallRecord);
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function takeLock(directory: string): Promise<void> {
  const lockPath = join(directory, 'LOCK');
  try {
    await writeFile(lockPath, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number((await readFile(lockPath, 'utf8')).trim());
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new SpoolLockedError(`The spool at ${directory} is in use by process ${owner}; one server process owns a data directory`);
  }
  // A lock left by a process that is gone (a crash): take it over.
  await writeFile(lockPath, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
