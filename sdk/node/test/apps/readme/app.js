// The README's app: `COSTSCOPE_API_KEY=$KEY node --import @costscope/sdk/register app.js`. The
// `openai` client reads OPENAI_BASE_URL and OPENAI_API_KEY, so the app points at the provider
// stand-in without a line of test code.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import OpenAI from 'openai';
import { withTags } from '@costscope/sdk';

const openai = new OpenAI();
const completion = await withTags({ feature: 'readme-app', endpoint: 'POST /api/answer' }, () =>
  openai.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Where is my invoice?' }] }),
);
console.log(completion.choices[0].message.content);
