import type { Context, Hono } from 'hono';
import type { AppEnv } from '../auth/session.ts';
import { notFound } from '../http/problem.ts';
import { readJson } from '../http/validate.ts';
import { owner } from './errors.ts';
import type { OwnerDeps } from './routes.ts';
import { readQuery } from './routes.ts';
import { clientListQuery, clientNotesSchema, emptySchema } from './schemas.ts';

const NO_STORE = { 'cache-control': 'no-store' };

export interface ClientRecord {
  key: string;
  name: string;
  email: string | null;
  phone: string | null;
  bookings: number;
  completed: number;
  noShows: number;
  cancelled: number;
  upcoming: number;
  firstStart: string;
  lastStart: string;
  notes: string;
}

const CSV_COLUMNS: (keyof ClientRecord)[] = [
  'name', 'email', 'phone', 'bookings', 'completed', 'noShows', 'cancelled', 'upcoming', 'firstStart', 'lastStart', 'notes',
];

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
 * gets a leading `'`, except a phone number such as +971500000000.
 * @see https://www.rfc-editor.org/rfc/rfc4180, https://owasp.org/www-community/attacks/CSV_Injection
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^\+[\d ]{7,20}$/.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function clientsCsv(clients: ClientRecord[]): string {
  const lines = [CSV_COLUMNS.join(','), ...clients.map((client) => CSV_COLUMNS.map((k) => csvCell(client[k])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

/**
 * Clients: one record per email (else phone) over the provider's bookings, with history, notes, CSV export and
 * GDPR erasure. The key in paths is the record's `key`, URL-encoded. Mounted by `appApiRoutes`.
 */
export function clientRoutes(app: Hono<AppEnv>, { db, now }: OwnerDeps): void {
  const user = (c: Context<AppEnv>) => c.get('user').id;
  const pid = (c: Context) => c.req.param('providerId') as string;
  const base = '/api/app/providers/:providerId/clients';
  const key = (c: Context) => {
    const k = c.req.param('key') ?? '';
    return k.length > 0 && k.length <= 254 ? k : null;
  };

  app.get(base, (c) => owner(c, async () => {
    const q = readQuery(c, clientListQuery);
    if (!q.ok) return q.response;
    return c.json(await db.rpc('app_list_clients', {
      p_user_id: user(c), p_provider_id: pid(c), p_search: q.value.search ?? null, p_now: now(),
      p_limit: q.value.limit, p_offset: q.value.offset,
    }), 200, NO_STORE);
  }));

  app.get('/api/app/providers/:providerId/clients.csv', (c) => owner(c, async () => {
    const result = await db.rpc('app_list_clients', {
      p_user_id: user(c), p_provider_id: pid(c), p_search: null, p_now: now(), p_limit: null, p_offset: 0,
    });
    return c.body(clientsCsv(result.clients), 200, {
      ...NO_STORE, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="clients.csv"',
    });
  }));

  app.get(`${base}/:key`, (c) => owner(c, async () => {
    const k = key(c);
    if (!k) return notFound(c, 'Client');
    return c.json(await db.rpc('app_get_client', { p_user_id: user(c), p_provider_id: pid(c), p_client_key: k, p_now: now() }), 200, NO_STORE);
  }));

  app.put(`${base}/:key/notes`, async (c) => {
    const k = key(c);
    if (!k) return notFound(c, 'Client');
    const parsed = await readJson(c, clientNotesSchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_set_client_notes', {
      p_user_id: user(c), p_provider_id: pid(c), p_client_key: k, p_notes: parsed.value.notes,
    }), 200, NO_STORE));
  });

  // GDPR erasure: personal fields go, amounts and counts stay.
  app.post(`${base}/:key/erase`, async (c) => {
    const k = key(c);
    if (!k) return notFound(c, 'Client');
    const parsed = await readJson(c, emptySchema);
    if (!parsed.ok) return parsed.response;
    return owner(c, async () => c.json(await db.rpc('app_erase_client', {
      p_user_id: user(c), p_provider_id: pid(c), p_client_key: k, p_now: now(),
    }), 200, NO_STORE));
  });
}
