import type { ArgsOf, ResultOf, SqlFunctionName } from './functions.ts';

/**
 * The server's only door to the database: call a SQL function by name with named arguments.
 * Three adapters implement it (embedded PGlite, PostgreSQL via postgres.js, Supabase via
 * supabase-js) and run the same SQL, so the database — not this code — decides conflicts.
 * Names, argument types and result types come from one table, `server/db/functions.ts`.
 *
 * @example
 * const provider = await db.rpc('get_public_provider', { p_slug: 'demo' }); // Provider | null
 */
export interface Db {
  readonly kind: 'embedded' | 'postgres' | 'supabase';
  rpc<K extends SqlFunctionName>(fn: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  /**
   * Optional (PostgreSQL, PGlite): calls `onChange` after any committed change to what visitors see of a provider —
   * its bookings, external busy time, calendar state, settings, services — made by any process, job or plain SQL (the
   * triggers of `20261201001100_change_notifications.sql` NOTIFY {@link CHANGES_CHANNEL} with the provider's id).
   * `null` means anything may have changed: the listener lost its connection and is back, and notices sent meanwhile
   * are lost. Resolves once listening; the returned function stops listening, and `close()` stops it too. Absent where
   * the database cannot push (Supabase through PostgREST): callers then rely on their own expiry.
   *
   * @example
   * const stop = await db.listenForChanges?.((providerId) => cache.clear());
   */
  listenForChanges?(onChange: (providerId: string | null) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** The NOTIFY channel the change triggers send on (payload: the provider's id). */
export const CHANGES_CHANNEL = 'slotline_changes';

/** An error raised by a SQL function on purpose (custom SQLSTATE `SLxxx`), or a constraint. */
export class DbError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

/** The database cannot be reached (down, restarting, timed out): the server answers 503. */
export class DbUnavailableError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'DbUnavailableError';
  }
}

/**
 * The database gave up waiting (statement_timeout `57014`, lock_timeout `55P03`): nothing was written, and the
 * same request may well succeed a moment later. Supabase sets such timeouts on its API roles (anon 3 s,
 * authenticated and the service role 8 s). Answered like DbUnavailableError: 503 with Retry-After.
 */
export class DbTimeoutError extends DbUnavailableError {
  constructor(message: string, readonly code: string, cause?: unknown) {
    super(message, cause);
    this.name = 'DbTimeoutError';
  }
}

export const SLOT_TAKEN = 'SL409';
export const NOT_FOUND = 'SL404';

/** True when the error is the typed "slot taken" error of `create_booking_if_free`. */
export function isSlotTaken(error: unknown): boolean {
  return error instanceof DbError && error.code === SLOT_TAKEN;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof DbError && error.code === NOT_FOUND;
}

/** Turns an argument value into what every adapter sends the same way. */
export function toSqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** Connection-level failures (drivers' own codes, SQLSTATE classes 08 and 57P, PostgREST's PGRST000–003). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED',
  'CONNECTION_DESTROYED', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300',
  // PostgREST: cannot connect, internal connection error, schema cache not loaded, connection pool timeout.
  'PGRST000', 'PGRST001', 'PGRST002', 'PGRST003',
]);

/** Timeouts: statement_timeout (query_canceled) and lock_timeout (lock_not_available). */
const TIMEOUT = new Set(['57014', '55P03']);

/**
 * Maps a driver error (PGlite, postgres.js, PostgREST's `{ code, message, details }`) to DbError /
 * DbUnavailableError / DbTimeoutError by its code alone: PostgREST answers one SQLSTATE with different HTTP
 * statuses (permission denied is 401 for anon and 403 otherwise, a timeout is 500), so the status says nothing.
 */
export function mapDriverError(error: unknown): Error {
  const e = error as { code?: string; message?: string; detail?: string; details?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = e?.message ?? String(error);
  if (UNAVAILABLE.has(code)) return new DbUnavailableError(message, error);
  if (TIMEOUT.has(code)) return new DbTimeoutError(message, code, error);
  if (code) return new DbError(message, code, e.detail ?? e.details ?? undefined);
  return error instanceof Error ? error : new Error(message);
}

/** Deadlock and serialization failures: PostgreSQL rolled the whole call back, so trying again is safe. */
const TRANSIENT = new Set(['40P01', '40001']);

/**
 * Runs one SQL function call, again if PostgreSQL aborted it as a deadlock victim (two
 * transactions waiting on each other's uncommitted rows, e.g. a reschedule racing a booking).
 */
export async function retryTransient<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof DbError && TRANSIENT.has(error.code))) throw error;
      await new Promise((r) => setTimeout(r, attempt * (5 + Math.random() * 20)));
    }
  }
}
