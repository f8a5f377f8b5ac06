import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertEpisode } from '../../src/lib/api/types.js';

/**
 * The dashboard's routes, for the tests that must cover every one of them (session, secrets,
 * accessibility, screenshots). `DASHBOARD_PAGES` is the list the issue asks for;
 * `routesOfBuild()` reads what the build under test serves, and `routesOfSources()` what
 * `src/app` holds, so a page or an export added later is either in the list or fails the
 * coverage test until it is.
 */
const dashboardDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const appDir = path.join(dashboardDir, 'src', 'app');

export type DashboardPage = {
  /** File-name friendly name: `docs/screenshots/<name>-light.png`. */
  name: string;
  /** The route as the App Router spells it, `[*]` for a dynamic segment. */
  pattern: string;
  /** A URL of it for a visitor without a session (any value of a dynamic segment). */
  anonymousPath: string;
};

export const DASHBOARD_PAGES: readonly DashboardPage[] = [
  { name: 'overview', pattern: '/', anonymousPath: '/' },
  { name: 'features', pattern: '/features', anonymousPath: '/features' },
  { name: 'feature', pattern: '/features/[*]', anonymousPath: '/features/x' },
  { name: 'explore', pattern: '/explore', anonymousPath: '/explore' },
  { name: 'models', pattern: '/models', anonymousPath: '/models' },
  { name: 'users', pattern: '/users', anonymousPath: '/users' },
  { name: 'alerts', pattern: '/alerts', anonymousPath: '/alerts' },
  { name: 'alert', pattern: '/alerts/[*]', anonymousPath: '/alerts/x' },
  { name: 'savings', pattern: '/savings', anonymousPath: '/savings' },
  { name: 'weekly', pattern: '/weekly', anonymousPath: '/weekly' },
  { name: 'calculator', pattern: '/calculator', anonymousPath: '/calculator' },
  { name: 'settings', pattern: '/settings', anonymousPath: '/settings' },
];

/** The sign-in pages themselves: served without a session by design. */
export const PUBLIC_ROUTES = ['/login', '/logout'];

export type AppRoute = { pattern: string; kind: 'page' | 'route' };

/** `(group)` folders add no URL segment; `[param]` is any value. Null for Next's own `_…` routes. */
function patternOf(segments: readonly string[]): string | null {
  if (segments.some((segment) => segment.startsWith('_'))) return null;
  const kept = segments.filter((segment) => !/^\(.*\)$/.test(segment)).map((segment) => (/^\[.*\]$/.test(segment) ? '[*]' : segment));
  return `/${kept.join('/')}`;
}

/** Every page and route handler the build in `distDir` (relative to `dashboard/`) serves. */
export function routesOfBuild(distDir: string): AppRoute[] {
  const manifest = JSON.parse(readFileSync(path.join(dashboardDir, distDir, 'server', 'app-paths-manifest.json'), 'utf8')) as Record<string, string>;
  const routes: AppRoute[] = [];
  for (const entry of Object.keys(manifest)) {
    const segments = entry.split('/').filter(Boolean);
    const kind = segments.pop();
    const pattern = patternOf(segments);
    // Metadata files (`icon.svg`) are served as routes too, and carry no data.
    if (pattern && (kind === 'page' || kind === 'route') && !/\.(svg|png|ico)$/.test(pattern)) routes.push({ pattern, kind });
  }
  return routes;
}

/** Every page (`page.tsx`) and route handler (`route.ts`) under `src/app`. */
export function routesOfSources(dir = appDir, segments: string[] = []): AppRoute[] {
  const found: AppRoute[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      found.push(...routesOfSources(path.join(dir, entry.name), [...segments, entry.name]));
    } else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry.name)) {
      const pattern = patternOf(segments);
      if (pattern) found.push({ pattern, kind: entry.name.startsWith('page') ? 'page' : 'route' });
    }
  }
  return found;
}

/** Whether `routes` (of a build, or of the sources) has the page. */
export function hasPage(routes: readonly AppRoute[], page: DashboardPage): boolean {
  return routes.some((route) => route.kind === 'page' && route.pattern === page.pattern);
}

/** Route handlers behind the session (CSV and Markdown exports…). */
export function exportRoutes(routes: readonly AppRoute[]): AppRoute[] {
  return routes.filter((route) => route.kind === 'route' && !PUBLIC_ROUTES.includes(route.pattern));
}

/**
 * A URL of the page for a signed-in visitor, with real values in its dynamic segment: the seed's
 * costliest feature, the latest alert episode (the seed's oversized request always opens one).
 */
export async function signedInPathOf(page: DashboardPage, server: { serverUrl: string; apiKey: string }): Promise<string> {
  if (page.pattern === '/features/[*]') return '/features/support-chat';
  if (page.pattern === '/alerts/[*]') {
    const response = await fetch(`${server.serverUrl}/api/v1/alerts`, { headers: { authorization: `Bearer ${server.apiKey}` } });
    if (!response.ok) throw new Error(`GET /api/v1/alerts answered ${response.status}`);
    const { alerts } = (await response.json()) as { alerts: AlertEpisode[] };
    if (!alerts[0]) throw new Error('no alert episode to open: the seed’s oversized request should have fired one');
    return `/alerts/${encodeURIComponent(alerts[0].episodeId)}`;
  }
  return page.pattern;
}
