import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tracer } from '@opentelemetry/api';
import type { RunningGuards } from './guards/running-guards.js';
import type { CostscopeSettings, CostscopeTags } from './types.js';

/**
 * The SDK's process-wide state. It hangs off a global symbol so that the ESM and the CommonJS
 * build of the package (both can load in one process: an ESM app with a CommonJS dependency)
 * share one tag context and one exporter instead of each keeping half of the picture.
 */
export interface SdkState {
  readonly tagStore: AsyncLocalStorage<CostscopeTags>;
  settings: CostscopeSettings | undefined;
  tracer: Tracer | undefined;
  /** The per-user counts and the budget cache of the running instance. */
  guards: RunningGuards | undefined;
  shutdown: (() => Promise<void>) | undefined;
  forceFlush: (() => Promise<void>) | undefined;
}

const STATE_KEY = Symbol.for('costscope.sdk.state');

export function sdkState(): SdkState {
  const holder = globalThis as unknown as Record<symbol, SdkState | undefined>;
  let state = holder[STATE_KEY];
  if (state === undefined) {
    state = {
      tagStore: new AsyncLocalStorage<CostscopeTags>(),
      settings: undefined,
      tracer: undefined,
      guards: undefined,
      shutdown: undefined,
      forceFlush: undefined,
    };
    holder[STATE_KEY] = state;
  }
  return state;
}
