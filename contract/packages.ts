import { z } from 'zod';
import { CONTROL_CHARS, PHONE_PATTERN } from './rules.ts';

/**
 * Packages and credits (issue 15): the public and owner requests as zod schemas the server validates with, and the
 * answers' types. The visitor pages that show packages and wallets are rendered by the server (no page JS), so only
 * the booking page's `walletToken` (contract/api.ts) and the credit line (`./credit-line.ts`) reach the browser.
 */

const text = (max: number) =>
  z.string().trim().max(max, `must be at most ${max} characters`).refine((s) => !CONTROL_CHARS.test(s), 'must not contain control characters');
const email = z.string().trim().max(254).pipe(z.email('must be an email address')).optional().or(z.literal('').transform(() => undefined));
const phone = z.string().trim().regex(PHONE_PATTERN, 'must be a phone number, e.g. +971500000000').optional()
  .or(z.literal('').transform(() => undefined));
const needsContact = (b: { email?: string; phone?: string }, ctx: z.RefinementCtx) => {
  if (!b.email && !b.phone) ctx.addIssue({ code: 'custom', message: 'give an email or a phone number', path: ['email'] });
};

/** `POST /api/providers/:slug/packages/:id/checkout` (JSON or the package page's form). */
export const packageCheckoutSchema = z.object({
  name: text(200).optional().default(''),
  email,
  phone,
}).superRefine(needsContact);
export type PackageCheckoutRequest = z.input<typeof packageCheckoutSchema>;

const packageFields = {
  serviceId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a service id'),
  title: text(200).pipe(z.string().min(1, 'is required')),
  sessions: z.number().int().min(1, 'must be at least 1').max(500),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as AED'),
  validityDays: z.number().int().min(1, 'must be at least 1 day').max(3660),
  hidden: z.boolean(),
};
/** `POST /api/app/providers/:id/packages`. */
export const packageCreateSchema = z.object({
  ...packageFields, currency: packageFields.currency.optional(), hidden: packageFields.hidden.optional(),
}).strict();
/** `PATCH /api/app/providers/:id/packages/:packageId`: only the fields sent change. */
export const packagePatchSchema = z.object(packageFields).partial().strict()
  .refine((p) => Object.keys(p).length > 0, 'send at least one field to change');

/** `POST /api/app/providers/:id/packages/:packageId/sales`: a sale paid in cash or by bank transfer. */
export const packageSaleSchema = z.object({
  name: text(200).optional().default(''),
  clientEmail: email,
  clientPhone: phone,
  source: z.enum(['cash', 'bank']),
  /** The provider's own note of the payment (receipt or transfer reference). */
  paymentRef: text(200).optional(),
}).strict().superRefine((b, ctx) => {
  if (!b.clientEmail && !b.clientPhone) ctx.addIssue({ code: 'custom', message: 'give an email or a phone number', path: ['clientEmail'] });
});
export type PackageSaleRequest = z.input<typeof packageSaleSchema>;

/** A package as the public and the owner see it. */
export interface PackageJson {
  id: string;
  serviceId: string;
  title: string;
  sessions: number;
  priceCents: number;
  currency: string;
  validityDays: number;
  hidden: boolean;
  service: { slug: string; title: string; durationMinutes: number };
  /** Owner list only: sales granted. */
  sold?: number;
}

/** `GET /api/providers/:slug/packages`. */
export interface PublicPackages {
  provider: { slug: string; name: string; timezone: string };
  packages: PackageJson[];
}

/** One sale in a wallet. */
export interface GrantJson {
  id: string;
  packageId: string;
  title: string;
  sessions: number;
  used: number;
  left: number;
  status: 'pending' | 'granted';
  expired: boolean;
  source: 'stripe' | 'cash' | 'bank';
  amountCents: number;
  currency: string;
  paymentRef: string | null;
  grantedAt: string | null;
  expiresAt: string | null;
  createdAt: string;
  service: { slug: string; title: string };
}

/** `GET /api/wallet/:token` (and each wallet of the owner's list, with `url`). */
export interface WalletJson {
  id: string;
  clientKey: string;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  provider: { slug: string; name: string; timezone: string };
  /** Credits usable now, per service, and the earliest expiry among them. */
  balance: { service: { slug: string; title: string }; left: number; nextExpiry: string }[];
  grants: GrantJson[];
  history: { bookingId: string; grantId: string; start: string; status: string; serviceTitle: string; usedAt: string; returnedAt: string | null }[];
  /** The secret wallet link (owner answers only). */
  url?: string;
}
