// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../../pages/booking/App';
import { createEmbed, validOrigin } from '../../pages/lib/embed';
import { createBookingApp as createStore } from '../../pages/booking/state';
import { NOW, fakeApi, provider } from './pages-fixtures';

/**
 * The page's side of the embed protocol: messages go to `window.parent` with the exact `parentOrigin`, never
 * "*". The parent window is the browser boundary, so it is faked; the page code is real.
 */

interface Posted {
  message: { source: string; type: string; payload: Record<string, unknown> };
  target: string;
}

/** The real jsdom window, seen from inside an iframe whose parent records what it receives (and what it opens). */
function framedWindow(posted: Posted[], opened: string[] = []): Window {
  const parent = { postMessage: (message: Posted['message'], target: string) => posted.push({ message, target }) };
  return new Proxy(window, {
    get(target, prop) {
      if (prop === 'parent') return parent;
      if (prop === 'open') return (url: string) => (opened.push(url), null);
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('embed messages', () => {
  it('accepts only plain http(s) origins as the target', () => {
    expect(validOrigin('https://kim.example')).toBe('https://kim.example');
    expect(validOrigin('http://127.0.0.1:8788')).toBe('http://127.0.0.1:8788');
    expect(validOrigin('*')).toBeNull();
    expect(validOrigin('https://kim.example/path')).toBeNull();
    expect(validOrigin('javascript:alert(1)')).toBeNull();
    expect(validOrigin(null)).toBeNull();
  });

  it('posts nothing without embed=1, a valid parentOrigin and a parent window', () => {
    const posted: Posted[] = [];
    const win = framedWindow(posted);
    createEmbed(win, new URLSearchParams('parentOrigin=https://kim.example')).post({ type: 'ready', payload: {} });
    createEmbed(win, new URLSearchParams('embed=1&parentOrigin=*')).post({ type: 'ready', payload: {} });
    createEmbed(window, new URLSearchParams('embed=1&parentOrigin=https://kim.example')).post({ type: 'ready', payload: {} });
    expect(posted).toEqual([]);
  });

  it('reports ready, the chosen slot and the booking to the parent origin only', async () => {
    const posted: Posted[] = [];
    window.history.replaceState(null, '', '/c/kim/intro?tz=Asia/Dubai&date=2026-11-23&embed=1&parentOrigin=https%3A%2F%2Fkim.example&name=Sam&email=sam@example.com');
    const api = fakeApi();
    const store = createStore({ fetch: api.fetch, win: framedWindow(posted), data: { provider, slots: null }, now: () => NOW });
    render(<App store={store} />);
    await waitFor(() => expect(posted.map((p) => p.message.type)).toContain('ready'));
    expect(document.documentElement.classList.contains('embed')).toBe(true);
    expect(screen.queryByText('Booking by Slotline')).toBeNull();

    fireEvent.click((await screen.findAllByRole('button', { name: /at 9:30 AM$/ }))[0]);
    fireEvent.click(await screen.findByRole('button', { name: 'Confirm booking' }));
    await screen.findByRole('heading', { name: 'You are booked' });

    expect(posted.every((p) => p.target === 'https://kim.example')).toBe(true);
    expect(posted.every((p) => p.message.source === 'slotline')).toBe(true);
    const byType = Object.fromEntries(posted.map((p) => [p.message.type, p.message.payload]));
    expect(byType.slot_selected).toEqual({ start: '2026-11-23T05:30:00.000Z', end: '2026-11-23T06:00:00.000Z', service: 'intro' });
    expect(byType.booked).toEqual({ id: 'b1', start: '2026-11-23T05:30:00.000Z', end: '2026-11-23T06:00:00.000Z', service: 'intro' });
    // The manage link opens outside the iframe.
    expect(screen.getByRole('link', { name: 'Change or cancel this booking' }).getAttribute('target')).toBe('_blank');
    document.documentElement.classList.remove('embed');
  });

  it('hands Stripe Checkout to the parent when framed, and navigates itself otherwise', async () => {
    const posted: Posted[] = [];
    const assigned: string[] = [];
    const framed = createEmbed(framedWindow(posted), new URLSearchParams('embed=1&parentOrigin=https://kim.example'));
    framed.checkout('https://checkout.stripe.test/c/pay_1');
    expect(posted).toEqual([
      { message: { source: 'slotline', type: 'checkout', payload: { url: 'https://checkout.stripe.test/c/pay_1' } }, target: 'https://kim.example' },
    ]);

    const top = { parent: null as unknown, location: { assign: (url: string) => assigned.push(url) } };
    top.parent = top;
    createEmbed(top as unknown as Window, new URLSearchParams('embed=1&parentOrigin=https://kim.example')).checkout('https://checkout.stripe.test/c/pay_2');
    expect(assigned).toEqual(['https://checkout.stripe.test/c/pay_2']);
  });

  it('sends a paid booking to checkout and shows the way to pay', async () => {
    const posted: Posted[] = [];
    const api = fakeApi({
      book: (body, slots) => {
        const slot = slots.find((s) => s.start === body.start)!;
        return new Response(
          JSON.stringify({
            booking: { id: 'p1', status: 'pending', start: slot.start, end: slot.end, provider: 'kim', service: 'deep' },
            manageUrl: 'http://page.test/b/secret',
            next: { type: 'payment', url: 'https://checkout.stripe.test/c/pay_9' },
          }),
          { status: 201, headers: { 'content-type': 'application/json' } },
        );
      },
    });
    window.history.replaceState(null, '', '/c/kim/deep?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&embed=1&parentOrigin=https://kim.example&name=Sam&email=s@example.com');
    const store = createStore({ fetch: api.fetch, win: framedWindow(posted), data: { provider, slots: null }, now: () => NOW });
    render(<App store={store} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Continue to payment' }));
    await screen.findByRole('heading', { name: 'Almost done: complete the payment' });
    expect(posted.find((p) => p.message.type === 'checkout')?.message.payload).toEqual({ url: 'https://checkout.stripe.test/c/pay_9' });
    const pay = screen.getByRole('link', { name: 'Pay to confirm' });
    expect(pay.getAttribute('href')).toBe('https://checkout.stripe.test/c/pay_9');
    expect(pay.getAttribute('target')).toBe('_top');
    document.documentElement.classList.remove('embed');
  });

  it('Esc inside the framed page asks the parent to close, with the exact origin', async () => {
    const posted: Posted[] = [];
    window.history.replaceState(null, '', '/c/kim/intro?embed=1&parentOrigin=https://kim.example');
    const store = createStore({ fetch: fakeApi().fetch, win: framedWindow(posted), data: { provider, slots: null }, now: () => NOW });
    render(<App store={store} />);
    await screen.findByRole('heading', { name: 'Choose a day' });
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Enter' });
    expect(posted.filter((p) => p.message.type === 'close')).toEqual([]);
    fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
    expect(posted.filter((p) => p.message.type === 'close')).toEqual([
      { message: { source: 'slotline', type: 'close' }, target: 'https://kim.example' },
    ]);
    document.documentElement.classList.remove('embed');
  });

  it('request mode: a name, then WhatsApp opens beside the host with the provider\'s filled template; nothing is booked', async () => {
    const posted: Posted[] = [];
    const opened: string[] = [];
    const chat = { ...provider, whatsapp: { enabled: true, bookingMode: 'request' as const } };
    const api = fakeApi();
    const link = 'https://wa.me/971501112233?text=Hi%21%20Can%20I%20book%3F';
    const fetchApi = async (input: string, init?: RequestInit) => {
      const url = new URL(input, 'http://page.test');
      if (url.pathname === '/api/providers/kim/whatsapp-link') {
        api.calls.push({ method: 'GET', path: url.pathname, query: url.searchParams, body: undefined });
        return new Response(JSON.stringify({ url: link, text: 'Hi! Can I book?' }), { headers: { 'content-type': 'application/json' } });
      }
      return api.fetch(input, init);
    };
    window.history.replaceState(null, '', '/c/kim/intro?tz=Asia/Dubai&slot=2026-11-23T05:00:00Z&embed=1&parentOrigin=https://kim.example');
    const store = createStore({ fetch: fetchApi, win: framedWindow(posted, opened), data: { provider: chat, slots: null }, now: () => NOW });
    render(<App store={store} />);
    await screen.findByRole('heading', { name: 'Ask for this time' });
    expect(screen.queryByLabelText('Email')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Continue on WhatsApp' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Please check the highlighted fields.');
    fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'Samir' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue on WhatsApp' }));
    await waitFor(() => expect(opened).toEqual([link]));
    const asked = api.calls.find((c) => c.path === '/api/providers/kim/whatsapp-link')!;
    expect(Object.fromEntries(asked.query)).toEqual({ service: 'intro', start: '2026-11-23T05:00:00.000Z', lang: 'en', name: 'Samir' });
    expect(api.calls.some((c) => c.method === 'POST')).toBe(false);
    expect(screen.getByRole('link', { name: 'Open WhatsApp' }).getAttribute('href')).toBe(link);
    document.documentElement.classList.remove('embed');
  });
});
