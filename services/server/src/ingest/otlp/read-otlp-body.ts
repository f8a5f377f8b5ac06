import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
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
 * limit — zlib only produces output as it is consumed, and consumption stops at the limit.
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

async function gunzipWithLimit(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
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
