import type { Browser, Page } from 'playwright-core';
import type { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, SCREENSHOT_DIR, expectAxeClean, launchChromium, openVisitor } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { clockFrom, midNextMonth } from '../support/clock.ts';

/**
 * A weekly series in real Chromium against the real server (demo provider, its intro call allowing 4 dates): the
 * visitor repeats a time weekly, the preview marks the one date someone else holds and offers the nearest free time,
 * the series is booked with it, and the series' manage page lists every date and cancels "this and later".
 */

let server: TestServer;
let browser: Browser;
/** Server and browser share one fixed clock (09:00 Dubai on the 10th of next month), as in page-booking.test.ts. */
const clock = clockFrom(midNextMonth());
const WEEK = 7 * 86_400_000;

beforeAll(async () => {
  server = await startTestServer({ now: clock });
  await (server.db as unknown as { pg: PGlite }).pg.query("update services set series_max_occurrences = 4 where slug = 'intro'");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

async function firstFreeSlot(): Promise<string> {
  const from = clock().toISOString();
  const to = new Date(clock().getTime() + 30 * 86_400_000).toISOString();
  const body = (await (await fetch(`${server.url}/api/providers/demo/slots?service=intro&from=${from}&to=${to}`)).json()) as { slots: { start: string }[] };
  return body.slots[0].start;
}

describe('weekly series in Chromium', () => {
  it('books four weekly dates with the one conflict moved to the nearest free time, then cancels this and later', async () => {
    const slot = await firstFreeSlot();
    const taken = new Date(Date.parse(slot) + WEEK).toISOString();
    const other = await fetch(`${server.url}/api/bookings`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'demo', service: 'intro', start: taken, email: 'first@example.com', name: 'First' }),
    });
    expect(other.status).toBe(201);

    const { context, page, problems } = await openVisitor(browser, { timezoneId: 'Asia/Dubai', viewport: PHONE });
    await page.clock.setFixedTime(clock());
    const date = new Date(Date.parse(slot) + 4 * 3_600_000).toISOString().slice(0, 10); // Dubai date
    await page.goto(`${server.url}/c/demo/intro?date=${date}&slot=${encodeURIComponent(slot)}`);
    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.getByLabel('Name').fill('Series Visitor');
    await page.getByLabel('Email').fill('series@example.com');

    await page.getByRole('combobox', { name: 'Repeat weekly' }).selectOption('4');
    const busy = page.locator('li.field-error');
    await busy.waitFor();
    expect(await page.locator('fieldset li').count()).toBe(4);
    expect(await busy.count()).toBe(1);
    expect(await busy.textContent()).toMatch(/^Busy: /);
    await expectAxeClean(page, 'series preview');
    await shot(page, 'phone-en-series-preview');

    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.waitForURL(/\/s\/[\w-]{43}$/);
    await page.getByRole('heading', { name: /^Your weekly series with / }).waitFor();
    const items = page.locator('ol li');
    expect(await items.count()).toBe(4);
    expect(await items.nth(1).textContent()).toContain('2/4');
    expect(await page.getByText('Confirmed').count()).toBe(4);
    await expectAxeClean(page, 'series manage page');
    await shot(page, 'phone-en-series-manage');

    // The moved date is booked next to the one someone else holds, not on it.
    const series = await (await fetch(`${server.url}/api/series/${page.url().split('/s/')[1]}`)).json();
    const second = Date.parse(series.bookings[1].start);
    expect(second).not.toBe(Date.parse(taken));
    expect(Math.abs(second - Date.parse(taken))).toBe(30 * 60_000);

    await items.nth(2).getByRole('button', { name: 'Cancel this and later' }).click();
    await page.waitForLoadState();
    await expect.poll(() => page.getByText('Cancelled').count()).toBe(2);
    expect(await page.getByText('Confirmed').count()).toBe(2);
    // The second date links to its own manage page, where it can be moved.
    expect(await items.nth(1).getByRole('link', { name: 'Change' }).getAttribute('href')).toMatch(/\/b\/[\w-]{43}$/);

    // Arabic, right to left, still axe-clean.
    await page.goto(`${page.url()}?lang=ar`);
    await page.getByRole('heading', { name: /^سلسلتك الأسبوعية مع / }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await expectAxeClean(page, 'series manage page (ar)');
    await shot(page, 'phone-ar-series-manage');
    expect(problems).toEqual([]);
    await context.close();
  });
});
