/**
 * Secret URL segments, as they appear in request paths: the manage link `/b/<token>`, the manage API
 * `/api/bookings/<token>/…`, a weekly series' `/s/<token>` and `/api/series/<token>/…`, and the private calendar feed
 * `/ics/<token>.ics`. Whoever has one can cancel a
 * booking or read a calendar, so they never reach a log line.
 */
const SECRET_SEGMENTS = [
  /^(\/b\/)([^/]+)/, /^(\/api\/bookings\/)([^/]+)/, /^(\/ics\/)([^/]+)/, /^(\/s\/)([^/]+)/,
  // A package client's wallet link (server/packages/): whoever has it books with their credits.
  /^(\/w\/)([^/]+)/, /^(\/api\/wallet\/)([^/]+)/,
  // `/api/series/preview` is no secret, and is no token either (tokens are 43 characters).
  /^(\/api\/series\/)((?!preview$)[^/]+)/,
];

/**
 * The path with its secret segment replaced by `[redacted]`, and that secret (to scrub elsewhere).
 *
 * @example redactPath('/api/bookings/Zm9v…/cancel') // { path: '/api/bookings/[redacted]/cancel', secret: 'Zm9v…' }
 */
export function redactPath(path: string): { path: string; secret: string | null } {
  for (const pattern of SECRET_SEGMENTS) {
    const match = pattern.exec(path);
    if (match) return { path: path.replace(pattern, '$1[redacted]'), secret: match[2] };
  }
  return { path, secret: null };
}

/**
 * A log line about a request to `path`: the path redacted, and any copy of its secret in `text`
 * (an error message or stack quoting the URL) replaced too.
 */
export function redactedLogLine(path: string, text: string): string {
  const { path: safe, secret } = redactPath(path);
  let line = text.replaceAll(path, safe);
  // A few characters are no secret (and scrubbing them everywhere would garble the line).
  if (secret && secret.length >= 8) {
    line = line.replaceAll(secret, '[redacted]');
    try {
      const decoded = decodeURIComponent(secret);
      if (decoded !== secret) line = line.replaceAll(decoded, '[redacted]');
    } catch {
      // not percent-encoded
    }
  }
  return line;
}
