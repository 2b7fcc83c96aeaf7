import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { DESKTOP, checkScreen } from '../support/app-browser.ts';
import { signedInPage as openSignedIn, visitorBooks as bookAsVisitor } from '../support/app-browser.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * What was sent, tomorrow's agenda and the notification settings, in Chromium: after a visitor books (no SMTP set
 * up), the Messages screen lists the confirmation as kept and opens its text; the agenda offers the one-tap WhatsApp
 * reminder; the email link `?action=approve` lands on the approval; the settings form saves `settings.notifications`.
 * One fixed instant for the server and the browser: a Monday, 10:00 in Dubai, two weeks or more after the real date.
 */

const NOW = mondayAfterTwoWeeks();
const { day, at } = daysAfter(NOW);

let server: AppServer;
let owner: AppClient;
let browser: Browser;
let base: string;

/** A visitor books the demo provider (email from the name). */
const visitorBooks = (service: string, start: string, name: string) => bookAsVisitor(server, service, start, name);

/** A browser signed in as the owner, on the phone unless told. */
const signedInPage = (options: { viewport?: typeof DESKTOP; locale?: string } = {}) => openSignedIn(browser, server, owner, NOW, options);

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('messages, agenda and notification settings in the provider app, in Chromium', () => {
  it('lists the confirmation of a new booking as kept (no SMTP) and opens its text; Arabic too', async () => {
    const booked = await visitorBooks('intro', at(1, '05:00'), 'Sara');
    await until(async () => (await owner.json('GET', `${base}/outbox`, undefined, 200))
      .some((m: { bookingId: string; kind: string; channel: string; status: string }) =>
        m.bookingId === booked.booking.id && m.kind === 'visitor.confirmation' && m.channel === 'email' && m.status === 'kept'), 'the kept confirmation');

    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /Messages sent/ }).click();
    await page.getByRole('heading', { name: 'Messages sent' }).waitFor();
    const item = page.locator('ul.list > li').filter({ hasText: 'Booking confirmation to the client' }).filter({ hasText: 'sara@example.com' });
    await item.getByText('Kept, not sent: no email server is set up').waitFor();
    await page.getByText(/set SMTP_URL in the server’s environment/).waitFor();
    await item.getByRole('button', { name: 'Read the message' }).click();
    const text = item.locator('.msg-text');
    await text.waitFor();
    expect(await text.textContent()).toMatch(/Sara/);
    expect(await text.textContent()).not.toMatch(/\/b\/[A-Za-z0-9_-]{20,}/); // the manage token is never shown
    await checkScreen(page, 'messages-phone-en');
    await item.getByRole('link', { name: 'Open the booking' }).click();
    await page.getByRole('heading', { name: 'Sara' }).waitFor();
    await context.close();
    expect(problems).toEqual([]);

    const ar = await signedInPage({ viewport: DESKTOP, locale: 'ar' });
    await ar.page.goto(`${server.url}/app/messages?lang=ar`);
    await ar.page.getByRole('heading', { name: 'الرسائل المرسلة' }).waitFor();
    await ar.page.getByText('محفوظة ولم تُرسل: لا يوجد خادم بريد مُعدّ').first().waitFor();
    expect(await ar.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await checkScreen(ar.page, 'messages-desktop-ar');
    await ar.context.close();
    expect(ar.problems).toEqual([]);
  });

  it("shows tomorrow's clients with a one-tap WhatsApp reminder", async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app`);
    await page.getByRole('link', { name: 'Tomorrow’s agenda' }).click();
    await page.getByRole('heading', { name: 'Agenda' }).waitFor();
    expect(await page.getByLabel('Day').inputValue()).toBe(day(1));
    const remind = page.getByRole('link', { name: 'Remind on WhatsApp' });
    await remind.waitFor();
    expect(await remind.getAttribute('href')).toMatch(/^https:\/\/wa\.me\/971501234567\?text=/);
    await checkScreen(page, 'agenda-phone-en');
    await page.getByLabel('Day').fill(day(3));
    await page.getByText('No clients on this day.').waitFor();
    expect(new URL(page.url()).search).toBe(`?date=${day(3)}`);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('the email link ?action=approve opens the request with its approval ready', async () => {
    const services = await owner.json('GET', `${base}/services`, undefined, 200);
    const intro = services.find((s: { slug: string }) => s.slug === 'intro');
    await owner.json('PATCH', `${base}/services/${intro.id}`, { bookingMode: 'request' }, 200);
    const booked = await visitorBooks('intro', at(2, '05:00'), 'Omar');
    await owner.json('PATCH', `${base}/services/${intro.id}`, { bookingMode: 'instant' }, 200);
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/bookings/${booked.booking.id}?action=approve`);
    await page.getByRole('heading', { name: 'Approve this request? The client gets a confirmation.' }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved. The client has their booking.').waitFor();
    expect(await owner.json('GET', `${base}/bookings/${booked.booking.id}`, undefined, 200)).toMatchObject({ status: 'confirmed' });
    await context.close();
    expect(problems).toEqual([]);
  });

  it('saves the notification settings', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /Notifications/ }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByLabel('1 h before').check();
    await page.getByLabel('2 h before').uncheck();
    await page.getByLabel('Email me the next day’s agenda at').selectOption('19');
    await checkScreen(page, 'messages-settings-phone-en');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const stored = await owner.json('GET', base, undefined, 200);
    expect(stored.notifications).toEqual({ reminders: [1440, 60], providerEmails: true, lang: 'en', agendaHour: 19 });
    await context.close();
    expect(problems).toEqual([]);
  });
});
