import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SCREENSHOT_DIR, expectAxeClean, launchChromium, openVisitor, type VisitorOptions } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { clockFrom, midNextMonth } from '../support/clock.ts';

/**
 * Issue 6 in real Chromium: the paid session through the page and the local test checkout (paid, and
 * cancelled on the checkout), and the visitor's manage page (`/b/:token`) moving and cancelling a booking,
 * each change checked against the public slots API. Screenshots of the manage page, phone and desktop,
 * English and Arabic.
 */

let server: TestServer;
let browser: Browser;
/**
 * Server and browser share a clock fixed at 09:00 in Dubai on the 10th of next month, so the month a calendar opens
 * on and the two weeks these tests book in never depend on today's date (late in a real month they once did).
 */
const clock = clockFrom(midNextMonth());

beforeAll(async () => {
  server = await startTestServer({ now: clock });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const HOUR = 3_600_000;

async function open(options: VisitorOptions = {}) {
  const visitor = await openVisitor(browser, { timezoneId: 'Europe/Berlin', ...options });
  await visitor.page.clock.setFixedTime(clock());
  return visitor;
}

/** The local test checkout answers its own favicon request with 401; that page is not ours. */
const ours = (problems: string[]) => problems.filter((p) => !p.includes('401 (Unauthorized)'));

/** Free starts the public API offers for a service over the next two weeks. */
async function freeStarts(service: string): Promise<string[]> {
  const q = new URLSearchParams({
    service,
    from: clock().toISOString(),
    to: new Date(clock().getTime() + 14 * 86_400_000).toISOString(),
  });
  const res = await fetch(`${server.url}/api/providers/demo/slots?${q}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

/** A free start far enough ahead that the demo's 12-hour cancel and reschedule windows are still open. */
async function laterSlot(service: string, skip = 0): Promise<string> {
  const starts = (await freeStarts(service)).filter((s) => Date.parse(s) > clock().getTime() + 14 * HOUR);
  expect(starts.length).toBeGreaterThan(skip);
  return starts[skip];
}

/** Books through the API, as the page does, and returns the manage link. */
async function book(service: string, start: string, name: string): Promise<string> {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      provider: 'demo', service, start, name, email: 'visitor@example.com', timezone: 'Europe/Berlin',
      idempotencyKey: crypto.randomUUID(),
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { manageUrl: string }).manageUrl;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** From the details step: name and email, submit, and on to the local checkout page. */
async function payDetails(page: Page, name: string) {
  await page.getByRole('heading', { name: 'Your details' }).waitFor();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill('payer@example.com');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.waitForURL(/\/pay\/cs_test_/);
  await page.getByRole('heading', { name: 'Test checkout' }).waitFor();
}

describe('paying, and the manage page, in Chromium', () => {
  it('a visitor books the paid session, pays on the checkout, and lands on the manage page: confirmed and paid', async () => {
    const { context, page, problems } = await open();
    await page.goto(`${server.url}/c/demo/session`);
    await page.locator('button.day.available').first().click();
    await page.locator('button.slot').first().click();
    await payDetails(page, 'Paying Visitor');
    expect(await page.getByText('AED 250.00').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/b\/[\w-]{43}/);
    await page.getByRole('heading', { name: 'Your booking' }).waitFor();
    await page.getByText('Payment received. Thank you!').waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Confirmed');
    expect(await page.getByText('AED 250.00 paid').count()).toBe(1);
    expect(new URL(page.url()).searchParams.has('payment')).toBe(false);
    // A confirmed booking offers the calendars.
    expect(await page.getByRole('link', { name: 'Google Calendar' }).getAttribute('href')).toMatch(/^https:\/\/calendar\.google\.com\//);
    expect(await page.getByRole('link', { name: 'Outlook.com' }).getAttribute('href')).toMatch(/^https:\/\/outlook\./);
    const ics = await page.getByRole('link', { name: /\.ics/ }).getAttribute('href');
    expect(await (await fetch(new URL(ics!, server.url))).text()).toContain('BEGIN:VCALENDAR');
    await expectAxeClean(page, 'manage after payment');

    const manageUrl = page.url();
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      for (const locale of ['en-US', 'ar']) {
        const v = await open({ viewport, locale });
        await v.page.goto(manageUrl);
        await v.page.locator('.badge').waitFor();
        await expectAxeClean(v.page, `manage ${device} ${locale}`);
        await shot(v.page, `${device}-${locale.slice(0, 2)}-manage-paid`);
        expect(v.problems).toEqual([]);
        await v.context.close();
      }
    }
    expect(ours(problems)).toEqual([]);
    await context.close();
  });

  it('Cancel on the checkout releases the hold at once and offers to book again', async () => {
    const start = await laterSlot('session');
    const { context, page, problems } = await open({ timezoneId: 'Asia/Dubai' });
    await page.goto(`${server.url}/c/demo/session?slot=${encodeURIComponent(start)}`);
    await payDetails(page, 'Changed Mind');
    expect(await freeStarts('session')).not.toContain(start); // held while paying

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/b\/[\w-]{43}/);
    await page.getByText(/^Payment cancelled\. The time was released/).waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Cancelled');
    expect(await freeStarts('session')).toContain(start);
    expect(await page.getByRole('link', { name: 'Book a time again' }).getAttribute('href')).toBe('/c/demo/session');
    await expectAxeClean(page, 'manage after checkout cancelled');
    await shot(page, 'desktop-en-manage-checkout-cancelled');
    expect(ours(problems)).toEqual([]);
    await context.close();
  });

  it('the manage page moves the booking to another time, then cancels it with a reason', async () => {
    const [from, to] = [await laterSlot('intro'), await laterSlot('intro', 3)];
    const manageUrl = await book('intro', from, 'Moving Visitor');
    expect(new URL(manageUrl).origin).toBe(server.url);

    const { context, page, problems } = await open({ timezoneId: 'Asia/Dubai' });
    const response = await page.goto(manageUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(response?.headers()['x-robots-tag']).toContain('noindex');
    expect(await page.locator('meta[name=referrer]').getAttribute('content')).toBe('no-referrer');
    await page.getByRole('heading', { name: 'Your booking' }).waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Confirmed');
    await expectAxeClean(page, 'manage confirmed');
    await shot(page, 'desktop-en-manage-confirmed');

    // Reschedule with the booking page's own calendar and times.
    await page.getByRole('button', { name: 'Change the time' }).click();
    const day = to.slice(0, 10); // Berlin and UTC share the date within the demo's working hours
    // Wait for the month's free days before deciding whether the day lies in the next month.
    await page.locator('button.day.available').first().waitFor();
    if (!(await page.locator(`button.day.available[data-date="${day}"]`).count())) await page.getByRole('button', { name: 'Next month' }).click();
    await page.locator(`button.day[data-date="${day}"]`).click();
    // Times show in the zone the visitor booked in (Berlin), whatever zone the browser is in today.
    const label = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', dateStyle: 'full', timeStyle: 'short', hourCycle: 'h12' }).format(new Date(to));
    await page.getByRole('button', { name: label, exact: true }).click();
    await page.getByRole('heading', { name: 'Move your booking to this time?' }).waitFor();
    await expectAxeClean(page, 'manage move confirmation');
    await shot(page, 'desktop-en-manage-move');
    await page.getByRole('button', { name: 'Move my booking' }).click();
    await page.getByText('Your booking was moved.').waitFor();
    const free = await freeStarts('intro');
    expect(free).toContain(from);
    expect(free).not.toContain(to);
    expect(await page.locator('.when').textContent()).toContain(label.replace(/ at .*/, ''));

    // Cancel: a confirmation step with an optional reason.
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByRole('heading', { name: 'Cancel this booking?' }).waitFor();
    await page.getByLabel('Reason (optional)').fill('Travelling that week');
    await expectAxeClean(page, 'manage cancel step');
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('Your booking was cancelled.').waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Cancelled');
    expect(await page.getByText('Reason: Travelling that week').count()).toBe(1);
    expect(await freeStarts('intro')).toContain(to);
    expect(await page.getByRole('button', { name: 'Cancel booking' }).count()).toBe(0);
    await shot(page, 'desktop-en-manage-cancelled');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a time taken meanwhile: the move is refused, the day reloads, the booking stays where it was', async () => {
    const [from, to] = [await laterSlot('intro', 5), await laterSlot('intro', 6)];
    const manageUrl = await book('intro', from, 'Late Mover');
    const { context, page, problems } = await open({ timezoneId: 'Asia/Dubai' });
    await page.goto(`${manageUrl}?date=${to.slice(0, 10)}&slot=${encodeURIComponent(to)}`);
    await page.getByRole('heading', { name: 'Move your booking to this time?' }).waitFor();
    await book('intro', to, 'Faster Visitor');
    await page.getByRole('button', { name: 'Move my booking' }).click();
    await page.getByRole('alert').filter({ hasText: 'someone just took that time' }).waitFor();
    await page.getByRole('heading', { name: /^Times on / }).waitFor();
    const view = (await (await fetch(`${server.url}/api/bookings/${manageUrl.split('/b/')[1]}`)).json()) as { booking: { start: string } };
    expect(view.booking.start).toBe(new Date(from).toISOString());
    expect(problems.filter((p) => !p.includes('409'))).toEqual([]);
    await context.close();
  });

  it('an unknown or malformed manage link is the same 404, never cached or indexed', async () => {
    for (const token of ['A'.repeat(43), 'nope', 'A'.repeat(42) + '!']) {
      const res = await fetch(`${server.url}/b/${token}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-robots-tag')).toContain('noindex');
      const html = await res.text();
      expect(html).toContain('This booking link does not work.');
      expect(html).not.toContain('slotline-data');
    }
  });
});
