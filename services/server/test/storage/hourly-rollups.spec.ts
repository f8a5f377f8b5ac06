import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getCosts } from '../../src/storage/costs.js';
import { MAX_RAW_RANGES, planHours, sealHourlyRollups } from '../../src/storage/hourly-rollups.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import { getDailySpendBaselines, getMonthToDateSpend } from '../../src/storage/rule-inputs.js';
import { getWeeklyReview } from '../../src/storage/weekly-review.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall, usd } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

describe(planHours.name, () => {
  it('reads every hour from exactly one place, sealed rows and days only where a seal is in force', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.nat(30), fc.array(fc.tuple(fc.nat(399), fc.nat(3)), { maxLength: 400 }), fc.array(fc.nat(17)), fc.array(fc.nat(399), { maxLength: 400 }), (hours, offset, seals, sealedDays, empty) => {
        // Starting off UTC midnight, so the range holds partial days at its ends.
        const from = Date.UTC(2026, 10, 1) + offset * HOUR_MS;
        const inForce = [...new Map(seals.filter(([hour]) => hour < hours).map(([hour, version]) => [hour, version])).entries()].map(
          ([hour, version]) => ({ hour: from + hour * HOUR_MS, version }),
        );
        const daysInForce = sealedDays.map((day) => Date.UTC(2026, 10, 1) + day * DAY_MS);
        const noCalls = new Set(empty.map((hour) => from + hour * HOUR_MS));
        const plan = planHours(from, from + hours * HOUR_MS, inForce, daysInForce, noCalls);
        for (const [start, end] of plan.days) {
          expect(start % DAY_MS).toBe(0);
          expect(end % DAY_MS).toBe(0);
          expect(start).toBeGreaterThanOrEqual(from);
          expect(end).toBeLessThanOrEqual(from + hours * HOUR_MS);
        }
        expect(plan.raw.length).toBeLessThanOrEqual(MAX_RAW_RANGES);
        const versionOf = new Map(inForce.map((seal) => [seal.hour, seal.version]));
        for (let hour = from; hour < from + hours * HOUR_MS; hour += HOUR_MS) {
          const places = [
            plan.raw.some(([start, end]) => hour >= start && hour < end) ? 'raw' : undefined,
            plan.sealed.some(([start, end]) => hour >= start && hour < end) ? 'sealed' : undefined,
            plan.legacy.some(([start, end]) => hour >= start && hour < end) ? 'legacy' : undefined,
            plan.days.some(([start, end]) => hour >= start && hour < end) ? 'day' : undefined,
          ].filter(Boolean);
          const day = Math.floor(hour / DAY_MS) * DAY_MS;
          const sealedOrDay = versionOf.has(hour) || (daysInForce.includes(day) && day >= from && day + DAY_MS <= from + hours * HOUR_MS);
          // An hour with no calls and no seal in force may be read from its calls or not at all.
          if (noCalls.has(hour) && !sealedOrDay) {
            expect(places.filter((place) => place !== 'raw')).toEqual([]);
            continue;
          }
          expect(places).toHaveLength(1);
          if (places[0] === 'sealed') expect(versionOf.get(hour)).toBeGreaterThan(0);
          if (places[0] === 'legacy') expect(versionOf.get(hour)).toBe(0);
          if (places[0] === 'day') expect(daysInForce).toContain(Math.floor(hour / DAY_MS) * DAY_MS);
          if (!sealedOrDay) expect(places[0]).toBe('raw');
        }
      }),
    );
  });

  it('reads nothing where no hour has calls, and runs a range of calls across hours with none', () => {
    const from = Date.UTC(2026, 10, 1);
    const hours = (...indexes: number[]) => new Set(indexes.map((index) => from + index * HOUR_MS));
    expect(planHours(from, from + 3 * HOUR_MS, [], [], hours(0, 1, 2)).raw).toEqual([]);
    expect(planHours(from, from + 5 * HOUR_MS, [], [], hours(0, 2, 4)).raw).toEqual([[from + HOUR_MS, from + 4 * HOUR_MS]]);
    // A sealed hour between still splits the ranges of calls.
    expect(planHours(from, from + 4 * HOUR_MS, [{ hour: from + 2 * HOUR_MS, version: 5 }], [], hours(1)).raw).toEqual([
      [from, from + HOUR_MS],
      [from + 3 * HOUR_MS, from + 4 * HOUR_MS],
    ]);
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

  /** The reads the daily tier may answer (no hourly buckets): per feature, and per UTC day. */
  async function expectDaysAgreeWithCalls(projectId: string, requests: number): Promise<void> {
    for (const interval of [undefined, 'day'] as const) {
      const raw = await getCosts(transport, { projectId, from, to, interval, groupBy: ['feature', 'model'], source: 'raw' });
      const rollup = await getCosts(transport, { projectId, from, to, interval, groupBy: ['feature', 'model'], source: 'rollup' });
      expect(plain(rollup), interval ?? 'no interval').toEqual(plain({ ...raw, source: 'rollup' }));
      expect(rollup.totals.requests).toBe(requests);
    }
    // The rule inputs and the weekly review read the daily tier too.
    const reads: Array<[string, (source: 'raw' | 'rollup') => Promise<unknown>]> = [
      ['month to date', (source) => getMonthToDateSpend(transport, { projectId, now: to, source })],
      ['daily spend', (source) => getDailySpendBaselines(transport, { projectId, day: '2026-10-03', scope: 'feature', source })],
      ['weekly review', (source) => getWeeklyReview(transport, { projectId, week: '2026-W40', source })],
    ];
    for (const [name, read] of reads) expect(plain(await read('rollup')), name).toEqual(plain(await read('raw')));
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
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 1, daysSealed: 1 });
    await insertCalls(transport, [call('late', 3, 5)]);
    await expectRollupsAgreeWithCalls('late', 3);
    await expectDaysAgreeWithCalls('late', 3);
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 1, daysSealed: 1 });
    await expectRollupsAgreeWithCalls('late', 3);
    await expectDaysAgreeWithCalls('late', 3);
    expect(await sealHourlyRollups(transport, { projectId: 'late', from, to })).toEqual({ hoursSealed: 0, daysSealed: 0 });
  });

  it('reads whole days from their seal until an hour of the day is sealed again after it (a re-price)', async () => {
    // Two calls in each of the first 30 hours: day 1 whole, day 2 partly.
    await insertCalls(transport, Array.from({ length: 60 }, (_, n) => call('days', n, Math.floor(n / 2))));
    expect(await sealHourlyRollups(transport, { projectId: 'days', from, to })).toEqual({ hoursSealed: 30, daysSealed: 2 });
    await expectDaysAgreeWithCalls('days', 60);
    // Ranges off the hour: the partly covered hours come from their calls (each call is at hh:01).
    const at = (hours: number, minutes: number) => new Date(from.getTime() + hours * HOUR_MS + minutes * 60_000);
    for (const [rangeFrom, rangeTo, requests] of [
      [at(5, 2), at(26, 0.5), 40], // hours 6–25 whole, hour 5's calls before the range, hour 26's after
      [at(-0.5, 0), at(24, 30), 50], // day 1 whole from its day seal, then hour 24's calls
    ] as const) {
      for (const interval of [undefined, 'hour', 'day'] as const) {
        const query = { projectId: 'days', from: rangeFrom, to: rangeTo, interval, groupBy: ['feature' as const] };
        const raw = await getCosts(transport, { ...query, source: 'raw' });
        const rollup = await getCosts(transport, query);
        expect(rollup.source).toBe('rollup');
        expect(plain(rollup.rows), `${rangeFrom.toISOString()} ${interval}`).toEqual(plain(raw.rows));
        expect(rollup.totals.requests).toBe(requests);
      }
    }
    // A re-price changes hour 7's calls in place (the count stays) and seals the hour again, not its day.
    await transport.command({
      sql: `ALTER TABLE llm_calls UPDATE total_cost_usd = toDecimal128('1.5', 18)
            WHERE project_id = 'days' AND time >= '2026-10-01 07:00:00' AND time < '2026-10-01 08:00:00' SETTINGS mutations_sync = 2`,
      tag: { operation: 'test' },
    });
    const hour = new Date(from.getTime() + 7 * HOUR_MS);
    expect(await sealHourlyRollups(transport, { projectId: 'days', from: hour, to: new Date(hour.getTime() + HOUR_MS), force: true })).toEqual({
      hoursSealed: 1,
      daysSealed: 0,
    });
    await expectDaysAgreeWithCalls('days', 60);
    expect((await getCosts(transport, { projectId: 'days', from, to })).totals.costUsd).toBe(usd('0.25') * 58n + usd('1.5') * 2n);
    // The next sealing run brings the day's seal back in step.
    expect(await sealHourlyRollups(transport, { projectId: 'days', from, to })).toEqual({ hoursSealed: 0, daysSealed: 1 });
    await expectDaysAgreeWithCalls('days', 60);
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

  it('skips hours with no count only where the TTL cannot have dropped the count before the calls', async () => {
    // A 30-day retention: an hour's count expires at its start + 30 days, its calls up to an hour
    // later. Counts removed by hand stand for counts the TTL dropped.
    const kept = Object.create(transport, { retentionDays: { value: 30 } }) as ClickHouseTransport;
    const now = Date.now();
    const at = (daysAgo: number, n: number) =>
      makeCall({ projectId: 'ttl-edge', traceId: `edge-${n}`, spanId: `edge-${n}`, time: new Date(now - daysAgo * DAY_MS), totalCostUsd: usd('0.5') });
    await insertCalls(transport, [at(29.6, 1), at(29.6, 2), at(10, 3)]);
    await transport.command({
      sql: `ALTER TABLE llm_call_hour_counts DELETE WHERE project_id = 'ttl-edge' SETTINGS mutations_sync = 2`,
      tag: { operation: 'test' },
    });
    const range = { projectId: 'ttl-edge', from: new Date(now - 31 * DAY_MS), to: new Date(now) };
    // The calls within a day of the retention edge are read; the hour 10 days back, with its
    // count gone although the TTL cannot have dropped it yet, is taken at its count's word.
    expect((await getCosts(kept, { ...range, source: 'rollup' })).totals.requests).toBe(2);
    // With no retention known every hour without a seal is read from its calls.
    expect((await getCosts(Object.create(transport, { retentionDays: { value: undefined } }) as ClickHouseTransport, { ...range, source: 'rollup' })).totals.requests).toBe(3);
  });

  it('answers a range with no calls as the engine does, without reading it', async () => {
    const kept = Object.create(transport, { retentionDays: { value: 3650 } }) as ClickHouseTransport;
    const range = { projectId: 'nothing', from, to, source: 'rollup' as const };
    for (const read of [
      { groupBy: [] },
      { groupBy: ['feature'] as const },
      { interval: 'day' as const },
    ]) {
      const expected = await getCosts(transport, { ...range, ...read, groupBy: [...(read.groupBy ?? [])], source: 'raw' });
      expect(plain(await getCosts(kept, { ...range, ...read, groupBy: [...(read.groupBy ?? [])] }))).toEqual(plain({ ...expected, source: 'rollup' }));
    }
  });

  it.runIf(factory.name === 'embedded')('keeps a seal lookup only until the next write, so a new call is read at once', async () => {
    const statements: string[] = [];
    const counting = Object.create(transport, {
      query: { value: <Row>(statement: Parameters<ClickHouseTransport['query']>[0]) => (statements.push(statement.tag.operation), transport.query<Row>(statement)) },
    }) as ClickHouseTransport;
    await insertCalls(transport, [call('kept', 1, 3)]);
    const read = async () => (await getCosts(counting, { projectId: 'kept', from, to, groupBy: ['feature'] })).totals.requests;
    expect(await read()).toBe(1);
    statements.length = 0;
    expect(await read()).toBe(1);
    expect(statements).toEqual(['costs.byGroup']);
    await insertCalls(transport, [call('kept', 2, 40)]);
    expect(await read()).toBe(2);
    expect(statements).toEqual(['costs.byGroup', 'rollups.sealsInForce', 'costs.byGroup']);
    await sealHourlyRollups(transport, { projectId: 'kept', from, to });
    expect(await read()).toBe(2);
    expect(statements.at(-2)).toBe('rollups.sealsInForce');
  });
});
