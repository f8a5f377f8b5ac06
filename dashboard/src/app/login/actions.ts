'use server';

import { timingSafeEqual, createHash } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loginSecrets } from '@/lib/server/credentials';
import { LoginThrottle } from '@/lib/server/login-throttle';
import { SESSION_COOKIE, createSessionToken, sessionCookieOptions } from '@/lib/server/session';

const throttle = new LoginThrottle();

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
  const delay = throttle.delayFor(address);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  const secrets = await loginSecrets();
  if (!secrets) {
    return { error: 'No admin password is set yet. Start the dashboard with `npm start`, or set COSTSCOPE_ADMIN_PASSWORD.' };
  }
  const password = form.get('password');
  if (typeof password !== 'string' || !samePassword(password, secrets.password)) {
    throttle.recordFailure(address);
    return { error: 'That password is not right.' };
  }
  throttle.recordSuccess(address);
  (await cookies()).set(SESSION_COOKIE, await createSessionToken(), sessionCookieOptions);
  redirect(safeNext(form.get('next')));
}
