/**
 * Start-up check for stored secrets: when any integration secret exists, SECRETS_KEY must be present, well formed
 * and able to decrypt it — otherwise the server refuses to start with a message that says what to fix.
 */
import type { Db } from '../db/port.js';
import { decryptSecret, parseSecretsKey, SecretsKeyError, type EncryptedSecret } from './crypto.js';

/**
 * Resolves when no secret is stored, or when `SECRETS_KEY` decrypts one; throws SecretsKeyError otherwise.
 * Example: `await assertSecretsReadable(db)` in `server/main.ts` before listening.
 */
export async function assertSecretsReadable(db: Db, env: Record<string, string | undefined> = process.env): Promise<void> {
  const row = await db.rpc<{ integrationId: string; secret: EncryptedSecret } | null>('get_any_integration_secret', {});
  if (!row) return;
  let key: Buffer;
  try {
    key = parseSecretsKey(env.SECRETS_KEY);
  } catch (error) {
    throw new SecretsKeyError(`Connected calendars have stored secrets, but ${(error as Error).message}`);
  }
  try {
    decryptSecret(row.secret, key);
  } catch {
    throw new SecretsKeyError(
      'SECRETS_KEY cannot decrypt the stored calendar secrets: it is not the key they were saved with. Restore the original key, or disconnect and reconnect the calendars.',
    );
  }
}
