import type {
  BookingRequestBody,
  BookingResponse,
  ManageView,
  Problem,
  Provider,
  SeriesPreview,
  SeriesPreviewRequest,
  SeriesRequest,
  SeriesView,
  ShareMessage,
  ShareMessageQuery,
  CompactSlotsResponse,
  SlotsQuery,
  WhatsappLink,
  WhatsappLinkQuery,
} from '../../contract/api';

/**
 * The client of the public API (same origin). It states no type of its own: every request and answer is typed
 * from `contract/api.ts` (imported as types only, so zod never reaches the bundle). Errors are RFC 9457 problem
 * details (https://www.rfc-editor.org/rfc/rfc9457).
 */

/** A failed request: the problem body, or a synthetic one for network failures (status 0). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title ?? `HTTP ${problem.status}`);
  }
}

/** `fetch` as the page uses it (tests pass a fake that plays the API). */
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

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const providerPath = (slug: string) => `/api/providers/${encodeURIComponent(slug)}`;
const tokenPath = (token: string) => `/api/bookings/${encodeURIComponent(token)}`;
/** A query string without the parameters left empty. */
const query = (q: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));

/** `GET /api/providers/:slug`. */
export function getProvider(fetchFn: Fetch, slug: string): Promise<Provider> {
  return call(fetchFn, providerPath(slug));
}

/** `GET /api/v2/providers/:slug/slots` (the compact shape) for whole local days `from`…`to` in `tz`. */
export function getSlots(fetchFn: Fetch, slug: string, q: SlotsQuery): Promise<CompactSlotsResponse> {
  return call(fetchFn, `/api/v2${providerPath(slug).slice(4)}/slots?${query(q)}`);
}

/** `POST /api/bookings`. */
export function createBooking(fetchFn: Fetch, body: BookingRequestBody): Promise<BookingResponse> {
  return call(fetchFn, '/api/bookings', post(body));
}

/** `POST /api/series/preview` (every date of a weekly series with its status), or `POST /api/series` (all dates or none;
 * 409 names the dates taken meanwhile). */
export function seriesCall(fetchFn: Fetch, body: SeriesPreviewRequest, preview: true): Promise<SeriesPreview>;
export function seriesCall(fetchFn: Fetch, body: SeriesRequest, preview?: false): Promise<SeriesView>;
export function seriesCall(fetchFn: Fetch, body: SeriesRequest | SeriesPreviewRequest, preview?: boolean): Promise<unknown> {
  return call(fetchFn, preview ? '/api/series/preview' : '/api/series', post(body));
}

/** `GET /api/bookings/:token`. */
export function getBooking(fetchFn: Fetch, token: string): Promise<ManageView> {
  return call(fetchFn, tokenPath(token), { cache: 'no-store' });
}

/** `POST /api/bookings/:token/cancel`; 409 `too-late-to-cancel` outside the provider's policy. */
export function cancelBooking(fetchFn: Fetch, token: string, reason: string): Promise<ManageView> {
  return call(fetchFn, `${tokenPath(token)}/cancel`, post(reason ? { reason } : {}));
}

/** `POST /api/bookings/:token/reschedule`; 409 `slot-taken`, `slot-unavailable` or `too-late-to-reschedule`. */
export function rescheduleBooking(fetchFn: Fetch, token: string, start: string): Promise<ManageView> {
  return call(fetchFn, `${tokenPath(token)}/reschedule`, post({ start }));
}

/** `GET /api/providers/:slug/whatsapp-link` (request mode: the template filled with a time; nothing is booked). */
export function getWhatsappLink(fetchFn: Fetch, slug: string, q: WhatsappLinkQuery): Promise<WhatsappLink> {
  return call(fetchFn, `${providerPath(slug)}/whatsapp-link?${query(q)}`);
}

/** `GET /api/providers/:slug/share-message` (free times listed in the client's zone, with preselecting links). */
export function getShareMessage(fetchFn: Fetch, slug: string, q: ShareMessageQuery): Promise<ShareMessage> {
  return call(fetchFn, `${providerPath(slug)}/share-message?${query(q)}`);
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
