/**
 * Integration secrets at rest: AES-256-GCM over the JSON of the secret, stored as `{ciphertext, iv, tag}` (base64)
 * in `integration_secrets.secret`. The key comes from `SECRETS_KEY` (parsed by server/config.ts) (32 bytes, base64 or 64 hex characters).
 * Nothing here logs or echoes secret material; errors name the problem, never the value.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The stored shape of an encrypted secret (all fields base64). */
export interface EncryptedSecret {
  ciphertext: string;
  iv: string;
  tag: string;
}

/** Thrown when the key is missing or malformed, or a secret cannot be decrypted (wrong key or tampering). */
export class SecretsKeyError extends Error {
  override name = 'SecretsKeyError';
}

const IV_BYTES = 12; // NIST SP 800-38D recommended GCM nonce length
const TAG_BYTES = 16;

/**
 * Parses a 32-byte key given as 64 hex characters or base64 (standard or URL-safe).
 * Example: `parseSecretsKey(randomBytes(32).toString('base64'))`.
 */
export function parseSecretsKey(text: string | undefined): Buffer {
  const raw = (text ?? '').trim();
  if (!raw) {
    throw new SecretsKeyError('SECRETS_KEY is not set: it must be 32 random bytes as base64 or 64 hex characters (e.g. `openssl rand -base64 32`).');
  }
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) key = Buffer.from(raw, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) key = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== 32) {
    throw new SecretsKeyError('SECRETS_KEY is malformed: it must decode to exactly 32 bytes (base64 or 64 hex characters).');
  }
  return key;
}

/**
 * The configured key (`config.calendars.secretsKey`, parsed once by server/config.ts), or the "SECRETS_KEY is not
 * set" SecretsKeyError when there is none: for the moment a stored secret must be read or written.
 */
export function requireSecretsKey(key: Buffer | null | undefined): Buffer {
  return key ?? parseSecretsKey(undefined);
}

/**
 * Encrypts a JSON-serialisable value with a fresh random IV.
 * Example: `encryptSecret({ password: 'app-specific' }, key)` → `{ ciphertext, iv, tag }`.
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
 */
export function encryptSecret(value: unknown, key: Buffer): EncryptedSecret {
  if (key.length !== 32) throw new SecretsKeyError('secrets key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { ciphertext: ciphertext.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/**
 * Decrypts what `encryptSecret` produced; refuses a wrong key or any modified field (GCM authentication).
 * Example: `decryptSecret<{ password: string }>(row.secret, key).password`.
 */
export function decryptSecret<T = unknown>(secret: EncryptedSecret, key: Buffer): T {
  if (key.length !== 32) throw new SecretsKeyError('secrets key must be 32 bytes');
  if (!secret || typeof secret.ciphertext !== 'string' || typeof secret.iv !== 'string' || typeof secret.tag !== 'string') {
    throw new SecretsKeyError('stored secret is not in {ciphertext, iv, tag} form');
  }
  const iv = Buffer.from(secret.iv, 'base64');
  const tag = Buffer.from(secret.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretsKeyError('stored secret has a malformed iv or tag');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(secret.ciphertext, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as T;
  } catch {
    throw new SecretsKeyError('cannot decrypt a stored secret: SECRETS_KEY is wrong or the secret was modified');
  }
}
