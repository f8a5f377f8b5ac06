// A CommonJS app outside the workspace with @costscope/sdk installed from its tarball, run with
// `node -r @costscope/sdk/register app.cjs`. The test copies it into that app's folder.
/* eslint-disable @nx/enforce-module-boundaries -- a test app requires the installed package by name, as users do */
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { withTags } = require('@costscope/sdk');

console.log(JSON.stringify({ sdk: require.resolve('@costscope/sdk') }));
const baseURL = process.env.STAND_IN_URL;
withTags({ feature: 'packed-cjs' }, async () => {
  await new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1` }).chat.completions.create({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  await new Anthropic({ apiKey: 'sk-ant-test', baseURL }).messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Hi' }],
  });
}).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
