import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The cancellation signal of the API request a read runs for, carried across awaits so that
 * every storage read made while answering it — however deep in the storage functions — stops
 * when the client goes away, without threading a signal through each function's arguments.
 */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` as the cancellation of every storage read it makes. */
export function withQueryCancellation<T>(signal: AbortSignal, fn: () => T): T {
  return requestSignal.run(signal, fn);
}

/** The signal of the request being answered, if any. */
export function currentQuerySignal(): AbortSignal | undefined {
  return requestSignal.getStore();
}

/** The reason a request's signal is aborted with when its client closed the connection. */
export class ClientClosedRequestError extends Error {
  override readonly name = 'ClientClosedRequestError';

  constructor() {
    super('the client closed the connection before the answer was sent');
  }
}
