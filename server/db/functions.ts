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
  // Hand-offs (payments, reschedule, ICS feed)
  attach_checkout_session: ['p_booking_id', 'p_session_id', 'p_amount_cents', 'p_currency', 'p_checkout_url'],
  apply_payment_event: [
    'p_event_id', 'p_event_type', 'p_kind', 'p_booking_id', 'p_session_id', 'p_payment_intent',
    'p_amount_cents', 'p_currency',
  ],
  record_refund: ['p_booking_id', 'p_refund_id', 'p_reason', 'p_event_id', 'p_event_type'],
  list_stale_checkout_sessions: ['p_limit'],
  mark_checkout_closed: ['p_session_id'],
  reschedule_booking: ['p_token_hash', 'p_starts_at'],
  set_ics_feed_token: ['p_slug', 'p_token_hash'],
  get_ics_feed: ['p_token_hash'],
  check_rate_limit: ['p_identifier', 'p_endpoint', 'p_max_requests', 'p_window_seconds'],
  // Calendar busy sources (supabase/migrations/20261122000300_calendars.sql, server/calendars/)
  get_calendar_cache: ['p_provider_id', 'p_from', 'p_to'],
  get_calendar_refresh_input: ['p_provider_id'],
  claim_calendar_refresh: ['p_provider_id', 'p_source', 'p_min_interval_seconds'],
  save_calendar_busy: [
    'p_provider_id', 'p_source', 'p_from', 'p_to', 'p_busy', 'p_etag', 'p_last_modified', 'p_body',
  ],
  record_calendar_failure: ['p_provider_id', 'p_source', 'p_reason', 'p_clear'],
  get_any_integration_secret: [],
  connect_calendar: [
    'p_provider_slug', 'p_kind', 'p_label', 'p_external_username', 'p_external_email', 'p_secret',
    'p_selected_calendar_ids', 'p_account_calendar_ids',
  ],
  disconnect_calendar: ['p_provider_slug', 'p_kind'],
  // Job queue, write-back and refund jobs (supabase/migrations/20261130000200_jobs.sql, server/jobs/)
  enqueue_job: ['p_kind', 'p_payload', 'p_dedupe_key', 'p_run_at', 'p_max_attempts'],
  claim_jobs: ['p_worker', 'p_kinds', 'p_limit', 'p_lease_seconds'],
  finish_job: ['p_id', 'p_worker'],
  fail_job: ['p_id', 'p_worker', 'p_error', 'p_backoff_seconds', 'p_retry'],
  get_booking_for_write_back: ['p_booking_id'],
  get_pending_refund: ['p_payment_id'],
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
