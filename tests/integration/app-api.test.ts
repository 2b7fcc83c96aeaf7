import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * The app's clock: a Monday, 10:00 in Dubai (the demo provider works Mon–Fri 09–13 and 15–19 there), at least two
 * weeks after the real date, so every booking also lies in the database's future (manage links end 30 days after).
 */
const NOW = mondayAfterTwoWeeks();
/** The date `n` days after that Monday, and an instant on it (UTC time of day). */
const { day, at } = daysAfter(NOW);
const iso = (s: string) => new Date(s).toISOString();

let server: AppServer;
let owner: AppClient;
let base: string;
let services: { id: string; slug: string; title: string; hidden: boolean; bookingMode: string }[];

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  services = await owner.json('GET', `${base}/services`, undefined, 200);
});
afterAll(() => server.close());

const svc = (slug: string) => services.find((s) => s.slug === slug)!;

/** A visitor books through the public API. */
async function visitorBooks(service: string, start: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service, start, name: 'Sara', email: 'sara@example.com', ...extra }),
  });
  return { status: res.status, body: await res.json() };
}

async function publicSlots(service: string, from: string, to: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/providers/demo/slots?service=${service}&from=${from}&to=${to}&tz=Asia/Dubai`);
  expect(res.status).toBe(200);
  return (await res.json()).slots.map((s: { start: string }) => iso(s.start));
}

describe('settings', () => {
  it('reads and updates profile, business name, policy and WhatsApp; the public page follows', async () => {
    const before = await owner.json('GET', base, undefined, 200);
    expect(before).toMatchObject({ slug: 'demo', name: 'Layla Haddad — Personal Training', timezone: 'Asia/Dubai', isPublic: true });
    const updated = await owner.json('PATCH', base, {
      name: 'Layla Haddad Training',
      profile: { personName: 'Layla', bio: 'Strength coach.', languages: ['en', 'ar'] },
      booking: { ...before.booking, minNoticeMinutes: 120 },
      whatsapp: { enabled: true, phoneE164: '+971500000001', messageTemplate: 'Hi {name}', bookingMode: 'confirm' },
    }, 200);
    expect(updated.profile).toEqual({ personName: 'Layla', bio: 'Strength coach.', languages: ['en', 'ar'] });
    expect(updated.booking.minNoticeMinutes).toBe(120);
    expect(updated.whatsapp.phoneE164).toBe('+971500000001');
    const pub = await (await fetch(`${server.url}/api/providers/demo`)).json();
    expect(pub.name).toBe('Layla Haddad Training');
    await owner.json('PATCH', base, { booking: before.booking }, 200);
  });

  it('names the bad field and changes nothing', async () => {
    for (const [body, field] of [
      [{ slug: 'Bad Slug' }, 'slug'],
      [{ whatsapp: { enabled: true } }, 'whatsapp.phoneE164'],
      [{ timezone: 'Mars/Base' }, 'timezone'],
      [{ booking: { horizonDays: 0 } }, 'booking.horizonDays'],
      [{ unknown: 1 }, 'body'],
    ] as const) {
      const res = await owner.patch(base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await owner.json('GET', base, undefined, 200)).slug).toBe('demo');
  });
});

describe('working hours', () => {
  it('stores several ranges a day, one-off dates and time off; the public page offers exactly those', async () => {
    const hours = {
      timezone: 'Asia/Dubai',
      weekly: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '12:00' }, { days: [1, 2, 3, 4, 5], start: '14:00', end: '16:00' }],
      overrides: [{ date: day(5), intervals: [{ start: '10:00', end: '11:00' }] }],
      timeOff: [{ from: day(8), to: day(10), label: 'Vacation' }],
    };
    const saved = await owner.json('PUT', `${base}/hours`, hours, 200);
    expect(saved).toEqual(hours);
    expect(await owner.json('GET', `${base}/hours`, undefined, 200)).toEqual(hours);

    const tuesday = await publicSlots('intro', day(1), day(1));
    expect(tuesday[0]).toBe(at(1, '05:00')); // 09:00 Dubai
    expect(tuesday).toContain(at(1, '10:00')); // 14:00
    expect(tuesday).not.toContain(at(1, '08:00')); // 12:00 is the break
    expect(await publicSlots('intro', day(5), day(5))).toEqual([at(5, '06:00'), at(5, '06:30')]);
    expect(await publicSlots('intro', day(8), day(10))).toEqual([]);
    expect((await publicSlots('intro', day(11), day(11))).length).toBeGreaterThan(0);
  });

  it('refuses a range that ends before it starts, naming it', async () => {
    const res = await owner.put(`${base}/hours`, { weekly: [{ days: [1], start: '12:00', end: '09:00' }] });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].field).toBe('weekly.0.end');
  });
});

describe('services', () => {
  it('creates, edits, hides, reorders and deletes; hidden services leave the public page', async () => {
    const created = await owner.json('POST', `${base}/services`, { title: 'Nutrition plan', durationMinutes: 45, priceCents: 0, bookingMode: 'request' }, 201);
    expect(created).toMatchObject({ slug: 'nutrition-plan', durationMinutes: 45, bookingMode: 'request', hidden: false });
    const edited = await owner.json('PATCH', `${base}/services/${created.id}`, { description: 'A plan for you.', hidden: true }, 200);
    expect(edited).toMatchObject({ description: 'A plan for you.', hidden: true, title: 'Nutrition plan' });
    let pub = await (await fetch(`${server.url}/api/providers/demo`)).json();
    expect(pub.services.map((s: { slug: string }) => s.slug)).not.toContain('nutrition-plan');
    await owner.json('PATCH', `${base}/services/${created.id}`, { hidden: false }, 200);
    const ordered = await owner.json('PUT', `${base}/services/order`, { serviceIds: [created.id] }, 200);
    expect(ordered[0].slug).toBe('nutrition-plan');
    pub = await (await fetch(`${server.url}/api/providers/demo`)).json();
    expect(pub.services[0].slug).toBe('nutrition-plan');

    const clash = await owner.post(`${base}/services`, { title: 'Intro', slug: 'intro', durationMinutes: 30 });
    expect(clash.status).toBe(409);
    expect((await clash.json()).errors[0].field).toBe('slug');
    const spare = await owner.json('POST', `${base}/services`, { title: 'Spare', durationMinutes: 30 }, 201);
    expect((await owner.delete(`${base}/services/${spare.id}`, {})).status).toBe(200);
    services = await owner.json('GET', `${base}/services`, undefined, 200);
    expect(services.map((s) => s.slug)).not.toContain('spare');
  });

  it('a service with bookings can be hidden but not deleted', async () => {
    const booked = await visitorBooks('intro', at(2, '05:00'));
    expect(booked.status).toBe(201);
    const res = await owner.delete(`${base}/services/${svc('intro').id}`, {});
    expect(res.status).toBe(409);
    expect((await res.json()).type).toMatch(/service-in-use$/);
  });
});

describe('requests, approvals and the provider\'s actions', () => {
  it('request-to-book: the visitor\'s booking waits as pending with no expiry and keeps its time; approve confirms it', async () => {
    const start = at(3, '05:00');
    const booked = await visitorBooks('nutrition-plan', start, { phone: '+971501112222' });
    expect(booked.status).toBe(201);
    expect(booked.body.booking).toMatchObject({ status: 'pending', holdExpiresAt: null });
    expect(await publicSlots('nutrition-plan', day(3), day(3))).not.toContain(start);

    const requests = await owner.json('GET', `${base}/bookings?scope=requests`, undefined, 200);
    expect(requests.bookings.map((b: { id: string }) => b.id)).toEqual([booked.body.booking.id]);
    const approved = await owner.json('POST', `${base}/bookings/${booked.body.booking.id}/approve`, {}, 200);
    expect(approved).toMatchObject({ status: 'confirmed', awaitingApproval: false });
    expect((await owner.post(`${base}/bookings/${booked.body.booking.id}/approve`, {})).status).toBe(409);
    expect(approved.whatsappUrl).toMatch(/^https:\/\/wa\.me\/971501112222\?text=/);
  });

  it('decline ends a request as declined and frees its time', async () => {
    const start = at(3, '06:00');
    const booked = await visitorBooks('nutrition-plan', start);
    const declined = await owner.json('POST', `${base}/bookings/${booked.body.booking.id}/decline`, { reason: 'Fully booked that week' }, 200);
    expect(declined).toMatchObject({ status: 'declined', cancelReason: 'Fully booked that week' });
    expect(await publicSlots('nutrition-plan', day(3), day(3))).toContain(start);
  });

  it('adds a booking by hand, conflict-checked; outside the page\'s hours only when asked', async () => {
    const taken = await owner.post(`${base}/bookings`, { serviceId: svc('intro').id, start: at(2, '05:00'), name: 'Omar', phone: '+971502223333' });
    expect(taken.status).toBe(409);
    expect((await taken.json()).type).toMatch(/slot-taken$/);
    const evening = { serviceId: svc('intro').id, start: at(2, '15:00'), name: 'Omar', phone: '+971502223333' };
    expect((await owner.post(`${base}/bookings`, evening)).status).toBe(409);
    const made = await owner.json('POST', `${base}/bookings`, { ...evening, outsideHours: true, notes: 'Asked on WhatsApp' }, 201);
    expect(made.booking).toMatchObject({ status: 'confirmed', createdBy: 'owner', name: 'Omar', phone: '+971502223333' });
    // The client's manage link works like any other.
    const token = made.manageUrl.split('/b/')[1];
    expect((await fetch(`${server.url}/api/bookings/${token}`)).status).toBe(200);
    // Even outside hours an overlap is refused by the database.
    const overlap = await owner.post(`${base}/bookings`, { ...evening, start: at(2, '15:15'), outsideHours: true });
    expect(overlap.status).toBe(409);
    // A manual booking of a request-mode service is confirmed at once.
    const manualRequest = await owner.json('POST', `${base}/bookings`, {
      serviceId: svc('nutrition-plan').id, start: at(4, '05:00'), name: 'Mona', email: 'mona@example.com',
    }, 201);
    expect(manualRequest.booking.status).toBe('confirmed');
    const missing = await owner.post(`${base}/bookings`, { serviceId: svc('intro').id, start: at(7, '05:00'), name: 'X' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).errors[0].field).toBe('email');
  });

  it('reschedules on the client\'s behalf through the same checks', async () => {
    const booked = await visitorBooks('intro', at(7, '05:00'));
    const id = booked.body.booking.id;
    const taken = await owner.post(`${base}/bookings/${id}/reschedule`, { start: at(2, '05:00') });
    expect(taken.status).toBe(409);
    const moved = await owner.json('POST', `${base}/bookings/${id}/reschedule`, { start: at(7, '05:30') }, 200);
    expect(iso(moved.start)).toBe(at(7, '05:30'));
    expect(await publicSlots('intro', day(7), day(7))).toContain(at(7, '05:00'));
    // The visitor's manage link shows the new time.
    const token = booked.body.manageUrl.split('/b/')[1];
    expect(iso((await (await fetch(`${server.url}/api/bookings/${token}`)).json()).booking.start)).toBe(at(7, '05:30'));
  });

  it('cancels a paid booking and refunds it as the policy says', async () => {
    const start = at(2, '11:00'); // 15:00 Dubai, two days ahead: inside the 24 h refund window
    const booked = await visitorBooks('session', start);
    expect(booked.body.next.type).toBe('payment');
    const session = server.stripe.pay(booked.body.next.url.split('/pay/')[1]);
    const event = server.stripe.event('checkout.session.completed', session);
    const hook = await fetch(`${server.url}/api/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload });
    expect(hook.status).toBe(200);
    const id = booked.body.booking.id;
    const details = await owner.json('GET', `${base}/bookings/${id}`, undefined, 200);
    expect(details).toMatchObject({ status: 'confirmed', payment: { status: 'paid' }, refundOnCancel: true });

    const cancelled = await owner.json('POST', `${base}/bookings/${id}/cancel`, { reason: 'I am ill' }, 200);
    // The refund is queued with the cancellation; the job worker makes it at Stripe.
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'I am ill', refund: { byPolicy: true } });
    expect(['refund_pending', 'refunded']).toContain(cancelled.payment.status);
    await expect.poll(async () => (await owner.json('GET', `${base}/bookings/${id}`, undefined, 200)).payment.status, { timeout: 10_000 }).toBe('refunded');
    expect(server.stripe.refunds.map((r) => r.metadata.booking_id)).toContain(id);
    expect(await publicSlots('session', day(2), day(2))).toContain(start);
    expect((await owner.post(`${base}/bookings/${id}/cancel`, {})).status).toBe(409);
  });

  it('marks completed or no-show only once the booking has started', async () => {
    const list = await owner.json('GET', `${base}/bookings?scope=upcoming&status=confirmed`, undefined, 200);
    const omar = list.bookings.find((b: { name: string }) => b.name === 'Omar');
    const early = await owner.post(`${base}/bookings/${omar.id}/outcome`, { outcome: 'completed' });
    expect(early.status).toBe(409);
    expect((await early.json()).type).toMatch(/not-started$/);
    const start = server.clock.now;
    try {
      server.clock.now = new Date(at(2, '16:00'));
      expect((await owner.json('POST', `${base}/bookings/${omar.id}/outcome`, { outcome: 'no_show' }, 200)).status).toBe('no_show');
      const past = await owner.json('GET', `${base}/bookings?scope=past`, undefined, 200);
      expect(past.bookings.map((b: { id: string }) => b.id)).toContain(omar.id);
    } finally {
      server.clock.now = start;
    }
  });

  it('lists today, upcoming and past in the provider\'s zone, filtered and paged', async () => {
    const today = await owner.json('GET', `${base}/bookings?scope=today`, undefined, 200);
    expect(today.bookings).toEqual([]);
    const all = await owner.json('GET', `${base}/bookings?scope=upcoming&limit=2`, undefined, 200);
    expect(all.bookings.length).toBe(2);
    expect(all.total).toBeGreaterThan(2);
    const next = await owner.json('GET', `${base}/bookings?scope=upcoming&limit=2&offset=2`, undefined, 200);
    expect(next.bookings[0].start >= all.bookings[1].start).toBe(true);
    const byService = await owner.json('GET', `${base}/bookings?scope=all&service=${svc('session').id}`, undefined, 200);
    expect(byService.bookings.every((b: { serviceId: string }) => b.serviceId === svc('session').id)).toBe(true);
    const bad = await owner.get(`${base}/bookings?scope=yesterday`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('scope');
    const start = server.clock.now;
    try {
      server.clock.now = new Date(at(1, '20:30')); // 00:30 on 4 March in Dubai
      const dubaiToday = await owner.json('GET', `${base}/bookings?scope=today`, undefined, 200);
      expect(dubaiToday.bookings.length).toBeGreaterThan(0);
      expect(dubaiToday.bookings.every((b: { start: string }) => b.start.startsWith(day(2)))).toBe(true);
    } finally {
      server.clock.now = start;
    }
  });
});

describe('clients', () => {
  it('one record per email or phone with history, notes, no-show count and a CSV export', async () => {
    const list = await owner.json('GET', `${base}/clients`, undefined, 200);
    const keys = list.clients.map((c: { key: string }) => c.key);
    expect(keys).toEqual(expect.arrayContaining(['sara@example.com', '+971502223333', 'mona@example.com']));
    const omar = await owner.json('GET', `${base}/clients/${encodeURIComponent('+971502223333')}`, undefined, 200);
    expect(omar).toMatchObject({ name: 'Omar', noShows: 1, phone: '+971502223333' });
    expect(omar.history.length).toBe(1);
    expect((await owner.json('PUT', `${base}/clients/${encodeURIComponent('+971502223333')}/notes`, { notes: '=prefers mornings, "early"' }, 200)).notes)
      .toBe('=prefers mornings, "early"');
    const search = await owner.json('GET', `${base}/clients?search=OMAR`, undefined, 200);
    expect(search.clients.map((c: { key: string }) => c.key)).toEqual(['+971502223333']);

    const csv = await owner.get(`${base}/clients.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('name,email,phone,bookings,completed,noShows,cancelled,upcoming,firstStart,lastStart,notes');
    expect(lines.length).toBe(list.total + 1);
    const omarLine = lines.find((l) => l.startsWith('Omar,'))!;
    expect(omarLine).toContain(',+971502223333,');
    expect(omarLine.endsWith(`"'=prefers mornings, ""early"""`)).toBe(true);
  });

  it('erasure: refused while a live booking lies ahead; then the bookings keep times and amounts but no personal data', async () => {
    const key = 'sara@example.com';
    const refused = await owner.post(`${base}/clients/${key}/erase`, {});
    expect(refused.status).toBe(409);
    const sara = await owner.json('GET', `${base}/clients/${key}`, undefined, 200);
    for (const b of sara.history) {
      if (b.status === 'confirmed' || b.status === 'pending') await owner.json('POST', `${base}/bookings/${b.id}/cancel`, { refund: false }, 200);
    }
    const before = await owner.json('GET', `${base}/bookings?scope=all&service=${svc('session').id}&limit=100`, undefined, 200);
    const erased = await owner.json('POST', `${base}/clients/${key}/erase`, {}, 200);
    expect(erased.erasedBookings).toBe(sara.history.length);
    expect((await owner.get(`${base}/clients/${key}`)).status).toBe(404);
    const after = await owner.json('GET', `${base}/bookings?scope=all&service=${svc('session').id}&limit=100`, undefined, 200);
    expect(after.total).toBe(before.total);
    const paid = after.bookings.find((b: { payment: { status: string } | null }) => b.payment?.status === 'refunded');
    expect(paid).toMatchObject({ name: '', email: null, phone: null, notes: '', erased: true, priceCents: 25000 });
    expect(JSON.stringify(after)).not.toContain('sara@example.com');
    expect(JSON.stringify(after)).not.toContain('Sara');
  });
});

describe('provider file', () => {
  it('exports the CLI\'s JSON file and imports an edited one; a bad file names its fields', async () => {
    const res = await owner.get(`${base}/export`);
    expect(res.headers.get('content-disposition')).toContain('demo.json');
    const file = await res.json();
    expect(file.slug).toBe('demo');
    expect(file.services.map((s: { slug: string }) => s.slug)).toContain('intro');
    const imported = await owner.json('POST', `${base}/import`, { ...file, name: 'Imported name' }, 200);
    expect(imported.name).toBe('Imported name');
    const nutrition = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { slug: string }) => s.slug === 'nutrition-plan');
    expect(nutrition.bookingMode).toBe('request');
    const bad = await owner.post(`${base}/import`, { ...file, services: [{ slug: 'x' }] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors.map((e: { field: string }) => e.field)).toContain('services.0.title');
  });
});
