import type {
  AccountCalendars, CalDavConnectBody, CalDavForm, CalDavTest, CalendarChoice, CalendarKind, Calendars, CalendarsWithChoice, IcsTest, OAuthStart,
} from '../../contract/app-api';
import type {
  Agenda, BookingDetails, FreeTimesPreview, BookingList, BookingScope, ClientDetails, ClientList, Hours, ManualBookingBody, Me, OnboardingAnswer,
  PaymentConnectBody, PaymentKeyCheck, PaymentStatus,
  OnboardingBody, OutboxMessage, OwnerProvider, OwnerService, ProviderPatch, SeriesOptions, ServiceBody, ServiceReminders, SlugAvailable, Verified,
} from '../../contract/app-api';
import type { Problem } from '../../contract/api';
import type { PackageJson, PackageSaleRequest, WalletJson } from '../../contract/packages';
import { ApiError, problemKind } from '../lib/api';
import { signedIn, signedOut, type AppState } from './state';

/**
 * The owner API client (`/api/app/…`, server/app-api/README.md). Every answer is typed from `contract/app-api.ts`
 * (types only). Writes send JSON; the browser adds the same-origin `Origin` the server checks. A 401 anywhere
 * means the session ended: the app forgets the user and shows the sign-in screen.
 */

export { ApiError, problemKind };

async function call<T>(app: AppState, method: string, path: string, body?: unknown, raw = false): Promise<T> {
  let response: Response;
  try {
    response = await app.env.fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      body: method === 'GET' ? undefined : raw ? String(body) : JSON.stringify(body ?? {}),
    });
  } catch (error) {
    throw new ApiError({ status: 0, title: String(error) });
  }
  const data = await response.json().catch(() => null);
  if (response.status === 401 && !path.startsWith('/api/app/sign-in')) signedOut(app);
  if (!response.ok) throw new ApiError({ ...(data as object), status: response.status } as Problem);
  return data as T;
}

export type { SeriesOptions };

const P = (app: AppState) => `/api/app/providers/${app.providerId.value}`;

export const api = {
  signIn: (app: AppState, email: string) => call<{ status: 'sent' }>(app, 'POST', '/api/app/sign-in', { email, lang: app.lang.value }),
  verifyCode: (app: AppState, email: string, code: string) => call<Verified>(app, 'POST', '/api/app/sign-in/verify', { email, code }),
  signOut: (app: AppState) => call<{ signedOut: true }>(app, 'POST', '/api/app/sign-out'),
  signOutEverywhere: (app: AppState) => call<{ signedOut: true; sessions: number }>(app, 'POST', '/api/app/sign-out-everywhere'),
  me: (app: AppState) => call<Me>(app, 'GET', '/api/app/me'),
  slugAvailable: (app: AppState, slug: string) => call<SlugAvailable>(app, 'GET', `/api/app/slug-available?slug=${encodeURIComponent(slug)}`),
  onboard: (app: AppState, body: OnboardingBody) => call<OnboardingAnswer>(app, 'POST', '/api/app/providers', body),
  provider: (app: AppState, id: string) => call<OwnerProvider>(app, 'GET', `/api/app/providers/${id}`),
  patchProvider: (app: AppState, patch: ProviderPatch) => call<OwnerProvider>(app, 'PATCH', P(app), patch),
  hours: (app: AppState) => call<Hours>(app, 'GET', `${P(app)}/hours`),
  putHours: (app: AppState, hours: Hours) => call<Hours>(app, 'PUT', `${P(app)}/hours`, hours),
  importFile: (app: AppState, text: string) => call<OwnerProvider>(app, 'POST', `${P(app)}/import`, text, true),
  exportUrl: (app: AppState) => `${P(app)}/export`,
  services: (app: AppState, id = app.providerId.value) => call<OwnerService[]>(app, 'GET', `/api/app/providers/${id}/services`),
  createService: (app: AppState, body: ServiceBody) => call<OwnerService>(app, 'POST', `${P(app)}/services`, body),
  /** A service's weekly series options (`GET`), or sets them (`PUT` with `body`). */
  serviceSeries: (app: AppState, id: string, body?: SeriesOptions) =>
    call<SeriesOptions>(app, body ? 'PUT' : 'GET', `${P(app)}/services/${id}/series`, body),
  patchService: (app: AppState, id: string, body: Partial<ServiceBody>) => call<OwnerService>(app, 'PATCH', `${P(app)}/services/${id}`, body),
  /** The next 7 days of free times as visitors see them (one service; the first visible one when left out). */
  preview: (app: AppState, serviceId?: string) =>
    call<FreeTimesPreview>(app, 'GET', `${P(app)}/preview${serviceId ? `?serviceId=${encodeURIComponent(serviceId)}` : ''}`),
  orderServices: (app: AppState, serviceIds: string[]) => call<OwnerService[]>(app, 'PUT', `${P(app)}/services/order`, { serviceIds }),
  bookings: (app: AppState, q: { scope: BookingScope; service?: string; status?: string; offset?: number }) => {
    const query = new URLSearchParams({ scope: q.scope, limit: '50', offset: String(q.offset ?? 0) });
    if (q.service) query.set('service', q.service);
    if (q.status) query.set('status', q.status);
    return call<BookingList>(app, 'GET', `${P(app)}/bookings?${query}`);
  },
  booking: (app: AppState, id: string) => call<BookingDetails>(app, 'GET', `${P(app)}/bookings/${encodeURIComponent(id)}`),
  addBooking: (app: AppState, body: ManualBookingBody) => call<{ booking: BookingDetails; manageUrl: string }>(app, 'POST', `${P(app)}/bookings`, body),
  act: (app: AppState, id: string, action: 'approve' | 'decline' | 'cancel' | 'reschedule' | 'outcome' | 'series/cancel', body: object = {}) =>
    call<BookingDetails>(app, 'POST', `${P(app)}/bookings/${encodeURIComponent(id)}/${action}`, body),
  clients: (app: AppState, search: string, offset = 0) =>
    call<ClientList>(app, 'GET', `${P(app)}/clients?${new URLSearchParams({ search, limit: '50', offset: String(offset) })}`),
  client: (app: AppState, key: string) => call<ClientDetails>(app, 'GET', `${P(app)}/clients/${encodeURIComponent(key)}`),
  clientNotes: (app: AppState, key: string, notes: string) => call<{ key: string; notes: string }>(app, 'PUT', `${P(app)}/clients/${encodeURIComponent(key)}/notes`, { notes }),
  eraseClient: (app: AppState, key: string) => call<{ key: string; erasedBookings: number }>(app, 'POST', `${P(app)}/clients/${encodeURIComponent(key)}/erase`),
  clientsCsvUrl: (app: AppState) => `${P(app)}/clients.csv`,
  outbox: (app: AppState) => call<OutboxMessage[]>(app, 'GET', `${P(app)}/outbox`),
  agenda: (app: AppState, date: string) => call<Agenda>(app, 'GET', `${P(app)}/agenda?${new URLSearchParams({ date })}`),
  calendars: (app: AppState) => call<Calendars>(app, 'GET', `${P(app)}/calendars`),
  testCalDav: (app: AppState, body: CalDavForm) => call<CalDavTest>(app, 'POST', `${P(app)}/calendars/caldav/test`, body),
  connectCalDav: (app: AppState, body: CalDavConnectBody) => call<CalendarsWithChoice>(app, 'POST', `${P(app)}/calendars/caldav`, body),
  testIcs: (app: AppState, url: string) => call<IcsTest>(app, 'POST', `${P(app)}/calendars/ics/test`, { url }),
  connectIcs: (app: AppState, url: string) => call<Calendars>(app, 'POST', `${P(app)}/calendars/ics`, { url }),
  startOAuth: (app: AppState, kind: 'google' | 'microsoft') => call<OAuthStart>(app, 'POST', `${P(app)}/calendars/${kind}/start`),
  accountCalendars: (app: AppState, kind: CalendarKind) => call<AccountCalendars>(app, 'GET', `${P(app)}/calendars/${kind}/calendars`),
  setCalendarChoice: (app: AppState, kind: CalendarKind, body: CalendarChoice) => call<CalendarsWithChoice>(app, 'PUT', `${P(app)}/calendars/${kind}/choice`, body),
  disconnectCalendar: (app: AppState, kind: CalendarKind) => call<Calendars & { removed: number }>(app, 'DELETE', `${P(app)}/calendars/${kind}`),
  payments: (app: AppState) => call<PaymentStatus>(app, 'GET', `${P(app)}/payments`),
  testPayments: (app: AppState, secretKey: string) => call<PaymentKeyCheck>(app, 'POST', `${P(app)}/payments/test`, { secretKey }),
  connectPayments: (app: AppState, body: PaymentConnectBody) => call<PaymentStatus>(app, 'POST', `${P(app)}/payments`, body),
  disconnectPayments: (app: AppState) => call<PaymentStatus>(app, 'DELETE', `${P(app)}/payments`, {}),
  serviceReminders: (app: AppState, id: string) => call<ServiceReminders>(app, 'GET', `${P(app)}/services/${id}/reminders`),
  setServiceReminders: (app: AppState, id: string, reminders: number[] | null) =>
    call<ServiceReminders>(app, 'PUT', `${P(app)}/services/${id}/reminders`, { reminders }),
  // Packages (server/app-api/packages.ts)
  packages: (app: AppState) => call<PackageJson[]>(app, 'GET', `${P(app)}/packages`),
  savePackage: (app: AppState, id: string | null, body: Partial<PackageBody>) =>
    call<PackageJson>(app, id ? 'PATCH' : 'POST', `${P(app)}/packages${id ? `/${id}` : ''}`, body),
  sellPackage: (app: AppState, id: string, body: PackageSaleRequest) =>
    call<{ wallet: WalletWithLink }>(app, 'POST', `${P(app)}/packages/${id}/sales`, body),
  wallets: (app: AppState) => call<WalletWithLink[]>(app, 'GET', `${P(app)}/wallets`),
};

/** A client's wallet as the owner API answers it: with its secret link and a WhatsApp message carrying it. */
export type WalletWithLink = WalletJson & { url: string; whatsappUrl: string };
export type PackageBody = Omit<PackageJson, 'id' | 'service' | 'sold'>;

/** Loads who is signed in, then their first provider and its services (none yet: onboarding). */
export async function loadSession(app: AppState): Promise<void> {
  try {
    const me = await api.me(app);
    const first = me.providers[0];
    if (!first) return signedIn(app, me, null, null);
    const [provider, services] = await Promise.all([api.provider(app, first.id), api.services(app, first.id)]);
    signedIn(app, me, provider, services);
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) return;
    app.session.value = 'error';
  }
}

/** The field a problem names first (`errors[0].field`), for putting the message beside the right input. */
export function problemField(error: unknown): string | null {
  return error instanceof ApiError ? (error.problem.errors?.[0]?.field ?? null) : null;
}
