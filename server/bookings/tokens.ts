import { createHash, randomBytes } from 'node:crypto';

/** A new manage-link secret: 256 random bits, URL-safe. Only its hash is stored. */
export function newManageToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database stores and looks tokens up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Tokens we hand out are exactly 43 base64url characters; anything else is not ours (the rule is the contract's). */
export { looksLikeToken } from '../../contract/rules.ts';
