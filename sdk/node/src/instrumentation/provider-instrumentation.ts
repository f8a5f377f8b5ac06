import { diag } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { instrumentedCreate } from './instrumented-create.js';
import type { LlmOperation } from './llm-operation.js';
import type { CreateMethod } from './types.js';
import { isRecord } from './utils.js';

/** Scope name of every Costscope span; the exporter forwards only spans of this scope. */
export const COSTSCOPE_SCOPE_NAME = '@costscope/sdk';
// Set by the build (scripts/build.mjs) from package.json, which changesets bumps at each release.
declare const __COSTSCOPE_SDK_VERSION__: string | undefined;
/** The package's version, as the instrumentation scope's version; `source` when run unbuilt (tests). */
export const COSTSCOPE_SDK_VERSION = typeof __COSTSCOPE_SDK_VERSION__ === 'undefined' ? 'source' : __COSTSCOPE_SDK_VERSION__;

/** A resource class reached from the client class, e.g. `OpenAI.Chat.Completions`. */
export interface PatchTarget {
  resourcePath: readonly string[];
  operation: LlmOperation;
}

export interface ProviderPackage {
  packageName: string;
  supportedVersions: string[];
  /** Named export of the client class (`OpenAI`, `Anthropic`). */
  clientExportName: string;
  targets: readonly PatchTarget[];
}

/**
 * Patches `create` on the prototypes of a provider's resource classes, which every client
 * instance shares: clients made before or after `init()` are both covered. The classes are
 * reached from the package's main export (`OpenAI.Chat.Completions`), which has been stable from
 * openai 4 to 7 and @anthropic-ai/sdk 0.30 to 1.x, rather than from internal file paths, which
 * moved between majors.
 */
export abstract class ProviderInstrumentation extends InstrumentationBase {
  /** `provider` names the instrumentation scope: `@costscope/sdk/openai`, `@costscope/sdk/anthropic`. */
  constructor(provider: string, config: InstrumentationConfig = {}) {
    super(`${COSTSCOPE_SCOPE_NAME}/${provider}`, COSTSCOPE_SDK_VERSION, config);
  }

  /**
   * What to patch. A method, not constructor fields: `InstrumentationBase`'s constructor calls
   * `init()` before a subclass's fields exist.
   */
  protected abstract provider(): ProviderPackage;

  /**
   * Prototypes patched by `patchModule`, which `InstrumentationBase` does not track. Declared,
   * not initialised: the base constructor may already patch (ESM hooks), before field initialisers run.
   */
  declare private patchedPrototypes: Set<Record<string, unknown>> | undefined;

  override disable(): void {
    super.disable();
    // Without this, `shutdown()` would leave wrappers that point at a shut-down provider.
    for (const prototype of this.patchedPrototypes ?? []) {
      if (isWrapped(prototype['create'])) this._unwrap(prototype, 'create');
    }
    this.patchedPrototypes = undefined;
  }

  packageName(): string {
    return this.provider().packageName;
  }

  protected init() {
    const { packageName, supportedVersions } = this.provider();
    return [
      new InstrumentationNodeModuleDefinition(
        packageName,
        supportedVersions,
        (moduleExports: unknown) => {
          this.patchModule(moduleExports);
          return moduleExports;
        },
        (moduleExports: unknown) => this.unpatchModule(moduleExports),
      ),
    ];
  }

  /** Patches a module already loaded by the app (import order must not matter). */
  patchModule(moduleExports: unknown): void {
    const { packageName, targets } = this.provider();
    for (const target of targets) {
      try {
        const prototype = this.resourcePrototype(moduleExports, target.resourcePath);
        if (prototype === undefined) continue;
        const create = prototype['create'];
        if (typeof create !== 'function' || isWrapped(create)) continue;
        this._wrap(prototype, 'create', (original: unknown) =>
          instrumentedCreate(original as CreateMethod, target.operation, () => this.tracer),
        );
        (this.patchedPrototypes ??= new Set()).add(prototype);
      } catch (error) {
        diag.error(`costscope: could not instrument ${packageName} ${target.resourcePath.join('.')}`, error);
      }
    }
  }

  unpatchModule(moduleExports: unknown): void {
    for (const target of this.provider().targets) {
      const prototype = this.resourcePrototype(moduleExports, target.resourcePath);
      if (prototype !== undefined && isWrapped(prototype['create'])) this._unwrap(prototype, 'create');
    }
  }

  private resourcePrototype(moduleExports: unknown, path: readonly string[]): Record<string, unknown> | undefined {
    // CommonJS: the export is the client class with named exports on it; ESM (import-in-the-middle):
    // a namespace with `default` and the named class.
    let node: unknown = isRecord(moduleExports) || typeof moduleExports === 'function' ? moduleExports : undefined;
    const exportsRecord = node as Record<string, unknown> | undefined;
    node = exportsRecord?.[this.provider().clientExportName] ?? exportsRecord?.['default'] ?? node;
    for (const key of path) {
      node = typeof node === 'function' || isRecord(node) ? (node as Record<string, unknown>)[key] : undefined;
    }
    if (typeof node !== 'function') return undefined;
    const prototype = (node as { prototype?: unknown }).prototype;
    return isRecord(prototype) ? prototype : undefined;
  }
}
