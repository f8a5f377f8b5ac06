import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';

/**
 * Chromium from npm: `@sparticuz/chromium` unpacks the binary its package ships to the temp
 * directory (nothing is downloaded), and `playwright-core` drives it.
 */
export async function launchChromium(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    // `--single-process` suits one page per Lambda; here closing one context would close the
    // whole browser with it.
    args: chromium.args.filter((arg) => arg !== '--single-process'),
    headless: true,
  });
}

/**
 * Waits until the page shows its figures: the document is complete, React has hydrated it, no
 * loading skeleton is left, and client components (charts) have drawn their first frames. Not
 * "network idle": links prefetch the pages they point to, which can keep the network busy long
 * after the page is ready. Call it after a click that navigates, too.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const main = document.querySelector('main');
    return (
      document.readyState === 'complete' &&
      main !== null &&
      main.querySelector('[data-slot="skeleton"]') === null &&
      // Charts are drawn after the page's figures (loaded apart): each frame holds its drawing.
      main.querySelector('[data-slot="chart-frame"]:not(:has([data-slot="chart"]))') === null &&
      Object.keys(main).some((key) => key.startsWith('__reactFiber'))
    );
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
