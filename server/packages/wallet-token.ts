import { createHmac } from 'node:crypto';
import type { Db } from '../db/port.ts';
import { manageLinkSecret } from '../bookings/links.ts';

/**
 * The secret wallet link of a provider's client. Derived, like the manage links of keyed requests, as
 * HMAC-SHA256(manage_link_keys secret, provider, client key): 256 bits nobody can compute without the database's
 * secret, the same for every sale to that client (a second package adds to the link they already have), and stored
 * only as its sha256 (`credit_wallets.token_hash`, looked up by hash like a manage token: no comparison of secrets).
 */
export async function walletToken(db: Db, providerId: string, clientKey: string): Promise<string> {
  return createHmac('sha256', await manageLinkSecret(db)).update(`wallet\n${providerId}\n${clientKey}`, 'utf8').digest('base64url');
}

/** The client a wallet belongs to: lowercased email, else the phone as given (SQL `wallet_client_key`, same rule). */
export function walletClientKey(email: string | null | undefined, phone: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  if (e) return e;
  return phone?.trim() || null;
}

/** The page a wallet link opens. */
export function walletUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/w/${token}`;
}
