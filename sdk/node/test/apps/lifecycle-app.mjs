// A long-running ESM service: one LLM call, then it waits for a signal like a server does.
// With APP_SIGTERM_HANDLER=1 it has its own SIGTERM handler that shuts the service down.
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${process.env.STAND_IN_URL}/v1`, maxRetries: 0 });
await openai.chat.completions.create({ model: 'gpt-before-sigterm', messages: [{ role: 'user', content: 'Hi' }] });
const keepAlive = setInterval(() => undefined, 1000);
if (process.env.APP_SIGTERM_HANDLER === '1') {
  process.on('SIGTERM', () => {
    console.log('app handler ran');
    clearInterval(keepAlive);
  });
}
console.log('ready');
