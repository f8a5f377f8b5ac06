// A CommonJS app run with `node -r @costscope/sdk/register cjs-app.cjs`, or (with
// COSTSCOPE_TEST_REQUIRE_LATE=1) requiring the register module after the provider packages.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
if (process.env.COSTSCOPE_TEST_REQUIRE_LATE === '1') require('@costscope/sdk/register');
const sdk = require('@costscope/sdk');

import('./scenarios.mjs').then(({ runScenarios }) =>
  runScenarios({ OpenAI, Anthropic, sdk, baseURL: process.env.STAND_IN_URL, only: process.env.SCENARIOS }),
);
