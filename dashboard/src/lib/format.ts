import { formatMoney, parseUsd, usdToExactString } from '@costscope/core';

/**
 * Display helpers for the API's figures. Money follows core's one rule (`formatMoney`): every
 * page and every alert message shows the same amount the same way.
 */
export function money(exact: string | null | undefined): string {
  if (exact === null || exact === undefined) return '—';
  return formatMoney(parseUsd(exact));
}

/**
 * A total that may include calls no price applied to: those are stored with no cost, so the sum
 * is a floor, and says so ("$12.40 + 3 unpriced calls") instead of reading as the whole bill.
 */
export function moneyWithUnpriced(exact: string, unpricedRequests: number): string {
  const amount = money(exact);
  if (unpricedRequests <= 0) return amount;
  const calls = `${unpricedRequests.toLocaleString('en-US')} unpriced call${unpricedRequests === 1 ? '' : 's'}`;
  return parseUsd(exact) === 0n ? `Unpriced (${calls})` : `${amount} + ${calls}`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** 1234567 → "1.2M", for axis ticks and dense tables. */
export function compactCount(value: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${(share * 100).toFixed(digits)}%`;
}

/** A signed change in percent ("+12.5%", "−3.0%"), or "new" when there was nothing before. */
export function percentChange(current: number, previous: number): string {
  if (previous === 0) return current === 0 ? '0.0%' : 'new';
  const change = (current - previous) / previous;
  return `${change < 0 ? '−' : '+'}${Math.abs(change * 100).toFixed(1)}%`;
}

/** An axis tick for money: "$1.2k", "$40", "$0.05". Rounded for the eye only. */
export function moneyTick(value: number): string {
  if (value === 0) return '$0';
  if (Math.abs(value) >= 1000) return `$${new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value)}`;
  if (Math.abs(value) >= 1) return `$${Number(value.toFixed(2)).toLocaleString('en-US')}`;
  return `$${Number(value.toPrecision(2))}`;
}

export function dateTime(iso: string | null | undefined, timezone: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

/** "Mon, Nov 23" for a `YYYY-MM-DD` local day. */
export function dayLabel(day: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

/** "Nov 23" for a `YYYY-MM-DD` local day (chart axes). */
export function shortDay(day: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(new Date(`${day}T00:00:00Z`));
}

/**
 * A chart value (a float, for drawing) as a tooltip shows it: cents from a dollar up, two
 * significant digits below, like `money`. Tables beside the chart hold the exact figures.
 */
export function chartMoney(value: number): string {
  if (value === 0) return '$0.00';
  if (Math.abs(value) >= 1) return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${Number(value.toPrecision(2))}`;
}

/**
 * The compact form of `moneyWithUnpriced` for dense table cells: the amount when every call was
 * priced, "≥ $12.40" when unpriced calls are left out of it (a floor), and "Unpriced" when no call
 * had a price — never a plain $0. Say how many calls were unpriced beside it.
 */
export function moneyFloor(exact: string | null | undefined, unpricedRequests: number): string {
  if (unpricedRequests <= 0 || exact === null || exact === undefined) return money(exact);
  return parseUsd(exact) === 0n ? 'Unpriced' : `≥ ${money(exact)}`;
}

/**
 * A catalog price per million tokens, exactly as the catalog states it (`$0.125`, `$1,250.00`):
 * a price is a rate people compare and copy into overrides, so it is never rounded the way a
 * spend figure is.
 */
export function exactPrice(exact: string): string {
  const [whole = '0', fraction = ''] = usdToExactString(parseUsd(exact)).replace(/^-/, '').split('.');
  const sign = exact.trim().startsWith('-') ? '-' : '';
  return `${sign}$${BigInt(whole).toLocaleString('en-US')}.${fraction}`;
}
