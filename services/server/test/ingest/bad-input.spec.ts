import { createReadStream, mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOtlpBody } from '../../src/ingest/otlp/decode-otlp-body.js';
import { decodeOtlpJson } from '../../src/ingest/otlp/decode-otlp-json.js';
import { decodeOtlpProtobuf } from '../../src/ingest/otlp/decode-otlp-protobuf.js';
import { encodeOtlpExportResponse, encodeOtlpStatus } from '../../src/ingest/otlp/encode-otlp-response.js';
import { OtlpHttpError } from '../../src/ingest/otlp/ingest-http-error.js';
import { OTLP_MAX_BODY_BYTES, readOtlpBody } from '../../src/ingest/otlp/read-otlp-body.js';
import { otlpType } from '../../src/ingest/otlp/otlp-schema.js';
import { startCaptureReceiver } from './support/capture-receiver.js';
import { exportSpans } from './support/export-spans.js';

const MiB = 1024 * 1024;

async function refusal(work: () => unknown): Promise<OtlpHttpError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof OtlpHttpError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

let realProtobufBody: Buffer;

beforeAll(async () => {
  const receiver = await startCaptureReceiver();
  await exportSpans(
    receiver.url,
    [{ name: 'chat gpt-5', attributes: { 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 10 }, startTime: new Date(), durationMs: 5 }],
    { encoding: 'protobuf', gzip: false, serviceName: 'svc' },
  );
  await receiver.close();
  realProtobufBody = receiver.requests[0]?.body ?? Buffer.alloc(0);
});

describe('content type and encoding', () => {
  it('answers 415 to a content type other than protobuf or JSON, before reading the body', async () => {
    const error = await refusal(() => readOtlpBody(Buffer.from('hello'), { contentType: 'text/plain' }));
    expect(error.httpStatus).toBe(415);
    expect(error.message).toMatch(/text\/plain.*application\/x-protobuf or application\/json/);
  });

  it('answers 415 to a missing content type and to an unknown Content-Encoding', async () => {
    expect((await refusal(() => readOtlpBody(Buffer.from('{}'), { contentType: undefined }))).httpStatus).toBe(415);
    const br = await refusal(() => readOtlpBody(Buffer.from('{}'), { contentType: 'application/json', contentEncoding: 'br' }));
    expect(br.httpStatus).toBe(415);
    expect(br.message).toMatch(/Content-Encoding "br"/);
  });

  it('accepts content-type parameters and case', async () => {
    const body = await readOtlpBody(Buffer.from('{}'), { contentType: 'Application/JSON; charset=utf-8' });
    expect(body.encoding).toBe('json');
  });
});

describe('undecodable bodies get 400 saying what was wrong', () => {
  it('garbage bytes as protobuf', async () => {
    const error = await refusal(() => decodeOtlpProtobuf(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/not a valid ExportTraceServiceRequest/);
  });

  it('a truncated protobuf body from the real exporter', async () => {
    const truncated = realProtobufBody.subarray(0, realProtobufBody.length - 7);
    const error = await refusal(() => decodeOtlpBody({ encoding: 'protobuf', body: truncated }));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/truncated message/);
    // The untruncated body decodes: the refusal is about the cut, not the content.
    expect(decodeOtlpProtobuf(realProtobufBody).resourceSpans).toHaveLength(1);
  });

  it('invalid JSON', async () => {
    const error = await refusal(() => decodeOtlpJson('{"resourceSpans": ['));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/not valid JSON/);
  });

  it('JSON of the wrong shape names the field', async () => {
    const error = await refusal(() => decodeOtlpJson('{"resourceSpans": {"spans": 1}}'));
    expect(error.message).toMatch(/\$\.resourceSpans must be an array, got object/);
    const badId = await refusal(() =>
      decodeOtlpJson(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'AAECAwQFBgcICQoLDA0ODw==' }] }] }] })),
    );
    expect(badId.message).toMatch(/traceId must be hex \(OTLP\/JSON ids are hex, not base64\)/);
  });

  it('a corrupted gzip body', async () => {
    const gzipped = gzipSync(Buffer.from('{"resourceSpans":[]}'));
    gzipped[12] = (gzipped[12] ?? 0) ^ 0xff;
    const error = await refusal(() =>
      readOtlpBody(gzipped.subarray(0, gzipped.length - 4), { contentType: 'application/json', contentEncoding: 'gzip' }),
    );
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/gzip body could not be inflated/);
  });
});

describe('the JSON mapping', () => {
  it('reads hex ids, integer and named enums, int64 strings, every AnyValue kind, and ignores unknown fields', () => {
    const request = decodeOtlpJson(
      JSON.stringify({
        futureField: { anything: true },
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
            scopeSpans: [
              {
                scope: { name: 'lib', version: '2' },
                spans: [
                  {
                    traceId: '5B8EFFF798038103D269B633813FC60C',
                    spanId: 'EEE19B7EC3C1B174',
                    name: 'chat',
                    kind: 3,
                    startTimeUnixNano: '1764320000123456789',
                    endTimeUnixNano: 1764320001000000000,
                    status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                    attributes: [
                      { key: 's', value: { stringValue: 'x' } },
                      { key: 'i', value: { intValue: '42' } },
                      { key: 'big', value: { intValue: '9223372036854775807' } },
                      { key: 'd', value: { doubleValue: 1.5 } },
                      { key: 'b', value: { boolValue: true } },
                      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'stop' }, { intValue: 1 }] } } },
                      { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                      { key: 'bytes', value: { bytesValue: 'AQI=' } },
                      { key: 'empty', value: {} },
                    ],
                    events: [{ name: 'ignored' }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const span = request.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(span?.traceId).toBe('5b8efff798038103d269b633813fc60c');
    expect(span?.spanId).toBe('eee19b7ec3c1b174');
    expect(span?.kind).toBe(3);
    expect(span?.status).toEqual({ code: 2, message: 'boom' });
    expect(span?.startTimeUnixNano).toBe(1764320000123456789n);
    expect(Object.fromEntries(span?.attributes ?? [])).toEqual({
      s: 'x',
      i: 42,
      big: '9223372036854775807',
      d: 1.5,
      b: true,
      a: ['stop', 1],
      kv: { k: false },
      bytes: 'AQI=',
      empty: null,
    });
  });
});

describe('size limits', () => {
  it('answers 413 to a plain body over 20 MiB without reading past the limit', async () => {
    let delivered = 0;
    const oneMiB = Buffer.alloc(MiB);
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) {
          delivered += MiB;
          yield oneMiB;
        }
      })(),
    );
    const error = await refusal(() => readOtlpBody(source, { contentType: 'application/x-protobuf' }));
    expect(error.httpStatus).toBe(413);
    expect(delivered).toBeLessThanOrEqual(OTLP_MAX_BODY_BYTES + MiB);
  });

  describe('a gzip bomb (1 GiB of zeros)', () => {
    let dir: string;
    let bombPath: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'costscope-bomb-'));
      bombPath = join(dir, 'bomb.gz');
      // Built by streaming: 1 GiB of zeros goes through gzip chunk by chunk, never held whole.
      const zeros = Buffer.alloc(MiB);
      await pipeline(
        Readable.from(
          (function* () {
            for (let i = 0; i < 1024; i++) yield zeros;
          })(),
        ),
        createGzip({ level: 1 }),
        createWriteStream(bombPath),
      );
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is refused with 413 after inflating no more than the limit', async () => {
      const compressedSize = statSync(bombPath).size;
      let compressedRead = 0;
      const file = createReadStream(bombPath, { highWaterMark: 16 * 1024 });
      file.on('data', (chunk) => {
        compressedRead += chunk.length;
      });
      const error = await refusal(() => readOtlpBody(file, { contentType: 'application/x-protobuf', contentEncoding: 'gzip' }));
      file.destroy();
      expect(error.httpStatus).toBe(413);
      expect(error.message).toMatch(/larger than 20971520 bytes after decompression/);
      // 20 MiB of zeros is about 2% of the bomb: the reading stopped there, it did not inflate 1 GiB.
      expect(compressedRead).toBeLessThan(compressedSize / 10);
    });
  });
});

describe('answers', () => {
  it('encodes partial success so the exporters’ own deserializers read it', () => {
    const partial = { rejectedSpans: 2, errorMessage: '2 spans rejected — span a: …' };
    const proto = encodeOtlpExportResponse(partial, 'protobuf');
    expect(proto.contentType).toBe('application/x-protobuf');
    const fromProto = ProtobufTraceSerializer.deserializeResponse(proto.body);
    expect(Number(fromProto.partialSuccess?.rejectedSpans)).toBe(2);
    expect(fromProto.partialSuccess?.errorMessage).toBe(partial.errorMessage);

    const json = encodeOtlpExportResponse(partial, 'json');
    expect(JSON.parse(json.body.toString())).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: partial.errorMessage } });
    const fromJson = JsonTraceSerializer.deserializeResponse(json.body);
    expect(Number(fromJson.partialSuccess?.rejectedSpans)).toBe(2);
  });

  it('leaves partial_success out when every span was accepted', () => {
    expect(encodeOtlpExportResponse({ rejectedSpans: 0, errorMessage: '' }, 'protobuf').body.length).toBe(0);
    expect(encodeOtlpExportResponse({ rejectedSpans: 0, errorMessage: '' }, 'json').body.toString()).toBe('{}');
  });

  it('encodes a refusal as a google.rpc.Status in the request’s encoding', async () => {
    const error = await refusal(() => decodeOtlpJson('nope'));
    const json = JSON.parse(encodeOtlpStatus(error, 'json').body.toString()) as { code: number; message: string };
    expect(json.code).toBe(3);
    expect(json.message).toMatch(/not valid JSON/);
    const proto = encodeOtlpStatus(error, 'protobuf');
    const decoded = otlpType('RpcStatus').toObject(otlpType('RpcStatus').decode(proto.body)) as { code: number; message: string };
    expect(decoded).toEqual({ code: 3, message: error.message });
  });
});
