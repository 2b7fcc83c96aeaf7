import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingDetailsSchema, bookingListSchema, clientDetailsSchema, clientListSchema, hoursSchema, meSchema, ownerProviderSchema,
  ownerServiceSchema, slugAvailableSchema,
} from '../../contract/app-api.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

/**
 * The provider app reads the owner API through `contract/app-api.ts`: every answer it reads, from the real server on
 * PGlite, parses with those schemas (a field renamed or retyped on the server fails here, not in a browser).
 */

const DAY = 86_400_000;
const NOW = mondayAfterTwoWeeks();
let server: AppServer;
let owner: AppClient;

beforeAll(async () => {
  server = await startAppServer({ start: NOW });
  ({ owner } = await signInOwner(server));
});
afterAll(() => server.close());

describe('owner API answers match contract/app-api.ts', () => {
  it('parses me, provider, hours, services, bookings, booking details, clients and a client', async () => {
    const me = meSchema.parse(await owner.json('GET', '/api/app/me', undefined, 200));
    const base = `/api/app/providers/${me.providers[0].id}`;
    slugAvailableSchema.parse(await owner.json('GET', '/api/app/slug-available?slug=demo', undefined, 200));
    ownerProviderSchema.parse(await owner.json('GET', base, undefined, 200));
    hoursSchema.parse(await owner.json('GET', `${base}/hours`, undefined, 200));
    const services = ownerServiceSchema.array().parse(await owner.json('GET', `${base}/services`, undefined, 200));
    const start = new Date(NOW.getTime() + DAY - 60 * 60_000).toISOString(); // Tuesday 09:00 Dubai
    const res = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'demo', service: 'intro', start, name: 'Sara', email: 'sara@example.com', phone: '+971501234567' }),
    });
    expect(res.status).toBe(201);
    const list = bookingListSchema.parse(await owner.json('GET', `${base}/bookings?scope=upcoming`, undefined, 200));
    expect(list.bookings.length).toBeGreaterThan(0);
    const details = bookingDetailsSchema.parse(await owner.json('GET', `${base}/bookings/${list.bookings[0].id}`, undefined, 200));
    expect(details.whatsappUrl).toMatch(/^https:\/\/wa\.me\//);
    const manual = await owner.json('POST', `${base}/bookings`, { serviceId: services[0].id, start: new Date(NOW.getTime() + 2 * DAY).toISOString(), name: 'Hand', phone: '+971500000009' }, 201);
    bookingDetailsSchema.parse(manual.booking);
    const cancelled = bookingDetailsSchema.parse(await owner.json('POST', `${base}/bookings/${manual.booking.id}/cancel`, {}, 200));
    expect(cancelled.refund).toMatchObject({ issued: false });
    const clients = clientListSchema.parse(await owner.json('GET', `${base}/clients`, undefined, 200));
    clientDetailsSchema.parse(await owner.json('GET', `${base}/clients/${encodeURIComponent(clients.clients[0].key)}`, undefined, 200));
  });
});
