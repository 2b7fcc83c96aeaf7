import type { Context, MiddlewareHandler } from 'hono';

export interface SecurityHeaderOptions {
  /**
   * Believe `X-Forwarded-Proto` (only behind a proxy you run, `TRUST_PROXY`). `true` is one proxy; a number is how
   * many proxies stand in front, as for the rate limiter's `X-Forwarded-For`. Default `false`: a client could
   * otherwise claim https on a plain-http server.
   */
  trustProxy?: boolean | number;
}

/** Strict policy for every response that does not set its own (JSON, problems, files): it may load nothing. */
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The scheme the visitor used: the request URL's, or with `trustProxy` the entry of `X-Forwarded-Proto` that our
 * nearest trusted proxy wrote (the same hop counting as `clientAddress` in `rate-limit.ts`).
 * @example requestScheme(c, true) // 'https' behind a TLS-terminating proxy that sets X-Forwarded-Proto: https
 */
export function requestScheme(c: Context, trustProxy: boolean | number = false): string {
  const hops = trustProxy === true ? 1 : typeof trustProxy === 'number' ? trustProxy : 0;
  if (hops > 0) {
    const chain = (c.req.header('x-forwarded-proto') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const forwarded = chain.length ? chain[Math.max(0, chain.length - hops)] : undefined;
    if (forwarded === 'https' || forwarded === 'http') return forwarded;
  }
  // The request URL's own scheme, without parsing the whole URL on every request.
  return c.req.url.startsWith('https:') ? 'https' : 'http';
}

/**
 * Security headers for every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy`, a CSP (pages set
 * their own, which know their `frame-ancestors`; everything else gets `DEFAULT_CSP`), and HSTS only when the
 * visitor came over https (RFC 6797 §7.2: never over plain http).
 *
 * @example app.use('*', securityHeaders({ trustProxy: config.trustProxy }));
 * @see https://www.rfc-editor.org/rfc/rfc6797, https://www.w3.org/TR/CSP3/, https://www.w3.org/TR/referrer-policy/
 */
export function securityHeaders({ trustProxy = false }: SecurityHeaderOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    const values = securityHeaderValues(c, trustProxy);
    // Set before the route runs, so a route's own values (a page's CSP and Referrer-Policy) win,
    // and the response is never rebuilt just to add headers.
    for (const name in values) c.header(name, values[name]);
    await next();
    // A handler that returned a Response of its own skipped the headers above: add them there.
    if (c.res.headers.get('x-content-type-options') !== 'nosniff') {
      const h = c.res.headers;
      for (const name in values) if (name === 'x-content-type-options' || !h.has(name)) h.set(name, values[name]);
    }
  };
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy': DEFAULT_CSP,
};
const SECURITY_HEADERS_HTTPS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/**
 * The headers `securityHeaders` gives a response, as a plain object: also for an answer sent ahead of that
 * middleware (cached slots, `server/slots/routes.ts`), which must carry the same ones.
 */
export function securityHeaderValues(c: Context, trustProxy: boolean | number = false): Readonly<Record<string, string>> {
  return requestScheme(c, trustProxy) === 'https' ? SECURITY_HEADERS_HTTPS : SECURITY_HEADERS;
}
