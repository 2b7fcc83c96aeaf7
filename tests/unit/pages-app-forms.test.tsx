// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hours, Me, OwnerProvider, OwnerService } from '../../contract/app-api';
import { providerApp } from '../../pages/app/main';
import { byDay, fromDays, presetWeekly, weeklyProblem } from '../../pages/app/HoursEditor';
import { checkService, draftOf } from '../../pages/app/screens/ServiceEditor';
import { e164, slugify } from '../../pages/app/screens/Onboarding';
import { fakeApi, json, type Handler } from '../support/fake-app-api.ts';

/**
 * The provider app's forms mounted for real in jsdom over a fake owner API (the browser boundary): sign-in with its
 * errors, onboarding, the service editor and the hours editor. Each test checks what is sent, and that a form with
 * a mistake sends nothing.
 */

// jsdom has no layout: navigating scrolls to the top, which it only reports as "not implemented".
window.scrollTo = () => {};

afterEach(() => {
  cleanup();
  localStorage.clear();
  document.documentElement.lang = '';
  document.documentElement.dir = '';
});

const PID = '11111111-1111-4111-8111-111111111111';
const me = (providers: Me['providers'] = [{ id: PID, slug: 'layla', name: 'Layla Fitness', timezone: 'Asia/Dubai', isPublic: true }]): Me => ({
  user: { id: 'u1', email: 'layla@example.com', createdAt: '2026-01-01T00:00:00Z' }, providers,
});
const provider: OwnerProvider = {
  id: PID, slug: 'layla', name: 'Layla Fitness', timezone: 'Asia/Dubai', isPublic: true, profile: {}, booking: {},
  whatsapp: { enabled: false }, appearance: {}, embed: {}, workingHours: {}, timeOff: [], createdAt: '', updatedAt: '',
};
const service: OwnerService = {
  id: '22222222-2222-4222-8222-222222222222', slug: 'pt', title: 'Personal training', description: '', durationMinutes: 60,
  priceCents: 25000, currency: 'AED', bufferBeforeMinutes: 0, bufferAfterMinutes: 15, location: null, bookingMode: 'instant', hidden: false, position: 0,
};


function mount(path: string, api: ReturnType<typeof fakeApi>) {
  window.history.replaceState(null, '', path);
  const { node, app } = providerApp({ fetch: api.fetch, win: window, now: () => Date.parse('2026-03-02T06:00:00Z') });
  render(node);
  return app;
}

const signedInRoutes = (extra: Record<string, Handler | Handler[]> = {}) => ({
  'GET /api/app/me': () => json(200, me()),
  [`GET /api/app/providers/${PID}`]: () => json(200, provider),
  [`GET /api/app/providers/${PID}/services`]: () => json(200, [service]),
  [`GET /api/app/providers/${PID}/bookings`]: () => json(200, { bookings: [], total: 0, limit: 50, offset: 0 }),
  ...extra,
});

describe('sign-in form', () => {
  it('checks the address, sends it, then signs in with the code; wrong codes and limits are said plainly', async () => {
    const api = fakeApi({
      'GET /api/app/me': [() => json(401, { type: 'x/unauthenticated', title: 'Sign in', status: 401 }), () => json(200, me())],
      'POST /api/app/sign-in': [
        () => json(429, { type: 'https://slotline.dev/problems/rate-limited', title: 'Too many', status: 429 }),
        () => json(202, { status: 'sent', detail: '' }),
      ],
      'POST /api/app/sign-in/verify': [
        () => json(400, { type: 'https://slotline.dev/problems/invalid-sign-in', title: 'No', status: 400, errors: [{ field: 'code', message: 'x' }] }),
        () => json(200, { user: { id: 'u1', email: 'layla@example.com' }, newAccount: false, claimedProvider: null }),
      ],
      ...Object.fromEntries(Object.entries(signedInRoutes()).filter(([k]) => k !== 'GET /api/app/me')),
    });
    mount('/app', api);
    await screen.findByRole('heading', { name: 'Sign in to Slotline' });
    const email = screen.getByLabelText('Email');
    fireEvent.input(email, { target: { value: 'layla@' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    await screen.findByText(/Please enter an email address/);
    expect(api.sent('POST', '/api/app/sign-in')).toEqual([]);
    expect(email.getAttribute('aria-invalid')).toBe('true');

    fireEvent.input(email, { target: { value: 'layla@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Too many tries for now/);
    fireEvent.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    await screen.findByRole('heading', { name: 'Check your email' });
    expect(api.sent('POST', '/api/app/sign-in').at(-1)!.body).toEqual({ email: 'layla@example.com', lang: 'en' });

    const code = screen.getByLabelText('Six-digit code');
    fireEvent.input(code, { target: { value: '12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByText('Please enter the six digits from the email.');
    expect(api.sent('POST', '/api/app/sign-in/verify')).toEqual([]);
    fireEvent.input(code, { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/That code does not work/);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Your bookings' });
    expect(api.sent('POST', '/api/app/sign-in/verify').map((c) => c.body)).toEqual([
      { email: 'layla@example.com', code: '123456' }, { email: 'layla@example.com', code: '123456' },
    ]);
    expect(location.pathname).toBe('/app');
  });

  it('explains a used or expired link, and speaks Arabic right to left', async () => {
    const api = fakeApi({ 'GET /api/app/me': () => json(401, { title: 'Sign in', status: 401 }) });
    mount('/app/sign-in?error=invalid-link&lang=ar', api);
    await screen.findByRole('heading', { name: 'تسجيل الدخول إلى Slotline' });
    expect(screen.getByRole('alert').textContent).toMatch(/رابط الدخول هذا لم يعد صالحًا/);
    expect(document.documentElement.dir).toBe('rtl');
  });
});

describe('onboarding form', () => {
  it('derives the address, checks it as typed, refuses a form with gaps, then sends one complete request', async () => {
    const api = fakeApi({
      'GET /api/app/me': [() => json(200, me([])), () => json(200, me())],
      'GET /api/app/slug-available': (_b, q) => json(200, { slug: q.get('slug'), available: q.get('slug') !== 'layla', reason: q.get('slug') === 'layla' ? 'taken' : null }),
      'POST /api/app/providers': () => json(201, { provider, pageUrl: 'http://app.test/c/layla-fit' }),
      [`GET /api/app/providers/${PID}/services`]: () => json(200, [service]),
    });
    mount('/app', api);
    await screen.findByRole('heading', { name: 'Let’s set up your booking page' });
    fireEvent.input(screen.getByLabelText('Business name'), { target: { value: 'Layla Fitness' } });
    expect((screen.getByLabelText('Page address') as HTMLInputElement).value).toBe('layla-fitness');
    fireEvent.input(screen.getByLabelText('Page address'), { target: { value: 'layla' } });
    await screen.findByText('That address is taken. Please try another.', undefined, { timeout: 2000 });
    fireEvent.input(screen.getByLabelText('Page address'), { target: { value: 'layla-fit' } });
    await screen.findByText(/^Available: /, undefined, { timeout: 2000 });

    fireEvent.click(screen.getByRole('button', { name: 'Sun–Thu 9–5' }));
    fireEvent.click(screen.getByRole('button', { name: 'Create my page' }));
    await screen.findByText('Please name the service.');
    expect(api.sent('POST', '/api/app/providers')).toEqual([]);

    fireEvent.input(screen.getByLabelText('What do clients book?'), { target: { value: 'Personal training' } });
    fireEvent.change(screen.getByLabelText('Length'), { target: { value: '45' } });
    fireEvent.input(screen.getByLabelText('Price'), { target: { value: '150' } });
    fireEvent.input(screen.getByLabelText('Your WhatsApp number'), { target: { value: '0097150 123 4567' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create my page' }));
    await screen.findByRole('heading', { name: 'Your page is live' });
    const [sent] = api.sent('POST', '/api/app/providers');
    expect(sent.body).toEqual({
      name: 'Layla Fitness', slug: 'layla-fit', timezone: expect.any(String),
      hours: { weekly: fromDays(byDay(presetWeekly('sun-thu-9-5'))), overrides: [], timeOff: [] },
      service: { title: 'Personal training', durationMinutes: 45, priceCents: 15000, currency: 'AED' },
      whatsappNumber: '+971501234567',
    });
    expect(screen.getByRole('img', { name: /^QR code of / })).toBeTruthy();
  });

  it('slugify and e164 follow the server', () => {
    expect(slugify('Layla Haddad — Personal Training')).toBe('layla-haddad-personal-training');
    expect(slugify('ليلى')).toBe('');
    expect(e164('+971 50 123-4567')).toBe('+971501234567');
    expect(e164('050 123 4567')).toBeNull();
  });
});

describe('service editor', () => {
  it('turns the form into the API body, naming each bad field', () => {
    const d = { ...draftOf(null), title: ' Intro ', duration: '30', price: '12.5', currency: 'KWD', after: '10', mode: 'request' as const };
    expect(checkService(d)).toEqual({ errors: {}, body: {
      title: 'Intro', description: '', durationMinutes: 30, priceCents: 12500, currency: 'KWD', bufferBeforeMinutes: 0,
      bufferAfterMinutes: 10, bookingMode: 'request', hidden: false, minNoticeMinutes: null, horizonDays: null, maxPerDay: null,
    } });
    expect(Object.keys(checkService({ ...d, title: '', duration: '3', currency: 'dollars', before: '-1' }).errors).sort())
      .toEqual(['before', 'currency', 'duration', 'title']);
  });

  it('edits a service: a bad length is refused in place, a good one is saved with PATCH', async () => {
    const api = fakeApi(signedInRoutes({
      [`PATCH /api/app/providers/${PID}/services/${service.id}`]: () => json(200, { ...service, durationMinutes: 90 }),
    }));
    mount(`/app/settings/services/${service.id}`, api);
    await screen.findByRole('heading', { name: 'Edit service' });
    expect((screen.getByLabelText('Price') as HTMLInputElement).value).toBe('250');
    fireEvent.input(screen.getByLabelText('Length (minutes)'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Enter minutes between 5 and 1440.');
    expect(api.sent('PATCH', `/api/app/providers/${PID}/services/${service.id}`)).toEqual([]);
    fireEvent.input(screen.getByLabelText('Length (minutes)'), { target: { value: '90' } });
    fireEvent.click(screen.getByLabelText('I approve each request first'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('heading', { name: 'Services' });
    expect(api.sent('PATCH', `/api/app/providers/${PID}/services/${service.id}`)[0].body).toMatchObject({
      title: 'Personal training', durationMinutes: 90, priceCents: 25000, bufferAfterMinutes: 15, bookingMode: 'request',
    });
  });
});

describe('hours editor', () => {
  it('round-trips the API shape and finds reversed or overlapping ranges', () => {
    const weekly = [{ days: [1, 2], start: '09:00', end: '13:00' }, { days: [1], start: '15:00', end: '24:00' }];
    const days = byDay(weekly);
    expect(days[0]).toEqual([{ start: '09:00', end: '13:00' }, { start: '15:00', end: '24:00' }]);
    expect(byDay(fromDays(days))).toEqual(days);
    expect(weeklyProblem(days)).toBeNull();
    expect(weeklyProblem([[{ start: '10:00', end: '09:00' }], [], [], [], [], [], []])).toEqual({ day: 0, index: 0, kind: 'order' });
    expect(weeklyProblem([[], [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }], [], [], [], [], []]))
      .toEqual({ day: 1, index: 1, kind: 'overlap' });
  });

  it('adds a second range on a day, refuses an overlap, then saves the week with time off', async () => {
    const hours: Hours = { timezone: 'Asia/Dubai', weekly: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }], overrides: [], timeOff: [] };
    const api = fakeApi(signedInRoutes({
      [`GET /api/app/providers/${PID}/hours`]: () => json(200, hours),
      [`PUT /api/app/providers/${PID}/hours`]: (body) => json(200, body),
    }));
    mount('/app/settings/hours', api);
    await screen.findByRole('heading', { name: 'Working hours' });
    fireEvent.click(await screen.findByRole('button', { name: 'Add hours on Monday' }));
    const ends = screen.getAllByLabelText('Monday: until') as HTMLInputElement[];
    const starts = screen.getAllByLabelText('Monday: from') as HTMLInputElement[];
    expect(starts).toHaveLength(2);
    fireEvent.change(starts[1], { target: { value: '16:00' } });
    fireEvent.change(ends[1], { target: { value: '20:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save hours' }));
    await screen.findByText('Please fix the hours marked above.');
    await screen.findByText('These hours overlap another range of the same day.');
    expect(api.sent('PUT', `/api/app/providers/${PID}/hours`)).toEqual([]);

    fireEvent.change(starts[1], { target: { value: '18:00' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /^Sunday/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Add time off' }));
    fireEvent.input(screen.getByLabelText('From'), { target: { value: '2026-03-20' } });
    fireEvent.input(screen.getByLabelText('To'), { target: { value: '2026-03-22' } });
    fireEvent.input(screen.getByLabelText('Label (optional)'), { target: { value: 'Eid' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save hours' }));
    await screen.findByText('Hours saved. Your page shows the new times now.');
    const [put] = api.sent('PUT', `/api/app/providers/${PID}/hours`);
    expect(byDay(put.body.weekly)[0]).toEqual([{ start: '09:00', end: '17:00' }, { start: '18:00', end: '20:00' }]);
    expect(byDay(put.body.weekly)[6]).toEqual([{ start: '09:00', end: '17:00' }]);
    expect(byDay(put.body.weekly)[5]).toEqual([]);
    expect(put.body.timeOff).toEqual([{ from: '2026-03-20', to: '2026-03-22', label: 'Eid' }]);
    await waitFor(() => expect(screen.getByRole('link', { name: 'See my page' }).getAttribute('href')).toBe('/c/layla'));
  });
});

describe('calendars screen', () => {
  const CAL = `/api/app/providers/${PID}/calendars`;
  const help = 'iCloud, Fastmail and other accounts with two-step sign-in need an app-specific password.';
  const health = (sources: unknown[] = []) => ({ sources, busyCalendarIds: [], writeCalendarId: null, appPasswordHelp: help });
  const work = 'https://dav.example.com/kim/work/';
  const home = 'https://dav.example.com/kim/home/';
  const source = (kind: string, label: string) => ({
    source: `${kind}:1`, kind, label, account: 'kim', status: 'ok', lastSuccessAt: '2026-03-02T05:55:00Z', lastError: null,
    failingSince: null, warning: null, nextRefreshAt: '2026-03-02T06:00:00Z',
  });
  /** The error shown inside the field around the input labelled `label`. */
  const errorOf = (label: string) => screen.getByLabelText(label).closest('.field')!.querySelector('.field-error')?.textContent ?? null;

  it('CalDAV: tests, shows the calendars, sends the chosen busy and write calendars; field errors stand beside their field', async () => {
    const api = fakeApi(signedInRoutes({
      [`GET ${CAL}`]: () => json(200, health()),
      [`POST ${CAL}/caldav/test`]: [
        () => json(200, { ok: false, field: 'password', message: 'The server refused this username and password.' }),
        () => json(200, { ok: true, message: 'Connected', serverUrl: 'https://dav.example.com/', calendars: [{ id: work, name: 'Work', color: '#ff0000ff' }, { id: home, name: 'Home' }] }),
      ],
      [`POST ${CAL}/caldav`]: [
        () => json(400, { type: 'https://slotline.dev/problems/invalid', title: 'Invalid', status: 400, errors: [{ field: 'writeCalendarId', message: 'is not a calendar of this account' }] }),
        () => json(201, { ...health([source('caldav', 'dav.example.com')]), calendars: [{ id: work, name: 'Work', busy: false }, { id: home, name: 'Home', busy: true }] }),
      ],
    }));
    mount('/app/settings/calendars', api);
    await screen.findByRole('heading', { name: 'Calendars' });
    await screen.findByText('No calendar connected yet — your page shows only your working hours and bookings.');
    expect(screen.getByText(help)).toBeTruthy();

    // The service choice prefills the address; empty fields are refused before anything is sent.
    expect((screen.getByLabelText('Server address') as HTMLInputElement).value).toBe('iCloud');
    fireEvent.click(screen.getByLabelText('Other'));
    expect((screen.getByLabelText('Server address') as HTMLInputElement).value).toBe('');
    fireEvent.input(screen.getByLabelText('Server address'), { target: { value: 'https://dav.example.com/' } });
    fireEvent.input(screen.getByLabelText('Username or email'), { target: { value: 'kim' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(errorOf('App-specific password')).toBe('Please fill this in.');
    expect(api.sent('POST', `${CAL}/caldav/test`)).toEqual([]);

    // A refused password is said beside the password.
    fireEvent.input(screen.getByLabelText('App-specific password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(errorOf('App-specific password')).toBe('The server refused this username and password.'));
    expect(screen.getByLabelText('App-specific password').getAttribute('aria-invalid')).toBe('true');
    expect(errorOf('Server address')).toBeNull();

    fireEvent.input(screen.getByLabelText('App-specific password'), { target: { value: 'app-pass' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await screen.findByText('Signed in. Calendars found: 2.');
    expect(api.sent('POST', `${CAL}/caldav/test`).at(-1)!.body).toEqual({ server: 'https://dav.example.com/', username: 'kim', password: 'app-pass' });
    const workBox = screen.getByRole('checkbox', { name: 'Work' }) as HTMLInputElement;
    expect(workBox.checked).toBe(true);
    expect((screen.getByRole('checkbox', { name: 'Home' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(workBox);
    fireEvent.change(screen.getByLabelText('Add new bookings to'), { target: { value: home } });

    // The server refuses the write calendar: its message stands beside that select; then it connects.
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(errorOf('Add new bookings to')).toBe('is not a calendar of this account'));
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await screen.findByText('Connected. Your page now hides these busy times.');
    expect(api.sent('POST', `${CAL}/caldav`).map((c) => c.body)).toEqual(Array(2).fill({
      server: 'https://dav.example.com/', username: 'kim', password: 'app-pass', busyCalendarIds: [home], writeCalendarId: home,
    }));
    const item = screen.getByText('dav.example.com').closest('li')!;
    expect(item.textContent).toContain('Working');
    expect(item.textContent).toContain('Last read 5 minutes ago.');
    expect(screen.queryByText(/No calendar connected yet/)).toBeNull();
    expect((screen.getByLabelText('App-specific password') as HTMLInputElement).value).toBe(''); // not kept on screen
  });

  it('back from Google on /app?calendar=…: the banner, then the choice editor saves with PUT; Microsoft unset is explained', async () => {
    const api = fakeApi(signedInRoutes({
      [`GET ${CAL}`]: () => json(200, health([source('google', 'Google Calendar')])),
      [`GET ${CAL}/google/calendars`]: () => json(200, { calendars: [{ id: 'me@example.com', name: 'Me', busy: true }, { id: 'gym', name: 'Gym', busy: false }], writeCalendarId: 'me@example.com' }),
      [`PUT ${CAL}/google/choice`]: () => json(200, { ...health([source('google', 'Google Calendar')]), calendars: [] }),
      [`POST ${CAL}/microsoft/start`]: () => json(503, { type: 'https://slotline.dev/problems/microsoft-not-configured', title: 'Not set up', status: 503 }),
    }));
    mount('/app?calendar=google-connected', api);
    await screen.findByText('Google Calendar is connected. Choose below which of its calendars count as busy.');
    expect(location.pathname + location.search).toBe('/app/settings/calendars?calendar=google-connected');
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Gym' }));
    fireEvent.change(screen.getByLabelText('Add new bookings to'), { target: { value: 'gym' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save choice' }));
    await screen.findByText('Saved. Your page uses the new choice now.');
    expect(api.sent('PUT', `${CAL}/google/choice`)[0].body).toEqual({ busyCalendarIds: ['me@example.com', 'gym'], writeCalendarId: 'gym' });

    fireEvent.click(screen.getByRole('button', { name: 'Connect Microsoft 365' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Microsoft 365 isn’t set up on this server yet.*MICROSOFT_CLIENT_ID/);
  });

  it('an error coming back from the consent page is said in plain words; disconnect asks first', async () => {
    const api = fakeApi(signedInRoutes({
      [`GET ${CAL}`]: () => json(200, health([source('ics', 'ICS feed')])),
      [`DELETE ${CAL}/ics`]: () => json(200, { removed: 1, ...health() }),
      [`POST ${CAL}/ics`]: () => json(503, { type: 'https://slotline.dev/problems/secrets-key-missing', title: 'Not yet', status: 503 }),
    }));
    mount('/app/settings/calendars?calendar-error=microsoft-denied', api);
    expect((await screen.findByRole('alert')).textContent).toBe('The calendar was not connected: access was not allowed.');
    fireEvent.click(await screen.findByRole('button', { name: 'Disconnect ICS feed' }));
    expect(api.sent('DELETE', `${CAL}/ics`)).toEqual([]);
    await screen.findByText('Disconnect ICS feed? Your page stops seeing its busy times and its password is deleted.');
    fireEvent.click(screen.getByRole('button', { name: 'Yes, disconnect' }));
    await screen.findByText('No calendar connected yet — your page shows only your working hours and bookings.');
    expect(api.sent('DELETE', `${CAL}/ics`)).toHaveLength(1);
    await screen.findByText('ICS feed is disconnected.');

    // A server without SECRETS_KEY says what its admin must set.
    fireEvent.input(screen.getByLabelText('Feed address'), { target: { value: 'https://calendar.example.com/secret.ics' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add feed' }));
    expect((await screen.findByText(/SECRETS_KEY/)).getAttribute('role')).toBe('alert');
    expect(api.sent('POST', `${CAL}/ics`)[0].body).toEqual({ url: 'https://calendar.example.com/secret.ics' });
  });
});
