import type { CalendarSources } from '../app-api/calendars.ts';
import type { ClientRecord } from '../app-api/clients.ts';
import type { OwnerProviderJson, OwnerServiceJson } from '../providers/owner.ts';
import type { AppUser } from '../auth/session.ts';
import type { BookingRow } from '../bookings/booking.ts';
import type { CacheRow, HealthRow, RefreshInput } from '../calendars/cache.ts';
import type { BusyInterval } from '../calendars/expand.ts';
import type { FeedRecord } from '../ics/feed-routes.ts';
import type { Job } from '../jobs/queue.ts';
import type { AgendaRows } from '../notify/agenda.ts';
import type { OutboxMessage } from '../notify/send.ts';
import type { PaymentAccountStatus } from '../payments/accounts.ts';
import type { PendingRefund } from '../payments/refund.ts';
import type { ProviderFile } from '../providers/file.ts';
import type { Provider } from '../providers/public.ts';
import type { StoredSecret } from '../secrets/check.ts';
import type { EncryptedSecret } from '../secrets/crypto.ts';
import type { BusyData } from '../slots/offered.ts';
import type { ServiceReminders } from '../../contract/app-api.ts';
import type { BookingCredit } from '../../contract/credit-line.ts';
import type { GrantJson, PackageJson, PublicPackages, WalletJson } from '../../contract/packages.ts';
import type { SeriesOptions, SeriesRow } from '../series/series.ts';

/*
 * Every SQL function the server calls through `Db.rpc`: its argument names (sent as named arguments, the runtime
 * contract a test checks against `pg_proc`), the TypeScript type of each argument, and the type of its result.
 * `Db.rpc('get_busy', { … })` is typed from this one table: an unknown function, a missing, misspelt or mistyped
 * argument, or a wrong reading of the result is a compile error, and `rpc` refuses at run time any call not listed.
 *
 * The types are written with placeholder values (`text`, `uuid`, `as<T>()`…) that are `undefined` at run time: only
 * the argument NAMES exist at run time. Results are the functions' JSON as the SQL builds it (the migrations are the
 * source of truth; a result type states what the SQL returns, and the integration tests read it back).
 */

/** A placeholder whose only content is its type (`undefined` at run time). */
function as<T>(): T {
  return undefined as T;
}

/** SQL `text`. */
const text = as<string>();
/** SQL `uuid` (sent as its text form). */
const uuid = as<string>();
/** SQL `int` / `bigint` / `numeric`. */
const int = as<number>();
const bool = as<boolean>();
/** SQL `timestamptz`: a Date (sent as ISO 8601) or an ISO string. */
const instant = as<Date | string>();
/** SQL `jsonb`: an object or array, sent as JSON. */
function json<T extends object = object>(): T {
  return as<T>();
}
/** The SQL argument may be null. */
function orNull<T>(_type: T): T | null {
  return as<T | null>();
}
/** The SQL argument has a default: it may be left out (and is then not sent). */
function optional<T>(_type: T): T | undefined {
  return as<T | undefined>();
}

/** One entry of the table: named, typed arguments and the result type. */
function fn<A extends Record<string, unknown>, R>(args: A, _result: R): { args: A; result: R } {
  return { args, result: as<R>() };
}

/** Busy time for moving a booking, and the buffers stored on it. */
export type MoveBusy = BusyData & { bufferBeforeMinutes: number; bufferAfterMinutes: number };
/** `app_list_bookings` / `app_list_clients`: one page of rows and the total. */
type Page<K extends string, T> = { [key in K]: T[] } & { total: number; limit: number | null; offset: number };

const OWNER = { p_user_id: uuid, p_provider_id: uuid };

const SQL_FUNCTIONS = {
  get_public_provider: fn({ p_slug: text }, as<Provider | null>()),
  get_busy: fn({ p_provider_id: uuid, p_from: instant, p_to: instant }, as<BusyData>()),
  expire_holds: fn({ p_provider_id: optional(orNull(uuid)) }, as<number>()),
  create_booking_if_free: fn({
    p_provider_id: uuid, p_service_id: uuid, p_starts_at: instant, p_customer_name: text, p_customer_email: orNull(text),
    p_customer_phone: orNull(text), p_notes: text, p_customer_timezone: orNull(text), p_idempotency_key: orNull(text),
    p_manage_token_hash: text, p_hold_minutes: optional(orNull(int)),
  }, as<{ booking: BookingRow; replayed: boolean; manageTokenMatches: boolean }>()),
  get_booking_by_token: fn({ p_token_hash: text }, as<BookingRow | null>()),
  cancel_booking: fn({ p_token_hash: text, p_reason: orNull(text) }, as<BookingRow & { refund: unknown }>()),
  apply_provider: fn({
    p_slug: text, p_name: text, p_timezone: text, p_is_public: bool, p_settings: json(), p_services: json<object[]>(),
  }, as<{ id: string; slug: string }>()),
  // Hand-offs (payments, reschedule, ICS feed)
  attach_checkout_session: fn({
    p_booking_id: uuid, p_session_id: text, p_amount_cents: int, p_currency: text, p_checkout_url: text,
  }, as<{ bookingId: string; sessionId: string }>()),
  apply_payment_event: fn({
    p_event_id: text, p_event_type: text, p_kind: text, p_booking_id: uuid, p_session_id: orNull(text),
    p_payment_intent: orNull(text), p_amount_cents: orNull(int), p_currency: orNull(text),
  }, as<{ outcome: string }>()),
  record_refund: fn({
    p_booking_id: uuid, p_refund_id: text, p_reason: orNull(text), p_event_id: orNull(text), p_event_type: orNull(text),
  }, as<BookingRow>()),
  list_stale_checkout_sessions: fn({ p_limit: int }, as<{ bookingId: string; sessionId: string }[]>()),
  mark_checkout_closed: fn({ p_session_id: text }, as<{ sessionId: string } | null>()),
  reschedule_booking: fn({ p_token_hash: text, p_starts_at: instant }, as<BookingRow>()),
  // Booking rules (supabase/migrations/20261130000100_booking_rules.sql)
  get_busy_for_move: fn({ p_token_hash: text, p_from: instant, p_to: instant }, as<MoveBusy | null>()),
  /** Null only when the booking_rules migration did not run. */
  get_manage_link_key: fn({}, as<string | null>()),
  abandon_hold: fn({ p_token_hash: text, p_reason: orNull(text) }, as<BookingRow | null>()),
  set_ics_feed_token: fn({ p_slug: text, p_token_hash: text }, as<{ slug: string } | null>()),
  get_ics_feed: fn({ p_token_hash: text }, as<FeedRecord | null>()),
  check_rate_limit: fn({ p_identifier: text, p_endpoint: text, p_max_requests: int, p_window_seconds: int },
    as<{ allowed: boolean; remaining: number; retryAfterSeconds: number }>()),
  // Calendar busy sources (supabase/migrations/20261122000300_calendars.sql, server/calendars/)
  get_calendar_cache: fn({ p_provider_id: uuid, p_from: instant, p_to: instant }, as<CacheRow | null>()),
  get_calendar_refresh_input: fn({ p_provider_id: uuid }, as<RefreshInput | null>()),
  claim_calendar_refresh: fn({ p_provider_id: uuid, p_source: text, p_min_interval_seconds: int }, as<boolean>()),
  save_calendar_busy: fn({
    p_provider_id: uuid, p_source: text, p_from: instant, p_to: instant, p_busy: json<BusyInterval[]>(),
    p_etag: orNull(text), p_last_modified: orNull(text), p_body: orNull(text),
  }, as<{ count: number; recovered: boolean }>()),
  record_calendar_failure: fn({ p_provider_id: uuid, p_source: text, p_reason: text, p_clear: bool }, as<{ first: boolean }>()),
  record_calendar_warning: fn({ p_provider_id: uuid, p_source: text, p_warning: orNull(text) }, as<unknown>()),
  // A source's rotated secret, e.g. Microsoft's new refresh token (supabase/migrations/20261201000100_microsoft_calendars.sql)
  save_calendar_secret: fn({ p_provider_id: uuid, p_source: text, p_secret: json<EncryptedSecret>() }, as<boolean>()),
  // Provider app: connecting calendars (supabase/migrations/20261130000800_calendars_fixes.sql, server/app-api/calendars.ts)
  app_calendar_sources: fn(OWNER, as<CalendarSources>()),
  app_calendar_secret: fn({ ...OWNER, p_kind: text }, as<{ secret: EncryptedSecret } | null>()),
  app_set_calendar_choice: fn({
    ...OWNER, p_kind: text, p_selected_calendar_ids: json<string[]>(), p_account_calendar_ids: json<string[]>(),
    p_write_calendar_id: orNull(text),
  }, as<unknown>()),
  app_connect_calendar: fn({
    ...OWNER, p_kind: text, p_label: orNull(text), p_external_username: orNull(text), p_external_email: orNull(text),
    /** Null ids keep the selection as it is (an ICS feed has none). */
    p_secret: orNull(json<EncryptedSecret>()), p_selected_calendar_ids: orNull(json<string[]>()), p_account_calendar_ids: orNull(json<string[]>()),
    p_write_calendar_id: orNull(text),
  }, as<{ providerId: string; source: string }>()),
  app_disconnect_calendar: fn({ ...OWNER, p_kind: text }, as<{ removed: number }>()),
  // Start-up key check, one secret per integration (supabase/migrations/20261130000900_privileges.sql).
  list_integration_secrets: fn({}, as<StoredSecret[]>()),
  connect_calendar: fn({
    p_provider_slug: text, p_kind: text, p_label: orNull(text), p_external_username: orNull(text),
    p_external_email: orNull(text), p_secret: json<EncryptedSecret>(), p_selected_calendar_ids: orNull(json<string[]>()),
    p_account_calendar_ids: optional(orNull(json<string[]>())),
  }, as<{ providerId: string; integrationId: string; source: string }>()),
  disconnect_calendar: fn({ p_provider_slug: text, p_kind: text }, as<{ removed: number }>()),
  // Provider app: sign-in, sessions, owner API (supabase/migrations/20261130000500_provider_app.sql, server/auth/, server/app-api/)
  app_request_sign_in: fn({
    p_email: text, p_link_hash: text, p_code_hash: text, p_now: instant, p_ttl_seconds: int, p_signup_open: bool,
  }, as<{ send: boolean; newAccount: boolean }>()),
  app_verify_sign_in: fn({
    p_link_hash: orNull(text), p_email: orNull(text), p_code_hash: orNull(text), p_session_hash: text, p_now: instant,
    p_session_ttl_seconds: int, p_signup_open: bool,
  }, as<{ ok: boolean; reason?: string; user?: AppUser; newAccount?: boolean; claimedProvider?: unknown }>()),
  app_session_user: fn({ p_token_hash: text, p_now: instant, p_ttl_seconds: int }, as<(AppUser & { sessionExpiresAt: string }) | null>()),
  app_sign_out: fn({ p_token_hash: text }, as<{ signedOut: number }>()),
  app_sign_out_everywhere: fn({ p_user_id: uuid }, as<{ signedOut: number }>()),
  app_me: fn({ p_user_id: uuid }, as<{
    user: { id: string; email: string; createdAt: string };
    providers: { id: string; slug: string; name: string; timezone: string; isPublic: boolean }[];
  } | null>()),
  app_slug_available: fn({ p_slug: text }, as<boolean>()),
  app_create_provider: fn({
    p_user_id: uuid, p_slug: text, p_name: text, p_timezone: text, p_settings: json(), p_service: json(),
  }, as<OwnerProviderJson>()),
  app_get_provider: fn(OWNER, as<OwnerProviderJson>()),
  app_update_provider: fn({ ...OWNER, p_patch: json() }, as<OwnerProviderJson>()),
  app_set_hours: fn({ ...OWNER, p_working_hours: json(), p_time_off: json<object[]>() }, as<OwnerProviderJson>()),
  app_export_provider: fn(OWNER, as<ProviderFile>()),
  app_import_provider: fn({ ...OWNER, p_file: json() }, as<OwnerProviderJson>()),
  app_list_services: fn(OWNER, as<OwnerServiceJson[]>()),
  app_save_service: fn({ ...OWNER, p_service_id: orNull(uuid), p_service: json() }, as<OwnerServiceJson>()),
  /** app_save_service plus the service's own notice and limits (20261201000400_service_limits.sql). */
  app_save_service_limits: fn({ ...OWNER, p_service_id: orNull(uuid), p_service: json() }, as<OwnerServiceJson>()),
  /** The provider file with each service's own limits (apply_provider / app_import_provider / app_export_provider, wrapped). */
  apply_provider_with_limits: fn({
    p_slug: text, p_name: text, p_timezone: text, p_is_public: bool, p_settings: json(), p_services: json<object[]>(),
  }, as<{ id: string; slug: string }>()),
  app_import_provider_with_limits: fn({ ...OWNER, p_file: json() }, as<OwnerProviderJson>()),
  app_export_provider_with_limits: fn(OWNER, as<ProviderFile>()),
  service_booked_starts: fn({ p_service_id: uuid, p_from: instant, p_to: instant }, as<string[]>()),
  app_reorder_services: fn({ ...OWNER, p_service_ids: json<string[]>() }, as<OwnerServiceJson[]>()),
  app_delete_service: fn({ ...OWNER, p_service_id: uuid }, as<{ deleted: string }>()),
  app_list_bookings: fn({
    ...OWNER, p_scope: text, p_service_id: orNull(uuid), p_status: orNull(text), p_now: instant, p_limit: orNull(int),
    p_offset: orNull(int),
  }, as<Page<'bookings', BookingRow>>()),
  app_get_booking: fn({ ...OWNER, p_booking_id: uuid }, as<BookingRow>()),
  app_decide_request: fn({ ...OWNER, p_booking_id: uuid, p_approve: bool, p_reason: orNull(text) }, as<BookingRow>()),
  app_cancel_booking: fn({ ...OWNER, p_booking_id: uuid, p_reason: orNull(text), p_refund: orNull(bool) }, as<BookingRow>()),
  app_reschedule_booking: fn({ ...OWNER, p_booking_id: uuid, p_starts_at: instant }, as<BookingRow>()),
  app_busy_for_move: fn({ ...OWNER, p_booking_id: uuid, p_from: instant, p_to: instant }, as<MoveBusy>()),
  app_set_booking_outcome: fn({ ...OWNER, p_booking_id: uuid, p_outcome: text, p_now: instant }, as<BookingRow>()),
  app_create_booking: fn({
    ...OWNER, p_service_id: uuid, p_starts_at: instant, p_customer_name: text, p_customer_email: orNull(text),
    p_customer_phone: orNull(text), p_notes: text, p_customer_timezone: orNull(text), p_manage_token_hash: text,
  }, as<BookingRow>()),
  app_list_clients: fn({ ...OWNER, p_search: orNull(text), p_now: instant, p_limit: orNull(int), p_offset: orNull(int) },
    as<Page<'clients', ClientRecord>>()),
  app_get_client: fn({ ...OWNER, p_client_key: text, p_now: instant }, as<ClientRecord & { history: BookingRow[] }>()),
  app_set_client_notes: fn({ ...OWNER, p_client_key: text, p_notes: orNull(text) }, as<{ key: string; notes: string }>()),
  app_erase_client: fn({ ...OWNER, p_client_key: text, p_now: instant }, as<{ key: string; erasedBookings: number }>()),
  // Job queue, write-back and refund jobs (supabase/migrations/20261130000200_jobs.sql, server/jobs/)
  enqueue_job: fn({
    p_kind: text, p_payload: json<Record<string, unknown>>(), p_dedupe_key: optional(orNull(text)),
    p_run_at: optional(orNull(instant)), p_max_attempts: optional(orNull(int)),
  }, as<{ id: number; merged: boolean }>()),
  /** Null (SQL's empty aggregate) when nothing is due. */
  claim_jobs: fn({ p_worker: text, p_kinds: json<string[]>(), p_limit: int, p_lease_seconds: int }, as<Job[] | null>()),
  finish_job: fn({ p_id: int, p_worker: text }, as<boolean>()),
  fail_job: fn({ p_id: int, p_worker: text, p_error: text, p_backoff_seconds: int, p_retry: optional(bool) },
    as<{ id: number; status: 'queued' | 'failed'; runAt: string; attempts: number } | null>()),
  get_booking_for_write_back: fn({ p_booking_id: uuid }, as<BookingRow | null>()),
  get_pending_refund: fn({ p_payment_id: uuid }, as<PendingRefund | null>()),
  // Notifications: outbox, reminders, agenda (supabase/migrations/20261130000700_notifications.sql, server/notify/)
  save_booking_link_copy: fn({ p_token_hash: text, p_sealed: json<EncryptedSecret>(), p_lang: text }, as<unknown>()),
  get_outbox_message: fn({ p_id: int }, as<OutboxMessage | null>()),
  record_outbox_attempt: fn({
    p_id: int, p_status: text, p_lang: orNull(text), p_subject: orNull(text), p_text: orNull(text), p_html: orNull(text),
    p_ics: orNull(text), p_ics_method: orNull(text), p_error: orNull(text),
  }, as<boolean>()),
  add_due_reminder: fn({ p_booking_id: uuid, p_offset_minutes: int, p_start: instant }, as<unknown>()),
  defer_job: fn({ p_id: int, p_worker: text, p_run_at: instant }, as<boolean>()),
  set_booking_reminders: fn({ p_token_hash: text, p_enabled: bool }, as<{ id: string; reminders: boolean } | null>()),
  app_list_outbox: fn({ ...OWNER, p_limit: int }, as<unknown>()),
  app_get_agenda: fn({ ...OWNER, p_date: orNull(text) }, as<AgendaRows>()),
  get_agenda: fn({ p_provider_id: uuid, p_date: orNull(text) }, as<AgendaRows>()),
  agenda_due: fn({ p_provider_id: uuid, p_date: text, p_at: instant, p_send: bool }, as<unknown>()),
  // Provider's own Stripe account (supabase/migrations/20261201000300_provider_payments.sql, server/payments/accounts.ts)
  app_payment_account: fn(OWNER, as<PaymentAccountStatus>()),
  app_connect_payments: fn({
    ...OWNER, p_secret: json<EncryptedSecret>(), p_mode: text, p_account_id: orNull(text), p_account_name: orNull(text),
  }, as<PaymentAccountStatus>()),
  app_disconnect_payments: fn(OWNER, as<{ removed: number }>()),
  payment_account_for_provider: fn({ p_provider_id: uuid }, as<{ providerId: string; secret: EncryptedSecret; mode: string } | null>()),
  payment_account_for_booking: fn({ p_booking_id: uuid }, as<{
    providerId: string; account: 'server' | 'provider'; secret: EncryptedSecret | null;
  } | null>()),
  attach_checkout_session_with: fn({
    p_booking_id: uuid, p_session_id: text, p_amount_cents: int, p_currency: text, p_checkout_url: text, p_account: text,
  }, as<{ bookingId: string; sessionId: string }>()),
  note_payment_webhook: fn({ p_provider_id: uuid, p_at: instant }, as<{ providerId: string } | null>()),
  list_payment_secrets: fn({}, as<StoredSecret[]>()),
  // Notifications, the rest (supabase/migrations/20261201000500_notify_gaps.sql)
  calendar_failing_due: fn({ p_provider_id: uuid, p_source: text, p_failing_since: instant }, as<number | null>()),
  app_service_reminders: fn({ ...OWNER, p_service_id: uuid }, as<ServiceReminders>()),
  app_set_service_reminders: fn({ ...OWNER, p_service_id: uuid, p_reminders: orNull(json<number[]>()) }, as<ServiceReminders>()),
  // Packages and credits (supabase/migrations/20261201000700_packages.sql, server/packages/)
  get_public_packages: fn({ p_slug: text }, as<PublicPackages | null>()),
  start_package_purchase: fn({
    p_slug: text, p_package_id: uuid, p_email: orNull(text), p_phone: orNull(text), p_name: text, p_wallet_token_hash: text,
  }, as<{ grantId: string; walletId: string; clientKey: string; package: PackageJson }>()),
  attach_package_checkout: fn({ p_grant_id: uuid, p_session_id: text, p_checkout_url: text }, as<{ grantId: string; sessionId: string } | null>()),
  apply_package_payment_event: fn({
    p_event_id: text, p_event_type: text, p_kind: text, p_grant_id: uuid, p_session_id: text, p_payment_intent: orNull(text),
    p_now: instant,
  }, as<{ outcome: 'granted' | 'cancelled' | 'duplicate' | 'ignored' }>()),
  get_wallet: fn({ p_token_hash: text, p_now: instant }, as<WalletJson | null>()),
  get_booking_credit: fn({ p_token_hash: text }, as<BookingCredit | null>()),
  book_with_credit: fn({
    p_wallet_token_hash: text, p_service_id: uuid, p_starts_at: instant, p_customer_name: text, p_customer_email: orNull(text),
    p_customer_phone: orNull(text), p_notes: text, p_customer_timezone: orNull(text), p_idempotency_key: orNull(text),
    p_manage_token_hash: text, p_now: instant,
  }, as<{ booking: BookingRow; replayed: boolean; manageTokenMatches: boolean; credit: BookingCredit }>()),
  app_list_packages: fn(OWNER, as<PackageJson[]>()),
  app_save_package: fn({ ...OWNER, p_package_id: orNull(uuid), p_package: json() }, as<PackageJson>()),
  app_record_package_sale: fn({
    ...OWNER, p_package_id: uuid, p_email: orNull(text), p_phone: orNull(text), p_name: text, p_source: text,
    p_payment_ref: orNull(text), p_wallet_token_hash: text, p_now: instant,
  }, as<{ wallet: WalletJson; grant: GrantJson }>()),
  app_list_wallets: fn({ ...OWNER, p_now: instant }, as<WalletJson[]>()),
  app_cancel_booking_credit: fn({
    ...OWNER, p_booking_id: uuid, p_reason: orNull(text), p_refund: orNull(bool), p_return_credit: bool,
  }, as<BookingRow>()),
  // Weekly series (supabase/migrations/20261201000600_weekly_series.sql)
  apply_service_series: fn({ p_provider_id: uuid, p_services: json<object[]>() }, as<unknown>()),
  get_series_options: fn({ p_provider_id: uuid }, as<SeriesOptions>()),
  create_series_if_free: fn({
    p_provider_id: uuid, p_service_id: uuid, p_interval_weeks: int, p_occurrences: int, p_first_start: instant,
    p_items: json<{ index: number; start: string; tokenHash: string; moved: boolean }[]>(), p_customer_name: text,
    p_customer_email: orNull(text), p_customer_phone: orNull(text), p_notes: text, p_customer_timezone: orNull(text),
    p_idempotency_key: orNull(text), p_manage_token_hash: text, p_hold_minutes: optional(orNull(int)),
  }, as<{ series: SeriesRow; replayed: boolean; manageTokenMatches: boolean }>()),
  get_series_by_token: fn({ p_token_hash: text }, as<SeriesRow | null>()),
  cancel_series_occurrences: fn({ p_token_hash: text, p_index: int, p_and_later: bool, p_reason: orNull(text) }, as<SeriesRow>()),
  apply_series_payment_event: fn({
    p_event_id: text, p_event_type: text, p_kind: text, p_series_id: uuid, p_session_id: orNull(text),
    p_payment_intent: orNull(text), p_amount_cents: orNull(int), p_currency: orNull(text),
  }, as<{ outcome: string }>()),
  series_anchor: fn({ p_series_id: uuid }, as<string | null>()),
  abandon_series: fn({ p_token_hash: text, p_reason: orNull(text) }, as<unknown>()),
  app_get_series: fn({ ...OWNER, p_booking_id: uuid }, as<(SeriesRow & { index: number }) | null>()),
  app_service_series: fn({
    ...OWNER, p_service_id: uuid, p_set: bool, p_max_occurrences: orNull(int), p_max_interval_weeks: orNull(int),
  }, as<{ serviceId: string; maxOccurrences: number; maxIntervalWeeks: number }>()),
  app_cancel_series: fn({ ...OWNER, p_booking_id: uuid, p_and_later: bool, p_reason: orNull(text) }, as<SeriesRow & { index: number }>()),
  // The calendar cache's health without its busy rows, for the slots and booking paths (20261201001000_slots_read_path.sql)
  get_calendar_health: fn({ p_provider_id: uuid }, as<HealthRow | null>()),
  // A visitor's booking in one call (supabase/migrations/20261201000900_booking_one_call.sql, server/bookings/provider-cache.ts)
  get_booking_provider: fn({ p_slug: text }, as<(Provider & { version: number }) | null>()),
  book_visitor: fn({
    p_provider_id: uuid, p_service_id: uuid, p_starts_at: instant, p_customer_name: text, p_customer_email: orNull(text),
    p_customer_phone: orNull(text), p_notes: text, p_customer_timezone: orNull(text), p_idempotency_key: orNull(text),
    p_manage_token_hash: text, p_hold_minutes: orNull(int), p_version: orNull(int), p_calendars_checked: bool,
    p_link_sealed: json<EncryptedSecret>(), p_link_lang: text,
  }, as<{ booking: BookingRow; replayed: boolean; manageTokenMatches: boolean }>()),
  prune_link_copies: fn({ p_limit: int }, as<number>()),
};

type Table = typeof SQL_FUNCTIONS;
export type SqlFunctionName = keyof Table;

/** Arguments the SQL function has a default for may be left out; all others must be given (null where allowed). */
type Arguments<A> = { [P in keyof A as undefined extends A[P] ? never : P]: A[P] } & { [P in keyof A as undefined extends A[P] ? P : never]?: A[P] };

/** The named arguments of a SQL function, typed. */
export type ArgsOf<K extends SqlFunctionName> = Arguments<Table[K]['args']>;
/** What a SQL function returns, typed. */
export type ResultOf<K extends SqlFunctionName> = Table[K]['result'];

/**
 * The argument names of every SQL function: the contract between the adapters and the migrations, checked against
 * `pg_proc` by tests/integration/postgres.test.ts.
 */
export const sqlFunctions = Object.fromEntries(
  Object.entries(SQL_FUNCTIONS).map(([name, entry]) => [name, Object.keys(entry.args)]),
) as unknown as { readonly [K in SqlFunctionName]: readonly (keyof Table[K]['args'] & string)[] };

/** True for a function listed here (the admin listener checks names that arrive as JSON). */
export function isSqlFunctionName(name: string): name is SqlFunctionName {
  return Object.hasOwn(sqlFunctions, name);
}

/** Throws when a call does not match the contract (unknown function or argument): also for calls typed at run time. */
export function assertKnownCall(fn: string, args: object): void {
  if (!isSqlFunctionName(fn)) throw new Error(`SQL function ${fn} is not listed in server/db/functions.ts`);
  const known: readonly string[] = sqlFunctions[fn];
  for (const name of Object.keys(args)) {
    if (!known.includes(name)) throw new Error(`SQL function ${fn} has no argument ${name} in server/db/functions.ts`);
  }
}
