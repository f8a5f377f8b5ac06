/**
 * The decoded form of an OTLP `ExportTraceServiceRequest`, the same whichever encoding it came in
 * (protobuf or the OTLP JSON mapping). Only what the ingest reads is kept; everything else on the
 * wire (events, links, schema urls) is validated by the decoder and dropped.
 */

/**
 * An attribute value (OTLP `AnyValue`). 64-bit integers become `number` when they are safe
 * integers and a decimal `string` otherwise, so no value is silently rounded; bytes become
 * base64 text; `kvlistValue` becomes a plain object; an empty `AnyValue` becomes `null`.
 */
export type OtlpAttributeValue =
  | string
  | number
  | boolean
  | null
  | OtlpAttributeValue[]
  | { [key: string]: OtlpAttributeValue };

/** Attributes by key. When a key repeats (the spec forbids it) the last value wins. */
export type OtlpAttributes = Map<string, OtlpAttributeValue>;

/** `Span.status.code`. */
export const OTLP_STATUS_CODE_UNSET = 0;
export const OTLP_STATUS_CODE_OK = 1;
export const OTLP_STATUS_CODE_ERROR = 2;

export type OtlpSpan = {
  /** Lower-case hex of the bytes sent: 32 characters for a valid id, `''` when absent. */
  traceId: string;
  /** Lower-case hex, 16 characters for a valid id, `''` when absent. */
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  /** Exact nanoseconds since the epoch (`0n` when absent). */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  status: { code: number; message: string };
};

export type OtlpScopeSpans = {
  scope: { name: string; version: string };
  spans: OtlpSpan[];
};

export type OtlpResourceSpans = {
  resource: OtlpAttributes;
  scopeSpans: OtlpScopeSpans[];
};

export type OtlpTraceRequest = {
  resourceSpans: OtlpResourceSpans[];
};

/** The two encodings of OTLP/HTTP. */
export type OtlpEncoding = 'protobuf' | 'json';

/** `ExportTracePartialSuccess`: spans that decoded but were refused, and why. */
export type OtlpPartialSuccess = {
  rejectedSpans: number;
  errorMessage: string;
};
