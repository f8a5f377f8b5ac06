import { decodeOtlpJson } from './decode-otlp-json.js';
import { decodeOtlpProtobuf } from './decode-otlp-protobuf.js';
import type { OtlpBody } from './read-otlp-body.js';
import type { OtlpTraceRequest } from './types.js';

/** Decodes a body read by `readOtlpBody` in its encoding; throws `OtlpDecodeError` (400). */
export function decodeOtlpBody(body: OtlpBody): OtlpTraceRequest {
  return body.encoding === 'protobuf' ? decodeOtlpProtobuf(body.body) : decodeOtlpJson(body.body);
}
