// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { FreeTimesPreview, Hours, Me, OwnerProvider, OwnerService } from '../../contract/app-api';
import { providerApp } from '../../pages/app/main';
import { groupByDay } from '../../pages/app/FreeTimesPreview';
import { embedSnippet } from '../../pages/app/screens/Share';
import { initials, isPhotoUrl, regionOfZone } from '../../pages/app/screens/Settings';
import { holidaysFrom } from '../../pages/app/holidays';

/**
 * Settings forms of issue 12 mounted for real in jsdom over a fake owner API: a service's own notice and limits,
 * the free-times preview (under the hours editor and in the service editor), the embed choices on the Share screen
 * (saved, not only shown), and the profile photo. Each test checks what is sent, and that a bad form sends nothing.
 */
window.scrollTo = () => {};
afterEach(() => {
  cleanup();
  localStorage.clear();
});

const PID = '11111111-1111-4111-8111-111111111111';
const me: Me = { user: { id: 'u1', email: 'layla@example.com', createdAt: '2026-01-01T00:00:00Z' }, providers: [{ id: PID, slug: 'layla', name: 'Layla Fitness', timezone: 'Asia/Dubai', isPublic: true }] };
const provider: OwnerProvider = {
  id: PID, slug: 'layla', name: 'Layla Haddad Fitness', timezone: 'Asia/Dubai', isPublic: true, profile: { personName: 'Layla' },
  booking: { minNoticeMinutes: 60, horizonDays: 30 }, whatsapp: { enabled: false }, appearance: { accentColor: '#0f766e' },
  embed: { allowedOrigins: ['https://layla.example'] }, workingHours: {}, timeOff: [], createdAt: '', updatedAt: '',
};
const service: OwnerService = {
  id: '22222222-2222-4222-8222-222222222222', slug: 'pt', title: 'Personal training', description: '', durationMinutes: 60,
  priceCents: 0, currency: 'AED', bufferBeforeMinutes: null, bufferAfterMinutes: null, location: null, bookingMode: 'instant',
  hidden: false, position: 0, minNoticeMinutes: null, horizonDays: 3, maxPerDay: null,
};
/** Mon 2 and Tue 3 March 2026 in Dubai (UTC+4): 09:00 and 10:00 on Monday, 13:00 on Tuesday. */
const preview: FreeTimesPreview = {
  timezone: 'Asia/Dubai', serviceId: service.id, from: '2026-03-02T06:00:00.000Z', to: '2026-03-09T06:00:00.000Z',
  slots: [
    { start: '2026-03-02T05:00:00.000Z', end: '2026-03-02T06:00:00.000Z' },
    { start: '2026-03-02T06:00:00.000Z', end: '2026-03-02T07:00:00.000Z' },
    { start: '2026-03-03T09:00:00.000Z', end: '2026-03-03T10:00:00.000Z' },
  ],
  days: { '2026-03-02': 2, '2026-03-03': 1 }, calendar: { stale: false, failing: false },
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
type Handler = (body: any, query: URLSearchParams) => Response;

function fakeApi(extra: Record<string, Handler | Handler[]>) {
  const routes: Record<string, Handler | Handler[]> = {
    'GET /api/app/me': () => json(200, me),
    [`GET /api/app/providers/${PID}`]: () => json(200, provider),
    [`GET /api/app/providers/${PID}/services`]: () => json(200, [service]),
    [`GET /api/app/providers/${PID}/bookings`]: () => json(200, { bookings: [], total: 0, limit: 50, offset: 0 }),
    ...extra,
  };
  const calls: { method: string; path: string; body: any; query: string }[] = [];
  const fetch = async (input: string, init?: RequestInit) => {
    const url = new URL(input, 'http://app.test');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method, path: url.pathname, body, query: url.search });
    const route = routes[`${method} ${url.pathname}`];
    const handler = Array.isArray(route) ? (route.length > 1 ? route.shift()! : route[0]) : route;
    if (!handler) return json(404, { type: 'about:blank#not-found', title: 'Not found', status: 404 });
    return handler(body, url.searchParams);
  };
  return { fetch, calls, sent: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path) };
}

function mount(path: string, api: ReturnType<typeof fakeApi>) {
  window.history.replaceState(null, '', path);
  const { node } = providerApp({ fetch: api.fetch, win: window, now: () => Date.parse('2026-03-02T06:00:00Z') });
  render(node);
}

const PREVIEW = `/api/app/providers/${PID}/preview`;

describe('a service\'s own notice and limits', () => {
  it('shows the defaults, refuses a bad limit in place, and sends numbers or null ("use my default")', async () => {
    const api = fakeApi({
      [`PATCH /api/app/providers/${PID}/services/${service.id}`]: (body) => json(200, { ...service, ...body }),
      [`GET ${PREVIEW}`]: () => json(200, preview),
    });
    mount(`/app/settings/services/${service.id}`, api);
    await screen.findByRole('heading', { name: 'Edit service' });
    const notice = screen.getByLabelText('Minimum notice (minutes)') as HTMLInputElement;
    const horizon = screen.getByLabelText('Book up to (days ahead)') as HTMLInputElement;
    const perDay = screen.getByLabelText('Most bookings a day') as HTMLInputElement;
    expect([notice.value, horizon.value, perDay.value]).toEqual(['', '3', '']);
    expect(screen.getByText('Your default: 60')).toBeTruthy();
    expect(screen.getByText('Your default: no limit')).toBeTruthy();

    fireEvent.input(perDay, { target: { value: '0' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Enter a whole number, 1 to 1000, or leave empty.');
    expect(perDay.getAttribute('aria-invalid')).toBe('true');
    expect(api.sent('PATCH', `/api/app/providers/${PID}/services/${service.id}`)).toEqual([]);

    fireEvent.input(perDay, { target: { value: '2' } });
    fireEvent.input(notice, { target: { value: '120' } });
    fireEvent.input(horizon, { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('heading', { name: 'Services' });
    expect(api.sent('PATCH', `/api/app/providers/${PID}/services/${service.id}`)[0].body)
      .toMatchObject({ minNoticeMinutes: 120, horizonDays: null, maxPerDay: 2 });
  });

  it('the service editor shows what visitors see next week, by day in the provider\'s zone', async () => {
    const api = fakeApi({ [`GET ${PREVIEW}`]: () => json(200, preview) });
    mount(`/app/settings/services/${service.id}`, api);
    const box = (await screen.findByRole('heading', { name: 'What visitors see next week' })).closest('section')!;
    await within(box).findByText('Times in Asia/Dubai.');
    const days = within(box).getAllByRole('listitem');
    expect(days).toHaveLength(2);
    expect(days[0].textContent).toMatch(/9:00.*10:00/);
    expect(days[1].textContent).toMatch(/1:00/);
    expect(api.sent('GET', PREVIEW)[0].query).toBe(`?serviceId=${service.id}`);
  });
});

describe('free-times preview under the hours editor', () => {
  const hours: Hours = { timezone: 'Asia/Dubai', weekly: [{ days: [1], start: '09:00', end: '11:00' }], overrides: [], timeOff: [] };

  it('says plainly when there is nothing, loads again after saving, and offers a retry on error', async () => {
    const api = fakeApi({
      [`GET /api/app/providers/${PID}/hours`]: () => json(200, hours),
      [`PUT /api/app/providers/${PID}/hours`]: (body) => json(200, body),
      [`GET ${PREVIEW}`]: [
        () => json(200, { ...preview, slots: [], days: {} }),
        () => json(500, { title: 'Boom', status: 500 }),
        () => json(200, preview),
      ],
    });
    mount('/app/settings/hours', api);
    await screen.findByText('No free times next week — check your hours and time off.');
    fireEvent.click(screen.getByRole('button', { name: 'Save hours' }));
    await screen.findByText('The free times could not be loaded.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('Times in Asia/Dubai.');
    expect(api.sent('GET', PREVIEW)).toHaveLength(3);
  });

  it('groups slots by the provider-local day, not UTC\'s', () => {
    // 23:30 Dubai on Monday is 19:30Z Monday; 00:30 Dubai on Tuesday is 20:30Z Monday.
    const groups = groupByDay({ timezone: 'Asia/Dubai', slots: [{ start: '2026-03-02T19:30:00Z', end: '' }, { start: '2026-03-02T20:30:00Z', end: '' }] });
    expect(groups.map((g) => g.day)).toEqual(['2026-03-02', '2026-03-03']);
  });
});

describe('embed choices on the Share screen', () => {
  it('builds the snippet for each mode with colours, label and prefill', () => {
    const o = { mode: 'floating' as const, color: '#0f766e', textColor: '#111111', label: 'Book <now>', prefill: true };
    expect(embedSnippet('https://b.example', 'layla', o)).toBe(
      '<script src="https://b.example/widget.js" data-slotline-floating="layla" data-label="Book now" data-color="#0f766e" data-text-color="#111111" data-name="" data-email="" async></script>');
    expect(embedSnippet('https://b.example', 'layla', { ...o, mode: 'popup', prefill: false })).toBe(
      '<script src="https://b.example/widget.js" async></script>\n<button type="button" data-slotline-popup="layla" data-color="#0f766e" data-text-color="#111111">Book now</button>');
    expect(embedSnippet('https://b.example', 'layla', { ...o, mode: 'inline' })).toBe(
      '<script src="https://b.example/widget.js" async></script>\n<div data-slotline="layla" data-name="" data-email=""></div>');
  });

  it('saves mode, colours, label and prefill in embed and appearance (keeping allowed origins), and previews the real page', async () => {
    const api = fakeApi({
      [`PATCH /api/app/providers/${PID}`]: (body) => json(200, { ...provider, ...body }),
    });
    mount('/app/share', api);
    await screen.findByRole('heading', { name: 'Share your page' });
    fireEvent.click(screen.getByLabelText('A floating button'));
    fireEvent.input(screen.getByLabelText('Colour'), { target: { value: '#aa0000' } });
    fireEvent.input(screen.getByLabelText('Button text colour'), { target: { value: '#ffff00' } });
    fireEvent.input(screen.getByLabelText('Button text'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save these choices' }));
    await screen.findByText('Write the button text, up to 60 characters.');
    expect(api.sent('PATCH', `/api/app/providers/${PID}`)).toEqual([]);

    fireEvent.input(screen.getByLabelText('Button text'), { target: { value: 'Train with Layla' } });
    fireEvent.click(screen.getByLabelText("Fill in the visitor's name and email from my site"));
    const snippet = (screen.getByLabelText('Code to paste') as HTMLTextAreaElement).value;
    expect(snippet).toContain('data-slotline-floating="layla" data-label="Train with Layla" data-color="#aa0000" data-text-color="#ffff00" data-name="" data-email=""');
    fireEvent.click(screen.getByRole('button', { name: 'Save these choices' }));
    await waitFor(() => expect(api.sent('PATCH', `/api/app/providers/${PID}`)).toHaveLength(1));
    expect(api.sent('PATCH', `/api/app/providers/${PID}`)[0].body).toEqual({
      appearance: { accentColor: '#aa0000' },
      embed: { allowedOrigins: ['https://layla.example'], mode: 'floating', buttonLabel: 'Train with Layla', buttonTextColor: '#ffff00', prefill: true },
    });
    const frame = screen.getByTitle('Preview of your booking page on your site') as HTMLIFrameElement;
    const src = new URL(frame.getAttribute('src')!, 'http://app.test');
    expect(src.pathname).toBe('/c/layla');
    expect(Object.fromEntries(src.searchParams)).toMatchObject({ embed: '1', name: 'Sam Example', email: 'sam@example.com' });
    expect(frame.getAttribute('sandbox')).toContain('allow-scripts');
  });

  it('starts from what was saved', async () => {
    const saved = { ...provider, embed: { mode: 'inline' as const, prefill: true }, appearance: { accentColor: '#123456' } };
    mount('/app/share', fakeApi({ [`GET /api/app/providers/${PID}`]: () => json(200, saved) }));
    await screen.findByRole('heading', { name: 'Share your page' });
    expect((screen.getByLabelText('In the page') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Colour') as HTMLInputElement).value).toBe('#123456');
    expect((screen.getByLabelText('Code to paste') as HTMLTextAreaElement).value).toContain('<div data-slotline="layla" data-name="" data-email=""></div>');
  });
});

describe('profile photo', () => {
  it('accepts an https address or nothing, and shows initials otherwise', async () => {
    expect(isPhotoUrl('https://cdn.example/l.jpg')).toBe(true);
    expect(isPhotoUrl('http://cdn.example/l.jpg')).toBe(false);
    expect(initials('Layla Haddad — Training')).toBe('LH');
    expect(initials('ليلى حداد')).toBe('لح');
    const api = fakeApi({ [`PATCH /api/app/providers/${PID}`]: (body) => json(200, { ...provider, ...body }) });
    mount('/app/settings/profile', api);
    await screen.findByRole('heading', { name: 'Profile' });
    fireEvent.input(screen.getByLabelText('Photo address (optional)'), { target: { value: 'javascript:alert(1)' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Enter an https:// link, or leave empty.');
    expect(api.sent('PATCH', `/api/app/providers/${PID}`)).toEqual([]);
    fireEvent.input(screen.getByLabelText('Photo address (optional)'), { target: { value: 'https://cdn.example/l.jpg' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.sent('PATCH', `/api/app/providers/${PID}`)).toHaveLength(1));
    expect(api.sent('PATCH', `/api/app/providers/${PID}`)[0].body.profile).toEqual({ personName: 'Layla', photoUrl: 'https://cdn.example/l.jpg' });
  });
});

describe('holiday presets', () => {
  it('gives the fixed-date holidays of the next 12 months, a holiday under way included, in date order', () => {
    expect(holidaysFrom('ae', '2026-12-02', 'en')).toEqual([
      { from: '2026-12-02', to: '2026-12-03', label: 'National Day' },
      { from: '2027-01-01', to: '2027-01-01', label: "New Year's Day" },
      { from: '2027-12-01', to: '2027-12-01', label: 'Commemoration Day' },
    ]);
    expect(holidaysFrom('sa', '2026-03-02', 'ar').map((h) => h.from)).toEqual(['2026-09-23', '2027-02-22']);
    expect(holidaysFrom('us', '2026-07-05', 'en').map((h) => h.from)).toEqual(['2026-11-11', '2026-12-25', '2027-01-01', '2027-06-19', '2027-07-04']);
    expect(regionOfZone('Asia/Riyadh')).toBe('sa');
    expect(regionOfZone('America/Chicago')).toBe('us');
  });

  it('adds the region\'s holidays as time off once, and saves them with the hours', async () => {
    const hours: Hours = { timezone: 'Asia/Dubai', weekly: [{ days: [1], start: '09:00', end: '11:00' }], overrides: [], timeOff: [{ from: '2027-01-01', to: '2027-01-01' }] };
    const api = fakeApi({
      [`GET /api/app/providers/${PID}/hours`]: () => json(200, hours),
      [`PUT /api/app/providers/${PID}/hours`]: (body) => json(200, body),
      [`GET ${PREVIEW}`]: () => json(200, preview),
    });
    mount('/app/settings/hours', api);
    await screen.findByRole('heading', { name: 'Working hours' });
    fireEvent.change(await screen.findByLabelText('Region'), { target: { value: 'de' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Add 5 holidays' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add 5 holidays' })); // twice: nothing doubles
    fireEvent.click(screen.getByRole('button', { name: 'Save hours' }));
    await screen.findByText('Hours saved. Your page shows the new times now.');
    // The clock: 2 March 2026 in Dubai; 1 January 2027 was already there.
    expect(api.sent('PUT', `/api/app/providers/${PID}/hours`)[0].body.timeOff.map((o: { from: string }) => o.from)).toEqual([
      '2027-01-01', '2026-05-01', '2026-10-03', '2026-12-25', '2026-12-26',
    ]);
  });
});
