import type Stripe from 'stripe';
import type { Db } from '../db/port.ts';
import { decryptSecret, SecretsKeyError, type EncryptedSecret } from '../secrets/crypto.ts';
import { stripeClient, type StripeSetup } from './stripe.ts';

/** Which Stripe account a provider takes payments with: their own (connected in the app) or the server's (env). */
export type PaymentSource = 'provider' | 'server';

/** What the app's status answer is built from (`app_payment_account`): never the keys. */
export type PaymentAccountStatus =
  | { connected: false }
  | { connected: true; mode: 'test' | 'live'; accountId: string | null; accountName: string | null; connectedAt: string; lastWebhookAt: string | null };

/** The keys a provider pasted, as they are encrypted at rest (SECRETS_KEY). */
export interface ProviderStripeKeys {
  secretKey: string;
  webhookSecret: string;
}

/** What resolving an account needs besides the database: the server's Stripe, the secrets key and the API host. */
export interface PaymentAccountsOptions {
  /** The server-level Stripe from the env keys (or the demo checkout); null without. */
  server: StripeSetup | null;
  /** SECRETS_KEY (parsed): without it no provider's keys can be read, and providers fall back to the server's. */
  secretsKey: Buffer | null;
  /** `STRIPE_API_BASE`: another Stripe host for providers' keys too (the tests' local fake). */
  apiBase: string | null;
}

export type ResolvedStripe = StripeSetup & { source: PaymentSource };

function providerClient(secret: EncryptedSecret, options: Pick<PaymentAccountsOptions, 'secretsKey' | 'apiBase'>): StripeSetup {
  if (!options.secretsKey) throw new SecretsKeyError('SECRETS_KEY is not set: a provider\'s Stripe keys cannot be read');
  const keys = decryptSecret<ProviderStripeKeys>(secret, options.secretsKey);
  return { stripe: stripeClient(keys.secretKey, options.apiBase ?? undefined), webhookSecret: keys.webhookSecret };
}

/**
 * The Stripe a provider takes new payments with: their own keys when connected, else the server's; null when
 * neither is set (paid services cannot be booked). Keys that cannot be decrypted (SECRETS_KEY missing or changed)
 * count as not usable: null, never the server's account, so a payment never lands in the wrong account.
 */
export async function stripeForProvider(db: Db, options: PaymentAccountsOptions, providerId: string): Promise<ResolvedStripe | null> {
  const row = await db.rpc('payment_account_for_provider', { p_provider_id: providerId });
  if (!row) return options.server ? { ...options.server, source: 'server' } : null;
  try {
    return { ...providerClient(row.secret, options), source: 'provider' };
  } catch (error) {
    if (error instanceof SecretsKeyError) return null;
    throw error;
  }
}

/**
 * The Stripe client of the account that took a booking's payment (refunds, closing its checkout): the provider's
 * when the payment was made with their keys — null when they have disconnected since — else the server's.
 */
export async function stripeForBooking(
  db: Db, options: Omit<PaymentAccountsOptions, 'server'> & { server: { stripe: Stripe } | null }, bookingId: string,
): Promise<Stripe | null> {
  const row = await db.rpc('payment_account_for_booking', { p_booking_id: bookingId });
  if (!row || row.account === 'server') return options.server?.stripe ?? null;
  if (!row.secret) return null;
  return providerClient(row.secret, options).stripe;
}

/** The Stripe key's mode from its prefix (`sk_test_…`, `rk_live_…`), or null when it is not a secret/restricted key. */
export function keyMode(secretKey: string): 'test' | 'live' | null {
  const match = /^(?:sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/.exec(secretKey);
  return match ? (match[1] as 'test' | 'live') : null;
}
