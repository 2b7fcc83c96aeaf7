import { z } from 'zod';
import { CONTROL_CHARS, isTimeZone, parseInstant } from '../http/validate.ts';

const text = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');

/** `POST /api/bookings` body. `email` or `phone` is required; the rest is optional. */
export const bookingRequestSchema = z
  .object({
    provider: z.string().min(1, 'is required').max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'is not a provider'),
    service: z.string().min(1, 'is required').max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'is not a service'),
    start: z
      .string()
      .max(40)
      .refine((s) => parseInstant(s) !== null, 'must be an ISO 8601 instant with an offset, e.g. 2026-12-01T09:00:00Z'),
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
      .regex(/^\+?[0-9][0-9 ()-]{5,24}$/, 'must be a phone number, e.g. +971500000000')
      .optional()
      .or(z.literal('').transform(() => undefined)),
    notes: text(2000).optional().default(''),
    timezone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Dubai').optional(),
    lang: z.enum(['en', 'ar']).optional(),
    /** Binds a retry to its first request (see create_booking_if_free): 8–200 printable ASCII characters, no spaces. */
    idempotencyKey: z
      .string()
      .min(8, 'must be at least 8 characters')
      .max(200, 'must be at most 200 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  })
  .superRefine((b, ctx) => {
    if (!b.email && !b.phone) ctx.addIssue({ code: 'custom', message: 'give an email or a phone number', path: ['email'] });
  });

export type BookingRequest = z.infer<typeof bookingRequestSchema>;
