/**
 * Security headers on every route family, HSTS only over https (X-Forwarded-Proto only from a trusted proxy),
 * and visitor or provider text never reaching HTML unescaped (issue 7, "Abuse and hostile input").
 */
import type { PGlite } from '@electric-sql/pglite';
import { Hono } from 'hono';
import ICAL from 'ical.js';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { hashToken, newManageToken } from '../../server/bookings/tokens.ts';
import { readConfig } from '../../server/config.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import { DEFAULT_CSP, securityHeaders } from '../../server/http/security.ts';
import { examplePolicy } from '../../server/widget/routes.ts';
import { makeProvider } from '../support/fixtures.ts';
import { freePort } from '../support/postgres.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** Every classic way out of an HTML text node, attribute, script element or comment. */
const HOSTILE_NAME = `<script>alert(1)</script> "><img src=x onerror=alert(2)> </script><!-- '&amp; <b>`;
const HOSTILE_NOTES = `</script><script>alert(3)</script>\n"><svg onload=alert(4)>\n<!-- --> ]]> {{7*7}} \${7*7} & é 🙂`;
const HOSTILE_PROVIDER = `Kim </title><script>alert(5)</script><img src=x onerror=alert(6)> "quoted" & 'single'`;

let server: TestServer;
let pg: PGlite;
let booking: { id: string; start: string; manageUrl: string; icsUrl: string; whatsappUrl: string; token: string };
let feedToken: string;

/** A 60-minute slot a few days ahead that the provider offers. */
async function freeSlot(slug: string, service: string): Promise<string> {
  const from = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 6 * 86_400_000).toISOString();
  const res = await fetch(`${server.url}/api/providers/${slug}/slots?${new URLSearchParams({ service, from, to, tz: 'UTC' })}`);
  expect(res.status).toBe(200);
  const { slots } = (await res.json()) as { slots: { start: string }[] };
  expect(slots.length).toBeGreaterThan(0);
  return slots[0].start;
}

beforeAll(async () => {
  server = await startTestServer();
  pg = (server.db as unknown as { pg: PGlite }).pg;
  await makeProvider(server.db, {
    slug: 'xss',
    settings: {
      booking: { slotStepMinutes: 60 },
      whatsapp: { enabled: true, phoneE164: '+971500000009', messageTemplate: 'From {name} for {service}: {link}' },
    },
    services: [{ slug: 'call', title: `Call <i>now</i> "x"`, durationMinutes: 60 }],
  });
  // Provider files accept any name up to 200 characters, so HTML in it is a real case, not only a hostile one.
  await pg.query('update providers set display_name = $1 where public_slug = $2', [HOSTILE_PROVIDER, 'xss']);

  const start = await freeSlot('xss', 'call');
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'xss', service: 'call', start, name: HOSTILE_NAME, notes: HOSTILE_NOTES, email: 'v@example.com' }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { booking: { id: string; start: string }; manageUrl: string; icsUrl: string; whatsappUrl: string };
  booking = { ...body.booking, manageUrl: body.manageUrl, icsUrl: body.icsUrl, whatsappUrl: body.whatsappUrl, token: body.manageUrl.split('/b/')[1] };

  feedToken = newManageToken();
  await server.db.rpc('set_ics_feed_token', { p_slug: 'xss', p_token_hash: hashToken(feedToken) });
}, 60_000);
afterAll(() => server?.close());

interface Case {
  name: string;
  path: string;
  init?: RequestInit;
  status: number;
  /** Expected content type (prefix). */
  type: string;
}

function cases(): Case[] {
  const json = { 'content-type': 'application/json' };
  return [
    { name: 'health', path: '/healthz', status: 200, type: 'application/json' },
    { name: 'provider JSON', path: '/api/providers/demo', status: 200, type: 'application/json' },
    { name: 'slots JSON', path: '/api/providers/demo/slots?service=intro', status: 200, type: 'application/json' },
    { name: 'problem 404', path: '/api/providers/nobody-here', status: 404, type: 'application/problem+json' },
    { name: 'problem 400', path: '/api/bookings', init: { method: 'POST', headers: json, body: '{"provider":1}' }, status: 400, type: 'application/problem+json' },
    { name: 'problem 413', path: '/api/bookings', init: { method: 'POST', headers: json, body: JSON.stringify({ notes: 'x'.repeat(20_000) }) }, status: 413, type: 'application/problem+json' },
    { name: 'manage JSON', path: `/api/bookings/${booking.token}`, status: 200, type: 'application/json' },
    { name: 'booking .ics', path: `/api/bookings/${booking.token}/ics`, status: 200, type: 'text/calendar' },
    { name: 'provider feed .ics', path: `/ics/${feedToken}.ics`, status: 200, type: 'text/calendar' },
    { name: 'unknown feed', path: `/ics/${newManageToken()}.ics`, status: 404, type: 'application/problem+json' },
    { name: 'booking page', path: '/c/demo', status: 200, type: 'text/html' },
    { name: 'service page', path: '/c/demo/intro', status: 200, type: 'text/html' },
    { name: 'unknown provider page', path: '/c/nobody-here', status: 404, type: 'text/html' },
    { name: 'bad slug page', path: '/c/%3Cscript%3E', status: 404, type: 'text/html' },
    { name: 'unknown route', path: '/no/such/thing', status: 404, type: 'application/problem+json' },
    { name: 'widget loader', path: '/widget.js', status: 200, type: 'application/javascript' },
    { name: 'example site', path: '/examples/', status: 200, type: 'text/html' },
    { name: 'example page', path: '/examples/inline.html', status: 200, type: 'text/html' },
    { name: 'example stylesheet', path: '/examples/site.css', status: 200, type: 'text/css' },
    { name: 'missing example', path: '/examples/nope.html', status: 404, type: 'application/problem+json' },
    { name: 'root redirect', path: '/', init: { redirect: 'manual' }, status: 302, type: '' },
  ];
}

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...values]) => [name.toLowerCase(), values]));
}

/** The sources that govern scripts: `script-src`, else `default-src` (CSP3 §6.1.1 fallback). */
function scriptSources(csp: string): string[] {
  const d = directives(csp);
  return d.get('script-src-elem') ?? d.get('script-src') ?? d.get('default-src') ?? [];
}

function expectCommonHeaders(res: Response, what: string) {
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  const csp = res.headers.get('content-security-policy');
  expect(csp, what).toBeTruthy();
  const d = directives(csp!);
  expect(d.has('default-src'), `${what}: default-src`).toBe(true);
  expect(d.get('frame-ancestors'), `${what}: frame-ancestors`).toBeDefined();
  expect(d.get('base-uri'), `${what}: base-uri`).toEqual(["'none'"]);
  expect(d.get('default-src'), `${what}: default-src`).not.toContain("'unsafe-inline'");
}

describe('security headers on every route family', () => {
  it('JSON, problems, pages, 404s, widget, examples, ICS, health: nosniff, referrer policy and a CSP; no HSTS over http', async () => {
    for (const c of cases()) {
      const res = await fetch(server.url + c.path, c.init);
      await res.arrayBuffer();
      expect(res.status, c.name).toBe(c.status);
      expect(res.headers.get('content-type') ?? '', c.name).toMatch(new RegExp('^' + c.type.replace(/[+.]/g, '\\$&')));
      expectCommonHeaders(res, c.name);
      expect(res.headers.get('strict-transport-security'), c.name).toBeNull();
    }
  });

  it("no Slotline response allows inline script: pages allow only 'self', everything else nothing", async () => {
    for (const c of cases()) {
      const res = await fetch(server.url + c.path, c.init);
      await res.arrayBuffer();
      const sources = scriptSources(res.headers.get('content-security-policy')!);
      // The example pages stand in for a provider's own site and carry the policy such a site needs.
      if (c.path.startsWith('/examples/')) {
        if (c.status === 200 && /html|css/.test(res.headers.get('content-type') ?? '')) {
          expect(res.headers.get('content-security-policy'), c.name).toBe(examplePolicy(server.url));
        }
        continue;
      }
      expect(sources, c.name).not.toContain("'unsafe-inline'");
      expect(sources, c.name).not.toContain("'unsafe-eval'");
      expect(sources, c.name).not.toContain('*');
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) expect(sources, c.name).toEqual(["'self'"]);
      else expect(sources, c.name).toEqual(["'none'"]);
    }
  });

  it('the page assets and a 304 revalidation carry the headers too', async () => {
    const html = await (await fetch(`${server.url}/c/demo`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const path of assets) {
      const res = await fetch(server.url + path);
      await res.arrayBuffer();
      expect(res.status, path).toBe(200);
      expectCommonHeaders(res, path);
    }
    const widget = await fetch(`${server.url}/widget.js`);
    await widget.arrayBuffer();
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': widget.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expectCommonHeaders(again, 'widget 304');
  });

  it('a 5xx answer (database unreachable) carries the headers', async () => {
    const db = await openPostgresDb({ url: `postgres://postgres@127.0.0.1:${await freePort()}/none`, migrate: false, connectTimeout: 1 });
    try {
      const app = createApp({ db, config: readConfig({}), log: () => {} });
      const res = await app.request('http://127.0.0.1/api/providers/demo');
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectCommonHeaders(res, '5xx');
    } finally {
      await db.close();
    }
  });
});

describe('HSTS only over https', () => {
  it('a request that arrived over https gets HSTS; the same route over http does not', async () => {
    const app = createApp({ db: server.db, config: readConfig({}), log: () => {} });
    for (const path of ['/healthz', '/api/providers/demo', '/c/demo', '/no/such/thing']) {
      const secure = await app.request(`https://book.example${path}`);
      expect(secure.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d{7,}/);
      const plain = await app.request(`http://book.example${path}`);
      expect(plain.headers.get('strict-transport-security'), path).toBeNull();
    }
  });

  it('X-Forwarded-Proto is ignored unless TRUST_PROXY is on', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(server.config.trustProxy).toBe(false);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('behind a trusted proxy, X-Forwarded-Proto: https turns HSTS on (and http keeps it off)', async () => {
    const trusted = await startTestServer({ env: { TRUST_PROXY: '1' } });
    try {
      const secure = await fetch(`${trusted.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
      const plain = await fetch(`${trusted.url}/healthz`, { headers: { 'x-forwarded-proto': 'http' } });
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      const none = await fetch(`${trusted.url}/healthz`);
      expect(none.headers.get('strict-transport-security')).toBeNull();
      // A slots answer served from the cache (ahead of the middleware) carries the same headers as the first one.
      await makeProvider(trusted.db, { slug: 'cached' });
      const slots = `${trusted.url}/api/v2/providers/cached/slots?service=call`;
      for (const round of ['first round', 'second round']) {
        for (const proto of ['https', 'http']) {
          const res = await fetch(slots, { headers: { 'x-forwarded-proto': proto } });
          expect(res.status, round).toBe(200);
          expect(res.headers.get('x-content-type-options'), round).toBe('nosniff');
          expect(res.headers.get('referrer-policy'), round).toBe('strict-origin-when-cross-origin');
          expect(res.headers.get('content-security-policy'), round).toBe(DEFAULT_CSP);
          expect(res.headers.has('strict-transport-security'), `${round} ${proto}`).toBe(proto === 'https');
        }
      }
    } finally {
      await trusted.close();
    }
  });

  it('the trusted value is the one our nearest proxies wrote, not one the client prepended', async () => {
    const app = (trustProxy: boolean | number) => new Hono().use(securityHeaders({ trustProxy })).get('/', (c) => c.text('ok'));
    const hsts = async (trustProxy: boolean | number, proto: string) =>
      (await app(trustProxy).request('http://book.example/', { headers: { 'x-forwarded-proto': proto } })).headers.has('strict-transport-security');
    expect(await hsts(true, 'https')).toBe(true);
    expect(await hsts(true, 'HTTPS')).toBe(true);
    expect(await hsts(true, 'https, http')).toBe(false); // client said https, our proxy saw http
    expect(await hsts(true, 'http, https')).toBe(true);
    expect(await hsts(2, 'https, http')).toBe(true); // two proxies: the outer one terminated TLS
    expect(await hsts(false, 'https')).toBe(false);
    expect(await hsts(0, 'https')).toBe(false);
    expect(await hsts(true, 'javascript')).toBe(false);
  });
});

describe('visitor and provider text never reaches HTML unescaped', () => {
  it('the manage API returns the exact text as JSON (not HTML)', async () => {
    const res = await fetch(`${server.url}/api/bookings/${booking.token}`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const view = (await res.json()) as { booking: { name: string; providerName: string; serviceTitle: string }; links: Record<string, string> };
    expect(view.booking.name).toBe(HOSTILE_NAME);
    expect(view.booking.providerName).toBe(HOSTILE_PROVIDER);
    // Add-to-calendar links carry the text as encoded query values of an https URL.
    for (const link of Object.values(view.links)) expect(new URL(link).protocol, link).toMatch(/^https?:$/);
    expect(new URL(view.links.google).searchParams.get('text')).toBe(`Call <i>now</i> "x" — ${HOSTILE_PROVIDER}`);
  });

  it('the booking .ics parses back (ical.js) to the same name and provider', async () => {
    const text = await (await fetch(`${server.url}/api/bookings/${booking.token}/ics`)).text();
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);
    expect(event.uid).toBe(`${booking.id}@slotline`);
    const attendee = event.attendees[0];
    expect(attendee.getParameter('cn')).toBe(HOSTILE_NAME);
    expect(event.organizer).toBeTruthy();
    expect(event.component.getFirstProperty('organizer')!.getParameter('cn')).toBe(HOSTILE_PROVIDER);
    expect(event.summary).toContain(HOSTILE_PROVIDER);
    // Folded lines and escapes only: no raw line that starts a new property from the visitor's text.
    expect(text.split(/\r\n/).filter((l) => /^BEGIN:VEVENT$/.test(l))).toHaveLength(1);
  });

  it('the provider feed .ics carries the notes with their line breaks, as text', async () => {
    const text = await (await fetch(`${server.url}/ics/${feedToken}.ics`)).text();
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const ours = events.find((e) => e.uid === `${booking.id}@slotline`)!;
    expect(ours).toBeDefined();
    expect(ours.description).toBe(`v@example.com\n${HOSTILE_NOTES}`);
    expect(ours.summary).toContain(HOSTILE_NAME);
    expect(events).toHaveLength(1);
  });

  it('the wa.me link decodes to exactly the filled template', () => {
    const url = new URL(booking.whatsappUrl);
    expect(url.origin + url.pathname).toBe('https://wa.me/971500000009');
    expect([...url.searchParams.keys()]).toEqual(['text']);
    expect(url.searchParams.get('text')).toBe(`From ${HOSTILE_NAME} for Call <i>now</i> "x": ${booking.manageUrl}`);
  });

  it('the booking page escapes a provider name full of HTML in the title and the data block', async () => {
    for (const path of ['/c/xss', '/c/xss/call']) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).not.toContain('<script>alert');
      expect(html).not.toMatch(/<img[^>]*onerror/i);
      const { document } = new JSDOM(html).window;
      expect(document.title).toContain(HOSTILE_PROVIDER);
      expect(document.querySelectorAll('img, svg, [onerror], [onload]')).toHaveLength(0);
      const scripts = [...document.querySelectorAll('script')];
      // The page's own module script(s) from /assets and the one JSON data block, nothing else.
      for (const s of scripts) {
        if (s.id === 'slotline-data') expect(s.getAttribute('type')).toBe('application/json');
        else expect(s.getAttribute('src'), s.outerHTML).toMatch(/^\/assets\//);
      }
      const data = JSON.parse(document.getElementById('slotline-data')!.textContent!) as {
        provider: { name: string; services: { title: string }[] };
      };
      expect(data.provider.name).toBe(HOSTILE_PROVIDER);
      expect(data.provider.services[0].title).toBe('Call <i>now</i> "x"');
    }
  });
});
