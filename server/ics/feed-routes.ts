import { Hono } from 'hono';
import type { Db } from '../db/port.ts';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';
import { notFound } from '../http/problem.ts';
import { bookingIcs } from './booking-ics.ts';
import { locationLine } from '../bookings/view.ts';

/** What `get_ics_feed` returns. */
export interface FeedRecord {
  slug: string;
  name: string;
  bookings: { id: string; start: string; end: string; name: string; email: string | null; phone: string | null;
    notes: string; serviceTitle: string; meetingUrl: string | null; location: { type?: string; address?: string } | null }[];
}

/**
 * `GET /ics/<feed token>.ics` — a provider's private feed of confirmed bookings for calendar
 * apps without CalDAV. The token is rotated with `npm run provider -- rotate-feed <slug>`.
 */
export function icsFeedRoutes({ db }: { db: Db }) {
  const app = new Hono();
  app.get('/ics/:file', async (c) => {
    const match = /^([A-Za-z0-9_-]{43})\.ics$/.exec(c.req.param('file'));
    if (!match || !looksLikeToken(match[1])) return notFound(c, 'Feed');
    const feed = await db.rpc('get_ics_feed', { p_token_hash: hashToken(match[1]) });
    if (!feed) return notFound(c, 'Feed');
    const body = bookingIcs(feed.bookings.map((b) => ({
      id: b.id,
      start: new Date(b.start),
      end: new Date(b.end),
      title: `${b.serviceTitle}: ${b.name || b.email || b.phone || 'visitor'}`,
      description: [b.email, b.phone, b.notes].filter(Boolean).join('\n'),
      location: locationLine({ location: b.location, meetingUrl: b.meetingUrl }),
      organizer: { name: feed.name },
      attendee: { name: b.name, email: b.email },
    })), `${feed.name} — bookings`);
    return c.body(body, 200, { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=60' });
  });
  return app;
}
