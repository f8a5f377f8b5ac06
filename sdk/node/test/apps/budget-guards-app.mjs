// An ESM app that starts Costscope in code with the guards of GUARDS (JSON of `init`'s `guards`)
// and makes the calls of PLAN (JSON: steps of { scenario, client, model, tags, text, times }; the text defaults to the scenario),
// with the real `openai` and `@anthropic-ai/sdk`. For each step it prints one JSON line: how many
// calls went through and the first error its own code caught.
/* eslint-disable @nx/enforce-module-boundaries -- a test app imports the built package by name, as users do */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { CostscopeError, CostscopeLimitError, init, shutdown, withTags } from '@costscope/sdk';

const costscope = init({ endpoint: process.env.COSTSCOPE_ENDPOINT, apiKey: process.env.COSTSCOPE_API_KEY, guards: JSON.parse(process.env.GUARDS) });
await costscope.ready;

const baseURL = process.env.STAND_IN_URL;
const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });

function send(step) {
  const text = step.text ?? step.scenario;
  if (step.client === 'anthropic') {
    return anthropic.messages.create({ model: step.model, max_tokens: 256, messages: [{ role: 'user', content: text }] });
  }
  return openai.chat.completions.create({ model: step.model, messages: [{ role: 'user', content: text }], max_tokens: 256 });
}

for (const step of JSON.parse(process.env.PLAN)) {
  // Says a call is about to start, so the test can act while it is held back.
  if (step.announce) console.log(JSON.stringify({ starting: step.scenario }));
  let sent = 0;
  let error;
  for (let call = 0; call < (step.times ?? 1); call += 1) {
    try {
      await withTags({ ...step.tags, feature: step.tags?.feature ?? step.scenario }, () => send(step));
      sent += 1;
    } catch (caught) {
      error ??= {
        class: caught?.constructor?.name,
        isCostscopeError: CostscopeError.isInstance(caught),
        isLimitError: caught instanceof CostscopeLimitError,
        kind: caught?.kind,
        limit: caught?.limit,
        userId: caught?.userId,
        userTier: caught?.userTier,
        feature: caught?.feature,
        priority: caught?.priority,
        spentBudget: caught?.spentBudget,
        message: caught?.kind === 'budget_spent' ? caught.message : undefined,
        estimatedInputTokens: caught?.estimatedInputTokens,
      };
    }
  }
  console.log(JSON.stringify({ scenario: step.scenario, ok: error === undefined, received: { sent }, ...(error ? { error } : {}) }));
}
await shutdown();
