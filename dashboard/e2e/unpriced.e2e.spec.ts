import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CostsAnswer } from '@/lib/api/types';
import { api, openPage, signedInPage } from './support/harness';

/**
 * The seed's `experiments` feature calls `acme-llm-1`, a model no price applies to: its calls are
 * stored with no cost. Wherever the dashboard shows them, they read as unpriced, never as a plain
 * `$0` that looks like a free feature.
 */
const UNPRICED_MODEL = 'acme-llm-1';
const UNPRICED_FEATURE = 'experiments';

/**
 * Amounts shown as a plain zero ("$0", "$0.00") for the unpriced subjects: in a table row naming
 * one (outside a failed-calls column), in an element whose test id names one, or anywhere on a page
 * about one alone (`whole`). Chart axes are drawings, not figures, and are left out.
 */
async function plainZeros(page: Page, subjects: string[], whole: boolean): Promise<string[]> {
  return page.evaluate(
    ({ subjects, whole }) => {
      const zero = /^\$0(\.0+)?$/;
      const aboutFailures = /fail|error/i;
      const found: string[] = [];
      for (const element of Array.from(document.querySelectorAll('main *'))) {
        if (element.children.length > 0 || element.closest('svg')) continue;
        const text = element.textContent?.trim() ?? '';
        if (!zero.test(text)) continue;
        const cell = element.closest('td, [role="cell"]');
        const row = element.closest('tr, [role="row"]');
        let label = '';
        if (cell && row) {
          const table = row.closest('table');
          const index = Array.from(row.children).indexOf(cell);
          label = table?.querySelectorAll('thead th')[index]?.textContent ?? '';
        } else {
          label = element.closest('[data-slot="card"]')?.textContent ?? '';
        }
        if (aboutFailures.test(label)) continue;
        const testId = element.closest('[data-testid]')?.getAttribute('data-testid') ?? '';
        const rowText = row?.textContent ?? '';
        const named = subjects.some((subject) => rowText.includes(subject) || testId.includes(subject));
        if (named || whole) found.push(`"${text}" in ${row ? `row "${rowText.slice(0, 120)}"` : `"${label.slice(0, 120)}"`}`);
      }
      return found;
    },
    { subjects, whole },
  );
}

const pagesToCheck: Array<{ path: string; whole: boolean; shows?: string }> = [
  { path: '/', whole: false },
  { path: '/features', whole: false, shows: UNPRICED_FEATURE },
  { path: `/features/${UNPRICED_FEATURE}`, whole: true },
  { path: '/explore?groupBy=model', whole: false, shows: UNPRICED_MODEL },
  { path: `/explore?groupBy=feature&model=${UNPRICED_MODEL}`, whole: true },
  { path: '/models', whole: false, shows: UNPRICED_MODEL },
  { path: '/users', whole: false },
  { path: '/weekly', whole: false },
];

describe('unpriced calls are never shown as $0', () => {
  it('the seed has unpriced calls, and the API counts them', async () => {
    const costs = await api<CostsAnswer>(`/api/v1/costs?groupBy=model&model=${UNPRICED_MODEL}`);
    expect(costs.totals.unpricedRequests).toBeGreaterThan(0);
    expect(costs.totals.costUsd).toMatch(/^0(\.0+)?$/);
  });

  for (const check of pagesToCheck) {
    it(`on ${check.path}`, async () => {
      const browserPage = await signedInPage();
      await openPage(browserPage, check.path);
      const text = await browserPage.locator('main').innerText();
      if (check.shows) expect(text, `${check.path} lists ${check.shows}`).toContain(check.shows);
      // Where the unpriced calls are in view, the page says they are unpriced.
      if (check.shows || check.whole) expect(text.toLowerCase()).toContain('unpriced');
      expect(await plainZeros(browserPage, [UNPRICED_MODEL, UNPRICED_FEATURE], check.whole)).toEqual([]);
      await browserPage.context().close();
    });
  }
});
