import { createHmac } from 'node:crypto';
import type { Db } from '../db/port.ts';
import { manageLinkSecret } from '../bookings/links.ts';
import { hashToken } from '../bookings/tokens.ts';
import { decryptSecret, encryptSecret, type EncryptedSecret } from '../secrets/crypto.ts';

/**
 * The database keeps only the manage token's hash, yet confirmations and reminders must carry the manage link. So the
 * request that creates a booking also stores a sealed copy of its token (AES-256-GCM), keyed by the hash, BEFORE it
 * inserts the booking: when the booking commits together with its outbox rows, the copy is already there, and the
 * send job — on any instance, after any restart — can open it. The sealing key is derived from the database's
 * `manage_link_keys` secret (service role only), so the copy is no weaker than the HMAC-derived links already are.
 * The opened token lives only in memory while a message is rendered; it is never logged nor stored in the outbox.
 */

const keys = new WeakMap<Db, Promise<Buffer>>();

function sealingKey(db: Db): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = manageLinkSecret(db).then((k) => createHmac('sha256', k).update('slotline manage-link copy v1', 'utf8').digest());
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

/** Stores the sealed copy of a manage token and the visitor's language (idempotent: a replay keeps the first). */
export async function saveLinkCopy(db: Db, token: string, lang: string | null | undefined): Promise<void> {
  await db.rpc('save_booking_link_copy', await sealLinkCopy(db, token, lang));
}

/**
 * The arguments `save_booking_link_copy` takes, for a SQL function that stores the copy in its own transaction
 * (`book_visitor`). The sealing key is read once per database, so this is no round trip after the first.
 */
export async function sealLinkCopy(db: Db, token: string, lang: string | null | undefined) {
  return {
    p_token_hash: hashToken(token),
    p_sealed: encryptSecret(token, await sealingKey(db)),
    p_lang: lang === 'ar' ? 'ar' : 'en',
  };
}

/** Opens a sealed copy; null when it cannot be opened (damaged, or sealed under another key). */
export async function openLinkCopy(db: Db, sealed: EncryptedSecret): Promise<string | null> {
  try {
    const token = decryptSecret<string>(sealed, await sealingKey(db));
    return typeof token === 'string' ? token : null;
  } catch {
    return null;
  }
}
