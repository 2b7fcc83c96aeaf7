import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import type { Db } from '../../server/db/port.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * The server side of the manage page and the share tool (`server/pages/routes.ts`) on the real app and an
 * in-memory database: what each response inlines, and the headers a secret link needs.
 */

let db: Db;
let server: TestServer;

beforeAll(async () => {
  db = await openEmbeddedDb();
  server = await startTestServer({ db });
});

afterAll(async () => {
  await server?.close();
});

/** The JSON block the page reads on start. */
function inlined(html: string): any {
  const m = /<script type="application\/json" id="slotline-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

async function bookIntro(): Promise<string> {
  const q = new URLSearchParams({ service: 'intro', from: new Date().toISOString(), to: new Date(Date.now() + 14 * 86_400_000).toISOString() });
  const { slots } = (await (await fetch(`${server.url}/api/providers/demo/slots?${q}`)).json()) as { slots: { start: string }[] };
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service: 'intro', start: slots[0].start, name: 'Route Test', email: 'r@example.com', timezone: 'Asia/Dubai', idempotencyKey: crypto.randomUUID() }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { manageUrl: string }).manageUrl;
}

describe('page routes for issue 6', () => {
  it('GET /b/:token inlines the booking view and the provider; private, unframable, unindexed', async () => {
    const manageUrl = await bookIntro();
    const res = await fetch(manageUrl, { headers: { 'accept-language': 'ar' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('<meta name="referrer" content="no-referrer" />');
    const data = inlined(html);
    expect(data.manage.booking).toMatchObject({ provider: 'demo', service: 'intro', status: 'confirmed', name: 'Route Test' });
    expect(data.manage.links.manage).toBe(manageUrl);
    expect(data.provider.slug).toBe('demo');
  });

  it('GET /c/:slug/share is the share tool (not a service called "share"), with the first service inlined', async () => {
    const res = await fetch(`${server.url}/c/demo/share`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    const html = await res.text();
    expect(html).toContain('<title>Share free times — Layla Haddad — Personal Training</title>');
    const data = inlined(html);
    expect(data.slots.service).toBe('intro');
    expect(Object.keys(data.slots.answer.days).length).toBeGreaterThan(0);
    const other = await fetch(`${server.url}/c/demo/share?service=session`);
    expect(inlined(await other.text()).slots.service).toBe('session');
    expect((await fetch(`${server.url}/c/nobody/share`)).status).toBe(404);
  });

  it('a manage link while the database is down is "try again" (503), not "no such booking"', async () => {
    const manageUrl = await bookIntro();
    await db.close();
    const res = await fetch(manageUrl);
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('We could not load this booking just now.');
  });
});
