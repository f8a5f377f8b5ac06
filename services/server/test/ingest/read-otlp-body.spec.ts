import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OtlpHttpError } from '../../src/ingest/otlp/ingest-http-error.js';
import { maxCompressedBytes, OTLP_ONE_SHOT_GZIP_BYTES, readOtlpBody } from '../../src/ingest/otlp/read-otlp-body.js';

// The gzip path has two ways through (small bodies inflated in one call, large ones streamed):
// these pin the limits at their edges on both.

const protobuf = { contentType: 'application/x-protobuf', contentEncoding: 'gzip' };

async function refusal(work: () => unknown): Promise<OtlpHttpError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof OtlpHttpError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

/** The body as a request stream of 16 KiB chunks. */
function streamOf(body: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += 16 * 1024) chunks.push(body.subarray(at, at + 16 * 1024));
  return Readable.from(chunks);
}

describe('gzip limits', () => {
  it('a small body inflating to exactly the limit is read; one byte more is 413', async () => {
    const raw = Buffer.alloc(10_000, 7);
    const body = gzipSync(raw);
    expect(body.length).toBeLessThan(OTLP_ONE_SHOT_GZIP_BYTES);
    expect((await readOtlpBody(streamOf(body), protobuf, raw.length)).body.equals(raw)).toBe(true);
    const error = await refusal(() => readOtlpBody(streamOf(body), protobuf, raw.length - 1));
    expect(error.httpStatus).toBe(413);
    expect(error.message).toMatch(/larger than 9999 bytes after decompression/);
  });

  it('a large body (streamed) inflating to exactly the limit is read; one byte more is 413', async () => {
    // Random bytes do not compress: the gzip body is past the one-shot size.
    const raw = randomBytes(OTLP_ONE_SHOT_GZIP_BYTES + 64 * 1024);
    const body = gzipSync(raw);
    expect(body.length).toBeGreaterThan(OTLP_ONE_SHOT_GZIP_BYTES);
    expect((await readOtlpBody(streamOf(body), protobuf, raw.length)).body.equals(raw)).toBe(true);
    const error = await refusal(() => readOtlpBody(streamOf(body), protobuf, raw.length - 1));
    expect(error.httpStatus).toBe(413);
  });

  it('a small body padded past the compressed-size cap is 413 without inflating (empty gzip members)', async () => {
    const maxBytes = 1000;
    const emptyMember = gzipSync(Buffer.alloc(0));
    const padded = Buffer.concat(Array.from({ length: Math.ceil(maxCompressedBytes(maxBytes) / emptyMember.length) + 1 }, () => emptyMember));
    // It inflates to nothing: only the compressed size can refuse it.
    expect(padded.length).toBeGreaterThan(maxCompressedBytes(maxBytes));
    const error = await refusal(() => readOtlpBody(streamOf(padded), protobuf, maxBytes));
    expect(error.httpStatus).toBe(413);
  });

  it('a large body padded past the compressed-size cap is 413, and the rest of the stream is not read', async () => {
    const maxBytes = OTLP_ONE_SHOT_GZIP_BYTES + 32 * 1024;
    const emptyMember = gzipSync(Buffer.alloc(0));
    const members = Math.ceil((maxCompressedBytes(maxBytes) * 2) / emptyMember.length);
    const padded = Buffer.concat(Array.from({ length: members }, () => emptyMember));
    let delivered = 0;
    const source = Readable.from(
      (function* () {
        for (let at = 0; at < padded.length; at += 16 * 1024) {
          delivered += Math.min(16 * 1024, padded.length - at);
          yield padded.subarray(at, at + 16 * 1024);
        }
      })(),
    );
    const error = await refusal(() => readOtlpBody(source, protobuf, maxBytes));
    expect(error.httpStatus).toBe(413);
    expect(delivered).toBeLessThan(maxCompressedBytes(maxBytes) + 64 * 1024);
  });

  it('a body within the compressed-size cap made of many gzip members is read whole', async () => {
    const body = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.alloc(0)), gzipSync(Buffer.from('cd'))]);
    expect((await readOtlpBody(body, protobuf)).body.toString()).toBe('abcd');
  });

  it('an empty or truncated gzip body is 400, on both paths', async () => {
    expect((await refusal(() => readOtlpBody(Buffer.alloc(0), protobuf))).httpStatus).toBe(400);
    const small = gzipSync(Buffer.alloc(10_000, 1));
    const smallError = await refusal(() => readOtlpBody(small.subarray(0, small.length - 10), protobuf));
    expect(smallError.httpStatus).toBe(400);
    expect(smallError.message).toMatch(/gzip body could not be inflated/);
    const large = gzipSync(randomBytes(OTLP_ONE_SHOT_GZIP_BYTES + 1024));
    const largeError = await refusal(() => readOtlpBody(streamOf(large.subarray(0, large.length - 10)), protobuf));
    expect(largeError.httpStatus).toBe(400);
    expect(largeError.message).toMatch(/gzip body could not be inflated/);
  });
});
