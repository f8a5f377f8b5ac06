import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobuf } from '../../src/ingest/otlp/decode-otlp-protobuf.js';
import { OtlpDecodeError } from '../../src/ingest/otlp/ingest-http-error.js';
import { otlpType } from '../../src/ingest/otlp/otlp-schema.js';

// 64-bit values are converted from their wire halves, not through decimal text: these pin the
// edges where a Number stops being exact.

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

/** A varint, and a field of the wire format, by hand: for what the schema does not know. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
const lengthDelimited = (field: number, payload: Uint8Array) => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);

// Fields of every wire type the ingest does not read: a future field number with a varint, a
// fixed64, a fixed32, bytes, and a (proto2) group holding a nested group.
const UNKNOWN_FIELDS = Buffer.concat([
  varint((99 << 3) | 0), varint(300),
  varint((98 << 3) | 1), Buffer.alloc(8, 7),
  varint((97 << 3) | 5), Buffer.alloc(4, 9),
  lengthDelimited(96, Buffer.from('ignored')),
  varint((95 << 3) | 3), varint((94 << 3) | 3), varint((1 << 3) | 0), varint(1), varint((94 << 3) | 4), varint((95 << 3) | 4),
]);

describe('the protobuf decoder', () => {
  const span = {
    traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'),
    spanId: Buffer.from('b7ad6b7169203331', 'hex'),
    parentSpanId: Buffer.from('00f067aa0ba902b7', 'hex'),
    traceState: 'vendor=1',
    flags: 1,
    name: 'chat gpt-5',
    kind: 3,
    startTimeUnixNano: '1764320000123456789',
    endTimeUnixNano: '1764320001123456789',
    attributes: [
      { key: 'text', value: { stringValue: 'héllo' } },
      { key: 'flag', value: { boolValue: true } },
      { key: 'count', value: { intValue: '-42' } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { boolValue: false } }] } } },
      { key: 'raw', value: { bytesValue: Buffer.from([1, 2, 3]) } },
      { key: 'empty', value: {} },
      { key: 'none' },
    ],
    droppedAttributesCount: 2,
    events: [{ timeUnixNano: '1', name: 'event', attributes: [{ key: 'e', value: { stringValue: 'x' } }] }],
    links: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2) }],
    status: { code: 2, message: 'upstream failed' },
  };
  const expectedSpan = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    name: 'chat gpt-5',
    kind: 3,
    startTimeUnixNano: 1764320000123456789n,
    endTimeUnixNano: 1764320001123456789n,
    attributes: new Map<string, unknown>([
      ['text', 'héllo'],
      ['flag', true],
      ['count', -42],
      ['ratio', 0.25],
      ['list', ['a', 1]],
      ['map', { inner: false }],
      ['raw', 'AQID'],
      ['empty', null],
      ['none', null],
    ]),
    status: { code: 2, message: 'upstream failed' },
  };

  it('reads every field the ingest uses, and steps over the rest of any wire type', () => {
    const spanBytes = Buffer.concat([otlpType('Span').encode(otlpType('Span').fromObject(span)).finish(), UNKNOWN_FIELDS]);
    const scope = otlpType('InstrumentationScope').encode(otlpType('InstrumentationScope').fromObject({ name: 'lib', version: '1.2', attributes: [{ key: 's', value: { stringValue: 'y' } }] })).finish();
    const scopeSpans = Buffer.concat([lengthDelimited(1, scope), lengthDelimited(2, spanBytes), lengthDelimited(3, Buffer.from('https://schema')), UNKNOWN_FIELDS]);
    const resource = otlpType('Resource').encode(otlpType('Resource').fromObject({ attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] })).finish();
    const resourceSpans = Buffer.concat([lengthDelimited(1, resource), UNKNOWN_FIELDS, lengthDelimited(2, scopeSpans)]);
    const body = Buffer.concat([UNKNOWN_FIELDS, lengthDelimited(1, resourceSpans)]);

    expect(decodeOtlpProtobuf(body)).toStrictEqual({
      resourceSpans: [{ resource: new Map([['service.name', 'svc']]), scopeSpans: [{ scope: { name: 'lib', version: '1.2' }, spans: [expectedSpan] }] }],
    });
    // The same body as protobufjs encodes it whole, without the unknown fields.
    expect(decodeOtlpProtobuf(encoded({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 'lib', version: '1.2' }, spans: [span] }] }] }))).toStrictEqual(
      decodeOtlpProtobuf(body),
    );
  });

  it('refuses the body cut at any byte with a 400 that says it is truncated', () => {
    // One resourceSpans field holds the rest of the body: every cut falls inside it.
    const body = Buffer.from(encoded({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }));
    for (let length = 1; length < body.length; length++) {
      let refusal: unknown;
      try {
        decodeOtlpProtobuf(body.subarray(0, length));
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(OtlpDecodeError);
      expect((refusal as OtlpDecodeError).message).toMatch(/not a valid ExportTraceServiceRequest: truncated message/);
    }
  });

  it('refuses wire types 6 and 7, a varint longer than 10 bytes, and an endless nest of groups', () => {
    expect(() => decodeOtlpProtobuf(Buffer.from([(5 << 3) | 6]))).toThrow(/invalid wire type 6/);
    expect(() => decodeOtlpProtobuf(Buffer.from([(5 << 3) | 7]))).toThrow(/invalid wire type 7/);
    expect(() => decodeOtlpProtobuf(Buffer.from([8, ...Array<number>(10).fill(0xff), 1]))).toThrow(/invalid varint encoding/);
    // A million nested group starts: counted, not recursed into (no stack overflow), then cut short.
    expect(() => decodeOtlpProtobuf(Buffer.alloc(1_000_000, (5 << 3) | 3))).toThrow(/truncated message/);
  });
});
