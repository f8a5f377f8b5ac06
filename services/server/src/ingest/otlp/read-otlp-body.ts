import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { OtlpDecodeError, OtlpHttpError, OtlpPayloadTooLargeError, OtlpUnsupportedMediaTypeError } from './ingest-http-error.js';
import type { OtlpEncoding } from './types.js';

/** DESIGN.md: 413 over 20 MiB after decompression. */
export const OTLP_MAX_BODY_BYTES = 20 * 1024 * 1024;

export type OtlpBodyHeaders = {
  /** The `Content-Type` header, parameters allowed (`application/json; charset=utf-8`). */
  contentType: string | undefined;
  /** The `Content-Encoding` header: absent, `identity` or `gzip`. */
  contentEncoding?: string | undefined;
};

export type OtlpBody = { encoding: OtlpEncoding; body: Buffer };

/**
 * Picks the encoding from `Content-Type`, or throws `OtlpUnsupportedMediaTypeError` (415). Call it
 * before reading the body so a wrong type is refused without reading megabytes.
 */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  throw new OtlpUnsupportedMediaTypeError(
    `Content-Type ${contentType ? `"${contentType}"` : '(none)'} is not supported; send application/x-protobuf or application/json`,
  );
}

/**
 * Reads an OTLP/HTTP request body: checks the content type (415), inflates `gzip` while counting
 * the *inflated* bytes and stops at `maxBytes` (413), so a gzip bomb is never inflated past the
 * limit (plus one output chunk) — see `gunzipWithLimit`. A gzip body whose *compressed* size is
 * already past `maxCompressedBytes(maxBytes)` is refused too, unread beyond that point.
 *
 * `source` is the request stream (or a buffer already read). A Node `Readable` is read without
 * being destroyed on early exit, so after a 413 the controller can still answer on the socket
 * (it should add `Connection: close`, since the rest of the body is left unread).
 */
export async function readOtlpBody(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  headers: OtlpBodyHeaders,
  maxBytes: number = OTLP_MAX_BODY_BYTES,
): Promise<OtlpBody> {
  const encoding = otlpEncodingOf(headers.contentType);
  const contentEncoding = (headers.contentEncoding ?? '').trim().toLowerCase();
  const chunks = chunksOf(source);
  if (contentEncoding === '' || contentEncoding === 'identity') {
    return { encoding, body: await collect(chunks, maxBytes) };
  }
  if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') {
    return { encoding, body: await gunzipWithLimit(chunks, maxBytes) };
  }
  throw new OtlpUnsupportedMediaTypeError(
    `Content-Encoding "${headers.contentEncoding}" is not supported; send gzip or no encoding`,
  );
}

function chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    return (async function* () {
      yield source;
    })();
  }
  if (source instanceof Readable) return source.iterator({ destroyOnReturn: false });
  return source;
}

async function collect(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new OtlpPayloadTooLargeError(maxBytes);
    parts.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(parts, total);
}

const gunzipAsync = promisify(gunzip);

/**
 * Gzip bodies up to this compressed size are read whole, then inflated in one `zlib.gunzip` call:
 * an export of 512 spans is about 40 KiB compressed. One call costs a sixth of the main-thread
 * time of the streaming path (~0.7 µs per span instead of ~4.5: no stream, async iterator and
 * promise per 16 KiB chunk) and inflates on libuv's thread pool. Larger bodies stream as before,
 * so a bomb is neither read nor inflated much past what it takes to reach the limit.
 */
export const OTLP_ONE_SHOT_GZIP_BYTES = 256 * 1024;
/** Output chunk of the one-shot inflate: a 40 KiB export inflates to ~300 KiB, in two or three. */
const ONE_SHOT_CHUNK_BYTES = 128 * 1024;

/**
 * The compressed size past which a gzip body is refused (413) without inflating further. Real gzip
 * output exceeds its input only by framing (5 bytes per stored block of up to 64 KiB, 18 of
 * header and trailer), well under this margin, so a body this large compressed cannot be within
 * the limit inflated; only padding (empty gzip members, say) gets here.
 */
export function maxCompressedBytes(maxBytes: number): number {
  return maxBytes + Math.ceil(maxBytes / 1024) + 1024;
}

async function gunzipWithLimit(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const compressedLimit = maxCompressedBytes(maxBytes);
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return gunzipWhole(Buffer.concat(head, headBytes), maxBytes);
    const chunk = next.value;
    headBytes += chunk.byteLength;
    head.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (headBytes > compressedLimit) {
      await iterator.return?.();
      throw new OtlpPayloadTooLargeError(maxBytes);
    }
    if (headBytes > OTLP_ONE_SHOT_GZIP_BYTES) break;
  }
  // A large body: the chunks read so far, then the rest of the stream, inflated as they come.
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => iterator };
  return gunzipStreaming(
    (async function* () {
      yield* head;
      for await (const chunk of rest) {
        headBytes += chunk.byteLength;
        if (headBytes > compressedLimit) throw new OtlpPayloadTooLargeError(maxBytes);
        yield chunk;
      }
    })(),
    maxBytes,
  );
}

/**
 * `maxOutputLength` makes zlib stop once its output passes the limit (it checks after each output
 * chunk), so a bomb is inflated to at most the limit plus one chunk before the 413.
 */
async function gunzipWhole(compressed: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(compressed, { maxOutputLength: maxBytes, chunkSize: ONE_SHOT_CHUNK_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new OtlpPayloadTooLargeError(maxBytes);
    if (code.startsWith('Z_')) {
      throw new OtlpDecodeError(`The gzip body could not be inflated: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}

async function gunzipStreaming(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  let overLimit = false;
  try {
    await pipeline(Readable.from(chunks, { objectMode: false }), createGunzip(), async (inflated: AsyncIterable<Buffer>) => {
      for await (const chunk of inflated) {
        total += chunk.byteLength;
        // Throwing here tears the pipeline down: zlib inflates no further.
        if (total > maxBytes) {
          overLimit = true;
          throw new OtlpPayloadTooLargeError(maxBytes);
        }
        parts.push(chunk);
      }
    });
  } catch (error) {
    // Tearing the pipeline down may surface as an AbortError from another stage: the flag says why.
    if (overLimit) throw new OtlpPayloadTooLargeError(maxBytes);
    if (error instanceof OtlpHttpError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new OtlpDecodeError(`The gzip body could not be inflated: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  return Buffer.concat(parts, total);
}
