import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient, signInWithCode, startAppServer, type AppServer } from '../support/app-client.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

/**
 * The owner API for packages over HTTP (server/app-api/packages.ts): bad bodies answer 400 naming the field and write
 * nothing; provider A gets 404 for every packages endpoint of provider B, and for B's package through A's provider.
 */
const NOW = mondayAfterTwoWeeks();
let server: AppServer;
let a: AppClient;
let b: AppClient;
let pidA: string;
let pidB: string;
let packageB: string;

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGNUP: 'open', SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  a = new AppClient(server);
  b = new AppClient(server);
  expect((await signInWithCode(a, server.logs, 'a@example.com')).status).toBe(200);
  expect((await signInWithCode(b, server.logs, 'b@example.com')).status).toBe(200);
  pidA = (await a.json('GET', '/api/app/me', undefined, 200)).providers[0].id;
  pidB = (await b.json('POST', '/api/app/providers', {
    name: 'Bee', slug: 'bee', timezone: 'Asia/Riyadh', hoursPreset: 'sun-thu-9-5', service: { title: 'Lesson', durationMinutes: 60 },
  }, 201)).provider.id;
  const serviceB = (await b.json('GET', `/api/app/providers/${pidB}/services`, undefined, 200))[0].id;
  packageB = (await b.json('POST', `/api/app/providers/${pidB}/packages`, {
    serviceId: serviceB, title: '8 lessons', sessions: 8, priceCents: 80000, validityDays: 60,
  }, 201)).id;
  await b.json('POST', `/api/app/providers/${pidB}/packages/${packageB}/sales`, { clientEmail: 'kid@example.com', source: 'bank' }, 201);
}, 60_000);
afterAll(() => server?.close());

describe('packages in the owner API', () => {
  it('answers 400 naming the field, and writes nothing', async () => {
    const P = `/api/app/providers/${pidB}/packages`;
    const cases: [string, string, unknown, string][] = [
      ['POST', P, { serviceId: 'x', title: 'T', sessions: 5, priceCents: 0, validityDays: 30 }, 'serviceId'],
      ['POST', P, { title: '', sessions: 5, priceCents: 0, validityDays: 30 }, 'serviceId'],
      ['PATCH', `${P}/${packageB}`, { sessions: 0 }, 'sessions'],
      ['PATCH', `${P}/${packageB}`, { validityDays: 0 }, 'validityDays'],
      ['POST', `${P}/${packageB}/sales`, { source: 'cash' }, 'clientEmail'],
      ['POST', `${P}/${packageB}/sales`, { clientEmail: 'k@example.com', source: 'card' }, 'source'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await b.request(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const list = await b.json('GET', P, undefined, 200);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sessions: 8, validityDays: 60, sold: 1 });
    const wallets = await b.json('GET', `/api/app/providers/${pidB}/wallets`, undefined, 200);
    expect(wallets).toHaveLength(1);
    expect(wallets[0].url).toMatch(/\/w\/[A-Za-z0-9_-]{43}$/);
  });

  it('provider A gets 404 for every packages endpoint of provider B', async () => {
    const B = `/api/app/providers/${pidB}`;
    const A = `/api/app/providers/${pidA}`;
    const serviceA = (await a.json('GET', `${A}/services`, undefined, 200))[0].id;
    const calls: [string, string, unknown?][] = [
      ['GET', `${B}/packages`], ['GET', `${B}/wallets`],
      ['POST', `${B}/packages`, { serviceId: serviceA, title: 'Evil', sessions: 1, priceCents: 0, validityDays: 1 }],
      ['PATCH', `${B}/packages/${packageB}`, { hidden: true }],
      ['POST', `${B}/packages/${packageB}/sales`, { clientEmail: 'evil@example.com', source: 'cash' }],
      // B's package through A's own provider.
      ['PATCH', `${A}/packages/${packageB}`, { hidden: true }],
      ['POST', `${A}/packages/${packageB}/sales`, { clientEmail: 'evil@example.com', source: 'cash' }],
    ];
    for (const [method, path, body] of calls) {
      const res = await a.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await res.json()).title, `${method} ${path}`).toMatch(/^(Provider|Package|Service) not found$/);
    }
    const list = await b.json('GET', `${B}/packages`, undefined, 200);
    expect(list[0]).toMatchObject({ hidden: false, sold: 1 });
  });
});
