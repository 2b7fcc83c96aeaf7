import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { checkScreen, signedInPage as openSignedIn } from '../support/app-browser.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

/**
 * The provider app's Packages screen in Chromium (phone, axe, no horizontal scroll): empty state, a package created,
 * a cash sale recorded with the client's wallet link shown (copy and WhatsApp), the wallet listed with what is left,
 * the package hidden; and the screen in Arabic. Server and browser share one fixed instant.
 */
const NOW = mondayAfterTwoWeeks();
let server: AppServer;
let owner: AppClient;
let base: string;
let browser: Browser;

beforeAll(async () => {
  server = await startAppServer({ start: NOW, env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0' } });
  ({ owner, base } = await signInOwner(server));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('packages in the provider app', () => {
  it('creates a package, records a cash sale and shows the wallet link; hides the package', async () => {
    const { page, problems, context } = await openSignedIn(browser, server, owner, NOW);
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /^Packages/ }).click();
    await page.getByRole('heading', { name: 'Packages', exact: true }).waitFor();
    await page.getByText('No packages yet.').waitFor();
    await page.getByText('No client has a package yet.').waitFor();
    await checkScreen(page, 'packages-empty');

    await page.getByRole('button', { name: 'New package' }).click();
    await page.getByLabel('Name').fill('10 sessions');
    await page.getByLabel('Sessions').fill('10');
    await page.getByLabel('Valid for (days)').fill('90');
    await page.getByLabel(/^Price/).fill('800');
    await page.getByRole('button', { name: 'Save package' }).click();
    const item = page.locator('ul.list > li').filter({ hasText: '10 sessions' });
    await item.getByText(/10 sessions of .* · 90 days · /).waitFor();

    await item.getByRole('button', { name: 'Record a sale' }).click();
    await item.getByLabel('Client name').fill('Cash Client');
    await item.getByLabel('Client phone').fill('+971501112233');
    await item.getByLabel('Paid by').selectOption('cash');
    await item.getByRole('button', { name: 'Record sale' }).click();
    await item.getByText('Sale recorded. Send the client their wallet link:').waitFor();
    const link = await item.getByLabel('Wallet link').inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/w/[A-Za-z0-9_-]{43}$`));
    expect(await item.getByRole('link', { name: 'Send on WhatsApp' }).getAttribute('href')).toMatch(/^https:\/\/wa\.me\/971501112233\?text=/);
    await checkScreen(page, 'packages-sold');

    // The wallet the link opens has the ten sessions.
    const wallet = await (await fetch(link.replace('/w/', '/api/wallet/'))).json();
    expect(wallet.balance[0].left).toBe(10);

    await item.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('ul.list > li').filter({ hasText: 'Cash Client' }).getByText(/^10 left for /).waitFor();
    await item.getByRole('button', { name: 'Hide' }).click();
    await item.getByText('Hidden').waitFor();
    const list = await owner.json('GET', `${base}/packages`, undefined, 200);
    expect(list[0]).toMatchObject({ hidden: true, sold: 1 });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('reads right to left in Arabic', async () => {
    const { page, problems, context } = await openSignedIn(browser, server, owner, NOW, { locale: 'ar' });
    await page.goto(`${server.url}/app/settings/packages?lang=ar`);
    await page.getByRole('heading', { name: 'الباقات', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await checkScreen(page, 'packages-ar');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
