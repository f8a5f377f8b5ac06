import { describe, expect, it } from 'vitest';
import { builtExports, logIn, newPage, openPage, recordResponses, secrets, settle, signedInPages, stack } from './support/harness';

/**
 * The dashboard's server holds the project key, the admin password and the session secret; a
 * browser receives none of them — in no page, RSC payload, script, export, header, console line
 * or cookie — from signing in to the last page.
 */
describe('secrets never reach the browser', () => {
  it('in every answer, header, console line and cookie of a whole visit', { timeout: 600_000 }, async () => {
    const pages = await signedInPages();
    expect(pages.length).toBeGreaterThan(0);
    const page = await newPage();
    const recorder = recordResponses(page.context());

    // Signing in through the form: the server action's answer, the redirect and the cookie.
    await logIn(page);
    // Every page loaded in full, in two ranges…
    for (const { path } of pages) {
      await openPage(page, path);
      await openPage(page, `${path}${path.includes('?') ? '&' : '?'}range=7d`);
    }
    // …then visited the way a person does, through the navigation (RSC payloads, prefetches).
    await openPage(page, '/');
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    const count = await links.count();
    for (let index = 0; index < count; index++) {
      const href = new URL((await links.nth(index).getAttribute('href'))!, stack().dashboardUrl);
      await Promise.all([page.waitForURL((url) => url.pathname === href.pathname), links.nth(index).click()]);
      await settle(page);
    }
    // Exports, fetched as a download link would.
    for (const route of builtExports()) {
      const path = route.pattern.replaceAll('[*]', 'support-chat');
      const status = await page.evaluate(async (url) => (await fetch(url)).status, path);
      expect(status, path).toBeLessThan(500);
    }

    const responses = await recorder.responses();
    expect(responses.length).toBeGreaterThan(pages.length * 2);
    // The recording holds what the pages showed, RSC payloads included: a secret would be found.
    expect(responses.some((response) => response.headers['content-type']?.startsWith('text/x-component'))).toBe(true);
    expect(responses.some((response) => response.via === 'fetch' && response.body.length > 0)).toBe(true);
    expect(await recorder.find(['support-chat'])).not.toEqual([]);
    expect(await recorder.find(secrets())).toEqual([]);
    await page.context().close();
  });

  it('the session cookie is the only cookie, httpOnly, and carries no secret', async () => {
    const page = await newPage();
    await logIn(page);
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).toEqual(['costscope_session']);
    expect(cookies[0]!.httpOnly).toBe(true);
    for (const secret of secrets()) expect(cookies[0]!.value).not.toContain(secret);
    // The cookie is a signed token naming only the role: no key, no password, no data.
    const payload = JSON.parse(Buffer.from(cookies[0]!.value.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'role']);
    await page.context().close();
  });

  it('pages are sent with headers that keep them out of frames and sniffing, and name no framework', async () => {
    const response = await fetch(`${stack().dashboardUrl}/login`);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
