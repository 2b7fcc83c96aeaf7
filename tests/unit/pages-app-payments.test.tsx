// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Me, OwnerProvider, OwnerService, PaymentStatus } from '../../contract/app-api';
import { providerApp } from '../../pages/app/main';
import { fakeApi, json, type Handler } from '../support/fake-app-api.ts';

/**
 * The Payments screen mounted for real in jsdom over a fake owner API (the browser boundary): loading, the "not set
 * up" state said truthfully, a load error with retry, a key Stripe refused shown beside its field, and a refused
 * disconnect (payments in flight) said in plain words, in English and Arabic.
 */

window.scrollTo = () => {};

afterEach(() => {
  cleanup();
  localStorage.clear();
  document.documentElement.lang = '';
  document.documentElement.dir = '';
});

const PID = '11111111-1111-4111-8111-111111111111';
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

const P = `/api/app/providers/${PID}/payments`;
const status = (s: Partial<PaymentStatus> = {}): PaymentStatus => ({
  connected: false, source: null, mode: null, testCheckout: false, accountName: null, webhookUrl: `https://book.example/api/stripe/webhook/${PID}`,
  webhookEvents: ['checkout.session.completed', 'checkout.session.expired'], lastWebhookAt: null, connectedAt: null, help: '', ...s,
});

describe('payments screen', () => {
  it('shows loading, then says paid services cannot be booked while nothing is set up, with the webhook address', async () => {
    let release!: () => void;
    const api = fakeApi(routes({ [`GET ${P}`]: () => new Promise<Response>((r) => (release = () => r(json(200, status())))) }));
    mount('/app/settings/payments', api);
    await waitFor(() => expect(api.sent('GET', P)).toHaveLength(1));
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    release();
    await screen.findByText('Payments are not set up');
    expect(screen.getByText(/booking one fails/)).toBeTruthy();
    expect(screen.getByText(`https://book.example/api/stripe/webhook/${PID}`)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Disconnect' })).toBeNull();
  });

  it('says when the status cannot be read, and tries again', async () => {
    const api = fakeApi(routes({ [`GET ${P}`]: [() => json(500, { type: 'about:blank', title: 'Oops', status: 500 }), () => json(200, status({ source: 'server', mode: 'live' }))] }));
    mount('/app/settings/payments', api);
    await screen.findByRole('alert');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('Using this server’s Stripe account');
    expect(screen.getByText('Live')).toBeTruthy();
  });

  it('a key Stripe refused is shown beside its field; nothing is saved', async () => {
    const api = fakeApi(routes({
      [`GET ${P}`]: () => json(200, status({ source: 'server', testCheckout: true, mode: 'test' })),
      [`POST ${P}`]: () => json(400, { type: 'https://slotline.dev/problems/invalid-request', title: 'Invalid', status: 400, errors: [{ field: 'secretKey', message: 'Stripe refused this key.' }] }),
    }));
    mount('/app/settings/payments', api);
    await screen.findByText('Test checkout only (no real money)');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Paste your Stripe secret key.')).toBeTruthy();
    expect(api.sent('POST', P)).toHaveLength(0);
    fireEvent.input(screen.getByLabelText('Secret key'), { target: { value: 'sk_test_wrong12345678' } });
    fireEvent.input(screen.getByLabelText('Webhook signing secret'), { target: { value: 'whsec_abcdefghijk' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Stripe refused this key.')).toBeTruthy();
    expect(screen.getByLabelText('Secret key').getAttribute('aria-invalid')).toBe('true');
    expect(api.sent('POST', P)[0].body).toEqual({ secretKey: 'sk_test_wrong12345678', webhookSecret: 'whsec_abcdefghijk' });
  });

  it('disconnect asks first, and a refusal while a visitor is paying is said plainly', async () => {
    const connected = status({ connected: true, source: 'provider', mode: 'test', accountName: 'Layla Fitness', connectedAt: '2026-03-01T08:00:00Z' });
    const api = fakeApi(routes({
      [`GET ${P}`]: () => json(200, connected),
      [`DELETE ${P}`]: () => json(409, { type: 'https://slotline.dev/problems/payments-in-flight', title: 'A visitor is paying', status: 409 }),
    }));
    mount('/app/settings/payments', api);
    await screen.findByText('Payments go to your Stripe account: Layla Fitness');
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(api.sent('DELETE', P)).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete my keys' }));
    expect(await screen.findByText(/A visitor is paying, or a refund is still being made/)).toBeTruthy();
    expect(api.sent('DELETE', P)).toHaveLength(1);
  });

  it('speaks Arabic', async () => {
    const api = fakeApi(routes({ [`GET ${P}`]: () => json(200, status({ source: 'server', testCheckout: true, mode: 'test' })) }));
    mount('/app/settings/payments?lang=ar', api);
    await screen.findByRole('heading', { name: 'المدفوعات' });
    await screen.findByText('صفحة دفع تجريبية فقط (بلا أموال حقيقية)');
    expect(document.documentElement.dir).toBe('rtl');
  });
});
