import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { workingHoursSchema } from '../availability/working-hours.ts';
import type { Db } from '../db/port.ts';
import { fieldErrors, isTimeZone } from '../http/validate.ts';
import type { FieldError } from '../http/problem.ts';
import { SLUG_PATTERN } from '../../contract/rules.ts';

const slug = z.string().regex(SLUG_PATTERN, 'must be lowercase letters, digits and dashes');
const zone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai');
const minutes = (max: number) => z.number().int().min(0).max(max);

const serviceSchema = z.object({
  slug,
  title: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  durationMinutes: z.number().int().min(5).max(1440),
  priceCents: z.number().int().min(0).default(0),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as AED').default('AED'),
  bufferBeforeMinutes: minutes(1440).optional(),
  bufferAfterMinutes: minutes(1440).optional(),
  location: z
    .object({
      type: z.enum(['in_person', 'phone', 'whatsapp', 'video']),
      address: z.string().max(500).optional(),
    })
    .optional(),
  /** Provider app: `request` makes a free booking wait for the provider's approval (kept when absent). */
  bookingMode: z.enum(['instant', 'request']).optional(),
  /** The service's own notice, horizon and bookings a day; null = the provider's `booking` (kept when absent). */
  minNoticeMinutes: z.number().int().min(0).max(525_600).nullable().optional(),
  horizonDays: z.number().int().min(1).max(730).nullable().optional(),
  maxPerDay: z.number().int().min(1).max(1000).nullable().optional(),
  /** Weekly series (README "Weekly series"): up to `maxOccurrences` dates, every 1 … `maxIntervalWeeks` weeks. */
  series: z.object({
    maxOccurrences: z.number().int().min(0).max(52),
    maxIntervalWeeks: z.number().int().min(1).max(8).default(1),
  }).optional(),
});

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #RRGGBB');

/**
 * `settings.embed`: where the page may be framed, and the snippet the provider chose in the app's Share screen
 * (mode, button label and text colour, whether the host page passes the visitor's name and email). Strict: an
 * unknown key (a misspelt `color`) is refused by name instead of being dropped on save.
 */
export const embedSchema = z.object({
  allowedOrigins: z.array(z.string().url()).optional(),
  mode: z.enum(['inline', 'popup', 'floating']).optional(),
  buttonLabel: z.string().trim().min(1).max(60).optional(),
  buttonTextColor: hexColor.optional(),
  prefill: z.boolean().optional(),
}).strict();

/** `settings.appearance`: the accent colour of the booking page, the widget's buttons and the embed snippet. */
export const appearanceSchema = z.object({ accentColor: hexColor.optional() }).strict();

/** `settings` exactly in the seeds' shape, plus `booking`, `embed` and `appearance`. */
export const settingsSchema = z
  .object({
    workingHours: workingHoursSchema,
    whatsapp: z
      .object({
        enabled: z.boolean(),
        phoneE164: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +971500000000').optional(),
        messageTemplate: z.string().max(1000).optional(),
        bookingMode: z.enum(['confirm', 'request']).optional(),
      })
      .refine((w) => !w.enabled || w.phoneE164, { message: 'phoneE164 is required when enabled', path: ['phoneE164'] })
      .optional(),
    calendar: z
      .object({
        selectedCalendarIds: z.array(z.string()).default([]),
        onError: z.enum(['hide', 'ignore']).optional(),
      })
      .passthrough()
      .optional(),
    booking: z
      .object({
        minNoticeMinutes: minutes(60 * 24 * 365).optional(),
        horizonDays: z.number().int().min(1).max(730).optional(),
        slotStepMinutes: z.number().int().min(5).max(1440).optional(),
        bufferBeforeMinutes: minutes(1440).optional(),
        bufferAfterMinutes: minutes(1440).optional(),
        maxPerDay: z.number().int().min(1).max(1000).optional(),
        holdMinutes: z.number().int().min(5).max(24 * 60).optional(),
        maxHoldsPerContact: z.number().int().min(1).max(100).optional(),
        cancelUntilHoursBefore: z.number().min(0).optional(),
        rescheduleUntilHoursBefore: z.number().min(0).optional(),
        refundUntilHoursBefore: z.number().min(0).optional(),
      })
      .optional(),
    embed: embedSchema.optional(),
    appearance: appearanceSchema.optional(),
  })
  .passthrough();

export const providerFileSchema = z
  .object({
    slug,
    name: z.string().min(1).max(200),
    timezone: zone.default('Asia/Dubai'),
    isPublic: z.boolean().default(false),
    settings: settingsSchema,
    services: z.array(serviceSchema).max(50).default([]),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.services.forEach((s, i) => {
      // `/c/<provider>/share` is the provider's share page, so no service may take that name.
      if (s.slug === 'share') ctx.addIssue({ code: 'custom', message: '"share" is reserved', path: ['services', i, 'slug'] });
      if (seen.has(s.slug)) ctx.addIssue({ code: 'custom', message: `duplicate service slug ${s.slug}`, path: ['services', i, 'slug'] });
      seen.add(s.slug);
    });
    const whZone = file.settings.workingHours.timezone;
    if (whZone !== undefined && !isTimeZone(whZone)) {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone', path: ['settings', 'workingHours', 'timezone'] });
    }
  });

export type ProviderFile = z.infer<typeof providerFileSchema>;

export type ParseResult = { ok: true; file: ProviderFile } | { ok: false; errors: FieldError[] };

/** Validates a provider file, listing every problem at once. */
export function parseProviderFile(data: unknown): ParseResult {
  const parsed = providerFileSchema.safeParse(data);
  return parsed.success ? { ok: true, file: parsed.data } : { ok: false, errors: fieldErrors(parsed.error) };
}

/** Reads and validates a provider file from disk (JSON syntax errors are reported too). */
export async function readProviderFile(path: string): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [{ field: 'file', message: `cannot read ${path}: ${(error as Error).message}` }] };
  }
  try {
    return parseProviderFile(JSON.parse(text));
  } catch (error) {
    return { ok: false, errors: [{ field: 'file', message: `is not valid JSON: ${(error as Error).message}` }] };
  }
}

/**
 * Creates or updates the provider and its services (idempotent by slug). One SQL call, so an
 * invalid file never half-applies.
 */
export async function applyProviderFile(db: Db, file: ProviderFile): Promise<{ id: string; slug: string }> {
  const applied = await db.rpc('apply_provider_with_limits', {
    p_slug: file.slug,
    p_name: file.name,
    p_timezone: file.timezone,
    p_is_public: file.isPublic,
    p_settings: file.settings,
    p_services: file.services,
  });
  // Series options live in their own columns (migration weekly_series); a file that names none leaves them as they are.
  if (file.services.some((s) => s.series)) {
    await db.rpc('apply_service_series', { p_provider_id: applied.id, p_services: file.services });
  }
  return applied;
}
