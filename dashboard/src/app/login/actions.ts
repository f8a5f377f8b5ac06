'use server';

import { timingSafeEqual, createHash } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loginSecrets } from '@/lib/server/credentials';
import { LoginThrottle } from '@/lib/server/login-throttle';
import { SESSION_COOKIE, createSessionToken, sessionCookieOptions } from '@/lib/server/session';

const throttle = new LoginThrottle();
/**
 * The address comes from `x-forwarded-for`, which a client can write itself: a guesser changing
 * it each try would never slow down per address. Every wrong try therefore also counts toward
 * one dashboard-wide throttle, with more free tries so a team's typos never feel it.
 */
const everyone = new LoginThrottle(Date.now, 20);
const EVERYONE = '*';

export type LoginState = { error?: string };

function samePassword(given: string, expected: string): boolean {
  // Compare digests so neither the length nor the content leaks through timing.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Only a path of this dashboard: never an absolute or protocol-relative URL. */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === 'string' ? value : '';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export async function login(_previous: LoginState, form: FormData): Promise<LoginState> {
  const address = (await headers()).get('x-forwarded-for')?.split(',')[0]?.trim() || 'local';
  const delay = Math.max(throttle.delayFor(address), everyone.delayFor(EVERYONE));
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  const secrets = await loginSecrets();
  if (!secrets) {
    return { error: 'No admin password is set yet. Start the dashboard with `npm start`, or set COSTSCOPE_ADMIN_PASSWORD.' };
  }
  const password = form.get('password');
  if (typeof password !== 'string' || !samePassword(password, secrets.password)) {
    throttle.recordFailure(address);
    everyone.recordFailure(EVERYONE);
    return { error: 'That password is not right.' };
  }
  throttle.recordSuccess(address);
  (await cookies()).set(SESSION_COOKIE, await createSessionToken(), sessionCookieOptions);
  redirect(safeNext(form.get('next')));
}
