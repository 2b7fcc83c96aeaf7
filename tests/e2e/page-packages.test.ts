import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, PHONE, expectAxeClean, launchChromium, openVisitor } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { clockFrom, midNextMonth } from '../support/clock.ts';

/**
 * Packages in Chromium against the real server: a visitor buys a package on the server-rendered package page, pays
 * on the local Stripe test checkout (which delivers the signed webhook), lands on the wallet page, books with a credit
 * from there (`?wallet=`) without paying again, and the manage page and wallet show where they stand. Server and
 * browser share one clock fixed mid next month.
 */
let server: TestServer;
let browser: Browser;
const clock = clockFrom(midNextMonth());

beforeAll(async () => {
  server = await startTestServer({ now: clock });
  browser = await launchChromium();
  const { rows } = await (server.db as unknown as { pg: { query<T>(q: string): Promise<{ rows: T[] }> } }).pg.query<{ owner: string; provider: string; service: string }>(
    "select p.owner_user_id as owner, p.id as provider, s.id as service from providers p join services s on s.provider_id = p.id where p.public_slug = 'demo' and s.slug = 'session'");
  await server.db.rpc('app_save_package', {
    p_user_id: rows[0].owner, p_provider_id: rows[0].provider, p_package_id: null,
    p_package: { serviceId: rows[0].service, title: '5 sessions', sessions: 5, priceCents: 100000, validityDays: 90 },
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('packages in Chromium', () => {
  it('buys a package through the test checkout, then books with a credit from the wallet page', async () => {
    const { context, page, problems } = await openVisitor(browser, { timezoneId: 'Asia/Dubai', viewport: PHONE });
    await page.clock.setFixedTime(clock());

    await page.goto(`${server.url}/p/demo`);
    await page.getByRole('heading', { name: /^Packages from / }).waitFor();
    await expectAxeClean(page, 'package page');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'packages-1-on-sale.png'), fullPage: true });
    await page.getByLabel('Name').fill('Package Buyer');
    await page.getByLabel('Email').fill('buyer@example.com');
    await page.getByRole('button', { name: 'Buy and pay online' }).click();

    // The local Stripe test checkout: Pay delivers the signed webhook, then returns to the wallet.
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(/\/w\/[A-Za-z0-9_-]{43}\?payment=success$/);
    await page.getByRole('heading', { name: /^Your sessions with / }).waitFor();
    const walletUrl = page.url().replace(/\?.*$/, '');
    await expect.poll(async () => {
      await page.reload();
      return page.getByText(/^5 left for /).count();
    }, { timeout: 10_000 }).toBe(1);
    await expectAxeClean(page, 'wallet page');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'packages-2-wallet.png'), fullPage: true });

    await page.getByRole('link', { name: 'Book a session' }).click();
    await page.waitForURL(/\/c\/demo\/session\?wallet=/);
    await page.locator('button.day.available').first().click();
    await page.locator('button.slot').first().click();
    await page.getByRole('heading', { name: 'Your details' }).waitFor();
    await page.getByLabel('Name').fill('Package Buyer');
    await page.getByLabel('Email').fill('buyer@example.com');
    // A credit pays: no second payment.
    await page.getByRole('button', { name: 'Confirm booking' }).click();
    await page.getByRole('heading', { name: 'You are booked' }).waitFor();

    const manage = await page.getByRole('link', { name: 'Change or cancel this booking' }).getAttribute('href');
    await page.goto(manage!);
    await page.getByText(/^Session 1 of 5 · 4 left, valid until \d{1,2} [A-Z][a-z]+$/).waitFor();
    await expectAxeClean(page, 'manage page with a credit');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'packages-3-manage.png'), fullPage: true });

    // The wallet counts the credit spent and lists it in the history.
    await page.goto(walletUrl);
    await page.getByText(/^4 left for /).waitFor();
    expect(await page.locator('h2:has-text("History") + ul li').count()).toBe(1);
    // In Arabic, right to left.
    await page.goto(`${walletUrl}?lang=ar`);
    await page.getByRole('heading', { name: /^جلساتك مع / }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await expectAxeClean(page, 'wallet page, Arabic');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'packages-4-wallet-ar.png'), fullPage: true });

    // A purchase without a contact comes back to the package page, which says what to fix.
    await page.goto(`${server.url}/p/demo`);
    await page.getByLabel('Name').fill('No Contact');
    await page.getByRole('button', { name: 'Buy and pay online' }).click();
    await page.getByRole('alert').filter({ hasText: 'an email address or a phone number' }).waitFor();
    await expectAxeClean(page, 'package page with an error');
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
