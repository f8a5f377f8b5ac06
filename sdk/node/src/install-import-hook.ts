import { createRequire, register } from 'node:module';

/** The packages Costscope instruments; the only modules its own hook wraps. */
const PROVIDER_PACKAGES = ['openai', '@anthropic-ai/sdk'];

interface AddHookMessageChannel {
  registerOptions: { data: Record<string, unknown>; transferList: unknown[] };
}

/**
 * Installs OpenTelemetry's ES-module hook (`import-in-the-middle`) for provider packages imported
 * from now on. Only those packages go through it, so the app's other modules load untouched,
 * but the hook stays open to every module an instrumentation hooks later: the hook's settings are
 * per process and the first registration's win, so an app that starts its own OpenTelemetry
 * after Costscope (NodeSDK with HTTP instrumentation, and its own `register(...hook.mjs)`) would
 * otherwise have its ES modules left uninstrumented. The channel is the one of the
 * `import-in-the-middle` copy that OpenTelemetry's instrumentations load, so their hooks reach it.
 */
export function installImportHook(parentURL: string | URL): void {
  const requireFromHere = createRequire(parentURL);
  const requireFromInstrumentation = createRequire(requireFromHere.resolve('@opentelemetry/instrumentation'));
  const { createAddHookMessageChannel } = requireFromInstrumentation('import-in-the-middle') as {
    createAddHookMessageChannel: () => AddHookMessageChannel;
  };
  const { registerOptions } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', parentURL, {
    data: { ...registerOptions.data, include: [...PROVIDER_PACKAGES] },
    transferList: registerOptions.transferList,
  });
}
