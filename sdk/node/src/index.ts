export { init, shutdown, forceFlush } from './init.js';
export type { CostscopeHandle } from './init.js';
export { withTags, currentTags } from './with-tags.js';
export { recordBatchResults } from './record-batch-results.js';
export { createCostscopeSpanProcessor } from './costscope-span-processor.js';
export { CostscopeConfigError, CostscopeInputTooLargeError, CostscopeLimitError } from './errors.js';
export type { CostscopeLimitKind } from './errors.js';
export { CostscopeError } from '@costscope/core';
export type { CostscopeGuards, CostscopeLoadShedding, CostscopeOptions, CostscopePriority, CostscopeTags } from './types.js';
