// An ESM app run with `node --import @costscope/sdk/register esm-app.mjs` (or with
// COSTSCOPE_TEST_IMPORT_REGISTER=1, importing the register module itself after openai).
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import * as sdk from '@costscope/sdk';
import { runScenarios } from './scenarios.mjs';

await runScenarios({ OpenAI, Anthropic, sdk, baseURL: process.env.STAND_IN_URL, only: process.env.SCENARIOS });
