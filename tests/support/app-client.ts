import { serve, type ServerType } from '@hono/node-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../../server/app.ts';
import { readConfig, type Config } from '../../server/config.ts';
import { openEmbeddedDb } from '../../server/db/embedded.ts';
import { openPostgresDb } from '../../server/db/postgres.ts';
import type { Db } from '../../server/db/port.ts';
import { stripeClient } from '../../server/payments/stripe.ts';
import { startLocalStripe } from '../../server/payments/local-stripe.ts';
import { seedDemo } from '../../server/providers/demo.ts';
import { jobHandlers } from '../../server/jobs/handlers.ts';
import { notifyOptions } from '../../server/notify/setup.ts';
import { startWorker } from '../../server/jobs/worker.ts';
import { freePort } from './postgres.ts';

/** A real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps every message, parsed by mailparser. */
export async function startSmtp() {
  const mails: ParsedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        waiters.splice(0).forEach((wake) => wake());
        callback();
      }, callback);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://slotline:secret-pass@127.0.0.1:${port}`,
    mails,
    /** The next message to `to` arriving after `after` messages (waits up to 10 s). */
    async waitFor(to: string, after = 0): Promise<ParsedMail> {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const found = mails.slice(after).find((m) => (m.to && !Array.isArray(m.to) ? m.to.text : '').includes(to));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface AppServer {
  url: string;
  db: Db;
  config: Config;
  /** Every line the app logged (the console sign-in links among them). */
  logs: string[];
  /** The app's clock; tests move it. */
  clock: { now: Date };
  stripe: Awaited<ReturnType<typeof startLocalStripe>>;
  close(): Promise<void>;
}

/**
 * The whole app on 127.0.0.1 with an injected clock, a captured log and the local Stripe, on PGlite, PostgreSQL
 * (`databaseUrl`) or any database handed in (`db`, e.g. the Supabase adapter on real PostgREST; closed with the server).
 */
export async function startAppServer(options: { env?: Record<string, string>; databaseUrl?: string; db?: Db; seed?: boolean; start?: Date } = {}): Promise<AppServer> {
  const port = await freePort();
  const config = readConfig({
    PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_BOOKINGS_PER_IP: '0', RATE_LIMIT_BOOKINGS_PER_PROVIDER: '0',
    SLOTS_CACHE_MS: '0', ...options.env,
  });
  const db = options.db ?? (options.databaseUrl ? await openPostgresDb({ url: options.databaseUrl }) : await openEmbeddedDb());
  if (options.seed !== false) await seedDemo(db);
  const stripe = await startLocalStripe({ webhookSecret: 'whsec_test_local', webhookUrl: `http://127.0.0.1:${port}/api/stripe/webhook` });
  const payments = { stripe: stripeClient('sk_test_local', stripe.url), webhookSecret: 'whsec_test_local' };
  const logs: string[] = [];
  const clock = { now: options.start ?? new Date('2026-03-02T06:00:00Z') };
  // The job worker every instance runs (refunds, calendar write-back), as `npm start` does.
  const worker = startWorker({ db, handlers: jobHandlers({ payments, stripeApiBase: config.stripeApiBase, calendars: config.calendars, now: () => clock.now, notify: notifyOptions(config) }), pollMs: 100, backoffMs: 50, log: (m) => logs.push(m) });
  const app = createApp({ db, config, payments, now: () => clock.now, log: (m) => logs.push(m), jobs: worker });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${port}`, db, config, logs, clock, stripe,
    async close() {
      await worker.stop(2_000);
      await stripe.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await db.close();
    },
  };
}

/** A browser-like client of the provider app: keeps the session cookie, sends JSON with the app's Origin. */
export class AppClient {
  cookie = '';
  constructor(readonly server: { url: string; config: Config }) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.server.url + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(method === 'GET' ? {} : { 'content-type': 'application/json', origin: new URL(this.server.config.publicUrl).origin }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [, value] = pair.split('=');
      this.cookie = /max-age=0/i.test(line) || value === '' ? '' : pair;
    }
    return res;
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);
  patch = (path: string, body?: unknown) => this.request('PATCH', path, body);
  delete = (path: string, body?: unknown) => this.request('DELETE', path, body);

  async json<T = any>(method: string, path: string, body?: unknown, status?: number): Promise<T> {
    const res = await this.request(method, path, body);
    const data = (await res.json()) as T;
    if (status !== undefined && res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(data)}`);
    return data;
  }
}

/** The link and code the console mode printed for `email` (the latest). */
export function printedSignIn(logs: string[], email: string): { token: string; code: string } {
  const line = [...logs].reverse().find((l) => l.startsWith(`[slotline] sign-in link for ${email}: `));
  if (!line) throw new Error(`no sign-in line for ${email}`);
  const m = /callback\?token=([\w-]+) \(or code (\d{6})\)/.exec(line)!;
  return { token: m[1], code: m[2] };
}

/** Signs a client in through the console mode (asks for a link, then verifies the printed code). */
export async function signInWithCode(client: AppClient, logs: string[], email: string): Promise<Response> {
  const asked = await client.post('/api/app/sign-in', { email });
  if (asked.status !== 202) throw new Error(`sign-in answered ${asked.status}`);
  const { code } = printedSignIn(logs, email);
  return client.post('/api/app/sign-in/verify', { email, code });
}

/**
 * Signs `email` in (the first account owns the seeded demo provider) and returns its client and the base path of
 * its first provider's owner API (`/api/app/providers/<id>`).
 */
export async function signInOwner(server: AppServer, email = 'layla@example.com'): Promise<{ owner: AppClient; base: string }> {
  const owner = new AppClient(server);
  const signedIn = await signInWithCode(owner, server.logs, email);
  if (signedIn.status !== 200) throw new Error(`signing in ${email} answered ${signedIn.status}`);
  const me = await owner.json('GET', '/api/app/me', undefined, 200);
  return { owner, base: `/api/app/providers/${me.providers[0].id}` };
}
