import { crc32 } from 'node:zlib';

/**
 * One appended batch in a segment file:
 *
 *     CSP1 <payload bytes> <crc32 of payload, hex>\n<payload>\n
 *
 * The length makes a frame cut short by a crash detectable (the file ends before the payload
 * does) and the CRC catches a payload whose bytes did not all reach the disk. Text framing keeps
 * a segment readable with `head` when someone has to look at it during an incident.
 */
const MAGIC = 'CSP1';
const NEWLINE = 0x0a;

export function encodeFrame(payload: Buffer): Buffer {
  const header = Buffer.from(`${MAGIC} ${payload.length} ${crc32(payload).toString(16)}\n`);
  return Buffer.concat([header, payload, Buffer.from([NEWLINE])]);
}

export type DecodedFrames = {
  payloads: Buffer[];
  /** Bytes after the last whole frame: a torn write from a crash (ignored, reported). */
  ignoredTailBytes: number;
};

/** Reads whole frames in order and stops at the first that is incomplete or fails its CRC. */
export function decodeFrames(segment: Buffer): DecodedFrames {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset < segment.length) {
    const headerEnd = segment.indexOf(NEWLINE, offset);
    if (headerEnd < 0) break;
    const match = /^CSP1 (\d+) ([0-9a-f]+)$/.exec(segment.subarray(offset, headerEnd).toString('latin1'));
    if (!match) break;
    const length = Number(match[1]);
    const payloadStart = headerEnd + 1;
    const payloadEnd = payloadStart + length;
    if (payloadEnd + 1 > segment.length || segment[payloadEnd] !== NEWLINE) break;
    const payload = segment.subarray(payloadStart, payloadEnd);
    if (crc32(payload).toString(16) !== match[2]) break;
    payloads.push(payload);
    offset = payloadEnd + 1;
  }
  return { payloads, ignoredTailBytes: segment.length - offset };
}
