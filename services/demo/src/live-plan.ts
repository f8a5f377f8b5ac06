import { createPriceCatalog, parseUsd, type UsdAtto } from '@costscope/core';
import type { AlertBaselines } from './alert-baselines.js';
import { callCost } from './call-tally.js';
import { CHAT_ROUTES, appUsers, pickUser, planChatRequest, planTicketSummary, type AppUser, type PlannedCall } from './example-app.js';
import { mixSeed, seededRandom } from './seeded-random.js';

export type Incident = 'spend-spike' | 'error-burst' | 'output-drift';

/** One user request of the live phase: when it starts (from the phase's start) and its calls. */
export type LiveRequest = { atMs: number; incident: Incident | undefined; calls: PlannedCall[] };

export type LivePlan = {
  requests: LiveRequest[];
  spendSpike: { requests: number; costUsd: UsdAtto; user: AppUser };
  errorBurst: { requests: number; refusedAttempts: number };
  outputDrift: { requests: number; answerTokens: number };
};

/** Background traffic while the live phase runs: what keeps the dashboard moving. */
const CHAT_PER_SECOND = 2.5;
const SUMMARIES_PER_SECOND = 0.5;
/** Each incident is sized to cross its rule's threshold by this much (1.25 = a quarter over). */
const MARGIN = 1.25;

/**
 * The live phase: the app's normal traffic for `durationMs`, and three incidents inside its first
 * part, each sized from what the history left in the rule's window (docs/alerts.md defaults):
 * - spend spike: an enterprise integration re-summarizes whole ticket histories without the cached
 *   prefix, until today's spend is over 120% of the 7-day average;
 * - error burst: the budget tier's provider rate-limits (429) the chat's answers, until their
 *   error rate over the last hour is well over 2%;
 * - output drift: a prompt change lost "answer in 3 sentences" and the medium tier's answers
 *   grow 3.5×, until their 24-hour average is over 120% of the 7 days before.
 */
export function planLiveTraffic(seed: number, durationMs: number, baselines: AlertBaselines, now: Date): LivePlan {
  const random = seededRandom(mixSeed(seed, 0x11fe));
  const users = appUsers(seed);
  const catalog = createPriceCatalog();
  const requests: LiveRequest[] = [];
  const seconds = durationMs / 1000;

  for (let index = 0; index < Math.floor(seconds * CHAT_PER_SECOND); index += 1) {
    requests.push({ atMs: random() * durationMs, incident: undefined, calls: planChatRequest(random, pickUser(random, users)) });
  }
  for (let index = 0; index < Math.floor(seconds * SUMMARIES_PER_SECOND); index += 1) {
    requests.push({ atMs: random() * durationMs, incident: undefined, calls: planTicketSummary(random, pickUser(random, users)) });
  }
  // The incidents start early and are spread over at most a minute, so a short live phase shows them too.
  const incidentStart = Math.min(0.15 * durationMs, 15_000);
  const incidentSpan = Math.min(0.6 * durationMs, 60_000);
  const at = () => incidentStart + random() * incidentSpan;
  const background = requests.flatMap((request) => request.calls);

  // Spend spike: today over 120% of the trailing 7-day average (and at least $1.50 on top).
  const average = baselines.previousSevenDaysUsd / 7n;
  const backgroundUsd = background.reduce((sum, call) => sum + callCost(catalog, { model: call.responseModel, batch: false, at: now, usage: call.usage }), 0n);
  const threshold = (average * 120n) / 100n;
  const neededUsd = maxUsd(threshold - baselines.todayUsd - backgroundUsd, 0n) + maxUsd((average * 30n) / 100n, parseUsd('1.50'));
  // The busiest customer on the biggest plan (every seed's 600 customers include enterprise ones).
  const [integration = users.reduce((busiest, user) => (user.weight > busiest.weight ? user : busiest))] = users
    .filter((user) => user.tier === 'enterprise')
    .sort((a, b) => b.weight - a.weight);
  let spikeUsd = 0n;
  let spikeRequests = 0;
  while (spikeUsd < neededUsd) {
    const calls = planTicketSummary(random, integration, { bulk: true });
    for (const call of calls) spikeUsd += callCost(catalog, { model: call.responseModel, batch: false, at: now, usage: call.usage });
    requests.push({ atMs: at(), incident: 'spend-spike', calls });
    spikeRequests += 1;
  }

  // Error burst: 60% of these answers refused once with 429, until the hour's rate is 5× the 2% threshold.
  const simple = CHAT_ROUTES[0];
  let answers = baselines.lastHourAnswers.calls + background.filter((call) => call.endpoint === 'answer').length;
  let errors = baselines.lastHourAnswers.errors;
  let burstRequests = 0;
  let refused = 0;
  while (burstRequests < 40 || answers < 150 || errors * 100 < answers * 2 * 5) {
    const fails = random() < 0.6;
    requests.push({
      atMs: at(),
      incident: 'error-burst',
      calls: planChatRequest(random, pickUser(random, users), { route: simple, ...(fails ? { answerFailsFirstWith: 429 } : {}) }),
    });
    burstRequests += 1;
    answers += fails ? 2 : 1;
    errors += fails ? 1 : 0;
    refused += fails ? 1 : 0;
  }

  // Output drift: enough long answers that the last 24 hours average over 120% of the baseline.
  const medium = CHAT_ROUTES[1];
  const { driftBaseline, driftRecent } = baselines;
  const baselineAverage = driftBaseline.calls > 0 ? driftBaseline.outputTokens / driftBaseline.calls : 300;
  const answerTokens = Math.round(baselineAverage * 3.5);
  const mediumBackground = background.filter((call) => call.model === medium.model && call.endpoint === 'answer');
  const recentCalls = driftRecent.calls + mediumBackground.length;
  const recentTokens = driftRecent.outputTokens + mediumBackground.reduce((sum, call) => sum + call.usage.outputTokens, 0);
  const target = baselineAverage * 1.2 * MARGIN;
  const driftRequests = Math.max(50, Math.ceil((target * recentCalls - recentTokens) / (answerTokens - target)));
  for (let index = 0; index < driftRequests; index += 1) {
    requests.push({ atMs: at(), incident: 'output-drift', calls: planChatRequest(random, pickUser(random, users), { route: medium, answerTokens }) });
  }

  requests.sort((a, b) => a.atMs - b.atMs);
  return {
    requests,
    spendSpike: { requests: spikeRequests, costUsd: spikeUsd, user: integration },
    errorBurst: { requests: burstRequests, refusedAttempts: refused },
    outputDrift: { requests: driftRequests, answerTokens },
  };
}

function maxUsd(a: UsdAtto, b: UsdAtto): UsdAtto {
  return a > b ? a : b;
}
