import type { Context } from 'hono';
import { problem } from '../http/problem.ts';

/** The 429 problem for a sign-in over its limit, saying how long to wait. */
export function tooManySignIns(c: Context, seconds: number): Response {
  const minutes = Math.ceil(seconds / 60);
  return problem(c, 429, 'rate-limited', 'Too many sign-in attempts', {
    detail: `Please wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} before trying again.`,
    retryAfterSeconds: seconds,
  }, { 'retry-after': String(seconds) });
}
