import Stripe from 'stripe';
import type { Config } from '../config.ts';

export interface StripeSetup {
  stripe: Stripe;
  webhookSecret: string;
}

/**
 * The Stripe client for a single-provider install, from the configured `STRIPE_SECRET_KEY` and
 * `STRIPE_WEBHOOK_SECRET` (server/config.ts); null when payments are not configured. `STRIPE_API_BASE`
 * points the official client at another host (stripe-mock, or the local fake the tests use).
 *
 * @example
 * const payments = stripeSetup(config.stripe); // null → paid services answer 503 (or the demo checkout)
 */
export function stripeSetup(settings: Config['stripe']): StripeSetup | null {
  if (!settings) return null;
  return { stripe: stripeClient(settings.secretKey, settings.apiBase ?? undefined), webhookSecret: settings.webhookSecret };
}

export function stripeClient(key: string, apiBase?: string): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = { maxNetworkRetries: 2, timeout: 10_000, telemetry: false };
  if (apiBase) {
    const url = new URL(apiBase);
    options.host = url.hostname;
    options.port = url.port || (url.protocol === 'https:' ? 443 : 80);
    options.protocol = url.protocol.replace(':', '') as 'http' | 'https';
  }
  return new Stripe(key, options);
}
