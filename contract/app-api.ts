import { z } from 'zod';

/**
 * The provider app's owner API (`/api/app/…`, documented in `server/app-api/README.md`): the answers the app reads,
 * as zod schemas with their inferred types, and the request bodies it sends. The browser imports this file with
 * `import type` only (zod never reaches the bundle).
 *
 * The server still validates requests with its own `server/app-api/schemas.ts`: those schemas build on server-only
 * rules (`settingsSchema` of the provider file, the engine's `workingHoursSchema`, `isTimeZone`), so moving them here
 * means moving those too — a change for its own branch. The request types below mirror them field by field.
 */

const instant = z.string();
const localDate = z.string();

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), createdAt: z.string() }),
  providers: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string(), timezone: z.string(), isPublic: z.boolean() })),
});
export type Me = z.infer<typeof meSchema>;

export const signInSentSchema = z.object({ status: z.literal('sent'), detail: z.string() });
export const verifiedSchema = z.object({
  user: z.object({ id: z.string(), email: z.string() }),
  newAccount: z.boolean(),
  claimedProvider: z.object({ id: z.string(), slug: z.string() }).nullable(),
});
export type Verified = z.infer<typeof verifiedSchema>;

export const slugAvailableSchema = z.object({ slug: z.string(), available: z.boolean(), reason: z.enum(['taken', 'invalid']).nullable() });
export type SlugAvailable = z.infer<typeof slugAvailableSchema>;

export const bookingPolicySchema = z.object({
  minNoticeMinutes: z.number().optional(),
  horizonDays: z.number().optional(),
  slotStepMinutes: z.number().optional(),
  maxPerDay: z.number().optional(),
  holdMinutes: z.number().optional(),
  bufferBeforeMinutes: z.number().optional(),
  bufferAfterMinutes: z.number().optional(),
  cancelUntilHoursBefore: z.number().optional(),
  rescheduleUntilHoursBefore: z.number().optional(),
  refundUntilHoursBefore: z.number().optional(),
});
export type BookingPolicy = z.infer<typeof bookingPolicySchema>;

export const whatsappSettingsSchema = z.object({
  enabled: z.boolean(),
  phoneE164: z.string().optional(),
  messageTemplate: z.string().optional(),
  bookingMode: z.enum(['confirm', 'request']).optional(),
});
export type WhatsappSettings = z.infer<typeof whatsappSettingsSchema>;

export const profileSchema = z.object({
  personName: z.string().optional(),
  bio: z.string().optional(),
  languages: z.array(z.string()).optional(),
  photoUrl: z.string().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

/** `settings.notifications`: provider mail (address, language, on/off), reminder offsets in minutes, agenda hour. */
export const notificationSettingsSchema = z.object({
  email: z.string().optional(),
  lang: z.enum(['en', 'ar']).optional(),
  providerEmails: z.boolean().optional(),
  reminders: z.array(z.number()).optional(),
  agendaHour: z.number().optional(),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** `settings.embed`: allowed framing origins and the snippet chosen on the Share screen. */
export const embedSettingsSchema = z.object({
  allowedOrigins: z.array(z.string()).optional(),
  mode: z.enum(['inline', 'popup', 'floating']).optional(),
  buttonLabel: z.string().optional(),
  buttonTextColor: z.string().optional(),
  prefill: z.boolean().optional(),
});
export type EmbedSettings = z.infer<typeof embedSettingsSchema>;

export const ownerProviderSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  timezone: z.string(),
  isPublic: z.boolean(),
  profile: profileSchema.nullish(),
  booking: bookingPolicySchema.nullish(),
  whatsapp: whatsappSettingsSchema.nullish(),
  appearance: z.object({ accentColor: z.string().optional() }).nullish(),
  embed: embedSettingsSchema.nullish(),
  notifications: notificationSettingsSchema.nullish(),
  workingHours: z.unknown(),
  timeOff: z.unknown(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).passthrough();
export type OwnerProvider = z.infer<typeof ownerProviderSchema>;

const range = z.object({ start: z.string(), end: z.string() });
export const hoursSchema = z.object({
  timezone: z.string().optional(),
  weekly: z.array(z.object({ days: z.array(z.number()), start: z.string(), end: z.string() })),
  overrides: z.array(z.object({ date: localDate, intervals: z.array(range) })),
  timeOff: z.array(z.object({ from: localDate, to: localDate, label: z.string().optional() })),
});
/** `GET/PUT …/hours`: ISO weekdays (1 = Monday … 7 = Sunday), several ranges per day; `24:00` may end a range. */
export type Hours = z.infer<typeof hoursSchema>;

export const locationSchema = z.object({ type: z.enum(['in_person', 'phone', 'whatsapp', 'video']), address: z.string().optional() });
export const ownerServiceSchema = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  durationMinutes: z.number(),
  priceCents: z.number(),
  currency: z.string(),
  bufferBeforeMinutes: z.number().nullish(),
  bufferAfterMinutes: z.number().nullish(),
  location: locationSchema.nullish(),
  bookingMode: z.enum(['instant', 'request']),
  hidden: z.boolean(),
  position: z.number(),
  /** The service's own notice (minutes), horizon (days) and bookings per day; null: the provider's policy. */
  minNoticeMinutes: z.number().nullish(),
  horizonDays: z.number().nullish(),
  maxPerDay: z.number().nullish(),
});
export type OwnerService = z.infer<typeof ownerServiceSchema>;

/** `GET …/preview`: the next 7 days of free times as a visitor sees them (the public slots answer) for one service. */
export interface FreeTimesPreview {
  timezone: string;
  slots: { start: string; end: string }[];
  days: Record<string, number>;
  calendar: { stale: boolean; failing: boolean };
  serviceId: string;
  from: string;
  to: string;
}

export const ownerBookingStatus = z.enum(['pending', 'confirmed', 'cancelled', 'declined', 'completed', 'expired', 'no_show']);
export type OwnerBookingStatus = z.infer<typeof ownerBookingStatus>;

export const ownerBookingSchema = z.object({
  id: z.string(),
  status: ownerBookingStatus,
  start: instant,
  end: instant,
  providerId: z.string(),
  serviceId: z.string(),
  service: z.object({ id: z.string(), slug: z.string(), title: z.string(), durationMinutes: z.number() }).nullable(),
  holdExpiresAt: z.string().nullable(),
  awaitingApproval: z.boolean(),
  createdBy: z.enum(['visitor', 'owner']),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  notes: z.string().nullish(),
  timezone: z.string().nullable(),
  priceCents: z.number().nullable(),
  currency: z.string().nullable(),
  meetingUrl: z.string().nullable(),
  cancelReason: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  createdAt: z.string(),
  clientKey: z.string().nullable(),
  erased: z.boolean(),
  payment: z.object({
    status: z.string(), amountCents: z.number(), currency: z.string(), txnId: z.string().nullable(), refundTxnId: z.string().nullable(),
  }).nullable(),
}).passthrough();
export type OwnerBooking = z.infer<typeof ownerBookingSchema>;

export const bookingActionsSchema = z.object({
  approve: z.boolean(), decline: z.boolean(), cancel: z.boolean(), reschedule: z.boolean(), complete: z.boolean(), noShow: z.boolean(),
});
export const bookingDetailsSchema = ownerBookingSchema.extend({
  hasManageLink: z.boolean(),
  providerTimezone: z.string(),
  clientNotes: z.string().nullish(),
  locationLine: z.string().nullable(),
  whatsappUrl: z.string().nullable(),
  actions: bookingActionsSchema,
  /** Whether cancelling now refunds the payment under the provider's policy. */
  refundOnCancel: z.boolean(),
  /** After a cancel: the refund queued with it (`pending`; the job worker makes it), or already made (`issued`). */
  refund: z.object({ pending: z.boolean(), issued: z.boolean(), byPolicy: z.boolean() }).optional(),
  /** A date of a weekly series: its place ("3 of 8": `index` of the planned `occurrences`) and every date of it. */
  series: z.object({
    id: z.string(), index: z.number(), occurrences: z.number(), intervalWeeks: z.number(),
    dates: z.array(z.object({ id: z.string(), index: z.number(), start: z.string(), status: z.string() })),
  }).nullish(),
});
export type BookingDetails = z.infer<typeof bookingDetailsSchema>;

export const bookingListSchema = z.object({ bookings: z.array(ownerBookingSchema), total: z.number(), limit: z.number(), offset: z.number() });
export type BookingList = z.infer<typeof bookingListSchema>;
export type BookingScope = 'today' | 'upcoming' | 'past' | 'requests' | 'all';

export const clientSchema = z.object({
  key: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  bookings: z.number(),
  completed: z.number(),
  noShows: z.number(),
  cancelled: z.number(),
  upcoming: z.number(),
  firstStart: z.string().nullable(),
  lastStart: z.string().nullable(),
  notes: z.string().nullable(),
});
export type Client = z.infer<typeof clientSchema>;
export const clientListSchema = z.object({ clients: z.array(clientSchema), total: z.number(), limit: z.number(), offset: z.number() });
export type ClientList = z.infer<typeof clientListSchema>;
export const clientDetailsSchema = clientSchema.extend({ history: z.array(ownerBookingSchema) });
export type ClientDetails = z.infer<typeof clientDetailsSchema>;

/**
 * `GET …/outbox`: every message the server sent or kept, newest first. `kept`: no SMTP server is set up, so the
 * message was written down instead of sent; `skipped`: it no longer applied when its turn came.
 */
export const outboxStatus = z.enum(['queued', 'sent', 'failed', 'kept', 'skipped']);
export type OutboxStatus = z.infer<typeof outboxStatus>;
export const outboxMessageSchema = z.object({
  id: z.union([z.number(), z.string()]),
  kind: z.string(),
  channel: z.enum(['email', 'whatsapp']),
  bookingId: z.string().nullable(),
  recipient: z.string().nullable(),
  lang: z.string().nullable(),
  subject: z.string().nullable(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  icsMethod: z.string().nullable(),
  status: outboxStatus,
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
export const outboxSchema = z.array(outboxMessageSchema);

/** `GET …/agenda?date=`: the clients of one local day, with a one-tap WhatsApp reminder when they gave a phone. */
export const agendaSchema = z.object({
  date: localDate,
  timezone: z.string(),
  providerName: z.string(),
  items: z.array(z.object({
    bookingId: z.string(),
    start: instant,
    end: instant,
    status: z.string(),
    awaitingApproval: z.boolean(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    service: z.string(),
    lang: z.string(),
    message: z.string(),
    whatsappUrl: z.string().nullable(),
  })),
});
export type Agenda = z.infer<typeof agendaSchema>;

// Requests (mirroring server/app-api/schemas.ts).

export type HoursPreset = 'mon-fri-9-5' | 'sun-thu-9-5' | 'mon-sat-9-5' | 'every-day-9-9';
export type Location = z.infer<typeof locationSchema>;

export interface OnboardingBody {
  name: string;
  personName?: string;
  slug: string;
  timezone: string;
  hoursPreset?: HoursPreset;
  hours?: Hours;
  service: { title: string; durationMinutes: number; priceCents?: number; currency?: string; location?: Location; bookingMode?: 'instant' | 'request' };
  whatsappNumber?: string;
}
export interface OnboardingAnswer { provider: OwnerProvider; pageUrl: string }

export interface ServiceBody {
  title: string;
  durationMinutes: number;
  slug?: string;
  description?: string;
  priceCents?: number;
  currency?: string;
  bufferBeforeMinutes?: number;
  bufferAfterMinutes?: number;
  location?: Location;
  bookingMode?: 'instant' | 'request';
  hidden?: boolean;
  /** null: back to the provider's policy (left out: unchanged). */
  minNoticeMinutes?: number | null;
  horizonDays?: number | null;
  maxPerDay?: number | null;
}

export interface ProviderPatch {
  name?: string;
  slug?: string;
  timezone?: string;
  isPublic?: boolean;
  profile?: Profile;
  booking?: BookingPolicy;
  whatsapp?: WhatsappSettings;
  appearance?: { accentColor?: string };
  embed?: EmbedSettings;
  notifications?: NotificationSettings;
}

export interface ManualBookingBody {
  serviceId: string;
  start: string;
  name: string;
  email?: string;
  phone?: string;
  notes?: string;
  timezone?: string;
  outsideHours?: boolean;
}

// Calendars (`…/calendars`, issue 14).

/** One connected calendar source's health, in words the app shows as they are. */
export const calendarHealthSchema = z.object({
  source: z.string(),
  kind: z.enum(['caldav', 'ics', 'google', 'microsoft']),
  label: z.string().nullable(),
  account: z.string().nullable(),
  status: z.enum(['ok', 'warning', 'failing', 'waiting']),
  lastSuccessAt: instant.nullable(),
  /** Plain words, while failing. */
  lastError: z.string().nullable(),
  failingSince: instant.nullable(),
  /** Events the last refresh could not read. */
  warning: z.string().nullable(),
  nextRefreshAt: instant,
});
export type CalendarHealth = z.infer<typeof calendarHealthSchema>;
export type CalendarKind = CalendarHealth['kind'];

/** `GET …/calendars` (and the health part of every calendar write's answer). */
export const calendarsSchema = z.object({
  sources: z.array(calendarHealthSchema),
  busyCalendarIds: z.array(z.string()),
  writeCalendarId: z.string().nullable(),
  writeGoogleCalendarId: z.string().nullable().optional(),
  writeMicrosoftCalendarId: z.string().nullable().optional(),
  appPasswordHelp: z.string(),
});
export type Calendars = z.infer<typeof calendarsSchema>;

/** A calendar of a connected account; `busy`: its events count as busy time. */
export const accountCalendarSchema = z.object({ id: z.string(), name: z.string(), color: z.string().optional(), busy: z.boolean() });
export type AccountCalendar = z.infer<typeof accountCalendarSchema>;

/** `GET …/calendars/<kind>/calendars`: the account's calendars and the one new bookings are written to. */
export const accountCalendarsSchema = z.object({ calendars: z.array(accountCalendarSchema), writeCalendarId: z.string().nullable() });
export type AccountCalendars = z.infer<typeof accountCalendarsSchema>;

/** The answer to connecting CalDAV or saving a choice: the health plus the account's calendars. */
export type CalendarsWithChoice = Calendars & { calendars: AccountCalendar[] };

/** `POST …/caldav/test` and `…/ics/test` answer 200 either way; `field` names the input to fix. */
export type CalendarTestFailure = { ok: false; field: string; message: string };
export type CalDavTest = { ok: true; message: string; serverUrl: string; calendars: { id: string; name: string; color?: string }[] } | CalendarTestFailure;
export type IcsTest = { ok: true; message: string; busyCount: number } | CalendarTestFailure;

export interface CalDavForm { server: string; username: string; password: string }
export interface CalendarChoice { busyCalendarIds: string[]; writeCalendarId: string | null }
export type CalDavConnectBody = CalDavForm & Partial<CalendarChoice>;
/** `POST …/google/start` and `…/microsoft/start`: where to send the provider for consent. */
export interface OAuthStart { url: string; redirectUri: string }
// Payments (server/app-api/payments.ts): the provider's own Stripe account, or the server's.

/**
 * `GET …/payments`: `connected` — the provider's own Stripe keys are stored; `source` — whose account paid services
 * use now (`provider`, `server` = the instance's env keys or its local test checkout, null = none: paid services
 * cannot be booked); `testCheckout` — the server's account is the local test checkout (no real money). Never a key.
 */
export const paymentStatusSchema = z.strictObject({
  connected: z.boolean(),
  source: z.enum(['provider', 'server']).nullable(),
  mode: z.enum(['test', 'live']).nullable(),
  testCheckout: z.boolean(),
  accountName: z.string().nullable().optional(),
  webhookUrl: z.string(),
  webhookEvents: z.array(z.string()),
  lastWebhookAt: z.string().nullable().optional(),
  connectedAt: z.string().nullable().optional(),
  help: z.string(),
});
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/** `POST …/payments/test`: whether Stripe accepts the key, in plain words. */
export const paymentKeyCheckSchema = z.union([
  z.strictObject({ ok: z.literal(true), message: z.string(), mode: z.enum(['test', 'live']), accountName: z.string().nullable() }),
  z.strictObject({ ok: z.literal(false), field: z.enum(['secretKey', 'webhookSecret']), message: z.string() }),
]);
export type PaymentKeyCheck = z.infer<typeof paymentKeyCheckSchema>;

export interface PaymentConnectBody { secretKey: string; webhookSecret: string }
/** `POST …/payments` (201): the status with Stripe's acceptance in plain words. */
export const paymentConnectedSchema = paymentStatusSchema.extend({ message: z.string() });
/** `DELETE …/payments`: how many key sets were removed (0 or 1), and the status after. */
export const paymentDisconnectedSchema = paymentStatusSchema.extend({ removed: z.number() });
/**
 * `GET|PUT …/services/:serviceId/reminders`: a service's own reminder offsets (minutes before the start). `reminders`
 * null follows the provider's list (`providerReminders`, from `notifications.reminders`, default 24 h and 2 h);
 * `[]` sends none. PUT takes `{reminders: number[] | null}`: 1–43200 whole minutes, at most 5, no repeats.
 */
export const serviceRemindersSchema = z.object({
  serviceId: z.string(),
  reminders: z.array(z.number()).nullable(),
  providerReminders: z.array(z.number()),
});
export type ServiceReminders = z.infer<typeof serviceRemindersSchema>;
/** `GET` / `PUT …/services/:serviceId/series`: the weekly series a service allows — 0 (none) or 2 … 52 dates, every 1 … 8 weeks. */
export const serviceSeriesSchema = z.object({
  maxOccurrences: z.number().int().min(0).max(52).refine((n) => n !== 1, 'must be 0 (no series) or at least 2'),
  maxIntervalWeeks: z.number().int().min(1).max(8).default(1),
}).strict();
export type SeriesOptions = z.input<typeof serviceSeriesSchema>;
