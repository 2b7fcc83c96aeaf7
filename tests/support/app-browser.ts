import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { DESKTOP, PHONE, SCREENSHOT_DIR, expectAxeClean, openVisitor } from './browser.ts';

/** Helpers for the provider app's e2e tests (`tests/e2e/app-*.test.ts`). */

/** A provider's browser on the app: Dubai zone, English, the clock fixed at the server's instant. */
export async function openProvider(browser: Browser, at: Date, options: { viewport?: typeof DESKTOP; locale?: string } = {}) {
  const opened = await openVisitor(browser, { timezoneId: 'Asia/Dubai', viewport: options.viewport ?? PHONE, locale: options.locale ?? 'en-US' });
  await opened.page.clock.setFixedTime(at);
  // Nothing leaves loopback: wa.me links are answered here.
  await opened.context.route(/^https:\/\/(api\.)?wa\.me\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>WhatsApp</title>' }));
  return opened;
}

/** The page has no horizontal scroll at its current width (the 360 px phone rule). */
export async function expectNoHorizontalScroll(page: Page, what: string) {
  const { overflow, widest } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The deepest element sticking out, to name in the failure.
    const out = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().left < -0.5);
    const last = out[out.length - 1];
    return { overflow: document.documentElement.scrollWidth - width, widest: last ? `${last.tagName.toLowerCase()}.${last.className}#${last.id}` : '' };
  });
  if (overflow > 0) throw new Error(`${what}: ${overflow}px of horizontal scroll at ${page.viewportSize()?.width}px (${widest})`);
}

/** axe-clean, no horizontal scroll, and a screenshot `app-<name>.png` in test-results/screenshots/. */
export async function checkScreen(page: Page, name: string) {
  await expectAxeClean(page, name);
  await expectNoHorizontalScroll(page, name);
  await page.screenshot({ path: join(SCREENSHOT_DIR, `app-${name}.png`), fullPage: true });
}

export { DESKTOP, PHONE };

/** A browser on the app signed in as `owner` (its session cookie handed over), on the phone unless told. */
export async function signedInPage(
  browser: Browser, server: { url: string }, owner: { cookie: string }, at: Date,
  options: { viewport?: typeof DESKTOP; locale?: string } = {},
) {
  const opened = await openProvider(browser, at, options);
  const [name, value] = owner.cookie.split('=');
  await opened.context.addCookies([{ name, value, url: server.url }]);
  return opened;
}

/** A visitor books the demo provider through the public API, as the booking page does; the 201 answer's body. */
export async function visitorBooks(server: { url: string }, service: string, start: string, name: string) {
  const res = await fetch(`${server.url}/api/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'demo', service, start, name, email: `${name.toLowerCase()}@example.com`, phone: '+971501234567' }),
  });
  if (res.status !== 201) throw new Error(`booking answered ${res.status}: ${await res.text()}`);
  return res.json();
}
