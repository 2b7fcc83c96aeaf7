import { keyMode } from './accounts.ts';
import { stripeClient } from './stripe.ts';

export type KeyCheck =
  | { ok: true; message: string; mode: 'test' | 'live'; accountId: string | null; accountName: string | null }
  | { ok: false; field: 'secretKey' | 'webhookSecret'; message: string };

/** Where a provider finds both secrets, in one line (the app shows it next to the form). */
export const STRIPE_KEYS_HELP =
  'Stripe Dashboard → Developers → API keys: copy the secret key (sk_…) or a restricted key (rk_…). Then Developers → Webhooks → Add endpoint: paste the webhook address below, pick the checkout.session events, and copy its signing secret (whsec_…).';

/** The webhook signing secret's shape (Stripe shows it as `whsec_…` on the endpoint's page). */
export function checkWebhookSecret(secret: string): KeyCheck | null {
  return /^whsec_[A-Za-z0-9+/=]{8,}$/.test(secret)
    ? null
    : { ok: false, field: 'webhookSecret', message: 'This is not a webhook signing secret: it starts with whsec_ (Stripe Dashboard → Developers → Webhooks → your endpoint → Signing secret).' };
}

/**
 * Tries a Stripe secret key for real: reads the account it belongs to (`GET /v1/account`; a restricted key without
 * that permission is tried on the balance instead). Answers in plain words a provider can act on; never echoes the key.
 *
 * @see https://docs.stripe.com/api/accounts/retrieve (the account of the key)
 * @see https://docs.stripe.com/api/balance/balance_retrieve
 */
export async function testStripeKey(secretKey: string, apiBase: string | null): Promise<KeyCheck> {
  const fail = (message: string): KeyCheck => ({ ok: false, field: 'secretKey', message });
  if (/^pk_/.test(secretKey)) return fail('This is the publishable key. Paste the secret key instead: it starts with sk_test_, sk_live_ or rk_.');
  const mode = keyMode(secretKey);
  if (!mode) return fail('This is not a Stripe secret key: it starts with sk_test_, sk_live_ or rk_ (Stripe Dashboard → Developers → API keys).');
  const stripe = stripeClient(secretKey, apiBase ?? undefined);
  const done = (accountId: string | null, accountName: string | null): KeyCheck => ({
    ok: true, mode, accountId, accountName,
    message: `Stripe accepted this key${accountName ? ` for ${accountName}` : ''} (${mode === 'test' ? 'test mode: no real money' : 'live mode: real payments'}).`,
  });
  try {
    const account = await stripe.accounts.retrieveCurrent();
    const name = account.settings?.dashboard?.display_name || account.business_profile?.name || account.email || null;
    return done(account.id ?? null, name);
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'StripePermissionError') {
      try {
        await stripe.balance.retrieve();
        return done(null, null);
      } catch (inner) {
        return explain((inner as { type?: string }).type, fail);
      }
    }
    return explain(type, fail);
  }
}

function explain(type: string | undefined, fail: (message: string) => KeyCheck): KeyCheck {
  switch (type) {
    case 'StripeAuthenticationError':
      return fail('Stripe refused this key. Check that you copied all of it and that it has not been rolled or deleted.');
    case 'StripePermissionError':
      return fail('This restricted key may not read your account or balance. Give it read access to "Balance", or use the secret key.');
    case 'StripeConnectionError':
    case 'StripeAPIError':
      return fail('Stripe could not be reached just now. Try again in a minute.');
    default:
      return fail('Stripe did not accept this key. Check it in Stripe Dashboard → Developers → API keys.');
  }
}
