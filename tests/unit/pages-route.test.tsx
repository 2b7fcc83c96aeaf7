import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/port.ts';
import { frameAncestors, pageRoutes } from '../../server/pages/routes.ts';
import { jsonForScript } from '../../server/pages/escape.ts';
import { applyProviderFile, parseProviderFile } from '../../server/providers/file.ts';
import { seedDemo } from '../../server/providers/demo.ts';
import { createTestDb } from '../support/db.ts';
import { decodeSlots } from '../../contract/slots.ts';
import type { InitialData } from '../../contract/api.ts';

/**
 * `GET /c/:slug[/:service]` on the real app and database: the built page with the first data inlined,
 * its headers, the 404 page, and the assets.
 */

const NOW = new Date('2026-11-22T06:00:00Z');
let db: Db;
let dist: string;
let pages: ReturnType<typeof pageRoutes>;

async function addProvider(slug: string, name: string, settings: Record<string, unknown> = {}) {
  const parsed = parseProviderFile({
    slug,
    name,
    timezone: 'Asia/Dubai',
    isPublic: true,
    settings: { workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' }, ...settings },
    services: [{ slug: 'call', title: 'Call', durationMinutes: 30 }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  await applyProviderFile(db, parsed.file);
}

function dataOf(html: string): Pick<InitialData, 'slots'> & { provider: { name: string } | null } {
  const m = /<script type="application\/json" id="slotline-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data block');
  return JSON.parse(m[1]);
}

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'slotline-pages-'));
  await build({ configFile: 'vite.config.ts', logLevel: 'silent', build: { outDir: dist } });
  db = await createTestDb();
  await seedDemo(db);
  await addProvider('tricky', 'Kim </script><script>alert(1)</script><!-- & co');
  await addProvider('walled', 'Walled Garden', { embed: { allowedOrigins: ['https://kim.example', 'https://www.kim.example'] } });
  const app = createApp({ db, config: readConfig({ PORT: '0' }), now: () => NOW, log: () => {} });
  pages = pageRoutes({ fetchApi: async (path) => app.request(path), distDir: dist, now: () => NOW });
});

afterAll(async () => {
  await db?.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('booking page route', () => {
  it('serves the built page with the provider inlined and no slots when a service is still to choose', async () => {
    const res = await pages.request('/c/demo');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Book with Layla Haddad — Personal Training</title>');
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/[\w-]+\.js"><\/script>/);
    const data = dataOf(html);
    expect(data.provider?.name).toBe('Layla Haddad — Personal Training');
    expect(data.slots).toBeNull();
  });

  it('inlines the first weeks of free times for /c/:slug/:service', async () => {
    const html = await (await pages.request('/c/demo/intro')).text();
    const { slots } = dataOf(html);
    expect(slots?.service).toBe('intro');
    expect(Date.parse(slots!.from)).toBeLessThanOrEqual(NOW.getTime());
    expect(Date.parse(slots!.to) - NOW.getTime()).toBeGreaterThanOrEqual(32 * 86_400_000);
    const decoded = decodeSlots(slots!.answer);
    expect(decoded.length).toBeGreaterThan(20);
    for (const s of decoded) {
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(slots!.from));
      expect(Date.parse(s.start)).toBeLessThan(Date.parse(slots!.to));
    }
  });

  it('escapes the data so a provider name cannot break out of the script element', async () => {
    const html = await (await pages.request('/c/tricky')).text();
    const body = html.slice(html.indexOf('<body>'));
    expect(body.match(/<script/g)).toHaveLength(1);
    expect(body).not.toContain('<!--');
    expect(dataOf(html).provider?.name).toBe('Kim </script><script>alert(1)</script><!-- & co');
    expect(html).toContain('<title>Book with Kim &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;!-- &#38; co</title>');
    expect(jsonForScript({ a: '\u2028</script>' })).toBe('{"a":"\\u2028\\u003c/script\\u003e"}');
  });

  it('sets lang and dir from ?lang or Accept-Language', async () => {
    const ar = await (await pages.request('/c/demo?lang=ar')).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('<title>احجز مع \u2068Layla Haddad — Personal Training\u2069</title>');
    const accept = await (await pages.request('/c/demo', { headers: { 'accept-language': 'ar-AE,ar;q=0.9,en;q=0.8' } })).text();
    expect(accept).toContain('<html lang="ar" dir="rtl">');
  });

  it('sends a CSP without inline scripts that allows framing anywhere by default', async () => {
    const res = await pages.request('/c/demo');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('frame-ancestors *');
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('limits framing to the provider’s allowed origins when set', async () => {
    const res = await pages.request('/c/walled');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://kim.example https://www.kim.example");
    expect(frameAncestors(['https://ok.example', 'https://evil.example; script-src *', 'ftp://x.example'])).toBe("'self' https://ok.example");
    expect(frameAncestors([])).toBe('*');
  });

  it('answers 404 with a page for an unknown or malformed provider', async () => {
    for (const path of ['/c/nobody', '/c/Bad%20Slug', '/c/nobody/intro']) {
      const res = await pages.request(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain('This booking page does not exist.');
      expect(html).not.toContain('type="module"');
    }
    const ar = await (await pages.request('/c/nobody?lang=ar')).text();
    expect(ar).toContain('صفحة الحجز هذه غير موجودة.');
  });

  it('serves the hashed assets for a year and nothing else from the build folder', async () => {
    const html = await (await pages.request('/c/demo')).text();
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    const jsRes = await pages.request(js);
    expect(jsRes.status).toBe(200);
    expect(jsRes.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(jsRes.headers.get('cache-control')).toContain('immutable');
    expect((await pages.request(css)).headers.get('content-type')).toMatch(/^text\/css/);
    for (const path of ['/assets/index.html', '/assets/..%2Fpackage.json', '/assets/missing.js']) {
      expect((await pages.request(path)).status, path).toBe(404);
    }
  });
});
