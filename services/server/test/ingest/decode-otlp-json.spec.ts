import { describe, expect, it } from 'vitest';
import { decodeOtlpJson } from '../../src/ingest/otlp/decode-otlp-json.js';
import { OtlpDecodeError } from '../../src/ingest/otlp/ingest-http-error.js';

const INT64_EDGES = [
  '0', '-0', '007', '1', '-1', '999999999999999', '-999999999999999', '9007199254740991', '-9007199254740991',
  '9007199254740992', '9007199254740993', '9223372036854775807', '-9223372036854775808',
];

function attributesOf(attributes: unknown[]) {
  const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '', spanId: '', attributes }] }] }] });
  return decodeOtlpJson(body).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.attributes;
}

describe('attribute values in OTLP/JSON', () => {
  it('int attributes are safe Numbers when they are, exact decimal text otherwise, from strings or numbers', () => {
    const decoded = attributesOf(INT64_EDGES.map((text, i) => ({ key: `k${i}`, value: { intValue: text } })));
    INT64_EDGES.forEach((text, i) => {
      const exact = BigInt(text);
      const expected = Number.isSafeInteger(Number(exact)) ? Number(exact) : exact.toString();
      expect(decoded?.get(`k${i}`)).toStrictEqual(expected);
    });
    const asNumbers = attributesOf([
      { key: 'zero', value: { intValue: -0 } },
      { key: 'safe', value: { intValue: 9007199254740991 } },
    ]);
    expect(asNumbers?.get('zero')).toStrictEqual(0);
    expect(asNumbers?.get('safe')).toStrictEqual(9007199254740991);
  });

  it('reads strings in every spelling, and the rest of the AnyValue kinds', () => {
    const decoded = attributesOf([
      { key: 'camel', value: { stringValue: 'a' } },
      { key: 'snake', value: { string_value: 'b' } },
      { key: 'flag', value: { boolValue: true } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '2' }] } } },
      { key: 'empty', value: {} },
      { key: 'none' },
    ]);
    expect(Object.fromEntries(decoded ?? [])).toStrictEqual({
      camel: 'a',
      snake: 'b',
      flag: true,
      ratio: 0.5,
      list: ['x', 2],
      empty: null,
      none: null,
    });
  });

  it('names the attribute whose key or value has the wrong type', () => {
    expect(() => attributesOf([{ key: 'ok', value: { stringValue: 'a' } }, { key: 7, value: { stringValue: 'b' } }])).toThrow(
      new OtlpDecodeError('The JSON body is not a valid ExportTraceServiceRequest: $.resourceSpans[0].scopeSpans[0].spans[0].attributes[1].key must be a string, got number'),
    );
    expect(() => attributesOf([{ key: 'n', value: { intValue: '1.5' } }])).toThrow(/attributes\[0\]\.value\.intValue must be an integer/);
    expect(() => attributesOf([{ key: 's', value: { stringValue: 3 } }])).toThrow(/attributes\[0\]\.value\.stringValue must be a string, got number/);
  });
});
