import type { Db } from '../db/port.ts';
import { isNotFound } from '../db/port.ts';
import { stripeForProvider, type PaymentAccountsOptions } from '../payments/accounts.ts';
import { loadProvider } from '../providers/public.ts';
import { hashToken } from '../bookings/tokens.ts';
import { walletClientKey, walletToken, walletUrl } from './wallet-token.ts';

export type PurchaseOutcome =
  | { kind: 'checkout'; url: string; walletUrl: string }
  | { kind: 'not-found' }
  /** Stripe is not configured, or did not answer (the pending sale is never granted). */
  | { kind: 'payments-unavailable' };

/**
 * A visitor buys a package: their wallet (made on the first purchase; its link derived, so a second purchase lands in
 * the same wallet), a pending sale in SQL, and a Stripe Checkout Session carrying the sale's id. Credits are granted
 * only by the signed `checkout.session.completed` webhook (`apply_package_payment_event`, once per event). Stripe's
 * success page returns to the wallet.
 */
export async function startPackagePurchase(
  deps: { db: Db; accounts: PaymentAccountsOptions; publicUrl: string; log?: (line: string) => void },
  input: { slug: string; packageId: string; name: string; email?: string; phone?: string },
): Promise<PurchaseOutcome> {
  const { db } = deps;
  const provider = await loadProvider(db, input.slug);
  const key = walletClientKey(input.email, input.phone);
  if (!provider || !key) return { kind: 'not-found' };
  // The provider's own Stripe when they connected one in the app, else the server's; its webhook grants the credits.
  const payments = await stripeForProvider(db, deps.accounts, provider.id);
  if (!payments) return { kind: 'payments-unavailable' };
  const token = await walletToken(db, provider.id, key);
  let sale;
  try {
    sale = await db.rpc('start_package_purchase', {
      p_slug: input.slug, p_package_id: input.packageId, p_email: input.email ?? null, p_phone: input.phone ?? null,
      p_name: input.name, p_wallet_token_hash: hashToken(token),
    });
  } catch (error) {
    if (isNotFound(error)) return { kind: 'not-found' };
    throw error;
  }
  const wallet = walletUrl(deps.publicUrl, token);
  try {
    const session = await payments.stripe.checkout.sessions.create({
      mode: 'payment',
      client_reference_id: sale.grantId,
      metadata: { credit_grant_id: sale.grantId },
      payment_intent_data: { metadata: { credit_grant_id: sale.grantId } },
      customer_email: input.email,
      line_items: [{
        quantity: 1,
        price_data: {
          currency: sale.package.currency.toLowerCase(),
          unit_amount: sale.package.priceCents,
          product_data: { name: `${sale.package.title} — ${provider.name}` },
        },
      }],
      success_url: `${wallet}?payment=success`,
      cancel_url: `${deps.publicUrl}/p/${provider.slug}?payment=cancelled`,
    }, { idempotencyKey: `package-checkout-${sale.grantId}` });
    if (!session.url) throw new Error('Stripe returned a Checkout Session without a URL');
    await db.rpc('attach_package_checkout', { p_grant_id: sale.grantId, p_session_id: session.id, p_checkout_url: session.url });
    return { kind: 'checkout', url: session.url, walletUrl: wallet };
  } catch (error) {
    (deps.log ?? console.error)(`[slotline] Stripe checkout failed for package sale ${sale.grantId}: ${(error as Error).message}`);
    return { kind: 'payments-unavailable' };
  }
}
