/**
 * Cells of the dashboard's CSV exports (features, Explore, the weekly review). Text is quoted when
 * it holds a comma, a quote, a line break or edge spaces (quotes doubled, RFC 4180); text a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return) gets a leading `'`, as OWASP advises, so a feature named `=HYPERLINK(…)` stays text.
 */
export function csvText(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell of any kind: numbers are written as they are, `null` is an empty cell. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return csvText(value);
}

export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return values.map(csvField).join(',');
}
