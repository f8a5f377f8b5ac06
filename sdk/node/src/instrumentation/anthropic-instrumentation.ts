import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { anthropicMessages } from './anthropic-operations.js';
import { ProviderInstrumentation } from './provider-instrumentation.js';
import type { ProviderPackage } from './provider-instrumentation.js';

const ANTHROPIC_PACKAGE: ProviderPackage = {
  packageName: '@anthropic-ai/sdk',
  supportedVersions: ['>=0.30.0 <2'],
  clientExportName: 'Anthropic',
  targets: [
    { resourcePath: ['Messages'], operation: anthropicMessages },
    // Prompt caching and other features shipped under `beta.messages` first.
    { resourcePath: ['Beta', 'Messages'], operation: anthropicMessages },
  ],
};

/** The `@anthropic-ai/sdk` package, 0.30 to 1.x. */
export class AnthropicInstrumentation extends ProviderInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('anthropic', config);
  }

  protected provider(): ProviderPackage {
    return ANTHROPIC_PACKAGE;
  }
}
