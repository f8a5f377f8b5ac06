import { trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { isCostscopeSpanProcessor } from './costscope-span-processor.js';

interface ProviderWithProcessors {
  addSpanProcessor?: (processor: SpanProcessor) => void;
  _activeSpanProcessor?: { _spanProcessors?: SpanProcessor[] };
}

/** The tracer provider the app registered globally, if it has registered one. */
export function registeredAppProvider(): TracerProvider | undefined {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const registered = global.getDelegate?.() ?? global;
  return registered.constructor.name === 'NoopTracerProvider' ? undefined : registered;
}

/**
 * Puts Costscope's processor in the app's provider and answers the Costscope processor that now
 * sits there: the one the app wired itself (`createCostscopeSpanProcessor()`, never a second
 * one beside it) or `processor`. Undefined when the provider takes no processor from outside.
 */
export function joinAppProvider(provider: TracerProvider, processor: SpanProcessor): SpanProcessor | undefined {
  const existing = processorsOf(provider)?.find(isCostscopeSpanProcessor);
  if (existing !== undefined) return existing;
  const candidate = provider as TracerProvider & ProviderWithProcessors;
  if (typeof candidate.addSpanProcessor === 'function') {
    // @opentelemetry/sdk-trace-base 1.x
    candidate.addSpanProcessor(processor);
    return processor;
  }
  // 2.x takes processors only in its constructor; its MultiSpanProcessor's list is the one
  // place to join a provider the app already built.
  const processors = processorsOf(provider);
  if (processors === undefined) return undefined;
  processors.push(processor);
  return processor;
}

function processorsOf(provider: TracerProvider): SpanProcessor[] | undefined {
  const processors = (provider as TracerProvider & ProviderWithProcessors)._activeSpanProcessor?._spanProcessors;
  return Array.isArray(processors) ? processors : undefined;
}
