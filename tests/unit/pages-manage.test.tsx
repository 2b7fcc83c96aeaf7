// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { ManageView } from '../../contract/api';
import { manageApp } from '../../pages/manage/main';
import { NOW, fakeApi, freeSlots, provider } from './pages-fixtures';

/**
 * The manage page (`/b/:token`) mounted for real in jsdom over a fake API (the browser boundary): what it
 * shows, back from checkout, cancel with its confirmation, reschedule through the calendar, and the 409s.
 */

const TOKEN = 'T'.repeat(43);

function view(patch: Partial<ManageView['booking']> = {}, policy: Partial<ManageView['policy']> = {}): ManageView {
  return {
    booking: {
      id: 'b-1234567890', ref: 'B-123456', status: 'confirmed',
      start: '2026-11-23T05:00:00.000Z', end: '2026-11-23T05:30:00.000Z',
      provider: 'kim', providerName: 'Kim Lindberg', providerTimezone: 'Asia/Dubai',
      service: 'intro', serviceTitle: 'Intro call', durationMinutes: 30, name: 'Sam', timezone: 'Europe/Berlin',
      holdExpiresAt: null, location: null, meetingUrl: 'https://meet.jit.si/slotline-abc', cancelReason: null, payment: null,
      ...patch,
    },
    policy: { canCancel: true, canReschedule: true, refundable: false, ...policy },
    links: {
      manage: `http://page.test/b/${TOKEN}`,
      ics: `http://page.test/api/bookings/${TOKEN}/ics`,
      google: 'https://calendar.google.com/calendar/render?action=TEMPLATE',
      outlook: 'https://outlook.live.com/calendar/0/deeplink/compose',
    },
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });

/** The booking API over one booking; `answers` can replace the next answers of an endpoint. */
function manageApi(first: ManageView, answers: { get?: ManageView[]; cancel?: Response; reschedule?: Response } = {}) {
  const base = fakeApi();
  let current = first;
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://page.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    if (url.pathname === `/api/bookings/${TOKEN}` && method === 'GET') {
      base.calls.push({ method, path: url.pathname, query: url.searchParams, body });
      current = answers.get?.shift() ?? current;
      return json(200, current);
    }
    if (url.pathname === `/api/bookings/${TOKEN}/cancel`) {
      base.calls.push({ method, path: url.pathname, query: url.searchParams, body });
      if (answers.cancel) return answers.cancel;
      current = view({ ...current.booking, status: 'cancelled', cancelReason: body.reason ?? null }, { canCancel: false, canReschedule: false });
      return json(200, current);
    }
    if (url.pathname === `/api/bookings/${TOKEN}/reschedule`) {
      base.calls.push({ method, path: url.pathname, query: url.searchParams, body });
      if (answers.reschedule) return answers.reschedule;
      current = view({ ...current.booking, start: body.start, end: new Date(Date.parse(body.start) + 30 * 60_000).toISOString() });
      return json(200, current);
    }
    return base.fetch(input, init);
  };
  return { fetch, calls: base.calls };
}

function mountManage(first: ManageView, query = '', api = manageApi(first)) {
  window.history.replaceState(null, '', `/b/${TOKEN}${query}`);
  const app = manageApp({ fetch: api.fetch, win: window, data: { provider, slots: null, manage: first }, now: () => NOW });
  render(app.node);
  return { ...app, api };
}

const posts = (api: ReturnType<typeof manageApi>, what: string) => api.calls.filter((c) => c.method === 'POST' && c.path.endsWith(what));

describe('manage page', () => {
  it('shows the booking in the zone it was booked in and the provider’s, with its place and calendars', async () => {
    mountManage(view());
    await screen.findByRole('heading', { name: 'Your booking' });
    expect(screen.getByText('Confirmed')).toBeTruthy();
    expect(screen.getByText('Your time')).toBeTruthy();
    expect(screen.getByText('Monday, November 23, 2026 at 6:00 AM – 6:30 AM')).toBeTruthy(); // Berlin
    expect(screen.getByText('Monday, November 23, 2026 at 9:00 AM – 9:30 AM')).toBeTruthy(); // Dubai
    expect(screen.getByRole('link', { name: 'Join the video call' }).getAttribute('href')).toBe('https://meet.jit.si/slotline-abc');
    expect(screen.getByRole('link', { name: 'Outlook.com' })).toBeTruthy();
    expect(screen.getByRole('link', { name: /\.ics/ }).getAttribute('href')).toBe(`http://page.test/api/bookings/${TOKEN}/ics`);
    expect(document.title).toBe('Your booking with Kim Lindberg');
  });

  it('a pending hold shows its countdown; outside the policy there is no cancel button but a note', async () => {
    mountManage(view({ status: 'pending', holdExpiresAt: new Date(NOW + 10 * 60_000).toISOString() }, { canCancel: false, canReschedule: false }));
    await screen.findByText('Waiting for payment');
    expect(screen.getByRole('timer').textContent).toBe('Time left to pay: 10:00');
    expect(screen.queryByRole('button', { name: 'Cancel booking' })).toBeNull();
    expect(screen.getByText('It is too late to cancel online. Please contact Kim Lindberg.')).toBeTruthy();
  });

  it('a pending hold whose checkout was left offers the way back to it, leaving any iframe', async () => {
    const pending = view({ status: 'pending', holdExpiresAt: new Date(NOW + 10 * 60_000).toISOString() });
    pending.links.payment = 'https://checkout.stripe.test/pay/cs_test_1';
    mountManage(pending);
    const link = (await screen.findByRole('link', { name: 'Pay to confirm' })) as HTMLAnchorElement;
    expect(link.href).toBe('https://checkout.stripe.test/pay/cs_test_1');
    expect(link.target).toBe('_top');
  });

  it('a paid booking states the refund deadline frozen at payment: open, or closed', async () => {
    const paid = { status: 'paid', amountCents: 15000, currency: 'AED', refundUntil: '2026-11-22T05:00:00.000Z' };
    mountManage(view({ payment: paid }, { refundable: true }));
    // 05:00 UTC is 06:00 in Berlin, the zone the booking was made in.
    expect((await screen.findByText(/Full refund if you cancel before/)).textContent).toMatch(/November 22, 2026.*6:00/);
    document.body.innerHTML = '';
    mountManage(view({ payment: paid }, { refundable: false }));
    expect((await screen.findByText(/Refunds closed on/)).textContent).toMatch(/November 22, 2026/);
  });

  it('a cancelled paid booking says the refund is on its way, then that it was refunded', async () => {
    const pending = view({ status: 'cancelled', payment: { status: 'refund_pending', amountCents: 15000, currency: 'AED', refundUntil: '2026-11-22T05:00:00.000Z' } }, { canCancel: false, canReschedule: false });
    mountManage(pending);
    await screen.findByText(/refund on its way/);
    expect(screen.queryByText(/Full refund if you cancel/)).toBeNull();
    document.body.innerHTML = '';
    mountManage(view({ ...pending.booking, payment: { ...pending.booking.payment!, status: 'refunded' } }, { canCancel: false, canReschedule: false }));
    await screen.findByText(/refunded/);
  });

  it('a confirmed booking offers no payment link', async () => {
    mountManage(view());
    await screen.findByRole('button', { name: 'Cancel booking' });
    expect(screen.queryByRole('link', { name: 'Pay to confirm' })).toBeNull();
  });

  it('back from checkout paid: looks again until the webhook has confirmed it, then says the payment arrived', async () => {
    const pending = view({ status: 'pending', holdExpiresAt: new Date(NOW + 30 * 60_000).toISOString(), payment: { status: 'pending', amountCents: 15000, currency: 'AED' } });
    const paid = view({ payment: { status: 'paid', amountCents: 15000, currency: 'AED' } });
    const api = manageApi(pending, { get: [pending, paid] });
    mountManage(pending, '?payment=success', api);
    await screen.findByText('Payment received. Confirming your booking…');
    await screen.findByText('Payment received. Thank you!', {}, { timeout: 5000 });
    expect(screen.getByText('Confirmed')).toBeTruthy();
    expect(screen.getByText('AED 150.00 paid')).toBeTruthy();
    expect(api.calls.filter((c) => c.method === 'GET' && c.path === `/api/bookings/${TOKEN}`)).toHaveLength(2);
    expect(window.location.search).toBe('');
  });

  it('back from checkout cancelled: releases the hold and offers to book again', async () => {
    const pending = view({ status: 'pending', holdExpiresAt: new Date(NOW + 30 * 60_000).toISOString() });
    const { api } = mountManage(pending, '?payment=cancelled');
    await screen.findByText(/^Payment cancelled\. The time was released/);
    expect(posts(api, '/cancel').map((c) => c.body)).toEqual([{ reason: 'checkout cancelled' }]);
    expect(screen.getByText('Cancelled')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Book a time again' }).getAttribute('href')).toBe('/c/kim/intro');
    // The provider's own reason code is not shown as if the visitor wrote it.
    expect(screen.queryByText(/Reason:/)).toBeNull();
  });

  it('back from checkout cancelled but too close to the start to cancel online: says until when the time stays held', async () => {
    const pending = view({ status: 'pending', holdExpiresAt: '2026-11-22T06:30:00.000Z' }, { canCancel: false, canReschedule: false });
    const api = manageApi(pending, {
      cancel: json(409, { type: 'https://slotline.dev/problems/too-late-to-cancel', title: 'Too late', status: 409 }),
    });
    mountManage(pending, '?payment=cancelled', api);
    // 06:30Z is 7:30 AM in Berlin, the zone it was booked in.
    await screen.findByText('Payment cancelled. The time stays held until 7:30 AM, then it is released.');
    expect(screen.getByText('Waiting for payment')).toBeTruthy();
  });

  it('cancel asks first, sends the reason, and says it is done; "Keep my booking" changes nothing', async () => {
    const { api } = mountManage(view({ payment: { status: 'paid', amountCents: 15000, currency: 'AED' } }, { refundable: true }));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel booking' }));
    await screen.findByRole('heading', { name: 'Cancel this booking?' });
    expect(screen.getByText('You will get your AED 150.00 back.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Keep my booking' }));
    await screen.findByRole('heading', { name: 'Your booking' });
    expect(posts(api, '/cancel')).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel booking' }));
    fireEvent.input(await screen.findByLabelText('Reason (optional)'), { target: { value: '  Feeling unwell ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    await screen.findByText('Your booking was cancelled.');
    expect(posts(api, '/cancel').map((c) => c.body)).toEqual([{ reason: 'Feeling unwell' }]);
    expect(screen.getByText('Reason: Feeling unwell')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Change the time' })).toBeNull();
  });

  it('too late to cancel (409): says so and keeps the booking', async () => {
    const api = manageApi(view(), {
      cancel: json(409, { type: 'https://slotline.dev/problems/too-late-to-cancel', title: 'Too late', status: 409 }),
      get: [view({}, { canCancel: false, canReschedule: false })],
    });
    mountManage(view(), '', api);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel booking' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Yes, cancel it' }));
    expect((await screen.findByRole('alert')).textContent).toBe('It is too late to cancel online. Please contact Kim Lindberg.');
    expect(screen.getByText('Confirmed')).toBeTruthy();
  });

  it('reschedules through the calendar and the times, then shows the new time', async () => {
    const { api } = mountManage(view());
    fireEvent.click(await screen.findByRole('button', { name: 'Change the time' }));
    fireEvent.click(await screen.findByRole('button', { name: /^Wednesday, November 25, 2026, 1 time available$/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Wednesday, November 25, 2026 at 11:00 AM' }));
    await screen.findByRole('heading', { name: 'Move your booking to this time?' });
    fireEvent.click(screen.getByRole('button', { name: 'Move my booking' }));
    await screen.findByText('Your booking was moved.');
    expect(posts(api, '/reschedule').map((c) => c.body)).toEqual([{ start: freeSlots()[3].start }]);
    expect(screen.getByText('Wednesday, November 25, 2026 at 11:00 AM – 11:30 AM')).toBeTruthy();
    expect(window.location.pathname).toBe(`/b/${TOKEN}`);
    expect(window.location.search).toBe('');
  });

  it('a time taken meanwhile (409): back to that day with the notice, the booking unchanged', async () => {
    const api = manageApi(view(), {
      reschedule: json(409, { type: 'https://slotline.dev/problems/slot-taken', title: 'Taken', status: 409 }),
    });
    const slot = freeSlots()[3].start;
    mountManage(view(), `?date=2026-11-25&slot=${encodeURIComponent(slot)}`, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Move my booking' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Sorry, someone just took that time. Here are the times still free on that day.',
    );
    await screen.findByRole('heading', { name: 'Times on Wednesday, November 25, 2026' });
    expect(new URLSearchParams(window.location.search).get('slot')).toBeNull();
  });

  it('renders Arabic right-to-left', async () => {
    mountManage(view(), '?lang=ar');
    await screen.findByRole('heading', { name: 'حجزك' });
    expect(document.documentElement.dir).toBe('rtl');
    expect(screen.getByText('مؤكد')).toBeTruthy();
  });
});
