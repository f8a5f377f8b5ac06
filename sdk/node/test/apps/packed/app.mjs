// An ESM app outside the workspace with @costscope/sdk installed from its tarball, run with
// `node --import @costscope/sdk/register app.mjs`. The test copies it into that app's folder.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the installed package by name, as users do */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { withTags } from '@costscope/sdk';

console.log(JSON.stringify({ sdk: import.meta.resolve('@costscope/sdk') }));
const baseURL = process.env.STAND_IN_URL;
await withTags({ feature: 'packed-esm' }, async () => {
  await new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1` }).chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  await new Anthropic({ apiKey: 'sk-ant-test', baseURL }).messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Hi' }],
  });
});
