import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/port.ts';
import { encryptSecret } from '../../server/secrets/crypto.ts';
import { DAY, HOUR } from '../../server/time/units.ts';
import { createTestDb } from '../support/db.ts';
import { makeProvider } from '../support/fixtures.ts';
import { startIcsServer, type IcsServer } from '../support/ics-server.ts';

/**
 * Calendar refresh takes SECRETS_KEY from the app's config (`createApp({ config })`), not from the environment on
 * each call: the same stored secret is read with the configured key and refused with another one, whatever
 * `process.env` holds. Times are relative to the real clock because the cache refreshes from "now".
 */
const KEY = randomBytes(32);
const today = Math.floor(Date.now() / DAY) * DAY;
const busyStart = new Date(today + 2 * DAY + 10 * HOUR);
const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const FEED = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotline//tests//EN',
  'BEGIN:VEVENT', 'UID:busy', 'DTSTAMP:20260101T000000Z', `DTSTART:${stamp(busyStart)}`, `DTEND:${stamp(new Date(busyStart.getTime() + HOUR))}`, 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

describe('calendar refresh gets its secrets key from createApp({ config })', () => {
  let db: Db;
  let feed: IcsServer;
  beforeAll(async () => {
    [db, feed] = await Promise.all([createTestDb(), startIcsServer(FEED)]);
  });
  afterAll(async () => {
    await Promise.all([db?.close(), feed?.stop()]);
  });

  /** A provider working 09:00–13:00 UTC with the feed connected, its secret encrypted with KEY. */
  async function provider(slug: string): Promise<void> {
    await makeProvider(db, {
      slug,
      settings: {
        workingHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '13:00' },
        booking: { slotStepMinutes: 60, minNoticeMinutes: 0 },
      },
    });
    await db.rpc('connect_calendar', {
      p_provider_slug: slug, p_kind: 'ics', p_label: 'Feed', p_external_username: null, p_external_email: null,
      p_secret: encryptSecret({ url: feed.url }, KEY), p_selected_calendar_ids: null,
    });
  }

  async function slots(secretsKey: string, slug: string) {
    const config = readConfig({ SECRETS_KEY: secretsKey, SLOTS_CACHE_MS: '0' });
    const app = createApp({ db, config, log: () => {} });
    const day = new Date(busyStart).toISOString().slice(0, 10);
    const res = await app.request(`/api/providers/${slug}/slots?service=call&from=${day}&to=${day}&tz=UTC`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { slots: { start: string }[]; calendar: { failing: boolean } };
    return { starts: body.slots.map((s) => s.start.slice(11, 16)), failing: body.calendar.failing };
  }

  it('with the configured key the feed is read and its busy hour is not offered', async () => {
    await provider('right-key');
    expect(await slots(KEY.toString('base64'), 'right-key')).toEqual({ starts: ['09:00', '11:00', '12:00'], failing: false });
  });

  it('with another configured key the same secret cannot be read: the calendar is failing and the window hidden', async () => {
    await provider('other-key');
    expect(await slots(randomBytes(32).toString('hex'), 'other-key')).toEqual({ starts: [], failing: true });
  });
});
