import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetRoutes } from '../../server/widget/routes';
import { buildWidget } from '../../widget/build';
import { freePort } from '../support/postgres';
import { startTestServer, type TestServer } from '../support/server';
import { clockFrom, midNextMonth } from '../support/clock.ts';

// A visitor books the demo provider through every embed mode of the example site. The example site is served
// by a second server on another port, i.e. another origin, exactly like a provider's own website would be.
let booking: TestServer;
let site: { url: string; server: ServerType };
let browser: Browser;

/** Booking server and browsers share a clock fixed mid-month, so nothing here depends on today's date. */
const clock = clockFrom(midNextMonth());

beforeAll(async () => {
  // Fresh loader in dist/widget, which the booking server serves.
  await buildWidget(fileURLToPath(new URL('../../dist/widget', import.meta.url)));
  booking = await startTestServer({ now: clock });
  const port = await freePort();
  const app = widgetRoutes({ bookingOrigin: booking.url });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  site = { url: `http://127.0.0.1:${port}`, server };
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (site ? site.server.close(() => resolve()) : resolve()));
  await booking?.close();
});

/** Every `slotline:*` event a host page received, kept here so they outlive the page (checkout navigates away). */
const received = new WeakMap<Page, { type: string; detail: any }[]>();

/** Opens an example page, recording every `slotline:*` event the host page receives. */
async function openExample(path: string): Promise<Page> {
  const context = await browser.newContext({ timezoneId: 'Asia/Dubai', locale: 'en-US' });
  const page = await context.newPage();
  await page.clock.setFixedTime(clock());
  const log: { type: string; detail: any }[] = [];
  received.set(page, log);
  page.on('pageerror', (e) => console.error(`[${path}] page error:`, e.message));
  await page.exposeFunction('recordSlotlineEvent', (type: string, detail: unknown) => log.push({ type, detail }));
  await page.addInitScript(() => {
    const w = window as unknown as { events: { type: string; detail: unknown }[]; recordSlotlineEvent: (t: string, d: unknown) => void };
    w.events = [];
    for (const type of ['ready', 'slot_selected', 'booked', 'closed'])
      addEventListener(`slotline:${type}`, (e) => {
        w.events.push({ type, detail: (e as CustomEvent).detail });
        w.recordSlotlineEvent(type, (e as CustomEvent).detail);
      });
  });
  await page.goto(`${site.url}/examples/${path}`);
  return page;
}

function events(page: Page, type: string): Promise<any[]> {
  return page.evaluate(
    (t) => (window as unknown as { events: { type: string; detail: unknown }[] }).events.filter((e) => e.type === t).map((e) => e.detail),
    type,
  );
}

/** Books the first free time in the booking page inside `frame`; picks the service first when asked to. */
async function bookFirstFreeTime(frame: FrameLocator, details: { name?: string; email?: string }, service?: string) {
  if (service) await frame.locator('a.service', { hasText: service }).click();
  await frame.locator('table.grid').waitFor();
  const day = frame.locator('button.day.available').first();
  if (!(await day.isVisible().catch(() => false))) {
    await frame.getByRole('button', { name: /next month/i }).click();
  }
  await day.click();
  await frame.locator('button.slot').first().click();
  if (details.name !== undefined) await frame.locator('#field-name').fill(details.name);
  if (details.email !== undefined) await frame.locator('#field-email').fill(details.email);
  await frame.locator('form button[type=submit]').click();
}

async function waitForBooked(page: Page) {
  await page.waitForFunction(
    () => (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === 'booked'),
    undefined,
    { timeout: 20_000 },
  );
  const [booked] = await events(page, 'booked');
  expect(booked).toMatchObject({ id: expect.any(String), start: expect.any(String), end: expect.any(String) });
  expect(Date.parse(booked.end)).toBeGreaterThan(Date.parse(booked.start));
  return booked;
}

/** Whether the public API still offers the intro call starting at `at` (ms). */
async function offered(at: number): Promise<boolean> {
  const q = new URLSearchParams({
    service: 'intro',
    from: new Date(at - 86_400_000).toISOString(),
    to: new Date(at + 86_400_000).toISOString(),
    tz: 'Asia/Dubai',
  });
  const res = await fetch(`${booking.url}/api/providers/demo/slots?${q}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { slots: { start: string }[] };
  return body.slots.some((s) => Date.parse(s.start) === at);
}

describe('embedding the booking page on a provider site of another origin', () => {
  it('WhatsApp example: the shared link opens the booking page on the offered time, ready to confirm', async () => {
    const page = await openExample('whatsapp.html');
    const share = new URL((await page.locator('#share').getAttribute('href'))!);
    expect(share.origin + share.pathname).toBe('https://wa.me/');
    const link = await page.locator('#open').getAttribute('href');
    expect(share.searchParams.get('text')).toContain(link!);
    const target = new URL(link!);
    expect(target.origin).toBe(booking.url);
    expect(target.pathname).toBe('/c/demo/intro');
    const slot = Date.parse(target.searchParams.get('slot')!);
    expect(slot).toBeGreaterThan(clock().getTime());
    expect(await offered(slot)).toBe(true);

    // The client taps the link: the page opens on the details step of that time (runs first, so it is free).
    await page.goto(link!);
    await page.locator('#field-name').fill('WhatsApp Client');
    await page.locator('#field-email').fill('wa@example.com');
    await page.locator('form button[type=submit]').click();
    await page.waitForURL(/[?&]booked=/);
    expect(await offered(slot)).toBe(false);
    await page.context().close();
  });

  it('inline: the calendar appears in the page, grows to its content, and the host hears the booking', async () => {
    const page = await openExample('inline.html?utm_source=newsletter');
    const iframe = page.locator('[data-slotline] iframe');
    const src = new URL((await iframe.getAttribute('src'))!);
    expect(src.origin).toBe(booking.url);
    expect(src.pathname).toBe('/c/demo/intro');
    expect(src.searchParams.get('parentOrigin')).toBe(site.url);
    expect(src.searchParams.get('utm_source')).toBe('newsletter');

    // The page reports its height; the iframe follows it instead of keeping the loader's default.
    await page.waitForFunction(() => (window as any).events.some((e: { type: string }) => e.type === 'ready'));
    await expect.poll(() => iframe.evaluate((f) => (f as HTMLElement).style.height), { timeout: 10_000 }).not.toBe('600px');
    const frameHeight = await iframe.evaluate((f) => f.getBoundingClientRect().height);
    const contentHeight = await page.frameLocator('[data-slotline] iframe').locator('body').evaluate((b) => b.scrollHeight);
    expect(Math.abs(frameHeight - contentHeight)).toBeLessThanOrEqual(2);

    await bookFirstFreeTime(page.frameLocator('[data-slotline] iframe'), { name: 'Inline Visitor', email: 'inline@example.com' });
    const booked = await waitForBooked(page);
    expect(booked.service).toBe('intro');
    expect(await events(page, 'slot_selected')).toHaveLength(1);
    await page.context().close();
  });

  it('popup: a button opens a modal, Esc closes it back to the button (also from inside the page), and the paid session checks out at the top level and returns to the manage page', async () => {
    const page = await openExample('popup.html');
    const trigger = page.locator('[data-slotline-popup="demo/session"]');
    await trigger.focus();
    await trigger.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Book a training session' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await trigger.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await events(page, 'closed')).toHaveLength(1);

    // Keyboard focus never reaches the host page behind the modal (body = the browser's own UI between laps).
    await trigger.click();
    await page.frameLocator('.slotline-open iframe').locator('table.grid').waitFor();
    const laps: string[] = [];
    for (let i = 0; i < 100; i++) {
      await page.keyboard.press(i < 50 ? 'Tab' : 'Shift+Tab');
      const where = await page.evaluate(() =>
        document.activeElement === document.body ? 'browser' : document.activeElement?.closest('[role=dialog]') ? 'dialog' : 'host',
      );
      expect(where).not.toBe('host');
      laps.push(where);
    }
    expect(laps).toContain('browser'); // it did go all the way round, both ways

    // Esc with the keyboard inside the booking page (its own document): the page asks the loader to close.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await trigger.click();
    const frame = page.frameLocator('.slotline-open iframe');
    await frame.locator('button.day.available').first().focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(received.get(page)!.filter((e) => e.type === 'closed').length).toBe(3);

    // The session is paid: Stripe Checkout cannot be framed, so the whole tab goes there and comes back.
    await trigger.click();
    await bookFirstFreeTime(frame, { name: 'Popup Visitor', email: 'popup@example.com' });
    await page.waitForURL(/\/pay\/cs_test_/);
    const booked = received.get(page)!.find((e) => e.type === 'booked')?.detail;
    expect(booked).toMatchObject({ id: expect.any(String), service: 'session' });
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(new RegExp(`^${booking.url}/b/[\\w-]{43}`));
    await page.getByRole('heading', { name: 'Your booking' }).waitFor();
    await page.getByText('AED 250.00 paid').waitFor();
    expect(await page.locator('.badge').textContent()).toBe('Confirmed');
    await page.context().close();
  });

  it('floating button: opens the provider page in a popup; the visitor picks a service and books', async () => {
    const page = await openExample('floating.html');
    await page.getByRole('button', { name: 'Book a session' }).click();
    await bookFirstFreeTime(page.frameLocator('.slotline-open iframe'), { name: 'Floating Visitor', email: 'float@example.com' }, 'Free intro call');
    expect((await waitForBooked(page)).service).toBe('intro');
    await page.context().close();
  });

  it('JS API: the queued listener and prefill work, and the page logs the booking', async () => {
    const page = await openExample('api.html');
    await page.locator('#name').fill('Api Visitor');
    await page.locator('#email').fill('api@example.com');
    await page.getByRole('button', { name: 'Choose a time' }).click();
    const frame = page.frameLocator('.slotline-open iframe');
    const src = new URL((await page.locator('.slotline-open iframe').getAttribute('src'))!);
    expect(src.searchParams.get('name')).toBe('Api Visitor');
    expect(src.searchParams.get('email')).toBe('api@example.com');
    await bookFirstFreeTime(frame, {});
    const booked = await waitForBooked(page);
    await expect.poll(() => page.locator('#log').textContent()).toContain(`"id":"${booked.id}"`);
    await expect.poll(() => page.locator('#thanks').isVisible()).toBe(true);
    await page.context().close();
  });

});
