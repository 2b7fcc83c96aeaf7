import { cleanup, render } from '@testing-library/preact';
import { afterEach } from 'vitest';
import { App } from '../../pages/booking/App';
import { createBookingApp as createStore } from '../../pages/booking/state';
import type { BookingResponse, CompactSlotsResponse, InitialData, Provider, Slot } from '../../contract/api';
import { compactByLocalDay } from '../../server/availability/index';

/**
 * Shared set-up for the booking page's component tests: a provider, its free slots, and a fake `fetch` that
 * plays the public API (the browser boundary). The page itself is the real code, mounted in jsdom.
 */

afterEach(() => {
  cleanup();
  document.documentElement.removeAttribute('dir');
  document.documentElement.lang = '';
});

/** Sunday 22 November 2026, 10:00 in Dubai. */
export const NOW = Date.parse('2026-11-22T06:00:00Z');

export const provider: Provider = {
  slug: 'kim',
  name: 'Kim Lindberg',
  timezone: 'Asia/Dubai',
  accentColor: '#0f766e',
  services: [
    { slug: 'intro', title: 'Intro call', durationMinutes: 30, priceCents: 0, currency: 'AED', description: 'A first chat.' },
    { slug: 'deep', title: 'Deep session', durationMinutes: 60, priceCents: 15000, currency: 'AED' },
  ],
  whatsapp: { enabled: false },
};

/** Dubai is UTC+4 all year: 09:00 Dubai = 05:00Z. */
export function freeSlots(): Slot[] {
  const at = (iso: string, minutes = 30) => ({
    start: new Date(iso).toISOString(),
    end: new Date(Date.parse(iso) + minutes * 60_000).toISOString(),
  });
  return [
    at('2026-11-23T05:00:00Z'),
    at('2026-11-23T05:30:00Z'),
    at('2026-11-23T10:00:00Z'),
    at('2026-11-25T10:00:00Z'),
    at('2026-12-02T05:00:00Z'),
  ];
}

/** Slots as `GET /api/v2/providers/:slug/slots` answers them (the server's own encoder), grouped in `zone`. */
export function compactAnswer(slots: Slot[], zone: string): CompactSlotsResponse {
  const sorted = [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const durationMinutes = sorted.length ? (Date.parse(sorted[0].end) - Date.parse(sorted[0].start)) / 60_000 : 30;
  return { timezone: zone, durationMinutes, days: compactByLocalDay(sorted.map((s) => s.start), zone), calendar: { stale: false, failing: false } };
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

/**
 * A fake API over a mutable slot list. `book` decides the answer to `POST /api/bookings`
 * (default: 201 and the slot disappears).
 */
export function fakeApi(options: { slots?: Slot[]; book?: (body: Record<string, string>, slots: Slot[]) => Response } = {}) {
  const slots = options.slots ?? freeSlots();
  const calls: Call[] = [];
  let n = 0;
  const fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input, 'http://page.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, query: url.searchParams, body });
    if (method === 'GET' && url.pathname === `/api/providers/${provider.slug}`) return json(200, provider);
    if (method === 'GET' && url.pathname === `/api/v2/providers/${provider.slug}/slots`) {
      return json(200, compactAnswer(slots, url.searchParams.get('tz') ?? provider.timezone));
    }
    if (method === 'POST' && url.pathname === '/api/bookings') {
      if (options.book) return options.book(body, slots);
      const i = slots.findIndex((s) => s.start === body.start);
      const [slot] = slots.splice(i, 1);
      n++;
      // The shape of the contract's `BookingResponse`, as the real server answers.
      return json(201, {
        booking: { id: `b${n}`, status: 'confirmed', start: slot.start, end: slot.end, provider: body.provider, service: body.service, holdExpiresAt: null },
        manageUrl: `http://page.test/b/secret${n}`,
        icsUrl: `http://page.test/api/bookings/secret${n}/ics`,
        next: { type: 'confirmed' },
        whatsappUrl: null,
      } satisfies BookingResponse);
    }
    return json(404, { type: 'https://slotline.dev/problems/not-found', title: 'Not found', status: 404 }, 'application/problem+json');
  };
  return { fetch, calls, slots, problem: (status: number, body: object) => json(status, { status, ...body }, 'application/problem+json') };
}

/** Mounts the page at `url` (path and query) with the given first data. */
export function mount(url: string, options: { api?: ReturnType<typeof fakeApi>; data?: InitialData } = {}) {
  window.history.replaceState(null, '', url);
  const api = options.api ?? fakeApi();
  const store = createStore({
    fetch: api.fetch,
    win: window,
    data: options.data ?? { provider, slots: null },
    now: () => NOW,
  });
  const view = render(<App store={store} />);
  return { ...view, store, api };
}

/** The current page URL's query. */
export function query(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}
