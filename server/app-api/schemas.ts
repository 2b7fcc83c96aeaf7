import { z } from 'zod';
import { CONTROL_CHARS, isTimeZone, parseInstant } from '../http/validate.ts';
import { settingsSchema } from '../providers/file.ts';
import { HOURS_PRESETS, hoursSchema } from './hours.ts';

/** Request bodies and queries of the owner API (server/app-api/README.md documents each). */

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');
const multiline = (max: number) => z.string().max(max, `must be at most ${max} characters`)
  .refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');
export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (at most 63)');
const zone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai');
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an international number such as +971500000000');
const instant = z.string().max(40).refine((s) => parseInstant(s) !== null, 'must be an ISO 8601 instant with an offset');
export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const location = z.object({
  type: z.enum(['in_person', 'phone', 'whatsapp', 'video']),
  address: text(500).optional(),
});

const serviceFields = {
  slug: slug.refine((s) => s !== 'share', '"share" is reserved'),
  title: text(200).pipe(z.string().min(1, 'is required')),
  description: multiline(2000),
  durationMinutes: z.number().int().min(5).max(1440),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as AED'),
  /** Minutes kept free around each booking; null (or left out on create) = the provider's booking policy. */
  bufferBeforeMinutes: z.number().int().min(0).max(1440).nullable(),
  bufferAfterMinutes: z.number().int().min(0).max(1440).nullable(),
  location,
  bookingMode: z.enum(['instant', 'request']),
  hidden: z.boolean(),
  /** The service's own notice (minutes), horizon (days) and bookings per day; null = the provider's policy. */
  minNoticeMinutes: z.number().int().min(0).max(525_600).nullable(),
  horizonDays: z.number().int().min(1).max(730).nullable(),
  maxPerDay: z.number().int().min(1).max(1000).nullable(),
};

export const serviceCreateSchema = z.object({
  ...serviceFields,
  slug: serviceFields.slug.optional(),
  description: serviceFields.description.optional(),
  priceCents: serviceFields.priceCents.optional(),
  currency: serviceFields.currency.optional(),
  bufferBeforeMinutes: serviceFields.bufferBeforeMinutes.optional(),
  bufferAfterMinutes: serviceFields.bufferAfterMinutes.optional(),
  location: location.optional(),
  bookingMode: serviceFields.bookingMode.optional(),
  hidden: serviceFields.hidden.optional(),
  minNoticeMinutes: serviceFields.minNoticeMinutes.optional(),
  horizonDays: serviceFields.horizonDays.optional(),
  maxPerDay: serviceFields.maxPerDay.optional(),
}).strict();

export const servicePatchSchema = z.object(serviceFields).partial().strict()
  .refine((s) => Object.keys(s).length > 0, 'send at least one field to change');

export const reorderSchema = z.object({ serviceIds: z.array(z.string().regex(uuid, 'must be a service id')).min(1).max(200) }).strict();

/** "layla-haddad" from "Layla Haddad — Personal Training" (Latin letters and digits only; '' when none). */
export function slugify(value: string): string {
  return value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
}

const profile = z.object({
  personName: text(100).optional(),
  bio: multiline(1000).optional(),
  languages: z.array(z.string().regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, 'must be a language code such as en or ar')).max(20).optional(),
  photoUrl: z.string().url().max(1000).refine((u) => u.startsWith('https://'), 'must be an https URL').optional(),
}).strict();

/**
 * `settings.notifications`, as the notification functions read it (20261130000700_notifications.sql): where provider
 * mail goes (else the sign-in address) and in which language, whether it is sent at all, the reminder offsets
 * (minutes before the start; 1 minute to 30 days, at most 5) and the local hour of the daily agenda email
 * (left out: no agenda email).
 */
export const notificationsSchema = z.object({
  email: z.string().trim().toLowerCase().max(254).email('must be an email address').optional(),
  lang: z.enum(['en', 'ar']).optional(),
  providerEmails: z.boolean().optional(),
  reminders: z.array(z.number().int().min(1).max(43_200)).max(5)
    .refine((r) => new Set(r).size === r.length, 'must not repeat an offset').optional(),
  agendaHour: z.number().int().min(0).max(23).optional(),
}).strict();

/** Settings: each section sent replaces that section; sections not sent stay as they are. */
export const providerPatchSchema = z.object({
  name: text(200).pipe(z.string().min(1, 'is required')).optional(),
  slug: slug.optional(),
  timezone: zone.optional(),
  isPublic: z.boolean().optional(),
  profile: profile.optional(),
  booking: settingsSchema.shape.booking,
  whatsapp: settingsSchema.shape.whatsapp,
  appearance: settingsSchema.shape.appearance,
  embed: settingsSchema.shape.embed,
  notifications: notificationsSchema.optional(),
}).strict().refine((p) => Object.keys(p).length > 0, 'send at least one field to change');

export const onboardingSchema = z.object({
  name: text(200).pipe(z.string().min(1, 'is required')),
  personName: text(100).optional(),
  slug,
  timezone: zone,
  hoursPreset: z.enum(Object.keys(HOURS_PRESETS) as [keyof typeof HOURS_PRESETS, ...(keyof typeof HOURS_PRESETS)[]]).optional(),
  hours: hoursSchema.optional(),
  service: z.object({
    title: serviceFields.title,
    durationMinutes: serviceFields.durationMinutes,
    priceCents: serviceFields.priceCents.default(0),
    currency: serviceFields.currency.default('AED'),
    location: location.optional(),
    bookingMode: serviceFields.bookingMode.optional(),
  }).strict(),
  whatsappNumber: phone.optional(),
}).strict().refine((o) => o.hoursPreset || o.hours, { message: 'give hoursPreset or hours', path: ['hoursPreset'] });

const reason = text(500).optional();
export const reasonSchema = z.object({ reason }).strict();
export const cancelSchema = z.object({
  reason, refund: z.boolean().optional(),
  /** A booking paid with a package credit: give the credit back (true) or keep it spent (false); left out = the policy. */
  returnCredit: z.boolean().optional(),
}).strict();
/** Weekly series: cancel this date, or (`andLater`) it and every later live date of its series. */
export const seriesCancelSchema = z.object({ reason, andLater: z.boolean().default(false) }).strict();
export const rescheduleSchema = z.object({ start: instant, outsideHours: z.boolean().optional() }).strict();
export const outcomeSchema = z.object({ outcome: z.enum(['completed', 'no_show']) }).strict();
export const emptySchema = z.object({}).strict();

export const manualBookingSchema = z.object({
  serviceId: z.string().regex(uuid, 'must be a service id'),
  start: instant,
  name: text(200).pipe(z.string().min(1, 'is required')),
  email: z.string().trim().toLowerCase().max(254).email('must be an email address').optional(),
  phone: phone.optional(),
  notes: multiline(2000).optional(),
  timezone: zone.optional(),
  /** Book a time the public page would not offer (outside hours, inside the notice); overlaps are still refused. */
  outsideHours: z.boolean().optional(),
}).strict().refine((b) => b.email || b.phone, { message: 'give an email or a phone number', path: ['email'] });

export const clientNotesSchema = z.object({ notes: multiline(5000) }).strict();

export const bookingListQuery = z.object({
  scope: z.enum(['today', 'upcoming', 'past', 'requests', 'all']).default('upcoming'),
  service: z.string().regex(uuid, 'must be a service id').optional(),
  status: z.enum(['pending', 'confirmed', 'cancelled', 'declined', 'completed', 'expired', 'no_show']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const clientListQuery = z.object({
  search: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
