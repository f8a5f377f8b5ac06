import type { LlmCallRecord, PriceOverrideInput } from '@costscope/core';
import { decodeOtlpBody } from './otlp/decode-otlp-body.js';
import { encodeOtlpExportResponse, encodeOtlpStatus } from './otlp/encode-otlp-response.js';
import { OtlpHttpError } from './otlp/ingest-http-error.js';
import { OTLP_MAX_BODY_BYTES, otlpEncodingOf, readOtlpBody, type OtlpBodyHeaders } from './otlp/read-otlp-body.js';
import type { OtlpEncoding } from './otlp/types.js';
import { processTraceRequest, type ProcessedTraceRequest } from './process-trace-request.js';
import type { Durability } from './spool/call-batcher.js';
import { SpoolFullError } from './spool/spool-errors.js';

export type ReceiveOtlpTracesContext = {
  /** The project the request's API key belongs to (auth runs before this). */
  projectId: string;
  /** That project's price overrides. */
  overrides?: readonly PriceOverrideInput[];
  now: Date;
  retentionDays: number;
  /** Where accepted calls go; resolves when they are durable (a `CallBatcher`). */
  sink: { add(records: readonly LlmCallRecord[]): Promise<Durability> };
  maxBodyBytes?: number;
};

/** What to answer on the wire. */
export type OtlpHttpAnswer = {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Present when the body decoded: counts for metrics (received, skipped, rejected, unpriced). */
  processed?: ProcessedTraceRequest;
  durability?: Durability;
};

/**
 * `POST /v1/traces` from body to answer, for the controller to call with the raw request stream
 * (the route must not run a body parser). Answers 200 only once the calls are durable; 400, 413
 * and 415 with a `google.rpc.Status` body; 503 with `Retry-After` when storage is down and the
 * spool is full. Anything else is a server fault and is thrown for the controller's 500.
 */
export async function receiveOtlpTraces(
  source: AsyncIterable<Uint8Array> | Uint8Array,
  headers: OtlpBodyHeaders,
  context: ReceiveOtlpTracesContext,
): Promise<OtlpHttpAnswer> {
  // The encoding answers are written in: the request's, or JSON when it named none we know.
  let encoding: OtlpEncoding = 'json';
  try {
    encoding = otlpEncodingOf(headers.contentType);
    const body = await readOtlpBody(source, headers, context.maxBodyBytes ?? OTLP_MAX_BODY_BYTES);
    const processed = processTraceRequest(decodeOtlpBody(body), context);
    const durability = await context.sink.add(processed.records);
    const answer = encodeOtlpExportResponse(processed.partialSuccess, encoding);
    return { status: 200, headers: { 'content-type': answer.contentType }, body: answer.body, processed, durability };
  } catch (error) {
    if (error instanceof OtlpHttpError) {
      const answer = encodeOtlpStatus({ httpStatus: error.httpStatus, message: error.message }, encoding);
      // After a 413 the rest of the body is unread: the connection cannot be reused.
      const close: Record<string, string> = error.httpStatus === 413 ? { connection: 'close' } : {};
      return { status: error.httpStatus, headers: { 'content-type': answer.contentType, ...close }, body: answer.body };
    }
    if (error instanceof SpoolFullError) {
      const answer = encodeOtlpStatus({ httpStatus: 503, message: error.message }, encoding);
      return {
        status: 503,
        headers: { 'content-type': answer.contentType, 'retry-after': String(error.retryAfterSeconds) },
        body: answer.body,
      };
    }
    throw error;
  }
}
