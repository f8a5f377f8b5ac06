import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { openAIChatCompletions, openAIEmbeddings, openAIResponses } from './openai-operations.js';
import { ProviderInstrumentation } from './provider-instrumentation.js';
import type { ProviderPackage } from './provider-instrumentation.js';

const OPENAI_PACKAGE: ProviderPackage = {
  packageName: 'openai',
  supportedVersions: ['>=4.0.0 <8'],
  clientExportName: 'OpenAI',
  targets: [
    { resourcePath: ['Chat', 'Completions'], operation: openAIChatCompletions },
    { resourcePath: ['Responses'], operation: openAIResponses },
    { resourcePath: ['Embeddings'], operation: openAIEmbeddings },
  ],
};

/** The `openai` package, 4.x to 7.x. */
export class OpenAIInstrumentation extends ProviderInstrumentation {
  constructor(config: InstrumentationConfig = {}) {
    super('openai', config);
  }

  protected provider(): ProviderPackage {
    return OPENAI_PACKAGE;
  }
}
