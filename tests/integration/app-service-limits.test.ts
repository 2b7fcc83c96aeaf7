import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient, signInOwner, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { daysAfter, mondayAfterTwoWeeks } from '../support/clock.ts';
import { DbError } from '../../server/db/port.ts';

/**
 * Per-service notice and limits (20261201000400_service_limits.sql) and the owner's free-times preview, on PGlite.
 * The clock: a Monday 10:00 in Dubai; the demo provider works Mon–Fri 09–13 and 15–19 there, notice 60 min, step 30.
 */
const NOW = mondayAfterTwoWeeks();
const { day, at } = daysAfter(NOW);
const iso = (s: string) => new Date(s).toISOString();

let server: AppServer;
let owner: AppClient;
let base: string;
let intro: { id: string };
let session: { id: string };

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGNUP: 'open', SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  const services = await owner.json('GET', `${base}/services`, undefined, 200);
  intro = services.find((s: { slug: string }) => s.slug === 'intro');
  session = services.find((s: { slug: string }) => s.slug === 'session');
});
afterAll(() => server.close());

async function publicSlots(service: string, from: string, to: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/providers/demo/slots?service=${service}&from=${from}&to=${to}&tz=Asia/Dubai`);
  expect(res.status).toBe(200);
  return (await res.json()).slots.map((s: { start: string }) => iso(s.start));
}

async function visitorBooks(service: string, start: string, email = 'sara@example.com') {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service, start, name: 'Sara', email }),
  });
  return { status: res.status, body: await res.json() };
}

describe('a service\'s own notice, horizon and daily limit', () => {
  it('are stored, read back, reset with null and refused out of range naming the field (nothing written)', async () => {
    const saved = await owner.json('PATCH', `${base}/services/${intro.id}`, { minNoticeMinutes: 1440, horizonDays: 3, maxPerDay: 2 }, 200);
    expect(saved).toMatchObject({ id: intro.id, minNoticeMinutes: 1440, horizonDays: 3, maxPerDay: 2 });
    // A field left out stays; null goes back to the provider's policy.
    const partly = await owner.json('PATCH', `${base}/services/${intro.id}`, { horizonDays: null }, 200);
    expect(partly).toMatchObject({ minNoticeMinutes: 1440, horizonDays: null, maxPerDay: 2 });
    for (const [body, field] of [
      [{ maxPerDay: 0 }, 'maxPerDay'], [{ horizonDays: 1.5 }, 'horizonDays'], [{ minNoticeMinutes: -1 }, 'minNoticeMinutes'],
      [{ maxPerDay: '2' }, 'maxPerDay'],
    ] as const) {
      const res = await owner.patch(`${base}/services/${intro.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const after = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { id: string }) => s.id === intro.id);
    expect(after).toMatchObject({ minNoticeMinutes: 1440, horizonDays: null, maxPerDay: 2 });
    await owner.json('PATCH', `${base}/services/${intro.id}`, { minNoticeMinutes: null, maxPerDay: null }, 200);
  });

  it('the SQL function refuses bad values too (the backstop for any other caller), and another owner gets 404', async () => {
    const userId = (await owner.json('GET', '/api/app/me', undefined, 200)).user.id;
    const providerId = base.split('/').at(-1)!;
    await expect(server.db.rpc('app_save_service_limits', {
      p_user_id: userId, p_provider_id: providerId, p_service_id: intro.id, p_service: { maxPerDay: 5000 },
    })).rejects.toMatchObject({ code: 'SL422' });
    await expect(server.db.rpc('app_save_service_limits', {
      p_user_id: userId, p_provider_id: providerId, p_service_id: intro.id, p_service: { horizonDays: 'soon' },
    })).rejects.toBeInstanceOf(DbError);
    const stranger = new AppClient(server);
    expect((await signInWithCode(stranger, server.logs, 'kim@example.com')).status).toBe(200);
    expect((await stranger.patch(`${base}/services/${intro.id}`, { maxPerDay: 1 })).status).toBe(404);
    expect((await stranger.get(`${base}/preview`)).status).toBe(404);
  });

  it('the public slots honour the service\'s notice and horizon; the other service keeps the provider\'s', async () => {
    // Notice 2 days: nothing today or tomorrow for intro; session still offers today 11:00 Dubai (07:00Z).
    await owner.json('PATCH', `${base}/services/${intro.id}`, { minNoticeMinutes: 2 * 1440 }, 200);
    expect(await publicSlots('intro', day(0), day(1))).toEqual([]);
    expect((await publicSlots('intro', day(2), day(2)))[0]).toBe(at(2, '06:00')); // Wed 10:00 Dubai = now + 48 h
    expect((await publicSlots('session', day(0), day(0)))[0]).toBe(at(0, '07:00'));
    // Horizon 1 day: today and tomorrow only.
    await owner.json('PATCH', `${base}/services/${intro.id}`, { minNoticeMinutes: null, horizonDays: 1 }, 200);
    expect((await publicSlots('intro', day(1), day(1))).length).toBeGreaterThan(0);
    expect(await publicSlots('intro', day(2), day(4))).toEqual([]);
    expect((await publicSlots('session', day(2), day(2))).length).toBeGreaterThan(0);
    await owner.json('PATCH', `${base}/services/${intro.id}`, { horizonDays: null }, 200);
  });

  it('a day holding maxPerDay of the service\'s bookings offers it no more; the booking API and the database refuse more', async () => {
    await owner.json('PATCH', `${base}/services/${intro.id}`, { maxPerDay: 1 }, 200);
    expect((await visitorBooks('intro', at(3, '05:00'))).status).toBe(201);
    expect(await publicSlots('intro', day(3), day(3))).toEqual([]);
    expect((await publicSlots('session', day(3), day(3))).length).toBeGreaterThan(0); // other services keep the day
    expect((await publicSlots('intro', day(4), day(4))).length).toBeGreaterThan(0);
    const second = await visitorBooks('intro', at(3, '12:00'), 'omar@example.com');
    expect(second.status).toBe(409);
    expect(second.body.type).toMatch(/slot-unavailable$/);
    // Past the engine, straight to the database: the trigger holds the limit.
    await expect(server.db.rpc('create_booking_if_free', {
      p_provider_id: base.split('/').at(-1)!, p_service_id: intro.id, p_starts_at: at(3, '13:00'), p_customer_name: 'Omar',
      p_customer_email: 'omar@example.com', p_customer_phone: null, p_notes: '', p_customer_timezone: null,
      p_idempotency_key: null, p_manage_token_hash: 'x'.repeat(64), p_hold_minutes: null,
    })).rejects.toMatchObject({ code: 'SL409', message: 'day_full' });
    // The provider may still add one by hand (like a time outside hours).
    const manual = await owner.post(`${base}/bookings`, { serviceId: intro.id, start: at(3, '13:00'), name: 'Omar', email: 'omar@example.com', outsideHours: true });
    expect(manual.status).toBe(201);
    await owner.json('PATCH', `${base}/services/${intro.id}`, { maxPerDay: null }, 200);
    expect((await publicSlots('intro', day(3), day(3))).length).toBeGreaterThan(0);
  });
});

describe('the owner\'s preview of free times', () => {
  it('gives the next 7 days as the public slots API does, in the provider\'s zone', async () => {
    const preview = await owner.json('GET', `${base}/preview?serviceId=${session.id}&from=${day(0)}`, undefined, 200);
    expect(preview).toMatchObject({ timezone: 'Asia/Dubai', serviceId: session.id, from: `${day(-1)}T20:00:00.000Z`, to: `${day(6)}T20:00:00.000Z` });
    const pub = await publicSlots('session', day(0), day(6));
    expect(preview.slots.map((s: { start: string }) => iso(s.start))).toEqual(pub);
    expect(pub.length).toBeGreaterThan(10);
    const days = Object.keys(preview.days).sort();
    expect(days[0]).toBe(day(0));
    expect(days.every((d) => d <= day(6))).toBe(true);
    expect(Object.values(preview.days).reduce((a: number, b) => a + (b as number), 0)).toBe(pub.length);
    // Without from: from now, the first service in page order.
    const first = await owner.json('GET', `${base}/preview`, undefined, 200);
    expect(first.from).toBe(NOW.toISOString());
  });

  it('follows an hours change, and works while the page is not public', async () => {
    const hours = await owner.json('GET', `${base}/hours`, undefined, 200);
    await owner.json('PUT', `${base}/hours`, { ...hours, weekly: [{ days: [6], start: '10:00', end: '11:00' }] }, 200);
    await owner.json('PATCH', base, { isPublic: false }, 200);
    try {
      expect((await fetch(`${server.url}/api/providers/demo/slots?service=session`)).status).toBe(404);
      const preview = await owner.json('GET', `${base}/preview?serviceId=${session.id}&from=${day(0)}`, undefined, 200);
      expect(preview.slots.map((s: { start: string }) => iso(s.start))).toEqual([at(5, '06:00')]); // Saturday 10:00 Dubai
    } finally {
      await owner.json('PATCH', base, { isPublic: true }, 200);
      await owner.json('PUT', `${base}/hours`, hours, 200);
    }
  });

  it('names a bad serviceId or from; an unknown service is 404', async () => {
    const bad = await owner.get(`${base}/preview?serviceId=nope&from=tomorrow`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'serviceId']);
    expect((await owner.get(`${base}/preview?serviceId=00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await owner.get(`${base}/preview?from=2026-02-30`)).status).toBe(400);
  });
});

describe('embed and appearance choices are saved (the "embed colour not saved" bug)', () => {
  it('stores mode, button text and colours, prefill and the accent; the booking page takes the accent', async () => {
    const saved = await owner.json('PATCH', base, {
      appearance: { accentColor: '#aa0000' },
      embed: { mode: 'floating', buttonLabel: 'Train with Layla', buttonTextColor: '#ffff00', prefill: true },
    }, 200);
    expect(saved.embed).toEqual({ mode: 'floating', buttonLabel: 'Train with Layla', buttonTextColor: '#ffff00', prefill: true });
    expect((await owner.json('GET', base, undefined, 200)).appearance).toEqual({ accentColor: '#aa0000' });
    expect((await (await fetch(`${server.url}/api/providers/demo`)).json()).accentColor).toBe('#aa0000');
  });

  it('an unknown or misspelt key is refused by name instead of being dropped with a 200 (why the colour was lost)', async () => {
    for (const [body, field] of [
      [{ embed: { color: '#00ff00' } }, 'embed'], [{ appearance: { accent: '#00ff00' } }, 'appearance'],
      [{ embed: { mode: 'sideways' } }, 'embed.mode'], [{ embed: { buttonTextColor: 'red' } }, 'embed.buttonTextColor'],
    ] as const) {
      const res = await owner.patch(base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).errors.map((e: { field: string }) => e.field).join(' '), JSON.stringify(body)).toContain(field);
    }
    expect((await owner.json('GET', base, undefined, 200)).embed.mode).toBe('floating');
  });

  it('the visitor page gets the person\'s name for "so Layla can reach you"', async () => {
    await owner.json('PATCH', base, { profile: { personName: 'Layla' } }, 200);
    const pub = await (await fetch(`${server.url}/api/providers/demo`)).json();
    expect(pub).toMatchObject({ name: 'Layla Haddad — Personal Training', personName: 'Layla' });
  });
});

describe('the public page lets visitors reach every service\'s horizon', () => {
  it('a service with a longer horizon than the provider widens the page\'s navigation; a shorter one does not narrow it', async () => {
    const pub = async () => (await (await fetch(`${server.url}/api/providers/demo`)).json()).booking;
    expect(await pub()).toEqual({ minNoticeMinutes: 60, horizonDays: 60 });
    await owner.json('PATCH', `${base}/services/${intro.id}`, { horizonDays: 120, minNoticeMinutes: 0 }, 200);
    await owner.json('PATCH', `${base}/services/${session.id}`, { horizonDays: 7 }, 200);
    expect(await pub()).toEqual({ minNoticeMinutes: 0, horizonDays: 120 });
    expect((await publicSlots('intro', day(90), day(96))).length).toBeGreaterThan(0);
    expect(await publicSlots('session', day(9), day(15))).toEqual([]);
    await owner.json('PATCH', `${base}/services/${intro.id}`, { horizonDays: null, minNoticeMinutes: null }, 200);
    await owner.json('PATCH', `${base}/services/${session.id}`, { horizonDays: null }, 200);
  });
});

describe('the provider file carries a service\'s own limits', () => {
  it('export writes them, import sets them (null resets, left out keeps), and a bad value is refused naming it', async () => {
    await owner.json('PATCH', `${base}/services/${intro.id}`, { maxPerDay: 3, horizonDays: 14 }, 200);
    const file = await owner.json('GET', `${base}/export`, undefined, 200);
    const introFile = file.services.find((s: { slug: string }) => s.slug === 'intro');
    expect(introFile).toMatchObject({ maxPerDay: 3, horizonDays: 14 });
    expect(introFile).not.toHaveProperty('minNoticeMinutes');

    const edited = { ...file, services: file.services.map((s: Record<string, unknown>) => (s.slug === 'intro'
      ? { ...s, maxPerDay: null, minNoticeMinutes: 30, horizonDays: undefined } : s)) };
    await owner.json('POST', `${base}/import`, edited, 200);
    const after = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { id: string }) => s.id === intro.id);
    expect(after).toMatchObject({ maxPerDay: null, minNoticeMinutes: 30, horizonDays: 14 });

    const bad = await owner.post(`${base}/import`, { ...file, services: file.services.map((s: Record<string, unknown>) => ({ ...s, maxPerDay: 0 })) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { field: string }) => e.field)).toContain('services.0.maxPerDay');
    await owner.json('PATCH', `${base}/services/${intro.id}`, { maxPerDay: null, horizonDays: null, minNoticeMinutes: null }, 200);
  });
});
