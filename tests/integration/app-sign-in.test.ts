import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppClient, printedSignIn, signInWithCode, startAppServer, startSmtp, type AppServer } from '../support/app-client.ts';

const MIN = 60_000;

describe('sign-in by email over a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let server: AppServer;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startAppServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Slotline <app@slotline.test>', SIGN_IN_LIMIT_PER_EMAIL: '0' } });
  });
  afterAll(async () => {
    await server.close();
    await smtp.close();
  });

  const linkAndCode = (text: string) => ({
    link: /(http:\/\/\S+\/app\/sign-in\/callback\?token=[\w-]+)/.exec(text)![1],
    code: /\b(\d{6})\b/.exec(text)![1],
  });

  it('mails a link (text and HTML) that signs in once; the first email becomes the demo provider\'s owner', async () => {
    const client = new AppClient(server);
    const before = smtp.mails.length;
    const res = await client.post('/api/app/sign-in', { email: 'Layla@Example.com' });
    expect(res.status).toBe(202);
    const mail = await smtp.waitFor('layla@example.com', before);
    expect(mail.subject).toBe('Your Slotline sign-in link');
    expect(mail.from?.text).toContain('app@slotline.test');
    const { link, code } = linkAndCode(mail.text ?? '');
    expect(String(mail.html)).toContain(link.replace(/&/g, '&#38;'));
    expect(String(mail.html)).toContain(code);
    // Nothing about the token in the log: only the console mode prints links.
    expect(server.logs.join('\n')).not.toContain(link.split('token=')[1]);

    const callback = await client.request('GET', link.replace(server.config.publicUrl, ''));
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/app');
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer');
    expect(client.cookie).toMatch(/^slotline_session=/);

    const me = await client.json('GET', '/api/app/me', undefined, 200);
    expect(me.user.email).toBe('layla@example.com');
    expect(me.providers.map((p: { slug: string }) => p.slug)).toEqual(['demo']);

    // The same link again: refused, and the second browser has no session.
    const again = new AppClient(server);
    const reused = await again.request('GET', link.replace(server.config.publicUrl, ''));
    expect(reused.headers.get('location')).toBe('/app/sign-in?error=invalid-link');
    expect(again.cookie).toBe('');
    expect((await again.get('/api/app/me')).status).toBe(401);
    // The code of a used challenge is spent too.
    expect((await again.post('/api/app/sign-in/verify', { email: 'layla@example.com', code })).status).toBe(400);
  });

  it('the six-digit code works once from another browser', async () => {
    const before = smtp.mails.length;
    await new AppClient(server).post('/api/app/sign-in', { email: 'layla@example.com' });
    const { code } = linkAndCode((await smtp.waitFor('layla@example.com', before)).text ?? '');
    const other = new AppClient(server);
    const ok = await other.post('/api/app/sign-in/verify', { email: 'layla@example.com', code });
    expect(ok.status).toBe(200);
    expect((await ok.json()).user.email).toBe('layla@example.com');
    expect((await other.get('/api/app/me')).status).toBe(200);
    const third = new AppClient(server);
    expect((await third.post('/api/app/sign-in/verify', { email: 'layla@example.com', code })).status).toBe(400);
  });

  it('link and code stop working at 15 minutes (injected clock)', async () => {
    const start = server.clock.now;
    try {
      for (const [offset, works] of [[15 * MIN - 1000, true], [15 * MIN, false]] as const) {
        for (const kind of ['link', 'code'] as const) {
          server.clock.now = start;
          const before = smtp.mails.length;
          await new AppClient(server).post('/api/app/sign-in', { email: 'layla@example.com' });
          const { link, code } = linkAndCode((await smtp.waitFor('layla@example.com', before)).text ?? '');
          server.clock.now = new Date(start.getTime() + offset);
          const client = new AppClient(server);
          if (kind === 'link') {
            const res = await client.request('GET', link.replace(server.config.publicUrl, ''));
            expect(res.headers.get('location'), `${kind} at +${offset}ms`).toBe(works ? '/app' : '/app/sign-in?error=invalid-link');
          } else {
            const res = await client.post('/api/app/sign-in/verify', { email: 'layla@example.com', code });
            expect(res.status, `${kind} at +${offset}ms`).toBe(works ? 200 : 400);
          }
        }
      }
    } finally {
      server.clock.now = start;
    }
  });

  it('five wrong codes end the challenge, so the right code no longer works', async () => {
    const before = smtp.mails.length;
    await new AppClient(server).post('/api/app/sign-in', { email: 'layla@example.com' });
    const { code } = linkAndCode((await smtp.waitFor('layla@example.com', before)).text ?? '');
    const wrong = code === '000000' ? '000001' : '000000';
    const client = new AppClient(server);
    for (let i = 0; i < 5; i++) {
      const res = await client.post('/api/app/sign-in/verify', { email: 'layla@example.com', code: wrong });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await client.post('/api/app/sign-in/verify', { email: 'layla@example.com', code })).status).toBe(400);
  });

  it('writes the mail in Arabic, right to left, when asked', async () => {
    const before = smtp.mails.length;
    await new AppClient(server).post('/api/app/sign-in', { email: 'layla@example.com', lang: 'ar' });
    const mail = await smtp.waitFor('layla@example.com', before);
    expect(mail.subject).toBe('رابط الدخول إلى Slotline');
    expect(String(mail.html)).toContain('dir="rtl"');
    expect(mail.headers.get('content-language')).toBe('ar');
  });

  it('answers the same 202 for an address that may not sign up, and sends it nothing', async () => {
    const known = await new AppClient(server).post('/api/app/sign-in', { email: 'layla@example.com' });
    const before = smtp.mails.length;
    const unknown = await new AppClient(server).post('/api/app/sign-in', { email: 'stranger@example.com' });
    expect(unknown.status).toBe(known.status);
    expect(await unknown.json()).toEqual(await known.json());
    await smtp.waitFor('layla@example.com', before - 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.slice(before).some((m) => JSON.stringify(m.to).includes('stranger@example.com'))).toBe(false);
  });

  it('rejects bad input with problem+json naming the field', async () => {
    const res = await new AppClient(server).post('/api/app/sign-in', { email: 'not-an-email' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0].field).toBe('email');
  });
});

describe('sign-in in console mode, sign-up rules, sessions', () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ env: { SIGN_IN_LIMIT_PER_EMAIL: '0' } });
  });
  afterAll(() => server.close());

  it('prints the link and code on one console line when no SMTP is set', async () => {
    const client = new AppClient(server);
    expect((await client.post('/api/app/sign-in', { email: 'owner@example.com' })).status).toBe(202);
    const line = server.logs.find((l) => l.includes('owner@example.com'))!;
    expect(line).toMatch(/^\[slotline\] sign-in link for owner@example\.com: http:\/\/127\.0\.0\.1:\d+\/app\/sign-in\/callback\?token=[\w-]{43} \(or code \d{6}\)$/);
    const { code } = printedSignIn(server.logs, 'owner@example.com');
    expect((await client.post('/api/app/sign-in/verify', { email: 'owner@example.com', code })).status).toBe(200);
    const me = await client.json('GET', '/api/app/me', undefined, 200);
    expect(me.providers[0].slug).toBe('demo');
  });

  it('closes sign-up after the first account: a second email gets no link and cannot take a provider', async () => {
    const logged = server.logs.length;
    expect((await new AppClient(server).post('/api/app/sign-in', { email: 'second@example.com' })).status).toBe(202);
    expect(server.logs.slice(logged).join('\n')).not.toContain('second@example.com');
    expect((await new AppClient(server).post('/api/app/sign-in/verify', { email: 'second@example.com', code: '123456' })).status).toBe(400);
  });

  it('sessions roll: 30 days idle ends one, using it within 30 days extends it', async () => {
    const start = server.clock.now;
    try {
      const client = new AppClient(server);
      expect((await signInWithCode(client, server.logs, 'owner@example.com')).status).toBe(200);
      server.clock.now = new Date(start.getTime() + 29 * 24 * 60 * MIN);
      expect((await client.get('/api/app/me')).status).toBe(200);
      server.clock.now = new Date(start.getTime() + 58 * 24 * 60 * MIN);
      expect((await client.get('/api/app/me')).status).toBe(200);
      server.clock.now = new Date(start.getTime() + 88 * 24 * 60 * MIN + MIN);
      expect((await client.get('/api/app/me')).status).toBe(401);
    } finally {
      server.clock.now = start;
    }
  });

  it('sign-out ends this session; sign-out-everywhere ends all of them', async () => {
    const a = new AppClient(server);
    const b = new AppClient(server);
    const c = new AppClient(server);
    for (const client of [a, b, c]) expect((await signInWithCode(client, server.logs, 'owner@example.com')).status).toBe(200);
    const aCookie = a.cookie;
    expect((await a.post('/api/app/sign-out')).status).toBe(200);
    expect(a.cookie).toBe('');
    a.cookie = aCookie; // a stolen copy of the cookie no longer works either
    expect((await a.get('/api/app/me')).status).toBe(401);
    expect((await b.get('/api/app/me')).status).toBe(200);
    const everywhere = await b.json('POST', '/api/app/sign-out-everywhere', {}, 200);
    expect(everywhere.sessions).toBeGreaterThanOrEqual(2);
    expect((await b.get('/api/app/me')).status).toBe(401);
    expect((await c.get('/api/app/me')).status).toBe(401);
  });

  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie without Secure on http', async () => {
    const client = new AppClient(server);
    await client.post('/api/app/sign-in', { email: 'owner@example.com' });
    const res = await client.post('/api/app/sign-in/verify', { email: 'owner@example.com', code: printedSignIn(server.logs, 'owner@example.com').code });
    const cookie = res.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^slotline_session=[\w-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=2592000/);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('refuses app writes from another origin (403) or without JSON (415), and writes nothing', async () => {
    const client = new AppClient(server);
    await signInWithCode(client, server.logs, 'owner@example.com');
    const me = await client.json('GET', '/api/app/me', undefined, 200);
    const path = `/api/app/providers/${me.providers[0].id}`;
    const cross = await client.request('PATCH', path, { name: 'Hijacked' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('content-type')).toContain('application/problem+json');
    const noOrigin = await fetch(server.url + path, { method: 'PATCH', headers: { cookie: client.cookie, 'content-type': 'application/json' }, body: '{"name":"Hijacked"}' });
    expect(noOrigin.status).toBe(403);
    const form = await client.request('PATCH', path, undefined, { 'content-type': 'text/plain' });
    expect(form.status).toBe(415);
    const signInForm = await client.request('POST', '/api/app/sign-in', undefined, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(signInForm.status).toBe(415);
    expect((await client.json('GET', path, undefined, 200)).name).not.toBe('Hijacked');
  });
});

describe('sign-in limits', () => {
  it('limits sign-in mails per email address (429 with Retry-After), whatever the address', async () => {
    const server = await startAppServer({ env: { SIGN_IN_LIMIT_PER_EMAIL: '3', SIGN_IN_LIMIT_PER_IP: '50' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await new AppClient(server).post('/api/app/sign-in', { email: 'limited@example.com' })).status);
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
      const res = await new AppClient(server).post('/api/app/sign-in', { email: 'limited@example.com' });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another address is counted on its own; only three challenges were stored for the limited one.
      expect((await new AppClient(server).post('/api/app/sign-in', { email: 'other@example.com' })).status).toBe(202);
      expect(server.logs.filter((l) => l.includes('sign-in link for limited@example.com')).length).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('limits sign-in requests and code guesses per client IP', async () => {
    const server = await startAppServer({ env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '4' } });
    try {
      const asks: number[] = [];
      for (let i = 0; i < 6; i++) asks.push((await new AppClient(server).post('/api/app/sign-in', { email: `person${i}@example.com` })).status);
      expect(asks).toEqual([202, 202, 202, 202, 429, 429]);
      const guesses: number[] = [];
      for (let i = 0; i < 6; i++) guesses.push((await new AppClient(server).post('/api/app/sign-in/verify', { email: 'person0@example.com', code: '00000' + i })).status);
      expect(guesses).toEqual([400, 400, 400, 400, 429, 429]);
    } finally {
      await server.close();
    }
  });
});

describe('the session cookie over https', () => {
  it('is __Host- prefixed and Secure when PUBLIC_URL is https', async () => {
    const server = await startAppServer({ env: { PUBLIC_URL: 'https://book.example.com' } });
    try {
      const client = new AppClient(server);
      await client.request('POST', '/api/app/sign-in', { email: 'owner@example.com' }, { origin: 'https://book.example.com' });
      const res = await client.request('POST', '/api/app/sign-in/verify',
        { email: 'owner@example.com', code: printedSignIn(server.logs, 'owner@example.com').code }, { origin: 'https://book.example.com' });
      expect(res.status).toBe(200);
      const cookie = res.headers.getSetCookie()[0];
      expect(cookie).toMatch(/^__Host-slotline_session=[\w-]{43};/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Lax/i);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
      // The link it prints uses PUBLIC_URL.
      expect(server.logs.join('\n')).toContain('https://book.example.com/app/sign-in/callback?token=');
    } finally {
      await server.close();
    }
  });
});

describe('SIGNUP=open', () => {
  it('lets a second email sign up, with no provider until onboarding makes one', async () => {
    const server = await startAppServer({ env: { SIGNUP: 'open' } });
    try {
      const first = new AppClient(server);
      expect((await signInWithCode(first, server.logs, 'first@example.com')).status).toBe(200);
      const second = new AppClient(server);
      const verified = await signInWithCode(second, server.logs, 'second@example.com');
      expect(verified.status).toBe(200);
      expect((await verified.json()).newAccount).toBe(true);
      const me = await second.json('GET', '/api/app/me', undefined, 200);
      expect(me.providers).toEqual([]);
      expect((await first.json('GET', '/api/app/me', undefined, 200)).providers[0].slug).toBe('demo');
    } finally {
      await server.close();
    }
  });
});
