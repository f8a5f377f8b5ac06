// A CommonJS app on older provider packages (installed under alias names, so module hooks cannot
// see them): Costscope instruments them through init({ modules }), as for a bundled app.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
const OpenAI = require(process.env.OPENAI_PACKAGE);
const Anthropic = require(process.env.ANTHROPIC_PACKAGE);
const sdk = require('@costscope/sdk');

sdk.init({ modules: { openai: OpenAI, anthropic: Anthropic } });
import('./scenarios.mjs').then(({ runScenarios }) =>
  runScenarios({ OpenAI, Anthropic, sdk, baseURL: process.env.STAND_IN_URL, only: process.env.SCENARIOS }),
);
