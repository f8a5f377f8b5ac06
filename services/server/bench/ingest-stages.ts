/**
 * The ingest's main-thread work per span, stage by stage, in one process: what a 512-span export
 * costs from its gzip body to its spool frame and its insert rows. CPU time (`process.cpuUsage`,
 * so a loaded machine inflates it far less than wall time), median of the rounds after warm-up,
 * the stages of each round run back to back over the same bodies.
 *
 *   npx tsx bench/ingest-stages.ts [--encoding protobuf|json] [--bodies 60] [--rounds 8]
 *
 * The floor printed with it: what the do-nothing server of `ingest-load.ts` spends per span past
 * gunzip — `JSON.parse` (json) or protobufjs' decode with the server's schema (protobuf).
 */
import { parseArgs } from 'node:util';
import type { LlmCallRecord } from '@costscope/core';
import { normalizeSpan } from '../src/ingest/normalize/normalize-span.js';
import type { NormalizedCall } from '../src/ingest/normalize/normalized-call.js';
import { decodeOtlpBody } from '../src/ingest/otlp/decode-otlp-body.js';
import { readOtlpBody, type OtlpBody } from '../src/ingest/otlp/read-otlp-body.js';
import { otlpType } from '../src/ingest/otlp/otlp-schema.js';
import type { OtlpTraceRequest } from '../src/ingest/otlp/types.js';
import { priceCalls } from '../src/ingest/pricing/price-calls.js';
import { CallRecordsWriter, readCallRecords } from '../src/ingest/spool/binary-call-records.js';
import { encodeFrame } from '../src/ingest/spool/segment-frames.js';
import { deserializeCallRecord, serializeCallRecord, type SpooledCallRecord } from '../src/ingest/spool/serialize-call-record.js';
import { callsToRowBinary } from '../src/storage/call-row-binary.js';
import { buildOtlpBodies, CONTENT_TYPE, SPANS_PER_REQUEST, type BenchEncoding } from './ingest-bodies.js';

const { values } = parseArgs({
  options: { encoding: { type: 'string', default: 'protobuf' }, bodies: { type: 'string', default: '60' }, rounds: { type: 'string', default: '8' } },
});
const encoding = values.encoding as BenchEncoding;
const bodyCount = Number(values.bodies);
const rounds = Number(values.rounds);
const WARM_UP_ROUNDS = 2;
const options = { projectId: 'bench', now: new Date(), retentionDays: 90 };

const requestType = otlpType('ExportTraceServiceRequest');
const bodies = buildOtlpBodies(bodyCount, { seed: 7, encoding });
const spans = bodyCount * SPANS_PER_REQUEST;

// Each stage's input, made once by the stage before it (the timed stages rebuild their own output).
const raw: OtlpBody[] = [];
for (const body of bodies) raw.push(await readOtlpBody(body, { contentType: CONTENT_TYPE[encoding], contentEncoding: 'gzip' }));
const decoded: OtlpTraceRequest[] = raw.map(decodeOtlpBody);
const normalized: NormalizedCall[][] = decoded.map(normalizeAll);
const priced: LlmCallRecord[][] = normalized.map((calls) => priceCalls(calls, options).records);
const writer = new CallRecordsWriter();
const jsonFrames = priced.map(jsonFrame);
const binaryFrames = priced.map((records) => encodeFrame(writer.encode(records), 'binary'));

function normalizeAll(request: OtlpTraceRequest): NormalizedCall[] {
  const calls: NormalizedCall[] = [];
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const outcome = normalizeSpan(span, resourceSpans.resource, options);
        if (outcome.kind === 'call') calls.push(outcome.call);
      }
    }
  }
  return calls;
}

/** The spool's frame before the binary format (CSP1): still read back, no longer written. */
function jsonFrame(records: readonly LlmCallRecord[]): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(records.map(serializeCallRecord))), 'json');
}

/** Past the frame's header line: the payload (the newline at its end included, harmlessly for JSON). */
const payloadOf = (frame: Buffer) => frame.subarray(frame.indexOf(0x0a) + 1, frame.length - 1);

type Stage = { name: string; run: () => Promise<unknown> | unknown; inTotal: boolean };
const stages: Stage[] = [
  { name: 'readOtlpBody (gunzip, thread pool)', inTotal: true, run: () => Promise.all(bodies.map((body) => readOtlpBody(body, { contentType: CONTENT_TYPE[encoding], contentEncoding: 'gzip' }))) },
  { name: `decodeOtlpBody (${encoding})`, inTotal: true, run: () => raw.map(decodeOtlpBody) },
  { name: 'normalizeSpan (every span)', inTotal: true, run: () => decoded.map(normalizeAll) },
  { name: 'priceCalls', inTotal: true, run: () => normalized.map((calls) => priceCalls(calls, options)) },
  { name: 'spool frame, binary (CSP2, written now)', inTotal: true, run: () => priced.map((records) => encodeFrame(writer.encode(records), 'binary')) },
  { name: 'spool frame, JSON (CSP1, before)', inTotal: false, run: () => priced.map(jsonFrame) },
  { name: 'insert rows (RowBinary, storage)', inTotal: true, run: () => priced.map(callsToRowBinary) },
  { name: 'replay read, binary (off the request path)', inTotal: false, run: () => binaryFrames.map((frame) => readCallRecords(payloadOf(frame))) },
  {
    name: 'replay read, JSON (off the request path)',
    inTotal: false,
    run: () => jsonFrames.map((frame) => (JSON.parse(payloadOf(frame).toString('utf8')) as SpooledCallRecord[]).map(deserializeCallRecord)),
  },
];
const floor: Stage =
  encoding === 'json'
    ? { name: 'floor: JSON.parse of the gunzipped bodies', inTotal: false, run: () => raw.map((body) => JSON.parse(body.body.toString('utf8'))) }
    : { name: 'floor: protobufjs decode of the gunzipped bodies', inTotal: false, run: () => raw.map((body) => requestType.decode(body.body)) };
stages.push(floor);

const samples = new Map<string, number[]>(stages.map((stage) => [stage.name, []]));
for (let round = 0; round < WARM_UP_ROUNDS + rounds; round += 1) {
  for (const stage of stages) {
    const before = process.cpuUsage();
    await stage.run();
    const used = process.cpuUsage(before);
    if (round >= WARM_UP_ROUNDS) samples.get(stage.name)?.push((used.user + used.system) / spans);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
console.log(`${bodyCount} ${encoding} bodies of ${SPANS_PER_REQUEST} spans (${priced.flat().length} calls), CPU µs per span, median of ${rounds} rounds after ${WARM_UP_ROUNDS} of warm-up`);
let total = 0;
for (const stage of stages) {
  const value = median(samples.get(stage.name) ?? []);
  if (stage.inTotal) total += value;
  console.log(`  ${stage.inTotal ? ' ' : '·'} ${stage.name.padEnd(62)} ${value.toFixed(2).padStart(7)}`);
}
console.log(`  = main thread per span, request to insert rows (stages without ·)${total.toFixed(2).padStart(20)}`);
console.log(`  JSON spool frame ${median(samples.get('spool frame, JSON (CSP1, before)') ?? []).toFixed(2)} → binary ${median(samples.get('spool frame, binary (CSP2, written now)') ?? []).toFixed(2)} µs/span; frame bytes per call: JSON ${(jsonFrames.reduce((s, f) => s + f.length, 0) / priced.flat().length).toFixed(0)}, binary ${(binaryFrames.reduce((s, f) => s + f.length, 0) / priced.flat().length).toFixed(0)}`);
