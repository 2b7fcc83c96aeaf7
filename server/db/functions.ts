/**
 * Every SQL function the server calls through `Db.rpc`, with the argument names it sends.
 * This list is the contract between the adapters and the migrations: a test reads `pg_proc`
 * and proves each name and argument exists. `rpc` refuses anything not listed here.
 */
export const sqlFunctions = {
  get_public_provider: ['p_slug'],
  get_busy: ['p_provider_id', 'p_from', 'p_to'],
  expire_holds: ['p_provider_id'],
  create_booking_if_free: [
    'p_provider_id', 'p_service_id', 'p_starts_at', 'p_customer_name', 'p_customer_email',
    'p_customer_phone', 'p_notes', 'p_customer_timezone', 'p_idempotency_key', 'p_manage_token_hash',
    'p_hold_minutes',
  ],
  get_booking_by_token: ['p_token_hash'],
  cancel_booking: ['p_token_hash', 'p_reason'],
  apply_provider: ['p_slug', 'p_name', 'p_timezone', 'p_is_public', 'p_settings', 'p_services'],
} as const satisfies Record<string, readonly string[]>;

export type SqlFunctionName = keyof typeof sqlFunctions;

/** Throws when a call does not match the contract (unknown function or argument). */
export function assertKnownCall(fn: string, args: Record<string, unknown>): void {
  const known = (sqlFunctions as Record<string, readonly string[]>)[fn];
  if (!known) throw new Error(`SQL function ${fn} is not listed in server/db/functions.ts`);
  for (const name of Object.keys(args)) {
    if (!known.includes(name)) throw new Error(`SQL function ${fn} has no argument ${name} in server/db/functions.ts`);
  }
}
