import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { DbUnavailableError, type Db } from '../db/port.ts';
import { bookingRequestSchema } from '../bookings/schema.ts';
import { hashToken, looksLikeToken } from '../bookings/tokens.ts';
import { problem } from './problem.ts';
import { bookingProvider } from '../bookings/provider-cache.ts';

/** One limit: at most `max` writes per `windowSeconds`, counted per client address or per provider. */
export interface RateLimitRule {
  /** Stored with the counts, so rules with the same name share them (e.g. `bookings`). */
  endpoint: string;
  per: 'ip' | 'provider';
  max: number;
  windowSeconds: number;
}

export interface RateLimitOptions {
  db: Db;
  rules: RateLimitRule[];
  /**
   * Read the client address from `X-Forwarded-For` (only behind a proxy you run). `true` trusts one
   * proxy (the right-most entry, the one your proxy appended); a number trusts that many hops.
   */
  trustProxy?: boolean | number;
  /** Which requests are limited (default: the booking writes, see `isBookingWrite`). */
  applies?: (method: string, path: string) => boolean;
  /** Where limiter failures other than "database unavailable" are reported (they never fail the request). */
  log?: (message: string) => void;
}

/** The defaults of `RATE_LIMIT_BOOKINGS_PER_IP`, `…_PER_PROVIDER` and `RATE_LIMIT_WINDOW_SECONDS` (server/config.ts). */
export const RATE_LIMIT_DEFAULTS = { perIp: 20, perProvider: 200, windowSeconds: 600 } as const;

/** Bytes of body read to find the provider; bigger bodies are left to the route's own 413. */
const MAX_BODY_BYTES = 16 * 1024;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** `POST /api/bookings` and `POST /api/bookings/:token/<action>` (cancel, and later reschedule…). */
export function isBookingWrite(method: string, path: string): boolean {
  return method === 'POST' && (path === '/api/bookings' || path === '/api/bookings/' || /^\/api\/bookings\/[^/]+\/[^/]+\/?$/.test(path));
}

/**
 * Counts one request of `identifier` against a limit kept in the database (`check_rate_limit`, shared by every
 * server instance): the seconds to wait when over the limit, else 0. The booking limiter and the sign-in limits
 * both count through here. A limiter that cannot count lets the request through (a broken limiter must not stop
 * bookings or sign-ins), except when the database is unreachable: that becomes the app's 503.
 */
export async function overLimit(
  db: Db,
  rule: { identifier: string; endpoint: string; max: number; windowSeconds: number },
  log: (message: string) => void,
): Promise<number> {
  if (rule.max <= 0) return 0;
  try {
    const result = await db.rpc('check_rate_limit', {
      p_identifier: rule.identifier,
      p_endpoint: rule.endpoint,
      p_max_requests: rule.max,
      p_window_seconds: rule.windowSeconds,
    });
    return result?.allowed === false ? Math.max(1, Math.ceil(result.retryAfterSeconds)) : 0;
  } catch (error) {
    if (error instanceof DbUnavailableError) throw error;
    log(`[slotline] rate limiter could not count ${rule.endpoint} for ${rule.identifier.split(':')[0]}; letting the request through: ${(error as Error).message}`);
    return 0;
  }
}

/**
 * Limits booking writes per client address and per provider, with the counts kept in the database
 * (`check_rate_limit`) so they hold across server instances. A request counts against a provider only
 * when it is valid and names a real provider (see `providerOf`), so junk cannot lock a provider out.
 * Over the limit the answer is `429` problem+json with `Retry-After`. A limiter that cannot count lets the request through (a broken
 * limiter must not stop bookings), except when the database is unreachable: that becomes the app's 503.
 *
 * @example
 * app.use('*', rateLimit({ db, rules: config.rateLimits, trustProxy: config.trustProxy }));
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 (429), https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After)
 */
export function rateLimit({ db, rules, trustProxy = false, applies = isBookingWrite, log = console.error }: RateLimitOptions): MiddlewareHandler {
  const ipRules = rules.filter((r) => r.per === 'ip');
  const providerRules = rules.filter((r) => r.per === 'provider');

  return async (c, next) => {
    if (!rules.length || !applies(c.req.method, c.req.path)) return next();

    const check = (rule: RateLimitRule, identifier: string) =>
      overLimit(db, { identifier, endpoint: rule.endpoint, max: rule.max, windowSeconds: rule.windowSeconds }, log);

    const address = clientAddress(c, trustProxy);
    if (address) {
      for (const rule of ipRules) {
        const wait = await check(rule, `ip:${address}`);
        if (wait) return tooMany(c, wait, 'from your network');
      }
    }
    if (providerRules.length) {
      const slug = await providerOf(c, db, log);
      if (slug) {
        for (const rule of providerRules) {
          const wait = await check(rule, `provider:${slug}`);
          if (wait) return tooMany(c, wait, 'for this provider');
        }
      }
    }
    return next();
  };
}

function tooMany(c: Context, seconds: number, scope: string): Response {
  const minutes = Math.ceil(seconds / 60);
  return problem(c, 429, 'rate-limited', 'Too many requests', {
    detail: `There were too many booking requests ${scope}. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
    retryAfterSeconds: seconds,
  }, { 'retry-after': String(seconds) });
}

/**
 * The address a request is counted under: the socket's peer, or with `trustProxy` the entry of
 * `X-Forwarded-For` that the trusted proxy appended. IPv4-mapped IPv6 becomes IPv4; IPv6 is counted
 * per /64, because anyone with one IPv6 address has a whole /64 to rotate through.
 * Undefined when unknown (e.g. `app.request()` in tests).
 *
 * @example clientAddress(c, true) // '203.0.113.7' for "X-Forwarded-For: 10.0.0.1, 203.0.113.7"
 */
export function clientAddress(c: Context, trustProxy: boolean | number = false): string | undefined {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    socket = undefined;
  }
  const hops = trustProxy === true ? 1 : typeof trustProxy === 'number' ? trustProxy : 0;
  if (hops > 0) {
    const chain = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const forwarded = chain.length ? normalizeAddress(chain[Math.max(0, chain.length - hops)]) : undefined;
    if (forwarded) return forwarded;
  }
  return socket ? normalizeAddress(socket) : undefined;
}

/** A canonical form of an address for counting, or undefined when it is not an IP address. */
export function normalizeAddress(raw: string): string | undefined {
  let value = raw.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:51234" as some proxies write them.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%.*$/, ''); // zone index (fe80::1%eth0)
  const kind = isIP(value);
  if (kind === 4) return value;
  if (kind !== 6) return undefined;
  const groups = expandIpv6(value);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c2, d] = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c2 << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

/**
 * The real provider a valid booking write is for, or undefined: then the request counts against no
 * provider's bucket (only the address's), so junk cannot use up a provider's allowance.
 *
 * - `/api/bookings/:token/<action>`: the provider of the booking the token opens (a made-up token: none,
 *   whatever the body says);
 * - `POST /api/bookings`: the body's `provider`, when the body is a valid booking request and the provider exists;
 * - `/api/providers/:slug/…`: the slug, when that provider exists.
 *
 * The body is read at most once and handed on unchanged.
 */
async function providerOf(c: Context, db: Db, log: (message: string) => void): Promise<string | undefined> {
  const lookup = async (read: () => Promise<string | undefined>) => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof DbUnavailableError) throw error;
      log(`[slotline] rate limiter could not look up the provider; not counting it: ${(error as Error).message}`);
      return undefined;
    }
  };
  const exists = (slug: string) =>
    // The booking path's kept provider (server/bookings/provider-cache.ts): no read per booking to count it.
    lookup(async () => ((await bookingProvider(db, slug)) ? slug : undefined));

  const token = /^\/api\/bookings\/([^/]+)\/[^/]+\/?$/.exec(c.req.path)?.[1];
  if (token !== undefined) {
    if (!looksLikeToken(token)) return undefined;
    return lookup(async () => {
      const booking = await db.rpc('get_booking_by_token', { p_token_hash: hashToken(token) });
      return typeof booking?.provider === 'string' ? booking.provider : undefined;
    });
  }
  const fromPath = /^\/api\/providers\/([^/]+)\//.exec(c.req.path)?.[1];
  if (fromPath) return SLUG.test(fromPath) ? exists(fromPath) : undefined;
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '')) return undefined;
  const length = Number(c.req.header('content-length') ?? NaN);
  if (length > MAX_BODY_BYTES) return undefined;
  const bytes = await readBounded(c);
  if (!bytes || bytes.length > MAX_BODY_BYTES) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const request = bookingRequestSchema.safeParse(body);
  if (!request.success || !SLUG.test(request.data.provider)) return undefined;
  return exists(request.data.provider);
}

/**
 * Reads up to MAX_BODY_BYTES + 1 bytes of the body and puts a fresh request with those bytes back
 * in `c.req.raw` (as Hono's bodyLimit does), so the route reads the same body — or, when it is too
 * big, its own body limit still sees the overflow and answers 413.
 */
async function readBounded(c: Context): Promise<Uint8Array | undefined> {
  const raw = c.req.raw;
  if (!raw.body) return undefined;
  const reader = raw.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      void reader.cancel().catch(() => {});
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  c.req.raw = new Request(raw, { body: bytes });
  return bytes;
}
