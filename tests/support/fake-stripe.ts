import { startLocalStripe } from '../../server/payments/local-stripe.ts';

/** The local Stripe stand-in (Checkout Sessions, Refunds, signed events) for tests. */
export const startFakeStripe = (options: { webhookSecret: string }) => startLocalStripe(options);
