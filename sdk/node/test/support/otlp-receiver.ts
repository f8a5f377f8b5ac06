import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/**
 * The OTLP trace schema, as much of it as a span needs (field numbers from
 * opentelemetry-proto: collector/trace/v1, trace/v1, common/v1, resource/v1).
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12;
  repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const requestType = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: true }).root.lookupType('otlp.ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

/** One exported span, as the Costscope server would read it. */
export interface ReceivedSpan {
  name: string;
  /** OTLP SpanKind: 3 is CLIENT. */
  kind: number;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, AttributeValue>;
  resource: Record<string, AttributeValue>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

export interface ReceivedExport {
  authorization: string | undefined;
  contentType: string | undefined;
}

/**
 * A local OTLP/HTTP receiver (protobuf, as the SDK exports, or JSON, as
 * `@opentelemetry/exporter-trace-otlp-http` does) that decodes what it is sent. Given a
 * `forwardTo` URL it is a tap: it records the spans, then passes the export on unchanged and
 * answers what that server answered.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly exports: ReceivedExport[] = [];
  private server: Server | undefined;
  private url: string | undefined;

  constructor(private readonly options: { forwardTo?: string } = {}) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then(async (body) => {
        if (request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        const bytes = request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
        const contentType = request.headers['content-type'];
        this.exports.push({ authorization: request.headers.authorization, contentType });
        this.spans.push(...(contentType?.startsWith('application/json') ? decodeJsonTraces(bytes) : decodeTraces(bytes)));
        if (this.options.forwardTo === undefined) {
          response.writeHead(200, { 'content-type': contentType ?? 'application/x-protobuf' }).end();
          return;
        }
        const forwarded = await fetch(`${this.options.forwardTo}/v1/traces`, {
          method: 'POST',
          headers: headersOf(request),
          body,
        });
        response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/octet-stream' });
        response.end(Buffer.from(await forwarded.arrayBuffer()));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  clear(): void {
    this.spans.length = 0;
    this.exports.length = 0;
  }
}

export function decodeTraces(bytes: Uint8Array): ReceivedSpan[] {
  const decoded = requestType.toObject(requestType.decode(bytes), { longs: String, bytes: String, arrays: true, oneofs: true }) as {
    resource_spans: {
      resource?: { attributes: KeyValue[] };
      scope_spans: { scope?: { name: string }; spans: RawSpan[] }[];
    }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of decoded.resource_spans) {
    const resource = attributesOf(resourceSpans.resource?.attributes ?? []);
    for (const scopeSpans of resourceSpans.scope_spans) {
      for (const span of scopeSpans.spans) {
        spans.push({
          name: span.name ?? '',
          kind: span.kind ?? 0,
          scope: scopeSpans.scope?.name ?? '',
          traceId: Buffer.from(span.trace_id ?? '', 'base64').toString('hex'),
          spanId: Buffer.from(span.span_id ?? '', 'base64').toString('hex'),
          parentSpanId: Buffer.from(span.parent_span_id ?? '', 'base64').toString('hex'),
          startNanos: BigInt(span.start_time_unix_nano ?? 0),
          endNanos: BigInt(span.end_time_unix_nano ?? 0),
          attributes: attributesOf(span.attributes),
          resource,
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message ?? '',
        });
      }
    }
  }
  return spans;
}

interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface AnyValue {
  value?: string;
  string_value?: string;
  bool_value?: boolean;
  int_value?: string;
  double_value?: number;
  array_value?: { values: AnyValue[] };
}
interface RawSpan {
  name?: string;
  kind?: number;
  trace_id?: string;
  span_id?: string;
  parent_span_id?: string;
  start_time_unix_nano?: string;
  end_time_unix_nano?: string;
  attributes: KeyValue[];
  status?: { code?: number; message?: string };
}

function attributesOf(keyValues: KeyValue[]): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of keyValues) attributes[key] = valueOf(value);
  return attributes;
}

function valueOf(value: AnyValue | undefined): AttributeValue {
  // `oneofs: true` names the member that was on the wire, so 0, false and '' read back as sent.
  switch (value?.value) {
    case 'string_value':
      return value.string_value;
    case 'bool_value':
      return value.bool_value;
    case 'int_value':
      return Number(value.int_value);
    case 'double_value':
      return value.double_value;
    case 'array_value':
      return (value.array_value?.values ?? []).map(valueOf);
    default:
      return undefined;
  }
}

/** The OTLP/JSON encoding: camelCase fields, hex ids, 64-bit integers as strings or numbers. */
export function decodeJsonTraces(bytes: Uint8Array): ReceivedSpan[] {
  const decoded = JSON.parse(Buffer.from(bytes).toString('utf8')) as {
    resourceSpans?: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: { scope?: { name?: string }; spans?: JsonSpan[] }[];
    }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of decoded.resourceSpans ?? []) {
    const resource = jsonAttributesOf(resourceSpans.resource?.attributes ?? []);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          name: span.name ?? '',
          kind: span.kind ?? 0,
          scope: scopeSpans.scope?.name ?? '',
          traceId: span.traceId ?? '',
          spanId: span.spanId ?? '',
          parentSpanId: span.parentSpanId ?? '',
          startNanos: BigInt(span.startTimeUnixNano ?? 0),
          endNanos: BigInt(span.endTimeUnixNano ?? 0),
          attributes: jsonAttributesOf(span.attributes ?? []),
          resource,
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message ?? '',
        });
      }
    }
  }
  return spans;
}

interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}
interface JsonSpan {
  name?: string;
  kind?: number;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: JsonKeyValue[];
  status?: { code?: number; message?: string };
}

function jsonAttributesOf(keyValues: JsonKeyValue[]): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of keyValues) attributes[key] = jsonValueOf(value);
  return attributes;
}

function jsonValueOf(value: JsonAnyValue | undefined): AttributeValue {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonValueOf);
  return undefined;
}

/** The request's headers for passing it on (one value each; hop-by-hop ones left to fetch). */
function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || ['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
