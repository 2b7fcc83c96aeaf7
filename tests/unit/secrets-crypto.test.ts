import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, parseSecretsKey, requireSecretsKey, SecretsKeyError } from '../../server/secrets/crypto.js';

const key = randomBytes(32);
const secret = { username: 'trainer@example.com', password: 'abcd-efgh-ijkl-mnop' };

function flip(b64: string, byte = 0): string {
  const buf = Buffer.from(b64, 'base64');
  buf[byte] ^= 0x01;
  return buf.toString('base64');
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips a JSON value and never stores the plain text', () => {
    const enc = encryptSecret(secret, key);
    expect(Object.keys(enc).sort()).toEqual(['ciphertext', 'iv', 'tag']);
    expect(JSON.stringify(enc)).not.toContain('abcd-efgh');
    expect(Buffer.from(enc.ciphertext, 'base64').toString('utf8')).not.toContain('abcd');
    expect(Buffer.from(enc.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(enc.tag, 'base64')).toHaveLength(16);
    expect(decryptSecret(enc, key)).toEqual(secret);
  });

  it('uses a fresh IV each time', () => {
    const a = encryptSecret(secret, key);
    const b = encryptSecret(secret, key);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('refuses a wrong key', () => {
    const enc = encryptSecret(secret, key);
    expect(() => decryptSecret(enc, randomBytes(32))).toThrow(SecretsKeyError);
    expect(() => decryptSecret(enc, randomBytes(32))).toThrow(/SECRETS_KEY is wrong or the secret was modified/);
  });

  it('detects tampering with ciphertext, iv or tag', () => {
    const enc = encryptSecret(secret, key);
    expect(() => decryptSecret({ ...enc, ciphertext: flip(enc.ciphertext, 3) }, key)).toThrow(SecretsKeyError);
    expect(() => decryptSecret({ ...enc, iv: flip(enc.iv) }, key)).toThrow(SecretsKeyError);
    expect(() => decryptSecret({ ...enc, tag: flip(enc.tag, 15) }, key)).toThrow(SecretsKeyError);
    expect(() => decryptSecret({ ...enc, tag: enc.tag.slice(0, 8) }, key)).toThrow(/malformed/);
    expect(() => decryptSecret({ ciphertext: enc.ciphertext } as never, key)).toThrow(/\{ciphertext, iv, tag\}/);
  });

  it('does not put the secret or the key in error messages', () => {
    const enc = encryptSecret(secret, key);
    try {
      decryptSecret({ ...enc, ciphertext: flip(enc.ciphertext) }, key);
      expect.unreachable();
    } catch (e) {
      const text = String((e as Error).message) + String((e as Error).stack);
      expect(text).not.toContain('abcd');
      expect(text).not.toContain(key.toString('base64'));
    }
  });
});

describe('parseSecretsKey', () => {
  it('accepts 64 hex characters and base64 (standard and URL-safe) of 32 bytes', () => {
    expect(parseSecretsKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretsKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretsKey(` ${key.toString('base64url')}\n`).equals(key)).toBe(true);
  });

  it('explains a missing key', () => {
    expect(() => requireSecretsKey(null)).toThrow(/SECRETS_KEY is not set/);
    expect(() => parseSecretsKey('  ')).toThrow(SecretsKeyError);
  });

  it('refuses keys of the wrong length or alphabet', () => {
    expect(() => parseSecretsKey(randomBytes(16).toString('base64'))).toThrow(/exactly 32 bytes/);
    expect(() => parseSecretsKey(randomBytes(31).toString('hex'))).toThrow(/exactly 32 bytes/);
    expect(() => parseSecretsKey('not a key!')).toThrow(/malformed/);
  });
});
