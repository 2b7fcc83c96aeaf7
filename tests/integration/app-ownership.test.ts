import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { AppClient, printedSignIn, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { startSupabase, type SupabaseLocal } from '../support/supabase.ts';
import { openSupabaseDb } from '../../server/db/supabase.ts';
import type { Db } from '../../server/db/port.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

process.env.PATH = `${process.env.PATH}:/usr/lib/postgresql/15/bin`;

const DAY = 86_400_000;
/** A Monday 06:00Z at least two weeks after the real date (bookings must lie in the database's future too). */
const NOW = mondayAfterTwoWeeks();
const at = (days: number, hours: number) => new Date(NOW.getTime() + days * DAY + hours * 3_600_000).toISOString();

let pg: PostgresServer;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(() => pg?.stop());

describe('on PostgreSQL: the first sign-in takes the instance, exactly once', () => {
  it('of five emails verifying at the same moment on a fresh instance, one becomes the owner and the rest are refused', async () => {
    const server = await startAppServer({ databaseUrl: await pg.createDatabase('app_first'), start: NOW, env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
    try {
      const emails = [1, 2, 3, 4, 5].map((i) => `p${i}@example.com`);
      const clients = emails.map(() => new AppClient(server));
      // Each may ask while no account exists.
      for (const [i, email] of emails.entries()) expect((await clients[i].post('/api/app/sign-in', { email })).status).toBe(202);
      const codes = emails.map((email) => printedSignIn(server.logs, email).code);
      const results = await Promise.all(clients.map((c, i) => c.post('/api/app/sign-in/verify', { email: emails[i], code: codes[i] })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 403, 403, 403, 403]);
      const winner = clients[results.findIndex((r) => r.status === 200)];
      const me = await winner.json('GET', '/api/app/me', undefined, 200);
      expect(me.providers.map((p: { slug: string }) => p.slug)).toEqual(['demo']);
    } finally {
      await server.close();
    }
  });
});

/**
 * Provider A signed in gets 404 for every read and write of provider B, on the database `openDb` gives: the same
 * suite runs on PostgreSQL (postgres.js) and on Supabase (supabase-js through a real PostgREST 12 with Supabase's
 * roles and privileges), so the owner operations hold in every mode.
 */
function ownershipSuite(mode: string, openDb: () => Promise<{ databaseUrl?: string; db?: Db }>) {
describe(`on ${mode}: provider A signed in gets 404 for every read and write of provider B`, () => {
  let server: AppServer;
  let a: AppClient;
  let b: AppClient;
  let pidA: string;
  let pidB: string;
  let serviceB: string;
  let bookingB: string;
  let requestB: string;
  const clientKey = 'client-of-b@example.com';

  beforeAll(async () => {
    server = await startAppServer({ ...(await openDb()), start: NOW, env: { SIGNUP: 'open', SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
    a = new AppClient(server);
    b = new AppClient(server);
    expect((await signInWithCode(a, server.logs, 'a@example.com')).status).toBe(200);
    expect((await signInWithCode(b, server.logs, 'b@example.com')).status).toBe(200);
    pidA = (await a.json('GET', '/api/app/me', undefined, 200)).providers[0].id;

    // B onboards: checks the address, creates the page with a preset and a first service.
    expect(await b.json('GET', '/api/app/slug-available?slug=demo', undefined, 200)).toMatchObject({ available: false, reason: 'taken' });
    expect(await b.json('GET', '/api/app/slug-available?slug=bee', undefined, 200)).toMatchObject({ available: true });
    const taken = await b.post('/api/app/providers', {
      name: 'Bee Tutoring', slug: 'demo', timezone: 'Asia/Riyadh', hoursPreset: 'sun-thu-9-5', service: { title: 'Lesson', durationMinutes: 60 },
    });
    expect(taken.status).toBe(409);
    expect((await taken.json()).errors[0].field).toBe('slug');
    const made = await b.json('POST', '/api/app/providers', {
      name: 'Bee Tutoring', personName: 'Bee', slug: 'bee', timezone: 'Asia/Riyadh', hoursPreset: 'sun-thu-9-5',
      service: { title: 'Lesson', durationMinutes: 60 }, whatsappNumber: '+966500000000',
    }, 201);
    expect(made.pageUrl).toBe(`${server.config.publicUrl}/c/bee`);
    pidB = made.provider.id;
    expect((await b.post('/api/app/providers', { name: 'Again', slug: 'bee-two', timezone: 'Asia/Riyadh', hoursPreset: 'sun-thu-9-5', service: { title: 'Lesson', durationMinutes: 60 } })).status).toBe(409);
    serviceB = (await b.json('GET', `/api/app/providers/${pidB}/services`, undefined, 200))[0].id;
    const pub = await (await fetch(`${server.url}/api/providers/bee`)).json();
    expect(pub.services.map((s: { slug: string }) => s.slug)).toEqual(['lesson']);

    // A visitor books B (Monday 09:00 Riyadh = 06:00Z), and B adds a request-mode service that gets a request.
    const visit = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'bee', service: 'lesson', start: at(0, 0 + 24), name: 'Kid', email: clientKey }),
    });
    expect(visit.status).toBe(201);
    bookingB = (await visit.json()).booking.id;
    await b.json('POST', `/api/app/providers/${pidB}/services`, { title: 'Trial', durationMinutes: 30, bookingMode: 'request' }, 201);
    const req = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'bee', service: 'trial', start: at(2, 2), name: 'Kid', email: clientKey }),
    });
    requestB = (await req.json()).booking.id;
    await b.json('PUT', `/api/app/providers/${pidB}/clients/${clientKey}/notes`, { notes: 'B\'s note' }, 200);
  }, 60_000);
  afterAll(() => server?.close());

  it('every endpoint the app uses answers 404 (from the ownership check, not a missing route) and changes nothing', async () => {
    const P = `/api/app/providers/${pidB}`;
    const file = await b.json('GET', `${P}/export`, undefined, 200);
    const calls: [string, string, unknown?][] = [
      ['GET', P], ['PATCH', P, { name: 'Taken over' }],
      ['GET', `${P}/hours`], ['PUT', `${P}/hours`, { weekly: [] }],
      ['GET', `${P}/export`], ['POST', `${P}/import`, { ...file, name: 'Taken over' }],
      ['GET', `${P}/services`], ['POST', `${P}/services`, { title: 'Evil', durationMinutes: 30 }],
      ['PUT', `${P}/services/order`, { serviceIds: [serviceB] }],
      ['PATCH', `${P}/services/${serviceB}`, { title: 'Evil' }], ['DELETE', `${P}/services/${serviceB}`, {}],
      ['PATCH', `${P}/services/${serviceB}`, { maxPerDay: 1 }], ['GET', `${P}/preview`], ['GET', `${P}/preview?serviceId=${serviceB}`],
      ['GET', `${P}/bookings`], ['GET', `${P}/bookings?scope=all`],
      ['POST', `${P}/bookings`, { serviceId: serviceB, start: at(3, 1), name: 'X', email: 'x@example.com', outsideHours: true }],
      ['GET', `${P}/bookings/${bookingB}`],
      ['POST', `${P}/bookings/${requestB}/approve`, {}], ['POST', `${P}/bookings/${requestB}/decline`, {}],
      ['POST', `${P}/bookings/${bookingB}/cancel`, {}],
      ['POST', `${P}/bookings/${bookingB}/reschedule`, { start: at(3, 2), outsideHours: true }],
      ['POST', `${P}/bookings/${bookingB}/outcome`, { outcome: 'no_show' }],
      ['GET', `${P}/clients`], ['GET', `${P}/clients.csv`], ['GET', `${P}/clients/${clientKey}`],
      ['PUT', `${P}/clients/${clientKey}/notes`, { notes: 'A was here' }], ['POST', `${P}/clients/${clientKey}/erase`, {}],
      ['POST', `${P}/calendars/microsoft/start`, {}], ['PUT', `${P}/calendars/microsoft/choice`, { busyCalendarIds: [], writeCalendarId: null }],
      ['DELETE', `${P}/calendars/microsoft`, {}],
      ['GET', `${P}/payments`], ['POST', `${P}/payments/test`, { secretKey: 'sk_test_abcdefghijkl' }],
      ['POST', `${P}/payments`, { secretKey: 'sk_test_abcdefghijkl', webhookSecret: 'whsec_abcdefghijkl' }], ['DELETE', `${P}/payments`, {}],
      // B's rows through A's own provider.
      ['GET', `/api/app/providers/${pidA}/bookings/${bookingB}`],
      ['POST', `/api/app/providers/${pidA}/bookings/${bookingB}/cancel`, {}],
      ['POST', `/api/app/providers/${pidA}/bookings/${requestB}/approve`, {}],
      ['PATCH', `/api/app/providers/${pidA}/services/${serviceB}`, { title: 'Evil' }],
      ['DELETE', `/api/app/providers/${pidA}/services/${serviceB}`, {}],
      ['PUT', `/api/app/providers/${pidA}/services/order`, { serviceIds: [serviceB] }],
      ['POST', `/api/app/providers/${pidA}/bookings`, { serviceId: serviceB, start: at(3, 1), name: 'X', email: 'x@example.com', outsideHours: true }],
      ['GET', `/api/app/providers/${pidA}/clients/${clientKey}`],
    ];
    for (const [method, path, body] of calls) {
      const res = await a.request(method, path, body);
      const problem = await res.json();
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(problem.title, `${method} ${path}`).toMatch(/^(Provider|Booking|Service|Client) not found$/);
    }
    // The same reads work for B, and nothing of B's changed.
    expect((await b.json('GET', P, undefined, 200)).name).toBe('Bee Tutoring');
    expect((await b.json('GET', `${P}/bookings/${bookingB}`, undefined, 200)).status).toBe('confirmed');
    expect((await b.json('GET', `${P}/bookings/${requestB}`, undefined, 200)).status).toBe('pending');
    expect((await b.json('GET', `${P}/services`, undefined, 200)).map((s: { title: string }) => s.title)).toEqual(['Lesson', 'Trial']);
    expect((await b.json('GET', `${P}/clients/${clientKey}`, undefined, 200)).notes).toBe('B\'s note');
    expect((await b.json('GET', `${P}/hours`, undefined, 200)).weekly.length).toBe(1);
    expect((await b.json('GET', `${P}/bookings?scope=all`, undefined, 200)).total).toBe(2);
  });

  it('a manual booking racing visitors for one time: the database lets exactly one through', async () => {
    const start = at(7, 1); // Monday 10:00 Riyadh, a week later
    const visitor = () => fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'bee', service: 'lesson', start, name: 'V', email: 'v@example.com' }),
    });
    const manual = () => b.post(`/api/app/providers/${pidB}/bookings`, { serviceId: serviceB, start, name: 'M', phone: '+966511111111', outsideHours: true });
    const results = await Promise.all([visitor(), manual(), visitor(), manual(), visitor(), manual(), manual(), visitor()]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(results.length - 1);
    const list = await b.json('GET', `/api/app/providers/${pidB}/bookings?scope=all&status=confirmed&limit=100`, undefined, 200);
    expect(list.bookings.filter((x: { start: string }) => new Date(x.start).toISOString() === start)).toHaveLength(1);
  });
});
}

ownershipSuite('PostgreSQL', async () => ({ databaseUrl: await pg.createDatabase('app_owners') }));

let supabase: SupabaseLocal;
ownershipSuite('Supabase (real PostgREST)', async () => {
  supabase = await startSupabase();
  return { db: openSupabaseDb({ url: supabase.url, serviceRoleKey: supabase.serviceRoleKey }) };
});
afterAll(() => supabase?.stop());
