import type { Browser, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyProviderFile, parseProviderFile } from '../../server/providers/file.ts';
import { demoFile } from '../../server/providers/demo.ts';
import { DESKTOP, PHONE, SCREENSHOT_DIR, expectAxeClean, launchChromium, openVisitor, type VisitorOptions } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { clockFrom, endOfNextMonth } from '../support/clock.ts';

/**
 * Issue 6's WhatsApp hand-offs in real Chromium: the provider's share tool (`/c/:slug/share`) and the link it
 * shares opening the page on that time; a provider in request mode, where picking a time opens `wa.me` with
 * the filled template and books nothing. Navigations to wa.me are answered locally: nothing leaves loopback.
 */

let server: TestServer;
let browser: Browser;
/**
 * Server and browser share a clock fixed at 20:00 in Dubai on the last day of next month: the month the tools open
 * on has no free time left (the case that once turned this file red on the last day of every real month), and the
 * result never depends on today's date.
 */
const monthEnd = endOfNextMonth();
const clock = clockFrom(monthEnd);
const REQUEST_TEMPLATE = 'Hello, I am {name}. Can I book {service} on {date} at {time} ({timezone})? {link}';

beforeAll(async () => {
  server = await startTestServer({ now: clock });
  // A second provider, like the demo but confirming by chat.
  const demo = JSON.parse(await readFile(demoFile, 'utf8'));
  demo.slug = 'chat';
  demo.name = 'Chat First Studio';
  demo.settings.whatsapp = { enabled: true, phoneE164: '+971501112233', bookingMode: 'request', messageTemplate: REQUEST_TEMPLATE };
  const parsed = parseProviderFile(demo);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  await applyProviderFile(server.db, parsed.file);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});


async function open(options: VisitorOptions = {}) {
  const { context, page, problems } = await openVisitor(browser, { timezoneId: 'Asia/Dubai', ...options });
  await page.clock.setFixedTime(clock());
  // WhatsApp is outside: every request to it is recorded and answered here.
  const whatsapp: string[] = [];
  await context.route(/^https:\/\/(api\.)?wa\.me\//, (route) => {
    whatsapp.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>WhatsApp</title>' });
  });
  return { context, page, problems, whatsapp };
}

async function freeStarts(slug: string, service: string): Promise<string[]> {
  const q = new URLSearchParams({ service, from: clock().toISOString(), to: new Date(clock().getTime() + 30 * 86_400_000).toISOString() });
  const res = await fetch(`${server.url}/api/providers/${slug}/slots?${q}`);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

const messageText = (page: Page) => page.locator('#share-text').inputValue();

describe('sharing free times and WhatsApp requests, in Chromium', () => {
  it('the share tool writes the next free times for a client zone; its link opens the page on that time', async () => {
    const { context, page, problems } = await open({ timezoneId: 'Asia/Dubai' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const response = await page.goto(`${server.url}/c/demo/share`);
    expect(response?.headers()['x-robots-tag']).toContain('noindex');
    await page.getByRole('heading', { name: 'Share free times' }).waitFor();
    await page.getByLabel('Service').selectOption('intro');
    await page.getByLabel("Client's time zone").selectOption('Europe/London');
    await page.getByLabel('How many').fill('2');
    await expect.poll(() => messageText(page), { timeout: 10_000 }).toMatch(/\/c\/demo\/intro\?slot=.*\n.*\/c\/demo\/intro\?slot=/s);

    // Exactly what the API writes for the same choices, shared through wa.me and copied as is.
    const api = (await (await fetch(`${server.url}/api/providers/demo/share-message?service=intro&count=2&tz=Europe/London&lang=en`)).json()) as {
      text: string;
      slots: { start: string; link: string }[];
    };
    // The tool may still be settling on the first month with free times: wait for the text it ends on.
    await expect.poll(() => messageText(page), { timeout: 10_000 }).toBe(api.text);
    const text = await messageText(page);
    const share = new URL((await page.getByRole('link', { name: 'Share on WhatsApp' }).getAttribute('href'))!);
    expect(share.origin + share.pathname).toBe('https://wa.me/');
    expect(share.searchParams.get('text')).toBe(text);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
    await expectAxeClean(page, 'share next');

    // The client taps the first link: the page opens on that time, in their zone, ready for details.
    const link = api.slots[0].link;
    expect(text).toContain(link);
    const client = await open({ timezoneId: 'America/New_York' });
    await client.page.goto(link);
    await client.page.getByRole('heading', { name: 'Your details' }).waitFor();
    const when = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/London', dateStyle: 'full', timeStyle: 'short', hourCycle: 'h12' })
      .format(new Date(api.slots[0].start));
    expect((await client.page.locator('.summary-when').textContent())?.startsWith(when)).toBe(true);
    expect(client.problems).toEqual([]);
    await client.context.close();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the provider picks times from the calendar; the Arabic message lists exactly those', async () => {
    const { context, page, problems } = await open();
    await page.goto(`${server.url}/c/demo/share?service=intro`);
    await page.getByLabel('العربية').check();
    await page.getByLabel('Times I pick').check();
    // Nothing is left this month: the calendar opens on the next one, as the booking page does.
    const nextMonth = new Date(monthEnd.getTime() + 86_400_000).toISOString().slice(0, 7);
    const firstFree = page.locator('button.day.available').first();
    await expect.poll(() => firstFree.getAttribute('data-date'), { timeout: 10_000 }).toMatch(new RegExp(`^${nextMonth}-`));
    // A day with at least two free times ("1 time available" does not match).
    await page.locator('button.day.available[aria-label$="times available"]').first().click();
    const times = page.locator('button.slot');
    await times.nth(1).waitFor();
    await times.nth(0).click();
    await times.nth(1).click();
    expect(await times.nth(0).getAttribute('aria-pressed')).toBe('true');
    await page.getByText('Picked: 2').waitFor();
    await expect.poll(() => messageText(page), { timeout: 10_000 }).toMatch(/[\u0600-\u06ff]/);
    const text = await messageText(page);
    expect(text.match(/\/c\/demo\/intro\?slot=/g)).toHaveLength(2);
    expect(text).toContain('lang=ar');
    await expectAxeClean(page, 'share picked');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('share tool screenshots: phone and desktop, English and Arabic, axe-clean', async () => {
    for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      for (const locale of ['en-US', 'ar']) {
        const { context, page, problems } = await open({ viewport, locale });
        await page.goto(`${server.url}/c/demo/share`);
        await expect.poll(() => messageText(page), { timeout: 10_000 }).toContain('/c/demo/');
        await expectAxeClean(page, `share ${device} ${locale}`);
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${device}-${locale.slice(0, 2)}-share.png`), fullPage: true });
        expect(problems).toEqual([]);
        await context.close();
      }
    }
  }, 150_000);

  it('request mode: picking a time opens WhatsApp with the filled template, and nothing is booked', async () => {
    const { context, page, problems, whatsapp } = await open({ timezoneId: 'Europe/Berlin' });
    await page.goto(`${server.url}/c/chat/intro`);
    await page.locator('button.day.available').first().click();
    const slot = page.locator('button.slot').first();
    await slot.waitFor();
    await slot.click();
    await page.getByRole('heading', { name: 'Ask for this time' }).waitFor();
    const start = new URL(page.url()).searchParams.get('slot')!;
    expect(await page.getByLabel('Email').count()).toBe(0);
    await page.getByLabel('Name').fill('Samir Chat');
    await expectAxeClean(page, 'request details');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'desktop-en-request.png'), fullPage: true });
    await page.getByRole('button', { name: 'Continue on WhatsApp' }).click();
    await expect.poll(() => whatsapp.length, { timeout: 10_000 }).toBe(1);

    const url = new URL(whatsapp[0]);
    expect(url.origin + url.pathname).toBe('https://wa.me/971501112233');
    // The template, filled independently here: the provider's zone (Dubai), British English dates, 24-hour time.
    const at = new Date(start);
    const date = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Dubai', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(at);
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Dubai', hour: '2-digit', minute: '2-digit' }).format(at);
    const link = `${server.url}/c/chat/intro?slot=${encodeURIComponent(at.toISOString())}`;
    expect(url.searchParams.get('text')).toBe(
      `Hello, I am Samir Chat. Can I book Free intro call on ${date} at ${time} (Asia/Dubai)? ${link}`,
    );
    expect(await freeStarts('chat', 'intro')).toContain(at.toISOString());
    expect(problems).toEqual([]);
    await context.close();
  });
});
