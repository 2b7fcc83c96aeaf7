import type { GoogleOAuthConfig } from './calendars/google.ts';
import { MICROSOFT_CALLBACK, type MicrosoftOAuthConfig } from './calendars/microsoft.ts';
import { RATE_LIMIT_DEFAULTS, type RateLimitRule } from './http/rate-limit.ts';
import { parseSecretsKey } from './secrets/crypto.ts';

/**
 * Every environment variable the server reads, each with its default. An unset variable and an empty one mean the
 * same: the default. `''` here means "none" or "worked out from other settings" (said in the comment).
 * `.env.example` and the README's Configuration table list exactly these names (tests/unit/config.test.ts checks).
 * CLI-only inputs (`CALDAV_PASSWORD`, `ICS_URL`) are read by the CLI itself, not here.
 */
export const ENV_DEFAULTS = {
  // --- Server ---
  /** HTTP port. */
  PORT: '8787',
  /** Interface to bind (`0.0.0.0` accepts outside connections). */
  HOST: '127.0.0.1',
  /** Absolute base URL of links we hand out; '' = `http://HOST:PORT` (`localhost` for `0.0.0.0`). */
  PUBLIC_URL: '',
  /** Trust `X-Forwarded-For` / `-Proto` (only behind a proxy you run). */
  TRUST_PROXY: 'false',
  /** How long an unpaid booking holds its slot, minutes (a provider's `settings.booking.holdMinutes` wins). */
  HOLD_MINUTES: '30',
  /** Add the demo provider on start; '' = only on the embedded database. */
  SEED_DEMO: '',
  /** Reuse public slot answers this long, ms; 0 = off. */
  SLOTS_CACHE_MS: '5000',
  // --- Database: Supabase if SUPABASE_URL is set, else PostgreSQL if DATABASE_URL is set, else embedded PGlite ---
  /** Embedded PGlite data folder (the database lives in `<DATA_DIR>/pglite`). */
  DATA_DIR: './.data',
  /** `postgres://…`: PostgreSQL through postgres.js (also a Supabase project's database directly). */
  DATABASE_URL: '',
  /** `https://<ref>.supabase.co`: a Supabase project through its REST API (needs SUPABASE_SERVICE_ROLE_KEY). */
  SUPABASE_URL: '',
  /** The project's service role key (server-side only). */
  SUPABASE_SERVICE_ROLE_KEY: '',
  // --- Secrets at rest ---
  /** 32 bytes as base64 or 64 hex characters; encrypts calendar credentials (AES-256-GCM). '' = none. */
  SECRETS_KEY: '',
  // --- Payments ---
  /** Stripe secret key; '' = no Stripe. */
  STRIPE_SECRET_KEY: '',
  /** Signing secret of `POST /api/stripe/webhook` (required with STRIPE_SECRET_KEY). */
  STRIPE_WEBHOOK_SECRET: '',
  /** Another Stripe API host (stripe-mock, a local fake) for the server's and the providers' keys; '' = Stripe's. */
  STRIPE_API_BASE: '',
  /** Without Stripe keys, run a local test-mode checkout (no real money); false = paid services answer 503. */
  DEMO_PAYMENTS: 'true',
  // --- Google Calendar ---
  /** OAuth client id; '' = Google calendars off. */
  GOOGLE_CLIENT_ID: '',
  /** OAuth client secret. */
  GOOGLE_CLIENT_SECRET: '',
  /** Where Google sends the provider back. */
  GOOGLE_REDIRECT_URI: 'http://127.0.0.1:8787/oauth/google/callback',
  /** Other OAuth endpoints than Google's (tests use a local fake); '' = Google's. */
  GOOGLE_OAUTH_BASE: '',
  /** Other Calendar API endpoints than Google's; '' = Google's. */
  GOOGLE_API_BASE: '',
  // --- Microsoft 365 / Outlook.com calendars (Microsoft Graph) ---
  /** Application (client) id of the Entra ID app registration; '' = Microsoft calendars off. */
  MICROSOFT_CLIENT_ID: '',
  /** A client secret of that app registration. */
  MICROSOFT_CLIENT_SECRET: '',
  /** `common` (work, school and personal accounts), `organizations`, `consumers` or one tenant's id. */
  MICROSOFT_TENANT: 'common',
  /** The identity platform's sign-in host (tests use a local fake). */
  MICROSOFT_LOGIN_BASE: 'https://login.microsoftonline.com',
  /** Microsoft Graph's root (tests use a local fake). */
  MICROSOFT_GRAPH_BASE: 'https://graph.microsoft.com/v1.0',
  // --- Provider app sign-in ---
  /** `smtp://user:pass@host:587` or `smtps://…`; '' = print sign-in links to the console. */
  SMTP_URL: '',
  /** Sender of sign-in mail; '' = `Slotline <no-reply@<PUBLIC_URL host>>`. */
  MAIL_FROM: '',
  /** `open`: anyone may create an account; `closed`: only the first sign-in on a fresh instance. */
  SIGNUP: 'closed',
  /** Sign-in mails per address per 15 minutes; 0 = no limit. */
  SIGN_IN_LIMIT_PER_EMAIL: '5',
  /** Sign-in requests and code guesses per client IP per 15 minutes; 0 = no limit. */
  SIGN_IN_LIMIT_PER_IP: '30',
  // --- Abuse limits (counted in the database across instances) ---
  /** Booking writes (book, cancel, reschedule) per client IP per window; 0 = off. */
  RATE_LIMIT_BOOKINGS_PER_IP: String(RATE_LIMIT_DEFAULTS.perIp),
  /** The same per provider; 0 = off. */
  RATE_LIMIT_BOOKINGS_PER_PROVIDER: String(RATE_LIMIT_DEFAULTS.perProvider),
  /** The window, seconds (at least 1). */
  RATE_LIMIT_WINDOW_SECONDS: String(RATE_LIMIT_DEFAULTS.windowSeconds),
  // --- Background jobs (server/jobs/) ---
  /** Idle poll for due jobs, ms (at least 10; a request that enqueues work wakes the worker anyway). */
  JOBS_POLL_MS: '1000',
  /** Jobs run at once per instance; 0 = no worker in this instance. */
  JOBS_CONCURRENCY: '4',
  /** How long a claimed job stays this instance's before another may take it, seconds (at least 1). */
  JOBS_LEASE_SECONDS: '300',
  /** First retry delay of a failed job, ms, doubling per attempt up to an hour. */
  JOBS_BACKOFF_MS: '5000',
  /** A module whose default export maps extra job kinds to handlers (the tests use it); '' = none. */
  JOBS_HANDLERS_MODULE: '',
  // --- WhatsApp Business Cloud API (optional: confirmations and reminders as approved templates) ---
  /** Access token of the WhatsApp Business account; '' = off (with WHATSAPP_PHONE_NUMBER_ID). */
  WHATSAPP_TOKEN: '',
  /** The sending number's id in the WhatsApp Business account; '' = off. */
  WHATSAPP_PHONE_NUMBER_ID: '',
  /** Graph API base (tests point it at a local fake). */
  WHATSAPP_API_BASE: 'https://graph.facebook.com',
  /** Graph API version. */
  WHATSAPP_API_VERSION: 'v21.0',
  /** Approved utility template for confirmations. */
  WHATSAPP_TEMPLATE_CONFIRMATION: 'booking_confirmation',
  /** Approved utility template for reminders. */
  WHATSAPP_TEMPLATE_REMINDER: 'booking_reminder',
  // --- Calendars connected from the provider app ---
  /** Allow calendar servers on loopback/private addresses and plain http (your own network, the tests). */
  CALENDAR_PRIVATE_HOSTS: 'false',
} as const;

export type EnvName = keyof typeof ENV_DEFAULTS;

/** Which database the server opens (server/db/index.ts `openDb`). */
export type DatabaseConfig =
  | { kind: 'supabase'; url: string; serviceRoleKey: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'embedded'; dataDir: string };

/** Calendar refresh and write-back settings, handed to them by the app and the job worker (never read per call). */
export interface CalendarsConfig {
  /** `SECRETS_KEY`, decoded; null when unset (a source with a stored secret then fails with "SECRETS_KEY is not set"). */
  secretsKey: Buffer | null;
  /** The Google OAuth client; null when `GOOGLE_CLIENT_ID` / `GOOGLE_CLIENT_SECRET` are unset. */
  google: GoogleOAuthConfig | null;
  /**
   * The Microsoft app registration, redirecting to `<PUBLIC_URL>/api/app/calendars/microsoft/callback`; null when
   * `MICROSOFT_CLIENT_ID` / `MICROSOFT_CLIENT_SECRET` are unset.
   */
  microsoft: MicrosoftOAuthConfig | null;
}

/** Everything the server reads from the environment, parsed once (`readConfig`) and passed down. */
export interface Config {
  port: number;
  host: string;
  /** Absolute base URL used in links we hand out (manage links, share links). */
  publicUrl: string;
  holdMinutes: number;
  /** Trust X-Forwarded-For / X-Forwarded-Proto (only behind a proxy you run). */
  trustProxy: boolean;
  seedDemo: boolean;
  /** How long public slot answers are reused (ms); 0 turns the cache off. */
  readCacheMs: number;
  database: DatabaseConfig;
  /** Stripe keys; null without `STRIPE_SECRET_KEY` (`server/payments/stripe.ts` makes the client). */
  stripe: { secretKey: string; webhookSecret: string; apiBase: string | null } | null;
  /** Without Stripe keys, run the local test-mode checkout so paid services work in the demo. */
  demoPayments: boolean;
  /** `STRIPE_API_BASE` on its own: the host providers' own Stripe keys (connected in the app) are used against too. */
  stripeApiBase: string | null;
  calendars: CalendarsConfig;
  /** Limits on write endpoints per client IP and per provider, counted in the database. */
  rateLimits: RateLimitRule[];
  /** Provider app sign-in mail (`SMTP_URL`, e.g. smtp://user:pass@host:587); null prints the link to the console. */
  smtpUrl: string | null;
  /** Sender of sign-in mail (`MAIL_FROM`). */
  mailFrom: string;
  /** `SIGNUP=open`: anyone may create an account; otherwise only the first sign-in on a fresh instance. */
  signupOpen: boolean;
  /** Sign-in mails per email address and per client IP in `windowSeconds` (0 = no limit). */
  signInLimits: { perEmail: number; perIp: number; windowSeconds: number };
  /** The background job worker every instance runs (server/jobs/). */
  jobs: JobsConfig;
  /**
   * Optional WhatsApp Business Cloud API for confirmations and reminders (server/notify/whatsapp-cloud.ts): on only
   * when `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are both set.
   */
  whatsappCloud: WhatsAppCloudConfig | null;
  /**
   * `CALENDAR_PRIVATE_HOSTS=true`: the provider app may connect calendars on loopback/private addresses (a CalDAV
   * server on your own network, the tests). Off by default so a signed-in user cannot make the server probe its own
   * network.
   */
  calendarPrivateHosts: boolean;
}

export interface WhatsAppCloudConfig {
  token: string;
  phoneNumberId: string;
  /** `WHATSAPP_API_BASE` (default https://graph.facebook.com; tests point it at a local fake). */
  apiBase: string;
  /** `WHATSAPP_API_VERSION` (default v21.0). */
  apiVersion: string;
  /** Approved utility template names (`WHATSAPP_TEMPLATE_CONFIRMATION`, `WHATSAPP_TEMPLATE_REMINDER`). */
  templates: { confirmation: string; reminder: string };
}

export interface JobsConfig {
  /** Idle poll for due jobs, ms (`JOBS_POLL_MS`, default 1000; a request that enqueues work wakes the worker anyway). */
  pollMs: number;
  /** Jobs run at once per instance (`JOBS_CONCURRENCY`, default 4; 0 runs no worker in this instance). */
  concurrency: number;
  /** How long a claimed job stays this instance's before another may take it (`JOBS_LEASE_SECONDS`, default 300). */
  leaseSeconds: number;
  /** First retry delay, doubling per attempt up to an hour (`JOBS_BACKOFF_MS`, default 5000). */
  backoffMs: number;
  /** A module whose default export maps extra job kinds to handlers (`JOBS_HANDLERS_MODULE`; the tests use it). */
  handlersModule: string | null;
}

/**
 * Reads the configuration from `env` (the process environment in `server/main.ts`; a plain object in tests), with the
 * defaults of `ENV_DEFAULTS` spread under it once. Throws an Error naming the variable when a value is unusable, so
 * start-up stops before anything listens. Only names in `ENV_DEFAULTS` are read.
 *
 * @example
 * const config = readConfig({ PORT: '0', RATE_LIMIT_BOOKINGS_PER_IP: '0' });
 */
export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const set = Object.fromEntries(Object.entries(env).filter(([name, value]) => Object.hasOwn(ENV_DEFAULTS, name) && value !== undefined && value !== ''));
  const e: Record<EnvName, string> = { ...ENV_DEFAULTS, ...set };

  /** The one integer parser: a whole number ≥ min, or an error naming the variable. */
  const int = (name: EnvName, min = 0): number => {
    const n = Number(e[name]);
    if (!Number.isInteger(n) || n < min || !/^\s*\d+\s*$/.test(e[name])) {
      throw new Error(`${name} must be a whole number ≥ ${min}, got "${e[name]}"`);
    }
    return n;
  };
  const flag = (name: EnvName): boolean => {
    const value = e[name].toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new Error(`${name} must be true or false (1 or 0), got "${e[name]}"`);
  };
  const url = (name: EnvName, protocols: string[], example: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(e[name]);
    } catch {
      // The value is not echoed: DATABASE_URL and SMTP_URL carry passwords.
      throw new Error(`${name} must be an absolute URL such as ${example}`);
    }
    if (!protocols.includes(parsed.protocol)) throw new Error(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return e[name];
  };
  const optional = (name: EnvName): string | null => e[name] || null;

  const port = int('PORT');
  const host = e.HOST;
  if (!e.PUBLIC_URL) e.PUBLIC_URL = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'], 'https://book.example.com').replace(/\/+$/, '');
  const database = databaseOf(e, url);
  const perIp = int('RATE_LIMIT_BOOKINGS_PER_IP');
  const perProvider = int('RATE_LIMIT_BOOKINGS_PER_PROVIDER');
  const windowSeconds = int('RATE_LIMIT_WINDOW_SECONDS', 1);

  return {
    port,
    host,
    publicUrl,
    holdMinutes: int('HOLD_MINUTES'),
    trustProxy: flag('TRUST_PROXY'),
    seedDemo: e.SEED_DEMO ? flag('SEED_DEMO') : database.kind === 'embedded',
    readCacheMs: int('SLOTS_CACHE_MS'),
    database,
    stripe: stripeOf(e, optional('STRIPE_API_BASE') && url('STRIPE_API_BASE', ['http:', 'https:'], 'http://127.0.0.1:12111')),
    stripeApiBase: optional('STRIPE_API_BASE') && url('STRIPE_API_BASE', ['http:', 'https:'], 'http://127.0.0.1:12111'),
    demoPayments: flag('DEMO_PAYMENTS'),
    calendars: {
      secretsKey: e.SECRETS_KEY ? parseSecretsKey(e.SECRETS_KEY) : null,
      google: e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
        ? {
            clientId: e.GOOGLE_CLIENT_ID,
            clientSecret: e.GOOGLE_CLIENT_SECRET,
            redirectUri: e.GOOGLE_REDIRECT_URI,
            oauthBase: optional('GOOGLE_OAUTH_BASE') ?? undefined,
            apiBase: optional('GOOGLE_API_BASE') ?? undefined,
          }
        : null,
      microsoft: e.MICROSOFT_CLIENT_ID && e.MICROSOFT_CLIENT_SECRET
        ? {
            clientId: e.MICROSOFT_CLIENT_ID,
            clientSecret: e.MICROSOFT_CLIENT_SECRET,
            redirectUri: `${publicUrl}${MICROSOFT_CALLBACK}`,
            tenant: e.MICROSOFT_TENANT,
            loginBase: url('MICROSOFT_LOGIN_BASE', ['http:', 'https:'], 'https://login.microsoftonline.com').replace(/\/+$/, ''),
            graphBase: url('MICROSOFT_GRAPH_BASE', ['http:', 'https:'], 'https://graph.microsoft.com/v1.0').replace(/\/+$/, ''),
          }
        : null,
    },
    rateLimits: [
      ...(perIp > 0 ? [{ endpoint: 'bookings', per: 'ip', max: perIp, windowSeconds } as const] : []),
      ...(perProvider > 0 ? [{ endpoint: 'bookings', per: 'provider', max: perProvider, windowSeconds } as const] : []),
    ],
    smtpUrl: e.SMTP_URL ? url('SMTP_URL', ['smtp:', 'smtps:'], 'smtp://user:pass@smtp-relay.brevo.com:587') : null,
    mailFrom: e.MAIL_FROM || `Slotline <no-reply@${new URL(publicUrl).hostname}>`,
    signupOpen: signup(e.SIGNUP),
    signInLimits: { perEmail: int('SIGN_IN_LIMIT_PER_EMAIL'), perIp: int('SIGN_IN_LIMIT_PER_IP'), windowSeconds: 15 * 60 },
    jobs: {
      pollMs: int('JOBS_POLL_MS', 10),
      concurrency: int('JOBS_CONCURRENCY'),
      leaseSeconds: int('JOBS_LEASE_SECONDS', 1),
      backoffMs: int('JOBS_BACKOFF_MS'),
      handlersModule: optional('JOBS_HANDLERS_MODULE'),
    },
    whatsappCloud: e.WHATSAPP_TOKEN && e.WHATSAPP_PHONE_NUMBER_ID
      ? {
          token: e.WHATSAPP_TOKEN,
          phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
          apiBase: url('WHATSAPP_API_BASE', ['https:', 'http:'], 'https://graph.facebook.com').replace(/\/+$/, ''),
          apiVersion: e.WHATSAPP_API_VERSION,
          templates: { confirmation: e.WHATSAPP_TEMPLATE_CONFIRMATION, reminder: e.WHATSAPP_TEMPLATE_REMINDER },
        }
      : null,
    calendarPrivateHosts: flag('CALENDAR_PRIVATE_HOSTS'),
  };
}

/** Supabase when either of its variables is set (then both must be), else PostgreSQL, else the embedded database. */
function databaseOf(
  e: Record<EnvName, string>, url: (name: EnvName, protocols: string[], example: string) => string,
): DatabaseConfig {
  if (e.SUPABASE_URL || e.SUPABASE_SERVICE_ROLE_KEY) {
    if (!e.SUPABASE_URL || !e.SUPABASE_SERVICE_ROLE_KEY) throw new Error('Set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to use Supabase.');
    return { kind: 'supabase', url: url('SUPABASE_URL', ['https:', 'http:'], 'https://<ref>.supabase.co'), serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY };
  }
  if (e.DATABASE_URL) return { kind: 'postgres', url: url('DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/db') };
  return { kind: 'embedded', dataDir: e.DATA_DIR };
}

function stripeOf(e: Record<EnvName, string>, apiBase: string | null): Config['stripe'] {
  if (!e.STRIPE_SECRET_KEY) return null;
  if (!e.STRIPE_WEBHOOK_SECRET) throw new Error('STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the webhook confirms payments).');
  return { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, apiBase };
}

function signup(value: string): boolean {
  if (value === 'closed') return false;
  if (value === 'open') return true;
  throw new Error(`SIGNUP must be "open" or "closed", got "${value}"`);
}
