import { crc32 } from 'node:zlib';

/**
 * One appended batch in a segment file:
 *
 *     <magic> <payload bytes> <crc32 of payload, hex>\n<payload>\n
 *
 * The length makes a frame cut short by a crash detectable (the file ends before the payload
 * does) and the CRC catches a payload whose bytes did not all reach the disk. Text framing keeps
 * a segment's frames findable with `head` when someone has to look at it during an incident.
 *
 * The magic names the payload's format, so segments written by an older version still replay:
 * - `CSP1`: a JSON array of calls (`SpooledCallRecord`), written until the binary format;
 * - `CSP2`: the binary calls of `binary-call-records.ts`, written now (cheaper on the main thread).
 */
export type FrameFormat = 'json' | 'binary';

const MAGIC: Record<FrameFormat, string> = { json: 'CSP1', binary: 'CSP2' };
const NEWLINE = 0x0a;
const HEADER = /^CSP([12]) (\d+) ([0-9a-f]+)$/;

export function encodeFrame(payload: Buffer, format: FrameFormat): Buffer {
  const header = Buffer.from(`${MAGIC[format]} ${payload.length} ${crc32(payload).toString(16)}\n`);
  return Buffer.concat([header, payload, Buffer.from([NEWLINE])]);
}

export type DecodedFrame = { format: FrameFormat; payload: Buffer };

export type DecodedFrames = {
  frames: DecodedFrame[];
  /** Bytes after the last whole frame: a torn write from a crash (ignored, reported). */
  ignoredTailBytes: number;
};

/** Reads whole frames in order and stops at the first that is incomplete or fails its CRC. */
export function decodeFrames(segment: Buffer): DecodedFrames {
  const frames: DecodedFrame[] = [];
  let offset = 0;
  while (offset < segment.length) {
    const headerEnd = segment.indexOf(NEWLINE, offset);
    if (headerEnd < 0) break;
    const match = HEADER.exec(segment.subarray(offset, headerEnd).toString('latin1'));
    if (!match) break;
    const length = Number(match[2]);
    const payloadStart = headerEnd + 1;
    const payloadEnd = payloadStart + length;
    if (payloadEnd + 1 > segment.length || segment[payloadEnd] !== NEWLINE) break;
    const payload = segment.subarray(payloadStart, payloadEnd);
    if (crc32(payload).toString(16) !== match[3]) break;
    frames.push({ format: match[1] === '1' ? 'json' : 'binary', payload });
    offset = payloadEnd + 1;
  }
  return { frames, ignoredTailBytes: segment.length - offset };
}
