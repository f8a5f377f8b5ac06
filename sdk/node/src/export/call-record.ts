import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import type {
  Attributes,
  AttributeValue,
  Context,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';

/** Where a finished record goes: the export queue of Costscope's processor. */
export interface CallRecordSink {
  addRecord(record: CallRecord): void;
  shutdown(): Promise<void>;
}

/** The instrumentation scope of a record (`@costscope/sdk/openai`…), shared by its tracer's records. */
export interface RecordScope {
  readonly name: string;
  readonly version: string | undefined;
}

/**
 * One span of Costscope's as a compact record, for when Costscope runs on its own provider (the
 * app has registered none): what the export sends and nothing more. An OpenTelemetry span keeps
 * its own copy of the attributes, resource, limits, an hrtime pair per timestamp, events and links,
 * and lives until the export (up to a second) — long enough to be promoted out of the young
 * generation. A record shares the call's request attributes between its attempts, keeps the
 * attributes set later as a flat key/value list, its times as two numbers, and has its ids drawn
 * at export time.
 *
 * It implements the `Span` interface, so the instrumentation makes spans the same way whichever
 * provider makes them (an app's provider, once joined, makes real OpenTelemetry spans).
 */
export class CallRecord implements Span {
  readonly startedAt = performance.now();
  endedAt = -1;
  /** Attributes set after the start: key, value, key, value… */
  readonly later: (string | AttributeValue)[] = [];
  status: SpanStatus | undefined;
  /** Drawn when first asked for (rarely: Costscope's spans are never made active); else at export. */
  private ids: SpanContext | undefined;

  constructor(
    readonly scope: RecordScope,
    public name: string,
    readonly kind: SpanKind,
    /** The request's attributes, shared by the call's attempts and never changed after the start. */
    readonly attributes: Attributes | undefined,
    /** The app's span this call ran under, if any. */
    readonly parent: SpanContext | undefined,
    private readonly sink: CallRecordSink,
  ) {}

  spanContext(): SpanContext {
    this.ids ??= {
      traceId: this.parent?.traceId ?? randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.SAMPLED,
    };
    return this.ids;
  }

  /** Ids given out by `spanContext`, which the export must then use. */
  get drawnIds(): SpanContext | undefined {
    return this.ids;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.endedAt >= 0 || value === undefined || value === null) return this;
    const later = this.later;
    for (let i = 0; i < later.length; i += 2) {
      if (later[i] === key) {
        later[i + 1] = value;
        return this;
      }
    }
    later.push(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endedAt < 0) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (this.endedAt < 0) this.name = name;
    return this;
  }

  // Costscope's calls carry no events or links; the server reads neither.
  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  recordException(): void {
    // Errors are recorded as `error.type` and the status: exception messages can echo the prompt.
  }

  /** Ends now: Costscope never passes an end time. */
  end(): void {
    if (this.endedAt >= 0) return;
    this.endedAt = performance.now();
    this.sink.addRecord(this);
  }

  isRecording(): boolean {
    return this.endedAt < 0;
  }
}

/**
 * Costscope's own tracer provider (never registered globally) when the app has none: it makes
 * `CallRecord`s, sampled like OpenTelemetry's default (`ParentBased(AlwaysOn)`).
 */
export class CallRecordTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(private readonly sink: CallRecordSink) {}

  getTracer(name: string, version?: string): Tracer {
    const key = `${name}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new CallRecordTracer({ name, version }, this.sink);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }
}

class CallRecordTracer implements Tracer {
  constructor(
    private readonly scope: RecordScope,
    private readonly sink: CallRecordSink,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    let parent = context === undefined ? undefined : trace.getSpanContext(context);
    if (parent !== undefined && !trace.isSpanContextValid(parent)) parent = undefined;
    if (parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0) return trace.wrapSpanContext(parent);
    return new CallRecord(this.scope, name, options.kind ?? SpanKind.INTERNAL, options.attributes, parent, this.sink);
  }

  startActiveSpan(): never {
    // Costscope's instrumentation never makes its spans active (it does not own the context).
    throw new Error('costscope: startActiveSpan is not used by Costscope');
  }
}
