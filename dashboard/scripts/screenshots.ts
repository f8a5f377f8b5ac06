/**
 * `npm run screenshots -w @costscope/dashboard`: a screenshot of every dashboard page, light and
 * dark, from a seeded run, into `docs/screenshots/`:
 *
 *   <page>-light.png, <page>-dark.png        1280 px wide, the whole page
 *   <page>-phone-light.png, …-phone-dark.png  375 px wide, for the overview and the weekly review
 *
 * It brings up what the browser tests use (e2e/support/stack.ts): the real server in a temporary
 * data directory with a month of calls sent through `/v1/traces`, the dashboard's production
 * build (reused when its sources did not change) and `next start`; signs in through the login
 * form, and stops everything at the end.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, settle } from '../e2e/support/chromium.js';
import { DASHBOARD_PAGES, signedInPathOf, type DashboardPage } from '../e2e/support/routes.js';
import { startStack, type Stack } from '../e2e/support/stack.js';
import { workspaceRoot } from './serve.js';

const OUT_DIR = path.join(workspaceRoot, 'docs', 'screenshots');
const WIDTH = 1280;
const PHONE_WIDTH = 375;
const PHONE_PAGES = ['overview', 'weekly'];
const SCHEMES = ['light', 'dark'] as const;
/** Charts animate in when they mount; the picture is taken after they settle. */
const SETTLE_MS = 1_500;

const log = (line: string) => console.log(line);

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Signs in through the login form once; every context after reuses the session. */
async function signIn(browser: Browser, stack: Stack): Promise<StorageState> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${stack.dashboardUrl}/login`);
  await page.getByLabel('Admin password').fill(stack.adminPassword);
  await page.getByLabel('Admin password').press('Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  const state = await context.storageState();
  await context.close();
  return state;
}

async function shoot(page: Page, url: string, file: string): Promise<void> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() >= 400) throw new Error(`${url} answered ${response?.status() ?? 'nothing'}`);
  await settle(page);
  await page.waitForTimeout(SETTLE_MS);
  // A window as tall as the page, so the sticky menu (a screen high) runs down the whole picture.
  const viewport = page.viewportSize() ?? { width: WIDTH, height: 900 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  await page.setViewportSize(viewport);
  const { size } = await stat(file);
  log(`  ${path.relative(workspaceRoot, file)} (${Math.round(size / 1024)} kB)`);
}

async function main(): Promise<void> {
  const started = Date.now();
  log('Starting the server, seeding a month of calls and building the dashboard…');
  const stack = await startStack(log);
  const stop = () => {
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let browser: Browser | undefined;
  try {
    await mkdir(OUT_DIR, { recursive: true });
    browser = await launchChromium();
    const storageState = await signIn(browser, stack);
    const pages: Array<{ page: DashboardPage | { name: string }; path: string }> = [{ page: { name: 'login' }, path: '/login' }];
    for (const page of DASHBOARD_PAGES) pages.push({ page, path: await signedInPathOf(page, stack) });
    for (const scheme of SCHEMES) {
      for (const width of [WIDTH, PHONE_WIDTH]) {
        const context = await browser.newContext({
          colorScheme: scheme,
          viewport: { width, height: 900 },
          locale: 'en-US',
          timezoneId: 'UTC',
          ...(width === WIDTH ? { storageState } : { storageState, isMobile: true, hasTouch: true }),
        });
        context.setDefaultTimeout(90_000);
        const tab = await context.newPage();
        for (const { page, path: pagePath } of pages) {
          if (width === PHONE_WIDTH && !PHONE_PAGES.includes(page.name)) continue;
          // The login page is shot without the session, as a visitor sees it.
          if (page.name === 'login') await context.clearCookies();
          const suffix = width === PHONE_WIDTH ? `phone-${scheme}` : scheme;
          await shoot(tab, `${stack.dashboardUrl}${pagePath}`, path.join(OUT_DIR, `${page.name}-${suffix}.png`));
          if (page.name === 'login') await context.addCookies(storageState.cookies);
        }
        await context.close();
      }
    }
    log(`Screenshots of ${pages.length} pages in ${path.relative(process.cwd(), OUT_DIR) || OUT_DIR} (${((Date.now() - started) / 1000).toFixed(0)} s).`);
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`screenshots: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
