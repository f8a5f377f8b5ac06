import 'server-only';
import { cache } from 'react';
import { CostscopeApiError, api } from '../api/client';
import type { ProjectAnswer } from '../api/types';
import { resolveTimeRange, type RangePreset, type TimeRange } from '../time-range';

export type PageSearchParams = Promise<Record<string, string | string[] | undefined>>;

/** One value of a URL parameter (the first when repeated). */
export function param(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long the project's answer is reused across requests: its time zone changes only when the
 * server restarts with another `COSTSCOPE_TIMEZONE`, and every page needs it before its other
 * calls, so asking each time would put a round trip in front of every page.
 */
const PROJECT_TTL_MS = 60_000;
let projectCache: { answer: ProjectAnswer; until: number } | undefined;

/** The project (and its time zone): once a minute at most, and once per request however many components ask. */
export const projectInfo = cache(async (): Promise<ProjectAnswer> => {
  if (projectCache && projectCache.until > Date.now()) return projectCache.answer;
  const answer = await api.project();
  projectCache = { answer, until: Date.now() + PROJECT_TTL_MS };
  return answer;
});

export type Loaded<T> = { ok: true; data: T } | { ok: false; error: { message: string; at: string; status?: number } };

/**
 * Runs a page's API calls. A failure of the API becomes a value the page renders as a banner;
 * anything else is a bug and goes to the error boundary.
 */
export async function load<T>(fetchData: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, data: await fetchData() };
  } catch (error) {
    if (CostscopeApiError.isInstance(error)) return { ok: false, error: { message: error.message, at: error.at, status: error.status } };
    if (error instanceof Error && error.name === 'DashboardCredentialsError') {
      return { ok: false, error: { message: error.message, at: new Date().toISOString() } };
    }
    throw error;
  }
}

/** The project and the page's time range, read from the URL in the project's time zone. */
export async function pageRange(searchParams: Record<string, string | string[] | undefined>, fallback: RangePreset = '30d', now = new Date()): Promise<{ project: ProjectAnswer; range: TimeRange }> {
  const project = await projectInfo();
  const range = resolveTimeRange(
    { range: param(searchParams, 'range'), from: param(searchParams, 'from'), to: param(searchParams, 'to') },
    now,
    project.timezone,
    fallback,
  );
  return { project, range };
}
