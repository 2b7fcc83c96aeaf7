import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createDAVClient } from 'tsdav';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { checkScreen, signedInPage } from '../support/app-browser.ts';
import { startIcsServer, type IcsServer } from '../support/ics-server.ts';
import { startRadicale, type RadicaleServer } from '../support/radicale.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * Connecting calendars from the app's screen, in Chromium at 360 px: a real Radicale account through the CalDAV form
 * (test, the calendars by name, the busy and write choice, connect, health "Working"), the choice edited afterwards,
 * a real ICS feed (paste, test, add), and disconnecting it after a confirmation. One fixed instant for the server and
 * the browser (a Monday, 10:00 in Dubai, two weeks or more after the real date).
 */

const NOW = mondayAfterTwoWeeks();
const { day } = daysAfter(NOW);
const compact = (n: number, hm: string) => `${day(n).replace(/-/g, '')}T${hm.replace(':', '')}00`;
const ics = (uid: string, n: number, from: string, to: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    `DTSTART;TZID=Asia/Dubai:${compact(n, from)}`, `DTEND;TZID=Asia/Dubai:${compact(n, to)}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

let server: AppServer;
let radicale: RadicaleServer;
let feed: IcsServer;
let owner: AppClient;
let browser: Browser;
let base: string;

beforeAll(async () => {
  const env = {
    SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0', CALENDAR_PRIVATE_HOSTS: 'true', SECRETS_KEY: randomBytes(32).toString('base64'),
  };
  [server, radicale, feed, browser] = await Promise.all([
    startAppServer({ start: NOW, env }),
    startRadicale({ kim: 'kim-pass' }),
    startIcsServer(ics('feed@test', 2, '15:00', '16:00')),
    launchChromium(),
  ]);
  const dav = await createDAVClient({ serverUrl: radicale.url, credentials: { username: 'kim', password: 'kim-pass' }, authMethod: 'Basic', defaultAccountType: 'caldav' });
  for (const [name, label] of [['work', 'Work'], ['home', 'Home']]) {
    await dav.makeCalendar({ url: `${radicale.url}kim/${name}/`, props: { displayname: label } });
  }
  ({ owner, base } = await signInOwner(server));
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.close(), radicale?.stop(), feed?.stop()]);
});

describe('calendars in the provider app, in Chromium', () => {
  it('connects Radicale and an ICS feed through the screen, edits the choice, and disconnects the feed', async () => {
    const work = `${radicale.url}kim/work/`;
    const home = `${radicale.url}kim/home/`;
    const { page, problems, context } = await signedInPage(browser, server, owner, NOW);
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /Calendars/ }).click();
    await page.getByRole('heading', { name: 'Calendars', level: 1 }).waitFor();
    await page.getByText('No calendar connected yet — your page shows only your working hours and bookings.').waitFor();

    // CalDAV: test, see the calendars by name, count only Work as busy and write bookings there, connect.
    await page.getByLabel('Other').check();
    await page.getByLabel('Server address').fill(radicale.url);
    await page.getByLabel('Username or email').fill('kim');
    await page.getByLabel('App-specific password').fill('wrong');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/The server refused this username and password/).first().waitFor();
    await page.getByLabel('App-specific password').fill('kim-pass');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Signed in. Calendars found: 2.').waitFor();
    await page.getByRole('checkbox', { name: 'Home' }).uncheck();
    await page.getByLabel('Add new bookings to').selectOption({ label: 'Work' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('Connected. Your page now hides these busy times.').waitFor();
    const caldav = page.locator('li.cal-source', { hasText: '127.0.0.1' });
    await caldav.getByText('Working').waitFor();
    // The sync state is stamped by the database's clock (the real date), the browser's is fixed later: "… days ago".
    expect(await caldav.textContent()).toMatch(/Last read (now|[^.]+ ago)\. Next check [^.]+\./);
    let stored = await owner.json('GET', `${base}/calendars`, undefined, 200);
    expect(stored).toMatchObject({ busyCalendarIds: [work], writeCalendarId: work });
    expect(stored.sources).toMatchObject([{ kind: 'caldav', account: 'kim', status: 'ok' }]);

    // The choice, edited afterwards from the account's own list.
    await caldav.getByRole('button', { name: 'Choose calendars' }).click();
    await caldav.getByRole('checkbox', { name: 'Home' }).check();
    expect(await caldav.getByRole('checkbox', { name: 'Work' }).isChecked()).toBe(true);
    await caldav.getByRole('button', { name: 'Save choice' }).click();
    await caldav.getByText('Saved. Your page uses the new choice now.').waitFor();
    stored = await owner.json('GET', `${base}/calendars`, undefined, 200);
    expect([...stored.busyCalendarIds].sort()).toEqual([home, work].sort());

    // An ICS feed: paste, test (what it found), add.
    await page.getByLabel('Feed address').fill(feed.url);
    await page.getByRole('button', { name: 'Test feed' }).click();
    await page.getByText('The feed works. Busy times in the next 90 days: 1.').waitFor();
    await page.getByRole('button', { name: 'Add feed' }).click();
    await page.getByText('Feed added. Your page now hides its busy times.').waitFor();
    await page.locator('li.cal-source', { hasText: 'ICS feed' }).getByText('Working').waitFor();
    await checkScreen(page, 'calendars');

    // Disconnect asks first, then the feed is gone (and its secret with it).
    await page.getByRole('button', { name: 'Disconnect ICS feed' }).click();
    await page.getByRole('button', { name: 'Yes, disconnect' }).click();
    await page.getByText('ICS feed is disconnected.').waitFor();
    await page.locator('li.cal-source', { hasText: 'ICS feed' }).waitFor({ state: 'detached' });
    stored = await owner.json('GET', `${base}/calendars`, undefined, 200);
    expect(stored.sources.map((s: { kind: string }) => s.kind)).toEqual(['caldav']);

    // In Arabic, right to left: the same screen, axe-clean, no horizontal scroll.
    await page.getByRole('button', { name: 'العربية' }).click();
    await page.getByRole('heading', { name: 'التقويمات', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.locator('li.cal-source', { hasText: '127.0.0.1' }).getByText('يعمل').waitFor();
    await checkScreen(page, 'calendars-ar');
    await context.close();
    expect(problems).toEqual([]);
  });
});

