import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getCosts } from '../../src/storage/costs.js';
import { MAX_RAW_RANGES, planHours, sealHourlyRollups } from '../../src/storage/hourly-rollups.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall, usd } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const HOUR_MS = 3_600_000;

describe(planHours.name, () => {
  it('reads every hour from exactly one place, sealed rows only where a seal is in force', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.array(fc.tuple(fc.nat(399), fc.nat(3)), { maxLength: 400 }), (hours, seals) => {
        const from = Date.UTC(2026, 10, 1);
        const inForce = [...new Map(seals.filter(([hour]) => hour < hours).map(([hour, version]) => [hour, version])).entries()].map(
          ([hour, version]) => ({ hour: from + hour * HOUR_MS, version }),
        );
        const plan = planHours(from, from + hours * HOUR_MS, inForce);
        expect(plan.raw.length).toBeLessThanOrEqual(MAX_RAW_RANGES);
        const versionOf = new Map(inForce.map((seal) => [seal.hour, seal.version]));
        for (let hour = from; hour < from + hours * HOUR_MS; hour += HOUR_MS) {
          const places = [
            plan.raw.some(([start, end]) => hour >= start && hour < end) ? 'raw' : undefined,
            plan.sealed.some(([start, end]) => hour >= start && hour < end) ? 'sealed' : undefined,
            plan.legacy.some(([start, end]) => hour >= start && hour < end) ? 'legacy' : undefined,
          ].filter(Boolean);
          expect(places).toHaveLength(1);
          if (places[0] === 'sealed') expect(versionOf.get(hour)).toBeGreaterThan(0);
          if (places[0] === 'legacy') expect(versionOf.get(hour)).toBe(0);
          if (!versionOf.has(hour)) expect(places[0]).toBe('raw');
        }
      }),
    );
  });
});

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

describe.each(factories)('sealed hourly rollups ($name transport)', (factory) => {
  let transport: ClickHouseTransport;
  beforeAll(async () => {
    transport = await factory.open();
  });

  const from = new Date('2026-10-01T00:00:00Z');
  const to = new Date('2026-10-04T00:00:00Z');
  const call = (projectId: string, n: number, hour: number) =>
    makeCall({ projectId, traceId: `trace-${n}`, spanId: `span-${n}`, time: new Date(from.getTime() + hour * HOUR_MS + 60_000), totalCostUsd: usd('0.25') });

  async function expectRollupsAgreeWithCalls(projectId: string, requests: number): Promise<void> {
    const raw = await getCosts(transport, { projectId, from, to, interval: 'hour', groupBy: ['feature'], source: 'raw' });
    const rollup = await getCosts(transport, { projectId, from, to, interval: 'hour', groupBy: ['feature'], source: 'rollup' });
    expect(plain(rollup.rows)).toEqual(plain(raw.rows));
    expect(rollup.totals.requests).toBe(requests);
  }

  it('answers from every third hour sealed and the rest raw, scattered past the range limit', async () => {
    // 72 hours with calls; sealing every third hour leaves 48 scattered raw hours (> 16 ranges).
    await insertCalls(transport, Array.from({ length: 72 }, (_, hour) => call('scattered', hour, hour)));
    for (let hour = 0; hour < 72; hour += 3) {
      await sealHourlyRollups(transport, { projectId: 'scattered', from: new Date(from.getTime() + hour * HOUR_MS), to: new Date(from.getTime() + (hour + 1) * HOUR_MS) });
    }
    await expectRollupsAgreeWithCalls('scattered', 72);
  });

  it('reads a sealed hour from its calls once a late call arrives, and from the new seal after', async () => {
    await insertCalls(transport, [call('late', 1, 5), call('late', 2, 5)]);
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 1 });
    await insertCalls(transport, [call('late', 3, 5)]);
    await expectRollupsAgreeWithCalls('late', 3);
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 1 });
    await expectRollupsAgreeWithCalls('late', 3);
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 0 });
  });

  it('reads a rollup made before migration 0009 for an hour whose calls have aged out, and the calls otherwise', async () => {
    // As 0009 leaves them: the old rollups in llm_calls_hourly, a version-0 seal counting 0 rows
    // for each of their hours. Hour 1's calls have aged out (no calls, no counts); hour 2's are stored.
    await transport.command({
      sql: `INSERT INTO llm_calls_hourly (project_id, hour, service, feature, endpoint, model, provider, user_tier, status, cost_usd, requests)
            VALUES ('legacy', '2026-10-01 01:00:00', 'svc', 'chat', '', 'gpt-5', 'openai', '', 'ok', 7, 7),
                   ('legacy', '2026-10-01 02:00:00', 'svc', 'chat', '', 'gpt-5', 'openai', '', 'ok', 9, 9)`,
      tag: { operation: 'test' },
    });
    await transport.command({
      sql: `INSERT INTO llm_call_hour_seals (project_id, hour, version, rows_seen, sealed_at)
            VALUES ('legacy', '2026-10-01 01:00:00', 0, 0, now64(3)), ('legacy', '2026-10-01 02:00:00', 0, 0, now64(3))`,
      tag: { operation: 'test' },
    });
    await insertCalls(transport, [call('legacy', 1, 2)]);
    const rollup = await getCosts(transport, { projectId: 'legacy', from, to, source: 'rollup' });
    // Hour 1 from the old rollup (7 requests, $7), hour 2 from its one stored call ($0.25).
    expect(rollup.totals.requests).toBe(8);
    expect(rollup.totals.costUsd).toBe(usd('7.25'));
  });
});
