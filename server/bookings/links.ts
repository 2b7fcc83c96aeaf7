import { createHmac } from 'node:crypto';
import type { Db } from '../db/port.ts';
import { newManageToken } from './tokens.ts';

const linkKeys = new WeakMap<Db, Promise<string>>();

/**
 * The manage-link secret for a request that carries an idempotency key: HMAC-SHA256 of the provider and the key under
 * the database's `manage_link_keys` secret (made once from a strong random source, readable only by the service role).
 * A replay of the same request therefore answers with the very link handed out the first time — a paid retry never
 * points Stripe's return link at a dead token — while nobody without the secret can compute a link from a guessable
 * key. Requests without a key get a random token.
 */
export async function manageTokenFor(db: Db, providerId: string, idempotencyKey: string | undefined): Promise<string> {
  if (!idempotencyKey) return newManageToken();
  return createHmac('sha256', await manageLinkSecret(db)).update(`manage-link\n${providerId}\n${idempotencyKey}`, 'utf8').digest('base64url');
}

/**
 * The database's `manage_link_keys` secret, read once per database and kept (it never changes): the root of the
 * derived manage links above and of the sealing key of the notification link copies (server/notify/link-copy.ts).
 */
export function manageLinkSecret(db: Db): Promise<string> {
  let key = linkKeys.get(db);
  if (!key) {
    key = db.rpc('get_manage_link_key', {}).then((k) => {
      if (!k) throw new Error('manage_link_keys is empty: the booking_rules migration did not run');
      return k;
    });
    key.catch(() => linkKeys.delete(db));
    linkKeys.set(db, key);
  }
  return key;
}

/** The visitor's links for a manage token: the manage page and the booking's `.ics` file. */
export function bookingLinks(publicUrl: string, token: string): { manageUrl: string; icsUrl: string } {
  return { manageUrl: `${publicUrl}/b/${token}`, icsUrl: `${publicUrl}/api/bookings/${token}/ics` };
}
