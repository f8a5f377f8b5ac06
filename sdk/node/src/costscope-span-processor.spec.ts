import { describe, expect, it } from 'vitest';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CostscopeSpanProcessor } from './costscope-span-processor.js';
import { resolveSettings } from './settings.js';

/** An exporter standing for a Costscope server that answers only when the test says so. */
class HeldExporter implements SpanExporter {
  readonly batches: string[][] = [];
  private readonly pending: ((result: ExportResult) => void)[] = [];

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.batches.push(spans.map((span) => span.name));
    this.pending.push(resultCallback);
  }

  answer(): void {
    this.pending.shift()?.({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(maxQueueSize: number) {
  const exporter = new HeldExporter();
  const processor = new CostscopeSpanProcessor(resolveSettings({ maxQueueSize }, {}), exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const costscope = provider.getTracer('@costscope/sdk/openai');
  const app = provider.getTracer('my-app-http');
  const endSpans = (tracer: typeof costscope, names: string[]) => names.forEach((name) => tracer.startSpan(name).end());
  return { exporter, processor, costscope, app, endSpans };
}

describe(CostscopeSpanProcessor.name, () => {
  it('sends only Costscope spans, in batches', async () => {
    const { exporter, processor, costscope, app, endSpans } = setup(4);
    endSpans(app, ['GET /health']);
    endSpans(costscope, ['chat a', 'chat b', 'chat c', 'chat d']);
    expect(exporter.batches).toEqual([['chat a', 'chat b', 'chat c', 'chat d']]);
    exporter.answer();
    await settle();
    endSpans(costscope, ['chat e']);
    const flushed = processor.forceFlush();
    await settle();
    exporter.answer();
    await flushed;
    expect(exporter.batches).toEqual([['chat a', 'chat b', 'chat c', 'chat d'], ['chat e']]);
  });

  it('holds at most maxQueueSize spans while the server does not answer, then sends them', async () => {
    const { exporter, costscope, endSpans } = setup(4);
    endSpans(costscope, ['1', '2', '3', '4']); // a full batch leaves at once…
    endSpans(costscope, ['5', '6', '7', '8', '9', '10']); // …and the server hangs: 4 wait, 2 are dropped
    expect(exporter.batches).toEqual([['1', '2', '3', '4']]);
    exporter.answer();
    await settle();
    expect(exporter.batches).toEqual([
      ['1', '2', '3', '4'],
      ['5', '6', '7', '8'],
    ]);
    exporter.answer();
    await settle();
    expect(exporter.batches).toHaveLength(2);
  });
});
