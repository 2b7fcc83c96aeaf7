// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agenda, BookingDetails, Me, OutboxMessage, OwnerProvider, OwnerService } from '../../contract/app-api';
import { providerApp } from '../../pages/app/main';
import { reminderChoices } from '../../pages/app/screens/Notifications';
import { afterSignIn } from '../../pages/app/state';
import { fakeApi, json, type Handler } from '../support/fake-app-api.ts';

/**
 * The provider app's notification screens mounted for real in jsdom over a fake owner API (the browser boundary):
 * the messages screen (loading, empty, error, the statuses in plain words, reading a kept message), the agenda
 * (default tomorrow by the injected clock, the WhatsApp reminder link, the date in the URL), the email links
 * `/app/bookings/<id>?action=…`, and the notification settings form (what PATCH sends; a bad address sends nothing).
 */

window.scrollTo = () => {};

afterEach(() => {
  cleanup();
  localStorage.clear();
  document.documentElement.lang = '';
  document.documentElement.dir = '';
});

const PID = '11111111-1111-4111-8111-111111111111';
const BID = '33333333-3333-4333-8333-333333333333';
/** 2026-03-02 10:00 in Dubai (UTC+4): "tomorrow" there is 2026-03-03. */
const NOW = Date.parse('2026-03-02T06:00:00Z');
const me: Me = {
  user: { id: 'u1', email: 'layla@example.com', createdAt: '2026-01-01T00:00:00Z' },
  providers: [{ id: PID, slug: 'layla', name: 'Layla Fitness', timezone: 'Asia/Dubai', isPublic: true }],
};
const provider: OwnerProvider = {
  id: PID, slug: 'layla', name: 'Layla Fitness', timezone: 'Asia/Dubai', isPublic: true, profile: {}, booking: {},
  whatsapp: { enabled: false }, appearance: {}, embed: {}, notifications: {}, workingHours: {}, timeOff: [], createdAt: '', updatedAt: '',
};
const service: OwnerService = {
  id: '22222222-2222-4222-8222-222222222222', slug: 'pt', title: 'Personal training', description: '', durationMinutes: 60,
  priceCents: 0, currency: 'AED', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, location: null, bookingMode: 'request', hidden: false, position: 0,
};
const message = (m: Partial<OutboxMessage>): OutboxMessage => ({
  id: 1, kind: 'visitor.confirmation', channel: 'email', bookingId: BID, recipient: 'sara@example.com', lang: 'en',
  subject: 'Confirmed: Personal training', text: 'Hi Sara, your booking is confirmed.\nManage: [link]', html: null, icsMethod: 'REQUEST',
  status: 'kept', attempts: 1, lastError: null, createdAt: '2026-03-01T08:00:00Z', sentAt: null, ...m,
});


const routes = (extra: Record<string, Handler | Handler[]> = {}) => ({
  'GET /api/app/me': () => json(200, me),
  [`GET /api/app/providers/${PID}`]: () => json(200, provider),
  [`GET /api/app/providers/${PID}/services`]: () => json(200, [service]),
  ...extra,
});

function mount(path: string, api: ReturnType<typeof fakeApi>) {
  window.history.replaceState(null, '', path);
  const { node, app } = providerApp({ fetch: api.fetch, win: window, now: () => NOW });
  render(node);
  return app;
}

describe('messages screen', () => {
  it('shows loading, then "Nothing sent yet" when the outbox is empty', async () => {
    let answer: ((r: Response) => void) | undefined;
    const api = fakeApi(routes({ [`GET /api/app/providers/${PID}/outbox`]: () => new Promise<Response>((r) => (answer = r)) }));
    mount('/app/settings/messages', api);
    await screen.findByRole('heading', { name: 'Messages sent' });
    expect(screen.getByText('Loading…').getAttribute('role')).toBe('status');
    await waitFor(() => expect(answer).toBeDefined());
    expect(screen.getByText('Loading…')).toBeTruthy();
    answer!(json(200, []));
    await screen.findByText('Nothing sent yet.');
  });

  it('says when the outbox cannot be read, and tries again', async () => {
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}/outbox`]: [() => json(500, { title: 'Boom', status: 500 }), () => json(200, [])],
    }));
    mount('/app/messages', api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Something went wrong on our side/);
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByText('Nothing sent yet.');
    expect(api.sent('GET', `/api/app/providers/${PID}/outbox`)).toHaveLength(2);
  });

  it('lists each message with its kind, recipient and status in plain words; a kept one opens to its text', async () => {
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}/outbox`]: () => json(200, [
        message({ id: 4, kind: 'provider.request', recipient: 'layla@example.com', status: 'failed', lastError: '550 mailbox unavailable', subject: 'New request' }),
        message({ id: 3, kind: 'visitor.reminder', channel: 'whatsapp', recipient: '+971501234567', status: 'skipped', lastError: 'WhatsApp Cloud API not configured', text: null, subject: null }),
        message({ id: 2, kind: 'visitor.confirmation', status: 'sent', sentAt: '2026-03-01T08:00:05Z' }),
        message({ id: 5, kind: 'visitor.rescheduled', status: 'skipped', bookingId: null }),
        message({ id: 1, kind: 'visitor.confirmation', status: 'kept' }),
      ]),
    }));
    mount('/app/settings/messages', api);
    await screen.findByText('New request');
    const items = within(document.querySelector('ul.list') as HTMLElement).getAllByRole('listitem');
    expect(items).toHaveLength(5);
    expect(items[0].textContent).toMatch(/New request, to you/);
    expect(items[0].textContent).toMatch(/Failed/);
    expect(items[0].textContent).toMatch(/The email server said: 550 mailbox unavailable/);
    expect(items[1].textContent).toMatch(/Reminder to the client.*Skipped/);
    expect(items[1].textContent).toMatch(/WhatsApp · To \+971501234567.*Why: WhatsApp Cloud API not configured/);
    expect(within(items[1]).queryByRole('button', { name: 'Read the message' })).toBeNull();
    expect(items[2].textContent).toMatch(/Booking confirmation to the client/);
    expect(within(items[2]).getByText('Sent')).toBeTruthy();
    expect(items[3].textContent).toMatch(/New time, to the client.*Skipped.*Not sent: it no longer applied when its turn came\./);
    expect(within(items[3]).queryByRole('link', { name: 'Open the booking' })).toBeNull();
    items.splice(3, 1);
    expect(items[3].textContent).toMatch(/To sara@example\.com/);
    expect(items[3].textContent).toMatch(/Kept, not sent: no email server is set up/);
    expect(screen.getByText(/set SMTP_URL in the server’s environment/)).toBeTruthy();
    expect(screen.queryByText(/your booking is confirmed/)).toBeNull();
    const read = within(items[3]).getByRole('button', { name: 'Read the message' });
    fireEvent.click(read);
    expect((await within(items[3]).findByText(/your booking is confirmed/)).textContent).toBe('Hi Sara, your booking is confirmed.\nManage: [link]');
    expect(read.getAttribute('aria-expanded')).toBe('true');
    expect(within(items[3]).getByRole('link', { name: 'Open the booking' }).getAttribute('href')).toBe(`/app/bookings/${BID}`);
  });

  it('speaks Arabic', async () => {
    const api = fakeApi(routes({ [`GET /api/app/providers/${PID}/outbox`]: () => json(200, [message({})]) }));
    mount('/app/settings/messages?lang=ar', api);
    await screen.findByRole('heading', { name: 'الرسائل المرسلة' });
    await screen.findByText('Confirmed: Personal training');
    expect(document.querySelector('ul.list li')!.textContent).toMatch(/تأكيد الحجز إلى العميل.*محفوظة ولم تُرسل/);
    expect(document.documentElement.dir).toBe('rtl');
  });
});

describe('agenda screen', () => {
  const agenda = (date: string): Agenda => ({
    date, timezone: 'Asia/Dubai', providerName: 'Layla Fitness', items: [
      { bookingId: BID, start: `${date}T05:00:00Z`, end: `${date}T06:00:00Z`, status: 'confirmed', awaitingApproval: false, name: 'Sara',
        email: null, phone: '+971501234567', service: 'Personal training', lang: 'en', message: 'Hi Sara!', whatsappUrl: 'https://wa.me/971501234567?text=Hi%20Sara!' },
      { bookingId: '44444444-4444-4444-8444-444444444444', start: `${date}T07:00:00Z`, end: `${date}T08:00:00Z`, status: 'pending', awaitingApproval: true,
        name: 'Omar', email: 'omar@example.com', phone: null, service: 'Personal training', lang: 'ar', message: 'مرحباً', whatsappUrl: null },
    ],
  });

  it('opens on tomorrow in the provider’s zone, with one-tap WhatsApp reminders; another day goes into the URL', async () => {
    const api = fakeApi(routes({ [`GET /api/app/providers/${PID}/agenda`]: (_b, q) => json(200, q.get('date') === '2026-03-05' ? { ...agenda('2026-03-05'), items: [] } : agenda(q.get('date')!)) }));
    mount('/app/agenda', api);
    await screen.findByRole('heading', { name: 'Agenda' });
    expect((screen.getByLabelText('Day') as HTMLInputElement).value).toBe('2026-03-03');
    const remind = await screen.findByRole('link', { name: 'Remind on WhatsApp' });
    expect(remind.getAttribute('href')).toBe('https://wa.me/971501234567?text=Hi%20Sara!');
    expect(remind.getAttribute('target')).toBe('_blank');
    expect(screen.getAllByRole('link', { name: 'Remind on WhatsApp' })).toHaveLength(1);
    expect(screen.getByText('No phone number: they get the email reminder.')).toBeTruthy();
    expect(screen.getByText('Request')).toBeTruthy();
    expect(screen.getByText(/9:00/)).toBeTruthy(); // 05:00Z is 9:00 in Dubai
    expect(api.sent('GET', `/api/app/providers/${PID}/agenda`)[0].query.get('date')).toBe('2026-03-03');
    fireEvent.change(screen.getByLabelText('Day'), { target: { value: '2026-03-05' } });
    await screen.findByText('No clients on this day.');
    expect(location.pathname + location.search).toBe('/app/agenda?date=2026-03-05');
    fireEvent.click(screen.getByRole('button', { name: 'Tomorrow' }));
    await screen.findByRole('link', { name: 'Remind on WhatsApp' });
    expect(location.search).toBe('?date=2026-03-03');
  });

  it('the agenda email’s link ?date= opens that day', async () => {
    const api = fakeApi(routes({ [`GET /api/app/providers/${PID}/agenda`]: (_b, q) => json(200, agenda(q.get('date')!)) }));
    mount('/app/agenda?date=2026-04-10', api);
    await screen.findByRole('link', { name: 'Remind on WhatsApp' });
    expect((screen.getByLabelText('Day') as HTMLInputElement).value).toBe('2026-04-10');
    expect(api.sent('GET', `/api/app/providers/${PID}/agenda`).map((c) => c.query.get('date'))).toEqual(['2026-04-10']);
  });
});

describe('email links to a booking', () => {
  it('signed out, the link survives signing in with the code', async () => {
    const api = fakeApi(routes({
      'GET /api/app/me': [() => json(401, { title: 'Sign in', status: 401 }), () => json(200, me)],
      'POST /api/app/sign-in': () => json(202, { status: 'sent', detail: '' }),
      'POST /api/app/sign-in/verify': () => json(200, { user: { id: 'u1', email: 'layla@example.com' }, newAccount: false, claimedProvider: null }),
      [`GET /api/app/providers/${PID}/bookings/${BID}`]: () => json(200, details({ approve: true, decline: true })),
    }));
    mount(`/app/bookings/${BID}?action=decline`, api);
    await screen.findByRole('heading', { name: 'Sign in to Slotline' });
    expect(new URLSearchParams(location.search).get('next')).toBe(`/app/bookings/${BID}?action=decline`);
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'layla@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    fireEvent.input(await screen.findByLabelText('Six-digit code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('button', { name: 'Decline request' });
    expect(location.pathname + location.search).toBe(`/app/bookings/${BID}?action=decline`);
  });

  it('?next= only ever leads inside the app', () => {
    const next = (v: string) => afterSignIn(new URLSearchParams({ next: v }));
    expect(next('/app/agenda?date=2026-03-03')).toBe('/app/agenda?date=2026-03-03');
    for (const bad of ['https://evil.example/app/x', '//evil.example', '/app//evil.example', '/app/\\evil.example', '/app/sign-in', '/app/', '/c/demo']) {
      expect(next(bad), bad).toBe('/app');
    }
    expect(afterSignIn(new URLSearchParams())).toBe('/app');
  });

  const details = (actions: Partial<BookingDetails['actions']>): BookingDetails => ({
    id: BID, status: 'pending', start: '2026-03-03T05:00:00Z', end: '2026-03-03T06:00:00Z', providerId: PID, serviceId: service.id,
    service: { id: service.id, slug: 'pt', title: 'Personal training', durationMinutes: 60 }, holdExpiresAt: null, awaitingApproval: true,
    createdBy: 'visitor', name: 'Sara', email: 'sara@example.com', phone: null, notes: null, timezone: 'Asia/Dubai', priceCents: 0, currency: 'AED',
    meetingUrl: null, cancelReason: null, cancelledAt: null, createdAt: '2026-03-01T08:00:00Z', clientKey: 'sara@example.com', erased: false,
    payment: null, hasManageLink: true, providerTimezone: 'Asia/Dubai', clientNotes: null, locationLine: null, whatsappUrl: null,
    actions: { approve: false, decline: false, cancel: false, reschedule: false, complete: false, noShow: false, ...actions }, refundOnCancel: false,
  });

  it('?action=approve opens the booking with the approval ready; confirming sends it', async () => {
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}/bookings/${BID}`]: () => json(200, details({ approve: true, decline: true, cancel: true })),
      [`POST /api/app/providers/${PID}/bookings/${BID}/approve`]: () => json(200, { ...details({ cancel: true }), status: 'confirmed', awaitingApproval: false }),
    }));
    mount(`/app/bookings/${BID}?action=approve`, api);
    await screen.findByRole('heading', { name: 'Approve this request? The client gets a confirmation.' });
    expect(api.sent('POST', `/api/app/providers/${PID}/bookings/${BID}/approve`)).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await screen.findByText('Confirmed');
    expect(api.sent('POST', `/api/app/providers/${PID}/bookings/${BID}/approve`)).toHaveLength(1);
  });

  it('?action=decline opens the decline step; an action that no longer applies just shows the booking', async () => {
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}/bookings/${BID}`]: [() => json(200, details({ approve: true, decline: true })), () => json(200, details({ cancel: true }))],
    }));
    mount(`/app/bookings/${BID}?action=decline`, api);
    await screen.findByRole('button', { name: 'Decline request' });
    cleanup();
    mount(`/app/bookings/${BID}?action=approve`, api);
    await screen.findByRole('button', { name: 'Cancel booking' });
    expect(screen.queryByRole('heading', { name: /Approve this request/ })).toBeNull();
  });
});

describe('notification settings form', () => {
  it('shows what is stored, refuses a bad address without sending, then PATCHes the whole section', async () => {
    const stored = { ...provider, notifications: { reminders: [1440, 30], providerEmails: true, lang: 'en' as const } };
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}`]: () => json(200, stored),
      [`PATCH /api/app/providers/${PID}`]: (body) => json(200, { ...stored, notifications: body.notifications }),
    }));
    const app = mount('/app/settings/notifications', api);
    await screen.findByRole('heading', { name: 'Notifications' });
    const box = (name: string) => screen.getByLabelText(name) as HTMLInputElement;
    expect([box('24 h before').checked, box('2 h before').checked, box('1 h before').checked, box('30 min before').checked]).toEqual([true, false, false, true]);
    expect((screen.getByLabelText('Email me the next day’s agenda at') as HTMLSelectElement).value).toBe('');
    fireEvent.click(box('2 h before'));
    fireEvent.click(box('30 min before'));
    fireEvent.change(screen.getByLabelText('Email me the next day’s agenda at'), { target: { value: '19' } });
    fireEvent.click(box('Email me about new bookings, requests, changes and payments'));
    fireEvent.input(screen.getByLabelText('Send my emails to'), { target: { value: 'bookings@' } });
    fireEvent.change(screen.getByLabelText('Language of my emails'), { target: { value: 'ar' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Please enter an email address/);
    expect(api.sent('PATCH', `/api/app/providers/${PID}`)).toEqual([]);
    fireEvent.input(screen.getByLabelText('Send my emails to'), { target: { value: 'bookings@layla.example' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(api.sent('PATCH', `/api/app/providers/${PID}`).map((c) => c.body)).toEqual([{
      notifications: { reminders: [1440, 120], providerEmails: false, lang: 'ar', email: 'bookings@layla.example', agendaHour: 19 },
    }]);
    await waitFor(() => expect(app.provider.value?.notifications?.agendaHour).toBe(19));
  });

  it('names the field the server refused', async () => {
    const api = fakeApi(routes({
      [`PATCH /api/app/providers/${PID}`]: () => json(400, { type: 'x/invalid-request', title: 'Invalid', status: 400, errors: [{ field: 'notifications.reminders', message: 'must not repeat an offset' }] }),
    }));
    mount('/app/settings/notifications', api);
    await screen.findByRole('heading', { name: 'Notifications' });
    expect((screen.getByLabelText('24 h before') as HTMLInputElement).checked).toBe(true); // the server's default: 24 h and 2 h
    expect((screen.getByLabelText('2 h before') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/notifications\.reminders: must not repeat an offset/);
  });

  it('keeps offsets it does not offer as choices', () => {
    expect(reminderChoices(undefined)).toEqual([1440, 120, 60]);
    expect(reminderChoices([2880, 60, 15])).toEqual([2880, 1440, 120, 60, 15]);
  });
});

describe('freed time and per-service reminders', () => {
  it('shows a freed-time offer as the text to forward with a one-tap WhatsApp share, and no "no email server" hint', async () => {
    const offer = 'A time just opened up with Layla Fitness: Personal training, Tue 3 Mar 2026, 10:00 (Asia/Dubai). First to book gets it: https://x.test/c/layla/pt?slot=2026-03-03T06:00:00.000Z';
    const api = fakeApi(routes({
      [`GET /api/app/providers/${PID}/outbox`]: () => json(200, [
        message({ id: 7, kind: 'provider.freed-time', recipient: null, subject: 'Freed time to offer: Tue 3 Mar 2026, 10:00 (Asia/Dubai)', text: offer, status: 'kept' }),
      ]),
    }));
    mount('/app/settings/messages', api);
    const item = (await screen.findByText('Freed time, ready to forward')).closest('li') as HTMLElement;
    expect(item.textContent).toContain(offer);
    expect(item.textContent).toMatch(/The first to book gets it/);
    expect(item.textContent).not.toMatch(/Kept, not sent|No recipient/);
    const share = within(item).getByRole('link', { name: 'Offer on WhatsApp' });
    expect(share.getAttribute('href')).toBe(`https://wa.me/?text=${encodeURIComponent(offer)}`);
    expect(screen.queryByText(/set SMTP_URL/)).toBeNull();
  });

  it('the service editor sets this service\'s own reminders, or goes back to the provider\'s', async () => {
    const path = `/api/app/providers/${PID}/services/${service.id}/reminders`;
    const api = fakeApi(routes({
      [`GET ${path}`]: () => json(200, { serviceId: service.id, reminders: null, providerReminders: [1440, 120] }),
      [`PUT ${path}`]: [
        () => json(400, { type: 'about:blank#invalid', title: 'Invalid', status: 400, errors: [{ field: 'reminders', message: 'must not repeat an offset' }] }),
        (body) => json(200, { serviceId: service.id, reminders: body.reminders, providerReminders: [1440, 120] }),
      ],
    }));
    mount(`/app/settings/services/${service.id}`, api);
    const group = (await screen.findByRole('group', { name: 'Reminders for this service' })) as HTMLElement;
    const same = within(group).getByRole('radio', { name: 'Same as my reminder settings (24 h before, 2 h before)' }) as HTMLInputElement;
    expect(same.checked).toBe(true);
    expect(within(group).queryByRole('checkbox')).toBeNull();

    fireEvent.click(within(group).getByRole('radio', { name: 'Own reminders for this service' }));
    fireEvent.click(within(group).getByRole('checkbox', { name: '24 h before' }));
    fireEvent.click(within(group).getByRole('checkbox', { name: '2 h before' }));
    fireEvent.click(within(group).getByRole('checkbox', { name: '1 h before' }));
    const form = group.closest('form') as HTMLFormElement;
    fireEvent.submit(form);
    expect((await within(form).findByRole('alert')).textContent).toBeTruthy();
    fireEvent.submit(form);
    await waitFor(() => expect(api.sent('PUT', path)).toHaveLength(2));
    expect(api.sent('PUT', path).map((c) => c.body)).toEqual([{ reminders: [60] }, { reminders: [60] }]);
    await screen.findByText('Reminders saved. New bookings of this service follow them.');
    expect(within(form).queryByRole('alert')).toBeNull();

    fireEvent.click(same);
    fireEvent.submit(form);
    await waitFor(() => expect(api.sent('PUT', path)).toHaveLength(3));
    expect(api.sent('PUT', path)[2].body).toEqual({ reminders: null });
    // The service form itself is a separate form: saving reminders never sent the service.
    expect(api.sent('PATCH', `/api/app/providers/${PID}/services/${service.id}`)).toEqual([]);
  });
});
