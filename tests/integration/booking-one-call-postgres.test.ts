import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { countingDb } from '../support/counting-db.ts';
import { makeProvider } from '../support/fixtures.ts';
import { clockFrom, midNextMonth } from '../support/clock.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startIcsServer, type IcsServer } from '../support/ics-server.ts';
import { encryptSecret } from '../../server/secrets/crypto.ts';
import { randomBytes } from 'node:crypto';

/**
 * Issue 16: a visitor's booking of a free service without calendars is ONE database round trip (`book_visitor`),
 * counted through the real port on PostgreSQL 15; the provider it was judged with comes from the process's cache and
 * is refused by the database when it changed meanwhile (then read again and judged again), never booked on old rules.
 */
let pg: PostgresServer;
let raw: Db & { sql: postgres.Sql };
let db: ReturnType<typeof countingDb<Db & { sql: postgres.Sql }>>;
let app: ReturnType<typeof createApp>;
let ics: IcsServer;
const KEY = randomBytes(32);

const NOW = midNextMonth();
/** `hour`:00 UTC, `days` after NOW's day. */
const at = (days: number, hour: number) => new Date(Math.floor(NOW.getTime() / 86_400_000 + days) * 86_400_000 + hour * 3_600_000).toISOString();

beforeAll(async () => {
  pg = await startPostgres();
  raw = await openPostgresDb({ url: await pg.createDatabase('slotline_one_call') });
  db = countingDb(raw);
  const config = readConfig({ HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0', SECRETS_KEY: KEY.toString('base64') });
  app = createApp({ db, config, now: clockFrom(NOW), log: () => {} });
  await makeProvider(raw, { slug: 'kim', settings: { booking: { slotStepMinutes: 60, horizonDays: 30 } } });
}, 120_000);
afterAll(async () => {
  await ics?.stop();
  await raw?.close();
  await pg?.stop();
});

function book(start: string, email = `v-${Date.parse(start)}@example.com`, provider = 'kim') {
  return app.request('/api/bookings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider, service: 'call', start, name: 'Visitor', email }),
  });
}

const icsTime = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d{3}/, '');

describe('a visitor booking in one round trip', () => {
  it('a free service without calendars: the second booking of a process calls book_visitor and nothing else', async () => {
    expect((await book(at(3, 9))).status).toBe(201); // reads the provider and the link secret once
    db.reset();
    const res = await book(at(3, 10));
    expect(res.status).toBe(201);
    expect(db.calls).toEqual(['book_visitor']);
    // Taken is the database's answer, still in one call.
    db.reset();
    const taken = await book(at(3, 10), 'other@example.com');
    expect(taken.status).toBe(409);
    expect((await taken.json()).type).toMatch(/\/slot-taken$/);
    expect(db.calls).toEqual(['book_visitor']);
  });

  it('with the default rate limits on, the limiter adds its two counts and no provider read', async () => {
    const limited = createApp({ db, config: readConfig({ HOST: '127.0.0.1', TRUST_PROXY: 'true' }), now: clockFrom(NOW), log: () => {} });
    const post = (start: string) => limited.request('/api/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
      body: JSON.stringify({ provider: 'kim', service: 'call', start, name: 'Visitor', email: `l-${Date.parse(start)}@example.com` }),
    });
    expect((await post(at(3, 14))).status).toBe(201);
    db.reset();
    expect((await post(at(3, 15))).status).toBe(201);
    expect(db.calls).toEqual(['check_rate_limit', 'check_rate_limit', 'book_visitor']);
  });

  it('hours changed after the provider was cached: the old judgement is refused, re-judged on the new hours, nothing booked', async () => {
    expect((await book(at(4, 9))).status).toBe(201); // cached with hours 00:00–24:00
    // Now only 12:00–17:00: 10:00 is outside the hours. The cache still says 10:00 is offered.
    await raw.sql`update providers set settings = jsonb_set(settings, '{workingHours}', '{"days":[1,2,3,4,5,6,7],"start":"12:00","end":"17:00"}')
                   where public_slug = 'kim'`;
    db.reset();
    const res = await book(at(4, 10));
    expect(res.status).toBe(409);
    expect((await res.json()).type).toMatch(/\/slot-unavailable$/);
    expect(db.calls).toEqual(['book_visitor', 'get_booking_provider']);
    const [{ n }] = await raw.sql<{ n: number }[]>`select count(*)::int as n from bookings where starts_at = ${at(4, 10)}`;
    expect(n).toBe(0);
    // The reloaded provider is kept: a time inside the new hours books in one call again.
    db.reset();
    expect((await book(at(4, 13))).status).toBe(201);
    expect(db.calls).toEqual(['book_visitor']);
  });

  it('a service changed after caching (longer duration) is booked with the new duration, never the cached one', async () => {
    await raw.sql`update services set duration_minutes = 90 where slug = 'call'
                   and provider_id = (select id from providers where public_slug = 'kim')`;
    db.reset();
    const res = await book(at(5, 14));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(new Date(body.booking.end).getTime() - new Date(body.booking.start).getTime()).toBe(90 * 60_000);
    expect(db.calls).toEqual(['book_visitor', 'get_booking_provider', 'book_visitor']);
  });

  it('a service added after caching is found (read fresh once) instead of a 404 from the kept copy', async () => {
    expect((await book(at(9, 13))).status).toBe(201); // kim is kept (hours 12:00–17:00 by now), with 'call' only
    await raw.sql`insert into services (provider_id, slug, title, duration_minutes)
                  select id, 'walk', 'Walk', 30 from providers where public_slug = 'kim'`;
    db.reset();
    const res = await app.request('/api/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'kim', service: 'walk', start: at(9, 15), name: 'Visitor', email: 'walker@example.com' }),
    });
    expect(res.status).toBe(201);
    expect(db.calls).toEqual(['get_booking_provider', 'book_visitor']);
    // An unknown service is still a 404 (after that one fresh read).
    const missing = await app.request('/api/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'kim', service: 'swim', start: at(9, 16), name: 'Visitor', email: 'swimmer@example.com' }),
    });
    expect(missing.status).toBe(404);
  });

  it('a provider made private after caching: 404, nothing booked', async () => {
    await raw.sql`update providers set is_public = false where public_slug = 'kim'`;
    const res = await book(at(6, 14));
    expect(res.status).toBe(404);
    const [{ n }] = await raw.sql<{ n: number }[]>`select count(*)::int as n from bookings where starts_at = ${at(6, 14)}`;
    expect(n).toBe(0);
    await raw.sql`update providers set is_public = true where public_slug = 'kim'`;
  });

  it('book_visitor refuses a wrong version and stores no link copy for a refused booking', async () => {
    const [p] = await raw.sql<{ id: string; v: number; s: string }[]>`
      select p.id, p.booking_version::int as v, s.id as s from providers p join services s on s.provider_id = p.id where p.public_slug = 'kim' and s.slug = 'call'`;
    const call = (version: number, start: string, hash: string) => raw.rpc('book_visitor', {
      p_provider_id: p.id, p_service_id: p.s, p_starts_at: start, p_customer_name: 'V', p_customer_email: `${hash.slice(0, 4)}@example.com`,
      p_customer_phone: null, p_notes: '', p_customer_timezone: null, p_idempotency_key: null, p_manage_token_hash: hash,
      p_hold_minutes: null, p_version: version, p_calendars_checked: false,
      p_link_sealed: { ciphertext: 'x', iv: 'y', tag: 'z' }, p_link_lang: 'en',
    });
    await expect(call(p.v - 1, at(7, 14), 'a'.repeat(64))).rejects.toMatchObject({ code: 'SL412', message: 'provider_changed' });
    await call(p.v, at(7, 14), 'b'.repeat(64));
    await expect(call(p.v, at(7, 14), 'c'.repeat(64))).rejects.toMatchObject({ code: 'SL409' });
    const copies = await raw.sql<{ token_hash: string }[]>`select token_hash from booking_link_copies where token_hash in (${'a'.repeat(64)}, ${'b'.repeat(64)}, ${'c'.repeat(64)}) order by 1`;
    expect(copies.map((c) => c.token_hash)).toEqual(['b'.repeat(64)]);
  });

  it('connected calendars: their health is checked (a missing one fetched) before the one booking call; a busy event is taken, an unreadable calendar hides the time', async () => {
    ics = await startIcsServer(['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:busy@x', 'DTSTAMP:20260101T000000Z',
      `DTSTART:${icsTime(at(8, 10))}`, `DTEND:${icsTime(at(8, 11))}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
    for (const [slug, url] of [['cal', ics.url], ['cal-broken', 'http://127.0.0.1:9/nothing.ics']]) {
      await makeProvider(raw, { slug, settings: { booking: { slotStepMinutes: 60, horizonDays: 30 } } });
      await raw.rpc('connect_calendar', {
        p_provider_slug: slug, p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
        p_secret: encryptSecret({ url }, KEY), p_selected_calendar_ids: null,
      });
    }
    db.reset();
    const taken = await book(at(8, 10), 'c1@example.com', 'cal');
    expect(taken.status).toBe(409);
    expect((await taken.json()).type).toMatch(/\/slot-taken$/);
    // Refused unchecked (SL428), the calendar fetched, then the booking call again, which finds the busy time.
    expect(db.calls[0]).toBe('get_booking_provider');
    expect(db.calls[1]).toBe('book_visitor');
    expect(db.calls).toContain('save_calendar_busy');
    expect(db.calls.at(-1)).toBe('book_visitor');

    db.reset();
    expect((await book(at(8, 12), 'c2@example.com', 'cal')).status).toBe(201);
    // Known to have calendars now: health first (fresh data, nothing fetched), then one booking call.
    expect(db.calls.filter((c) => c === 'book_visitor')).toHaveLength(1);
    expect(db.calls.at(-1)).toBe('book_visitor');
    expect(db.calls).toContain('get_calendar_health');
    expect(db.calls).not.toContain('save_calendar_busy');

    const hidden = await book(at(8, 12), 'c3@example.com', 'cal-broken');
    expect(hidden.status).toBe(409);
    expect((await hidden.json()).type).toMatch(/\/slot-unavailable$/);
    const [{ n }] = await raw.sql<{ n: number }[]>`select count(*)::int as n from bookings b join providers p on p.id = b.provider_id where p.public_slug = 'cal-broken'`;
    expect(n).toBe(0);
  });
});
