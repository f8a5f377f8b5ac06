import { AsyncLocalStorage } from 'node:async_hooks';
import { diag } from '@opentelemetry/api';
import type { LlmCall } from './llm-call.js';
import type { ProviderClient } from './types.js';
import { isRecord } from './utils.js';

/**
 * Seeing each HTTP attempt of a call (the client's retries included) without depending on the
 * client's private retry code: the client keeps its `fetch` on the instance, and Costscope wraps
 * it once per client. The wrapped fetch learns which call an attempt belongs to from the request
 * options, which the client copies into every attempt:
 * - clients that pass `fetchOptions` through to fetch (openai 5+, @anthropic-ai/sdk 0.40+) carry
 *   the call under a symbol key, which costs nothing to find;
 * - older ones carry a marker header. A client's first call sends both and the fetch learns which
 *   arrives. The marker is removed before the request leaves: neither the app's fetch nor the
 *   provider ever sees it.
 *
 * Why not an AsyncLocalStorage: on Node 20 an active AsyncLocalStorage makes every promise in the
 * process pay for context propagation. The storage below is only a fallback for request options
 * given as a promise (openai 6+ accepts that), where nothing can be added synchronously.
 */
const CALL_MARKER_HEADER = 'x-costscope-call';
const CALL_KEY = Symbol.for('costscope.call');

type Correlation = 'probe' | 'fetch-options' | 'header';
const correlationOf = new WeakMap<object, Correlation>();
const OBSERVED_FETCH = Symbol.for('costscope.observedFetch');

const callsInFlight = new Map<string, LlmCall>();
/** A call whose promise the app never awaits never ends; the table forgets the oldest. */
const MAX_CALLS_IN_FLIGHT = 10_000;
const callOfPromisedOptions = new AsyncLocalStorage<LlmCall>();
let nextCallId = 0;

type Fetch = ((...args: unknown[]) => Promise<{ status: number }>) & { [OBSERVED_FETCH]?: true };

/** Wraps the client's fetch once; false when the client has none (an unknown client shape). */
export function observeAttempts(client: ProviderClient | undefined): boolean {
  if (client === undefined || typeof client.fetch !== 'function') return false;
  const current = client.fetch as Fetch;
  if (current[OBSERVED_FETCH] === true) return true;
  const observed: Fetch = function (this: unknown, ...args: unknown[]) {
    const init = args[1];
    let call: LlmCall | undefined;
    if (isRecord(init) && init[CALL_KEY as unknown as string] !== undefined) {
      call = init[CALL_KEY as unknown as string] as LlmCall;
      // Cleared, not deleted: `delete` would turn the object into a slow dictionary for fetch.
      init[CALL_KEY as unknown as string] = undefined;
      if (correlationOf.get(client) !== 'fetch-options') {
        correlationOf.set(client, 'fetch-options');
        takeMarker(init);
      }
    } else {
      call = takeMarker(init);
      if (call !== undefined) correlationOf.set(client, 'header');
    }
    call ??= callOfPromisedOptions.getStore();
    if (call === undefined) return current.apply(this, args);
    call.onAttemptStart();
    return current.apply(this, args).then(
      (response) => {
        call.onAttemptResponse(response.status);
        return response;
      },
      (error: unknown) => {
        call.onAttemptError(error);
        throw error;
      },
    );
  };
  observed[OBSERVED_FETCH] = true;
  client.fetch = observed;
  return true;
}

/**
 * Runs `send` (the client's `create`) so that its HTTP attempts are attributed to `call`.
 * Returns what `send` returns, and lets what it throws through: `send` runs exactly once, with
 * the app's options as they were if marking them failed.
 */
export function sendAsCall<T>(client: object, call: LlmCall, options: unknown, send: (options: unknown) => T): T {
  if (isThenable(options)) return callOfPromisedOptions.run(call, () => send(options));
  let sentOptions: unknown = options;
  try {
    sentOptions = markedOptions(client, call, options);
  } catch (error) {
    diag.debug('costscope: cannot attribute HTTP attempts of this call', error);
  }
  return send(sentOptions);
}

function markedOptions(client: object, call: LlmCall, options: unknown): Record<string, unknown> {
  const correlation = correlationOf.get(client) ?? 'probe';
  if (correlation === 'fetch-options') return withCallKey(options, call);
  if (correlation === 'probe') correlationOf.set(client, 'probe');
  const id = String((nextCallId = (nextCallId + 1) % Number.MAX_SAFE_INTEGER));
  if (callsInFlight.size >= MAX_CALLS_IN_FLIGHT) {
    const oldest = callsInFlight.keys().next();
    if (oldest.done !== true) callsInFlight.delete(oldest.value);
  }
  callsInFlight.set(id, call);
  call.onEnd(() => callsInFlight.delete(id));
  const marked = withMarker(options, id);
  return correlation === 'probe' ? withCallKey(marked, call) : marked;
}

function withCallKey(options: unknown, call: LlmCall): Record<string, unknown> {
  const base = isRecord(options) ? options : {};
  const fetchOptions = isRecord(base['fetchOptions']) ? base['fetchOptions'] : {};
  return { ...base, fetchOptions: { ...fetchOptions, [CALL_KEY]: call } };
}

function withMarker(options: unknown, id: string): Record<string, unknown> {
  const base = isRecord(options) ? options : {};
  const headers = base['headers'];
  let marked: unknown;
  if (headers === undefined || headers === null) {
    marked = { [CALL_MARKER_HEADER]: id };
  } else if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    const copy = new Headers(headers);
    copy.set(CALL_MARKER_HEADER, id);
    marked = copy;
  } else if (Array.isArray(headers)) {
    marked = [...(headers as unknown[]), [CALL_MARKER_HEADER, id]];
  } else if (isRecord(headers)) {
    marked = { ...headers, [CALL_MARKER_HEADER]: id };
  } else {
    return base;
  }
  // A copy: the app may reuse its options object for other calls.
  return { ...base, headers: marked };
}

/** Reads and removes the marker from an attempt's request headers (a Headers or a plain object). */
function takeMarker(init: unknown): LlmCall | undefined {
  if (!isRecord(init)) return undefined;
  const headers = init['headers'];
  let id: string | null | undefined;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    id = headers.get(CALL_MARKER_HEADER);
    if (id !== null) headers.delete(CALL_MARKER_HEADER);
  } else if (isRecord(headers)) {
    const value = headers[CALL_MARKER_HEADER];
    if (typeof value === 'string') {
      id = value;
      delete headers[CALL_MARKER_HEADER];
    }
  }
  return id === undefined || id === null ? undefined : callsInFlight.get(id);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isRecord(value) && typeof (value as { then?: unknown }).then === 'function';
}
