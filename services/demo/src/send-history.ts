import type { ServerConnection } from './server-connection.js';
import type { HistorySpan } from './history.js';
import { otlpExportBody } from './otlp-export.js';
import { DemoError, EXIT } from './server-probe.js';

/** Spans per export: a few hundred, like an SDK's batches (512 at most). */
export const SPANS_PER_EXPORT = 500;
/** Exports in flight at once: enough to keep the server's group commit busy, far under its 32 per project. */
const IN_FLIGHT = 4;
const MAX_TRIES = 30;

export type SendResult = { spans: number; rejectedSpans: number; rejectReasons: string[] };

/**
 * Posts the history to `/v1/traces` in exports of `SPANS_PER_EXPORT` spans, a few in flight.
 * A 429 or 503 (the server shedding load) is waited out as its `Retry-After` says and sent again,
 * which is safe: a resent span has the same ids and is counted once.
 */
export async function sendHistory(
  connection: ServerConnection,
  hours: Iterable<HistorySpan[]>,
  onSent: (spans: readonly HistorySpan[]) => void,
): Promise<SendResult> {
  const result: SendResult = { spans: 0, rejectedSpans: 0, rejectReasons: [] };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const send = (spans: HistorySpan[]) => {
    const sending = exportSpans(connection, spans, result)
      .then(() => onSent(spans))
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  let pending: HistorySpan[] = [];
  for (const hour of hours) {
    pending.push(...hour);
    while (pending.length >= SPANS_PER_EXPORT) {
      send(pending.slice(0, SPANS_PER_EXPORT));
      pending = pending.slice(SPANS_PER_EXPORT);
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (failure !== undefined) break;
    }
    if (failure !== undefined) break;
  }
  if (pending.length > 0 && failure === undefined) send(pending);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return result;
}

async function exportSpans(connection: ServerConnection, spans: HistorySpan[], result: SendResult): Promise<void> {
  const body = otlpExportBody(spans);
  for (let tryNumber = 1; ; tryNumber += 1) {
    let response: Response;
    try {
      response = await fetch(`${connection.server}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${connection.apiKey}`, 'content-type': 'application/json' },
        body,
      });
    } catch (error) {
      if (tryNumber >= MAX_TRIES) throw new DemoError(`Costscope at ${connection.server} stopped answering while the history was sent (${String(error)}).`, EXIT.unreachable);
      await wait(Math.min(5000, 250 * tryNumber));
      continue;
    }
    if (response.status === 429 || response.status === 503) {
      await response.body?.cancel();
      if (tryNumber >= MAX_TRIES) throw new DemoError(`Costscope kept answering ${response.status} (overloaded) to the history's exports; try again later.`);
      const retryAfterSeconds = Number(response.headers.get('retry-after') ?? '1');
      await wait(Math.min(10_000, Math.max(100, (Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 1) * 1000)));
      continue;
    }
    if (!response.ok) throw new DemoError(`Costscope answered ${response.status} to an export of the history: ${(await response.text()).slice(0, 300)}`);
    const answer = (await response.json()) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    result.spans += spans.length;
    const rejected = Number(answer.partialSuccess?.rejectedSpans ?? 0);
    if (rejected > 0) {
      result.rejectedSpans += rejected;
      const reason = answer.partialSuccess?.errorMessage;
      if (reason && result.rejectReasons.length < 3) result.rejectReasons.push(reason);
    }
    return;
  }
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
