/**
 * A progress bar on stderr (stdout stays for the summary, or `--json`). On a terminal it redraws
 * one line; elsewhere (a CI log, a test) it prints a line at each quarter, so logs stay short.
 */
export class ProgressBar {
  private lastDrawMs = 0;
  private lastQuarter = -1;
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  update(done: number, detail = ''): void {
    const share = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDrawMs < 80 && share < 1) return;
      this.lastDrawMs = now;
      const width = 28;
      const filled = Math.round(share * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.stream.write(`\r${this.label} ${bar} ${String(Math.floor(share * 100)).padStart(3)}% ${detail}\u001b[K`);
      return;
    }
    const quarter = Math.floor(share * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.stream.write(`${this.label} ${Math.floor(share * 100)}% ${detail}\n`);
    }
  }

  finish(detail = ''): void {
    this.update(this.total, detail);
    if (this.tty) this.stream.write('\n');
  }
}
