// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { compactAnswer, fakeApi, freeSlots, mount, provider, query } from './pages-fixtures';

/** The booking page step by step: service → calendar → times → details → confirmation, and its error states. */

describe('booking page flow', () => {
  it('lists the services with duration and price, and opens the calendar of the chosen one', async () => {
    mount('/c/kim?tz=Asia/Dubai');
    expect(screen.getByRole('heading', { level: 1, name: 'Kim Lindberg' })).toBeTruthy();
    const intro = screen.getByRole('link', { name: /Intro call/ });
    expect(intro.textContent).toContain('30 minutes · Free');
    expect(screen.getByRole('link', { name: /Deep session/ }).textContent).toContain('1 hour · AED');
    expect(intro.getAttribute('href')).toBe('/c/kim/intro?tz=Asia%2FDubai');

    fireEvent.click(intro);
    const heading = await screen.findByRole('heading', { name: 'Choose a day' });
    expect(window.location.pathname).toBe('/c/kim/intro');
    expect(document.activeElement).toBe(heading);
  });

  it('goes straight to the calendar when the provider has a single service', async () => {
    const single = { ...provider, services: [provider.services[0]] };
    const api = fakeApi();
    mount('/c/kim?tz=Asia/Dubai', { api, data: { provider: single, slots: null } });
    expect(screen.getByRole('heading', { name: 'Choose a day' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Back' })).toBeNull();
    fireEvent.click(await screen.findByRole('button', { name: /November 23, 2026, 3 times/ }));
    fireEvent.click((await screen.findAllByRole('button', { name: /at 9:00 AM$/ }))[0]);
    await screen.findByRole('heading', { name: 'Your details' });
    expect(api.calls.find((c) => c.path.endsWith('/slots'))?.query.get('service')).toBe('intro');
  });

  it('shows a month grid with labelled days and marks the days that have free times', async () => {
    const { api } = mount('/c/kim/intro?tz=Asia/Dubai');
    const grid = screen.getByRole('grid', { name: 'November 2026' });
    // While loading, days claim nothing about their times.
    expect(within(grid).getByRole('button', { name: 'Monday, November 23, 2026' })).toBeTruthy();
    await within(grid).findByRole('button', { name: 'Monday, November 23, 2026, 3 times available' });
    expect(within(grid).getByRole('button', { name: 'Wednesday, November 25, 2026, 1 time available' })).toBeTruthy();
    const off = within(grid).getByRole('button', { name: 'Tuesday, November 24, 2026, no times available' });
    expect(off.getAttribute('aria-disabled')).toBe('true');
    expect(within(grid).getAllByRole('columnheader')).toHaveLength(7);

    const slotsCall = api.calls.find((c) => c.path.endsWith('/slots'))!;
    expect(Object.fromEntries(slotsCall.query)).toEqual({ service: 'intro', from: '2026-11-01', to: '2026-11-30', tz: 'Asia/Dubai' });

    fireEvent.click(off);
    expect(query().get('date')).toBeNull();
  });

  it('does not page past the provider’s booking horizon', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai', { data: { provider: { ...provider, booking: { horizonDays: 20 } }, slots: null } });
    const next = screen.getByRole('button', { name: 'Next month' }) as HTMLButtonElement;
    expect(next.disabled).toBe(false);
    fireEvent.click(next);
    await screen.findByRole('grid', { name: 'December 2026' });
    expect((screen.getByRole('button', { name: 'Next month' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Previous month' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('uses the inlined first data without asking the API again', async () => {
    const { api } = mount('/c/kim/intro?tz=Asia/Dubai', {
      data: { provider, slots: { service: 'intro', from: '2026-11-21T06:00:00Z', to: '2026-12-25T06:00:00Z', answer: compactAnswer(freeSlots(), 'Asia/Dubai') } },
    });
    expect(screen.getByRole('button', { name: /November 23, 2026, 3 times/ })).toBeTruthy();
    expect(api.calls).toHaveLength(0);
  });

  it('moves through the calendar with the keyboard (one Tab stop, arrows, Page Down)', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai');
    const first = await screen.findByRole('button', { name: /November 23, 2026, 3 times/ });
    await waitFor(() => expect(first.tabIndex).toBe(0));
    expect(screen.getByRole('button', { name: /November 24, 2026/ }).tabIndex).toBe(-1);
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-date')).toBe('2026-11-24'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-date')).toBe('2026-12-01'));
    expect(screen.getByRole('grid', { name: 'December 2026' })).toBeTruthy();
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-date')).toBe('2026-11-24'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    await waitFor(() => expect(document.activeElement?.getAttribute('data-date')).toBe('2026-11-23'));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    fireEvent.click(document.activeElement!);
    await screen.findByRole('heading', { name: 'Times on Monday, November 23, 2026' });
  });

  it('lists the times of a day as buttons with full date-time labels, in the visitor zone', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23');
    const heading = screen.getByRole('heading', { name: 'Times on Monday, November 23, 2026' });
    expect(heading).toBeTruthy();
    const list = await screen.findAllByRole('button', { name: /^Monday, November 23, 2026 at / });
    expect(list.map((b) => b.textContent)).toEqual(['9:00 AM', '9:30 AM', '2:00 PM']);
    expect(list[0].getAttribute('aria-label')).toBe('Monday, November 23, 2026 at 9:00 AM');

    fireEvent.click(list[1]);
    await screen.findByRole('heading', { name: 'Your details' });
    expect(query().get('slot')).toBe('2026-11-23T05:30:00.000Z');
    expect(screen.getByText(/Monday, November 23, 2026 at 9:30 AM – 10:00 AM/)).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Your details' })));
  });

  it('asks for a name and an email or phone before sending anything', async () => {
    const { api } = mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23&slot=2026-11-23T05:00:00Z');
    await screen.findByRole('heading', { name: 'Your details' });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('alert');
    expect(screen.getByText('Please enter your name.')).toBeTruthy();
    expect(screen.getByText('Please enter an email address or a phone number.')).toBeTruthy();
    const name = screen.getByLabelText('Name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(name));
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.input(name, { target: { value: 'Sam' } });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'not-an-email' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    expect(await screen.findByText('Please enter a valid email address.')).toBeTruthy();
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);

    fireEvent.input(screen.getByLabelText('Email'), { target: { value: '' } });
    fireEvent.input(screen.getByLabelText('Phone'), { target: { value: 'call me' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    expect(await screen.findByText(/phone number with its country code/)).toBeTruthy();
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('books and confirms in the visitor and provider zones, with the manage link', async () => {
    const { api } = mount('/c/kim/intro?tz=Europe/Berlin&date=2026-11-23&slot=2026-11-23T05:00:00Z&name=Sam&notes=Hi');
    await screen.findByRole('heading', { name: 'Your details' });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Sam');
    expect((screen.getByLabelText(/Anything you would like/) as HTMLTextAreaElement).value).toBe('Hi');
    fireEvent.input(screen.getByLabelText('Phone'), { target: { value: '+971 50 123 4567' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));

    const done = await screen.findByRole('heading', { name: 'You are booked' });
    await waitFor(() => expect(document.activeElement).toBe(done));
    const post = api.calls.find((c) => c.method === 'POST')!;
    expect(post.body).toMatchObject({
      provider: 'kim',
      service: 'intro',
      start: '2026-11-23T05:00:00.000Z',
      name: 'Sam',
      phone: '+971 50 123 4567',
      notes: 'Hi',
      timezone: 'Europe/Berlin',
      lang: 'en',
    });
    expect((post.body as { email?: string }).email).toBeUndefined();
    expect(String((post.body as { idempotencyKey: string }).idempotencyKey).length).toBeGreaterThanOrEqual(16);
    expect(query().get('booked')).toBe('b1');
    // 05:00Z is 06:00 in Berlin (UTC+1) and 09:00 in Dubai (UTC+4).
    expect(screen.getByText(/Monday, November 23, 2026 at 6:00 AM – 6:30 AM/)).toBeTruthy();
    expect(screen.getByText(/Monday, November 23, 2026 at 9:00 AM – 9:30 AM/)).toBeTruthy();
    expect(screen.getByText('Time for Kim Lindberg')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Change or cancel this booking' }).getAttribute('href')).toBe('http://page.test/b/secret1');
    // Issue 11: the page links to the server's one iCalendar file instead of writing its own.
    expect(screen.getByRole('link', { name: /\.ics/ }).getAttribute('href')).toBe('http://page.test/api/bookings/secret1/ics');
    expect(screen.getByRole('link', { name: 'Google Calendar' }).getAttribute('href')).toContain('dates=20261123T050000Z%2F20261123T053000Z');
    expect(screen.queryByRole('link', { name: /WhatsApp/ })).toBeNull();
  });

  it('uses the server’s calendar file and offers its WhatsApp note for a confirmed booking', async () => {
    const api = fakeApi({
      book: (body) =>
        new Response(
          JSON.stringify({
            booking: { id: 'c1', status: 'confirmed', start: body.start, end: '2026-11-23T05:30:00.000Z', provider: 'kim', service: 'intro' },
            manageUrl: 'http://page.test/b/s',
            icsUrl: 'http://page.test/api/bookings/s/ics',
            next: { type: 'confirmed' },
            whatsappUrl: 'https://wa.me/971500000000?text=Booked',
          }),
          { status: 201, headers: { 'content-type': 'application/json' } },
        ),
    });
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com', { api });
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('heading', { name: 'You are booked' });
    expect(screen.getByRole('link', { name: /\.ics/ }).getAttribute('href')).toBe('http://page.test/api/bookings/s/ics');
    expect(screen.getByRole('link', { name: 'Message Kim Lindberg on WhatsApp' }).getAttribute('href')).toBe(
      'https://wa.me/971500000000?text=Booked',
    );
  });

  it('confirms in one box when the visitor is in the provider’s zone', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com');
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('heading', { name: 'You are booked' });
    expect(screen.getByText('Your time, the same for Kim Lindberg')).toBeTruthy();
    expect(screen.queryByText('Time for Kim Lindberg')).toBeNull();
    expect(screen.getAllByText(/Monday, November 23, 2026 at 9:00 AM – 9:30 AM/)).toHaveLength(1);
  });

  // Issue 11: the server never answers `next: whatsapp` (the contract's `Next` is confirmed | payment); WhatsApp
  // reaches the page only as `whatsappUrl` (covered above). What stays: no link from an answer runs as script.
  it('never renders a non-web link from the booking answer', async () => {
    const answer = (body: Record<string, string>) =>
      new Response(
        JSON.stringify({
          booking: { id: 'w1', status: 'confirmed', start: body.start, end: '2026-11-23T05:30:00.000Z', provider: 'kim', service: 'intro', holdExpiresAt: null },
          manageUrl: 'javascript:alert(2)',
          icsUrl: 'javascript:alert(3)',
          next: { type: 'confirmed' },
          whatsappUrl: 'javascript:alert(1)',
        }),
        { status: 201, headers: { 'content-type': 'application/json' } },
      );
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com', { api: fakeApi({ book: answer }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('heading', { name: 'You are booked' });
    expect(document.querySelector('a[href^="javascript"]')).toBeNull();
    expect(screen.queryByRole('link', { name: /WhatsApp/ })).toBeNull();
    expect(screen.queryByRole('link', { name: /\.ics/ })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Change or cancel this booking' })).toBeNull();
  });

  it('links a paid booking to checkout only when the URL is a web address', async () => {
    const answer = (url: string) => (body: Record<string, string>) =>
      new Response(
        JSON.stringify({
          booking: { id: 'p1', status: 'pending', start: body.start, end: '2026-11-23T05:30:00.000Z', provider: 'kim', service: 'intro', holdExpiresAt: '2026-11-22T06:30:00.000Z' },
          manageUrl: 'http://page.test/b/p',
          icsUrl: 'http://page.test/api/bookings/p/ics',
          next: { type: 'payment', url },
          whatsappUrl: null,
        }),
        { status: 201, headers: { 'content-type': 'application/json' } },
      );
    const url = '/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com';
    mount(url, { api: fakeApi({ book: answer('javascript:alert(1)') }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('heading', { name: 'Almost done: complete the payment' });
    expect(document.querySelector('a[href^="javascript"]')).toBeNull();
  });

  it('on 409 slot-taken says so, refreshes the day, and keeps what the visitor typed', async () => {
    const api = fakeApi({
      book: (body, slots) => {
        slots.splice(slots.findIndex((s) => s.start === body.start), 1);
        return api.problem(409, { type: 'https://slotline.dev/problems/slot-taken', title: 'Someone just took this time' });
      },
    });
    mount('/c/kim/intro?tz=Asia/Dubai&date=2026-11-23&slot=2026-11-23T05:00:00Z', { api });
    await screen.findByRole('heading', { name: 'Your details' });
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Sam Visitor' } });
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'sam@example.com' } });
    const slotCallsBefore = api.calls.filter((c) => c.path.endsWith('/slots')).length;
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Sorry, someone just took that time. Here are the times still free on that day.');
    expect(screen.getByRole('heading', { name: 'Times on Monday, November 23, 2026' })).toBeTruthy();
    expect(query().get('slot')).toBeNull();
    await waitFor(() => expect(screen.queryByRole('button', { name: /at 9:00 AM$/ })).toBeNull());
    expect(api.calls.filter((c) => c.path.endsWith('/slots')).length).toBeGreaterThan(slotCallsBefore);

    fireEvent.click(screen.getByRole('button', { name: /at 9:30 AM$/ }));
    await screen.findByRole('heading', { name: 'Your details' });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Sam Visitor');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('sam@example.com');
  });

  it('on 409 slot-unavailable asks for another time', async () => {
    const api = fakeApi({
      book: () => api.problem(409, { type: 'https://slotline.dev/problems/slot-unavailable', title: 'This time cannot be booked' }),
    });
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com', { api });
    await screen.findByRole('heading', { name: 'Your details' });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That time can no longer be booked. Please pick another time.');
  });

  it('shows the fields a 400 names, and a general message for anything else', async () => {
    const api = fakeApi({
      book: () =>
        api.problem(400, {
          type: 'https://slotline.dev/problems/invalid-request',
          title: 'The request has invalid fields',
          errors: [{ field: 'phone', message: 'must be E.164' }],
        }),
    });
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&phone=%2B971%2050%20123%204567', { api });
    await screen.findByRole('heading', { name: 'Your details' });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm booking' }));
    expect(await screen.findByText(/phone number with its country code/)).toBeTruthy();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    expect(screen.getByLabelText('Phone').getAttribute('aria-invalid')).toBe('true');

    const failing = fakeApi({ book: () => { throw new TypeError('Failed to fetch'); } });
    document.body.innerHTML = '';
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&name=Sam&email=sam@example.com', { api: failing });
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Something went wrong and nothing was booked. Please try again.');
  });

  it('sends a share link for a taken time to the day with a message', async () => {
    mount('/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T07:00:00Z');
    expect((await screen.findByRole('alert')).textContent).toBe('That time is no longer available. Please choose another one.');
    expect(screen.getByRole('heading', { name: 'Times on Monday, November 23, 2026' })).toBeTruthy();
    expect(query().get('slot')).toBeNull();
  });

  it('follows the browser history back and forward through the steps', async () => {
    mount('/c/kim?tz=Asia/Dubai');
    fireEvent.click(screen.getByRole('link', { name: /Intro call/ }));
    fireEvent.click(await screen.findByRole('button', { name: /November 23, 2026, 3 times/ }));
    fireEvent.click((await screen.findAllByRole('button', { name: /at 9:00 AM$/ }))[0]);
    await screen.findByRole('heading', { name: 'Your details' });

    window.history.back();
    await screen.findByRole('heading', { name: 'Times on Monday, November 23, 2026' });
    window.history.back();
    await waitFor(() => expect(screen.queryByRole('heading', { name: /^Times on/ })).toBeNull());
    expect(screen.getByRole('heading', { name: 'Choose a day' })).toBeTruthy();
    window.history.back();
    await screen.findByRole('heading', { name: 'What would you like to book?' });
    window.history.forward();
    await screen.findByRole('heading', { name: 'Choose a day' });
    expect(window.location.pathname).toBe('/c/kim/intro');

    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByRole('heading', { name: 'What would you like to book?' });
  });

  it('says so when the provider does not exist', async () => {
    mount('/c/nobody', { data: { provider: null, slots: null } });
    expect(await screen.findByRole('heading', { name: 'This booking page does not exist.' })).toBeTruthy();
  });
});
