import type { Browser, BrowserContext, Page } from 'playwright-core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SCREENSHOT_DIR, expectAxeClean, launchChromium, openVisitor, type VisitorOptions } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { clockFrom, midNextMonth } from '../support/clock.ts';

/**
 * The booking page in real Chromium against the real server and database (demo provider): booking with the
 * mouse and with the keyboard only, axe-core on every step, Arabic right-to-left, two visitors racing for one
 * time, and screenshots of every step at 360 px and on a desktop, in English and Arabic.
 */

let server: TestServer;
let browser: Browser;
/** Server and browser share a clock fixed mid-month (09:00 Dubai on the 10th of next month): no test here depends on today. */
const clock = clockFrom(midNextMonth());

beforeAll(async () => {
  server = await startTestServer({ now: clock });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});


async function open(options: VisitorOptions = {}) {
  const visitor = await openVisitor(browser, { timezoneId: 'Europe/Berlin', ...options });
  await visitor.page.clock.setFixedTime(clock());
  return visitor;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** The first time the public API offers for a service, as the page would show it. */
async function firstFreeSlot(service: string): Promise<string> {
  const from = clock().toISOString();
  const to = new Date(clock().getTime() + 30 * 86_400_000).toISOString();
  const res = await fetch(`${server.url}/api/providers/demo/slots?service=${service}&from=${from}&to=${to}`);
  const body = (await res.json()) as { slots: { start: string }[] };
  expect(body.slots.length).toBeGreaterThan(0);
  return body.slots[0].start;
}

async function activeName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() || el.id;
  });
}

/** Presses Tab until the focused element matches, failing after `max` presses. */
async function tabTo(page: Page, matches: (name: string, tag: string) => boolean, max = 25): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const name = await activeName(page);
    const tag = await page.evaluate(() => document.activeElement?.tagName ?? '');
    if (matches(name, tag)) return;
  }
  throw new Error(`Tab never reached the element (last: ${await activeName(page)})`);
}

describe('booking page in Chromium', () => {
  it('a visitor books with the mouse; every step is axe-clean and pictured (desktop and phone, English)', async () => {
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const { context, page, problems } = await open({ viewport });

      await page.goto(`${server.url}/c/demo`);
      await page.getByRole('heading', { name: 'What would you like to book?' }).waitFor();
      expect(await page.title()).toBe('Book with Layla Haddad — Personal Training');
      await expectAxeClean(page, `${device} services`);
      await shot(page, `${device}-en-1-services`);

      await page.getByRole('link', { name: /Free intro call/ }).click();
      await page.waitForURL(/\/c\/demo\/intro/);
      await page.locator('button.day.available').first().waitFor();
      await expectAxeClean(page, `${device} calendar`);
      await shot(page, `${device}-en-2-calendar`);

      await page.locator('button.day.available').first().click();
      await page.getByRole('heading', { name: /^Times on / }).waitFor();
      await page.locator('button.slot').first().waitFor();
      await expectAxeClean(page, `${device} times`);
      await shot(page, `${device}-en-3-times`);
      const label = await page.locator('button.slot').first().getAttribute('aria-label');
      expect(label).toMatch(/^\w+day, \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M$/);

      await page.locator('button.slot').first().click();
      await page.getByRole('heading', { name: 'Your details' }).waitFor();
      await page.getByLabel('Name').fill(`Mouse Visitor ${device}`);
      await page.getByLabel('Email').fill('mouse@example.com');
      await expectAxeClean(page, `${device} details`);
      await shot(page, `${device}-en-4-details`);

      await page.getByRole('button', { name: 'Confirm booking' }).click();
      await page.getByRole('heading', { name: 'You are booked' }).waitFor();
      expect(page.url()).toMatch(/[?&]booked=/);
      await expect.poll(() => page.getByText('Central European Standard Time (GMT+1)').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByText('Gulf Standard Time (GMT+4)').count()).toBe(1);
      const manage = await page.getByRole('link', { name: 'Change or cancel this booking' }).getAttribute('href');
      expect(manage).toMatch(new RegExp(`^${server.url}/b/`));
      const ics = await page.getByRole('link', { name: /\.ics/ }).getAttribute('href');
      const icsRes = await fetch(new URL(ics!, server.url));
      expect(await icsRes.text()).toContain('BEGIN:VCALENDAR');
      expect(await page.getByRole('link', { name: /on WhatsApp$/ }).getAttribute('href')).toMatch(/^https:\/\/wa\.me\//);
      await expectAxeClean(page, `${device} confirmation`);
      await shot(page, `${device}-en-5-done`);

      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('the first response of /c/:slug/:service already holds the month: no API request before the times show', async () => {
    // The file's clock is mid-month (the 10th of next month, 09:00 in Dubai), so the current month always has free
    // days left; late in a real month the page would rightly fetch the next one.
    const midMonth = clock();
    const { context, page, problems } = await open({ timezoneId: 'America/New_York' });
    const apiRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/')) apiRequests.push(r.url());
    });
    await page.goto(`${server.url}/c/demo/intro?tz=America/New_York`);
    expect(await page.locator('.month-label').textContent()).toBe(
      new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(midMonth),
    );
    await page.locator('button.day.available').first().click();
    await page.locator('button.slot').first().waitFor();
    expect(apiRequests).toEqual([]);
    expect(await page.locator('#zone-select').inputValue()).toBe('America/New_York');

    // Switching the zone relabels the times (Kathmandu is UTC+5:45, so every time ends in :15 or :45).
    await page.getByLabel('Time zone', { exact: true }).selectOption('Asia/Kathmandu');
    await page.getByText(/Nepal Time \(GMT\+5:45\)/).waitFor();
    await expect.poll(() => page.locator('button.slot').allTextContents(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining([expect.stringMatching(/:(15|45) [AP]M$/)]),
    );
    for (const text of await page.locator('button.slot').allTextContents()) expect(text).toMatch(/:(15|45) [AP]M$/);
    expect(new URL(page.url()).searchParams.get('tz')).toBe('Asia/Kathmandu');
    await page.getByLabel('24-hour clock').check();
    for (const text of await page.locator('button.slot').allTextContents()) expect(text).toMatch(/^\d{2}:(15|45)$/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a visitor books with the keyboard only, and focus lands on each new step', async () => {
    const { context, page, problems } = await open();
    await page.goto(`${server.url}/c/demo`);
    await tabTo(page, (name) => name.startsWith('Free intro call'));
    await page.keyboard.press('Enter');
    await expect.poll(() => activeName(page), { timeout: 10_000 }).toBe('Choose a day');

    // One Tab stop in the grid; arrows move between days; Enter picks the day.
    await tabTo(page, (name) => /, (\d+ times|1 time) available$/.test(name));
    const first = await activeName(page);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => activeName(page), { timeout: 10_000 }).toBe(first);
    await page.keyboard.press('Enter');
    await expect.poll(() => activeName(page), { timeout: 10_000 }).toMatch(/^Times on /);

    await tabTo(page, (name, tag) => tag === 'BUTTON' && / at \d/.test(name));
    const slotLabel = await activeName(page);
    await page.keyboard.press('Enter');
    await expect.poll(() => activeName(page), { timeout: 10_000 }).toBe('Your details');

    await tabTo(page, (_, tag) => tag === 'INPUT');
    await page.keyboard.type('Keyboard Visitor');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keys@example.com');
    await tabTo(page, (name) => name === 'Confirm booking');
    await page.keyboard.press('Enter');
    await expect.poll(() => activeName(page), { timeout: 10_000 }).toBe('You are booked');
    expect(await page.locator('.when').textContent()).toContain(slotLabel.replace(/ at .*/, ''));
    expect(problems).toEqual([]);
    await context.close();
  });

  it('renders Arabic right-to-left with Arabic digits, axe-clean, on a phone and a desktop', async () => {
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const { context, page, problems } = await open({ viewport, locale: 'ar', timezoneId: 'Asia/Dubai' });
      await page.goto(`${server.url}/c/demo`);
      expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']);
      await page.getByRole('heading', { name: 'ماذا تريد أن تحجز؟' }).waitFor();
      await expectAxeClean(page, `${device} ar services`);
      await shot(page, `${device}-ar-1-services`);

      await page.locator('a.service').first().click();
      await page.locator('button.day.available').first().waitFor();
      expect(await page.locator('.month-label').textContent()).toMatch(/^[\u0600-\u06ff]+ [٠-٩]{4}$/);
      expect(await page.locator('button.day.available').first().textContent()).toMatch(/^[٠-٩]+$/);
      // Right-to-left: the first weekday column is at the right.
      const [firstCol, lastCol] = await page.locator('.grid th').evaluateAll((ths) => [ths[0].getBoundingClientRect().x, ths[6].getBoundingClientRect().x]);
      expect(firstCol).toBeGreaterThan(lastCol);
      await expectAxeClean(page, `${device} ar calendar`);
      await shot(page, `${device}-ar-2-calendar`);

      await page.locator('button.day.available').first().click();
      await page.locator('button.slot').first().waitFor();
      await expectAxeClean(page, `${device} ar times`);
      await shot(page, `${device}-ar-3-times`);

      await page.locator('button.slot').first().click();
      await page.getByLabel('الاسم').fill('زائر عربي');
      await page.getByLabel('رقم الهاتف').fill('+971501234567');
      await expectAxeClean(page, `${device} ar details`);
      await shot(page, `${device}-ar-4-details`);

      await page.getByRole('button', { name: 'تأكيد الحجز' }).click();
      await page.getByRole('heading', { name: 'تم الحجز' }).waitFor();
      await expectAxeClean(page, `${device} ar confirmation`);
      await shot(page, `${device}-ar-5-done`);
      expect(problems).toEqual([]);
      await context.close();
    }
  });

  it('two visitors race for one time: one books it, the other is told and keeps the details typed', async () => {
    const start = await firstFreeSlot('intro');
    const visitors: { context: BrowserContext; page: Page; problems: string[] }[] = [];
    for (const who of ['Ana', 'Ben']) {
      const v = await open({ timezoneId: 'Asia/Dubai' });
      await v.page.goto(`${server.url}/c/demo/intro?slot=${encodeURIComponent(start)}`);
      await v.page.getByRole('heading', { name: 'Your details' }).waitFor();
      await v.page.getByLabel('Name').fill(`${who} Racer`);
      await v.page.getByLabel('Email').fill(`${who.toLowerCase()}@example.com`);
      visitors.push(v);
    }
    const [a, b] = visitors;
    await Promise.all([
      a.page.getByRole('button', { name: 'Confirm booking' }).click(),
      b.page.getByRole('button', { name: 'Confirm booking' }).click(),
    ]);
    const outcome = async (page: Page) => {
      await page.locator('.done, [role=alert]').first().waitFor();
      return (await page.locator('.done').count()) ? 'booked' : 'taken';
    };
    const results = await Promise.all([outcome(a.page), outcome(b.page)]);
    expect([...results].sort()).toEqual(['booked', 'taken']);
    const loser = results[0] === 'taken' ? a : b;
    const loserName = loser === a ? 'Ana Racer' : 'Ben Racer';

    expect(await loser.page.getByRole('alert').textContent()).toBe(
      'Sorry, someone just took that time. Here are the times still free on that day.',
    );
    await loser.page.getByRole('heading', { name: /^Times on / }).waitFor();
    await expectAxeClean(loser.page, 'slot taken');
    await shot(loser.page, 'desktop-en-race-taken');
    const labels = await loser.page.locator('button.slot').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    const takenLabel = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Dubai', dateStyle: 'full', timeStyle: 'short', hourCycle: 'h12' }).format(new Date(start));
    expect(labels).not.toContain(takenLabel);
    expect(labels.length).toBeGreaterThan(0);

    await loser.page.locator('button.slot').first().click();
    await loser.page.getByRole('heading', { name: 'Your details' }).waitFor();
    expect(await loser.page.getByLabel('Name').inputValue()).toBe(loserName);
    await loser.page.getByRole('button', { name: 'Confirm booking' }).click();
    await loser.page.getByRole('heading', { name: 'You are booked' }).waitFor();

    for (const v of visitors) {
      expect(v.problems.filter((p) => !p.includes('409'))).toEqual([]);
      await v.context.close();
    }
  });
});
