import { addLocalDays, localTime, parseUsd, startOfLocalDay } from '@costscope/core';
import type { ServerConnection } from './server-connection.js';
import { DRIFT_MODEL, ERROR_BURST_SCOPE, type AlertBaselines } from './alert-baselines.js';
import { FEATURES } from './example-app.js';

const HOUR_MS = 3_600_000;

type CostTotals = { costUsd: string; requests: number; errors: number; outputTokens: number };

/**
 * The three rules' windows as the server holds them, read through `/api/v1/costs` the way the
 * rules count (docs/alerts.md): the project may hold more than this run's history (an earlier,
 * longer run, or real traffic), and the incidents must cross the thresholds of what is there.
 * Undefined when the key may not read (an ingest key): then the history's own figures are used.
 */
export async function serverBaselines(connection: ServerConnection, now: Date, timezone: string): Promise<AlertBaselines | undefined> {
  const today = localTime(now, timezone).day;
  const todayStart = startOfLocalDay(today, timezone);
  const weekStart = startOfLocalDay(addLocalDays(today, -7), timezone);
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
  const drift = { feature: FEATURES.supportChat, model: DRIFT_MODEL };

  const todayTotals = await totals(connection, todayStart, now, {});
  if (todayTotals === undefined) return undefined;
  const [week, lastHour, recent, baseline] = await Promise.all([
    totals(connection, weekStart, todayStart, {}),
    totals(connection, ago(1), now, ERROR_BURST_SCOPE),
    totals(connection, ago(24), now, drift),
    totals(connection, ago(24 * 8), ago(24), drift),
  ]);
  if (!week || !lastHour || !recent || !baseline) return undefined;
  return {
    todayUsd: parseUsd(todayTotals.costUsd),
    previousSevenDaysUsd: parseUsd(week.costUsd),
    lastHourAnswers: { calls: lastHour.requests, errors: lastHour.errors },
    driftRecent: { calls: recent.requests, outputTokens: recent.outputTokens },
    driftBaseline: { calls: baseline.requests, outputTokens: baseline.outputTokens },
  };
}

async function totals(connection: ServerConnection, from: Date, to: Date, filters: Record<string, string>): Promise<CostTotals | undefined> {
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), ...filters });
  const response = await fetch(`${connection.server}/api/v1/costs?${query}`, { headers: { authorization: `Bearer ${connection.apiKey}` } });
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  return ((await response.json()) as { totals: CostTotals }).totals;
}
