import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/ingest/otlp/decode-otlp-protobuf.js';
import { otlpType } from '../../src/ingest/otlp/otlp-schema.js';

// 64-bit values are converted from protobufjs' Long halves, not through decimal text: these pin
// the edges where a Number stops being exact.

const INT64_EDGES = [
  '0', '1', '-1', '4294967295', '4294967296', '-4294967296', '9007199254740991', '-9007199254740991',
  '9007199254740992', '-9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808',
];

function encoded(request: unknown): Uint8Array {
  const type = otlpType('ExportTraceServiceRequest');
  return type.encode(type.fromObject(request as Record<string, unknown>)).finish();
}

describe('64-bit values in protobuf', () => {
  it('int attributes are safe Numbers when they are, exact decimal text otherwise', () => {
    const attributes = INT64_EDGES.map((text, i) => ({ key: `k${i}`, value: { intValue: text } }));
    const request = decodeOtlpProtobuf(encoded({ resourceSpans: [{ scopeSpans: [{ spans: [{ attributes }] }] }] }));
    const decoded = request.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
    INT64_EDGES.forEach((text, i) => {
      const expected = Number.isSafeInteger(Number(text)) ? Number(text) : text;
      expect(decoded?.get(`k${i}`)).toStrictEqual(expected);
    });
  });

  it('span times are exact unsigned nanoseconds', () => {
    const times = ['0', '1', '9007199254740991', '9007199254740993', '1764320000123456789', '9223372036854775808', '18446744073709551615'];
    const spans = times.map((text) => ({ startTimeUnixNano: text, endTimeUnixNano: text }));
    const request = decodeOtlpProtobuf(encoded({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
    const decoded = request.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
    expect(decoded.map((span) => span.startTimeUnixNano)).toStrictEqual(times.map(BigInt));
    expect(decoded.map((span) => span.endTimeUnixNano)).toStrictEqual(times.map(BigInt));
  });
});
