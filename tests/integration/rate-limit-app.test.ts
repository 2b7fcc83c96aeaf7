import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeProvider } from '../support/fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_BOOKINGS_PER_IP: '3', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' } });
  await makeProvider(server.db, { slug: 'limited', settings: { booking: { slotStepMinutes: 60 } } });
});
afterAll(() => server.close());

describe('the app mounts the limiter on writes only', () => {
  it('lets exactly the configured number of bookings through, then answers 429 with Retry-After', async () => {
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3 * 86_400_000;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/api/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'limited', service: 'call', start: new Date(base + i * 3_600_000).toISOString(), email: 'a@example.com' }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('never limits reads', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${server.url}/api/providers/limited/slots?service=call`)).status).toBe(200);
    }
  });
});
