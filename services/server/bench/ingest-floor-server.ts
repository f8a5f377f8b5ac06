/**
 * The ingest benchmark's floor: a do-nothing OTLP receiver that only reads the body, gunzips it
 * and parses it (`JSON.parse`, or the protobuf decode with the server's own schema), then answers
 * 200 — no auth, normalization, pricing, spool or storage. The load generator against it gives
 * the rate this machine can reach at all with one Node process on the receiving side.
 * `node --import tsx bench/ingest-floor-server.ts <port>`; prints `ready` when listening.
 */
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { otlpType } from '../src/ingest/otlp/otlp-schema.js';

const inflate = promisify(gunzip);
const requestType = otlpType('ExportTraceServiceRequest');
let parsedSpans = 0;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    void (async () => {
      const raw = await inflate(Buffer.concat(chunks));
      const parsed = (request.headers['content-type'] === 'application/json' ? JSON.parse(raw.toString('utf8')) : requestType.decode(raw)) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }>;
      };
      // Touch the result, so the parse cannot be skipped.
      parsedSpans += parsed.resourceSpans[0]?.scopeSpans[0]?.spans.length ?? 0;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    })();
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(parsedSpans >= 0 ? 0 : 1)));
