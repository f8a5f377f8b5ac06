/**
 * The browser end-to-end harness: a real Chromium (`playwright-core` driving the binary that
 * `@sparticuz/chromium` unpacks from npm, nothing downloaded) against the real Costscope server
 * (embedded chDB, a month of calls sent through `/v1/traces`) and the dashboard's production build.
 *
 * Run (from `dashboard/`):
 *
 *   npx vitest run -c vitest.e2e.config.ts                         all browser tests
 *   npx vitest run -c vitest.e2e.config.ts e2e/session.e2e.spec.ts  one file
 *
 * `npm test` runs them too (the dashboard's Nx `test` target). The first run builds the dashboard
 * (a minute or two); later runs reuse the build until a source changes. See `e2e/README.md`.
 *
 * In a test file (`e2e/<area>.e2e.spec.ts`):
 *
 *   const page = await signedInPage();                    // logged in through the real form
 *   await openPage(page, '/features?range=7d');           // fails on an error status or a login redirect
 *   const costs = await api<CostsAnswer>('/api/v1/costs?groupBy=feature&from=…&to=…');
 *   expect(await page.getByTestId('feature-cost-search').textContent()).toBe(money(row.costUsd));
 */
import type { Browser, BrowserContext, Cookie, Page, Request as NetworkRequest } from 'playwright-core';
import { afterAll, expect, inject } from 'vitest';
import { launchChromium, settle } from './chromium.js';
import { DASHBOARD_PAGES, exportRoutes, hasPage, routesOfBuild, signedInPathOf, type AppRoute, type DashboardPage } from './routes.js';
import type { StackInfo } from './stack.js';

export { settle };

/** URLs and secrets of the running stack (provided by the global setup). */
export function stack(): StackInfo {
  return inject('costscope');
}

/** GET the server's JSON API with the project key, as the dashboard's server side does. */
export async function api<T>(pathAndQuery: string): Promise<T> {
  const { serverUrl, apiKey } = stack();
  const response = await fetch(`${serverUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${pathAndQuery} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A write to the server's JSON API with the project key (an admin key): the answer's status and JSON. */
export async function apiWrite<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, key = stack().apiKey): Promise<{ status: number; json: T }> {
  const response = await fetch(`${stack().serverUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
}

type RepriceJob = { jobId: string; state: 'queued' | 'running' | 'done' | 'failed'; examined: number; changed: number; unpricedModels: string[]; error: string | null };

/**
 * Re-prices a range through the API as any client would: the job (202), then its progress until it
 * ends. Fails on a refusal or a job that stops.
 */
export async function repriceThroughApi(range: { from: string; to: string }): Promise<RepriceJob> {
  const started = await apiWrite<RepriceJob>('POST', '/api/v1/prices/reprice', range);
  if (started.status !== 202) throw new Error(`POST /api/v1/prices/reprice answered ${started.status}: ${JSON.stringify(started.json)}`);
  let job = started.json;
  while (job.state === 'queued' || job.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = await api<RepriceJob>(`/api/v1/prices/reprice/${job.jobId}`);
  }
  if (job.state !== 'done') throw new Error(`the re-pricing job stopped: ${job.error}`);
  return job;
}

/**
 * Every state the page's re-pricing progress (`data-testid="reprice-job"`) shows from now on, in
 * order, seen by a MutationObserver in the page: a test can tell that the form showed the queued
 * job and followed it to the end, however fast the job runs.
 */
export async function watchRepriceStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { repriceStates: string[] }).repriceStates = seen;
    const note = () => {
      const state = document.querySelector('[data-testid="reprice-job"]')?.getAttribute('data-state');
      if (state && seen.at(-1) !== state) seen.push(state);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
  return () => page.evaluate(() => [...(window as unknown as { repriceStates: string[] }).repriceStates]);
}

let launched: Promise<Browser> | undefined;

/** The test file's Chromium, launched on first use and closed after the file's last test. */
export function browser(): Promise<Browser> {
  launched ??= launchChromium();
  return launched;
}

afterAll(async () => {
  if (launched) await (await launched).close();
  launched = undefined;
});

export type PageOptions = {
  colorScheme?: 'light' | 'dark';
  /** Viewport width in CSS pixels: 1280 (default) or 375 for a phone. */
  width?: number;
  height?: number;
};

/** A page in a fresh browser context: no cookie, no session. */
export async function newPage(options: PageOptions = {}): Promise<Page> {
  return (await newContext(options)).newPage();
}

async function newContext({ colorScheme = 'light', width = 1280, height = 900 }: PageOptions): Promise<BrowserContext> {
  const context = await (await browser()).newContext({ colorScheme, viewport: { width, height }, locale: 'en-US', timezoneId: 'UTC' });
  // A loaded machine (a build beside the tests) renders slowly; slow is not failed.
  context.setDefaultTimeout(60_000);
  context.setDefaultNavigationTimeout(90_000);
  await installFetchRecording(context);
  return context;
}

type FetchedBody = Omit<RecordedResponse, 'via'>;
const fetchListeners = new WeakMap<BrowserContext, Array<(entry: RecordedResponse) => void>>();

/**
 * Wraps the `fetch` of every page of the context before any of its scripts runs: each answer's
 * body is copied as the page reads it and handed to the context's response recorders. Chromium
 * gives bodies a script streams (server actions, RSC payloads) to the script alone, not to the
 * DevTools protocol, so this is how a recorder sees them.
 */
async function installFetchRecording(context: BrowserContext): Promise<void> {
  const listeners: Array<(entry: RecordedResponse) => void> = [];
  fetchListeners.set(context, listeners);
  await context.exposeBinding('__costscopeRecordFetch', (_source, entry: FetchedBody) => {
    for (const listener of listeners) listener({ ...entry, via: 'fetch' });
  });
  await context.addInitScript(() => {
    const scope = window as unknown as { __costscopeRecordFetch: (entry: unknown) => Promise<void>; __costscopeFetchesReading?: number };
    const original = window.fetch;
    window.fetch = async (input, init) => {
      const response = await original(input, init);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      scope.__costscopeFetchesReading = (scope.__costscopeFetchesReading ?? 0) + 1;
      response
        .clone()
        .text()
        .then((body) =>
          scope.__costscopeRecordFetch({ url: response.url, method: method.toUpperCase(), status: response.status, headers: Object.fromEntries(response.headers), body }),
        )
        .catch(() => undefined)
        .finally(() => {
          scope.__costscopeFetchesReading = (scope.__costscopeFetchesReading ?? 1) - 1;
        });
      return response;
    };
  });
}

/** Signs in through the login form (password, Enter) and waits to leave `/login`. */
export async function logIn(page: Page, password = stack().adminPassword): Promise<void> {
  if (!new URL(page.url(), stack().dashboardUrl).pathname.startsWith('/login')) {
    await page.goto(`${stack().dashboardUrl}/login`);
  }
  await page.getByLabel('Admin password').fill(password);
  await page.getByLabel('Admin password').press('Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

let session: Cookie[] | undefined;

/**
 * A page in a new context that holds a session: the first call in a file signs in through the
 * real form; later calls reuse its cookie. Each call gives its own context (its own scheme, width
 * and cookies); close it with `page.context().close()` when a test opens many.
 */
export async function signedInPage(options: PageOptions = {}): Promise<Page> {
  const context = await newContext(options);
  if (session) {
    await context.addCookies(session);
    return context.newPage();
  }
  const page = await context.newPage();
  await logIn(page);
  session = await context.cookies();
  return page;
}

/**
 * Opens a dashboard path (`/features?range=7d`) and waits until it has settled (see `settle`),
 * failing on an error status or when the dashboard sent the page to `/login`.
 */
export async function openPage(page: Page, pathAndQuery: string): Promise<void> {
  const response = await page.goto(`${stack().dashboardUrl}${pathAndQuery}`, { waitUntil: 'load' });
  expect(response, `no answer for ${pathAndQuery}`).not.toBeNull();
  expect(response!.status(), `${pathAndQuery} answered ${response!.status()}`).toBeLessThan(400);
  expect(new URL(page.url()).pathname, `${pathAndQuery} sent the browser to the login page`).not.toBe('/login');
  await settle(page);
}

export type RecordedResponse = {
  url: string;
  method: string;
  status: number;
  /** Every header, `set-cookie` included (none for bodies read through the page's `fetch`). */
  headers: Record<string, string>;
  /** The body as text (binary bodies are decoded too, so a secret in them still shows). */
  body: string;
  /**
   * `network`: as Chromium received it. `fetch`: the body as the page's own `fetch` read it —
   * server actions and RSC payloads, whose bodies Chromium hands to the page's script and does
   * not keep for the DevTools protocol.
   */
  via: 'network' | 'fetch';
};

export type ResponseRecorder = {
  /** Every response received so far, once their bodies are read. */
  responses(): Promise<RecordedResponse[]>;
  /** What the context's pages printed to the browser console. */
  consoleLines(): string[];
  /** The context's cookies now. */
  cookies(): Promise<Cookie[]>;
  /** Where any of `needles` appears: in which response's body or header, console message or cookie (each place once). */
  find(needles: readonly string[]): Promise<string[]>;
};

/**
 * Records every response a browser context receives (pages, RSC payloads, server action answers,
 * scripts, styles, redirects) with its headers and body, what its pages print to the console, and
 * its cookies: what a secret must never be in. Contexts made by this harness (`newPage`,
 * `signedInPage`) also hand over the bodies their pages' `fetch` reads.
 */
export function recordResponses(context: BrowserContext): ResponseRecorder {
  const pending: Array<Promise<RecordedResponse>> = [];
  const fetched: RecordedResponse[] = [];
  fetchListeners.get(context)?.push((entry) => fetched.push(entry));
  const onFailure = new Map<NetworkRequest, () => void>();
  context.on('requestfailed', (request) => onFailure.get(request)?.());
  context.on('response', (response) => {
    const request = response.request();
    // A body can be read once its response finished. A request aborted on the way (a prefetch the
    // router dropped, a stream the next navigation cut) never finishes: its body is not waited for.
    const finished = Promise.race([
      response.finished().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => onFailure.set(request, () => resolve(false))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000).unref()),
    ]);
    pending.push(
      (async () => {
        const headers = await response.allHeaders().catch(() => ({}));
        const body = (await finished)
          ? await response
              .body()
              .then((buffer) => buffer.toString('utf8'))
              // Redirects have no body; a body the page's script read is recorded through `fetch`.
              .catch(() => '')
          : '';
        onFailure.delete(request);
        return { url: response.url(), method: request.method(), status: response.status(), headers, body, via: 'network' as const };
      })(),
    );
  });

  // What pages log to the browser console is sent to the browser too.
  const consoleLines: string[] = [];
  context.on('console', (message) => consoleLines.push(message.text()));

  const responses = async () => {
    const network = await Promise.all(pending);
    // Let the pages finish reading the bodies their `fetch` is still reading.
    for (const page of context.pages()) {
      await page
        .waitForFunction(() => !(window as unknown as { __costscopeFetchesReading?: number }).__costscopeFetchesReading, undefined, { timeout: 15_000 })
        .catch(() => undefined);
    }
    return [...network, ...fetched];
  };
  return {
    responses,
    consoleLines: () => [...consoleLines],
    cookies: () => context.cookies(),
    async find(needles) {
      const found = new Set<string>();
      const recorded = await responses();
      const cookies = await context.cookies();
      for (const needle of needles) {
        for (const response of recorded) {
          if (response.body.includes(needle)) found.add(`body of ${response.method} ${response.url}`);
          for (const [name, value] of Object.entries(response.headers)) {
            if (value.includes(needle)) found.add(`header ${name} of ${response.method} ${response.url}`);
          }
        }
        if (consoleLines.some((line) => line.includes(needle))) found.add('a console message');
        for (const cookie of cookies) {
          if (cookie.value.includes(needle) || cookie.name.includes(needle)) found.add(`cookie ${cookie.name}`);
        }
      }
      return [...found];
    },
  };
}

/** The secrets that must never reach a browser: the project key, the admin password, the session secret. */
export function secrets(): string[] {
  const { apiKey, adminPassword, sessionSecret } = stack();
  return [apiKey, adminPassword, sessionSecret];
}

/** A URL of the page for a signed-in visitor (see `signedInPathOf`). */
export function signedInPath(page: DashboardPage): Promise<string> {
  return signedInPathOf(page, stack());
}

/** The pages and route handlers the build under test serves. */
export function builtRoutes(): AppRoute[] {
  return routesOfBuild(stack().distDir);
}

/** Whether the build under test has the page. */
export function isBuilt(page: DashboardPage): boolean {
  return hasPage(builtRoutes(), page);
}

/** The exports (route handlers behind the session) of the build under test. */
export function builtExports(): AppRoute[] {
  return exportRoutes(builtRoutes());
}

/** Every page of the issue, with a URL to open it signed in. */
export async function signedInPages(): Promise<Array<DashboardPage & { path: string }>> {
  return Promise.all(DASHBOARD_PAGES.map(async (page) => ({ ...page, path: await signedInPath(page) })));
}
