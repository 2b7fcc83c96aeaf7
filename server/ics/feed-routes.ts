import { Hono } from 'hono';
import type { Db } from '../db/port.ts';
import { toBooking, type BookingRow } from '../bookings/booking.ts';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';
import { notFound } from '../http/problem.ts';
import { feedIcs } from './booking-ics.ts';

/** What `get_ics_feed` returns. */
export interface FeedRecord {
  slug: string;
  name: string;
  bookings: BookingRow[];
}

/**
 * `GET /ics/<feed token>.ics` — a provider's private feed of confirmed bookings for calendar
 * apps without CalDAV. The token is rotated with `npm run provider -- rotate-feed <slug>`.
 */
export function icsFeedRoutes({ db, now = () => new Date() }: { db: Db; now?: () => Date }) {
  const app = new Hono();
  app.get('/ics/:file', async (c) => {
    const match = /^([A-Za-z0-9_-]{43})\.ics$/.exec(c.req.param('file'));
    if (!match || !looksLikeToken(match[1])) return notFound(c, 'Feed');
    const feed = await db.rpc('get_ics_feed', { p_token_hash: hashToken(match[1]) });
    if (!feed) return notFound(c, 'Feed');
    const body = feedIcs(feed.name, feed.bookings.map((row) => toBooking(row, { providerName: feed.name })), now());
    return c.body(body, 200, { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=60' });
  });
  return app;
}
