import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { DbUnavailableError, type Db } from '../../server/db/port.ts';
import { newManageToken } from '../../server/bookings/tokens.ts';
import { redactPath, redactedLogLine } from '../../server/http/redact.ts';
import { pageRoutes } from '../../server/pages/routes.ts';
import { stripeClient } from '../../server/payments/stripe.ts';
import { WEBHOOK_MAX_BODY_BYTES } from '../../server/payments/webhook.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const config = readConfig({ PORT: '8787', HOST: '127.0.0.1', PUBLIC_URL: 'https://book.example.com', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0' });

/** A Db whose every call fails the given way (a real app on top, no database behind). */
function failingDb(error: () => Error): Db {
  return { kind: 'embedded', rpc: async () => { throw error(); }, close: async () => {} };
}

describe('the Stripe webhook body is capped', () => {
  let server: TestServer;
  const secret = 'whsec_test_local'; // the test server's local checkout signs with this
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const signed = (payload: string) => {
    const stripe = stripeClient('sk_test_local', server.stripe!.url);
    return stripe.webhooks.generateTestHeaderString({ payload, secret });
  };
  const event = (padding: number) =>
    JSON.stringify({ id: `evt_pad_${padding}`, object: 'event', type: 'customer.created', data: { object: { pad: 'x'.repeat(padding) } } });
  const deliver = (payload: string, signature: string) =>
    fetch(`${server.url}/api/stripe/webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload,
    });

  it(`a body over ${WEBHOOK_MAX_BODY_BYTES / 1024} KB gets 413 problem+json, even correctly signed`, async () => {
    expect(WEBHOOK_MAX_BODY_BYTES).toBe(64 * 1024);
    for (const size of [WEBHOOK_MAX_BODY_BYTES + 1024, 2 * 1024 * 1024]) {
      const payload = event(size);
      const res = await deliver(payload, signed(payload));
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await res.json()).type).toMatch(/\/body-too-large$/);
    }
  });

  it('a signed body under the cap is still verified and received', async () => {
    const payload = event(60 * 1024);
    const res = await deliver(payload, signed(payload));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true });
    expect((await deliver(payload, 't=1,v1=forged')).status).toBe(400);
  });
});

describe('manage and feed tokens never reach a log line', () => {
  it('a failing request on a secret path is logged with the path redacted', async () => {
    const logged: string[] = [];
    const app = createApp({ db: failingDb(() => new Error('query failed')), config, log: (m) => logged.push(m) });
    const token = newManageToken();
    const requests: [string, string][] = [
      ['GET', `/api/bookings/${token}`],
      ['POST', `/api/bookings/${token}/cancel`],
      ['GET', `/api/bookings/${token}/ics`],
      ['GET', `/ics/${token}.ics`],
    ];
    for (const [method, path] of requests) {
      const res = await app.request(path, { method });
      expect(res.status).toBe(500);
    }
    expect(logged).toHaveLength(requests.length);
    for (const line of logged) {
      expect(line).not.toContain(token);
      expect(line).toContain('[redacted]');
      expect(line).toContain('query failed');
    }
    expect(logged[1]).toContain('POST /api/bookings/[redacted]/cancel failed');
  });

  it('redacts /b/, /api/bookings/ and /ics/ segments, and any copy of the secret in the text', () => {
    expect(redactPath('/b/abcDEF123456').path).toBe('/b/[redacted]');
    expect(redactPath('/api/bookings/abcDEF123456/reschedule').path).toBe('/api/bookings/[redacted]/reschedule');
    expect(redactPath('/api/bookings').path).toBe('/api/bookings');
    expect(redactPath('/c/demo/intro').path).toBe('/c/demo/intro');
    expect(redactedLogLine('/b/abcDEF123456', 'GET /b/abcDEF123456 failed: fetch http://x/api/bookings/abcDEF123456'))
      .toBe('GET /b/[redacted] failed: fetch http://x/api/bookings/[redacted]');
  });
});

describe('/examples/ links come from PUBLIC_URL', () => {
  it('a forged Host header does not change the widget links or the CSP', async () => {
    const app = createApp({ db: failingDb(() => new Error('unused')), config, log: () => {} });
    const res = await app.request('http://evil.example/examples/inline.html', { headers: { host: 'evil.example' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('https://book.example.com/widget.js');
    expect(html).not.toContain('evil.example');
    expect(res.headers.get('content-security-policy')).toContain('https://book.example.com');
    expect(res.headers.get('content-security-policy')).not.toContain('evil.example');
  });
});

describe('the booking page while the database is down', () => {
  // A minimal built page, so this test needs no `npm run build`.
  const distDir = mkdtempSync(join(tmpdir(), 'slotline-dist-'));
  writeFileSync(join(distDir, 'index.html'),
    '<!doctype html><html lang="en"><head><title>Slotline</title></head><body><div id="app"></div>' +
    '<script type="module" src="/assets/app.js"></script></body></html>');
  const pagesOver = (db: Db) => {
    const api = createApp({ db, config, log: () => {} });
    return pageRoutes({ fetchApi: async (path) => api.request(path), distDir });
  };

  it('answers 503 "temporarily unavailable, try again", not 200 "does not exist"', async () => {
    const pages = pagesOver(failingDb(() => new DbUnavailableError('connection refused')));
    for (const path of ['/c/demo', '/c/demo/intro']) {
      const res = await pages.request(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(res.headers.get('cache-control')).toBe('no-store');
      const html = await res.text();
      expect(html).toContain('temporarily unavailable');
      expect(html).toContain('try again');
      expect(html).not.toContain('does not exist');
      expect(html).not.toContain('/assets/app.js');
    }
    const ar = await pages.request('/c/demo?lang=ar');
    expect(ar.status).toBe(503);
    expect(await ar.text()).toContain('غير متاحة مؤقتًا');
  });

  it('an unknown provider on a working database is still a 404 "does not exist"', async () => {
    const pages = pagesOver({ kind: 'embedded', rpc: async () => null as never, close: async () => {} });
    const res = await pages.request('/c/nobody');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('does not exist');
  });
});
