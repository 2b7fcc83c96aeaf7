import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agendaSchema, outboxSchema, ownerProviderSchema, type OutboxMessage } from '../../contract/app-api.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * The provider app's notification settings and screens, against the real server on PGlite: `PATCH` stores
 * `settings.notifications` (and refuses bad values, naming the field, writing nothing), the SQL that decides who gets
 * mail follows the stored setting, and the outbox and agenda answers parse with `contract/app-api.ts`.
 */

/** A Monday, 10:00 in Dubai (the demo works Mon–Fri 09–13 and 15–19), two weeks after the real date or more. */
const NOW = mondayAfterTwoWeeks();
const { day, at } = daysAfter(NOW);

let server: AppServer;
let owner: AppClient;
let base: string;

beforeAll(async () => {
  server = await startAppServer({ start: NOW });
  ({ owner, base } = await signInOwner(server));
});
afterAll(() => server?.close());

async function visitorBooks(start: string, email: string) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service: 'intro', start, name: 'Sara', email, phone: '+971501234567' }),
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as { booking: { id: string } };
}

const outbox = async () => outboxSchema.parse(await owner.json('GET', `${base}/outbox`, undefined, 200));
/** The emails about one booking (the WhatsApp channel has its own rows: skipped here, no Cloud API set up). */
const about = (messages: OutboxMessage[], bookingId: string) => messages.filter((m) => m.bookingId === bookingId && m.channel === 'email');

describe('notification settings through PATCH /api/app/providers/:id', () => {
  it('stores the notifications section and shows it in the provider, leaving the other sections alone', async () => {
    const before = ownerProviderSchema.parse(await owner.json('GET', base, undefined, 200));
    expect(before.notifications).toEqual({});
    const saved = ownerProviderSchema.parse(await owner.json('PATCH', base, {
      notifications: { reminders: [1440, 60], agendaHour: 18, providerEmails: false, lang: 'ar', email: 'Desk@Layla.Example' },
    }, 200));
    const expected = { reminders: [1440, 60], agendaHour: 18, providerEmails: false, lang: 'ar', email: 'desk@layla.example' };
    expect(saved.notifications).toEqual(expected);
    expect(saved.whatsapp).toEqual(before.whatsapp);
    expect(saved.booking).toEqual(before.booking);
    expect(ownerProviderSchema.parse(await owner.json('GET', base, undefined, 200)).notifications).toEqual(expected);
  });

  it('refuses bad values naming the field, and writes nothing', async () => {
    const stored = (await owner.json('GET', base, undefined, 200)).notifications;
    const cases: [unknown, string][] = [
      [{ reminders: [60, 60] }, 'notifications.reminders'],
      [{ reminders: [0] }, 'notifications.reminders.0'],
      [{ reminders: [1, 2, 3, 4, 5, 6] }, 'notifications.reminders'],
      [{ agendaHour: 24 }, 'notifications.agendaHour'],
      [{ agendaHour: 7.5 }, 'notifications.agendaHour'],
      [{ email: 'desk@' }, 'notifications.email'],
      [{ lang: 'fr' }, 'notifications.lang'],
      [{ sms: true }, 'notifications'],
    ];
    for (const [notifications, field] of cases) {
      const res = await owner.patch(base, { notifications });
      expect(res.status, JSON.stringify(notifications)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await owner.json('GET', base, undefined, 200)).notifications).toEqual(stored);
  });

  it('the database follows the stored setting: provider mail off sends the provider nothing, on sends it to the chosen address', async () => {
    await owner.json('PATCH', base, { notifications: { providerEmails: false } }, 200);
    const quiet = await visitorBooks(at(1, '05:00'), 'sara@example.com');
    const kept = await until(async () => {
      const mine = about(await outbox(), quiet.booking.id);
      return mine.some((m) => m.kind === 'visitor.confirmation' && m.status === 'kept') ? mine : null;
    }, 'the kept confirmation');
    expect(kept.map((m) => m.kind)).toEqual(['visitor.confirmation']);
    expect(kept[0]).toMatchObject({ channel: 'email', recipient: 'sara@example.com', status: 'kept', lastError: null });
    expect(kept[0].text).toMatch(/\S/);

    await owner.json('PATCH', base, { notifications: { providerEmails: true, email: 'desk@layla.example' } }, 200);
    const told = await visitorBooks(at(1, '07:00'), 'omar@example.com');
    const both = await until(async () => {
      const mine = about(await outbox(), told.booking.id);
      return mine.length === 2 && mine.every((m) => m.status === 'kept') ? mine : null;
    }, 'both messages kept');
    expect(both.find((m) => m.kind === 'provider.new-booking')).toMatchObject({ recipient: 'desk@layla.example', status: 'kept' });
  });

  it('the agenda answer parses with the contract', async () => {
    const agenda = agendaSchema.parse(await owner.json('GET', `${base}/agenda?date=${day(1)}`, undefined, 200));
    expect(agenda.items.length).toBe(2);
    expect(agenda.items[0].whatsappUrl).toMatch(/^https:\/\/wa\.me\/971501234567\?text=/);
  });
});
