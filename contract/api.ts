import { z } from 'zod';
import { CONTROL_CHARS, PHONE_PATTERN, SLUG_PATTERN, isTimeZone, parseInstant } from './rules.ts';

/**
 * The public HTTP API as one contract: zod schemas of every request the pages send (the server validates with
 * the same schemas) and of every answer they read, with the TypeScript types inferred from them.
 *
 * The browser imports from this file with `import type` only: the types cost nothing, and zod stays out of the
 * page bundle (`tests/unit/contract.test.ts` checks). The server imports the schemas; the integration test
 * `tests/integration/contract-responses.test.ts` parses the real server's answers with the response schemas,
 * so a field added or dropped on either side fails a test instead of drifting.
 *
 * Errors are RFC 9457 problem details (`problemSchema`, https://www.rfc-editor.org/rfc/rfc9457).
 */

const text = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');
const instant = (max = 40) =>
  z.string().max(max).refine((s) => parseInstant(s) !== null, 'must be an ISO 8601 instant with an offset, e.g. 2026-12-01T09:00:00Z');
const lang = z.enum(['en', 'ar']);

// ---------------------------------------------------------------------------------------------------------------
// Requests

/** `POST /api/bookings` body. `email` or `phone` is required; the rest is optional. */
export const bookingRequestSchema = z
  .object({
    provider: z.string().min(1, 'is required').max(64).regex(SLUG_PATTERN, 'is not a provider'),
    service: z.string().min(1, 'is required').max(64).regex(SLUG_PATTERN, 'is not a service'),
    start: instant(),
    name: text(200).optional().default(''),
    email: z
      .string()
      .trim()
      .max(254)
      .pipe(z.email('must be an email address'))
      .optional()
      .or(z.literal('').transform(() => undefined)),
    phone: z
      .string()
      .trim()
      .regex(PHONE_PATTERN, 'must be a phone number, e.g. +971500000000')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    notes: text(2000).optional().default(''),
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai').optional(),
    /** Language for the messages the visitor gets about this booking. */
    lang: lang.optional(),
    /** Same key → same booking: a retry after a lost answer cannot book twice. */
    /** Binds a retry to its first request (see create_booking_if_free): 8–200 printable ASCII characters, no spaces. */
    idempotencyKey: z
      .string()
      .min(8, 'must be at least 8 characters')
      .max(200, 'must be at most 200 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
    /** Pay with one credit of this wallet (the secret of a `/w/:token` link): confirmed at once, nothing to pay. */
    walletToken: z.string().max(64).regex(/^[A-Za-z0-9_-]+$/, 'is not a wallet link').optional(),
  })
  .superRefine((b, ctx) => {
    if (!b.email && !b.phone) ctx.addIssue({ code: 'custom', message: 'give an email or a phone number', path: ['email'] });
  });
/** What the server works with after validation (trimmed, defaults filled). */
export type BookingRequest = z.infer<typeof bookingRequestSchema>;
/** What a client sends. */
export type BookingRequestBody = z.input<typeof bookingRequestSchema>;

/** `POST /api/bookings/:token/cancel` body (may also be empty). */
export const cancelRequestSchema = z.object({
  reason: text(500).optional(),
});
export type CancelRequest = z.input<typeof cancelRequestSchema>;

/** `POST /api/bookings/:token/reschedule` body. */
export const rescheduleRequestSchema = z.object({ start: instant() });
export type RescheduleRequest = z.input<typeof rescheduleRequestSchema>;

/** `GET /api/providers/:slug/slots` query: whole local days (`YYYY-MM-DD`) or instants `from`…`to`, in `tz`. */
export const slotsQuerySchema = z.object({
  service: z.string().regex(SLUG_PATTERN),
  from: z.string().max(40),
  to: z.string().max(40),
  tz: z.string().refine(isTimeZone),
});
export type SlotsQuery = z.input<typeof slotsQuerySchema>;

/** `GET /api/providers/:slug/whatsapp-link` query ("request" mode: nothing is booked). */
export const whatsappLinkQuerySchema = z.object({
  service: z.string().regex(SLUG_PATTERN),
  start: instant(),
  lang,
  name: z.string().max(200),
});
export type WhatsappLinkQuery = z.input<typeof whatsappLinkQuerySchema>;

/** `GET /api/providers/:slug/share-message` query: the next `count` free times, or the chosen `slots` (comma-separated). */
export const shareMessageQuerySchema = z.object({
  service: z.string().regex(SLUG_PATTERN),
  tz: z.string().refine(isTimeZone),
  lang,
  count: z.string().regex(/^\d+$/).optional(),
  slots: z.string().optional(),
});
export type ShareMessageQuery = z.input<typeof shareMessageQuerySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Responses

/** A bookable service as visitors see it. */
export const serviceSchema = z.strictObject({
  slug: z.string(),
  title: z.string(),
  durationMinutes: z.number(),
  priceCents: z.number(),
  currency: z.string(),
  description: z.string().nullish(),
  location: z.strictObject({ type: z.string(), address: z.string().nullish() }).nullish(),
  /** Weekly series the service allows (README "Weekly series"); absent: none. */
  series: z.strictObject({ maxOccurrences: z.number(), maxIntervalWeeks: z.number() }).nullish(),
});
export type Service = z.infer<typeof serviceSchema>;

/**
 * `GET /api/providers/:slug`: a public provider and its services. Optional fields are always sent by the server;
 * the page copes without them (older inlined data, the Vite dev server).
 */
export const providerSchema = z.strictObject({
  slug: z.string(),
  name: z.string(),
  timezone: z.string(),
  /** The person behind the page ("Layla"), for copy such as "so Layla can reach you"; null: use `name`. */
  personName: z.string().nullish(),
  accentColor: z.string().nullish(),
  embedAllowedOrigins: z.array(z.string()).nullish(),
  services: z.array(serviceSchema),
  /** `request`: picking a time opens WhatsApp with the provider's template and books nothing. */
  whatsapp: z.strictObject({ enabled: z.boolean(), bookingMode: z.enum(['confirm', 'request']).optional() }).optional(),
  /** Booking policy the page uses to limit navigation (no months past the horizon). */
  booking: z.strictObject({ minNoticeMinutes: z.number().optional(), horizonDays: z.number().optional() }).optional(),
});
export type Provider = z.infer<typeof providerSchema>;

export const slotSchema = z.strictObject({ start: z.string(), end: z.string() });
export type Slot = z.infer<typeof slotSchema>;

/** `GET /api/providers/:slug/slots`. */
export const slotsResponseSchema = z.strictObject({
  timezone: z.string(),
  slots: z.array(slotSchema),
  /** Free times per local day of `timezone` (`YYYY-MM-DD` → count). */
  days: z.record(z.string(), z.number()),
  /** Whether the provider's calendars could be read fresh for this answer. */
  calendar: z.strictObject({ stale: z.boolean(), failing: z.boolean() }),
});
export type SlotsResponse = z.infer<typeof slotsResponseSchema>;

/**
 * `GET /api/v2/providers/:slug/slots` (same query and problems as v1): the same free times in about a tenth of the
 * bytes. Per local day of `timezone`, the instant the day starts and each free start as elapsed minutes from it
 * (elapsed, so a DST change inside the day needs no rule); every slot lasts `durationMinutes`. Decode with
 * `decodeSlots` (`contract/slots.ts`, no zod).
 * @example { timezone: 'Asia/Dubai', durationMinutes: 30, calendar: { stale: false, failing: false },
 *   days: { '2026-12-02': { start: '2026-12-01T20:00:00.000Z', minutes: [540, 570] } } }
 */
export const compactSlotsResponseSchema = z.strictObject({
  timezone: z.string(),
  durationMinutes: z.number().int().positive(),
  /** Local date (`YYYY-MM-DD`) → that day's first instant and its free starts, ascending, in minutes from it. */
  days: z.record(z.string(), z.strictObject({ start: z.string(), minutes: z.array(z.number().int().nonnegative()) })),
  calendar: z.strictObject({ stale: z.boolean(), failing: z.boolean() }),
});
export type CompactSlotsResponse = z.infer<typeof compactSlotsResponseSchema>;

export const bookingStatusSchema = z.enum(['pending', 'confirmed', 'cancelled', 'declined', 'completed', 'expired']);
export type BookingStatus = z.infer<typeof bookingStatusSchema>;

/** What the visitor does next after booking: nothing (confirmed) or pay at Stripe Checkout. */
export const nextSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('confirmed') }),
  z.strictObject({ type: z.literal('payment'), url: z.string() }),
]);
export type Next = z.infer<typeof nextSchema>;

/** `POST /api/bookings` → 201 (or 200 for a replayed idempotency key). */
export const bookingResponseSchema = z.strictObject({
  booking: z.strictObject({
    id: z.string(),
    status: bookingStatusSchema,
    start: z.string(),
    end: z.string(),
    provider: z.string(),
    service: z.string(),
    holdExpiresAt: z.string().nullable(),
  }),
  /** The secret manage link (`/b/:token`). */
  manageUrl: z.string(),
  /** The booking as an iCalendar file: the page links here and never writes its own. */
  icsUrl: z.string(),
  next: nextSchema,
  /** A prepared WhatsApp note to the provider (confirmed bookings of providers with WhatsApp on). */
  whatsappUrl: z.string().nullable(),
});
export type BookingResponse = z.infer<typeof bookingResponseSchema>;

/** `GET /api/bookings/:token`, also the answer of cancel and reschedule. */
export const manageViewSchema = z.strictObject({
  booking: z.strictObject({
    id: z.string(),
    ref: z.string(),
    status: bookingStatusSchema,
    start: z.string(),
    end: z.string(),
    provider: z.string(),
    providerName: z.string(),
    providerTimezone: z.string(),
    service: z.string(),
    serviceTitle: z.string(),
    durationMinutes: z.number(),
    name: z.string(),
    timezone: z.string().nullable(),
    holdExpiresAt: z.string().nullable(),
    location: z.string().nullable(),
    meetingUrl: z.string().nullable(),
    cancelReason: z.string().nullable(),
    /** status: pending | paid | refund_pending | refunded | failed | expired. refundUntil: the deadline frozen at payment. */
    payment: z.strictObject({
      status: z.string(), amountCents: z.number(), currency: z.string(), refundUntil: z.string().nullable().optional(),
    }).nullable(),
  }),
  policy: z.strictObject({ canCancel: z.boolean(), canReschedule: z.boolean(), refundable: z.boolean() }),
  /** A booking paid with a package credit: where the client stands (contract/credit-line.ts formats it). */
  credit: z.strictObject({
    number: z.number(), sessions: z.number(), left: z.number(), expiresAt: z.string().nullable(),
    returned: z.boolean().optional(), title: z.string().optional(),
  }).optional(),
  /** Links that do not apply are left out: every value present is a URL. */
  links: z.strictObject({
    manage: z.string(),
    ics: z.string(),
    google: z.string().optional(),
    outlook: z.string().optional(),
    whatsapp: z.string().optional(),
    /** Back to an abandoned checkout while the hold lasts. */
    payment: z.string().optional(),
  }),
});
export type ManageView = z.infer<typeof manageViewSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Weekly series (README "Weekly series")

const seriesShape = {
  provider: z.string().min(1, 'is required').max(64).regex(SLUG_PATTERN, 'is not a provider'),
  service: z.string().min(1, 'is required').max(64).regex(SLUG_PATTERN, 'is not a service'),
  /** The first start the visitor picked: it fixes the weekday and the local wall time of every date. */
  start: instant(),
  intervalWeeks: z.number().int().min(1).max(8).default(1),
  occurrences: z.number().int().min(2, 'must be at least 2').max(52, 'must be at most 52'),
};

/** `POST /api/series/preview` body. */
export const seriesPreviewRequestSchema = z.object(seriesShape);
export type SeriesPreviewRequest = z.input<typeof seriesPreviewRequestSchema>;

/** `POST /api/series/preview` → every planned date with the engine's verdict and, if not free, the nearest free time that day. */
export const seriesPreviewSchema = z.strictObject({
  items: z.array(z.strictObject({
    index: z.number(),
    date: z.string(),
    start: z.string(),
    status: z.enum(['free', 'taken', 'outside-hours']),
    alternative: z.string().nullable(),
  })),
});
export type SeriesPreview = z.infer<typeof seriesPreviewSchema>;

/** `POST /api/series` body: the booking request's contact fields, the series, and the visitor's choice per conflict. */
export const seriesRequestSchema = z.object({
  ...seriesShape,
  /** Per date: another start that same day, or null to skip it. Dates not listed keep their planned start. */
  choices: z.array(z.strictObject({ index: z.number().int().min(1).max(52), start: instant().nullable() })).max(52).default([]),
  name: text(200).optional().default(''),
  email: z.string().trim().max(254).pipe(z.email('must be an email address')).optional().or(z.literal('').transform(() => undefined)),
  phone: z.string().trim().regex(PHONE_PATTERN, 'must be a phone number, e.g. +971500000000').optional().or(z.literal('').transform(() => undefined)),
  notes: text(2000).optional().default(''),
  timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai').optional(),
  lang: lang.optional(),
  idempotencyKey: z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
}).superRefine((b, ctx) => {
  if (!b.email && !b.phone) ctx.addIssue({ code: 'custom', message: 'give an email or a phone number', path: ['email'] });
});
export type SeriesRequest = z.input<typeof seriesRequestSchema>;

/** One occurrence of a series as its manage link shows it. */
export const seriesOccurrenceSchema = z.strictObject({
  index: z.number(),
  id: z.string(),
  status: bookingStatusSchema,
  start: z.string(),
  end: z.string(),
  canCancel: z.boolean(),
  canReschedule: z.boolean(),
  /** This date's own manage page (move or cancel it alone); null when the series link cannot be given again. */
  manageUrl: z.string().nullable(),
});

/** `POST /api/series` → 201 (200 for a replayed key); `GET /api/series/:token` and the answers of its cancel and reschedule. */
export const seriesViewSchema = z.strictObject({
  series: z.strictObject({
    id: z.string(),
    provider: z.string(),
    providerName: z.string(),
    providerTimezone: z.string(),
    service: z.string(),
    serviceTitle: z.string(),
    durationMinutes: z.number(),
    intervalWeeks: z.number(),
    /** Planned dates, skipped ones included: "3 of 8". */
    occurrences: z.number(),
    totalCents: z.number(),
    /** `checkoutUrl`: back to the open Checkout while the holds last. */
    payment: z.strictObject({ status: z.string(), amountCents: z.number(), currency: z.string(), checkoutUrl: z.string().nullable() }).nullable(),
  }),
  bookings: z.array(seriesOccurrenceSchema),
  /** The series' one manage link and its calendar file (one event per occurrence). */
  manageUrl: z.string().nullable(),
  icsUrl: z.string().nullable(),
  next: nextSchema,
});
export type SeriesView = z.infer<typeof seriesViewSchema>;

/** `POST /api/series/:token/cancel` body: one date, or it and every later one. */
export const seriesCancelRequestSchema = z.object({
  index: z.number().int().min(1).max(52),
  andLater: z.boolean().default(false),
  reason: text(500).optional(),
});
/** `POST /api/series/:token/reschedule` body: move one date. */
export const seriesRescheduleRequestSchema = z.object({ index: z.number().int().min(1).max(52), start: instant() });

/** `GET /api/providers/:slug/share-message`. */
export const shareMessageSchema = z.strictObject({
  text: z.string(),
  slots: z.array(z.strictObject({ start: z.string(), end: z.string(), label: z.string(), link: z.string() })),
  whatsappUrl: z.string(),
  timezone: z.string(),
  lang,
});
export type ShareMessage = z.infer<typeof shareMessageSchema>;

/** `GET /api/providers/:slug/whatsapp-link`. */
export const whatsappLinkSchema = z.strictObject({ url: z.string(), text: z.string() });
export type WhatsappLink = z.infer<typeof whatsappLinkSchema>;

/** Every 4xx/5xx body (`application/problem+json`). */
export const problemSchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

/**
 * The first data the server inlines into a page (`<script type="application/json" id="slotline-data">`), so the
 * first paint needs no request: the provider, the compact slots answer (v2) of one service covering `[from, to)`, and on the manage page
 * (`/b/:token`) the booking as `GET /api/bookings/:token` answers it.
 */
export interface InitialData {
  provider: Provider | null;
  slots: { service: string; from: string; to: string; answer: CompactSlotsResponse } | null;
  manage?: ManageView | null;
}
