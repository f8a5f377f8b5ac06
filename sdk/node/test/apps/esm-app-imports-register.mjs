// An ESM app that imports the register module in its code, AFTER the provider packages:
// import order must not matter.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import '@costscope/sdk/register';
import * as sdk from '@costscope/sdk';
import { runScenarios } from './scenarios.mjs';

await runScenarios({ OpenAI, Anthropic, sdk, baseURL: process.env.STAND_IN_URL, only: process.env.SCENARIOS });
