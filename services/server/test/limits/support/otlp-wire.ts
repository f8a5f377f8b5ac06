import { otlpType } from '../../../src/ingest/otlp/otlp-schema.js';

/**
 * The protobuf twin of an OTLP/JSON body (as `otlpJsonBody` writes it): ids from hex to bytes,
 * everything else as the JSON mapping has it, encoded with the same schema the server decodes.
 */
export function jsonToProtobuf(json: string): Buffer {
  const type = otlpType('ExportTraceServiceRequest');
  const object = JSON.parse(json, (key, value: unknown) =>
    (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string'
      ? Buffer.from(value, 'hex').toString('base64')
      : value,
  ) as Record<string, unknown>;
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** The JSON text of an OTLP `AnyValue` of `depth` levels: arrays inside arrays around one string. */
export function nestedJsonValue(depth: number): string {
  return `${'{"arrayValue":{"values":['.repeat(depth - 1)}{"stringValue":"bottom"}${']}}'.repeat(depth - 1)}`;
}

// Hand-written protobuf: protobufjs's own encoder refuses to nest past 100 messages, and the
// point here is to send what an attacker would.
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function fixed64(field: number, value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([varint((field << 3) | 1), bytes]);
}

/**
 * A protobuf `ExportTraceServiceRequest` of one LLM-looking span whose attribute `deep` is an
 * AnyValue nested `depth` levels (arrays inside arrays), built from the inside out.
 */
export function deepSpanProtobuf(depth: number, start: Date): Buffer {
  let value = lengthDelimited(1, Buffer.from('bottom')); // AnyValue.string_value
  for (let level = 1; level < depth; level += 1) {
    const arrayValue = lengthDelimited(1, value); // ArrayValue.values
    value = lengthDelimited(5, arrayValue); // AnyValue.array_value
  }
  const keyValue = (key: string, anyValue: Buffer): Buffer =>
    lengthDelimited(9, Buffer.concat([lengthDelimited(1, Buffer.from(key)), lengthDelimited(2, anyValue)]));
  const startNs = BigInt(start.getTime()) * 1_000_000n;
  const span = Buffer.concat([
    lengthDelimited(1, Buffer.from('5'.repeat(32), 'hex')),
    lengthDelimited(2, Buffer.from('6'.repeat(16), 'hex')),
    lengthDelimited(5, Buffer.from('chat gpt-5')),
    fixed64(7, startNs),
    fixed64(8, startNs + 1_000_000n),
    keyValue('gen_ai.request.model', lengthDelimited(1, Buffer.from('gpt-5'))),
    keyValue('deep', value),
  ]);
  const scopeSpans = lengthDelimited(2, span);
  const resourceSpans = lengthDelimited(2, scopeSpans);
  return lengthDelimited(1, resourceSpans);
}
