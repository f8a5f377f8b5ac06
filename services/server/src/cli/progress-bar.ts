/** Where a progress bar draws: a terminal's stderr (stdout may be the data, piped). */
export type ProgressSink = { write(text: string): unknown; isTTY?: boolean; columns?: number };

const REDRAW_EVERY_MS = 100;

/**
 * One line redrawn in place on a terminal: `[#######.....]  58%  5,800 / 10,000 calls`. Off a
 * terminal (a pipe, a log file, CI) it draws nothing, so redirected output stays clean.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink | undefined,
    private readonly unit: string,
  ) {}

  get visible(): boolean {
    return this.sink?.isTTY === true;
  }

  /** `total` may be unknown (0) or passed (calls arriving during an export): the count still shows. */
  update(done: number, total: number, options: { force?: boolean } = {}): void {
    if (!this.visible) return;
    const now = Date.now();
    if (!options.force && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.sink?.write(`\r${progressLine(done, total, this.unit, this.sink.columns ?? 80)}\u001b[K`);
  }

  /** Draws the final figures and ends the line. */
  finish(done: number, total: number): void {
    if (!this.visible) return;
    this.update(done, total, { force: true });
    if (this.drawn) this.sink?.write('\n');
  }
}

/** The bar's text, fitted to `columns`. */
export function progressLine(done: number, total: number, unit: string, columns: number): string {
  const counts = total > 0 ? `${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ${unit}` : `${done.toLocaleString('en-US')} ${unit}`;
  if (total <= 0) return counts;
  const share = Math.min(1, done / total);
  const percent = `${String(Math.floor(share * 100)).padStart(3)}%`;
  const width = Math.max(10, Math.min(40, columns - counts.length - percent.length - 6));
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}  ${counts}`;
}
