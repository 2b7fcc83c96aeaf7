import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appPageRoutes } from '../../server/app-pages/routes.ts';

/** `/app` and `/app/*` serve the built app privately (no-store, noindex, never framed); its assets are immutable. */

const dir = mkdtempSync(join(tmpdir(), 'slotline-app-dist-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Slotline</title><script type="module" src="/app/assets/index-abc.js"></script>');
writeFileSync(join(dir, 'index-abc.js'), 'console.log(1)');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provider app page routes', () => {
  const app = appPageRoutes({ distDir: dir });

  it.each(['/app', '/app/bookings/123', '/app/settings/hours'])('%s answers the app, private and unframeable', async (path) => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/app/assets/index-abc.js');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('serves hashed assets as immutable, and nothing outside the folder', async () => {
    const res = await app.request('/app/assets/index-abc.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await app.request('/app/assets/..%2Findex.html')).status).toBe(404);
    expect((await app.request('/app/assets/missing.js')).status).toBe(404);
  });

  it('says how to build when the app was never built', async () => {
    const res = await appPageRoutes({ distDir: join(dir, 'nope') }).request('/app');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
