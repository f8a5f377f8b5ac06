import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CostsAnswer } from '@/lib/api/types';
import { money } from '@/lib/format';
import { createSessionToken, SESSION_COOKIE } from '@/lib/server/session';
import { addLocalDays, localTime, startOfLocalDay } from '@costscope/core';
import { api, builtRoutes, isBuilt, logIn, newPage, recordResponses, signedInPage, stack } from './support/harness';
import { DASHBOARD_PAGES, exportRoutes, routesOfSources, PUBLIC_ROUTES } from './support/routes';
import { SEED_FEATURES } from './support/seed-calls';

/**
 * Nothing but the login page is served without a session — no page, no RSC payload, no server
 * action, no export, and no figure in any of those answers — and the session starts and ends only
 * through the login form and the sign-out button.
 */

// Every route of the issue, whether or not its page exists yet, every export, and a path that is
// nothing: without a session each must go to /login before any page code runs.
const exportPaths = [...exportRoutes(routesOfSources()), ...exportRoutes(builtRoutes())].map((route) => route.pattern.replaceAll('[*]', 'x'));
const anonymousPaths = [...new Set([...DASHBOARD_PAGES.map((page) => page.anonymousPath), ...exportPaths, '/no-such-page'])];

/** Strings that would mean project data reached a visitor without a session. */
let figures: string[];

beforeAll(async () => {
  const { seededAt } = stack();
  const today = localTime(new Date(seededAt), 'UTC').day;
  const ranges = [-29, -6, 0].map((days) => ({ from: startOfLocalDay(addLocalDays(today, days), 'UTC'), to: startOfLocalDay(addLocalDays(today, 1), 'UTC') }));
  const answers = await Promise.all(ranges.map(({ from, to }) => api<CostsAnswer>(`/api/v1/costs?groupBy=feature&from=${from.toISOString()}&to=${to.toISOString()}`)));
  figures = [
    ...answers.flatMap((answer) => [answer.totals.costUsd, money(answer.totals.costUsd), ...answer.rows.map((row) => money(row.costUsd))]),
    // Names only the project's calls carry (catalog model names are public, and in the bundles).
    ...SEED_FEATURES.map((feature) => feature.feature),
    'acme-llm-1',
    'enterprise-user-',
  ];
  expect(figures.length).toBeGreaterThan(10);
});

function figuresIn(text: string): string[] {
  return figures.filter((figure) => text.includes(figure));
}

async function fetchDashboard(path: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; body: string }> {
  const response = await fetch(`${stack().dashboardUrl}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

describe('the route list', () => {
  it('every page of the issue is in the build under test', () => {
    expect(DASHBOARD_PAGES.filter((page) => !isBuilt(page)).map((page) => page.pattern)).toEqual([]);
  });

  it('has every page of the app, so each is tested here and in the other cross-cutting tests', () => {
    const listed = new Set([...DASHBOARD_PAGES.map((page) => page.pattern), ...PUBLIC_ROUTES]);
    const pages = [...routesOfSources(), ...builtRoutes()].filter((route) => route.kind === 'page').map((route) => route.pattern);
    expect([...new Set(pages)].filter((pattern) => !listed.has(pattern)), 'add these to DASHBOARD_PAGES in e2e/support/routes.ts').toEqual([]);
  });
});

describe('without a session', () => {
  it.each(anonymousPaths)('GET %s redirects to /login, with no figure in the answer', async (path) => {
    const answer = await fetchDashboard(path);
    expect([302, 303, 307, 308]).toContain(answer.status);
    const location = new URL(answer.location!, stack().dashboardUrl);
    expect(location.pathname).toBe('/login');
    if (path !== '/') expect(location.searchParams.get('next')).toBe(path);
    expect(figuresIn(answer.body)).toEqual([]);
  });

  it.each(anonymousPaths)('an RSC request for %s gets no figure: refused, or sent to /login', async (path) => {
    const answer = await fetchDashboard(path, { headers: { RSC: '1', 'Next-Router-State-Tree': '%5B%22%22%5D' } });
    // Next strips the RSC headers before the proxy sees them, so an RSC request is answered like
    // a page load: a redirect the client router follows to the login form.
    expect([401, 307]).toContain(answer.status);
    if (answer.status === 307) expect(new URL(answer.location!, stack().dashboardUrl).pathname).toBe('/login');
    expect(figuresIn(answer.body)).toEqual([]);
    const followed = await fetch(`${stack().dashboardUrl}${path}`, { headers: { RSC: '1' } });
    expect(figuresIn(await followed.text())).toEqual([]);
  });

  it.each(anonymousPaths)('a POST (server action or form) to %s is refused with 401 and no figure', async (path) => {
    const action = await fetchDashboard(path, {
      method: 'POST',
      headers: { 'Next-Action': '7f'.repeat(21), 'content-type': 'text/plain;charset=UTF-8' },
      body: '[]',
    });
    expect(action.status).toBe(401);
    expect(figuresIn(action.body)).toEqual([]);
    const form = await fetchDashboard(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(401);
    expect(figuresIn(form.body)).toEqual([]);
  });

  it('in the browser every page ends on the login form, and nothing received carries a figure', async () => {
    const page = await newPage();
    const recorder = recordResponses(page.context());
    for (const path of anonymousPaths) {
      await page.goto(`${stack().dashboardUrl}${path}`);
      expect(new URL(page.url()).pathname, path).toBe('/login');
      await expect.poll(() => page.getByLabel('Admin password').isVisible()).toBe(true);
    }
    // A client-side navigation (RSC fetch) from the login page gets no data either.
    await page.evaluate(() => fetch('/', { headers: { RSC: '1' } }).then((response) => response.text()));
    for (const response of await recorder.responses()) {
      // Static bundles are the same code for everyone (no session needed, no project data in them).
      if (new URL(response.url).pathname.startsWith('/_next/static/')) continue;
      expect(figuresIn(response.body), response.url).toEqual([]);
    }
    await page.context().close();
  });

  it('a session cookie not signed with this dashboard’s secret, or expired, is refused', async () => {
    const { dataDir, adminPassword } = stack();
    // The dashboard's own signer, reading the same credentials as the running dashboard.
    Object.assign(process.env, { COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_ADMIN_PASSWORD: adminPassword });
    const valid = await createSessionToken();
    const expired = await createSessionToken(new Date(Date.now() - 13 * 3_600_000));
    const foreign = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .setAudience('costscope-dashboard')
      .sign(new TextEncoder().encode('a-secret-this-dashboard-never-had-0123456789'));
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"admin","aud":"costscope-dashboard"}').toString('base64url')}.`;

    const withCookie = (token: string) => fetchDashboard('/', { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    // The forging is right: the same signer's fresh token is let in.
    expect((await withCookie(valid)).status).toBe(200);
    for (const token of [expired, foreign, unsigned, 'not-a-token']) {
      const answer = await withCookie(token);
      expect(answer.status, token).toBe(307);
      expect(figuresIn(answer.body)).toEqual([]);
    }
  });
});

async function submitPassword(page: Awaited<ReturnType<typeof newPage>>, password: string): Promise<number> {
  const field = page.getByLabel('Admin password');
  await field.fill(password);
  const started = Date.now();
  await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/login'), field.press('Enter')]);
  const took = Date.now() - started;
  // The form is pending (its button disabled, so Enter submits nothing) until React has read the answer.
  await page.waitForFunction(() => document.querySelector<HTMLButtonElement>('form button[type=submit]')?.disabled === false);
  return took;
}

describe('signing in and out', () => {
  it('a wrong password is refused, and no session cookie is set', async () => {
    const page = await newPage();
    await page.goto(`${stack().dashboardUrl}/login`);
    await submitPassword(page, 'not-the-password');
    await page.getByText('That password is not right').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);
    await page.context().close();
  });

  it('repeated wrong tries get slower: after three, the fourth waits ≥ 0.5 s and the fifth ≥ 1 s', async () => {
    // A right password clears the count, so the tries below are counted from zero.
    const reset = await newPage();
    await logIn(reset);
    await reset.context().close();

    const page = await newPage();
    await page.goto(`${stack().dashboardUrl}/login`);
    const durations: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) durations.push(await submitPassword(page, `wrong-${attempt}`));
    // Lower bounds only: a slow machine makes every try slower, never the throttle shorter.
    expect(durations[3], `durations ${durations.join(', ')} ms`).toBeGreaterThanOrEqual(500);
    expect(durations[4], `durations ${durations.join(', ')} ms`).toBeGreaterThanOrEqual(1_000);
    expect(durations[4]!).toBeGreaterThan(durations[0]!);

    // The right password still gets in (after the wait) and clears the count.
    await logIn(page);
    await page.context().close();
  });

  it('the right password, submitted with Enter, opens the page that asked for it, with a signed httpOnly SameSite=Lax cookie', async () => {
    const target = '/features';
    const page = await newPage();
    await page.goto(`${stack().dashboardUrl}${target}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Admin password').fill(stack().adminPassword);
    await page.getByLabel('Admin password').press('Enter');
    await page.waitForURL((url) => url.pathname === target);

    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === SESSION_COOKIE);
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite).toBe('Lax');
    expect(cookie!.path).toBe('/');
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
    await page.context().close();
  });

  it('`next` never leads off the dashboard', async () => {
    const page = await newPage();
    await page.goto(`${stack().dashboardUrl}/login?next=${encodeURIComponent('//example.com/steal')}`);
    await logIn(page);
    expect(new URL(page.url()).origin).toBe(new URL(stack().dashboardUrl).origin);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.context().close();
  });

  it('signing out ends the session', async () => {
    const page = await signedInPage();
    await page.goto(`${stack().dashboardUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL((url) => url.pathname === '/login');
    expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);
    await page.goto(`${stack().dashboardUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  });
});
