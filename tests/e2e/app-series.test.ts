import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { checkScreen, signedInPage } from '../support/app-browser.ts';
import { mondayAfterTwoWeeks, daysAfter } from '../support/clock.ts';

/**
 * Weekly series in the provider app, in Chromium: the provider allows series on a service in its editor, a visitor
 * books four weeks, and the booking's screen says "Part of a weekly series (2 of 4)" and cancels it and every later
 * date. One fixed instant for server and browser (a Monday, 10:00 in Dubai, two weeks or more ahead).
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

describe('weekly series in the provider app, in Chromium', () => {
  it('allows series on a service, then shows "2 of 4" on a booking and cancels this and later dates', async () => {
    const { page, problems, context } = await signedInPage(browser, server, owner, NOW);
    const intro = (await owner.json('GET', `${base}/services`, undefined, 200)).find((s: { slug: string }) => s.slug === 'intro');
    await page.goto(`${server.url}/app/settings/services/${intro.id}`);
    await page.getByRole('heading', { name: 'Edit service' }).waitFor();
    await page.getByLabel('Weekly series: up to how many dates').selectOption('4');
    await checkScreen(page, 'service-series-phone-en');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Services' }).waitFor();
    expect(await owner.json('GET', `${base}/services/${intro.id}/series`, undefined, 200)).toMatchObject({ maxOccurrences: 4 });

    const res = await fetch(`${server.url}/api/series`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'demo', service: 'intro', start: at(1, '05:00'), occurrences: 4, name: 'Rami', email: 'rami@example.com' }),
    });
    expect(res.status).toBe(201);
    const view = await res.json();

    await page.goto(`${server.url}/app/bookings/${view.bookings[1].id}`);
    await page.getByText('Part of a weekly series (2 of 4)').waitFor();
    await checkScreen(page, 'series-booking-phone-en');
    await page.getByRole('button', { name: 'Cancel this and later dates' }).click();
    await page.getByRole('heading', { name: /every later date/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel this and later dates' }).click();
    await page.getByText('Cancelled. The time is free again.').waitFor();
    const after = await owner.json('GET', `${base}/bookings/${view.bookings[0].id}`, undefined, 200);
    expect(after.series.dates.map((d: { status: string }) => d.status)).toEqual(['confirmed', 'cancelled', 'cancelled', 'cancelled']);
    expect(problems).toEqual([]);
    await context.close();
  });
});
