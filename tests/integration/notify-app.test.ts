import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/** The provider app's notification endpoints: the outbox (no SMTP: messages kept) and tomorrow's WhatsApp agenda. */

/** A Monday, 10:00 in Dubai (the demo works Mon–Fri 09–13 and 15–19), two weeks after the real date or more. */
const NOW = mondayAfterTwoWeeks();
const { day, at } = daysAfter(NOW);

let server: AppServer;
let owner: AppClient;
let base: string;
let service: string;

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGNUP: 'open', SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  service = (await owner.json('GET', `${base}/services`, undefined, 200))[0].slug;
});
afterAll(() => server?.close());

async function visitorBooks(start: string, extra: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service, start, name: 'Sara', ...extra }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as { booking: { id: string }; manageUrl: string };
}

describe('GET /api/app/providers/:id/agenda', () => {
  it("lists tomorrow's clients (provider's day) with a wa.me reminder in the client's language", async () => {
    // Tomorrow (Tuesday) 09:00 and 11:00 Dubai; Wednesday is another day.
    const huda = await visitorBooks(at(1, '05:00'), { name: 'هدى', phone: '+971501234567', lang: 'ar', timezone: 'Asia/Dubai' });
    const sam = await visitorBooks(at(1, '07:00'), { name: 'Sam', email: 'sam@example.com' });
    await visitorBooks(at(2, '05:00'), { name: 'Later', email: 'later@example.com' });

    const agenda = await owner.json('GET', `${base}/agenda`, undefined, 200);
    expect(agenda).toMatchObject({ date: day(1), timezone: 'Asia/Dubai' });
    expect(agenda.items.map((i: { bookingId: string }) => i.bookingId)).toEqual([huda.booking.id, sam.booking.id]);

    const [ar, en] = agenda.items;
    expect(ar).toMatchObject({ name: 'هدى', phone: '+971501234567', lang: 'ar' });
    expect(ar.message).toContain('تذكير بموعدك');
    expect(ar.message).toContain(huda.manageUrl);
    const wa = new URL(ar.whatsappUrl);
    expect(wa.origin + wa.pathname).toBe('https://wa.me/971501234567');
    expect(wa.searchParams.get('text')).toBe(ar.message);
    expect(en).toMatchObject({ name: 'Sam', lang: 'en', whatsappUrl: null });
    expect(en.message).toMatch(/^Hi Sam! A reminder of your/);
    expect(en.message).toContain(sam.manageUrl);

    const other = await owner.json('GET', `${base}/agenda?date=${day(2)}`, undefined, 200);
    expect(other.items).toHaveLength(1);
  });

  it('names a bad date; another account gets 404', async () => {
    for (const bad of ['tomorrow', '2026-02-30']) {
      const res = await owner.get(`${base}/agenda?date=${bad}`);
      expect(res.status).toBe(400);
      expect((await res.json()).errors).toEqual([expect.objectContaining({ field: 'date' })]);
    }
    const stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'omar@example.com')).status).toBe(200);
    expect((await stranger.get(`${base}/agenda`)).status).toBe(404);
    expect((await stranger.get(`${base}/outbox`)).status).toBe(404);
  });
});

describe('GET /api/app/providers/:id/outbox', () => {
  it('shows the messages kept without SMTP, newest first, without the manage token', async () => {
    const b = await visitorBooks(at(3, '06:00'), { name: 'Nour', email: 'nour@example.com' });
    const token = b.manageUrl.split('/b/')[1];
    const mine = async () => (await owner.json('GET', `${base}/outbox`, undefined, 200))
      .filter((m: { bookingId: string }) => m.bookingId === b.booking.id);
    await until(async () => (await mine()).length === 2 && (await mine()).every((m: { status: string }) => m.status === 'kept'), 'kept messages');
    const messages = await mine();
    expect(messages.map((m: { kind: string }) => m.kind)).toEqual(['provider.new-booking', 'visitor.confirmation']);
    expect(messages[1]).toMatchObject({ recipient: 'nour@example.com', status: 'kept', icsMethod: 'REQUEST', lang: 'en' });
    expect(messages[1].subject).toMatch(/^Booked: /);
    expect(JSON.stringify(messages)).not.toContain(token);
    const all = await owner.json('GET', `${base}/outbox`, undefined, 200);
    const times = all.map((m: { createdAt: string }) => Date.parse(m.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });
});
