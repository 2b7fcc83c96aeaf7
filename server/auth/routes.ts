import { randomInt } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/port.ts';
import { hashToken, looksLikeToken, newManageToken } from '../bookings/tokens.ts';
import { problem } from '../http/problem.ts';
import { clientAddress } from '../http/rate-limit.ts';
import { readJson } from '../http/validate.ts';
import { overLimit } from '../http/rate-limit.ts';
import { tooManySignIns } from './limits.ts';
import type { Mailer } from './mailer.ts';
import {
  appWriteGuard, clearSessionCookie, requireUser, SESSION_TTL_SECONDS, sessionToken, setSessionCookie, type AppEnv,
} from './session.ts';
import { signInMail } from './sign-in-mail.ts';

/** A sign-in link and code work once, for 15 minutes. */
export const SIGN_IN_TTL_SECONDS = 15 * 60;

const email = z.string().trim().toLowerCase().max(254).email('must be an email address');
const signInSchema = z.object({ email, lang: z.enum(['en', 'ar']).optional() });
const verifySchema = z.union([
  z.object({ token: z.string().max(100) }),
  z.object({ email, code: z.string().trim().regex(/^\d{6}$/, 'must be the six digits from the email') }),
], { error: 'send {token} or {email, code}' });

/** The stored form of a six-digit code: bound to its email, so equal codes of two people never match. */
export const codeHash = (address: string, code: string) => hashToken(`${address.toLowerCase()}\n${code}`);

export interface AuthRoutesOptions {
  db: Db;
  config: Pick<Config, 'publicUrl' | 'signupOpen' | 'signInLimits' | 'trustProxy'>;
  /** SMTP mailer; null prints sign-in links to the console instead (zero-config `npm start`). */
  mailer: Mailer | null;
  now?: () => Date;
  /** Where the console sign-in link and mail failures go (the only lines that may mention a sign-in). */
  log?: (message: string) => void;
}

/**
 * Passwordless sign-in for the provider app: `POST /api/app/sign-in` mails a single-use link and a six-digit code
 * (or prints them when no SMTP is set); `GET /app/sign-in/callback?token=…` or `POST /api/app/sign-in/verify`
 * consumes one and sets the session cookie; `POST /api/app/sign-out` and `…/sign-out-everywhere` end sessions.
 * Who may sign up is decided in SQL (`app_request_sign_in`, `app_account_for`). See server/app-api/README.md.
 */
export function authRoutes({ db, config, mailer, now = () => new Date(), log = console.log }: AuthRoutesOptions) {
  const app = new Hono<AppEnv>();
  const limit = bodyLimit({ maxSize: 4 * 1024, onError: (c) => problem(c, 413, 'body-too-large', 'The body is over 4 KB') });
  app.use('/api/app/*', appWriteGuard({ publicUrl: config.publicUrl }));
  const { perEmail, perIp, windowSeconds } = config.signInLimits;

  app.post('/api/app/sign-in', limit, async (c) => {
    const parsed = await readJson(c, signInSchema);
    if (!parsed.ok) return parsed.response;
    const { email: address, lang = 'en' } = parsed.value;
    const ip = clientAddress(c, config.trustProxy);
    const wait = (ip ? await overLimit(db, { identifier: `ip:${ip}`, endpoint: 'app-sign-in', max: perIp, windowSeconds }, log) : 0)
      || await overLimit(db, { identifier: `email:${address}`, endpoint: 'app-sign-in', max: perEmail, windowSeconds }, log);
    if (wait) return tooManySignIns(c, wait);

    const token = newManageToken();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const result = await db.rpc('app_request_sign_in', {
      p_email: address, p_link_hash: hashToken(token), p_code_hash: codeHash(address, code), p_now: now(),
      p_ttl_seconds: SIGN_IN_TTL_SECONDS, p_signup_open: config.signupOpen,
    });
    if (result.send) {
      const link = `${config.publicUrl}/app/sign-in/callback?token=${token}`;
      if (mailer) {
        // Not awaited: a known address must not answer slower than an unknown one.
        mailer.send(signInMail({ to: address, link, code, lang }))
          .catch((error: unknown) => log(`[slotline] could not send the sign-in email to ${address}: ${(error as Error).message}`));
      } else {
        log(`[slotline] sign-in link for ${address}: ${link} (or code ${code})`);
      }
    }
    // The same answer whether or not the address may sign in: no account enumeration.
    return c.json({ status: 'sent', detail: 'If this address may sign in, a link and a code are on their way. They work once, for 15 minutes.' },
      202, { 'cache-control': 'no-store' });
  });

  /** Consumes a link token or an email + code once; on success opens a session. */
  async function verify(c: Context, input: { token?: string; email?: string; code?: string }) {
    const sessionToken = newManageToken();
    const result = await db.rpc(
      'app_verify_sign_in', {
        p_link_hash: input.token !== undefined ? hashToken(input.token) : null,
        p_email: input.email ?? null,
        p_code_hash: input.email && input.code ? codeHash(input.email, input.code) : null,
        p_session_hash: hashToken(sessionToken),
        p_now: now(),
        p_session_ttl_seconds: SESSION_TTL_SECONDS,
        p_signup_open: config.signupOpen,
      });
    if (result.ok) setSessionCookie(c, config.publicUrl, sessionToken);
    return result;
  }

  app.post('/api/app/sign-in/verify', limit, async (c) => {
    const ip = clientAddress(c, config.trustProxy);
    const wait = ip ? await overLimit(db, { identifier: `ip:${ip}`, endpoint: 'app-sign-in-verify', max: perIp, windowSeconds }, log) : 0;
    if (wait) return tooManySignIns(c, wait);
    const parsed = await readJson(c, verifySchema);
    if (!parsed.ok) return parsed.response;
    const result = await verify(c, parsed.value);
    if (!result.ok) return verifyProblem(c, result.reason);
    return c.json({ user: result.user, newAccount: result.newAccount, claimedProvider: result.claimedProvider ?? null }, 200,
      { 'cache-control': 'no-store' });
  });

  app.get('/app/sign-in/callback', async (c) => {
    // The token is in this URL: never pass it on as a Referer, never cache the answer.
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    const token = c.req.query('token') ?? '';
    const result = looksLikeToken(token) ? await verify(c, { token }) : { ok: false, reason: 'invalid' };
    const to = result.ok ? '/app' : `/app/sign-in?error=${result.reason === 'signup_closed' ? 'signup-closed' : 'invalid-link'}`;
    return c.redirect(to, 303);
  });

  app.post('/api/app/sign-out', async (c) => {
    const token = sessionToken(c, config.publicUrl);
    if (token) await db.rpc('app_sign_out', { p_token_hash: hashToken(token) });
    clearSessionCookie(c, config.publicUrl);
    return c.json({ signedOut: true }, 200, { 'cache-control': 'no-store' });
  });

  app.post('/api/app/sign-out-everywhere', requireUser({ db, publicUrl: config.publicUrl, now }), async (c) => {
    const result = await db.rpc('app_sign_out_everywhere', { p_user_id: c.get('user').id });
    clearSessionCookie(c, config.publicUrl);
    return c.json({ signedOut: true, sessions: result.signedOut }, 200, { 'cache-control': 'no-store' });
  });

  return app;
}

function verifyProblem(c: Context, reason: string | undefined): Response {
  if (reason === 'signup_closed') {
    return problem(c, 403, 'signup-closed', 'Sign-up is closed', {
      detail: 'This Slotline has its provider. Ask its owner to set SIGNUP=open to add more.',
    });
  }
  return problem(c, 400, 'invalid-sign-in', 'This link or code does not work', {
    detail: 'It may have been used already, mistyped, or be more than 15 minutes old. Ask for a new one.',
    errors: [{ field: 'code', message: 'is not valid or has expired' }],
  });
}
