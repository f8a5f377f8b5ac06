// A CommonJS app that starts Costscope with init() in code, with options (no environment), and
// a guard on one call only... of the whole app: maxInputTokens and defaultMaxTokens.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
const { init } = require('@costscope/sdk');

init({
  endpoint: process.env.TEST_OTLP_URL,
  apiKey: 'cs_from_code',
  serviceName: 'billing-worker',
  defaults: { feature: 'invoice-summaries', priority: 'optional' },
  guards: { maxInputTokens: 1000, defaultMaxTokens: 128 },
});
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const sdk = require('@costscope/sdk');

import('./scenarios.mjs').then(({ runScenarios }) =>
  runScenarios({ OpenAI, Anthropic, sdk, baseURL: process.env.STAND_IN_URL, only: process.env.SCENARIOS }),
);
