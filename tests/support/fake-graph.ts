/**
 * A local fake of the Microsoft endpoints Slotline uses, on 127.0.0.1 (Microsoft cannot be reached from test
 * machines): the identity platform's v2.0 authorize redirect and token endpoint (authorization_code and refresh_token
 * grants; refresh tokens rotate; `invalid_grant` for unknown, used or revoked grants), and Microsoft Graph's /me,
 * /me/calendars (paged), /me/calendar, calendarView (paged, times in UTC only when asked with
 * `Prefer: outlook.timezone="UTC"`, single-value extended properties only when `$expand`ed), and events
 * list-by-extended-property / POST (with transactionId) / PATCH / DELETE. Errors as Graph answers them: 401
 * InvalidAuthenticationToken for an unknown or expired access token, 429 with Retry-After when told to throttle.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { MicrosoftOAuthConfig } from '../../server/calendars/microsoft.ts';

export interface FakeGraphEvent {
  id: string;
  subject?: string;
  /** UTC `YYYY-MM-DDTHH:MM:SS` (all-day: midnight of the dates). */
  start: string;
  end: string;
  showAs?: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
  isCancelled?: boolean;
  isAllDay?: boolean;
  transactionId?: string;
  singleValueExtendedProperties?: { id: string; value: string }[];
  [k: string]: unknown;
}

export interface FakeGraphCalendar {
  id: string;
  name: string;
  hexColor?: string;
  isDefaultCalendar?: boolean;
  events: FakeGraphEvent[];
}

export interface FakeGraph {
  url: string;
  clientId: string;
  clientSecret: string;
  tenant: string;
  account: { mail: string | null; userPrincipalName: string };
  calendars: FakeGraphCalendar[];
  /** Lifetime of issued access tokens in seconds. */
  accessTokenTtl: number;
  /** Page size of /me/calendars and calendarView (Graph pages with `@odata.nextLink`). */
  pageSize: number;
  /** Refused consent: the authorize step redirects back with `error=access_denied`. */
  deny: boolean;
  /** A used refresh token stops working (stricter than Microsoft, which lets it live until it expires). */
  strictRotation: boolean;
  /** The next this-many Graph calls answer 429 with `Retry-After: 1`. */
  throttle: number;
  /** Every refresh token issued, in order, with the grant that issued it. */
  issued: { grant: 'authorization_code' | 'refresh_token'; refreshToken: string }[];
  /** Every request: method, path, the grant type of token calls and the Prefer header of Graph calls. */
  requests: { method: string; path: string; grantType?: string; prefer?: string; status?: number }[];
  config(redirectUri?: string): MicrosoftOAuthConfig;
  /** Revokes every grant (refresh and access tokens), as when the user removes the app's consent. */
  revokeAll(): void;
  /** Expires every access token now, keeping refresh tokens. */
  expireAccessTokens(): void;
  /** The events Slotline wrote (those carrying an extended property), over all calendars. */
  written(): (FakeGraphEvent & { calendarId: string })[];
  stop(): Promise<void>;
}

export async function startFakeGraph(): Promise<FakeGraph> {
  const clientId = '00000000-1111-2222-3333-444444444444';
  const clientSecret = `secret~${randomBytes(6).toString('hex')}`;
  const tenant = 'common';
  const codes = new Map<string, { redirectUri: string; used: boolean }>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>(); // token → expiry ms

  const fake: FakeGraph = {
    url: '',
    clientId,
    clientSecret,
    tenant,
    account: { mail: 'layla@contoso.example', userPrincipalName: 'layla@contoso.example' },
    calendars: [],
    accessTokenTtl: 3600,
    pageSize: 100,
    deny: false,
    strictRotation: false,
    throttle: 0,
    issued: [],
    requests: [],
    config: (redirectUri = 'http://127.0.0.1:1/api/app/calendars/microsoft/callback') => ({
      clientId, clientSecret, redirectUri, tenant, loginBase: fake.url, graphBase: `${fake.url}/v1.0`,
    }),
    revokeAll: () => {
      refreshTokens.clear();
      accessTokens.clear();
    },
    expireAccessTokens: () => {
      for (const t of accessTokens.keys()) accessTokens.set(t, 0);
    },
    written: () => fake.calendars.flatMap((c) => c.events.filter((e) => e.singleValueExtendedProperties?.length).map((e) => ({ ...e, calendarId: c.id }))),
    stop: async () => new Promise((r) => server.close(() => r())),
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const graphError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { error: { code, message, innerError: { 'request-id': randomBytes(8).toString('hex') } } }, headers);
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const issue = (grant: 'authorization_code' | 'refresh_token') => {
    const access = `eyJ0eXAi.${randomBytes(12).toString('hex')}`;
    const refresh = `M.C5${randomBytes(16).toString('hex')}`;
    accessTokens.set(access, Date.now() + fake.accessTokenTtl * 1000);
    refreshTokens.add(refresh);
    fake.issued.push({ grant, refreshToken: refresh });
    return {
      token_type: 'Bearer', scope: 'Calendars.ReadWrite User.Read openid profile', expires_in: fake.accessTokenTtl,
      ext_expires_in: fake.accessTokenTtl, access_token: access, refresh_token: refresh,
    };
  };
  const authorized = (req: IncomingMessage): boolean => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const exp = token ? accessTokens.get(token) : undefined;
    return exp !== undefined && exp > Date.now();
  };
  /** A page of `items` from `skip`, with the next page's link when there is more. */
  const page = <T>(u: URL, items: T[], extra: Record<string, unknown> = {}) => {
    const size = Math.min(Number(u.searchParams.get('$top') ?? fake.pageSize), fake.pageSize);
    const skip = Number(u.searchParams.get('$skip') ?? 0);
    const next = new URL(u.toString());
    next.searchParams.set('$skip', String(skip + size));
    return {
      ...extra,
      value: items.slice(skip, skip + size),
      ...(skip + size < items.length ? { '@odata.nextLink': `${fake.url}${next.pathname}${next.search}` } : {}),
    };
  };
  const calendarOf = (id: string) => fake.calendars.find((c) => c.id === id);
  const toUtc = (s: string) => Date.parse(/Z$/.test(s) ? s : `${s}Z`);
  /** Graph's dateTimeTimeZone: UTC when asked, else Pacific Standard Time (a fixed −8 h here, enough to tell). */
  const graphTime = (utc: string, allDay: boolean, inUtc: boolean) => {
    if (allDay || inUtc) return { dateTime: `${utc.replace(/Z$/, '').slice(0, 19)}.0000000`, timeZone: 'UTC' };
    return { dateTime: `${new Date(toUtc(utc) - 8 * 3_600_000).toISOString().slice(0, 19)}.0000000`, timeZone: 'Pacific Standard Time' };
  };
  /** The extended property ids a `$expand=singleValueExtendedProperties($filter=id eq '…')` asks for. */
  const expanded = (u: URL): string[] =>
    [...(u.searchParams.get('$expand') ?? '').matchAll(/id eq '([^']+)'/g)].map((m) => m[1].toLowerCase());
  const view = (e: FakeGraphEvent, u: URL, inUtc: boolean) => {
    const want = expanded(u);
    const props = (e.singleValueExtendedProperties ?? []).filter((p) => want.includes(p.id.toLowerCase()));
    return {
      id: e.id, subject: e.subject ?? '', isCancelled: e.isCancelled ?? false, isAllDay: e.isAllDay ?? false, showAs: e.showAs ?? 'busy',
      responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      start: graphTime(e.start, e.isAllDay ?? false, inUtc), end: graphTime(e.end, e.isAllDay ?? false, inUtc),
      ...(want.length ? { singleValueExtendedProperties: props } : {}),
    };
  };
  /** A Graph event body (dateTime + timeZone 'UTC') as stored. */
  const stored = (body: Record<string, unknown>, id: string, previous?: FakeGraphEvent): FakeGraphEvent => {
    const at = (t: unknown, fallback: string | undefined) => {
      const v = t as { dateTime?: string; timeZone?: string } | undefined;
      if (!v?.dateTime) return fallback ?? '';
      if (v.timeZone !== 'UTC') throw new Error(`fake accepts UTC times only, got ${v.timeZone}`);
      return new Date(toUtc(v.dateTime)).toISOString().slice(0, 19);
    };
    return { ...previous, ...body, id, start: at(body.start, previous?.start), end: at(body.end, previous?.end) } as FakeGraphEvent;
  };

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: FakeGraph['requests'][number] = { method: req.method ?? '', path: u.pathname };
    fake.requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    try {
      // --- Microsoft identity platform (v2.0) ---
      if (req.method === 'GET' && u.pathname === `/${tenant}/oauth2/v2.0/authorize`) {
        const redirectUri = u.searchParams.get('redirect_uri') ?? '';
        const scopes = (u.searchParams.get('scope') ?? '').split(' ');
        if (u.searchParams.get('client_id') !== clientId || u.searchParams.get('response_type') !== 'code' || !redirectUri || !scopes.includes('offline_access')) {
          return json(res, 400, { error: 'invalid_request', error_description: 'AADSTS900144: The request body must contain the following parameter.' });
        }
        // Consent is implied (the user signs in and accepts), or refused with `deny`.
        const back = new URL(redirectUri);
        if (fake.deny) {
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
        } else {
          const code = `0.AX${randomBytes(10).toString('hex')}`;
          codes.set(code, { redirectUri, used: false });
          back.searchParams.set('code', code);
        }
        back.searchParams.set('state', u.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (req.method === 'POST' && u.pathname === `/${tenant}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(await readBody(req));
        entry.grantType = form.get('grant_type') ?? undefined;
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        }
        if (form.get('grant_type') === 'authorization_code') {
          const c = codes.get(form.get('code') ?? '');
          if (!c || c.used || c.redirectUri !== form.get('redirect_uri')) {
            return json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.' });
          }
          c.used = true;
          return json(res, 200, issue('authorization_code'));
        }
        if (form.get('grant_type') === 'refresh_token') {
          const old = form.get('refresh_token') ?? '';
          if (!refreshTokens.has(old)) {
            return json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70000: The provided grant has expired due to it being revoked.' });
          }
          if (fake.strictRotation) refreshTokens.delete(old);
          return json(res, 200, issue('refresh_token'));
        }
        return json(res, 400, { error: 'unsupported_grant_type' });
      }

      // --- Microsoft Graph v1.0 ---
      if (!u.pathname.startsWith('/v1.0/')) return json(res, 404, { error: 'not found' });
      const prefer = String(req.headers.prefer ?? '');
      entry.prefer = prefer || undefined;
      if (fake.throttle > 0) {
        fake.throttle--;
        return graphError(res, 429, 'TooManyRequests', 'Please retry after', { 'retry-after': '1' });
      }
      if (!authorized(req)) return graphError(res, 401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
      const path = u.pathname.slice('/v1.0'.length);
      const inUtc = /outlook\.timezone="UTC"/.test(prefer);

      if (req.method === 'GET' && path === '/me') {
        return json(res, 200, { '@odata.context': `${fake.url}/v1.0/$metadata#users/$entity`, id: 'u1', displayName: 'Layla', ...fake.account });
      }
      if (req.method === 'GET' && path === '/me/calendars') {
        return json(res, 200, page(u, fake.calendars.map((c) => ({
          id: c.id, name: c.name, hexColor: c.hexColor ?? '', isDefaultCalendar: c.isDefaultCalendar ?? false, canEdit: true,
        }))));
      }
      if (req.method === 'GET' && path === '/me/calendar') {
        const def = fake.calendars.find((c) => c.isDefaultCalendar) ?? fake.calendars[0];
        return def ? json(res, 200, { id: def.id, name: def.name }) : graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      }
      const cal = /^\/me\/calendars\/([^/]+)\/(calendarView|events)$/.exec(path);
      if (cal) {
        const calendar = calendarOf(decodeURIComponent(cal[1]));
        if (!calendar) return graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
        if (req.method === 'GET' && cal[2] === 'calendarView') {
          const from = Date.parse(u.searchParams.get('startDateTime') ?? '');
          const to = Date.parse(u.searchParams.get('endDateTime') ?? '');
          if (Number.isNaN(from) || Number.isNaN(to)) {
            return graphError(res, 400, 'ErrorInvalidParameter', "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
          }
          const items = calendar.events
            .filter((e) => toUtc(e.start) < to && toUtc(e.end) > from)
            .sort((a, b) => toUtc(a.start) - toUtc(b.start))
            .map((e) => view(e, u, inUtc));
          return json(res, 200, page(u, items));
        }
        if (req.method === 'GET' && cal[2] === 'events') {
          // Only the documented lookup by a single-value extended property is supported.
          const m = /singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '([^']*)'\)/.exec(u.searchParams.get('$filter') ?? '');
          if (!m) return graphError(res, 400, 'ErrorInvalidUrlQueryFilter', 'The fake supports only the extended property filter.');
          const items = calendar.events.filter((e) => e.singleValueExtendedProperties?.some((p) => p.id.toLowerCase() === m[1].toLowerCase() && p.value === m[2]));
          return json(res, 200, page(u, items.map((e) => ({ id: e.id }))));
        }
        if (req.method === 'POST' && cal[2] === 'events') {
          const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
          // transactionId: a retried POST of the same event returns the one already made.
          const same = typeof body.transactionId === 'string' ? calendar.events.find((e) => e.transactionId === body.transactionId) : undefined;
          if (same) return json(res, 201, same);
          const event = stored(body, `AAMk${randomBytes(12).toString('hex')}`);
          calendar.events.push(event);
          return json(res, 201, event);
        }
      }
      const ev = /^\/me\/events\/([^/]+)$/.exec(path);
      if (ev) {
        const id = decodeURIComponent(ev[1]);
        const owner = fake.calendars.find((c) => c.events.some((e) => e.id === id));
        if (!owner) return graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
        const i = owner.events.findIndex((e) => e.id === id);
        if (req.method === 'PATCH') {
          owner.events[i] = stored(JSON.parse(await readBody(req)), id, owner.events[i]);
          return json(res, 200, owner.events[i]);
        }
        if (req.method === 'DELETE') {
          owner.events.splice(i, 1);
          res.writeHead(204);
          return res.end();
        }
      }
      graphError(res, 400, 'BadRequest', `Unsupported request ${req.method} ${path}`);
    } catch (e) {
      graphError(res, 500, 'InternalServerError', String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
