import type { CliIo } from './cli-command.js';

/** Columns padded to their widest cell, two spaces apart; numbers and money right-aligned. */
export function printTable(io: CliIo, header: string[], rows: string[][], rightAligned: readonly number[] = []): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column]?.length ?? 0)));
  for (const row of all) {
    const cells = row.map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)));
    io.out(cells.join('  ').trimEnd());
  }
}

/**
 * An exact decimal string from the API as dollars: "12.50" → "$12.50", "-0.0042" → "-$0.0042".
 * Text only, never through a float: the digits printed are the digits the server sent.
 */
export function usd(amount: string | null): string {
  if (amount === null) return '—';
  return amount.startsWith('-') ? `-$${amount.slice(1)}` : `$${amount}`;
}

/** A change with its sign: "+$3.10", "-$0.20", "$0.00". */
export function usdChange(amount: string): string {
  if (amount.startsWith('-')) return usd(amount);
  return /^0+(\.0+)?$/.test(amount) ? usd(amount) : `+${usd(amount)}`;
}

/** A whole number with thousands separators. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** "1 call", "2,000 calls". */
export function calls(value: number): string {
  return `${count(value)} ${value === 1 ? 'call' : 'calls'}`;
}

/** A CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
