import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { DESKTOP, checkScreen } from '../support/app-browser.ts';
import { signedInPage as openSignedIn, visitorBooks as bookAsVisitor } from '../support/app-browser.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * Running the week from the app, in Chromium: approving a request, cancelling a paid booking with the refund the
 * policy gives (through the local Stripe), adding a booking by hand (and the overlap refused), the lists and the
 * Arabic screens. One fixed instant for the server and the browser: a Monday, 10:00 in Dubai, two weeks or more
 * after the real date (manage links expire by the database's clock), so the outcome never depends on the day run.
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

describe('bookings in the provider app, in Chromium', () => {
  it('approves a request from the Requests tab', async () => {
    const services = await owner.json('GET', `${base}/services`, undefined, 200);
    const intro = services.find((s: { slug: string }) => s.slug === 'intro');
    await owner.json('PATCH', `${base}/services/${intro.id}`, { bookingMode: 'request' }, 200);
    const booked = await visitorBooks('intro', at(1, '05:00'), 'Sara');
    expect(booked.booking.status).toBe('pending');

    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app`);
    await page.getByRole('heading', { name: 'Your bookings' }).waitFor();
    await page.getByRole('tab', { name: 'Requests' }).click();
    await page.getByRole('link', { name: /Sara/ }).waitFor();
    await checkScreen(page, 'requests-phone-en');
    await page.getByRole('link', { name: /Sara/ }).click();
    await page.getByRole('heading', { name: 'Sara' }).waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Request');
    await checkScreen(page, 'request-details-phone-en');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Approved. The client has their booking.').waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Confirmed');
    const stored = await owner.json('GET', `${base}/bookings/${booked.booking.id}`, undefined, 200);
    expect(stored).toMatchObject({ status: 'confirmed', awaitingApproval: false });
    // The request is gone from the Requests tab.
    await page.getByRole('link', { name: 'Bookings', exact: true }).first().click();
    await page.getByRole('tab', { name: 'Requests' }).click();
    await page.getByText('No requests waiting for you.').waitFor();
    await owner.json('PATCH', `${base}/services/${intro.id}`, { bookingMode: 'instant' }, 200);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('cancels a paid booking and shows the refund the policy gives', async () => {
    const booked = await visitorBooks('session', at(2, '11:00'), 'Noor');
    const session = server.stripe.pay(booked.next.url.split('/pay/')[1]);
    const event = server.stripe.event('checkout.session.completed', session);
    const hook = await fetch(`${server.url}/api/stripe/webhook`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.header }, body: event.payload,
    });
    expect(hook.status).toBe(200);

    const { page, problems, context } = await signedInPage({ viewport: DESKTOP });
    await page.goto(`${server.url}/app/bookings/${booked.booking.id}`);
    await page.getByRole('heading', { name: 'Noor' }).waitFor();
    await page.getByText(/^Paid /).waitFor();
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByText(/Your policy refunds .* in full for this booking\./).waitFor();
    expect(await page.getByLabel(/^Refund .* in full$/).isChecked()).toBe(true);
    await page.getByLabel('Reason (optional)').fill('I am unwell, sorry');
    await checkScreen(page, 'cancel-refund-desktop-en');
    await page.getByRole('button', { name: 'Cancel booking' }).click();
    await page.getByText('Cancelled. The full refund is on its way to the client, and the time is free again.').waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Cancelled');
    // The refund was queued with the cancellation; the job worker makes it at Stripe, and the details then say so.
    await expect.poll(() => server.stripe.refunds.map((r) => r.metadata.booking_id), { timeout: 10_000 }).toContain(booked.booking.id);
    await page.reload();
    await page.getByText(/^Refunded /).waitFor();
    await context.close();
    expect(problems).toEqual([]);
  });

  it('adds a booking by hand; the same time again is refused as taken', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/bookings/new`);
    await page.getByRole('heading', { name: 'Add a booking' }).waitFor();
    await page.getByLabel('Service').selectOption({ label: 'Free intro call' });
    await page.getByLabel('Date').fill(day(3));
    await page.getByLabel('Time (Asia/Dubai)').fill('10:00');
    await page.getByLabel('Client’s name').fill('Hessa');
    await page.getByLabel('Phone').fill('+971 50 765 4321');
    // Missing nothing now: the client asked on WhatsApp.
    await checkScreen(page, 'manual-booking-phone-en');
    await page.getByRole('button', { name: 'Book it' }).click();
    await page.getByRole('heading', { name: 'Hessa' }).waitFor();
    await page.getByText(/^Booked\. Send the client their link to change or cancel: http/).waitFor();
    expect(await page.getByRole('link', { name: 'WhatsApp the client' }).getAttribute('href')).toMatch(/^https:\/\/wa\.me\/971507654321\?text=/);
    const list = await owner.json('GET', `${base}/bookings?scope=upcoming`, undefined, 200);
    const hessa = list.bookings.find((b: { name: string }) => b.name === 'Hessa');
    expect(hessa).toMatchObject({ status: 'confirmed', createdBy: 'owner', start: expect.stringMatching(new RegExp(`^${day(3)}T06:00:00`)) });

    await page.goto(`${server.url}/app/bookings/new`);
    await page.getByLabel('Service').selectOption({ label: 'Free intro call' });
    await page.getByLabel('Date').fill(day(3));
    await page.getByLabel('Time (Asia/Dubai)').fill('10:00');
    await page.getByLabel('Client’s name').fill('Second');
    await page.getByLabel('Email').fill('second@example.com');
    await page.getByRole('button', { name: 'Book it' }).click();
    await page.getByRole('alert').filter({ hasText: 'That time is already taken' }).waitFor();
    await context.close();
    // The refused booking is the one failed load.
    expect(problems.filter((p) => !/status of 409/.test(p))).toEqual([]);
  });

  it('edits the hours, and the public page follows: a Sunday opened, a day of time off closed', async () => {
    const slots = async (n: number) => {
      const res = await fetch(`${server.url}/api/providers/demo/slots?service=intro&from=${day(n)}&to=${day(n)}&tz=Asia/Dubai`);
      return ((await res.json()).slots as { start: string }[]).map((s) => new Date(s.start).toISOString());
    };
    expect(await slots(6)).toEqual([]); // Sunday: closed
    expect((await slots(8)).length).toBeGreaterThan(0); // the next Tuesday: open

    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /Working hours/ }).click();
    await page.getByRole('heading', { name: 'Working hours' }).waitFor();
    // "What visitors see next week" (Monday to Sunday here): no Sunday before the change.
    const freeTimes = page.locator('section.free-times');
    await freeTimes.getByText('Times in Asia/Dubai.').waitFor();
    expect(await freeTimes.locator('li', { hasText: 'Sunday' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Sunday' }).check();
    await page.getByLabel('Sunday: from').fill('10:00');
    await page.getByLabel('Sunday: until').fill('12:00');
    await page.getByRole('button', { name: 'Add time off' }).click();
    await page.getByLabel('From', { exact: true }).fill(day(8));
    await page.getByLabel('To', { exact: true }).fill(day(8));
    await page.getByLabel('Label (optional)').fill('Eid');
    await checkScreen(page, 'hours-phone-en');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByText('Hours saved. Your page shows the new times now.').waitFor();
    // The preview loads again and shows Sunday from 10:00, as the public API below does.
    const sunday = freeTimes.locator('li', { hasText: 'Sunday' });
    await sunday.waitFor();
    expect(await sunday.locator('.free-slot').first().textContent()).toMatch(/^10:00/);
    await sunday.scrollIntoViewIfNeeded();
    await checkScreen(page, 'hours');

    expect(await slots(6)).toContain(at(6, '06:00'));
    expect((await slots(6)).every((s) => s >= at(6, '06:00') && s < at(6, '08:00'))).toBe(true);
    expect(await slots(8)).toEqual([]);
    // The public page, as a visitor opens it on that Sunday.
    await page.getByRole('link', { name: 'See my page' }).waitFor();
    const visitor = await context.newPage();
    await visitor.goto(`${server.url}/c/demo/intro?date=${day(6)}`);
    await visitor.getByRole('heading', { name: /^Times on / }).waitFor();
    expect(await visitor.locator('button.slot').first().textContent()).toMatch(/10:00/);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('saves the embed choices on the Share screen; the booking page takes the colour and the preview shows it', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/share`);
    await page.getByRole('heading', { name: 'Share your page' }).waitFor();
    await page.getByLabel('A floating button').check();
    await page.getByLabel('Colour', { exact: true }).fill('#9d174d');
    await page.getByLabel('Button text colour').fill('#ffffff');
    await page.getByLabel('Button text', { exact: true }).fill('Train with Layla');
    await page.getByLabel("Fill in the visitor's name and email from my site").check();
    expect(await page.getByLabel('Code to paste').inputValue()).toContain(
      'data-slotline-floating="demo" data-label="Train with Layla" data-color="#9d174d" data-text-color="#ffffff" data-name="" data-email=""');
    await page.getByRole('button', { name: 'Save these choices' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await owner.json('GET', base, undefined, 200);
    expect(saved.appearance.accentColor).toBe('#9d174d');
    expect(saved.embed).toMatchObject({ mode: 'floating', buttonLabel: 'Train with Layla', buttonTextColor: '#ffffff', prefill: true });
    // The live preview is the real page in a frame, in the saved colour, with the sample name filled in.
    const frame = page.frameLocator('iframe.embed-preview-frame');
    await frame.getByRole('heading').first().waitFor();
    await expect.poll(() => page.locator('iframe.embed-preview-frame').evaluate((f: HTMLIFrameElement) =>
      f.contentDocument?.documentElement.style.getPropertyValue('--accent'))).toBe('#9d174d');
    await page.locator('.embed-preview').scrollIntoViewIfNeeded();
    await checkScreen(page, 'share');
    // After a reload the choices are still there (the bug: the colour was never saved).
    await page.reload();
    await page.getByRole('heading', { name: 'Share your page' }).waitFor();
    expect(await page.getByLabel('A floating button').isChecked()).toBe(true);
    expect(await page.getByLabel('Colour', { exact: true }).inputValue()).toBe('#9d174d');
    await context.close();
    expect(problems).toEqual([]);
  });

  it('sets a service\'s own daily limit in the service editor; its preview and the public slots follow', async () => {
    const services = await owner.json('GET', `${base}/services`, undefined, 200);
    const session = services.find((s: { slug: string }) => s.slug === 'session');
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings/services/${session.id}`);
    await page.getByRole('heading', { name: 'Edit service' }).waitFor();
    await page.locator('section.free-times').getByText('Times in Asia/Dubai.').waitFor();
    await page.getByLabel('Most bookings a day').fill('1');
    await page.getByLabel('Minimum notice (minutes)').fill('1440');
    await checkScreen(page, 'service-limits-phone-en');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    expect((await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { id: string }) => s.id === session.id))
      .toMatchObject({ maxPerDay: 1, minNoticeMinutes: 1440 });
    // A day notice: nothing left today for this service, on the preview and the public API alike.
    const res = await fetch(`${server.url}/api/providers/demo/slots?service=session&from=${day(0)}&to=${day(0)}&tz=Asia/Dubai`);
    expect((await res.json()).slots).toEqual([]);
    await page.goto(`${server.url}/app/settings/services/${session.id}`);
    const first = page.locator('section.free-times li').first();
    await first.waitFor();
    expect(await first.textContent()).not.toMatch(/Monday/);
    await owner.json('PATCH', `${base}/services/${session.id}`, { maxPerDay: null, minNoticeMinutes: null }, 200);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('lists clients with their history, keeps notes, exports CSV and erases a client after confirming', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/clients`);
    await page.getByRole('heading', { name: 'Your clients' }).waitFor();
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`${base}/clients.csv`);
    await page.getByLabel('Search by name, email or phone').fill('noor');
    await page.getByRole('link', { name: /Noor/ }).waitFor();
    await checkScreen(page, 'clients-phone-en');
    await page.getByRole('link', { name: /Noor/ }).click();
    await page.getByRole('heading', { name: 'Noor' }).waitFor();
    await page.getByLabel('Your notes').fill('Prefers mornings');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.getByText('Saved.').waitFor();
    const key = encodeURIComponent('noor@example.com');
    expect((await owner.json('GET', `${base}/clients/${key}`, undefined, 200)).notes).toBe('Prefers mornings');
    await page.getByRole('button', { name: 'Erase their data…' }).click();
    await checkScreen(page, 'client-erase-phone-en');
    await page.getByRole('button', { name: 'Yes, erase for good' }).click();
    await page.getByText(/^Erased\. 1 bookings no longer hold their details\./).waitFor();
    expect((await owner.request('GET', `${base}/clients/${key}`)).status).toBe(404);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('shows the day agenda in Arabic, right to left, and keeps the choice', async () => {
    for (const [viewport, device] of [[undefined, 'phone'], [DESKTOP, 'desktop']] as const) {
      const { page, problems, context } = await signedInPage({ viewport });
      await page.goto(`${server.url}/app?scope=upcoming`);
      await page.getByRole('heading', { name: 'Your bookings' }).waitFor();
      await checkScreen(page, `bookings-${device}-en`);
      await page.getByRole('button', { name: 'العربية' }).click();
      await page.getByRole('heading', { name: 'حجوزاتك' }).waitFor();
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
      await checkScreen(page, `bookings-${device}-ar`);
      await page.reload();
      await page.getByRole('heading', { name: 'حجوزاتك' }).waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'Your bookings' }).waitFor();
      await context.close();
      expect(problems).toEqual([]);
    }
  });
});
