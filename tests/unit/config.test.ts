import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_DEFAULTS, readConfig, type EnvName } from '../../server/config.ts';

const ROOT = new URL('../../', import.meta.url);

describe('readConfig', () => {
  it('with nothing set, gives the documented defaults (embedded database, no Stripe, no calendars secrets)', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8787',
      holdMinutes: 30,
      trustProxy: false,
      seedDemo: true,
      readCacheMs: 5000,
      database: { kind: 'embedded', dataDir: './.data' },
      stripe: null,
      demoPayments: true,
      calendars: { secretsKey: null, google: null },
      smtpUrl: null,
      mailFrom: 'Slotline <no-reply@127.0.0.1>',
      signupOpen: false,
      signInLimits: { perEmail: 5, perIp: 30, windowSeconds: 900 },
      jobs: { pollMs: 1000, concurrency: 4, leaseSeconds: 300, backoffMs: 5000, handlersModule: null },
    });
    expect(config.rateLimits).toEqual([
      { endpoint: 'bookings', per: 'ip', max: 20, windowSeconds: 600 },
      { endpoint: 'bookings', per: 'provider', max: 200, windowSeconds: 600 },
    ]);
  });

  it('treats an empty variable as unset', () => {
    const empty = Object.fromEntries(Object.keys(ENV_DEFAULTS).map((name) => [name, '']));
    expect(readConfig(empty)).toEqual(readConfig({}));
  });

  it('ignores variables it does not know (only ENV_DEFAULTS names are read)', () => {
    expect(readConfig({ PATH: '/usr/bin', HOME: '/root', toString: 'x' })).toEqual(readConfig({}));
  });

  it('refuses a bad integer, naming the variable and the value', () => {
    const integers = Object.keys(ENV_DEFAULTS).filter((name) => /^\d+$/.test(ENV_DEFAULTS[name as EnvName])) as EnvName[];
    expect(integers).toContain('PORT');
    expect(integers).toContain('JOBS_CONCURRENCY');
    for (const name of integers) {
      for (const bad of ['many', '1.5', '-1', '1e3', '0x10']) {
        expect(() => readConfig({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`^${name} must be a whole number ≥ \\d+, got "${bad.replace('.', '\\.')}"$`));
      }
    }
  });

  it('refuses values under a minimum (window at least 1 s, poll at least 10 ms, lease at least 1 s)', () => {
    expect(() => readConfig({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(/RATE_LIMIT_WINDOW_SECONDS must be a whole number ≥ 1/);
    expect(() => readConfig({ JOBS_POLL_MS: '5' })).toThrow(/JOBS_POLL_MS must be a whole number ≥ 10/);
    expect(() => readConfig({ JOBS_LEASE_SECONDS: '0' })).toThrow(/JOBS_LEASE_SECONDS/);
    expect(readConfig({ JOBS_POLL_MS: '10', JOBS_CONCURRENCY: '0' }).jobs).toMatchObject({ pollMs: 10, concurrency: 0 });
  });

  it('reads switches as true/false or 1/0, and refuses anything else by name', () => {
    expect(readConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(readConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(readConfig({ DEMO_PAYMENTS: '0' }).demoPayments).toBe(false);
    expect(readConfig({ DEMO_PAYMENTS: 'false' }).demoPayments).toBe(false);
    expect(() => readConfig({ TRUST_PROXY: 'maybe' })).toThrow(/^TRUST_PROXY must be true or false/);
    expect(() => readConfig({ SIGNUP: 'sometimes' })).toThrow(/^SIGNUP must be "open" or "closed"/);
  });

  it('derives PUBLIC_URL, MAIL_FROM and SEED_DEMO from other settings unless they are set', () => {
    expect(readConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicUrl).toBe('http://localhost:9000');
    const set = readConfig({ PUBLIC_URL: 'https://book.example.com/', MAIL_FROM: 'Kim <kim@example.com>' });
    expect(set.publicUrl).toBe('https://book.example.com');
    expect(set.mailFrom).toBe('Kim <kim@example.com>');
    expect(readConfig({ PUBLIC_URL: 'https://book.example.com' }).mailFrom).toBe('Slotline <no-reply@book.example.com>');
    expect(() => readConfig({ PUBLIC_URL: 'book.example.com' })).toThrow(/^PUBLIC_URL must be an absolute URL/);
    expect(readConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' }).seedDemo).toBe(false);
    expect(readConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', SEED_DEMO: '1' }).seedDemo).toBe(true);
    expect(readConfig({ SEED_DEMO: '0' }).seedDemo).toBe(false);
  });

  it('selects the database: Supabase (both variables), else DATABASE_URL, else DATA_DIR', () => {
    expect(readConfig({ SUPABASE_URL: 'https://abc.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k', DATABASE_URL: 'postgres://h/db' }).database)
      .toEqual({ kind: 'supabase', url: 'https://abc.supabase.co', serviceRoleKey: 'k' });
    expect(() => readConfig({ SUPABASE_URL: 'https://abc.supabase.co' })).toThrow(/Set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY/);
    expect(() => readConfig({ SUPABASE_SERVICE_ROLE_KEY: 'k' })).toThrow(/Set both/);
    expect(readConfig({ DATABASE_URL: 'postgres://h/db' }).database).toEqual({ kind: 'postgres', url: 'postgres://h/db' });
    expect(readConfig({ DATA_DIR: '/var/lib/slotline' }).database).toEqual({ kind: 'embedded', dataDir: '/var/lib/slotline' });
  });

  it('never echoes a password from a bad database URL', () => {
    const messageOf = (env: Record<string, string>) => {
      try {
        readConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const wrongScheme = messageOf({ DATABASE_URL: 'mysql://user:hunter2@host/db' });
    expect(wrongScheme).toMatch(/^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    expect(wrongScheme).not.toContain('hunter2');
    const notUrl = messageOf({ DATABASE_URL: 'not a url :hunter2@x' });
    expect(notUrl).toMatch(/^DATABASE_URL must be an absolute URL/);
    expect(notUrl).not.toContain('hunter2');
  });

  it('reads Stripe keys (the webhook secret is required with the key) and the API base', () => {
    expect(readConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }).stripe)
      .toEqual({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', apiBase: null });
    expect(readConfig({ STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe?.apiBase)
      .toBe('http://127.0.0.1:12111');
    expect(() => readConfig({ STRIPE_SECRET_KEY: 'sk_test_1' })).toThrow(/STRIPE_WEBHOOK_SECRET is required/);
  });

  it('decodes SECRETS_KEY once and builds the Google client only with both id and secret', () => {
    const key = randomBytes(32);
    expect(readConfig({ SECRETS_KEY: key.toString('base64') }).calendars.secretsKey?.equals(key)).toBe(true);
    expect(() => readConfig({ SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY is malformed/);
    expect(readConfig({ GOOGLE_CLIENT_ID: 'id' }).calendars.google).toBeNull();
    expect(readConfig({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 's', GOOGLE_API_BASE: 'http://127.0.0.1:9/v3' }).calendars.google).toEqual({
      clientId: 'id', clientSecret: 's', redirectUri: 'http://127.0.0.1:8787/oauth/google/callback',
      oauthBase: undefined, apiBase: 'http://127.0.0.1:9/v3',
    });
  });

  it('checks SMTP_URL', () => {
    expect(readConfig({ SMTP_URL: 'smtps://u:p@smtp.example.com:465' }).smtpUrl).toBe('smtps://u:p@smtp.example.com:465');
    expect(() => readConfig({ SMTP_URL: 'http://smtp.example.com' })).toThrow(/^SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
  });
});

describe('one place reads the environment', () => {
  /** The only files under server/ that may mention it: the config reader and the entry points that call it. */
  const ALLOWED = new Set(['server/config.ts', 'server/main.ts', 'server/calendars/connect-cli.ts']);
  const allowed = (path: string) => ALLOWED.has(path) || path.startsWith('server/cli/');

  it('no file under server/ other than config.ts and the entry points mentions process.env', () => {
    const files = execFileSync('git', ['grep', '-l', '-e', 'process\\.env', '--', 'server'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(0); // the search itself works: main.ts calls readConfig(process.env)
    expect(files.filter((f) => !allowed(f))).toEqual([]);
  });

  it('.env.example and the README Configuration table list every variable readConfig reads', () => {
    const example = readFileSync(new URL('.env.example', ROOT), 'utf8');
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1));
    for (const name of Object.keys(ENV_DEFAULTS)) {
      expect(example, `.env.example lists ${name}`).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(table, `README Configuration lists ${name}`).toContain(`\`${name}\``);
    }
    // …and nothing the server no longer reads (CLI-only inputs are marked in both).
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const cliOnly = ['CALDAV_PASSWORD', 'ICS_URL'];
    expect(listed.filter((name) => !(name in ENV_DEFAULTS) && !cliOnly.includes(name))).toEqual([]);
  });
});
