import { Readable } from 'node:stream';
import { DEMO_SERVICE_NAME } from './example-app.js';
import type { HistorySpan } from './history.js';
import type { SendResult } from './send-history.js';
import type { ServerConnection } from './server-connection.js';
import { DemoError, EXIT, PRICED_IMPORT_ROUTE } from './server-probe.js';

/**
 * The call the ingest stores for the span `otlpExportBody` writes, as a line of the priced import:
 * every field of an export's line but the costs, which the server computes. Field for field what
 * the ingest reads from the SDK's attributes (a refused attempt has no response, usage or finish
 * reason, and keeps its HTTP status), so either route stores the same call under the same ids.
 */
export function importLine(span: HistorySpan): string {
  const { call } = span;
  const answered = span.errorType === undefined;
  const attributes: Record<string, string> = { 'costscope.dialect': 'genai' };
  if (span.errorType !== undefined) attributes['http.response.status_code'] = span.errorType;
  return JSON.stringify({
    time: span.start.toISOString(),
    traceId: span.traceId,
    spanId: span.spanId,
    service: DEMO_SERVICE_NAME,
    feature: call.feature,
    endpoint: call.endpoint,
    userId: call.user?.id ?? '',
    userTier: call.user?.tier ?? '',
    priority: call.priority,
    provider: call.provider,
    requestModel: call.model,
    responseModel: answered ? call.responseModel : '',
    operation: 'chat',
    inputTokens: answered ? call.usage.inputTokens : 0,
    cacheReadInputTokens: answered ? call.usage.cacheReadInputTokens : 0,
    cacheWriteInputTokens: answered ? call.usage.cacheWriteInputTokens : 0,
    outputTokens: answered ? call.usage.outputTokens : 0,
    reasoningTokens: 0,
    status: answered ? 'ok' : 'error',
    errorType: span.errorType ?? '',
    attempt: span.attempt,
    batch: call.batch,
    maxTokens: call.maxTokens,
    finishReason: answered ? call.finishReason : '',
    promptPrefixHash: '',
    latencyMs: span.durationMs,
    timeToFirstTokenMs: null,
    attributes,
  });
}

/**
 * Streams the history to the priced import in one request, generated as it is sent: the server
 * stores one batch while it reads the next, and the body is pulled only as fast as it stores.
 * Needs an admin key (the demo checks first). A resend stores nothing twice (same ids), so a
 * failure asks for another run.
 */
export async function importHistory(
  connection: ServerConnection,
  hours: Iterable<HistorySpan[]>,
  onSent: (spans: readonly HistorySpan[]) => void,
): Promise<SendResult> {
  const body = Readable.from(
    (function* () {
      for (const hour of hours) {
        let text = '';
        for (const span of hour) text += `${importLine(span)}\n`;
        onSent(hour);
        yield Buffer.from(text);
      }
    })(),
  );
  let response: Response;
  try {
    response = await fetch(`${connection.server}${PRICED_IMPORT_ROUTE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${connection.apiKey}`, 'content-type': 'application/x-ndjson' },
      body: Readable.toWeb(body) as ReadableStream<Uint8Array>,
      // Node's fetch sends a streamed body only when told the request is half duplex.
      duplex: 'half',
    } as RequestInit);
  } catch (error) {
    throw new DemoError(
      `Costscope at ${connection.server} stopped answering while the history was imported (${String(error)}); run the demo again (calls already stored are not stored twice).`,
      EXIT.unreachable,
    );
  }
  if (!response.ok) {
    throw new DemoError(
      `Costscope answered ${response.status} to the history's import: ${(await response.text()).slice(0, 300)}. Run the demo again (calls already stored are not stored twice).`,
    );
  }
  const answer = (await response.json()) as { lines: number };
  return { spans: answer.lines, rejectedSpans: 0, rejectReasons: [] };
}
