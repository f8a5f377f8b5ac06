/**
 * The ingest's storage-independent core, for the `/v1/traces` controller and the storage module.
 * Controller path: `receiveOtlpTraces(req, headers, { projectId, overrides, now, retentionDays,
 * sink: callBatcher })` → write `status`, `headers`, `body`. The pieces are exported too, for
 * metrics, re-pricing and tests.
 */
export { receiveOtlpTraces } from './receive-otlp-traces.js';
export type { OtlpHttpAnswer, ReceiveOtlpTracesContext } from './receive-otlp-traces.js';
export { processTraceRequest } from './process-trace-request.js';
export type { ProcessedTraceRequest, ProcessTraceRequestOptions } from './process-trace-request.js';

export { OTLP_MAX_BODY_BYTES, otlpEncodingOf, readOtlpBody } from './otlp/read-otlp-body.js';
export type { OtlpBody, OtlpBodyHeaders } from './otlp/read-otlp-body.js';
export { decodeOtlpBody } from './otlp/decode-otlp-body.js';
export { decodeOtlpProtobuf } from './otlp/decode-otlp-protobuf.js';
export { decodeOtlpJson } from './otlp/decode-otlp-json.js';
export { encodeOtlpExportResponse, encodeOtlpStatus } from './otlp/encode-otlp-response.js';
export type { OtlpResponseBody } from './otlp/encode-otlp-response.js';
export { OtlpDecodeError, OtlpHttpError, OtlpPayloadTooLargeError, OtlpUnsupportedMediaTypeError } from './otlp/ingest-http-error.js';
export type { OtlpEncoding, OtlpPartialSuccess, OtlpSpan, OtlpTraceRequest } from './otlp/types.js';

export { normalizeSpan, MAX_TOKENS_PER_CALL } from './normalize/normalize-span.js';
export type { NormalizeOptions, SpanOutcome } from './normalize/normalize-span.js';
export type { NormalizedCall } from './normalize/normalized-call.js';
export type { SkipReason, SpanDialect } from './normalize/call-reading.js';
export type { InvalidSpanCode } from './normalize/invalid-span-error.js';

export { priceCalls } from './pricing/price-calls.js';
export type { PricedCalls } from './pricing/price-calls.js';
export { priceNormalizedCall } from './pricing/price-normalized-call.js';
export { repriceRecords } from './pricing/reprice-records.js';
export type { RepricedRecords } from './pricing/reprice-records.js';

export { DurableSpool } from './spool/durable-spool.js';
export type { DurableSpoolOptions, SpoolReplayResult, WriteCalls } from './spool/durable-spool.js';
export { CallBatcher } from './spool/call-batcher.js';
export type { CallBatcherOptions, Durability } from './spool/call-batcher.js';
export { SpoolFullError, SpoolLockedError } from './spool/spool-errors.js';
export { serializeCallRecord, deserializeCallRecord } from './spool/serialize-call-record.js';
