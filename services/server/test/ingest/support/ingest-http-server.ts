import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { receiveOtlpTraces, type ReceiveOtlpTracesContext } from '../../../src/ingest/receive-otlp-traces.js';

/**
 * A bare node:http front for `receiveOtlpTraces`, standing in for the Nest controller that comes
 * later: it passes the raw request stream and writes the answer, nothing else.
 */
export async function startIngestServer(
  context: () => Omit<ReceiveOtlpTracesContext, 'now'>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    receiveOtlpTraces(
      req,
      { contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'] },
      { ...context(), now: new Date() },
    ).then(
      (answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
