import { rateLimitRulesFromEnv, type RateLimitRule } from './http/rate-limit.ts';

/**
 * Everything the server reads from the environment, with defaults that work with no
 * configuration at all (`npm start`). `.env.example` lists the same variables.
 */
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
   * `CALENDAR_PRIVATE_HOSTS=1`: the provider app may connect calendars on loopback/private addresses (a CalDAV server
   * on your own network, the tests). Off by default so a signed-in user cannot make the server probe its own network.
   */
  calendarPrivateHosts: boolean;
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

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
}

function smtpUrl(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('SMTP_URL must be a URL such as smtp://user:pass@smtp-relay.brevo.com:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('SMTP_URL must start with smtp:// or smtps://');
  return value;
}

function signup(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'closed') return false;
  if (value === 'open') return true;
  throw new Error(`SIGNUP must be "open" or "closed", got "${value}"`);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 8787, 'PORT');
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute URL, got "${env.PUBLIC_URL}"`);
  }
  return {
    port,
    host,
    publicUrl,
    holdMinutes: int(env.HOLD_MINUTES, 30, 'HOLD_MINUTES'),
    readCacheMs: int(env.SLOTS_CACHE_MS, 5_000, 'SLOTS_CACHE_MS'),
    rateLimits: rateLimitRulesFromEnv(env),
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: env.MAIL_FROM || `Slotline <no-reply@${new URL(publicUrl).hostname}>`,
    signupOpen: signup(env.SIGNUP),
    signInLimits: {
      perEmail: int(env.SIGN_IN_LIMIT_PER_EMAIL, 5, 'SIGN_IN_LIMIT_PER_EMAIL'),
      perIp: int(env.SIGN_IN_LIMIT_PER_IP, 30, 'SIGN_IN_LIMIT_PER_IP'),
      windowSeconds: 15 * 60,
    },
    jobs: {
      pollMs: Math.max(10, int(env.JOBS_POLL_MS, 1_000, 'JOBS_POLL_MS')),
      concurrency: int(env.JOBS_CONCURRENCY, 4, 'JOBS_CONCURRENCY'),
      leaseSeconds: Math.max(1, int(env.JOBS_LEASE_SECONDS, 300, 'JOBS_LEASE_SECONDS')),
      backoffMs: int(env.JOBS_BACKOFF_MS, 5_000, 'JOBS_BACKOFF_MS'),
      handlersModule: env.JOBS_HANDLERS_MODULE || null,
    },
    calendarPrivateHosts: env.CALENDAR_PRIVATE_HOSTS === '1' || env.CALENDAR_PRIVATE_HOSTS === 'true',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    seedDemo: env.SEED_DEMO === undefined ? !env.DATABASE_URL && !env.SUPABASE_URL : env.SEED_DEMO !== '0' && env.SEED_DEMO !== 'false',
  };
}
