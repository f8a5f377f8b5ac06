import { NextResponse, type NextRequest } from 'next/server';
import { SESSION_COOKIE, isValidSessionToken } from './lib/server/session';

/**
 * Nothing but the login page is served without a session: pages redirect to `/login`, and every
 * other request (data, exports, server actions, RSC payloads) is refused with a 401 and no data.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname === '/login') return NextResponse.next();
  if (await isValidSessionToken(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next();

  const isPageLoad = request.method === 'GET' && !request.headers.has('rsc') && !request.headers.has('next-action');
  if (isPageLoad) {
    const login = new URL('/login', request.url);
    if (pathname !== '/') login.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(login);
  }
  return NextResponse.json({ message: 'Sign in to the Costscope dashboard first.' }, { status: 401 });
}

export const config = {
  // Static build assets carry no data; everything else goes through the session check.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
