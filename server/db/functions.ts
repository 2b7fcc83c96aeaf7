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
  // Booking rules (supabase/migrations/20261130000100_booking_rules.sql)
  get_busy_for_move: ['p_token_hash', 'p_from', 'p_to'],
  get_manage_link_key: [],
  abandon_hold: ['p_token_hash', 'p_reason'],
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
  record_calendar_warning: ['p_provider_id', 'p_source', 'p_warning'],
  // Provider app: connecting calendars (supabase/migrations/20261130000800_calendars_fixes.sql, server/app-api/calendars.ts)
  app_calendar_sources: ['p_user_id', 'p_provider_id'],
  app_calendar_secret: ['p_user_id', 'p_provider_id', 'p_kind'],
  app_set_calendar_choice: ['p_user_id', 'p_provider_id', 'p_kind', 'p_selected_calendar_ids', 'p_account_calendar_ids', 'p_write_calendar_id'],
  app_connect_calendar: [
    'p_user_id', 'p_provider_id', 'p_kind', 'p_label', 'p_external_username', 'p_external_email', 'p_secret',
    'p_selected_calendar_ids', 'p_account_calendar_ids', 'p_write_calendar_id',
  ],
  app_disconnect_calendar: ['p_user_id', 'p_provider_id', 'p_kind'],
  // Start-up key check, one secret per integration (supabase/migrations/20261130000900_privileges.sql).
  list_integration_secrets: [],
  connect_calendar: [
    'p_provider_slug', 'p_kind', 'p_label', 'p_external_username', 'p_external_email', 'p_secret',
    'p_selected_calendar_ids', 'p_account_calendar_ids',
  ],
  disconnect_calendar: ['p_provider_slug', 'p_kind'],
  // Provider app: sign-in, sessions, owner API (supabase/migrations/20261130000500_provider_app.sql, server/auth/, server/app-api/)
  app_request_sign_in: ['p_email', 'p_link_hash', 'p_code_hash', 'p_now', 'p_ttl_seconds', 'p_signup_open'],
  app_verify_sign_in: ['p_link_hash', 'p_email', 'p_code_hash', 'p_session_hash', 'p_now', 'p_session_ttl_seconds', 'p_signup_open'],
  app_session_user: ['p_token_hash', 'p_now', 'p_ttl_seconds'],
  app_sign_out: ['p_token_hash'],
  app_sign_out_everywhere: ['p_user_id'],
  app_me: ['p_user_id'],
  app_slug_available: ['p_slug'],
  app_create_provider: ['p_user_id', 'p_slug', 'p_name', 'p_timezone', 'p_settings', 'p_service'],
  app_get_provider: ['p_user_id', 'p_provider_id'],
  app_update_provider: ['p_user_id', 'p_provider_id', 'p_patch'],
  app_set_hours: ['p_user_id', 'p_provider_id', 'p_working_hours', 'p_time_off'],
  app_export_provider: ['p_user_id', 'p_provider_id'],
  app_import_provider: ['p_user_id', 'p_provider_id', 'p_file'],
  app_list_services: ['p_user_id', 'p_provider_id'],
  app_save_service: ['p_user_id', 'p_provider_id', 'p_service_id', 'p_service'],
  app_reorder_services: ['p_user_id', 'p_provider_id', 'p_service_ids'],
  app_delete_service: ['p_user_id', 'p_provider_id', 'p_service_id'],
  app_list_bookings: ['p_user_id', 'p_provider_id', 'p_scope', 'p_service_id', 'p_status', 'p_now', 'p_limit', 'p_offset'],
  app_get_booking: ['p_user_id', 'p_provider_id', 'p_booking_id'],
  app_decide_request: ['p_user_id', 'p_provider_id', 'p_booking_id', 'p_approve', 'p_reason'],
  app_cancel_booking: ['p_user_id', 'p_provider_id', 'p_booking_id', 'p_reason', 'p_refund'],
  app_reschedule_booking: ['p_user_id', 'p_provider_id', 'p_booking_id', 'p_starts_at'],
  app_busy_for_move: ['p_user_id', 'p_provider_id', 'p_booking_id', 'p_from', 'p_to'],
  app_set_booking_outcome: ['p_user_id', 'p_provider_id', 'p_booking_id', 'p_outcome', 'p_now'],
  app_create_booking: [
    'p_user_id', 'p_provider_id', 'p_service_id', 'p_starts_at', 'p_customer_name', 'p_customer_email',
    'p_customer_phone', 'p_notes', 'p_customer_timezone', 'p_manage_token_hash',
  ],
  app_list_clients: ['p_user_id', 'p_provider_id', 'p_search', 'p_now', 'p_limit', 'p_offset'],
  app_get_client: ['p_user_id', 'p_provider_id', 'p_client_key', 'p_now'],
  app_set_client_notes: ['p_user_id', 'p_provider_id', 'p_client_key', 'p_notes'],
  app_erase_client: ['p_user_id', 'p_provider_id', 'p_client_key', 'p_now'],
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
