import { mkdir, open, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LlmCallRecord } from '@costscope/core';
import { serializeCallRecord } from './serialize-call-record.js';

/** One line of a dead-letter file: the call as the spool holds it, and why storage refused it. */
export type DeadLetteredCall = { deadLetteredAt: string; reason: string; call: ReturnType<typeof serializeCallRecord> };

/**
 * Where calls go that storage will never take as they are (a value a column cannot hold): moved
 * aside so they stop blocking the calls behind them, yet kept — an operator can read why, fix the
 * cause and send them again. `<data dir>/dead-letter/calls-YYYY-MM-DD.jsonl`, one JSON line per
 * call, appended and fsynced; spool segments that cannot be read at all are moved here whole.
 * Files are 0600 and the directory 0700: calls carry user ids.
 */
export class DeadLetterFile {
  readonly directory: string;

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'dead-letter');
  }

  /** Appends the calls with the reason; resolves once they are on disk. */
  async add(calls: readonly LlmCallRecord[], reason: string, now: Date = new Date()): Promise<void> {
    if (calls.length === 0) return;
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const deadLetteredAt = now.toISOString();
    const lines = calls.map((call) => JSON.stringify({ deadLetteredAt, reason, call: serializeCallRecord(call) } satisfies DeadLetteredCall));
    const handle = await open(join(this.directory, `calls-${deadLetteredAt.slice(0, 10)}.jsonl`), 'a', 0o600);
    try {
      await handle.write(`${lines.join('\n')}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /** Moves a whole spool segment that cannot be decoded here, with a note saying why. */
  async setAsideSegment(segmentPath: string, reason: string, now: Date = new Date()): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const target = join(this.directory, `unreadable-${now.getTime()}-${basename(segmentPath)}`);
    await rename(segmentPath, target);
    const note = await open(`${target}.reason.txt`, 'w', 0o600);
    try {
      await note.write(`${reason}\n`);
      await note.datasync();
    } finally {
      await note.close();
    }
  }
}
