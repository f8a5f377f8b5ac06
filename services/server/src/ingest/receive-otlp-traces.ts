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
 * and 415 with a `google.rpc.Status` body; 503 with `Retry-After` when neither storage nor the
 * spool took the calls (spool full or failing). Anything else is a server fault and is thrown for
 * the controller's 500.
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
    let durability: Durability;
    try {
      durability = await context.sink.add(processed.records);
    } catch (error) {
      return unavailable(error, encoding);
    }
    const answer = encodeOtlpExportResponse(processed.partialSuccess, encoding);
    return { status: 200, headers: { 'content-type': answer.contentType }, body: answer.body, processed, durability };
  } catch (error) {
    if (error instanceof OtlpHttpError) {
      const answer = encodeOtlpStatus({ httpStatus: error.httpStatus, message: error.message }, encoding);
      // After a 413 the rest of the body is unread: the connection cannot be reused.
      const close: Record<string, string> = error.httpStatus === 413 ? { connection: 'close' } : {};
      return { status: error.httpStatus, headers: { 'content-type': answer.contentType, ...close }, body: answer.body };
    }
    throw error;
  }
}

/** Retry-After when the failure does not say: long enough for a storage restart. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/**
 * Neither storage nor the spool took the calls (the spool is full, or its disk failed). 503 is
 * what OTLP exporters retry; a 500 they would drop, losing the data. Nothing was acknowledged.
 */
function unavailable(error: unknown, encoding: OtlpEncoding): OtlpHttpAnswer {
  const retryAfter = error instanceof SpoolFullError ? error.retryAfterSeconds : DEFAULT_RETRY_AFTER_SECONDS;
  // The spool's own error names paths under the data dir: the client learns only what to do.
  const message =
    error instanceof SpoolFullError
      ? error.message
      : `The spans could not be made durable (storage and the local spool both refused them); retry after ${retryAfter}s`;
  const answer = encodeOtlpStatus({ httpStatus: 503, message }, encoding);
  return {
    status: 503,
    headers: { 'content-type': answer.contentType, 'retry-after': String(retryAfter) },
    body: answer.body,
  };
}
