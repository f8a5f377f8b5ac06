import { CostscopeError } from '@costscope/core';

/**
 * An OTLP/HTTP request the ingest refuses as a whole, with the HTTP status to answer. The
 * controller answers `httpStatus` with `encodeOtlpStatus(error, encoding)` as the body (the OTLP
 * spec asks for a `google.rpc.Status` in the request's own encoding).
 */
export class OtlpHttpError extends CostscopeError {
  override readonly name: string = 'OtlpHttpError';

  constructor(
    readonly httpStatus: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 400: the body is not a valid OTLP request (garbage, truncated protobuf, bad JSON, bad gzip). */
export class OtlpDecodeError extends OtlpHttpError {
  override readonly name = 'OtlpDecodeError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, options);
  }
}

/** 413: the body is over the limit after decompression. */
export class OtlpPayloadTooLargeError extends OtlpHttpError {
  override readonly name = 'OtlpPayloadTooLargeError';

  constructor(readonly limitBytes: number) {
    super(413, `The request body is larger than ${limitBytes} bytes after decompression`);
  }
}

/** 415: neither `application/x-protobuf` nor `application/json`, or an unknown `Content-Encoding`. */
export class OtlpUnsupportedMediaTypeError extends OtlpHttpError {
  override readonly name = 'OtlpUnsupportedMediaTypeError';

  constructor(message: string) {
    super(415, message);
  }
}
