import { randomBytes } from 'node:crypto';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCalendarCommand } from '../../server/calendars/connect-cli.js';
import type { Db } from '../../server/db/port.js';
import { createTestDb } from '../support/db.js';
import { startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { startIcsServer, type IcsServer } from '../support/ics-server.js';
import { startRadicale, type RadicaleServer } from '../support/radicale.js';

const KEY = randomBytes(32).toString('base64');

function ics(...lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}
const tomorrow = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000);
const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const at = (hour: number): Date => new Date(tomorrow.getTime() + hour * 3_600_000);

describe('connect / disconnect commands', () => {
  let db: Db & { pg: { query: <T>(sql: string, params?: unknown[]) => Promise<{ rows: T[] }> } };
  let radicale: RadicaleServer;
  let feed: IcsServer;
  let google: FakeGoogle;
  let providerId: string;

  beforeAll(async () => {
    [db, radicale, feed, google] = await Promise.all([
      createTestDb(), startRadicale({ kim: 'kim-app-pass' }),
      startIcsServer(ics('BEGIN:VEVENT', 'UID:f', 'DTSTAMP:20260101T000000Z', `DTSTART:${stamp(at(15))}`, `DTEND:${stamp(at(16))}`, 'END:VEVENT')),
      startFakeGoogle(),
    ]);
    await db.rpc('apply_provider', { p_slug: 'kim', p_name: 'Kim', p_timezone: 'Asia/Dubai', p_is_public: true, p_settings: {}, p_services: [] });
    providerId = (await db.rpc('get_public_provider', { p_slug: 'kim' }))!.id;
    const client = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-app-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
    await client.makeCalendar({ url: `${radicale.url}kim/work/`, props: { displayname: 'Work' } });
    await client.makeCalendar({ url: `${radicale.url}kim/home/`, props: { displayname: 'Home' } });
    const work = (await client.fetchCalendars()).find((c) => c.url.endsWith('/work/'))!;
    await client.createCalendarObject({ calendar: work, filename: 'w.ics', iCalString: ics('BEGIN:VEVENT', 'UID:w', 'DTSTAMP:20260101T000000Z', `DTSTART:${stamp(at(9))}`, `DTEND:${stamp(at(10))}`, 'END:VEVENT') });
    google.calendars = [
      { id: 'kim@example.com', summary: 'Kim', primary: true, busy: [{ start: at(12).toISOString(), end: at(13).toISOString() }] },
      { id: 'team@group.calendar.google.com', summary: 'Team', busy: [] },
    ];
  });
  afterAll(async () => {
    await Promise.all([db?.close(), radicale?.stop(), feed?.stop(), google?.stop()]);
  });

  async function run(command: string, args: string[], env: Record<string, string> = {}, onOut?: (l: string) => void) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCalendarCommand(command, args, {
      db, env: { SECRETS_KEY: KEY, ...env },
      out: (l) => {
        out.push(l);
        onOut?.(l);
      },
      err: (l) => err.push(l),
      promptSecret: async () => 'kim-app-pass',
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const settings = async () => (await db.rpc('get_calendar_refresh_input', { p_provider_id: providerId }))!.calendar;
  const busyStarts = async () => {
    const cache = await db.rpc('get_calendar_cache', {
      p_provider_id: providerId, p_from: tomorrow, p_to: new Date(tomorrow.getTime() + 86_400_000),
    });
    return Object.fromEntries(cache!.sources.map((s) => [s.kind, s.busy.map((b) => new Date(b.start).toISOString())]));
  };

  it('refuses a wrong CalDAV password with the app-specific password hint and stores nothing', async () => {
    const r = await run('connect-caldav', ['kim', '--url', radicale.url, '--username', 'kim'], { CALDAV_PASSWORD: 'my-apple-id-password' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/HTTP 401.*app-specific password/);
    expect(r.err).not.toContain('my-apple-id-password');
    expect((await db.pg.query('select 1 from integration_secrets')).rows).toHaveLength(0);
  });

  it('names the calendars that exist when a chosen one does not', async () => {
    const r = await run('connect-caldav', ['kim', '--url', radicale.url, '--username', 'kim', '--calendar', 'Gym'], { CALDAV_PASSWORD: 'kim-app-pass' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('No calendar "Gym"');
    expect(r.err).toContain('"Work"');
  });

  it('refuses to store a secret without SECRETS_KEY', async () => {
    const code = await runCalendarCommand('connect-ics', ['kim', '--url', feed.url], { db, env: {}, out: () => {}, err: () => {} });
    expect(code).toBe(1);
  });

  it('connects CalDAV (password from the prompt), stores the choice and syncs once', async () => {
    const r = await run('connect-caldav', ['kim', '--url', radicale.url, '--username', 'kim', '--calendar', 'Work']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`[x] Work  ${radicale.url}kim/work/`);
    expect(r.out).toContain(`[ ] Home  ${radicale.url}kim/home/`);
    expect(r.out).toContain('Busy times synced.');
    expect((await settings()).selectedCalendarIds).toEqual([`${radicale.url}kim/work/`]);
    expect((await busyStarts()).caldav).toEqual([at(9).toISOString()]);
    const [{ secret }] = (await db.pg.query<{ secret: object }>('select secret from integration_secrets')).rows;
    expect(Object.keys(secret).sort()).toEqual(['ciphertext', 'iv', 'tag']);
    expect(JSON.stringify(secret)).not.toContain('kim-app-pass');
  });

  it('connects an ICS feed from ICS_URL', async () => {
    const r = await run('connect-ics', ['kim'], { ICS_URL: feed.url });
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain(feed.url);
    expect((await busyStarts()).ics).toEqual([at(15).toISOString()]);
  });

  it('connects Google through the consent redirect, keeping the CalDAV choice', async () => {
    const consent: Promise<Response>[] = [];
    const r = await run('connect-google', ['kim', '--calendar', 'Kim'], { GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, GOOGLE_OAUTH_BASE: google.url, GOOGLE_API_BASE: `${google.url}/calendar/v3` }, (line) => {
      const url = /https?:\/\/\S+\/o\/oauth2\/v2\/auth\?\S+/.exec(line)?.[0];
      // The "browser": Google redirects to the loopback callback the command listens on.
      if (url) consent.push(fetch(url));
    });
    expect(r.code, r.err).toBe(0);
    expect((await consent[0]).status).toBe(200);
    expect(r.out).toContain('[x] Kim  kim@example.com');
    expect(r.out).toContain('[ ] Team  team@group.calendar.google.com');
    expect((await settings()).selectedCalendarIds).toEqual([`${radicale.url}kim/work/`, 'kim@example.com']);
    expect((await busyStarts()).google).toEqual([at(12).toISOString()]);
  });

  it('disconnects: the integration, its secret and its cached busy time are gone', async () => {
    const r = await run('disconnect', ['kim', 'caldav']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Disconnected caldav');
    expect(Object.keys(await busyStarts()).sort()).toEqual(['google', 'ics']);
    expect((await db.pg.query('select 1 from integration_secrets')).rows).toHaveLength(2);
    expect((await db.pg.query(`select 1 from external_busy where source like 'caldav:%'`)).rows).toHaveLength(0);
    const again = await run('disconnect', ['kim', 'caldav']);
    expect(again.out).toContain('had no caldav calendar connected');
    expect((await run('disconnect', ['kim', 'outlook'])).code).toBe(2);
  });
});
