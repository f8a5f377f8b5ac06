import { createRequire } from 'node:module';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { semconv } from '@costscope/core';
import { CostscopeSpanProcessor } from './costscope-span-processor.js';
import { CostscopeTracerProvider } from './costscope-tracer-provider.js';
import { CallRecordTracerProvider } from './export/call-record.js';
import { flushOnExit } from './flush-on-exit.js';
import { startGuards } from './guards/running-guards.js';
import { AnthropicInstrumentation } from './instrumentation/anthropic-instrumentation.js';
import { OpenAIInstrumentation } from './instrumentation/openai-instrumentation.js';
import { COSTSCOPE_SCOPE_NAME, COSTSCOPE_SDK_VERSION } from './instrumentation/provider-instrumentation.js';
import type { ProviderInstrumentation } from './instrumentation/provider-instrumentation.js';
import { joinAppProvider, registeredAppProvider } from './join-app-provider.js';
import { resolveSettings } from './settings.js';
import { sdkState } from './sdk-state.js';
import type { CostscopeOptions } from './types.js';

/** What `init` returns. */
export interface CostscopeHandle {
  /**
   * Settles once provider packages the app had already imported (ESM) are instrumented too, and,
   * with load shedding, once the first budget state was read (or could not be).
   */
  readonly ready: Promise<void>;
  /** Sends the spans held for export now. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting and removes the instrumentation. */
  shutdown(): Promise<void>;
}

// Set by the build (scripts/build.mjs) so the ESM output knows it may `import()` provider packages.
declare const __COSTSCOPE_MODULE_FORMAT__: 'esm' | 'cjs' | undefined;

/**
 * Starts Costscope: resolves the settings (option → environment → default), adds Costscope's
 * exporter to the app's tracer provider (or, until the app registers one, keeps its own) and
 * instruments `openai` and `@anthropic-ai/sdk`, whether they are loaded before or after.
 * Calling it again returns the running instance.
 */
export function init(options: CostscopeOptions = {}): CostscopeHandle {
  const state = sdkState();
  if (state.settings !== undefined && state.shutdown !== undefined && state.forceFlush !== undefined) {
    diag.warn('costscope: init() was called twice; the first settings stay in force');
    return { ready: Promise.resolve(), forceFlush: state.forceFlush, shutdown: state.shutdown };
  }
  const settings = resolveSettings(options);
  const processor = new CostscopeSpanProcessor(settings);
  const attached = attachProcessor(options.tracerProvider, processor, settings.serviceName);
  const { tracerProvider, ownProvider } = attached;

  const openai = new OpenAIInstrumentation();
  const anthropic = new AnthropicInstrumentation();
  const instrumentations: ProviderInstrumentation[] = [openai, anthropic];
  const unregister = registerInstrumentations({ tracerProvider, instrumentations });
  patchAlreadyRequired(instrumentations);
  if (options.modules?.openai !== undefined) openai.patchModule(options.modules.openai);
  if (options.modules?.anthropic !== undefined) anthropic.patchModule(options.modules.anthropic);
  const guards = startGuards(settings);
  const ready = Promise.all([patchAlreadyImported(instrumentations), guards.ready]).then(() => undefined);

  const forceFlush = () => attached.processor.forceFlush();
  const removeExitHooks = settings.flushOnExit ? flushOnExit(forceFlush) : () => undefined;
  const shutdown = async () => {
    removeExitHooks();
    unregister();
    guards.stop();
    state.guards = undefined;
    state.settings = undefined;
    state.tracer = undefined;
    state.shutdown = undefined;
    state.forceFlush = undefined;
    // Costscope's own provider stops the processor it was made with; one in the app's provider
    // (joined, or wired by the app) is stopped here.
    const joinedProcessor = ownProvider !== undefined && attached.processor === processor ? undefined : attached.processor;
    await Promise.all([ownProvider?.shutdown(), joinedProcessor?.shutdown()]);
  };
  state.settings = settings;
  state.guards = guards;
  state.tracer = tracerProvider.getTracer(`${COSTSCOPE_SCOPE_NAME}/batch`, COSTSCOPE_SDK_VERSION);
  state.forceFlush = forceFlush;
  state.shutdown = shutdown;
  return { ready, forceFlush, shutdown };
}

/** Flushes and stops the running instance, if any (tests, graceful shutdown code). */
export async function shutdown(): Promise<void> {
  await sdkState().shutdown?.();
}

/** Sends the spans held for export now (before `process.exit()`, say). */
export async function forceFlush(): Promise<void> {
  await sdkState().forceFlush?.();
}

interface AttachedProcessor {
  /** The provider Costscope's instrumentations make spans with. */
  tracerProvider: TracerProvider;
  /** Costscope's own provider, when it has one: shut down with Costscope. */
  ownProvider: CallRecordTracerProvider | undefined;
  /** The processor that exports Costscope's spans (changes when Costscope joins a provider the app wired). */
  processor: SpanProcessor;
}

/**
 * The app's provider gets Costscope's processor. When the app has none, Costscope makes spans
 * with a provider of its own that it never registers globally, and joins the app's as soon as
 * the app registers one: an app never ends up with two global providers fighting over the
 * context, whichever starts first.
 */
function attachProcessor(explicit: TracerProvider | undefined, processor: CostscopeSpanProcessor, serviceName: string | undefined): AttachedProcessor {
  const appProvider = explicit ?? registeredAppProvider();
  if (appProvider !== undefined) {
    const joined = joinAppProvider(appProvider, processor);
    if (joined !== undefined) return { tracerProvider: appProvider, ownProvider: undefined, processor: joined };
  }
  const resource = defaultResource().merge(
    serviceName === undefined ? null : resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: serviceName }),
  );
  // Its spans are call records, the lightest that carries what the server reads (see `CallRecord`).
  processor.useRecordResource(resource.attributes);
  const ownProvider = new CallRecordTracerProvider(processor);
  if (appProvider !== undefined) {
    diag.warn(
      'costscope: the app has a tracer provider Costscope cannot add a processor to; Costscope spans use their own provider. Pass createCostscopeSpanProcessor() to your provider to join them.',
    );
    return { tracerProvider: ownProvider, ownProvider, processor };
  }
  const attached: AttachedProcessor = { tracerProvider: ownProvider, ownProvider, processor };
  attached.tracerProvider = new CostscopeTracerProvider(ownProvider, processor, (joined) => (attached.processor = joined));
  return attached;
}

/** CommonJS: the provider package may already sit in `require.cache`, loaded before `init`. */
function patchAlreadyRequired(instrumentations: ProviderInstrumentation[]): void {
  const requireFromApp = createRequire(join(process.cwd(), 'costscope-init.js'));
  for (const instrumentation of instrumentations) {
    try {
      const resolved = requireFromApp.resolve(instrumentation.packageName());
      const loaded = requireFromApp.cache[resolved];
      if (loaded !== undefined) instrumentation.patchModule(loaded.exports);
    } catch {
      // Not installed, or not resolvable from here: nothing was loaded to patch.
    }
  }
}

/**
 * ESM: modules imported before `init` were linked before the import hook existed. Importing the
 * package again yields the same module instance, whose classes are then patched in place.
 */
async function patchAlreadyImported(instrumentations: ProviderInstrumentation[]): Promise<void> {
  if (typeof __COSTSCOPE_MODULE_FORMAT__ === 'undefined' || __COSTSCOPE_MODULE_FORMAT__ !== 'esm') return;
  if (preloadedWithHook()) return;
  await Promise.all(
    instrumentations.map(async (instrumentation) => {
      try {
        const loaded: unknown = await import(instrumentation.packageName());
        instrumentation.patchModule(loaded);
      } catch {
        // Not installed: nothing to patch.
      }
    }),
  );
}

/** `node --import @costscope/sdk/register`: the ESM hook was in place before the app loaded. */
function preloadedWithHook(): boolean {
  const flags = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  return /--import[= ]\S*@costscope\/sdk\/register/.test(flags);
}
