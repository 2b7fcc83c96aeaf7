/**
 * The public API the page talks to (same origin). Types mirror the server's JSON; errors are RFC 9457
 * problem details (https://www.rfc-editor.org/rfc/rfc9457).
 */

export interface Service {
  slug: string;
  title: string;
  durationMinutes: number;
  priceCents: number;
  currency: string;
  description?: string | null;
  location?: { type: string; address?: string | null } | null;
}

export interface Provider {
  slug: string;
  name: string;
  timezone: string;
  accentColor?: string | null;
  services: Service[];
  /** `request`: picking a time opens WhatsApp with the provider's template and books nothing. */
  whatsapp?: { enabled: boolean; bookingMode?: 'confirm' | 'request' };
  embedAllowedOrigins?: string[] | null;
  /** Booking policy the page can use to limit navigation (e.g. no months past the horizon). */
  booking?: { minNoticeMinutes?: number; horizonDays?: number };
}

export interface Slot {
  start: string;
  end: string;
}

export interface SlotsResponse {
  timezone: string;
  slots: Slot[];
  days?: Record<string, number>;
}

/** The first data the server inlines into the page (`<script type="application/json" id="slotline-data">`). */
export interface InitialData {
  provider: Provider | null;
  /** Slots of one service covering the instants `[from, to)`, so the first month paints without a request. */
  slots: { service: string; from: string; to: string; slots: Slot[] } | null;
  /** On the manage page (`/b/:token`): the booking as `GET /api/bookings/:token` returns it. */
  manage?: ManageView | null;
}

/** A booking as its visitor sees it (`GET /api/bookings/:token`, also the answer of cancel and reschedule). */
export interface ManageView {
  booking: {
    id: string;
    ref: string;
    status: 'pending' | 'confirmed' | 'cancelled' | 'declined' | 'completed' | 'expired' | string;
    start: string;
    end: string;
    provider: string;
    providerName: string;
    providerTimezone: string;
    service: string;
    serviceTitle: string;
    durationMinutes: number;
    name: string;
    timezone: string | null;
    holdExpiresAt: string | null;
    location: string | null;
    meetingUrl: string | null;
    cancelReason: string | null;
    /** status: pending | paid | refund_pending | refunded | failed | expired. refundUntil: the deadline frozen at payment. */
    payment: { status: string; amountCents: number; currency: string; refundUntil?: string | null } | null;
  };
  policy: { canCancel: boolean; canReschedule: boolean; refundable: boolean };
  links: { manage: string; ics: string; google?: string; outlook?: string; whatsapp?: string; payment?: string | null };
}

/** `GET /api/providers/:slug/share-message`. */
export interface ShareMessage {
  text: string;
  slots: { start: string; end: string; label: string; link: string }[];
  whatsappUrl: string;
  timezone: string;
  lang: 'en' | 'ar';
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export interface BookingRequest {
  provider: string;
  service: string;
  start: string;
  name: string;
  email?: string;
  phone?: string;
  notes?: string;
  timezone: string;
  /** Language for the messages the visitor gets about this booking. */
  lang?: 'en' | 'ar';
  idempotencyKey: string;
}

export type Next = { type: 'confirmed' } | { type: 'payment'; url: string } | { type: 'whatsapp'; url: string };

export interface BookingResponse {
  booking: { id: string; status: string; start: string; end: string; provider: string; service: string };
  manageUrl: string;
  next?: Next;
  /** Optional extras a server may add; the page shows them when present. */
  icsUrl?: string;
  calendarLinks?: { google?: string; ics?: string };
  whatsappUrl?: string;
}

/** A failed request: the problem body, or a synthetic one for network failures (status 0). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title ?? `HTTP ${problem.status}`);
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function call<T>(fetchFn: Fetch, path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetchFn(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (error) {
    throw new ApiError({ status: 0, title: String(error) });
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError({ ...(body as object), status: response.status });
  return body as T;
}

/** `GET /api/providers/:slug`. */
export function getProvider(fetchFn: Fetch, slug: string): Promise<Provider> {
  return call(fetchFn, `/api/providers/${encodeURIComponent(slug)}`);
}

/** `GET /api/providers/:slug/slots` for whole local days `from`…`to` in `tz`. */
export function getSlots(
  fetchFn: Fetch,
  slug: string,
  q: { service: string; from: string; to: string; tz: string },
): Promise<SlotsResponse> {
  const query = new URLSearchParams(q);
  return call(fetchFn, `/api/providers/${encodeURIComponent(slug)}/slots?${query}`);
}

/** `POST /api/bookings`. */
export function createBooking(fetchFn: Fetch, body: BookingRequest): Promise<BookingResponse> {
  return call(fetchFn, '/api/bookings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const tokenPath = (token: string) => `/api/bookings/${encodeURIComponent(token)}`;

/** `GET /api/bookings/:token`. */
export function getBooking(fetchFn: Fetch, token: string): Promise<ManageView> {
  return call(fetchFn, tokenPath(token), { cache: 'no-store' });
}

/** `POST /api/bookings/:token/cancel`; 409 `too-late-to-cancel` outside the provider's policy. */
export function cancelBooking(fetchFn: Fetch, token: string, reason: string): Promise<ManageView> {
  return call(fetchFn, `${tokenPath(token)}/cancel`, json(reason ? { reason } : {}));
}

/** `POST /api/bookings/:token/reschedule`; 409 `slot-taken`, `slot-unavailable` or `too-late-to-reschedule`. */
export function rescheduleBooking(fetchFn: Fetch, token: string, start: string): Promise<ManageView> {
  return call(fetchFn, `${tokenPath(token)}/reschedule`, json({ start }));
}

/** `GET /api/providers/:slug/whatsapp-link` (request mode: the template filled with a time; nothing is booked). */
export function getWhatsappLink(
  fetchFn: Fetch,
  slug: string,
  q: { service: string; start: string; lang: string; name: string },
): Promise<{ url: string; text: string }> {
  return call(fetchFn, `/api/providers/${encodeURIComponent(slug)}/whatsapp-link?${new URLSearchParams(q)}`);
}

/** `GET /api/providers/:slug/share-message` (free times listed in the client's zone, with preselecting links). */
export function getShareMessage(
  fetchFn: Fetch,
  slug: string,
  q: { service: string; tz: string; lang: string; count?: string; slots?: string },
): Promise<ShareMessage> {
  const query = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
  return call(fetchFn, `/api/providers/${encodeURIComponent(slug)}/share-message?${query}`);
}

/**
 * The URL when it is a plain web address, else null: links from responses are only ever followed as http(s),
 * so a `javascript:` value can never run even if a server bug produced one.
 * @example webUrl('https://wa.me/971500000000') // 'https://wa.me/971500000000'
 */
export function webUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, 'http://relative.invalid');
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : null;
  } catch {
    return null;
  }
}

/** The last path segment of a problem type: `https://…/problems/slot-taken` → `slot-taken`. */
export function problemKind(problem: Problem): string {
  return (problem.type ?? '').split('/').pop() ?? '';
}
