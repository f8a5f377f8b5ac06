import { diag } from '@opentelemetry/api';
import type { LlmCall } from './llm-call.js';
import type { StreamReader } from './types.js';
import { isRecord } from './utils.js';

type IteratorFactory = (this: unknown) => AsyncIterator<unknown>;

/**
 * Reads a provider `Stream` as the app consumes it, without replacing it: the stream object the
 * app receives keeps its type, `controller`, `tee()` and `toReadableStream()`, all of which go
 * through its `iterator`. The span ends when the stream ends, fails, or is abandoned (the app
 * breaks out of its loop, or aborts the request before reading).
 */
export function observeStream(stream: unknown, call: LlmCall, reader: StreamReader): void {
  if (!isRecord(stream) || typeof stream['iterator'] !== 'function') {
    diag.debug('costscope: unknown stream shape; the call is recorded without usage');
    call.succeed({});
    return;
  }
  const original = stream['iterator'] as IteratorFactory;
  stream['iterator'] = function (this: unknown) {
    return readWhileConsumed(original.call(this), call, reader);
  };
  const controller = stream['controller'];
  if (isRecord(controller) && isRecord(controller['signal'])) {
    const signal = controller['signal'] as unknown as AbortSignal;
    // Aborting a stream that was never read would otherwise leave its span open.
    signal.addEventListener?.('abort', () => call.succeed(reader.result(), true), { once: true });
  }
}

async function* readWhileConsumed(source: AsyncIterator<unknown>, call: LlmCall, reader: StreamReader) {
  let completed = false;
  let failure: unknown;
  let failed = false;
  try {
    while (true) {
      const next = await source.next();
      if (next.done === true) break;
      const item: unknown = next.value;
      let keep = true;
      try {
        call.onStreamItem();
        keep = reader.read(item);
      } catch (error) {
        diag.error('costscope: could not read a stream item', error);
      }
      if (keep) yield item;
    }
    completed = true;
  } catch (error) {
    failed = true;
    failure = error;
    throw error;
  } finally {
    if (!completed && !failed) {
      // The app stopped early: let the provider's iterator abort the request.
      await source.return?.();
    }
    if (failed) call.fail(failure, reader.result());
    else call.succeed(reader.result(), !completed);
  }
}
