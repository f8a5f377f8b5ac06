/**
 * The budget guards' own cost per call: what a call pays for the per-user daily count, the load
 * shedding decision (cached budget state, never the network) and the `maxInputTokens` check of an
 * ordinary chat request, each and together (goal: under 2 µs added). Also the one-time cost of
 * loading a tokenizer and of counting a long prompt exactly, which only calls whose text could be
 * over the limit pay.
 *
 *   cd sdk/node && node --import tsx bench/guards.ts
 *
 * Figures: median over rounds of the mean per call.
 */
import { performance } from 'node:perf_hooks';
import { BudgetStateCache } from '../src/guards/budget-state.js';
import { DEFAULT_DAILY_REQUESTS_BY_TIER, DailyRequestCounter } from '../src/guards/daily-requests.js';
import { inputTokensOver } from '../src/guards/input-tokens.js';
import { sheddingAction } from '../src/guards/shedding.js';

const ROUNDS = 15;
const CALLS = 200_000;
const USERS = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
const TIERS = ['free', 'paid', 'enterprise'];
// Limits no user reaches in the bench: every call is counted, as in a healthy app.
const counter = new DailyRequestCounter({ ...DEFAULT_DAILY_REQUESTS_BY_TIER, free: 1e12, paid: 1e12 });
const budget = new BudgetStateCache('http://127.0.0.1:1/api/v1/budget-state', undefined);
const policy = { whenUnreachable: 'allow' as const, maxWaits: 3 };
const request = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are the support assistant of Costscope. Answer briefly and cite the invoice.' },
    { role: 'user', content: 'Where is my invoice for March? I was charged twice, I think.' },
  ],
};
const parts = [request.messages, undefined];

function perCallNs(body: (i: number) => void): number {
  const means: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i += 1) body(i);
    means.push(Number(process.hrtime.bigint() - start) / CALLS);
  }
  means.sort((a, b) => a - b);
  return means[Math.floor(means.length / 2)] ?? 0;
}

let sink = 0;
const daily = (i: number) => {
  sink += counter.take(USERS[i % USERS.length], TIERS[i % TIERS.length]) === undefined ? 1 : 0;
};
const shedding = (i: number) => {
  sink += sheddingAction(i % 2 === 0 ? 'optional' : 'important', budget.verdict('summaries'), policy, 0).length;
};
const inputTokens = () => {
  sink += inputTokensOver(parts, 'openai', request.model, 4000) === undefined ? 1 : 0;
};
const rows: Array<[string, number]> = [
  ['daily request count (1000 users, 3 tiers)', perCallNs(daily)],
  ['load shedding decision (cached budget state)', perCallNs(shedding)],
  ['maxInputTokens, ordinary chat request (no tokenizing needed)', perCallNs(inputTokens)],
  [
    'all three together',
    perCallNs((i) => {
      daily(i);
      shedding(i);
      inputTokens();
    }),
  ],
];

const longPrompt = [[{ role: 'user', content: 'The quarterly invoice total is 1234.56 USD, due on 2026-04-30. '.repeat(500) }]];
let started = performance.now();
inputTokensOver(longPrompt, 'openai', 'gpt-4o-mini', 100);
const firstLoad = performance.now() - started;
started = performance.now();
const counted = inputTokensOver(longPrompt, 'openai', 'gpt-4o-mini', 100);
const longCount = performance.now() - started;

console.log(`node ${process.version}; ${ROUNDS} rounds of ${CALLS} calls (checksum ${sink})`);
console.log('| guard | cost per call |');
console.log('| --- | --- |');
for (const [name, ns] of rows) console.log(`| ${name} | ${(ns / 1000).toFixed(3)} µs |`);
console.log(`| first exact count (loads o200k_base once per process) | ${firstLoad.toFixed(0)} ms |`);
console.log(`| exact count of a ${counted?.tokens ?? '?'}-token prompt, tokenizer loaded | ${longCount.toFixed(2)} ms |`);
