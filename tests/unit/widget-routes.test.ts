import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetRoutes } from '../../server/widget/routes';

let dist = '';
beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'slotline-widget-'));
  await writeFile(join(dist, 'widget.js'), '(function(){window.built=1})();');
});
afterAll(() => rm(dist, { recursive: true, force: true }));

describe('GET /widget.js', () => {
  it('serves the built file as JavaScript with revalidating cache headers', async () => {
    const app = widgetRoutes({ distDir: dist });
    const res = await app.request('http://book.example/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await res.text()).toBe('(function(){window.built=1})();');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('http://book.example/widget.js', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  // Issue 11: the server serves built files only (it never imports widget source or Vite at run time).
  it('answers 503 naming `npm run build` when dist/ was never built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'slotline-nodist-'));
    try {
      const res = await widgetRoutes({ distDir: empty }).request('http://book.example/widget.js');
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('GET /examples/', () => {
  const app = widgetRoutes({ distDir: '/nonexistent' });

  it('serves the index page, with the booking origin taken from the request', async () => {
    const res = await app.request('http://127.0.0.1:8787/examples/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const page of ['inline.html', 'popup.html', 'floating.html', 'api.html', 'whatsapp.html']) expect(html).toContain(`href="${page}`);
    expect(html).toContain('http://127.0.0.1:8787/c/demo');
    expect(html).not.toContain('{{');
  });

  it('redirects /examples to /examples/ so relative links resolve', async () => {
    const res = await app.request('http://book.example/examples');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/examples/');
  });

  it('points every embed page at the configured booking origin when served from elsewhere', async () => {
    const other = widgetRoutes({ bookingOrigin: 'http://127.0.0.1:9000/' });
    for (const page of ['inline.html', 'popup.html', 'floating.html', 'api.html']) {
      const html = await (await other.request(`http://127.0.0.1:9100/examples/${page}`)).text();
      expect(html).toContain('<script src="http://127.0.0.1:9000/widget.js"');
      expect(html).not.toContain('127.0.0.1:9100');
      expect(html).not.toContain('{{SLOTLINE_ORIGIN}}');
    }
    // The booking server's strict default CSP would block the widget; example pages allow exactly its origin.
    const csp = (await other.request('http://127.0.0.1:9100/examples/popup.html')).headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' http://127.0.0.1:9000;");
    expect(csp).not.toContain("'unsafe-inline' http");
    expect(csp).toContain('frame-src http://127.0.0.1:9000;');
    const wa = await (await other.request('http://127.0.0.1:9100/examples/whatsapp.js')).text();
    expect(wa).toContain("var origin = 'http://127.0.0.1:9000'");
    expect(wa).toContain('https://wa.me/');
  });

  it('serves the stylesheet and refuses paths outside the examples folder', async () => {
    const css = await app.request('http://book.example/examples/site.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await app.request('http://book.example/examples/..%2fpackage.json')).status).toBe(404);
    expect((await app.request('http://book.example/examples/%2e%2e%2f%2e%2e%2fetc%2fpasswd')).status).toBe(404);
    expect((await app.request('http://book.example/examples/missing.html')).status).toBe(404);
  });

  it('every example page is complete HTML with a title and a viewport for phones', async () => {
    const files = (await readdir(join(import.meta.dirname, '../../examples'))).filter((f) => f.endsWith('.html'));
    expect(files.sort()).toEqual(['api.html', 'floating.html', 'index.html', 'inline.html', 'popup.html', 'whatsapp.html']);
    for (const f of files) {
      const html = await (await app.request(`http://book.example/examples/${f}`)).text();
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(html).toMatch(/<title>[^<]+<\/title>/);
      expect(html).toContain('name="viewport"');
    }
  });
});
