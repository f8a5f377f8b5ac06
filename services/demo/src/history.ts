import {
  DAILY_VOLUME,
  GROWTH_PER_DAY,
  NIGHTLY_BATCH_HOUR,
  WEEKDAY_SHAPE,
  appUsers,
  hourShare,
  pickUser,
  planChatRequest,
  planReviewInsight,
  planTicketSummary,
  type AppUsers,
  type PlannedCall,
} from './example-app.js';
import type { TalliedAttempt } from './call-tally.js';
import { around, hexId, mixSeed, seededRandom } from './seeded-random.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** One span of the history: a call's attempt, with its ids and time. */
export type HistorySpan = {
  traceId: string;
  spanId: string;
  start: Date;
  durationMs: number;
  /** 1 for the first try; a retry after a refused attempt is 2. */
  attempt: number;
  /** The refused attempt's HTTP status (`"429"`), as the SDK records it; undefined when it succeeded. */
  errorType: string | undefined;
  call: PlannedCall;
};

/** The history's time range: whole UTC days before `to`'s day, then `to`'s day up to `to`. */
export type HistoryWindow = { seed: number; from: Date; to: Date; days: number };

export function historyWindow(seed: number, now: Date, days: number): HistoryWindow {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { seed, from: new Date(today - days * DAY_MS), to: now, days };
}

/** The traffic streams of the app; each request's randomness is seeded by (seed, stream, hour, index). */
const STREAM = { chat: 1, summary: 2, reviews: 3 } as const;

/**
 * The history, one UTC hour at a time. Everything about request `k` of an hour (its time, user,
 * route, tokens, ids) comes from (seed, stream, hour, k) alone; only how many requests an hour
 * has depends on the day's place in the growth curve, which is counted from `to`'s UTC day. So a
 * run later the same day resends the same spans (stored once) plus the calls since, and a run on
 * a later day adds only the ~0.7% a day of growth, never a second copy.
 */
export function* historyHours(window: HistoryWindow): Generator<HistorySpan[]> {
  const users = appUsers(window.seed);
  const anchorDay = Math.floor(window.to.getTime() / DAY_MS);
  const firstHour = Math.floor(window.from.getTime() / HOUR_MS);
  const lastHour = Math.floor((window.to.getTime() - 1) / HOUR_MS);
  for (let hour = firstHour; hour <= lastHour; hour += 1) {
    const spans = [...hourSpans(window.seed, hour, anchorDay, users)].filter(
      (span) => span.start >= window.from && span.start < window.to,
    );
    if (spans.length > 0) yield spans;
  }
}

type HourStream = { stream: number; count: number; spreadMs: number };

/** How many requests each stream makes in `hour`: the weekly and daily rhythm, growth, and ±10% noise. */
function hourStreams(seed: number, hour: number, anchorDay: number): HourStream[] {
  const day = Math.floor(hour / 24);
  const hourOfDay = hour - day * 24;
  const growth = (1 + GROWTH_PER_DAY) ** (day - anchorDay);
  // 1970-01-01 was a Thursday (ISO 4).
  const isoWeekday = ((day + 3) % 7) + 1;
  const shape = (WEEKDAY_SHAPE[isoWeekday] ?? 1) * hourShare(hourOfDay) * growth;
  const hourRandom = seededRandom(mixSeed(seed, 0, hour));
  const noise = 0.9 + 0.2 * hourRandom();
  const streams = [
    { stream: STREAM.chat, expected: DAILY_VOLUME.chatRequests * shape * noise, spreadMs: HOUR_MS },
    { stream: STREAM.summary, expected: DAILY_VOLUME.ticketSummaries * shape * noise, spreadMs: HOUR_MS },
    { stream: STREAM.reviews, expected: hourOfDay === NIGHTLY_BATCH_HOUR ? DAILY_VOLUME.reviewInsights * growth : 0, spreadMs: 40 * 60_000 },
  ];
  return streams.map(({ stream, expected, spreadMs }) => ({ stream, count: Math.floor(expected) + (hourRandom() < expected % 1 ? 1 : 0), spreadMs }));
}

/** About how many spans the history holds (retries and the cut at `to` aside): the progress bar's total. */
export function estimatedHistorySpans(window: HistoryWindow): number {
  const anchorDay = Math.floor(window.to.getTime() / DAY_MS);
  let total = 0;
  for (let hour = Math.floor(window.from.getTime() / HOUR_MS); hour * HOUR_MS < window.to.getTime(); hour += 1) {
    // A chat request is two calls: the routing call and the answer.
    for (const { stream, count } of hourStreams(window.seed, hour, anchorDay)) total += count * (stream === STREAM.chat ? 2 : 1);
  }
  return total;
}

function* hourSpans(seed: number, hour: number, anchorDay: number, users: AppUsers): Generator<HistorySpan> {
  const hourStart = hour * HOUR_MS;
  for (const { stream, count, spreadMs } of hourStreams(seed, hour, anchorDay)) {
    for (let index = 0; index < count; index += 1) {
      const random = seededRandom(mixSeed(seed, stream, hour, index));
      const start = hourStart + Math.floor(random() * spreadMs);
      const calls =
        stream === STREAM.chat
          ? planChatRequest(random, pickUser(random, users))
          : stream === STREAM.summary
            ? planTicketSummary(random, pickUser(random, users))
            : planReviewInsight(random);
      const traceId = hexId(32, seed, stream, hour, index);
      let shiftMs = 0;
      for (const [position, call] of calls.entries()) {
        const callStart = start + call.offsetMs + shiftMs;
        const spanId = (attempt: number) => hexId(16, seed, stream, hour, index, position, attempt);
        if (call.failFirstWith === undefined) {
          yield { traceId, spanId: spanId(1), start: new Date(callStart), durationMs: call.durationMs, attempt: 1, errorType: undefined, call };
          continue;
        }
        // The refused attempt, then the client's retry after a short back-off.
        const refusedMs = around(random, 250, 0.5, 20);
        const retryAt = callStart + refusedMs + around(random, 800, 0.5, 100);
        yield { traceId, spanId: spanId(1), start: new Date(callStart), durationMs: refusedMs, attempt: 1, errorType: String(call.failFirstWith), call };
        yield { traceId, spanId: spanId(2), start: new Date(retryAt), durationMs: call.durationMs, attempt: 2, errorType: undefined, call };
        shiftMs += retryAt - callStart;
      }
    }
  }
}

/** The span as the demo's tally counts it: a refused attempt has no usage and keeps the model asked for. */
export function talliedAttempt(span: HistorySpan): TalliedAttempt {
  const answered = span.errorType === undefined;
  return { model: answered ? span.call.responseModel : span.call.model, batch: span.call.batch, at: span.start, usage: answered ? span.call.usage : undefined };
}
