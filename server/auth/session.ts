import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../db/port.ts';
import { problem } from '../http/problem.ts';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';

/** A session lives 30 days after its last use (rolling). */
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface AppUser {
  id: string;
  email: string;
}

export type AppEnv = { Variables: { user: AppUser } };

/**
 * The session cookie's name and attributes for a PUBLIC_URL: over https the `__Host-` prefix (so no subdomain
 * or plain-http page can set or shadow it) with `Secure`; over http (local `npm start`) a plain name, because
 * browsers refuse `Secure` and `__Host-` cookies from http pages.
 * @see https://www.rfc-editor.org/rfc/rfc6265bis (cookie prefixes, SameSite)
 */
export function sessionCookie(publicUrl: string): { name: string; secure: boolean } {
  const secure = new URL(publicUrl).protocol === 'https:';
  return { name: secure ? '__Host-slotline_session' : 'slotline_session', secure };
}

export function setSessionCookie(c: Context, publicUrl: string, token: string): void {
  const { name, secure } = sessionCookie(publicUrl);
  setCookie(c, name, token, { httpOnly: true, sameSite: 'Lax', path: '/', secure, maxAge: SESSION_TTL_SECONDS });
}

export function clearSessionCookie(c: Context, publicUrl: string): void {
  const { name, secure } = sessionCookie(publicUrl);
  deleteCookie(c, name, { httpOnly: true, sameSite: 'Lax', path: '/', secure });
}

/** The raw session token from the request's cookie, when it has the shape of one we issue. */
export function sessionToken(c: Context, publicUrl: string): string | null {
  const value = getCookie(c, sessionCookie(publicUrl).name);
  return value && looksLikeToken(value) ? value : null;
}

/**
 * Requires a signed-in user: looks the cookie's hash up (`app_session_user`, which also extends the session),
 * puts the user in `c.get('user')` and renews the cookie's Max-Age; 401 problem+json otherwise.
 */
export function requireUser({ db, publicUrl, now }: { db: Db; publicUrl: string; now: () => Date }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = sessionToken(c, publicUrl);
    const user = token
      ? await db.rpc('app_session_user', { p_token_hash: hashToken(token), p_now: now(), p_ttl_seconds: SESSION_TTL_SECONDS })
      : null;
    if (!token || !user) {
      if (token) clearSessionCookie(c, publicUrl);
      return problem(c, 401, 'unauthenticated', 'Please sign in', { detail: 'Sign in at /app to continue.' });
    }
    c.set('user', { id: user.id, email: user.email });
    setSessionCookie(c, publicUrl, token);
    c.header('cache-control', 'no-store');
    await next();
  };
}

/**
 * The provider app's write rules, for every POST/PUT/PATCH/DELETE under `/api/app/`: the `Origin` header must be
 * the PUBLIC_URL origin (403 otherwise, also when missing), and the body must be `application/json` (415
 * otherwise). Together with the `SameSite=Lax` cookie this stops cross-site request forgery: another site can
 * neither send our origin nor a JSON body without a CORS preflight we never answer.
 * @see https://owasp.org/www-community/attacks/csrf, https://www.rfc-editor.org/rfc/rfc6454 (Origin)
 */
export function appWriteGuard({ publicUrl }: { publicUrl: string }): MiddlewareHandler {
  const expected = new URL(publicUrl).origin;
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    if (c.req.header('origin') !== expected) {
      return problem(c, 403, 'bad-origin', 'This request must come from the Slotline app', {
        detail: `Writes need an Origin header of ${expected}.`,
      });
    }
    if (!/^application\/json\s*(?:;|$)/i.test(c.req.header('content-type') ?? '')) {
      return problem(c, 415, 'unsupported-media-type', 'Send JSON', {
        detail: 'Writes to /api/app/ accept Content-Type: application/json only (send {} when there is nothing to say).',
      });
    }
    return next();
  };
}
