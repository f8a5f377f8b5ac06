import { diag } from '@opentelemetry/api';
import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { joinAppProvider, registeredAppProvider } from './join-app-provider.js';

/**
 * Costscope's tracer provider when the app had none at `init`: its own provider, never
 * registered as the global one, so an app that starts its OpenTelemetry afterwards
 * (`--import @costscope/sdk/register`, then `NodeSDK.start()`) still registers its provider,
 * context manager and propagator, and keeps all its spans. Costscope's spans never need the
 * global context: they are not made active, and their parent is read from the app's context.
 *
 * From the first LLM span after the app registers a provider, Costscope's spans are made by the
 * app's provider, which Costscope's processor joins (or whose own Costscope processor it uses):
 * they then sit in the app's traces, reach its exporters too, and are sampled by its sampler.
 */
export class CostscopeTracerProvider implements TracerProvider {
  private current: TracerProvider;
  private joined = false;

  constructor(
    private readonly own: TracerProvider,
    private readonly processor: SpanProcessor,
    private readonly onJoin: (processor: SpanProcessor) => void,
  ) {
    this.current = own;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new CostscopeTracer(() => this.provider(), name, version, options);
  }

  /** The provider Costscope's spans are made by now; a cheap check until the app registers one. */
  private provider(): TracerProvider {
    if (this.joined) return this.current;
    const app = registeredAppProvider();
    if (app === undefined) return this.own;
    this.joined = true;
    const processor = joinAppProvider(app, this.processor);
    if (processor === undefined) {
      diag.warn(
        'costscope: the app registered a tracer provider Costscope cannot add a processor to; Costscope spans keep their own provider. Pass createCostscopeSpanProcessor() to your provider to join them.',
      );
      return this.own;
    }
    this.current = app;
    this.onJoin(processor);
    return app;
  }
}

/** A tracer that asks, at each span, which provider makes Costscope's spans. */
class CostscopeTracer implements Tracer {
  private tracers = new WeakMap<TracerProvider, Tracer>();

  constructor(
    private readonly provider: () => TracerProvider,
    private readonly name: string,
    private readonly version: string | undefined,
    private readonly options: TracerOptions | undefined,
  ) {}

  startSpan(name: string, options?: SpanOptions, context?: Context): Span {
    return this.tracer().startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(...args: [string, F] | [string, SpanOptions, F] | [string, SpanOptions, Context, F]): ReturnType<F> {
    return (this.tracer().startActiveSpan as (...forwarded: unknown[]) => ReturnType<F>)(...args);
  }

  private tracer(): Tracer {
    const provider = this.provider();
    let tracer = this.tracers.get(provider);
    if (tracer === undefined) {
      tracer = provider.getTracer(this.name, this.version, this.options);
      this.tracers.set(provider, tracer);
    }
    return tracer;
  }
}
