import Stripe from 'stripe';

export interface StripeSetup {
  stripe: Stripe;
  webhookSecret: string;
}

/**
 * The Stripe client for a single-provider install, from `STRIPE_SECRET_KEY` and
 * `STRIPE_WEBHOOK_SECRET`; null when payments are not configured. `STRIPE_API_BASE` points the
 * official client at another host (stripe-mock, or the local fake the tests use).
 *
 * @example
 * const payments = stripeFromEnv(process.env); // null → paid services answer 503
 */
export function stripeFromEnv(env: NodeJS.ProcessEnv = process.env): StripeSetup | null {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return null;
  if (!env.STRIPE_WEBHOOK_SECRET) {
    throw new Error('STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the webhook confirms payments).');
  }
  return { stripe: stripeClient(key, env.STRIPE_API_BASE), webhookSecret: env.STRIPE_WEBHOOK_SECRET };
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
