import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpJsonBody } from '../support/otlp-json.js';
import { startServer, type RunningServer } from '../support/running-server.js';

/**
 * `GET /api/v1/budget-state`, what the SDK's load shedding reads: an `ingest` key (the one an app
 * holds) is enough, and the answer holds per feature with an allocation only its month-to-date
 * spend, the allocation and whether it is spent, and the same for the project's monthly budget.
 */
let server: RunningServer;
let ingestKey: string;

beforeAll(async () => {
  server = await startServer();
  const created = await fetch(`${server.baseUrl}/api/v1/keys`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'app', scope: 'ingest' }),
  });
  expect(created.status).toBe(201);
  ingestKey = ((await created.json()) as { key: string }).key;
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** One gpt-5 call of 2000 input and 500 output tokens: 2000 × $1.25/M + 500 × $10/M = $0.0075. */
function postCall(feature: string) {
  return fetch(`${server.baseUrl}/v1/traces`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    body: otlpJsonBody([
      {
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        start: new Date(Date.now() - 1000),
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-5',
          'gen_ai.usage.input_tokens': 2000,
          'gen_ai.usage.output_tokens': 500,
          'costscope.feature': feature,
        },
      },
    ]),
  });
}

async function budgetState(key: string | undefined) {
  const response = await fetch(`${server.baseUrl}/api/v1/budget-state`, { headers: key === undefined ? {} : { Authorization: `Bearer ${key}` } });
  return {
    status: response.status,
    body: (await response.json()) as { asOf: string; features: Array<Record<string, unknown>>; project: Record<string, unknown> | null },
  };
}

/** Stored calls may sit in the spool until the next flush: ask until the spend is there (bounded). */
async function budgetStateOnceSpent(feature: string, monthToDateUsd: string) {
  for (let ask = 1; ; ask += 1) {
    const answer = await budgetState(ingestKey);
    if (ask === 100 || answer.body.features.find((row) => row.feature === feature)?.monthToDateUsd === monthToDateUsd) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('GET /api/v1/budget-state', () => {
  it('answers 401 without a key, and lists nothing before any allocation is set', async () => {
    const anonymous = await budgetState(undefined);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toMatch(/at .*\.ts:/);
    const empty = await budgetState(ingestKey);
    expect(empty.status).toBe(200);
    expect(empty.body.features).toEqual([]);
    expect(empty.body.project).toBeNull();
  });

  it('states each allocated feature’s month-to-date spend against its allocation, as exact strings', async () => {
    const put = await fetch(`${server.baseUrl}/api/v1/settings/allocations`, {
      method: 'PUT',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify([
        { feature: 'summaries', monthlyUsd: '0.015' },
        { feature: 'search', monthlyUsd: '100' },
      ]),
    });
    expect(put.status).toBe(200);
    for (const feature of ['summaries', 'summaries', 'search', 'not-allocated']) expect((await postCall(feature)).status).toBe(200);

    const { status, body } = await budgetStateOnceSpent('summaries', '0.015');
    expect(status).toBe(200);
    expect(body.asOf).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Two calls of $0.0075 reach the $0.015 allocation exactly: spent. One is far below $100.
    expect(body.features).toEqual([
      { feature: 'summaries', monthToDateUsd: '0.015', allocationUsd: '0.015', spent: true },
      { feature: 'search', monthToDateUsd: '0.0075', allocationUsd: '100.00', spent: false },
    ]);
  });

  it('states the whole project against its monthly budget: every call counts, allocated or not', async () => {
    const putBudget = (monthlyUsd: string | null) =>
      fetch(`${server.baseUrl}/api/v1/settings/budget`, {
        method: 'PUT',
        headers: { ...server.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ monthlyUsd }),
      });
    // The four calls above (summaries twice, search, not-allocated), $0.0075 each: $0.03 this month.
    expect((await putBudget('1')).status).toBe(200);
    const unspent = await budgetState(ingestKey);
    expect(unspent.status).toBe(200);
    expect(unspent.body.project).toEqual({ monthToDateUsd: '0.03', budgetUsd: '1.00', spent: false });

    expect((await putBudget('0.03')).status).toBe(200);
    const spent = await budgetState(ingestKey);
    expect(spent.body.project).toEqual({ monthToDateUsd: '0.03', budgetUsd: '0.03', spent: true });
    // The features' own state is unchanged by the project's budget.
    expect(spent.body.features.map((row) => [row.feature, row.spent])).toEqual([
      ['summaries', true],
      ['search', false],
    ]);

    expect((await putBudget(null)).status).toBe(200);
    expect((await budgetState(ingestKey)).body.project).toBeNull();
  });
});
