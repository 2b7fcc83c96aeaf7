import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';
import type { Db } from '../db/port.ts';
import { invalid, notFound } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const remindersSchema = z.object({ enabled: z.boolean() }).strict();

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title>
<meta name="robots" content="noindex"></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">${body}</body></html>`;

/**
 * The reminder opt-out behind the link in every reminder email. The link is the booking's manage token, so only the
 * visitor can use it. GET shows a button and changes nothing (mail scanners open links); the button POSTs.
 *   GET  /api/bookings/:token/reminders          → a page with "Stop reminders"
 *   POST /api/bookings/:token/reminders          → JSON `{ "enabled": false }` (or the page's form) → `{ reminders }`
 */
export function notifyRoutes({ db }: { db: Db }) {
  const app = new Hono();
  const set = (token: string, enabled: boolean) =>
    db.rpc('set_booking_reminders', { p_token_hash: hashToken(token), p_enabled: enabled });
  const headers = { 'cache-control': 'no-store', 'content-security-policy': PAGE_CSP, 'referrer-policy': 'no-referrer' };

  app.get('/api/bookings/:token/reminders', (c) => {
    if (!looksLikeToken(c.req.param('token'))) return notFound(c, 'Booking');
    return c.html(page('Reminders', `<h1>Reminders for this booking</h1>
<form method="post"><input type="hidden" name="enabled" value="false"><button type="submit">Stop reminders</button></form>`), 200, headers);
  });

  app.post('/api/bookings/:token/reminders', async (c: Context) => {
    const token = c.req.param('token') ?? '';
    if (!looksLikeToken(token)) return notFound(c, 'Booking');
    if ((c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      const enabled = new URLSearchParams(await c.req.text()).get('enabled');
      if (enabled !== 'true' && enabled !== 'false') return invalid(c, [{ field: 'enabled', message: 'must be true or false' }]);
      const result = await set(token, enabled === 'true');
      if (!result) return notFound(c, 'Booking');
      return c.html(page('Reminders', result.reminders ? '<h1>Reminders are on.</h1>' : '<h1>Reminders are off.</h1><p>You will get no more reminders for this booking.</p>'), 200, headers);
    }
    const parsed = await readJson(c, remindersSchema);
    if (!parsed.ok) return parsed.response;
    const result = await set(token, parsed.value.enabled);
    if (!result) return notFound(c, 'Booking');
    return c.json({ reminders: result.reminders }, 200, { 'cache-control': 'no-store' });
  });
  return app;
}
