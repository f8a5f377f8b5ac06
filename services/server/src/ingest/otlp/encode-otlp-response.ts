import { otlpType } from './otlp-schema.js';
import type { OtlpEncoding, OtlpPartialSuccess } from './types.js';

export type OtlpResponseBody = { contentType: string; body: Buffer };

const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * The 200 body: an `ExportTraceServiceResponse`, in the request's encoding. Per the OTLP spec
 * `partial_success` is left out when every span was accepted, and set with the count and the
 * reasons when some were refused.
 */
export function encodeOtlpExportResponse(partial: OtlpPartialSuccess, encoding: OtlpEncoding): OtlpResponseBody {
  const rejected = partial.rejectedSpans > 0 || partial.errorMessage !== '';
  if (encoding === 'json') {
    // int64 as a decimal string, as the protobuf JSON mapping writes it.
    const json = rejected
      ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } }
      : {};
    return { contentType: CONTENT_TYPE.json, body: Buffer.from(JSON.stringify(json)) };
  }
  const type = otlpType('ExportTraceServiceResponse');
  const message = type.create(
    rejected ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } } : {},
  );
  return { contentType: CONTENT_TYPE.protobuf, body: Buffer.from(type.encode(message).finish()) };
}

/** gRPC code `INVALID_ARGUMENT`, the code OTLP/HTTP's Status carries for a 400. */
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_CODE_BY_HTTP_STATUS: Record<number, number> = {
  400: GRPC_INVALID_ARGUMENT,
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  413: GRPC_INVALID_ARGUMENT,
  415: GRPC_INVALID_ARGUMENT,
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/**
 * The body of a 4xx/5xx answer: a `google.rpc.Status` saying what was wrong, in the request's
 * encoding (the OTLP/HTTP spec). Use `json` when the request's encoding is unknown (a 415).
 */
export function encodeOtlpStatus(
  failure: { httpStatus: number; message: string },
  encoding: OtlpEncoding,
): OtlpResponseBody {
  const code = GRPC_CODE_BY_HTTP_STATUS[failure.httpStatus] ?? 2; // 2: UNKNOWN
  if (encoding === 'json') {
    return { contentType: CONTENT_TYPE.json, body: Buffer.from(JSON.stringify({ code, message: failure.message })) };
  }
  const type = otlpType('RpcStatus');
  return { contentType: CONTENT_TYPE.protobuf, body: Buffer.from(type.encode(type.create({ code, message: failure.message })).finish()) };
}
