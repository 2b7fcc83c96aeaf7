import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * A service's own reminder offsets (`GET|PUT /api/app/providers/:id/services/:serviceId/reminders`): validated like
 * the provider's list, owner-checked, and honoured where reminders are queued (`reminder_offsets` in SQL), while the
 * provider's list still applies to the other services.
 */

const NOW = mondayAfterTwoWeeks();
const { at } = daysAfter(NOW);
const MIN = 60_000;

let server: AppServer;
let pg: PGlite;
let owner: AppClient;
let base: string;
let intro: { id: string; slug: string };
let other: { id: string; slug: string };

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGNUP: 'open', SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  pg = (server.db as unknown as { pg: PGlite }).pg;
  ({ owner, base } = await signInOwner(server));
  await owner.json('PATCH', base, { notifications: { reminders: [1440, 120] } }, 200);
  intro = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { slug: string }) => s.slug === 'intro');
  other = await owner.json('POST', `${base}/services`, { title: 'Walk and talk', durationMinutes: 30 }, 201);
});
afterAll(() => server?.close());

async function book(service: string, start: string) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service, start, name: 'Sara', email: 'sara@example.com' }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { id: body.booking.id as string, token: (body.manageUrl as string).split('/b/')[1] };
}

/** The queued reminder jobs of a booking: [offset, run_at] sorted by run_at. */
const reminderJobs = async (bookingId: string) =>
  (await pg.query<{ offset: number; run_at: Date }>(
    "select (payload ->> 'offsetMinutes')::int as offset, run_at from jobs where kind = 'notify.reminder' and payload ->> 'bookingId' = $1 order by run_at",
    [bookingId])).rows.map((j) => [j.offset, j.run_at.toISOString()]);
const before = (start: string, minutes: number) => new Date(Date.parse(start) - minutes * MIN).toISOString();

describe('per-service reminder offsets', () => {
  it('reads null (the provider list applies) until set; PUT [60] stores it', async () => {
    const url = `${base}/services/${intro.id}/reminders`;
    expect(await owner.json('GET', url, undefined, 200)).toEqual({ serviceId: intro.id, reminders: null, providerReminders: [1440, 120] });
    expect(await owner.json('PUT', url, { reminders: [60] }, 200)).toEqual({ serviceId: intro.id, reminders: [60], providerReminders: [1440, 120] });
    expect((await owner.json('GET', url, undefined, 200)).reminders).toEqual([60]);
  });

  it('a service with [60] gets one reminder 60 minutes before; a reschedule moves it; other services keep the provider list', async () => {
    const start = at(2, '06:00');
    const b = await book(intro.slug, start);
    expect(await reminderJobs(b.id)).toEqual([[60, before(start, 60)]]);

    const moved = at(3, '07:00');
    const res = await fetch(`${server.url}/api/bookings/${b.token}/reschedule`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: moved }),
    });
    expect(res.status).toBe(200);
    // The old job stays queued but finds the booking moved (add_due_reminder compares the start); the new one is at the new time.
    expect(await reminderJobs(b.id)).toEqual([[60, before(start, 60)], [60, before(moved, 60)]]);
    expect(await server.db.rpc('add_due_reminder', { p_booking_id: b.id, p_offset_minutes: 60, p_start: start })).toBeNull();

    const o = await book(other.slug, at(2, '08:00'));
    expect(await reminderJobs(o.id)).toEqual([[1440, before(at(2, '08:00'), 1440)], [120, before(at(2, '08:00'), 120)]]);
  });

  it('[] sends none; null goes back to the provider list', async () => {
    const url = `${base}/services/${intro.id}/reminders`;
    await owner.json('PUT', url, { reminders: [] }, 200);
    const none = await book(intro.slug, at(4, '06:00'));
    expect(await reminderJobs(none.id)).toEqual([]);
    expect((await owner.json('PUT', url, { reminders: null }, 200)).reminders).toBeNull();
    const back = await book(intro.slug, at(4, '07:00'));
    expect((await reminderJobs(back.id)).map(([offset]) => offset)).toEqual([1440, 120]);
  });

  it('names the field for a bad list and writes nothing; another account and a malformed id get 404', async () => {
    const url = `${base}/services/${intro.id}/reminders`;
    await owner.json('PUT', url, { reminders: [30] }, 200);
    for (const bad of [{ reminders: [0] }, { reminders: [43_201] }, { reminders: [60, 60] }, { reminders: [1, 2, 3, 4, 5, 6] },
      { reminders: [1.5] }, { reminders: 'soon' }, {}, { reminders: [60], extra: 1 }]) {
      const res = await owner.put(url, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = await res.json();
      expect(body.errors.length, JSON.stringify(bad)).toBeGreaterThan(0);
      if (!('extra' in bad)) expect(body.errors[0].field).toMatch(/^reminders/);
    }
    expect((await owner.json('GET', url, undefined, 200)).reminders).toEqual([30]);

    // The SQL function guards the same rules for any other caller.
    const me = await owner.json('GET', '/api/app/me', undefined, 200);
    await expect(server.db.rpc('app_set_service_reminders', {
      p_user_id: me.user.id, p_provider_id: base.split('/').pop()!, p_service_id: intro.id, p_reminders: [0],
    })).rejects.toMatchObject({ code: 'SL422' });

    const stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'omar@example.com')).status).toBe(200);
    expect((await stranger.get(url)).status).toBe(404);
    expect((await stranger.put(url, { reminders: [60] })).status).toBe(404);
    expect((await owner.put(`${base}/services/not-a-uuid/reminders`, { reminders: [60] })).status).toBe(404);
    expect((await owner.put(`${base}/services/00000000-0000-4000-8000-000000000000/reminders`, { reminders: [60] })).status).toBe(404);
    expect((await owner.json('GET', url, undefined, 200)).reminders).toEqual([30]);
  });
});
