/**
 * Start-up check for stored secrets: when any integration secret (or a provider's Stripe keys) exists, SECRETS_KEY must be present, well formed
 * and able to decrypt them — otherwise the server refuses to start with a message that says what to fix.
 *
 * Every secret is tried, one per integration. A key that decrypts none of them is the wrong key: start-up stops.
 * A key that decrypts some is the right key; the others (saved with another key, or damaged) are named in a warning
 * and their calendars fail on refresh until reconnected — one bad row never stops the server.
 */
import type { Db } from '../db/port.js';
import { decryptSecret, requireSecretsKey, SecretsKeyError, type EncryptedSecret } from './crypto.js';

/** One row of `list_integration_secrets`. */
export interface StoredSecret {
  integrationId: string;
  kind: string | null;
  provider: string | null;
  secret: EncryptedSecret;
}

export interface SecretsCheck {
  /** How many stored secrets were tried. */
  checked: number;
  /** The integrations whose secret the key cannot decrypt (empty when all are readable). */
  unreadable: { integrationId: string; kind: string | null; provider: string | null }[];
}

/**
 * Resolves when no secret is stored, or when `key` (the configured `SECRETS_KEY`, null when unset) decrypts at least
 * one (warning about any it cannot); throws SecretsKeyError otherwise.
 * Example: `await assertSecretsReadable(db, config.calendars.secretsKey)` in `server/main.ts` before listening.
 */
export async function assertSecretsReadable(
  db: Db,
  configuredKey: Buffer | null,
  warn: (message: string) => void = console.warn,
): Promise<SecretsCheck> {
  // Calendar passwords and tokens, and providers' Stripe keys (kind 'stripe').
  const rows = [...((await db.rpc('list_integration_secrets', {})) ?? []), ...((await db.rpc('list_payment_secrets', {})) ?? [])];
  if (!rows.length) return { checked: 0, unreadable: [] };
  let key: Buffer;
  try {
    key = requireSecretsKey(configuredKey);
  } catch (error) {
    throw new SecretsKeyError(`Connected calendars or Stripe accounts have stored secrets, but ${(error as Error).message}`);
  }
  const unreadable: SecretsCheck['unreadable'] = [];
  for (const row of rows) {
    try {
      decryptSecret(row.secret, key);
    } catch {
      unreadable.push({ integrationId: row.integrationId, kind: row.kind, provider: row.provider });
    }
  }
  if (unreadable.length === rows.length) {
    throw new SecretsKeyError(
      'SECRETS_KEY cannot decrypt the stored secrets (calendars, Stripe keys): it is not the key they were saved with. Restore the original key, or disconnect and reconnect them.',
    );
  }
  if (unreadable.length) {
    const names = unreadable.map((u) => `${u.provider ?? '(no provider)'} ${u.kind ?? 'calendar'} (integration ${u.integrationId})`);
    warn(`[slotline] SECRETS_KEY cannot decrypt ${unreadable.length} of ${rows.length} stored secrets: ${names.join(', ')}. Those calendars cannot refresh and those Stripe accounts cannot take payments; reconnect them.`);
  }
  return { checked: rows.length, unreadable };
}
