/**
 * The ingest's concurrency, shared between projects: at most `maxInFlight` exports are decoded and
 * written at once, and no one project holds more than `maxInFlightPerProject` of them. A project
 * that floods (a retry storm, a runaway backfill) gets 429 with Retry-After on its own share while
 * the others' exports still find room.
 */
export class IngestShare {
  private inFlight = 0;
  private readonly byProject = new Map<string, number>();

  constructor(
    private readonly maxInFlight: number,
    private readonly maxInFlightPerProject: number,
  ) {}

  /**
   * Takes a place for one export of `projectId`, or says whose limit is reached. The returned
   * `release` must be called exactly once when the export is answered.
   */
  enter(projectId: string): { release: () => void } | { refused: 'project' | 'server' } {
    const held = this.byProject.get(projectId) ?? 0;
    if (held >= this.maxInFlightPerProject) return { refused: 'project' };
    if (this.inFlight >= this.maxInFlight) return { refused: 'server' };
    this.inFlight += 1;
    this.byProject.set(projectId, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        const left = (this.byProject.get(projectId) ?? 1) - 1;
        // Only projects with exports in flight are kept: the map stays as small as the load.
        if (left === 0) this.byProject.delete(projectId);
        else this.byProject.set(projectId, left);
      },
    };
  }

  /** Exports in flight for `projectId` (or in all when omitted). */
  size(projectId?: string): number {
    return projectId === undefined ? this.inFlight : (this.byProject.get(projectId) ?? 0);
  }
}
