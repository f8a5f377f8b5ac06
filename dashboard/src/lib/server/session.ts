import { createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { loginSecrets } from './credentials';

/** The session cookie: signed (HS256), httpOnly, SameSite=Lax; it holds no key and no data. */
export const SESSION_COOKIE = 'costscope_session';
export const SESSION_HOURS = 12;

/**
 * The signing key binds the session secret to the current password, so changing
 * `COSTSCOPE_ADMIN_PASSWORD` signs everyone out.
 */
function signingKey(secrets: { password: string; sessionSecret: string }): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`costscope-session\0${secrets.sessionSecret}\0${secrets.password}`).digest());
}

export async function createSessionToken(now = new Date()): Promise<string> {
  const secrets = await loginSecrets();
  if (!secrets) throw new Error('No admin password is set yet');
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + SESSION_HOURS * 3600)
    .setAudience('costscope-dashboard')
    .sign(signingKey(secrets));
}

export async function isValidSessionToken(token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const secrets = await loginSecrets();
  if (!secrets) return false;
  try {
    await jwtVerify(token, signingKey(secrets), { algorithms: ['HS256'], audience: 'costscope-dashboard' });
    return true;
  } catch {
    return false;
  }
}

export const sessionCookieOptions = {
  httpOnly: true,
  sameSite: 'lax' as const,
  path: '/',
  // Secure when served over HTTPS (behind the operator's proxy); plain http on localhost otherwise.
  secure: process.env.COSTSCOPE_DASHBOARD_URL?.startsWith('https://') ?? false,
  maxAge: SESSION_HOURS * 3600,
};
