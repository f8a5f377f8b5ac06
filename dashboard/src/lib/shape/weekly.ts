import { addLocalDays, formatMoney, formatUsdChange, isoWeekOfDay, localTime, parseUsd, startOfLocalDay, usdToExactString } from '@costscope/core';
import type { AlertEpisode, CostsAnswer, Insight, WeeklyReportAnswer } from '../api/types';
import { seriesName } from '../chart-data';
import { dateTime, moneyWithUnpriced } from '../format';
import { ruleTitle, scopeText, parseScope, type RuleThresholds } from './alerts';
import { csvText } from '../csv';
import { withoutEmpty } from './features';
import { insightScope, strategyLabel, topSavings } from './savings';

export { csvText };

/**
 * The weekly cost review (`/weekly?week=2026-W47`) and its CSV and Markdown exports, shaped from
 * `/api/v1/reports/weekly` (the same figures the Monday digest sends) plus `/api/v1/costs` for
 * what the report does not carry: unpriced calls and models. Money stays exact (bigint inside,
 * exact decimal strings out); changes are core's `formatUsdChange`, to the tenth of a percent.
 */

// ---------------------------------------------------------------------------------------------
// ISO weeks

const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** Monday of an ISO week (`2026-W48` → `2026-11-23`), or undefined when there is no such week. */
export function isoWeekMonday(week: string): string | undefined {
  const match = ISO_WEEK.exec(week);
  if (!match) return undefined;
  const year = Number(match[1]);
  const number = Number(match[2]);
  if (number < 1 || number > 53) return undefined;
  // Week 1 is the week with January 4th in it.
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  const monday = new Date(jan4 - jan4Weekday * 86_400_000 + (number - 1) * 7 * 86_400_000).toISOString().slice(0, 10);
  // A year with 52 weeks has no W53: that Monday already belongs to next year's W01.
  return isoWeekOfDay(monday) === week ? monday : undefined;
}

/** The URL's `week` when it names a real ISO week. */
export function parseIsoWeek(value: string | null | undefined): string | undefined {
  return value && isoWeekMonday(value) ? value : undefined;
}

export function shiftWeek(week: string, weeks: number): string {
  const monday = isoWeekMonday(week);
  if (!monday) throw new Error(`not an ISO week: ${week}`);
  return isoWeekOfDay(addLocalDays(monday, weeks * 7));
}

/** The (incomplete) week `now` is in, in the project's time zone. */
export function currentIsoWeek(now: Date, timezone: string): string {
  return isoWeekOfDay(localTime(now, timezone).day);
}

const monthDay = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
const monthDayYear = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });

/** "Nov 16 – 22, 2026", "Nov 30 – Dec 6, 2026", "Dec 29, 2025 – Jan 4, 2026": Monday to Sunday. */
export function weekDaysLabel(week: string): string {
  const monday = isoWeekMonday(week);
  if (!monday) return week;
  const first = new Date(`${monday}T00:00:00Z`);
  const last = new Date(`${addLocalDays(monday, 6)}T00:00:00Z`);
  return monthDayYear.formatRange(first, last).replace(/\s–\s/, ' – ');
}

/** "Nov 16 – 22", "Nov 30 – Dec 6": the days without the year, beside a week id that has it. */
function weekDaysShortLabel(week: string): string {
  const monday = isoWeekMonday(week) as string;
  return monthDay.formatRange(new Date(`${monday}T00:00:00Z`), new Date(`${addLocalDays(monday, 6)}T00:00:00Z`)).replace(/\s–\s/, ' – ');
}

export type WeekOption = { week: string; label: string };

/**
 * The week picker's choices: the current week and the `count − 1` before it, newest first, plus
 * the selected week when it is older than that (a bookmark of last year's review still shows
 * what it is).
 */
export function weekOptions(selected: string, current: string, count = 12): WeekOption[] {
  const weeks = Array.from({ length: count }, (_, i) => shiftWeek(current, -i));
  if (!weeks.includes(selected) && parseIsoWeek(selected) && selected < current) weeks.push(selected);
  return weeks.map((week) => ({ week, label: `${week} · ${weekDaysShortLabel(week)}${week === current ? ' (so far)' : ''}` }));
}

export type WeekBounds = { from: Date; to: Date };

/** The reviewed week and the one before it, Monday 00:00 to Monday 00:00 local (`to` exclusive). */
export function weekBounds(weekStartDay: string, timezone: string): { thisWeek: WeekBounds; lastWeek: WeekBounds } {
  const start = startOfLocalDay(weekStartDay, timezone);
  return {
    thisWeek: { from: start, to: startOfLocalDay(addLocalDays(weekStartDay, 7), timezone) },
    lastWeek: { from: startOfLocalDay(addLocalDays(weekStartDay, -7), timezone), to: start },
  };
}

// ---------------------------------------------------------------------------------------------
// Changes

export type UsdChange = {
  /** Exact signed decimal string (`-0.05`). */
  changeUsd: string;
  /** "+$0.23" / "−$12.00" */
  amount: string;
  /** "+2.7%", "−3.1%", or "new" / "no change" when last week was $0. */
  percent: string;
  /** "+$0.23 (+2.7%)": core's `formatUsdChange`, as the digest shows it. */
  text: string;
  direction: 'up' | 'down' | 'flat';
  /** For sorting only. */
  ratio: number | null;
};

/** A change between two exact amounts, split from core's `formatUsdChange` so page, exports and digest agree. */
export function usdChange(current: string, previous: string): UsdChange {
  const now = parseUsd(current);
  const before = parseUsd(previous);
  const text = formatUsdChange(now, before);
  const match = /^(\S+) \((.+)\)$/.exec(text);
  const change = now - before;
  return {
    changeUsd: usdToExactString(change),
    amount: match?.[1] ?? text,
    percent: match?.[2] ?? '',
    text,
    direction: change > 0n ? 'up' : change < 0n ? 'down' : 'flat',
    ratio: before === 0n ? null : Number((change * 1_000_000n) / before) / 1_000_000,
  };
}

// ---------------------------------------------------------------------------------------------
// The review

export type WeeklyFeatureRow = {
  /** The feature as stored (`''` for calls without a feature tag). */
  feature: string;
  /** As people read it: `(untagged)` for the empty feature. */
  name: string;
  thisWeekUsd: string;
  lastWeekUsd: string;
  change: UsdChange;
  thisWeekRequests: number;
  lastWeekRequests: number;
  thisWeekCostPerSuccessUsd: string | null;
  thisWeekUnpriced: number;
  lastWeekUnpriced: number;
  /** `new`: no calls last week; `stopped`: no calls this week. */
  status: 'new' | 'stopped' | 'ongoing';
  /** Some calls of either week had no price: the change is that of the priced calls. */
  partlyUnpriced: boolean;
  /** No call of either week had a price: there is no change in dollars to speak of. */
  unpricedOnly: boolean;
};

/**
 * A feature's row as the review's table (a Client Component, sortable) receives it: what its
 * cells show and sort by, empty figures left out (see `FeatureTableRow`).
 */
export type WeeklyFeatureTableRow = {
  feature: string;
  thisWeekUsd: string;
  lastWeekUsd: string;
  change: Omit<UsdChange, 'text' | 'ratio'> & { ratio?: number };
  thisWeekRequests: number;
  lastWeekRequests: number;
  thisWeekCostPerSuccessUsd?: string;
  thisWeekUnpriced?: number;
  lastWeekUnpriced?: number;
  status?: 'new' | 'stopped';
  partlyUnpriced?: true;
  unpricedOnly?: true;
};

/** The table's rows of the review's features, in their order. */
export function weeklyFeatureTableRows(rows: readonly WeeklyFeatureRow[]): WeeklyFeatureTableRow[] {
  return rows.map((row) =>
    withoutEmpty({
      feature: row.feature,
      thisWeekUsd: row.thisWeekUsd,
      lastWeekUsd: row.lastWeekUsd,
      change: withoutEmpty({
        changeUsd: row.change.changeUsd,
        amount: row.change.amount,
        percent: row.change.percent,
        direction: row.change.direction,
        ratio: row.change.ratio,
      }),
      thisWeekRequests: row.thisWeekRequests,
      lastWeekRequests: row.lastWeekRequests,
      thisWeekCostPerSuccessUsd: row.thisWeekCostPerSuccessUsd,
      thisWeekUnpriced: row.thisWeekUnpriced || null,
      lastWeekUnpriced: row.lastWeekUnpriced || null,
      status: row.status === 'ongoing' ? null : row.status,
      partlyUnpriced: row.partlyUnpriced || null,
      unpricedOnly: row.unpricedOnly || null,
    }),
  );
}

export type WeeklyModelRow = { model: string; thisWeekUsd: string; requests: number; unpricedRequests: number };

export type HeadlinePart = { text: string; kind: 'text' | 'figure' | 'name' };

export type WeeklyReview = {
  week: string;
  weekStartDay: string;
  timezone: string;
  /** "Nov 16 – 22, 2026" */
  daysLabel: string;
  /** The week has not ended yet: its figures are so far. */
  inProgress: boolean;
  previousWeek: string;
  /** Undefined for the current week: there is nothing after it to review. */
  nextWeek: string | undefined;
  totals: {
    thisWeekUsd: string;
    lastWeekUsd: string;
    change: UsdChange;
    thisWeekRequests: number;
    lastWeekRequests: number;
    thisWeekUnpriced: number;
    lastWeekUnpriced: number;
  };
  costPerSuccess: { thisWeekUsd: string | null; lastWeekUsd: string | null; change: UsdChange | null };
  headline: HeadlinePart[];
  /** Biggest spend this week first. */
  features: WeeklyFeatureRow[];
  /** The report's `topMovers`, in its order (biggest move in dollars, up or down). */
  topMovers: WeeklyFeatureRow[];
  newFeatures: WeeklyFeatureRow[];
  stoppedFeatures: WeeklyFeatureRow[];
  /** Models that answered calls this week and none last week. */
  newModels: WeeklyModelRow[];
  alerts: AlertEpisode[];
  /** The three largest savings (`/savings`), largest first. */
  topSavings: Insight[];
};

type Figures = { usd: bigint; requests: number; unpriced: number };

function sumBy(rows: CostsAnswer['rows'], key: 'feature' | 'model'): Map<string, Figures> {
  const byKey = new Map<string, Figures>();
  for (const row of rows) {
    const name = row[key] ?? '';
    const figures = byKey.get(name) ?? { usd: 0n, requests: 0, unpriced: 0 };
    byKey.set(name, { usd: figures.usd + parseUsd(row.costUsd), requests: figures.requests + row.requests, unpriced: figures.unpriced + row.unpricedRequests });
  }
  return byKey;
}

/**
 * The review's view of one week. `thisWeek` and `lastWeek` are `/api/v1/costs` over the two weeks
 * grouped by feature and model (the report has no unpriced counts and no models); `currentWeek`
 * is the week today is in, in the project's time zone.
 */
export function shapeWeeklyReview(input: { report: WeeklyReportAnswer; thisWeek: CostsAnswer; lastWeek: CostsAnswer; currentWeek: string }): WeeklyReview {
  const { report, thisWeek, lastWeek } = input;
  const unpricedThis = sumBy(thisWeek.rows, 'feature');
  const unpricedLast = sumBy(lastWeek.rows, 'feature');

  const features: WeeklyFeatureRow[] = report.features.map((feature) => {
    const thisWeekUnpriced = unpricedThis.get(feature.feature)?.unpriced ?? 0;
    const lastWeekUnpriced = unpricedLast.get(feature.feature)?.unpriced ?? 0;
    const calls = feature.thisWeekRequests + feature.lastWeekRequests;
    const unpriced = thisWeekUnpriced + lastWeekUnpriced;
    return {
      feature: feature.feature,
      name: seriesName(feature.feature),
      thisWeekUsd: feature.thisWeekUsd,
      lastWeekUsd: feature.lastWeekUsd,
      change: usdChange(feature.thisWeekUsd, feature.lastWeekUsd),
      thisWeekRequests: feature.thisWeekRequests,
      lastWeekRequests: feature.lastWeekRequests,
      thisWeekCostPerSuccessUsd: feature.thisWeekCostPerSuccessUsd,
      thisWeekUnpriced,
      lastWeekUnpriced,
      status: feature.lastWeekRequests === 0 && feature.thisWeekRequests > 0 ? 'new' : feature.thisWeekRequests === 0 && feature.lastWeekRequests > 0 ? 'stopped' : 'ongoing',
      partlyUnpriced: unpriced > 0 && unpriced < calls,
      unpricedOnly: unpriced > 0 && unpriced >= calls,
    };
  });
  const byFeature = new Map(features.map((row) => [row.feature, row]));
  const topMovers = report.topMovers.flatMap((mover) => {
    const row = byFeature.get(mover.feature);
    return row ? [row] : [];
  });

  const modelsLast = sumBy(lastWeek.rows, 'model');
  const newModels = [...sumBy(thisWeek.rows, 'model').entries()]
    .filter(([model, figures]) => model !== '' && figures.requests > 0 && (modelsLast.get(model)?.requests ?? 0) === 0)
    .map(([model, figures]) => ({ model, thisWeekUsd: usdToExactString(figures.usd), requests: figures.requests, unpricedRequests: figures.unpriced }))
    .sort((a, b) => {
      const diff = parseUsd(b.thisWeekUsd) - parseUsd(a.thisWeekUsd);
      return diff !== 0n ? (diff > 0n ? 1 : -1) : b.requests - a.requests || a.model.localeCompare(b.model);
    });

  const totals = {
    thisWeekUsd: report.thisWeekUsd,
    lastWeekUsd: report.lastWeekUsd,
    change: usdChange(report.thisWeekUsd, report.lastWeekUsd),
    thisWeekRequests: thisWeek.totals.requests,
    lastWeekRequests: lastWeek.totals.requests,
    thisWeekUnpriced: thisWeek.totals.unpricedRequests,
    lastWeekUnpriced: lastWeek.totals.unpricedRequests,
  };
  const { thisWeekUsd: cpsThis, lastWeekUsd: cpsLast } = report.costPerSuccess;
  const inProgress = report.week >= input.currentWeek;
  const review: Omit<WeeklyReview, 'headline'> = {
    week: report.week,
    weekStartDay: report.weekStartDay,
    timezone: report.timezone,
    daysLabel: weekDaysLabel(report.week),
    inProgress,
    previousWeek: shiftWeek(report.week, -1),
    nextWeek: inProgress ? undefined : shiftWeek(report.week, 1),
    totals,
    costPerSuccess: { thisWeekUsd: cpsThis, lastWeekUsd: cpsLast, change: cpsThis !== null && cpsLast !== null ? usdChange(cpsThis, cpsLast) : null },
    features,
    topMovers,
    newFeatures: features.filter((row) => row.status === 'new'),
    stoppedFeatures: features.filter((row) => row.status === 'stopped'),
    newModels,
    alerts: report.alerts,
    topSavings: topSavings(report.topInsights),
  };
  return { ...review, headline: weeklyHeadline(review) };
}

/**
 * The sentence the meeting starts with: "Spend was $8.57 this week, +2.7% on last week ($8.34),
 * driven by code-review (+$0.08) and support-chat (+$0.05)." The drivers are the top movers that
 * moved the same way as the total.
 */
export function weeklyHeadline(review: Pick<WeeklyReview, 'totals' | 'topMovers' | 'inProgress'>): HeadlinePart[] {
  const { totals, topMovers, inProgress } = review;
  const text = (value: string): HeadlinePart => ({ text: value, kind: 'text' });
  const figure = (value: string): HeadlinePart => ({ text: value, kind: 'figure' });
  const name = (value: string): HeadlinePart => ({ text: value, kind: 'name' });
  const unpriced = totals.thisWeekUnpriced > 0 ? [text(` (plus ${totals.thisWeekUnpriced.toLocaleString('en-US')} unpriced call${totals.thisWeekUnpriced === 1 ? '' : 's'})`)] : [];
  const spend = formatMoney(parseUsd(totals.thisWeekUsd));
  const lastSpend = formatMoney(parseUsd(totals.lastWeekUsd));

  if (totals.thisWeekRequests === 0 && totals.lastWeekRequests === 0) return [text('No calls this week or the week before.')];
  const parts: HeadlinePart[] = inProgress ? [text('Spend so far this week is '), figure(spend), ...unpriced] : [text('Spend was '), figure(spend), ...unpriced, text(' this week')];
  const { change } = totals;
  if (inProgress) {
    parts.push(text(', against '), figure(lastSpend), text(' for all of last week'));
  } else if (change.direction === 'flat') {
    parts.push(text(', the same as last week'));
  } else if (parseUsd(totals.lastWeekUsd) === 0n) {
    parts.push(text(', against nothing last week'));
  } else {
    parts.push(text(', '), figure(change.percent), text(' on last week ('), figure(lastSpend), text(')'));
  }
  const drivers = change.direction === 'flat' ? [] : topMovers.filter((row) => row.change.direction === change.direction).slice(0, 2);
  if (drivers.length > 0) {
    parts.push(text(inProgress ? ', moved most by ' : ', driven by '));
    drivers.forEach((row, index) => {
      if (index > 0) parts.push(text(' and '));
      parts.push(name(row.name), text(' ('), figure(row.change.amount), text(')'));
    });
  }
  parts.push(text('.'));
  return parts;
}

/**
 * Each mover's bar length: its move in dollars as a share of the biggest move (0–1), computed on
 * atto-dollars so two equal moves draw equal bars.
 */
export function moveShares(rows: readonly WeeklyFeatureRow[]): number[] {
  const abs = (row: WeeklyFeatureRow) => {
    const change = parseUsd(row.change.changeUsd);
    return change < 0n ? -change : change;
  };
  const largest = rows.reduce((max, row) => (abs(row) > max ? abs(row) : max), 0n);
  return rows.map((row) => (largest === 0n ? 0 : Number((abs(row) * 10_000n) / largest) / 10_000));
}

export function headlineText(parts: readonly HeadlinePart[]): string {
  return parts.map((part) => part.text).join('');
}

// ---------------------------------------------------------------------------------------------
// Figures as the page and the Markdown show them

/**
 * A week's spend for a table cell or a figure, in two parts so the unpriced calls can sit on a
 * line of their own: "$8.57" + "+ 126 unpriced calls", "Unpriced" + "105 calls", "no calls".
 */
export function weekSpendParts(usd: string, unpriced: number, requests: number): { amount: string; note: string | null } {
  if (requests === 0) return { amount: 'no calls', note: null };
  const calls = `${unpriced.toLocaleString('en-US')} ${unpriced === 1 ? 'call' : 'calls'}`;
  if (unpriced >= requests) return { amount: 'Unpriced', note: calls };
  return { amount: formatMoney(parseUsd(usd)), note: unpriced > 0 ? `+ ${unpriced.toLocaleString('en-US')} unpriced ${unpriced === 1 ? 'call' : 'calls'}` : null };
}

/** A week's spend: "no calls" when there were none, and unpriced calls said, never a plain $0. */
export function weekSpendText(usd: string, unpriced: number, requests: number): string {
  return requests === 0 ? 'no calls' : moneyWithUnpriced(usd, unpriced);
}

/**
 * Cost per successful response: "Unpriced" when no call had a price, a floor ("≥ $0.0057") when
 * some had none (their cost is missing from the numerator).
 */
export function perSuccessText(usd: string | null, unpriced: number, requests: number): string {
  if (requests > 0 && unpriced >= requests) return 'Unpriced';
  if (usd === null) return '—';
  const amount = formatMoney(parseUsd(usd));
  return unpriced > 0 ? `≥ ${amount}` : amount;
}

/** A feature's change as its row shows it; "Unpriced" when no call of either week had a price. */
export function featureChangeText(row: WeeklyFeatureRow, part: 'text' | 'amount' | 'percent'): string {
  if (row.unpricedOnly) return part === 'percent' ? '—' : 'Unpriced';
  return row.change[part];
}

// ---------------------------------------------------------------------------------------------
// The week's alerts, as the review lists them

export type WeeklyAlertRow = {
  episodeId: string;
  title: string;
  scope: string;
  severity: 'warning' | 'critical';
  started: string;
  /** "still firing" or the local time it resolved. */
  resolved: string;
};

export function weeklyAlertRows(alerts: readonly AlertEpisode[], rules: RuleThresholds, timezone: string): WeeklyAlertRow[] {
  return alerts.map((alert) => ({
    episodeId: alert.episodeId,
    title: ruleTitle(alert.rule, rules),
    scope: scopeText(parseScope(alert.scope)),
    severity: alert.severity,
    started: dateTime(alert.startedAt, timezone),
    resolved: alert.resolvedAt ? dateTime(alert.resolvedAt, timezone) : 'still firing',
  }));
}

// ---------------------------------------------------------------------------------------------
// CSV

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A figure we computed (an exact decimal or a count): written as it is, so `-0.05` stays a number. */
export function csvFigure(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  if (!DECIMAL.test(text)) throw new Error(`not a figure for the CSV: ${text}`);
  return text;
}

/** "+2.7%" → "2.7", "−3.1%" → "-3.1"; empty when there is no percentage (new, no change from $0). */
function csvPercent(change: UsdChange): string {
  const match = /^([+−])([\d.]+)%$/.exec(change.percent);
  if (!match) return '';
  return `${match[1] === '−' ? '-' : ''}${match[2]}`;
}

export const WEEKLY_CSV_HEADER = [
  'row',
  'feature',
  'this_week_usd',
  'last_week_usd',
  'change_usd',
  'change_percent',
  'this_week_calls',
  'last_week_calls',
  'this_week_unpriced_calls',
  'last_week_unpriced_calls',
  'this_week_cost_per_successful_response_usd',
] as const;

/**
 * One row per feature and a `total` row, money as exact decimals (what a spreadsheet sums
 * correctly), CRLF line ends as RFC 4180 writes them.
 */
export function weeklyCsv(review: WeeklyReview): string {
  const lines = [WEEKLY_CSV_HEADER.join(',')];
  for (const row of review.features) {
    lines.push(
      [
        'feature',
        csvText(row.feature),
        csvFigure(row.thisWeekUsd),
        csvFigure(row.lastWeekUsd),
        csvFigure(row.change.changeUsd),
        csvPercent(row.change),
        csvFigure(row.thisWeekRequests),
        csvFigure(row.lastWeekRequests),
        csvFigure(row.thisWeekUnpriced),
        csvFigure(row.lastWeekUnpriced),
        csvFigure(row.thisWeekCostPerSuccessUsd),
      ].join(','),
    );
  }
  const { totals } = review;
  lines.push(
    [
      'total',
      '',
      csvFigure(totals.thisWeekUsd),
      csvFigure(totals.lastWeekUsd),
      csvFigure(totals.change.changeUsd),
      csvPercent(totals.change),
      csvFigure(totals.thisWeekRequests),
      csvFigure(totals.lastWeekRequests),
      csvFigure(totals.thisWeekUnpriced),
      csvFigure(totals.lastWeekUnpriced),
      csvFigure(review.costPerSuccess.thisWeekUsd),
    ].join(','),
  );
  return `${lines.join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/**
 * A name inside Markdown text or a table cell: line breaks become spaces (a row is one line),
 * pipes cannot end a cell, and characters that would start emphasis, code, links, HTML or
 * entities are backslash-escaped, so a feature named `*urgent* | <b>` reads as written.
 */
export function markdownText(value: string): string {
  // Other control characters are dropped: they have no place in a note and some renderers choke on them.
  const oneLine = [...value.replace(/[\r\n\u2028\u2029]+/g, ' ')].filter((char) => char >= ' ' && char !== '\u007f').join('');
  return oneLine.replace(/[\\`*_[\]<>|~&]/g, (char) => `\\${char}`);
}

/** A name that starts a list item, where `#`, `-`, `+` or `1.` would open a heading or a nested list. */
export function markdownListText(value: string): string {
  return markdownText(value).replace(/^([#+-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

function markdownTable(header: readonly string[], align: readonly ('left' | 'right')[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((side) => (side === 'right' ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

const md = (amount: string | null) => (amount === null ? '—' : markdownText(formatMoney(parseUsd(amount))));
const withUnpriced = (amount: string, unpriced: number) => markdownText(moneyWithUnpriced(amount, unpriced));

/** The review as Markdown for the meeting's notes: the same sentences, figures and order as the page. */
export function weeklyMarkdown(review: WeeklyReview, context: { projectId: string; rules: RuleThresholds }): string {
  const { totals, costPerSuccess } = review;
  const headline = review.headline
    .map((part) => (part.kind === 'figure' ? `**${markdownText(part.text)}**` : markdownText(part.text)))
    .join('');
  const lines: string[] = [
    `# Weekly cost review ${review.week}`,
    '',
    `${markdownText(review.daysLabel)} (Monday to Sunday, ${markdownText(review.timezone)}) · project ${markdownText(context.projectId)}${review.inProgress ? ' · week in progress' : ''}`,
    '',
    headline,
    '',
    ...markdownTable(
      ['', 'This week', 'Last week', 'Change'],
      ['left', 'right', 'right', 'right'],
      [
        ['Spend', withUnpriced(totals.thisWeekUsd, totals.thisWeekUnpriced), withUnpriced(totals.lastWeekUsd, totals.lastWeekUnpriced), markdownText(totals.change.text)],
        [
          'Cost per successful response',
          markdownText(perSuccessText(costPerSuccess.thisWeekUsd, totals.thisWeekUnpriced, totals.thisWeekRequests)),
          markdownText(perSuccessText(costPerSuccess.lastWeekUsd, totals.lastWeekUnpriced, totals.lastWeekRequests)),
          costPerSuccess.change ? markdownText(costPerSuccess.change.text) : '—',
        ],
        ['Calls', totals.thisWeekRequests.toLocaleString('en-US'), totals.lastWeekRequests.toLocaleString('en-US'), ''],
      ],
    ),
    '',
    '## Top movers',
    '',
    ...(review.topMovers.length === 0
      ? ['No feature’s spend moved.']
      : review.topMovers.map((row) => `- ${markdownListText(row.name)}: ${markdownText(row.change.text)}, ${md(row.thisWeekUsd)} this week`)),
    '',
    '## Top savings',
    '',
    ...(review.topSavings.length === 0
      ? ['No saving found.']
      : review.topSavings.map(
          (insight) => `- ${markdownListText(insight.title)} (${markdownText(strategyLabel(insight.strategy))}, ${markdownText(insightScope(insight))}): ${md(insight.monthlySavingUsd)} a month`,
        )),
    '',
    '## Cost per feature',
    '',
    ...(review.features.length === 0
      ? ['No calls in either week.']
      : markdownTable(
          ['Feature', 'This week', 'Last week', 'Change', 'Calls', 'Per successful response'],
          ['left', 'right', 'right', 'right', 'right', 'right'],
          review.features.map((row) => [
            `${markdownText(row.name)}${row.status === 'new' ? ' (new)' : ''}`,
            markdownText(weekSpendText(row.thisWeekUsd, row.thisWeekUnpriced, row.thisWeekRequests)),
            markdownText(weekSpendText(row.lastWeekUsd, row.lastWeekUnpriced, row.lastWeekRequests)),
            markdownText(`${featureChangeText(row, 'text')}${row.partlyUnpriced ? ', priced calls' : ''}`),
            row.thisWeekRequests.toLocaleString('en-US'),
            markdownText(perSuccessText(row.thisWeekCostPerSuccessUsd, row.thisWeekUnpriced, row.thisWeekRequests)),
          ]),
        )),
    '',
    '## New this week',
    '',
    `- Features: ${review.newFeatures.length === 0 ? 'none' : review.newFeatures.map((row) => `${markdownText(row.name)} (${md(row.thisWeekUsd)})`).join(', ')}`,
    `- Models: ${review.newModels.length === 0 ? 'none' : review.newModels.map((row) => `${markdownText(row.model)} (${withUnpriced(row.thisWeekUsd, row.unpricedRequests)})`).join(', ')}`,
    ...(review.stoppedFeatures.length === 0 ? [] : [`- No calls this week: ${review.stoppedFeatures.map((row) => markdownText(row.name)).join(', ')}`]),
    '',
    '## Alerts this week',
    '',
    ...(review.alerts.length === 0
      ? ['No alerts.']
      : markdownTable(
          ['Alert', 'Scope', 'Severity', 'Started', 'Resolved'],
          ['left', 'left', 'left', 'left', 'left'],
          weeklyAlertRows(review.alerts, context.rules, review.timezone).map((row) => [
            markdownText(row.title),
            markdownText(row.scope),
            row.severity,
            markdownText(row.started),
            markdownText(row.resolved),
          ]),
        )),
    '',
  ];
  return lines.join('\n');
}

/** `costscope-weekly-2026-W47.csv`: the week is validated, so the name needs no escaping. */
export function weeklyExportFilename(week: string, format: 'csv' | 'md'): string {
  return `costscope-weekly-${week}.${format}`;
}
