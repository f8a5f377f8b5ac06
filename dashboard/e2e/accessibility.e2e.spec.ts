import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newPage, openPage, signedInPage, signedInPath, stack } from './support/harness';
import { DASHBOARD_PAGES } from './support/routes';

/**
 * axe-core, run in the real page after it rendered (charts included), finds no serious or
 * critical violation on any page, in the light and the dark theme; and every page reads on a
 * phone: nothing pushes it wider than a 375 px screen (wide tables scroll in their own box).
 */
type Violation = { id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const { axe: injected } = window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } };
    const results = await injected.run(document, { resultTypes: ['violations'] });
    return results.violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id} (${violation.help}) at ${violation.nodes
          .slice(0, 5)
          .map((node) => `${JSON.stringify(node.target)}: ${node.failureSummary?.replaceAll('\n', ' ') ?? ''}`)
          .join(' | ')}`,
    );
}

async function expectTheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  // next-themes follows the system scheme: the dark tokens apply through `.dark` on <html>.
  await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(scheme === 'dark');
}

describe.each(['light', 'dark'] as const)('accessibility in the %s theme', (scheme) => {
  it('the login form', async () => {
    const page = await newPage({ colorScheme: scheme });
    await page.goto(`${stack().dashboardUrl}/login`);
    await page.getByLabel('Admin password').waitFor();
    await expectTheme(page, scheme);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });

  for (const dashboardPage of DASHBOARD_PAGES) {
    it(`${dashboardPage.name} (${dashboardPage.pattern})`, async () => {
      const path = await signedInPath(dashboardPage);
      const page = await signedInPage({ colorScheme: scheme });
      await openPage(page, path);
      await expectTheme(page, scheme);
      expect(await seriousViolations(page)).toEqual([]);
      await page.context().close();
    });
  }
});

/** Elements that stick out past the right edge of the screen and are not inside a scrolling box. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('body *'))
      .filter((element) => {
        if (element.getBoundingClientRect().right <= width + 1) return false;
        for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
          if (getComputedStyle(parent).overflowX !== 'visible') return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((element) => `<${element.tagName.toLowerCase()} class="${String(element.getAttribute('class')).slice(0, 80)}"> "${(element.textContent ?? '').trim().slice(0, 40)}" ends at ${Math.round(element.getBoundingClientRect().right)} px`);
  });
}

describe('readable on a phone (375 px)', () => {
  it('the login form', async () => {
    const page = await newPage({ width: 375 });
    await page.goto(`${stack().dashboardUrl}/login`);
    await page.getByLabel('Admin password').waitFor();
    expect(await overflowing(page)).toEqual([]);
    await page.context().close();
  });

  for (const dashboardPage of DASHBOARD_PAGES) {
    it(`${dashboardPage.name} (${dashboardPage.pattern})`, async () => {
      const path = await signedInPath(dashboardPage);
      const page = await signedInPage({ width: 375 });
      await openPage(page, path);
      expect(await overflowing(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await page.context().close();
    });
  }
});
