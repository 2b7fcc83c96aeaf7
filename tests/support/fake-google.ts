/**
 * A local fake of the Google endpoints Slotline uses, on 127.0.0.1 (Google cannot be reached from test machines):
 * the OAuth consent redirect, the token endpoint (authorization_code and refresh_token grants, `invalid_grant` for
 * unknown, used or revoked grants), calendarList (paged), freeBusy, and events list/insert/update/delete (written
 * events count as busy in freeBusy, as in Google; events.list filters by privateExtendedProperty). Behaviour follows
 * Google's documentation.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GoogleOAuthConfig } from '../../server/calendars/google.ts';

export interface FakeCalendar {
  id: string;
  summary: string;
  primary?: boolean;
  busy: { start: string; end: string }[];
  /** Makes freeBusy report an error for this calendar. */
  error?: string;
}

export interface FakeGoogle {
  url: string;
  clientId: string;
  clientSecret: string;
  calendars: FakeCalendar[];
  /** Lifetime of issued access tokens in seconds (3600 like Google; set low to test refresh). */
  accessTokenTtl: number;
  /** calendarList page size, to exercise paging. */
  pageSize: number;
  /** Events written through events.insert/update, per calendar id ("primary" is the primary calendar). */
  events: Map<string, Map<string, { id: string; start: { dateTime: string }; end: { dateTime: string }; [k: string]: unknown }>>;
  /** Every request: method, path and the grant type for token calls. */
  requests: { method: string; path: string; grantType?: string }[];
  config(redirectUri?: string): GoogleOAuthConfig;
  /** Revokes every grant (refresh and access tokens), as when the user removes the app. */
  revokeAll(): void;
  /** Expires every access token now, keeping refresh tokens. */
  expireAccessTokens(): void;
  stop(): Promise<void>;
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const clientId = 'test-client.apps.googleusercontent.com';
  const clientSecret = `secret-${randomBytes(6).toString('hex')}`;
  const codes = new Map<string, { redirectUri: string; used: boolean }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>(); // token → expiry ms

  const fake: FakeGoogle = {
    url: '',
    clientId,
    clientSecret,
    calendars: [],
    events: new Map(),
    accessTokenTtl: 3600,
    pageSize: 250,
    requests: [],
    config: (redirectUri = 'http://127.0.0.1:1/callback') => ({
      clientId, clientSecret, redirectUri, oauthBase: fake.url, apiBase: `${fake.url}/calendar/v3`,
    }),
    revokeAll: () => {
      refreshTokens.clear();
      accessTokens.clear();
    },
    expireAccessTokens: () => {
      for (const t of accessTokens.keys()) accessTokens.set(t, 0);
    },
    stop: async () => new Promise((r) => server.close(() => r())),
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const issueAccess = (): { access_token: string; expires_in: number; token_type: string; scope: string } => {
    const token = `ya29.${randomBytes(12).toString('hex')}`;
    accessTokens.set(token, Date.now() + fake.accessTokenTtl * 1000);
    return { access_token: token, expires_in: fake.accessTokenTtl, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar.readonly' };
  };
  const authorized = (req: IncomingMessage): boolean => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const exp = token ? accessTokens.get(token) : undefined;
    return exp !== undefined && exp > Date.now();
  };
  const unauthenticated = (res: ServerResponse): void =>
    json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const entry: FakeGoogle['requests'][number] = { method: req.method ?? '', path: u.pathname };
    fake.requests.push(entry);
    try {
      if (req.method === 'GET' && u.pathname === '/o/oauth2/v2/auth') {
        // Consent is implied: redirect back with a code, as Google does after the user clicks Allow.
        const redirectUri = u.searchParams.get('redirect_uri') ?? '';
        if (u.searchParams.get('client_id') !== clientId || u.searchParams.get('response_type') !== 'code' || !redirectUri) {
          return json(res, 400, { error: 'invalid_request' });
        }
        const code = `4/${randomBytes(10).toString('hex')}`;
        codes.set(code, { redirectUri, used: false });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', u.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === 'POST' && u.pathname === '/token') {
        const form = new URLSearchParams(await readBody(req));
        entry.grantType = form.get('grant_type') ?? undefined;
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return json(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
        }
        if (form.get('grant_type') === 'authorization_code') {
          const c = codes.get(form.get('code') ?? '');
          if (!c || c.used || c.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
          c.used = true;
          const refresh = `1//${randomBytes(12).toString('hex')}`;
          refreshTokens.add(refresh);
          return json(res, 200, { ...issueAccess(), refresh_token: refresh });
        }
        if (form.get('grant_type') === 'refresh_token') {
          if (!refreshTokens.has(form.get('refresh_token') ?? '')) {
            return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
          }
          return json(res, 200, issueAccess());
        }
        return json(res, 400, { error: 'unsupported_grant_type' });
      }
      if (req.method === 'GET' && u.pathname === '/calendar/v3/users/me/calendarList') {
        if (!authorized(req)) return unauthenticated(res);
        const size = Math.min(Number(u.searchParams.get('maxResults') ?? 100), fake.pageSize);
        const offset = Number(u.searchParams.get('pageToken') ?? 0);
        const items = fake.calendars.slice(offset, offset + size).map((c) => ({
          kind: 'calendar#calendarListEntry', id: c.id, summary: c.summary, accessRole: 'owner', ...(c.primary ? { primary: true } : {}),
        }));
        const next = offset + size < fake.calendars.length ? { nextPageToken: String(offset + size) } : {};
        return json(res, 200, { kind: 'calendar#calendarList', items, ...next });
      }
      const ev = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(u.pathname);
      if (ev) {
        if (!authorized(req)) return unauthenticated(res);
        const requested = decodeURIComponent(ev[1]);
        const calId = requested === 'primary' ? (fake.calendars.find((c) => c.primary)?.id ?? requested) : requested;
        if (!fake.calendars.some((c) => c.id === calId)) return json(res, 404, { error: { code: 404, message: 'Not Found' } });
        const store = fake.events.get(calId) ?? new Map();
        fake.events.set(calId, store);
        if (req.method === 'GET' && !ev[2]) {
          // events.list: the calendar's busy blocks (as plain events) and the written ones, overlapping
          // [timeMin, timeMax), filtered by `privateExtendedProperty=name=value` when given (one page).
          const min = Date.parse(u.searchParams.get('timeMin') ?? '');
          const max = Date.parse(u.searchParams.get('timeMax') ?? '');
          const [name, value] = (u.searchParams.get('privateExtendedProperty') ?? '').split('=');
          const cal = fake.calendars.find((c) => c.id === calId)!;
          const all = [
            ...cal.busy.map((b, i) => ({ id: `busy${i}`, status: 'confirmed', iCalUID: `busy-${i}@google.com`, start: { dateTime: b.start }, end: { dateTime: b.end } })),
            ...[...store.values()].map((e) => ({ status: 'confirmed', ...e })),
          ] as { start: { dateTime: string }; end: { dateTime: string }; extendedProperties?: { private?: Record<string, string> } }[];
          const items = all.filter((e) =>
            (!name || e.extendedProperties?.private?.[name] === value)
            && (Number.isNaN(max) || Date.parse(e.start.dateTime) < max) && (Number.isNaN(min) || Date.parse(e.end.dateTime) > min));
          return json(res, 200, { kind: 'calendar#events', timeZone: 'UTC', items });
        }
        if (req.method === 'POST' && !ev[2]) {
          const body = JSON.parse(await readBody(req));
          if (body.id && store.has(body.id)) return json(res, 409, { error: { code: 409, message: 'The requested identifier already exists.' } });
          const id = body.id ?? randomBytes(8).toString('hex');
          store.set(id, { ...body, id });
          return json(res, 200, { kind: 'calendar#event', ...store.get(id) });
        }
        if (req.method === 'PUT' && ev[2]) {
          if (!store.has(ev[2])) return json(res, 404, { error: { code: 404, message: 'Not Found' } });
          store.set(ev[2], { ...JSON.parse(await readBody(req)), id: ev[2] });
          return json(res, 200, { kind: 'calendar#event', ...store.get(ev[2]) });
        }
        if (req.method === 'DELETE' && ev[2]) {
          if (!store.delete(ev[2])) return json(res, 410, { error: { code: 410, message: 'Resource has been deleted' } });
          res.writeHead(204);
          return res.end();
        }
      }
      if (req.method === 'POST' && u.pathname === '/calendar/v3/freeBusy') {
        if (!authorized(req)) return unauthenticated(res);
        const body = JSON.parse(await readBody(req)) as { timeMin: string; timeMax: string; items: { id: string }[] };
        const min = Date.parse(body.timeMin);
        const max = Date.parse(body.timeMax);
        if (!(min < max)) return json(res, 400, { error: { code: 400, message: 'The specified time range is empty.' } });
        const calendars: Record<string, unknown> = {};
        for (const { id } of body.items) {
          const cal = fake.calendars.find((c) => c.id === id);
          if (!cal) calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
          else if (cal.error) calendars[id] = { errors: [{ domain: 'global', reason: cal.error }], busy: [] };
          else {
            calendars[id] = {
              busy: [...cal.busy, ...[...(fake.events.get(cal.id)?.values() ?? [])].map((e) => ({ start: e.start.dateTime, end: e.end.dateTime }))]
                .filter((b) => Date.parse(b.start) < max && Date.parse(b.end) > min)
                .map((b) => ({
                  start: new Date(Math.max(Date.parse(b.start), min)).toISOString().replace('.000Z', 'Z'),
                  end: new Date(Math.min(Date.parse(b.end), max)).toISOString().replace('.000Z', 'Z'),
                })),
            };
          }
        }
        return json(res, 200, { kind: 'calendar#freeBusy', timeMin: body.timeMin, timeMax: body.timeMax, calendars });
      }
      json(res, 404, { error: { code: 404, message: 'Not Found' } });
    } catch (e) {
      json(res, 500, { error: { code: 500, message: String(e) } });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
