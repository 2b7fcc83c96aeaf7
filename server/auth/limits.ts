import type { Context } from 'hono';
import { DbUnavailableError, type Db } from '../db/port.ts';
import { problem } from '../http/problem.ts';

/**
 * Counts one request of `identifier` against a limit kept in the database (`check_rate_limit`, shared by every
 * server instance). Returns the seconds to wait when over the limit, else 0. Like the booking limiter, a limiter
 * that cannot count lets the request through, except when the database is unreachable (the app's 503).
 */
export async function overLimit(
  db: Db,
  rule: { identifier: string; endpoint: string; max: number; windowSeconds: number },
  log: (message: string) => void,
): Promise<number> {
  if (rule.max <= 0) return 0;
  try {
    const result = await db.rpc('check_rate_limit', {
      p_identifier: rule.identifier,
      p_endpoint: rule.endpoint,
      p_max_requests: rule.max,
      p_window_seconds: rule.windowSeconds,
    });
    return result?.allowed === false ? Math.max(1, Math.ceil(result.retryAfterSeconds)) : 0;
  } catch (error) {
    if (error instanceof DbUnavailableError) throw error;
    log(`[slotline] sign-in limiter could not count (${rule.endpoint}); letting the request through: ${(error as Error).message}`);
    return 0;
  }
}

export function tooManySignIns(c: Context, seconds: number): Response {
  const minutes = Math.ceil(seconds / 60);
  return problem(c, 429, 'rate-limited', 'Too many sign-in attempts', {
    detail: `Please wait ${minutes === 1 ? 'a minute' : `${minutes} minutes`} before trying again.`,
    retryAfterSeconds: seconds,
  }, { 'retry-after': String(seconds) });
}
