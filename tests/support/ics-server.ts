/**
 * A small HTTP server on 127.0.0.1 for tests: serves an iCalendar feed with ETag and Last-Modified and answers
 * conditional requests with 304 (RFC 9110 §13), or a chosen status, or hangs for a while (a slow calendar).
 * `startSlowProxy` puts a delay in front of another server (e.g. Radicale) to test per-source timeouts.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';

export interface IcsServer {
  /** The feed URL (a secret-looking path, as real private addresses are). */
  url: string;
  body: string;
  /** When set, every request gets this status and no body. */
  status: number | null;
  /** Delay before answering, in milliseconds. */
  delayMs: number;
  /** When set, requests without exactly this Authorization header get 401. */
  requireAuthorization: string | null;
  requests: { ifNoneMatch?: string; ifModifiedSince?: string; status: number }[];
  setBody(text: string, lastModified?: Date): void;
  stop(): Promise<void>;
}

function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('hex').slice(0, 16)}"`;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

function closeAll(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

export async function startIcsServer(initialBody = ''): Promise<IcsServer> {
  let lastModified = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const s: IcsServer = {
    url: '',
    body: initialBody,
    status: null,
    delayMs: 0,
    requireAuthorization: null,
    requests: [],
    setBody(text, modified = new Date(Math.floor(Date.now() / 1000) * 1000)) {
      s.body = text;
      lastModified = modified;
    },
    stop: () => closeAll(server),
  };
  const server = createServer(async (req, res) => {
    if (s.delayMs > 0) await new Promise((r) => setTimeout(r, s.delayMs));
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    const log = { ...(ifNoneMatch ? { ifNoneMatch } : {}), ...(ifModifiedSince ? { ifModifiedSince } : {}), status: 200 };
    s.requests.push(log);
    if (s.requireAuthorization !== null && req.headers.authorization !== s.requireAuthorization) {
      log.status = 401;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="feed"' });
      return res.end();
    }
    if (s.status !== null) {
      log.status = s.status;
      res.writeHead(s.status);
      return res.end();
    }
    const etag = etagOf(s.body);
    // If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2).
    const notModified = ifNoneMatch !== undefined
      ? ifNoneMatch === etag
      : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= lastModified.getTime();
    if (notModified) {
      log.status = 304;
      res.writeHead(304, { etag, 'last-modified': lastModified.toUTCString() });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', etag, 'last-modified': lastModified.toUTCString() });
    res.end(s.body);
  });
  const port = await listen(server);
  s.url = `http://127.0.0.1:${port}/feeds/7f3a9c2e5b1d/basic.ics`;
  return s;
}

export interface SlowProxy {
  url: string;
  delayMs: number;
  /** When set, every request gets this status instead of being forwarded (the server is "down"). */
  status: number | null;
  requests: number;
  stop(): Promise<void>;
}

/** Forwards every request to `target` after `delayMs` (paths, methods, headers and bodies unchanged). */
export async function startSlowProxy(target: string, delayMs: number): Promise<SlowProxy> {
  const t = new URL(target);
  const p: SlowProxy = { url: '', delayMs, status: null, requests: 0, stop: () => closeAll(server) };
  const server = createServer((req, res) => {
    p.requests++;
    if (p.status !== null) {
      req.resume();
      res.writeHead(p.status);
      res.end();
      return;
    }
    setTimeout(() => {
      const upstream = httpRequest(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    }, p.delayMs);
  });
  const port = await listen(server);
  p.url = `http://127.0.0.1:${port}/`;
  return p;
}
