import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { DESKTOP, checkScreen, signedInPage as openSignedIn, visitorBooks } from '../support/app-browser.ts';
import { until } from '../support/until.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * In Chromium (axe, no horizontal scroll at 360 px, Arabic RTL): a cancelled booking's freed time on the Messages
 * screen with its one-tap WhatsApp share, and "Reminders for this service" on the service editor saving its own list.
 */

const NOW = mondayAfterTwoWeeks();
const { at } = daysAfter(NOW);

let server: AppServer;
let owner: AppClient;
let browser: Browser;
let base: string;

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signedInPage = (options: { viewport?: typeof DESKTOP; locale?: string } = {}) => openSignedIn(browser, server, owner, NOW, options);

describe('freed time and per-service reminders in the provider app', () => {
  it('offers a cancelled booking\'s time to forward on WhatsApp, from the Messages screen', async () => {
    const booked = await visitorBooks(server, 'intro', at(2, '06:00'), 'Sara');
    await owner.json('POST', `${base}/bookings/${booked.booking.id}/cancel`, { reason: 'ill' }, 200);
    await until(async () => (await owner.json('GET', `${base}/outbox`, undefined, 200))
      .some((m: { kind: string; text: string | null }) => m.kind === 'provider.freed-time' && m.text), 'the freed-time offer');

    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings/messages`);
    const item = page.locator('ul.list > li').filter({ hasText: 'Freed time, ready to forward' });
    const share = item.getByRole('link', { name: 'Offer on WhatsApp' });
    await share.waitFor();
    const text = new URL((await share.getAttribute('href'))!).searchParams.get('text')!;
    expect(text).toMatch(/^A time just opened up with .*First to book gets it: http/);
    const link = new URL(text.split(' ').pop()!);
    expect(link.pathname).toBe('/c/demo/intro');
    expect(link.searchParams.get('slot')).toBe(at(2, '06:00'));
    await checkScreen(page, 'messages-freed-time-phone-en');
    await context.close();
    expect(problems).toEqual([]);

    // The link opens the booking page on that very time (the details step).
    const visitor = await browser.newContext();
    const p = await visitor.newPage();
    await p.goto(`${server.url}${link.pathname}${link.search}`);
    await p.getByLabel(/Name/).first().waitFor();
    await visitor.close();
  });

  it('saves a service\'s own reminders; Arabic too', async () => {
    const intro = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { slug: string }) => s.slug === 'intro');
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings/services/${intro.id}`);
    const group = page.getByRole('group', { name: 'Reminders for this service' });
    await group.getByLabel(/Same as my reminder settings/).waitFor();
    await group.getByLabel('Own reminders for this service').check();
    await group.getByLabel('24 h before', { exact: true }).uncheck();
    await group.getByLabel('2 h before', { exact: true }).uncheck();
    await group.getByLabel('1 h before', { exact: true }).check();
    await checkScreen(page, 'service-reminders-phone-en');
    await page.getByRole('button', { name: 'Save reminders' }).click();
    await page.getByText('Reminders saved. New bookings of this service follow them.').waitFor();
    expect((await owner.json('GET', `${base}/services/${intro.id}/reminders`, undefined, 200)).reminders).toEqual([60]);
    await context.close();
    expect(problems).toEqual([]);

    const ar = await signedInPage({ viewport: DESKTOP, locale: 'ar' });
    await ar.page.goto(`${server.url}/app/settings/services/${intro.id}?lang=ar`);
    await ar.page.getByRole('group', { name: 'تذكيرات هذه الخدمة' }).waitFor();
    expect(await ar.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await checkScreen(ar.page, 'service-reminders-desktop-ar');
    await ar.context.close();
    expect(ar.problems).toEqual([]);
  });
});
