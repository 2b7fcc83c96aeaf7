import type { MiddlewareHandler } from 'hono';

/**
 * Security headers for every response. Pages set their own CSP (they know their
 * `frame-ancestors`); everything else gets a strict default.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'strict-origin-when-cross-origin');
    if (!h.has('content-security-policy')) {
      h.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    }
    const proto = c.req.header('x-forwarded-proto') ?? new URL(c.req.url).protocol.replace(':', '');
    if (proto === 'https') h.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  };
}
