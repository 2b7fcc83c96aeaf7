import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStripe } from '../../server/payments/local-stripe.ts';
import { launchChromium } from '../support/browser.ts';
import { AppClient, signInOwner, startAppServer, type AppServer } from '../support/app-client.ts';
import { DESKTOP, checkScreen, signedInPage as openSignedIn } from '../support/app-browser.ts';
import { mondayAfterTwoWeeks } from '../support/clock.ts';

/**
 * Settings → Payments in Chromium: the status before (the server's local test checkout), a wrong key said in plain
 * words, the key test naming the account, saving, and disconnecting after a confirmation; Arabic right to left.
 * The provider's Stripe is the local fake (STRIPE_API_BASE), reached with the official client.
 */
const NOW = mondayAfterTwoWeeks();
const KEY = 'sk_test_laylaOwnKey1234567890';
const WHSEC = 'whsec_laylaSigningSecret123456';

let server: AppServer;
let stripe: Awaited<ReturnType<typeof startLocalStripe>>;
let owner: AppClient;
let base: string;
let browser: Browser;

const signedInPage = (options: { viewport?: typeof DESKTOP; locale?: string } = {}) => openSignedIn(browser, server, owner, NOW, options);

beforeAll(async () => {
  stripe = await startLocalStripe({ webhookSecret: WHSEC, acceptKeys: [KEY], accountName: 'Layla Fitness' });
  server = await startAppServer({
    start: NOW,
    env: { SIGN_IN_LIMIT_PER_EMAIL: '0', SIGN_IN_LIMIT_PER_IP: '0', SECRETS_KEY: randomBytes(32).toString('base64'), STRIPE_API_BASE: stripe.url },
  });
  ({ owner, base } = await signInOwner(server));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stripe?.close();
});

describe('connecting Stripe from the provider app, in Chromium', () => {
  it('tests a key, saves it, shows the account, and disconnects after a confirmation', async () => {
    const { page, problems, context } = await signedInPage();
    await page.goto(`${server.url}/app/settings`);
    await page.getByRole('link', { name: /Payments/ }).click();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await page.getByText('Test checkout only (no real money)').waitFor();
    await page.getByText(`${server.config.publicUrl}${base.replace('/api/app/providers', '/api/stripe/webhook')}`).waitFor();

    await page.getByLabel('Secret key').fill('sk_test_notTheRightKey123456');
    await page.getByRole('button', { name: 'Test the key' }).click();
    await page.getByText(/Stripe refused this key/).waitFor();

    await page.getByLabel('Secret key').fill(KEY);
    await page.getByRole('button', { name: 'Test the key' }).click();
    await page.getByText(/Stripe accepted this key for Layla Fitness/).waitFor();
    await page.getByLabel('Webhook signing secret').fill(WHSEC);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Payments go to your Stripe account: Layla Fitness').waitFor();
    expect(await page.getByLabel('Secret key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(KEY);
    await checkScreen(page, 'payments');
    expect((await owner.json('GET', `${base}/payments`, undefined, 200)).connected).toBe(true);

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Yes, delete my keys' }).click();
    await page.getByText('Test checkout only (no real money)').waitFor();
    expect((await owner.json('GET', `${base}/payments`, undefined, 200)).connected).toBe(false);
    await context.close();
    expect(problems).toEqual([]);
  });

  it('reads right to left in Arabic', async () => {
    const { page, problems, context } = await signedInPage({ viewport: DESKTOP, locale: 'ar' });
    await page.goto(`${server.url}/app/settings/payments?lang=ar`);
    await page.getByRole('heading', { name: 'المدفوعات' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await checkScreen(page, 'payments-desktop-ar');
    await context.close();
    expect(problems).toEqual([]);
  });
});
